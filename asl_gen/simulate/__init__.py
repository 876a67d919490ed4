"""Simulate a state machine offline: mocked tasks, a virtual clock, the data flow Step Functions would apply.

    from asl_gen.simulate import simulate_definition, SimulationResult
    result = simulate_definition(Path("out/big-mart/pipeline.asl.json"), {"TrainingJobName": "t"}, mocks=...)

This module is the public API only. Inside the package: `interpreter` (transitions, state types, Retry/Catch),
`fields` (evaluating a state's fields), `choice` (rule operators), `map_state` (a Map's fields), `jsonpath`,
`intrinsics`, `jsonata_runtime` (the optional jsonata-python), `mocks`, `clock`, `errors` and `result`; they import
one another directly, never this module.

Imports: errors, loader, lint
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from asl_gen.errors import Problem, UsageError, pointer_of
from asl_gen.simulate.errors import StatesError
from asl_gen.simulate.interpreter import Interpreter
from asl_gen.simulate.mocks import MockSet, load_mocks
from asl_gen.simulate.result import Call, SimulationResult, Step

__all__ = [
    "Call",
    "MockSet",
    "SimulationResult",
    "StatesError",
    "Step",
    "check_input",
    "find_machine",
    "load_mocks",
    "simulate_definition",
]

_SUFFIXES = (".asl.json", ".asl.yaml", ".asl.yml", ".json", ".yaml", ".yml")


def _load_definition(definition: dict[str, Any] | str | Path) -> tuple[dict[str, Any], str | None]:
    """The definition as data, and the machine name its file name gives (None for data and JSON text)."""
    if isinstance(definition, dict):
        return definition, None
    if isinstance(definition, str) and definition.lstrip().startswith("{"):
        try:
            data = json.loads(definition)
        except json.JSONDecodeError as exc:
            raise UsageError(
                Problem(f"the definition is not JSON: {exc.msg}", line=exc.lineno, column=exc.colno)
            ) from None
        return data, None
    from asl_gen.loader import load_document

    path = Path(definition)
    located = load_document(path)
    if not isinstance(located.data, dict):
        raise UsageError(Problem("a state machine definition must be an object", file=located.file))
    name = path.name
    for suffix in _SUFFIXES:
        name = name.removesuffix(suffix)
    return located.data, name


def simulate_definition(
    definition: dict[str, Any] | str | Path,
    input: Any = None,
    *,
    mocks: Mapping[str, Any] | str | Path | None = None,
    case: str | None = None,
    machine_name: str | None = None,
    seed: int = 0,
    input_schema: Mapping[str, Any] | None = None,
    schema_source: str | None = None,
    execution_name: str = "simulation",
) -> SimulationResult:
    """Run a definition (data, JSON text or a file) on `input` with mocked tasks; nothing sleeps, nothing calls AWS.

    `mocks` is a Step Functions Local mock config (then `case` picks the test case and `machine_name` the
    machine) or a mapping `{state: {"0": {"Return": ...}}}`. Runtime errors of the machine are part of the
    result (status FAILED); a task without a mock or a malformed mock file raises `UsageError`. With
    `input_schema` (the machine's execution input schema, `schema_source` saying where it is from), an input that
    breaks it raises `UsageError` before anything runs. `execution_name` is the run's `$$.Execution.Name`.
    """
    data, file_name = _load_definition(definition)
    if input_schema is not None:
        check_input({} if input is None else input, input_schema, schema_source or "the machine's input schema")
    name = machine_name or file_name or "simulated"
    mock_set = load_mocks(mocks, case=case, machine_name=name)
    interpreter = Interpreter(data, mock_set, seed=seed, machine_name=name, execution_name=execution_name)
    return interpreter.run({} if input is None else input)


def find_machine(key: str, out_dir: Path) -> Path:
    """The definition file of a state machine key (`pipeline`, or `big-mart/pipeline`) among out/'s projects."""
    candidates = sorted(out_dir.glob(f"{key}.asl.json" if "/" in key else f"*/{key}.asl.json"))
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        known = sorted(f"{p.parent.name}/{p.name.removesuffix('.asl.json')}" for p in out_dir.glob("*/*.asl.json"))
        raise UsageError(
            Problem(
                f"no state machine {key!r} in {out_dir}",
                hint=("state machines: " + ", ".join(known)) if known else "run `asl-gen build` first",
            )
        )
    raise UsageError(
        Problem(
            f"more than one project in {out_dir} has a state machine {key!r}",
            hint="name the project too: " + ", ".join(f"{p.parent.name}/{key}" for p in candidates),
        )
    )


def check_input(value: Any, schema: Mapping[str, Any], schema_source: str, *, input_source: str = "input") -> None:
    """Raise `UsageError` naming each field of `value` that breaks the machine's input schema, and the schema."""
    from jsonschema import Draft202012Validator

    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for error in Draft202012Validator(schema).iter_errors(value):
        if error.validator == "additionalProperties":
            # Step Functions passes extra fields along, and one input often serves all of a project's machines.
            continue
        path = [str(part) if not isinstance(part, int) else part for part in error.absolute_path]
        where = pointer_of(path) if path else ""
        instance = error.instance
        if (where, str(error.validator)) in seen and error.validator == "required":
            continue
        seen.add((where, str(error.validator)))
        if error.validator == "required" and isinstance(instance, dict):
            messages = [f"missing required field {name!r}" for name in error.validator_value if name not in instance]
        elif error.validator == "type":
            messages = [f"must be of type {error.validator_value}, not {json.dumps(instance)[:60]}"]
        else:
            messages = [error.message]
        problems += [
            Problem(message, file=input_source, pointer=where, hint=f"see {schema_source}") for message in messages
        ]
    if problems:
        raise UsageError(sorted(problems, key=lambda p: (p.pointer, p.message)))
