"""The checks no single field can make: references between jobs, steps, inputs and names, across the spec.

`check_references` runs them on a valid model and reports every problem with the path of the field at fault.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Protocol

from asl_gen import catalog
from asl_gen.errors import Problem
from asl_gen.loader import Located
from asl_gen.spec import shapes
from asl_gen.spec.base import PREFIX_MAX, ROLE_ARN
from asl_gen.spec.call import CALL_PATTERNS, TASK_TOKEN, CallJob, call_inputs, dynamic_values
from asl_gen.spec.control import AslJob, ItemsInput, MapJob, ParallelJob, QualityGateJob
from asl_gen.spec.endpoint import EndpointConfigJob, EndpointJob
from asl_gen.spec.jobs import Job, data_locations, data_references, model_references, nested_steps, references_of
from asl_gen.spec.labeling import LabelingJob, check_labeling
from asl_gen.spec.model import ModelJob, ModelPackageJob
from asl_gen.spec.names import (
    ERROR_SLOT,
    FAILED_STATE,
    LOOKUP_PREFIX,
    NOTIFY_STATE,
    STATE_NAME_MAX,
    default_name,
    lookup_state_name,
    machine_state_names,
    result_slot,
    retries_transient,
    state_name_of,
    step_state_names,
    transient_state_names,
)
from asl_gen.spec.paths import check_call_paths
from asl_gen.spec.processing import ProcessingJob, processing_problems
from asl_gen.spec.project import Spec, StateMachine, scopes
from asl_gen.spec.step import NamedStep
from asl_gen.spec.training import TrainingJob
from asl_gen.spec.transform_checks import check_transforms
from asl_gen.spec.tuning import TUNING_PREFIX_MAX, TuningJob

Path = tuple[str | int, ...]


class Report(Protocol):
    """Makes a problem located at the field `path` names."""

    def __call__(self, path: Path, message: str, hint: str | None = None, *, key: bool = False) -> Problem: ...


def check_references(spec: Spec, located: Located) -> Iterator[Problem]:
    """Check what no single field can: references between jobs, steps, inputs and names."""

    def problem(path: Path, message: str, hint: str | None = None, *, key: bool = False) -> Problem:
        position = located.position(path, key=key)
        line, column = position if position else (None, None)
        return Problem(
            message,
            file=located.file,
            line=line,
            column=column,
            pointer=".".join(str(p) for p in path),
            hint=hint,
        )

    jobs = spec.jobs
    # The steps whose SageMaker calls get the states of `retry: sagemaker` in some state machine.
    retrying = {
        key
        for machine in spec.state_machines.values()
        for scope in scopes(spec, list(machine.steps))
        for key in scope
        if key in jobs and retries_transient(jobs[key], machine)
    }
    role = ROLE_ARN.fullmatch(spec.roles.sagemaker.arn or "")
    partition = spec.aws.resolved_partition
    if role and (partition is None or spec.aws.account is None):
        yield problem(
            ("roles", "sagemaker", "arn"),
            f"the role ARN names its {'partition' if partition is None else 'account'}, which aws leaves open",
            f"give the role by name instead: roles.sagemaker.name: {role.group(4)}",
        )
    elif role and role.group(1) != partition:
        yield problem(
            ("roles", "sagemaker", "arn"),
            f"the role is in partition {role.group(1)!r} but region {spec.aws.region!r} is in {partition!r}",
            f"use arn:{partition}:iam::...",
        )
    elif role and role.group(2) != spec.aws.account:
        yield problem(
            ("roles", "sagemaker", "arn"),
            f"the role belongs to account {role.group(2)}, not {spec.aws.account}",
            "Step Functions can only pass a role of its own account to SageMaker",
        )

    def expect(path: Path, key: str, kind: str, *others: str) -> Iterator[Problem]:
        kinds = (kind, *others)
        if key not in jobs:
            hint = catalog.suggest(key, jobs)
            yield problem(path, f"no job named {key!r}", f"did you mean {hint!r}?" if hint else "define it under jobs")
        elif jobs[key].type not in kinds:
            wanted = " or ".join(kinds)
            yield problem(
                path, f"job {key!r} is of type {jobs[key].type}, not {wanted}", f"name a job of type {wanted}"
            )

    for key, job in jobs.items():
        base: Path = ("jobs", key)
        if isinstance(job, NamedStep):
            yield from _check_name(spec, key, job, problem)
        definition = job.training if isinstance(job, TuningJob) else job if isinstance(job, TrainingJob) else None
        if definition is not None and definition.algorithm is not None:
            at: Path = (*base, "training", "algorithm") if isinstance(job, TuningJob) else (*base, "algorithm")
            try:
                if spec.aws.region is None:
                    catalog.registries(definition.algorithm.name, definition.algorithm.version)
                else:
                    catalog.image_uri(definition.algorithm.name, definition.algorithm.version, spec.aws.region)
            except LookupError as exc:
                yield problem(at, str(exc))
        if isinstance(job, ProcessingJob):
            for where, message, hint in processing_problems(job, spec.aws.region):
                yield problem((*base, *where), message, hint)
        if isinstance(job, TuningJob):
            for where, message, fix in job.problems():
                yield problem((*base, *where), message, fix)
        if isinstance(job, ModelJob | ModelPackageJob) and job.from_ is not None:
            yield from expect((*base, "from"), job.from_, "training", "tuning")
        if isinstance(job, EndpointConfigJob):
            for index, variant in enumerate(job.variants):
                yield from expect((*base, "variants", index, "model"), variant.model, "model")
        if isinstance(job, EndpointJob):
            yield from expect((*base, "config"), job.config, "endpoint-config")
        if isinstance(job, LabelingJob):
            yield from check_labeling(spec.aws.region, spec.aws.account, partition, key, job, problem)
        if isinstance(job, CallJob):
            yield from _check_call(spec, key, job, located, problem)
        if isinstance(job, QualityGateJob):
            for field, why, hint in job.missing_fields():
                yield problem((*base, field) if field is not None else base, why, hint)
        if isinstance(job, QualityGateJob) and job.training is not None:
            yield from expect((*base, "training"), job.training, "training")
        if isinstance(job, QualityGateJob) and job.tuning is not None:
            yield from _check_gate_on_tuning(spec, key, job, job.tuning, expect, problem)
        yield from _check_data(spec, key, job, problem)
        if isinstance(job, ParallelJob | MapJob):
            yield from _check_nested(spec, key, job, problem)
        if isinstance(job, MapJob) and isinstance(job.items, ItemsInput):
            declared = spec.inputs.get(job.items.input)
            if declared != "list":
                yield problem(
                    (*base, "items", "input"),
                    f"input {job.items.input!r} is "
                    + ("not declared" if declared is None else f"declared {declared}, not list"),
                    f"declare it under inputs: {{{job.items.input}: list}}",
                )
        if isinstance(job, AslJob):
            continue
        own = state_name_of(key, job)
        longest = max(step_state_names(key, job, key in retrying), key=len)
        if len(longest) > STATE_NAME_MAX:
            yield problem(
                (*base, "state_name") if job.state_name is not None else base,
                f"the step adds a state named {longest!r}, {len(longest)} characters; state names stop at "
                f"{STATE_NAME_MAX}",
                f"give the job a state_name of at most {STATE_NAME_MAX - len(longest) + len(own)} characters",
            )

    yield from check_transforms(spec, problem)

    slots = {result_slot(k) for k in jobs}
    for clash in sorted(slots & set(spec.inputs)):
        yield problem(
            ("inputs", clash),
            f"input {clash!r} collides with the result slot of job {clash!r}",
            "rename the input or the job",
        )

    # A call in several state machines may read a field only one of them holds: say so once.
    reported_paths: set[Path] = set()
    for machine_key, machine in spec.state_machines.items():
        state_machine_name = f"{spec.project}-{machine_key}"
        if len(state_machine_name) > 80:
            yield problem(
                ("state_machines", machine_key),
                f"state machine name {state_machine_name!r} is longer than 80 characters",
                "shorten the project or state machine key",
            )
        seen: dict[str, int] = {}
        for index, step in enumerate(machine.steps):
            path: Path = ("state_machines", machine_key, "steps", index)
            if path not in located.marks:
                path = ("state_machines", machine_key, index)
            if step not in jobs:
                hint = catalog.suggest(step, jobs)
                yield problem(
                    path,
                    f"no job named {step!r}",
                    f"did you mean {hint!r}?" if hint else "define it under jobs",
                )
                continue
            if step in seen:
                yield problem(path, f"job {step!r} runs twice in state machine {machine_key!r}", "list each job once")
                continue
            seen[step] = index
            yield from _check_step_sources(spec, machine_key, step, seen, path, problem)
            for scope in list(scopes(spec, [step]))[1:]:
                for inner in scope:
                    seen.setdefault(inner, index)
        yield from _check_machine_flow(spec, machine_key, machine, problem)
        yield from _check_tuning_sources(spec, machine_key, machine, located, problem)
        yield from _check_model_data_order(spec, machine_key, machine, problem)
        yield from _check_data_order(spec, machine_key, machine, problem)
        yield from check_call_paths(spec, machine_key, machine.steps, reported_paths, problem)
        names = [state_name_of(s, jobs[s]) for s in machine.steps if s in jobs]
        shared = sorted({n for n in names if names.count(n) > 1})
        for state in shared:
            yield problem(
                ("state_machines", machine_key),
                f"two steps share the state name {state!r}",
                "give one of them a different state_name",
            )
        every = machine_state_names(spec, machine, machine.steps)
        if machine.on_failure is not None:
            every.extend((NOTIFY_STATE, FAILED_STATE))
        for state in sorted({n for n in every if every.count(n) > 1} - set(shared)):
            yield problem(
                ("state_machines", machine_key),
                f"two states of state machine {machine_key!r} would be named {state!r}",
                "a step's extra states are named '<state name>: <what they do>'; give a step a different state_name",
            )


def _check_tuning_sources(
    spec: Spec, machine_key: str, machine: StateMachine, located: Located, problem: Report
) -> Iterator[Problem]:
    """A step that uses a tuning job reads its result: the tuning step must have run before it, in its reach.

    The best training job is known only from the tuning job's result, so there is no lookup by name. A branch sees
    what ran before its Parallel; a Map body sees only its item (as the plan lays the states out).
    """
    top = {step: index for index, step in enumerate(machine.steps)}
    for step, done, inside in _in_reach(spec, list(machine.steps)):
        for ref in references_of(spec.jobs[step]):
            if isinstance(spec.jobs.get(ref), TuningJob) and ref not in done:
                path: Path = ("jobs", step)
                if inside is None and step in top:
                    path = ("state_machines", machine_key, "steps", top[step])
                    if path not in located.marks:
                        path = ("state_machines", machine_key, top[step])
                where = f" (inside map {inside!r}, whose steps see only their item)" if inside else ""
                yield problem(
                    path,
                    f"step {step!r} needs tuning job {ref!r}, which does not run before it in state machine "
                    f"{machine_key!r}{where}",
                    f"run {ref!r} before {step!r}, outside any map: its best training job is known only from "
                    "its result",
                )


def _in_reach(
    spec: Spec, steps: list[str], done: set[str] | None = None, inside: str | None = None, depth: int = 0
) -> Iterator[tuple[str, frozenset[str], str | None]]:
    """Each step, with the steps whose results its state can read, and the Map it runs inside (if any).

    What ran before it in its list of steps counts; a Parallel branch also sees what ran before its Parallel; a
    Map body sees only its item (as the plan lays the states out).
    """
    done = set() if done is None else done
    for step in steps:
        job = spec.jobs.get(step)
        if job is None:
            continue
        yield step, frozenset(done), inside
        if depth < 10 and isinstance(job, ParallelJob):
            finished: set[str] = set()
            for branch in job.branches:
                seen = set(done)
                yield from _in_reach(spec, list(branch), seen, inside, depth + 1)
                finished |= seen
            done |= finished
        elif depth < 10 and isinstance(job, MapJob):
            yield from _in_reach(spec, list(job.steps), set(), step, depth + 1)
        done.add(step)


def _check_nested(spec: Spec, key: str, job: ParallelJob | MapJob, problem: Report) -> Iterator[Problem]:
    """Branches and Map bodies name jobs that exist, once each; a Map body holds no Parallel or Map."""
    lists: list[tuple[Path, list[str]]] = (
        [(("jobs", key, "branches", i), list(b)) for i, b in enumerate(job.branches)]
        if isinstance(job, ParallelJob)
        else [(("jobs", key, "steps"), list(job.steps))]
    )
    seen: set[str] = set()
    for base, steps in lists:
        for index, step in enumerate(steps):
            path = (*base, index)
            inner = spec.jobs.get(step)
            if inner is None:
                hint = catalog.suggest(step, spec.jobs)
                yield problem(
                    path, f"no job named {step!r}", f"did you mean {hint!r}?" if hint else "define it under jobs"
                )
            elif step == key or key in {k for scope in scopes(spec, [step]) for k in scope}:
                yield problem(path, f"{job.type} {key!r} would run inside itself", "name other jobs here")
            elif step in seen:
                yield problem(path, f"job {step!r} runs twice in {job.type} {key!r}", "list each job once")
            elif isinstance(job, MapJob) and isinstance(inner, ParallelJob | MapJob | AslJob):
                yield problem(
                    path,
                    f"a map runs jobs for each item, not {'an' if inner.type[0] in 'aeiou' else 'a'} {inner.type} "
                    f"step ({step!r})",
                    "move it before or after the map",
                )
            seen.add(step)


def _check_machine_flow(spec: Spec, machine_key: str, machine: StateMachine, problem: Report) -> Iterator[Problem]:
    """Each job runs once in the whole machine, catches go to a step of the same list, $.Error is free."""
    everywhere = [k for scope in scopes(spec, machine.steps) for k in scope if k in spec.jobs]
    nested = everywhere[len(machine.steps) :]
    for key in sorted({k for k in nested if everywhere.count(k) > 1}):
        yield problem(
            ("state_machines", machine_key),
            f"job {key!r} runs more than once in state machine {machine_key!r} (in a branch or map too)",
            "a job's states may appear once per state machine; define a second job for the second run",
        )
    if machine.query_language == "JSONata":
        yield from _check_jsonata_calls(spec, machine_key, everywhere, problem)
    known = {k: i for i, k in enumerate(everywhere)}
    for key in dict.fromkeys(nested):
        yield from _check_step_sources(spec, machine_key, key, known, ("jobs", key), problem)
    catches = machine.on_failure is not None
    for scope in scopes(spec, machine.steps):
        for step in scope:
            job = spec.jobs.get(step)
            for index, rule in enumerate(getattr(job, "catch", None) or []):
                catches = True
                if rule.next not in scope:
                    # A job in several machines has one catch: say so once, naming each machine it fails in.
                    wrong = [m for m, where in _scopes_of(spec, step) if rule.next not in where]
                    if wrong[0] != machine_key:
                        continue
                    named = " and ".join(repr(m) for m in dict.fromkeys(wrong))
                    yield problem(
                        ("jobs", step, "catch", index, "next"),
                        f"{rule.next!r} is not a step next to {step!r} in state machine {named}",
                        "a catch goes on with a step of the same list of steps (the same branch or map body)",
                    )
                elif rule.next == step:
                    yield problem(
                        ("jobs", step, "catch", index, "next"),
                        f"step {step!r} would catch its errors by running itself again",
                        "use retry to run a step again",
                    )
    if catches and ERROR_SLOT in spec.inputs:
        yield problem(
            ("inputs", ERROR_SLOT),
            f"input {ERROR_SLOT!r} would be overwritten: caught errors are kept under $.{ERROR_SLOT}",
            "rename the input",
        )


def _scopes_of(spec: Spec, step: str) -> Iterator[tuple[str, list[str]]]:
    """Each state machine running `step`, with the list of steps it is in there, in spec order."""
    for machine_key, machine in spec.state_machines.items():
        for scope in scopes(spec, machine.steps):
            if step in scope:
                yield machine_key, list(scope)


def _check_jsonata_calls(spec: Spec, machine_key: str, keys: list[str], problem: Report) -> Iterator[Problem]:
    """A JSONata machine gets a call's `.$` values translated; say where one has no translation."""
    from asl_gen.jsonata import TranslationError, expression

    for key in dict.fromkeys(keys):
        job = spec.jobs.get(key)
        if not isinstance(job, CallJob):
            continue
        for field, payload in (("parameters", job.parameters), ("result_selector", job.result_selector or {})):
            for path, value in dynamic_values(payload, ("jobs", key, field)):
                try:
                    expression(str(value))
                except TranslationError as exc:
                    yield problem(
                        path,
                        f"state machine {machine_key!r} is JSONata, and {exc}",
                        "use the paths and intrinsic functions asl-gen translates (docs/spec.md: JSONata), or run "
                        "the call in a JSONPath state machine",
                    )


def _check_gate_on_tuning(
    spec: Spec,
    key: str,
    job: QualityGateJob,
    tuning: str,
    expect: Callable[[Path, str, str], Iterator[Problem]],
    problem: Report,
) -> Iterator[Problem]:
    """A gate on a tuning job reads its objective: the metric, if given, must be that objective's."""
    yield from expect(("jobs", key, "tuning"), tuning, "tuning")
    target = spec.jobs.get(tuning)
    if isinstance(target, TuningJob) and job.metric is not None and job.metric != target.objective.metric:
        yield problem(
            ("jobs", key, "metric"),
            f"tuning job {tuning!r} optimises {target.objective.metric!r}, not {job.metric!r}; the gate reads the "
            "best training job's objective value",
            f"leave out metric, or write metric: {target.objective.metric}",
        )


def _check_name(spec: Spec, key: str, job: NamedStep, problem: Report) -> Iterator[Problem]:
    base: Path = ("jobs", key)
    name = job.name or default_name(spec.project, key)
    longest = TUNING_PREFIX_MAX if isinstance(job, TuningJob) else PREFIX_MAX
    if job.name is None and len(name.prefix or "") > longest:
        yield problem(
            base,
            f"the default name prefix {name.prefix!r} is longer than {longest} characters"
            + (" (tuning job names stop at 32)" if isinstance(job, TuningJob) else ""),
            "give the job a name (a string, {input: X} or {prefix: short-prefix})",
        )
    if name.input is not None and name.input not in spec.inputs:
        yield problem(
            (*base, "name", "input"),
            f"input {name.input!r} is not declared",
            f"add it under inputs: {{{name.input}: string}}",
        )
    elif name.input is not None and spec.inputs[name.input] != "string":
        yield problem(
            (*base, "name", "input"),
            f"input {name.input!r} names a resource but is declared {spec.inputs[name.input]}",
            "declare it as string",
        )


def _check_call(spec: Spec, key: str, job: CallJob, located: Located, problem: Report) -> Iterator[Problem]:
    """The integration must exist, support the pattern and get the parameters it requires."""
    from asl_gen import integrations

    base: Path = ("jobs", key)
    at_parameters = (*base, "parameters") if located.position((*base, "parameters")) else base
    row = integrations.find(job.resource)
    sdk = job.resource.startswith("aws-sdk:")
    supported: tuple[str, ...]
    api = shapes.sagemaker_api(job.resource)
    required: tuple[str, ...] = () if row is None else row.required
    if api is not None and not shapes.known_operation(api):
        hint = shapes.suggest_api(api)
        yield problem(
            (*base, "resource"),
            f"SageMaker has no API {api!r}",
            f"did you mean {job.resource.rsplit(':', 1)[0]}:{hint}?"
            if hint
            else "see the SageMaker API reference for the operation's name",
        )
        return
    if api is not None:
        # The request shape names the members the call needs (a superset of the row's), and every other mistake.
        required = shapes.required_parameters(api)
        for found in shapes.check_request(api, job.parameters):
            yield problem((*base, "parameters", *found.path), found.message, found.hint, key=found.key)
    if row is None and not sdk:
        hint = catalog.suggest(job.resource, integrations.table())
        yield problem(
            (*base, "resource"),
            f"asl-gen knows no integration {job.resource!r}",
            f"did you mean {hint!r}?"
            if hint
            else "use one of docs/reference/integrations.md, or aws-sdk:<service>:<apiName> for any AWS SDK call",
        )
        return
    if row is None:
        if job.resources is None:
            yield problem(
                (*base, "resource"),
                f"asl-gen has no IAM row for {job.resource}, so it cannot tell which resources the call acts on",
                "list the ARNs it acts on under resources, e.g. resources: [arn:aws:s3:::bucket/prefix/*]; "
                "asl-gen grants them as written",
            )
        supported = ("request-response", "callback")
    else:
        if job.resources is not None:
            yield problem(
                (*base, "resources"),
                f"asl-gen derives the permissions of {job.resource} from its parameters; resources is only for "
                "aws-sdk calls it has no row for",
                "remove resources",
            )
        supported = tuple(name for name, suffix in CALL_PATTERNS.items() if suffix in row.patterns)
    missing = shapes.left_out(required, job.parameters)
    if missing:
        yield problem(at_parameters, *shapes.missing_message(job.resource, "parameter", missing, " under parameters"))
    if job.pattern not in supported:
        yield problem(
            (*base, "pattern"),
            f"{job.resource} does not support the {job.pattern} pattern",
            "supported: " + ", ".join(supported),
        )
    if job.pattern == "callback" and TASK_TOKEN not in [v for _, v in dynamic_values(job.parameters)]:
        yield problem(
            at_parameters,
            "a callback call must hand the task token to whoever answers it",
            f"add a parameter such as TaskToken.$: {TASK_TOKEN}",
        )
    for name in call_inputs(job):
        if name not in spec.inputs:
            yield problem(
                at_parameters,
                f"the call reads input {name!r}, which is not declared",
                f"add it under inputs: {{{name}: string}}",
            )
    partition = spec.aws.resolved_partition
    if job.credentials is not None:
        role = ROLE_ARN.fullmatch(job.credentials)
        # With the partition open, an ARN the user writes out is theirs to keep; only a known partition can clash.
        if role and partition is not None and role.group(1) != partition:
            yield problem(
                (*base, "credentials"),
                f"the role is in partition {role.group(1)!r}, the state machine in {partition!r}",
                f"use arn:{partition}:iam::...",
            )
    for index, arn in enumerate(job.resources or ()):
        if partition is not None and arn.split(":", 2)[1] != partition:
            yield problem(
                (*base, "resources", index),
                f"{arn!r} is in partition {arn.split(':', 2)[1]!r}, the state machine in {partition!r}",
                f"use arn:{partition}:...",
            )


def _check_step_sources(
    spec: Spec,
    machine_key: str,
    step: str,
    earlier: Mapping[str, int],
    path: Path,
    problem: Report,
) -> Iterator[Problem]:
    """A step may use a job that ran earlier in the same machine; otherwise that job's name must be knowable."""
    job = spec.jobs[step]
    refs = references_of(job)
    for ref in refs:
        target = spec.jobs.get(ref)
        if not isinstance(target, NamedStep) or ref in earlier:
            continue
        if isinstance(target, TuningJob):
            continue  # _check_tuning_sources
        lookup = lookup_state_name(ref, target)
        # With `retry: sagemaker`, the lookup's own retry states are named after it.
        retrying = retries_transient(job, spec.state_machines[machine_key])
        longest = max((lookup, *transient_state_names(lookup)) if retrying else (lookup,), key=len)
        if isinstance(job, ModelJob | ModelPackageJob) and len(longest) > STATE_NAME_MAX:
            yield problem(
                path,
                f"the state that looks up training job {ref!r} would be named {lookup!r}"
                + (f", and a state of its retries {longest!r}" if longest != lookup else "")
                + f", {len(longest)} characters; state names stop at {STATE_NAME_MAX}",
                f"give job {ref!r} a state_name of at most "
                f"{STATE_NAME_MAX - len(longest) + len(lookup) - len(LOOKUP_PREFIX)} characters",
            )
        name = target.name or default_name(spec.project, ref)
        if name.prefix is not None:
            yield problem(
                path,
                f"step {step!r} needs job {ref!r}, which does not run before it in state machine "
                f"{machine_key!r}, and {ref!r} gets a new name in every execution",
                f"run {ref!r} earlier in this state machine, or name it from an input "
                f"(name: {{input: ...}}) or a literal",
            )


def _no_such_job(spec: Spec, at: Path, name: str, problem: Report) -> Problem:
    hint = catalog.suggest(name, spec.jobs)
    return problem(at, f"no job named {name!r}", f"did you mean {hint!r}?" if hint else "define it under jobs")


def _check_data(spec: Spec, key: str, job: Job, problem: Report) -> Iterator[Problem]:
    """Each processing output a job reads exists; each execution input it reads is declared as a string."""
    base: Path = ("jobs", key)
    for path, source, output in data_references(job):
        source_job = spec.jobs.get(source)
        if source_job is None:
            yield _no_such_job(spec, (*base, *path, "from"), source, problem)
        elif not isinstance(source_job, ProcessingJob):
            yield problem(
                (*base, *path, "from"),
                f"job {source!r} is of type {source_job.type}, not processing",
                "only a processing step's outputs can be read by name; write an S3 URI for other data",
            )
        elif output not in source_job.outputs:
            hint = catalog.suggest(output, source_job.outputs)
            listed = ", ".join(repr(o) for o in source_job.outputs) or "none"
            yield problem(
                (*base, *path, "output"),
                f"processing step {source!r} has no output named {output!r}",
                f"did you mean {hint!r}?" if hint else f"its outputs: {listed}",
            )
    for path, source in model_references(job):
        source_job = spec.jobs.get(source)
        if source_job is None:
            yield _no_such_job(spec, (*base, *path, "from"), source, problem)
        elif isinstance(source_job, ProcessingJob):
            listed = ", ".join(repr(o) for o in source_job.outputs) or "none"
            yield problem(
                (*base, *path),
                f"{{from: {source}}} names processing step {source!r} without an output",
                f"add output: one of its outputs ({listed})",
            )
        elif not isinstance(source_job, TrainingJob | TuningJob):
            yield problem(
                (*base, *path, "from"),
                f"job {source!r} is of type {source_job.type}, not training, tuning or processing",
                "{from: <step>} alone reads the model artifacts of a training or tuning step; a processing step's "
                "output is named with output: too",
            )
    for path, location in data_locations(job):
        name = location.input
        if name is None:
            continue
        declared = spec.inputs.get(name)
        if declared != "string":
            yield problem(
                (*base, *path, "input"),
                f"input {name!r} is " + ("not declared" if declared is None else f"declared {declared}, not string"),
                f"declare it under inputs: {{{name}: string}}, an S3 URI",
            )


def _ran_before(spec: Spec, steps: list[str], done: set[str], depth: int = 0) -> Iterator[tuple[str, set[str]]]:
    """Each step of a list (and of the branches and Map bodies in it) with the jobs that have ended before it
    starts: a branch or a Map body sees what ran before its Parallel or Map, and the steps before it inside."""
    for step in steps:
        job = spec.jobs.get(step)
        if job is None:
            continue
        yield step, set(done)
        finished: set[str] = set()
        if depth < 10:
            for inner in nested_steps(job):
                seen = set(done)
                yield from _ran_before(spec, inner, seen, depth + 1)
                finished |= seen
        done |= finished
        done.add(step)


def _check_model_data_order(spec: Spec, machine_key: str, machine: StateMachine, problem: Report) -> Iterator[Problem]:
    """Model artifacts read as data come from the training (or tuning) step's result: that step must have run
    before, in reach of the reader's state (a branch sees what ran before its Parallel; a Map body only its item)."""
    for step, done, inside in _in_reach(spec, list(machine.steps)):
        for path, source in model_references(spec.jobs[step]):
            if isinstance(spec.jobs.get(source), TrainingJob | TuningJob) and source not in done:
                where = f" (inside map {inside!r}, whose steps see only their item)" if inside else ""
                yield problem(
                    ("jobs", step, *path, "from"),
                    f"step {step!r} reads the model artifacts of {source!r}, which does not run before it in "
                    f"state machine {machine_key!r}{where}",
                    f"run {source!r} before {step!r} in state machine {machine_key!r}, outside any map: the "
                    "artifacts' location is known only from its result",
                )


def _check_data_order(spec: Spec, machine_key: str, machine: StateMachine, problem: Report) -> Iterator[Problem]:
    """A processing output is read only after its step ran, earlier in the same state machine."""
    runs = {k for scope in scopes(spec, machine.steps) for k in scope}
    for step, before in _ran_before(spec, list(machine.steps), set()):
        told: set[str] = set()
        for path, source, output in data_references(spec.jobs[step]):
            if not isinstance(spec.jobs.get(source), ProcessingJob) or source in before or source in told:
                continue
            # Once per step and processing step: the fix is the same for each of its outputs read.
            told.add(source)
            where = "does not run before it" if source in runs else "does not run"
            yield problem(
                ("jobs", step, *path, "from"),
                f"step {step!r} reads output {output!r} of processing step {source!r}, which {where} in state "
                f"machine {machine_key!r}",
                f"run {source!r} before {step!r} in state machine {machine_key!r}"
                if source in runs
                else f"add {source!r} to state machine {machine_key!r} before {step!r}",
            )
