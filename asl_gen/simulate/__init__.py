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

from asl_gen.errors import Problem, UsageError
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
) -> SimulationResult:
    """Run a definition (data, JSON text or a file) on `input` with mocked tasks; nothing sleeps, nothing calls AWS.

    `mocks` is a Step Functions Local mock config (then `case` picks the test case and `machine_name` the
    machine) or a mapping `{state: {"0": {"Return": ...}}}`. Runtime errors of the machine are part of the
    result (status FAILED); a task without a mock or a malformed mock file raises `UsageError`.
    """
    data, file_name = _load_definition(definition)
    name = machine_name or file_name or "simulated"
    mock_set = load_mocks(mocks, case=case, machine_name=name)
    return Interpreter(data, mock_set, seed=seed, machine_name=name).run({} if input is None else input)


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
