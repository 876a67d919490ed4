"""What the state holds before each step, and the check that a call's `$.` paths read something it holds.

A state machine's state starts as the execution input (the declared `inputs:`); each step then adds its result
under `$.<result slot>` (a call with `discard_result` adds nothing), a Parallel keeps its branches' results under
its own slot, a Map the list of its runs' results under its slot. A Map body starts from `{item, index}` alone. A
step's catch keeps the error under `$.Error`. After raw ASL (`type: asl`) nothing is known of the state, so paths
are not checked there: no false alarms.

Imports: catalog, errors
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from asl_gen import catalog
from asl_gen.errors import Problem
from asl_gen.spec.call import CallJob, dynamic_values
from asl_gen.spec.control import AslJob, MapJob, ParallelJob
from asl_gen.spec.jobs import references_of
from asl_gen.spec.names import ERROR_SLOT, result_slot
from asl_gen.spec.project import Spec

Path = tuple[str | int, ...]
Report = Callable[[Path, str, str | None], Problem]
MAP_FIELDS = ("item", "index")
_QUOTED = re.compile(r"'(?:\\.|[^'\\])*'")
# A JSONPath inside a value or an intrinsic's arguments: `$`, `$$`, then dotted or bracketed steps.
_PATH = re.compile(r"\$\$?(?:\.[^\s.,()\[\]]+|\[[^\]]*\])*")
LISTED = 8


@dataclass(frozen=True)
class Field:
    """A top-level field of the state: what put it there and, when known, the fields inside it."""

    source: str
    keys: frozenset[str] | None = None


def states_before(spec: Spec, steps: Sequence[str]) -> dict[str, tuple[str, dict[str, Field] | None, bool]]:
    """For each step of a machine (nested ones too): where it is, the state's fields before it (None when
    unknown), and whether it runs in a Map body."""
    found: dict[str, tuple[str, dict[str, Field] | None, bool]] = {}
    start = {name: Field("input") for name in spec.inputs}
    _walk(spec, steps, start, "", False, found, 0)
    return found


def _produces(spec: Spec, key: str) -> bool:
    job = spec.jobs.get(key)
    if job is None or isinstance(job, AslJob):
        return False
    if isinstance(job, CallJob):
        return not job.discard_result
    if isinstance(job, ParallelJob):
        return any(_produces(spec, s) for branch in job.branches for s in branch)
    return True


def _walk(
    spec: Spec,
    steps: Sequence[str],
    fields: dict[str, Field] | None,
    where: str,
    in_map: bool,
    found: dict[str, tuple[str, dict[str, Field] | None, bool]],
    depth: int,
) -> None:
    if fields is not None and any(getattr(spec.jobs.get(s), "catch", None) for s in steps):
        fields = {**fields, ERROR_SLOT: Field("a caught error")}
    for step in steps:
        job = spec.jobs.get(step)
        if job is None or depth > 10:
            continue
        if fields is not None:
            # A step may first look up what another state machine made (a training job's artifacts): that lands
            # in the looked-up job's slot.
            for ref in references_of(job):
                fields = {**fields, result_slot(ref): Field(f"result of {ref}")}
        found.setdefault(step, (where, fields, in_map))
        if isinstance(job, AslJob):
            fields = None
        elif isinstance(job, ParallelJob):
            for branch in job.branches:
                _walk(spec, branch, fields, f"a branch of parallel {step!r}", in_map, found, depth + 1)
            kept = frozenset(result_slot(s) for branch in job.branches for s in branch if _produces(spec, s))
            if fields is not None and kept:
                fields = {**fields, result_slot(step): Field(f"results of parallel {step}", kept)}
        elif isinstance(job, MapJob):
            body = {name: Field("map item") for name in MAP_FIELDS}
            _walk(spec, job.steps, body, f"the body of map {step!r}", True, found, depth + 1)
            if fields is not None:
                fields = {**fields, result_slot(step): Field(f"results of map {step}")}
        elif fields is not None and _produces(spec, step):
            keys = None
            if isinstance(job, CallJob) and job.result_selector is not None:
                keys = frozenset(k.removesuffix(".$") for k in job.result_selector)
            fields = {**fields, result_slot(step): Field(f"result of {step}", keys)}


def paths_in(value: str) -> list[str]:
    """The JSONPaths a `.$` value reads: the value itself, or the arguments of its intrinsic functions."""
    return _PATH.findall(_QUOTED.sub("''", value))


def _steps(path: str) -> list[str]:
    """`$.a.b[0].c` -> ['a', 'b', 'c'] (dotted names only; a bracketed step ends what can be told)."""
    names: list[str] = []
    for part in re.findall(r"\.([^.\[\]]+)|\[[^\]]*\]", path[1:]):
        if not part:
            break
        names.append(part)
    return names


def check_call_paths(
    spec: Spec, machine_key: str, steps: Sequence[str], reported: set[Path], problem: Report
) -> Iterator[Problem]:
    """Each `$.` path in a call's parameters reads a field the state holds when the call runs."""
    for key, (where, fields, in_map) in states_before(spec, steps).items():
        job = spec.jobs[key]
        if not isinstance(job, CallJob):
            continue
        scope = where or f"state machine {machine_key!r}"
        for at, value in dynamic_values(job.parameters, ("jobs", key, "parameters")):
            if at in reported or not isinstance(value, str):
                continue
            message = _check_value(value, fields, in_map, scope)
            if message is not None:
                reported.add(at)
                yield problem(at, *message)


def _check_value(
    value: str, fields: dict[str, Field] | None, in_map: bool, scope: str
) -> tuple[str, str | None] | None:
    for path in paths_in(value):
        if path.startswith("$$.Map.") and not in_map:
            return f"{path!r} reads the Map context, but the call does not run in a map", "use it in a map's steps"
        if fields is None or not path.startswith("$."):
            continue
        names = _steps(path)
        if not names:
            continue
        first = names[0]
        held = fields.get(first)
        if held is None:
            hint = catalog.suggest(first, fields)
            return (
                f"{path!r} reads {first!r}, which nothing puts in the state before this step in {scope}",
                f"did you mean '$.{hint}'?" if hint else _holding(fields),
            )
        if held.keys is not None and len(names) > 1 and names[1] not in held.keys:
            hint = catalog.suggest(names[1], held.keys)
            return (
                f"{path!r} reads {names[1]!r} of the {held.source}, which keeps only "
                + ", ".join(repr(k) for k in sorted(held.keys)),
                f"did you mean '$.{first}.{hint}'?" if hint else None,
            )
    return None


def _holding(fields: dict[str, Field]) -> str:
    if not fields:
        return "the state holds nothing here yet: declare the field under inputs, or run the step that writes it first"
    shown = [f"$.{name} ({f.source})" for name, f in sorted(fields.items())]
    more = f" and {len(shown) - LISTED} more" if len(shown) > LISTED else ""
    return "the state holds " + ", ".join(shown[:LISTED]) + more
