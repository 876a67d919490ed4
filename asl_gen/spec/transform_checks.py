"""The checks of transform steps that look beyond the step: the model they use, the inputs they read, and where
they run (a model made before them; the current item and a name per item only inside a map).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from asl_gen import catalog
from asl_gen.errors import Problem
from asl_gen.spec.control import MapJob, ParallelJob
from asl_gen.spec.model import ModelJob
from asl_gen.spec.names import default_name
from asl_gen.spec.project import Spec
from asl_gen.spec.transform import TransformJob

Path = tuple[str | int, ...]


class Report(Protocol):
    def __call__(self, path: Path, message: str, hint: str | None = None) -> Problem: ...


@dataclass(frozen=True)
class _Map:
    """The map a list of steps runs in, and the jobs that ran before the map started."""

    key: str
    job: MapJob
    outside: frozenset[str]


def check_transforms(spec: Spec, problem: Report) -> Iterator[Problem]:
    """Each transform's model and inputs exist, and each state machine runs it where it can work."""
    # A transform in several state machines is reported once per mistake.
    found: dict[tuple[str, str], Problem] = {}
    for key, job in spec.jobs.items():
        if isinstance(job, TransformJob):
            for p in _check_fields(spec, key, job, problem):
                found.setdefault((p.pointer, p.message), p)
    for machine_key, machine in spec.state_machines.items():
        for p in _walk(spec, machine_key, list(machine.steps), set(), None, problem, 0):
            found.setdefault((p.pointer, p.message), p)
    yield from found.values()


def _check_fields(spec: Spec, key: str, job: TransformJob, problem: Report) -> Iterator[Problem]:
    base: Path = ("jobs", key)
    if job.model is not None:
        target = spec.jobs.get(job.model)
        if target is None:
            hint = catalog.suggest(job.model, spec.jobs)
            yield problem(
                (*base, "model"),
                f"no job named {job.model!r}",
                f"did you mean {hint!r}?"
                if hint
                else "define it under jobs, or name a model made elsewhere with model_name",
            )
        elif not isinstance(target, ModelJob):
            yield problem(
                (*base, "model"),
                f"job {job.model!r} is of type {target.type}, not model",
                "name a job of type model",
            )
    inputs: list[tuple[Path, str]] = []
    if job.model_name is not None and job.model_name.input is not None:
        inputs.append(((*base, "model_name", "input"), job.model_name.input))
    if job.input.s3.input is not None:
        inputs.append(((*base, "input", "s3", "input"), job.input.s3.input))
    for path, name in inputs:
        declared = spec.inputs.get(name)
        if declared is None:
            yield problem(path, f"input {name!r} is not declared", f"add it under inputs: {{{name}: string}}")
        elif declared != "string":
            yield problem(path, f"input {name!r} is declared {declared}, not string", "declare it as string")


def _walk(
    spec: Spec,
    machine_key: str,
    steps: list[str],
    before: set[str],
    inside: _Map | None,
    problem: Report,
    depth: int,
) -> Iterator[Problem]:
    """Check each transform of `steps`, knowing which jobs ran before it and the map it runs in, if any."""
    for step in steps:
        job = spec.jobs.get(step)
        if job is None or depth > 10:
            continue
        if isinstance(job, TransformJob):
            yield from _check_placement(spec, machine_key, step, job, before, inside, problem)
        if isinstance(job, ParallelJob):
            finished: set[str] = set()
            for branch in job.branches:
                seen = set(before)
                yield from _walk(spec, machine_key, list(branch), seen, inside, problem, depth + 1)
                finished |= seen
            before |= finished
        elif isinstance(job, MapJob):
            body = _Map(step, job, frozenset(before))
            yield from _walk(spec, machine_key, list(job.steps), set(before), body, problem, depth + 1)
        before.add(step)


def _check_placement(
    spec: Spec,
    machine_key: str,
    key: str,
    job: TransformJob,
    before: set[str],
    inside: _Map | None,
    problem: Report,
) -> Iterator[Problem]:
    base: Path = ("jobs", key)
    model = spec.jobs.get(job.model or "")
    if isinstance(model, ModelJob) and job.model not in before:
        yield problem(
            (*base, "model"),
            f"transform {key!r} uses model {job.model!r}, which does not run before it in state machine "
            f"{machine_key!r}",
            f"run {job.model!r} earlier in the state machine, before the map for a transform inside one, or name a "
            "model made elsewhere with model_name: {input: ModelName}",
        )
    if inside is None:
        if job.input.s3.item is not None:
            yield problem(
                (*base, "input", "s3", "item"),
                f"{{item: ...}} reads the current item of a map, and transform {key!r} does not run inside one in "
                f"state machine {machine_key!r}",
                "give an s3:// URI or {input: InputName}, or list the transform under a map's steps",
            )
        return
    name = job.name or default_name(spec.project, key)
    if name.prefix is None:
        yield problem(
            (*base, "name"),
            f"transform {key!r} runs once for each item of map {inside.key!r}, and SageMaker needs a new job name "
            "for each",
            "name it {prefix: ...}: asl-gen appends a hash of the execution and the item's index",
        )
    if inside.job.mode != "distributed":
        return
    # A distributed map's items run as child executions: their input is the item, their Execution.Id their own.
    child = f"transform {key!r} runs in the child executions of distributed map {inside.key!r}, which see"
    if isinstance(model, ModelJob) and job.model in inside.outside:
        model_name = model.name or default_name(spec.project, job.model or "")
        if model_name.literal is None:
            yield problem(
                (*base, "model"),
                f"{child} neither the execution input nor the execution's id, so they cannot name model {job.model!r}",
                f"give model {job.model!r} a literal name, or use mode: inline",
            )
    for path, name_of in (
        ((*base, "model_name", "input"), job.model_name.input if job.model_name else None),
        ((*base, "input", "s3", "input"), job.input.s3.input),
    ):
        if name_of is not None:
            yield problem(
                path,
                f"{child} only their item, not input {name_of!r}",
                "pass it in the items, or use mode: inline",
            )
