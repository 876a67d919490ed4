"""The pipeline end to end: load, plan, render, derive IAM, validate; then write or compare.

This is the public API the CLI calls. Nothing is written unless every document of every spec is valid.

Imports: errors, loader, placeholders, jsonata, spec, plan, render, lint, iam, targets, write, graph
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from asl_gen import iam, placeholders, targets
from asl_gen.errors import AslGenError, Problem, SpecError, StaleOutput, ValidationFailure, pointer_of
from asl_gen.jsonata import translate_state
from asl_gen.lint import Finding, validate_definition, validate_policy
from asl_gen.loader import Located
from asl_gen.plan import MachinePlan, MapState, ParallelState, ProjectPlan, RawState, StatePlan, TaskState, plan_project
from asl_gen.render import Renderer, dump_file
from asl_gen.spec import AslJob, load_spec, retries_transient, scopes, spec_warnings, step_state_names
from asl_gen.write import Difference, WriteResult, compare_project, write_projects

STEPFUNCTIONS_POLICY = "iam/stepfunctions-policy.json"
STEPFUNCTIONS_TRUST = "iam/stepfunctions-trust-policy.json"
SAGEMAKER_POLICY = "iam/sagemaker-policy.json"
SAGEMAKER_TRUST = "iam/sagemaker-trust-policy.json"
POLICY_NOTES = "iam/POLICIES.md"
ROLE_FILES = targets.RoleFiles(
    trust=STEPFUNCTIONS_TRUST,
    policy=STEPFUNCTIONS_POLICY,
    sagemaker_policy=SAGEMAKER_POLICY,
    sagemaker_trust=SAGEMAKER_TRUST,
)


@dataclass(frozen=True)
class Generated:
    """Everything one spec produces: file path (relative to `out/<project>/`) → exact text.

    `warnings` are findings that do not stop the build (a job no state machine runs), located in the spec.
    """

    project: str
    spec_file: str
    files: Mapping[str, str]
    warnings: tuple[Problem, ...] = ()


def generate(
    spec_path: Path,
    *,
    templates: Path | None = None,
    display: str | None = None,
    target: Sequence[str] | None = None,
) -> Generated:
    """Run the pipeline for one spec in memory; raise on the first stage that finds problems.

    `target` replaces the spec's `targets` (an empty sequence: none) when given.
    """
    spec, located = load_spec(spec_path, display)
    warnings = tuple(spec_warnings(spec, located))
    plan = plan_project(spec)
    renderer = Renderer(templates)
    documents: dict[str, Any] = {}
    definitions: dict[str, Any] = {}
    for machine in plan.machines:
        definition = _render_machine(renderer, machine)
        definitions[f"{machine.key}.asl.json"] = definition
        documents[f"{machine.key}.asl.json"] = definition
        documents[f"inputs/{machine.key}.schema.json"] = renderer.render_json(
            "input-schema.json.j2", {"machine": machine}
        )
    _check_express(plan, definitions, located)
    _check_raw_states(plan, definitions, located)
    policies, statements = _render_iam(renderer, plan, definitions)
    if not statements[STEPFUNCTIONS_POLICY]:
        # Only raw states (Wait, Pass, Choice) can call nothing; IAM refuses a policy without statements.
        line, column = located.position(("state_machines",)) or (None, None)
        raise SpecError(
            Problem(
                "no state machine of the project calls an AWS service, so the Step Functions role would get a "
                "policy without statements, which IAM refuses",
                file=located.file,
                line=line,
                column=column,
                pointer="state_machines",
                hint="add a step that calls a service, or put these states in a project that has one",
            )
        )
    documents.update(policies)
    documents.update(
        targets.documents_for(
            targets.chosen(spec.targets, target), plan, definitions, policies, renderer.render_json, ROLE_FILES
        )
    )
    _validate(documents, located.file, statements, _step_locator(plan, located))
    files = {path: dump_file(path, doc) for path, doc in documents.items()}
    files[POLICY_NOTES] = _policy_notes(spec.project, statements)
    if spec.diagrams:
        # Markdown is text, not a JSON document: it is drawn from the validated definitions and written as is.
        from asl_gen.graph import markdown

        for machine in plan.machines:
            files[f"{machine.key}.md"] = markdown(
                definitions[f"{machine.key}.asl.json"], machine.name, f"{machine.key}.asl.json"
            )
    return Generated(spec.project, located.file, dict(sorted(files.items())), warnings)


# Stand for "state machine 'a'" / "state machines 'a' and 'b'" and its verb until the machines are known.
_MACHINES = "\x00machines\x00"
_ARE = "\x00are\x00"


# What raw states can do to the states around them: point at names that are not there, cut states off, end a
# scope nowhere or twice. Any other finding in a generated state is the generated state's own.
_RAW_GRAPH_RULES = frozenset(
    {
        "unknown-next-state",
        "unreachable-state",
        "no-terminal-state",
        "duplicate-state-name",
        "transition-across-scope",
        "next-or-end",
    }
)


def _check_raw_states(plan: ProjectPlan, definitions: Mapping[str, Any], located: Located) -> None:
    """A machine with raw ASL steps that the validator refuses is the user's ASL: a spec error at those steps.

    Only the user's states can make such a machine invalid (a Next to a state that does not exist, a field a
    state type does not take, an End before the next step). A finding inside a raw state is reported at that
    field of the spec. Generated states cut off by the raw ASL are one mistake, reported once, at the End or
    Succeed that cut them off when there is one such state.
    """
    # The same mistake in several machines (a raw step two machines run) is one finding naming each of them.
    machines_of: dict[tuple[tuple[str | int, ...], str, str | None], list[str]] = {}
    for machine in plan.machines:
        raw: dict[str, AslJob] = {}
        for key in _steps_of(plan, machine.key):
            job = plan.spec.jobs.get(key)
            if isinstance(job, AslJob):
                raw[key] = job
        if not raw:
            continue
        definition = definitions[f"{machine.key}.asl.json"]
        spec_paths = _raw_spec_paths(definition, raw, located)
        where: tuple[str | int, ...] = ("jobs", next(iter(raw)), "states")
        steps = f"step{'s' if len(raw) > 1 else ''} {', '.join(repr(k) for k in raw)}"
        found: list[tuple[tuple[str | int, ...], str, str | None]] = []
        cut_off: list[str] = []
        for finding in validate_definition(placeholders.fill(definition, placeholders.sample_values(definition))):
            known = _longest_prefix(finding.pointer, spec_paths)
            if known is not None:
                message = f"{_MACHINES} {_ARE} not valid with this ASL: {finding.message}"
                found.append((spec_paths[known], message, finding.hint))
            elif isinstance(finding, Finding) and finding.rule == "unreachable-state":
                cut_off.append(finding.pointer)
            elif not (isinstance(finding, Finding) and finding.rule in _RAW_GRAPH_RULES):
                # A finding in a generated state that is not about the states' graph is not the raw ASL's doing:
                # the check of the whole definition below reports it at the step that generated that state.
                continue
            else:
                message = f"with the ASL of {steps}, {_MACHINES} {_ARE} not valid: {finding.pointer}: "
                found.append((where, message + finding.message, finding.hint))
        if cut_off and not found:
            found.append(_cut_off_problem(definition, cut_off, raw, where, steps))
        for entry in found:
            machines_of.setdefault(entry, []).append(machine.key)
    problems: list[Problem] = []
    for (path, message, hint), keys in machines_of.items():
        named = " and ".join(repr(k) for k in keys)
        machines, are = (f"state machine {named}", "is") if len(keys) == 1 else (f"state machines {named}", "are")
        # A mapping's own mark is where its first field starts; its key is where the reader looks.
        mapping = isinstance(_spec_value(located.data, path), dict)
        line, column = located.position(path, key=mapping) or (None, None)
        pointer = ".".join(str(part) for part in path)
        problems.append(
            Problem(message.replace(_MACHINES, machines).replace(_ARE, are), located.file, line, column, pointer, hint)
        )
    if problems:
        raise SpecError(sorted(problems, key=lambda p: (p.line or 0, p.column or 0, p.message)))


def _cut_off_problem(
    definition: Any, pointers: list[str], raw: Mapping[str, AslJob], where: tuple[str | int, ...], steps: str
) -> tuple[tuple[str | int, ...], str, str]:
    """One finding for every generated state the raw ASL made unreachable, in the order the machine has them."""
    order = {pointer_of(at): name for at, name in _state_paths(definition.get("States"), ("States",))}
    names = [repr(name) for pointer, name in order.items() if pointer in pointers]
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    unreachable = f"{len(names)} generated state{'s' if len(names) > 1 else ''} of {_MACHINES}"
    enders = [
        ("jobs", key, "states", name, "End" if body.get("End") is True else "Type")
        for key, job in raw.items()
        for name, body in job.states.items()
        if isinstance(body, dict) and (body.get("End") is True or body.get("Type") == "Succeed")
    ]
    if len(enders) == 1:
        return (
            enders[0],
            f"state {enders[0][3]!r} ends here and cuts off {unreachable}: {shown}",
            "leave out End, or make it a Pass, so that it goes on to the next step",
        )
    return (
        where,
        f"the ASL of {steps} cuts off {unreachable}: {shown}",
        "leave out both Next and End in the raw state that should go on to the next step",
    )


def _raw_spec_paths(definition: Any, jobs: Mapping[str, Any], located: Located) -> dict[str, tuple[str | int, ...]]:
    """Each place in the definition that a raw step's state put there, by pointer, with its path in the spec."""
    owner = {name: key for key, job in jobs.items() for name in job.states}
    found: dict[str, tuple[str | int, ...]] = {}
    for at, name in _state_paths(definition.get("States"), ("States",)):
        key = owner.get(name)
        if key is None:
            continue
        root = ("jobs", key, "states", name)
        for spec_path in located.marks:
            if spec_path[: len(root)] == root:
                found[pointer_of((*at, *spec_path[len(root) :]))] = spec_path
    return found


def _state_paths(states: Any, at: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every state of a definition with its path, nested branches and Map processors included."""
    if not isinstance(states, dict):
        return
    for name, state in states.items():
        yield (*at, name), name
        if not isinstance(state, dict):
            continue
        for index, branch in enumerate(state.get("Branches") or []):
            if isinstance(branch, dict):
                yield from _state_paths(branch.get("States"), (*at, name, "Branches", index, "States"))
        for field_name in ("ItemProcessor", "Iterator"):
            processor = state.get(field_name)
            if isinstance(processor, dict):
                yield from _state_paths(processor.get("States"), (*at, name, field_name, "States"))


def _spec_value(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _longest_prefix(pointer: str, known: Mapping[str, object]) -> str | None:
    """The longest known pointer that is `pointer` or one of its ancestors."""
    ancestors = [
        candidate
        for candidate in known
        if pointer == candidate or (pointer.startswith(candidate) and pointer[len(candidate)] in ".[")
    ]
    return max(ancestors, key=len, default=None)


def _steps_of(plan: ProjectPlan, machine_key: str) -> list[str]:
    """Every job key a state machine runs, nested steps included."""
    spec = plan.spec
    return [key for scope in scopes(spec, spec.state_machines[machine_key].steps) for key in scope]


# Integration patterns that wait for a job or a token; Express workflows support neither (Step Functions
# developer guide, "Choosing workflow type": Express runs request-response and aws-sdk calls only).
_WAITING_PATTERNS = (".sync", ".sync:2", ".waitForTaskToken")


def _check_express(plan: ProjectPlan, definitions: Mapping[str, Any], located: Located) -> None:
    """An EXPRESS machine may not run a step that waits (`.sync`, callback): say which step, at `type`."""
    problems: list[Problem] = []
    for machine in plan.machines:
        if plan.spec.state_machines[machine.key].type != "EXPRESS":
            continue
        waiting = sorted(
            {
                str(state.get("Resource", "a Distributed Map"))
                for _, state in iam.iter_tasks(definitions[f"{machine.key}.asl.json"])
                if str(state.get("Resource", "")).endswith(_WAITING_PATTERNS) or state.get("Type") == "Map"
            }
        )
        if waiting:
            path = ("state_machines", machine.key, "type")
            line, column = located.position(path) or (None, None)
            problems.append(
                Problem(
                    f"an EXPRESS state machine cannot wait for a job or a callback, but runs {', '.join(waiting)}",
                    file=located.file,
                    line=line,
                    column=column,
                    pointer=".".join(path),
                    hint="use type: STANDARD, or leave out the steps that wait",
                )
            )
    if problems:
        raise SpecError(problems)


def _render_machine(renderer: Renderer, machine: MachinePlan) -> Any:
    jsonata = machine.query_language == "JSONata"
    states = [_state_context(renderer, state, jsonata) for state in machine.states]
    return renderer.render_json(
        "state-machine.asl.json.j2",
        {
            "machine": {
                "name": machine.name,
                "comment": machine.comment,
                "query_language": machine.query_language if jsonata else None,
                "start_at": machine.start_at,
                "states": states,
            }
        },
    )


def _state_context(renderer: Renderer, state: StatePlan, jsonata: bool = False) -> dict[str, Any]:
    """What the state's macro reads: its plan's fields and kind; a Task's Parameters rendered from its template.

    Nested states (Parallel branches, a Map's processor) become contexts too. In a JSONata machine the
    JSONPath-shaped plan is translated field by field (Arguments, Output, Condition, `{% %}` expressions).
    """
    context: dict[str, Any] = {f.name: getattr(state, f.name) for f in fields(state)}
    context["kind"] = state.kind
    context["jsonata"] = jsonata
    if isinstance(state, TaskState):
        del context["template"], context["context"]
        context["parameters"] = renderer.render_json(state.template, state.context)
    elif isinstance(state, ParallelState):
        context["branches"] = [
            {"start_at": branch[0].name, "states": [_state_context(renderer, s, jsonata) for s in branch]}
            for branch in state.branches
        ]
    elif isinstance(state, MapState):
        context["processor"] = {
            "start_at": state.processor[0].name,
            "states": [_state_context(renderer, s, jsonata) for s in state.processor],
        }
    elif isinstance(state, RawState):
        document = dict(state.body)
        if state.linked:
            document.update({"Next": state.next} if state.next is not None else {"End": True})
        context["document"] = document
    if jsonata:
        translate_state(context)
    return context


def _render_iam(
    renderer: Renderer, plan: ProjectPlan, definitions: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, list[iam.Statement]]]:
    """The policy documents, and the statements behind each identity policy (for the notes and the checks)."""
    statements = {
        STEPFUNCTIONS_POLICY: iam.state_machine_statements(
            definitions, plan.target, iam.machine_access(plan), plan.declared_resources
        ),
        SAGEMAKER_POLICY: iam.sagemaker_role_statements(plan),
    }
    documents = {
        path: renderer.render_json("iam/policy.json.j2", {"statements": found}) for path, found in statements.items()
    }
    documents[STEPFUNCTIONS_TRUST] = renderer.render_json(
        "iam/trust-policy.json.j2", {"trust": iam.trust_policy_context(plan)}
    )
    documents[SAGEMAKER_TRUST] = renderer.render_json(
        "iam/trust-policy.json.j2", {"trust": iam.sagemaker_trust_policy_context(plan)}
    )
    if not statements[SAGEMAKER_POLICY]:
        # No job or model runs as the SageMaker role (a project of service calls): no policy to write for it.
        del documents[SAGEMAKER_POLICY], documents[SAGEMAKER_TRUST]
    return documents, statements


def _policy_notes(project: str, statements: Mapping[str, list[iam.Statement]]) -> str:
    roles = [(STEPFUNCTIONS_POLICY, "The Step Functions role: what the state machines call.")]
    if statements[SAGEMAKER_POLICY]:
        roles.append((SAGEMAKER_POLICY, "The SageMaker execution role: what the jobs and models use."))
    return iam.explain(project, [(path, role, statements[path]) for path, role in roles])


_STATE_IN_POINTER = re.compile(r"\.States(?:\.([^.\[]+)|\['((?:[^'\\]|\\.)*)'\])")


def _step_locator(plan: ProjectPlan, located: Located) -> Callable[[str, Problem], Problem]:
    """Where a finding in a generated definition belongs in the spec: at the step whose state it is in."""
    owners: dict[str, dict[str, str]] = {}
    for machine in plan.machines:
        owner = owners.setdefault(f"{machine.key}.asl.json", {})
        spec_machine = plan.spec.state_machines[machine.key]
        for key in _steps_of(plan, machine.key):
            job = plan.spec.jobs[key]
            for name in step_state_names(key, job, retries_transient(job, spec_machine)):
                owner.setdefault(name, key)

    def locate(path: str, problem: Problem) -> Problem:
        names = [a or b.replace("\\'", "'") for a, b in _STATE_IN_POINTER.findall(problem.pointer)]
        key = next((owners.get(path, {}).get(name) for name in reversed(names) if name in owners.get(path, {})), None)
        if key is None:
            return problem
        line, column = located.position(("jobs", key), key=True) or (None, None)
        machine = path.removesuffix(".asl.json")
        return Problem(
            f"the state machine {machine!r} asl-gen makes of this step is not valid: {problem.pointer}: "
            f"{problem.message}",
            located.file,
            line,
            column,
            f"jobs.{key}",
            problem.hint,
        )

    return locate


def _validate(
    documents: Mapping[str, Any],
    spec_file: str,
    statements: Mapping[str, list[iam.Statement]] | None = None,
    locate: Callable[[str, Problem], Problem] | None = None,
) -> None:
    problems: list[Problem] = []
    for path, document in documents.items():
        source = f"{path} (from {spec_file})"
        # Placeholders stand for account, region and partition: check what a deploy would see, not the tokens.
        given, document = document, placeholders.fill(document, placeholders.sample_values(document))
        if path.endswith(".asl.json"):
            found = validate_definition(document, source=source)
            problems.extend(locate(path, p) for p in found) if locate else problems.extend(found)
        elif path.startswith("iam/"):
            # A "*" the generator recorded a reason for (an SMS publish has no topic) is not an oversight.
            justified = [s.sid for s in (statements or {}).get(path, []) if s.unscoped_because]
            problems.extend(validate_policy(document, source=source, justified=justified, catalogue=False))
            if path not in (STEPFUNCTIONS_TRUST, SAGEMAKER_TRUST):
                problems.extend(
                    iam.check_size(placeholders.fill(given, placeholders.sample_values(given, longest=True)), source)
                )
        elif path.startswith((f"{targets.TERRAFORM}/", f"{targets.CLOUDFORMATION}/")):
            continue  # checked together below: they refer to the other documents
        else:
            try:
                Draft202012Validator.check_schema(document)
            except SchemaError as exc:
                problems.append(Problem(f"not a valid JSON Schema: {exc.message}", file=source))
    problems.extend(targets.check_documents(documents, spec_file, ROLE_FILES))
    if problems:
        raise ValidationFailure(problems)


def generate_all(
    spec_paths: Sequence[Path],
    *,
    templates: Path | None = None,
    display: Mapping[Path, str] | None = None,
    target: Sequence[str] | None = None,
    on_warning: Callable[[Problem], None] | None = None,
) -> list[Generated]:
    """Generate every spec, collecting the problems of all of them before raising.

    `on_warning` hears each warning of each spec that generated, even when another spec then fails.
    """
    results: list[Generated] = []
    failures: list[AslGenError] = []
    projects: dict[str, str] = {}
    for path in spec_paths:
        name = (display or {}).get(path)
        try:
            generated = generate(path, templates=templates, display=name, target=target)
        except AslGenError as exc:
            failures.append(exc)
            continue
        for warning in generated.warnings:
            if on_warning is not None:
                on_warning(warning)
        if generated.project in projects:
            failures.append(
                SpecError(
                    Problem(
                        f"project {generated.project!r} is also built by {projects[generated.project]}",
                        file=generated.spec_file,
                        pointer="project",
                        hint="give each spec its own project name",
                    )
                )
            )
            continue
        projects[generated.project] = generated.spec_file
        results.append(generated)
    if failures:
        # The most severe kind decides the exit code; every problem is reported.
        worst = max(failures, key=lambda e: e.exit_code)
        raise type(worst)([p for f in failures for p in f.problems])
    return results


def build(
    spec_paths: Sequence[Path],
    out_dir: Path,
    *,
    templates: Path | None = None,
    display: Mapping[Path, str] | None = None,
    on_wait: Callable[[str], None] | None = None,
    target: Sequence[str] | None = None,
    on_warning: Callable[[Problem], None] | None = None,
) -> dict[str, WriteResult]:
    """Generate every spec, then write them all; nothing is written if any spec fails.

    `on_wait` hears about it when another build holds the output folder and this one waits its turn;
    `on_warning` hears each warning (they do not stop the build).
    """
    generated = generate_all(spec_paths, templates=templates, display=display, target=target, on_warning=on_warning)
    return write_projects(out_dir, {g.project: g.files for g in generated}, on_wait=on_wait)


_STALE_WORDS = {
    "missing": "missing: build would write this file",
    "changed": "out of date: build would write different content",
    "stale": "stale: build no longer produces this file and would remove it",
}


def check(
    spec_paths: Sequence[Path],
    out_dir: Path,
    *,
    templates: Path | None = None,
    display: Mapping[Path, str] | None = None,
    target: Sequence[str] | None = None,
    on_warning: Callable[[Problem], None] | None = None,
) -> dict[str, list[Difference]]:
    """Compare what build would write with `out_dir`; raise `StaleOutput` listing every difference.

    `on_warning` hears each warning, as in `build`.
    """
    generated = generate_all(spec_paths, templates=templates, display=display, target=target, on_warning=on_warning)
    differences = {g.project: compare_project(out_dir, g.project, g.files) for g in generated}
    problems = [
        Problem(_STALE_WORDS[d.kind], file=str(out_dir / project / d.path), hint="run 'asl-gen build'")
        for project, items in differences.items()
        for d in items
    ]
    if problems:
        raise StaleOutput(problems, [d.diff for items in differences.values() for d in items if d.diff])
    return differences
