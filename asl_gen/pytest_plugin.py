"""The `simulate` pytest fixture: run a generated state machine on mocked tasks inside a test.

    def test_happy_path(simulate):
        result = simulate("pipeline", input={...}, mocks="examples/big-mart/mocks.yaml", case="HappyPath")
        assert result.status == "SUCCEEDED"

Registered through the `pytest11` entry point, so installing asl-gen is enough.

Imports: config, errors, loader, simulate
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    # pytest loads this module in every run of every project that installs asl-gen: import the simulator lazily.
    from asl_gen.simulate import SimulationResult

Simulate = Callable[..., "SimulationResult"]


def _out_dir(root: Path) -> Path:
    from asl_gen.config import load_settings

    return load_settings(root).out


INPUT_SUFFIXES = (".json", ".yaml", ".yml")


def _execution_input(value: Any, root: Path) -> tuple[Any, str]:
    """`input=`: a `pathlib.Path` or a file name ending in .json/.yaml/.yml is a file to read, as the CLI's --input;
    anything else is the execution input itself. Returns the input and what to call it in messages."""
    if not isinstance(value, (str, Path)) or (isinstance(value, str) and not value.endswith(INPUT_SUFFIXES)):
        return ({} if value is None else value), "input"
    from asl_gen.errors import Problem, UsageError
    from asl_gen.loader import load_file

    path = root / value
    if not path.is_file():
        raise UsageError(
            Problem(
                f"input={str(value)!r}: no such file",
                file=str(path),
                hint="input= takes the execution input as data (a dict), or a JSON/YAML file as a pathlib.Path or a "
                "name ending in .json, .yaml or .yml, relative to pytest's root folder",
            )
        )
    return load_file(path, str(value)).data, str(value)


@pytest.fixture
def simulate(request: pytest.FixtureRequest) -> Simulate:
    """A function `simulate(machine, input=None, *, mocks=None, case=None, seed=0, out=None, execution_name=...)`.

    `machine` is a state machine key found in the project's out/ (`pipeline`, `big-mart/pipeline`), a path to
    an `.asl.json` file, or a definition as a dict. `input` is the execution input as data, or a JSON/YAML file
    (a `pathlib.Path`, or a name ending in .json, .yaml or .yml). Relative paths (machine, input, mocks, out) are
    taken from the pytest root directory. A generated machine's input is checked against the input schema
    `asl-gen build` wrote beside it (out/<project>/inputs/<key>.schema.json): a missing field or a wrong type
    raises `asl_gen.errors.UsageError` before anything runs. `execution_name` is the run's `$$.Execution.Name`
    (default `simulation`). Returns a `SimulationResult`.
    """
    from asl_gen.simulate import check_input, find_machine, simulate_definition

    root = Path(request.config.rootpath)

    def run(
        machine: str | Path | dict[str, Any],
        input: Any = None,
        *,
        mocks: Mapping[str, Any] | str | Path | None = None,
        case: str | None = None,
        seed: int = 0,
        out: str | Path | None = None,
        execution_name: str = "simulation",
    ) -> SimulationResult:
        definition: dict[str, Any] | Path
        name: str | None = None
        if isinstance(machine, dict):
            definition = machine
        elif isinstance(machine, Path) or machine.endswith((".json", ".yaml", ".yml")) or "\\" in machine:
            definition = root / machine
        else:
            definition = find_machine(machine, root / out if out is not None else _out_dir(root))
            # A project's machine is named <project>-<key> when deployed; mock configs use that name.
            name = f"{definition.parent.name}-{definition.name.removesuffix('.asl.json')}"
        execution_input, input_source = _execution_input(input, root)
        if isinstance(definition, Path):
            schema_file = _input_schema_file(definition)
            if schema_file is not None:
                schema = json.loads(schema_file.read_text(encoding="utf-8"))
                check_input(execution_input, schema, str(schema_file), input_source=input_source)
        mock_source = root / mocks if isinstance(mocks, (str, Path)) else mocks
        return simulate_definition(
            definition,
            execution_input,
            mocks=mock_source,
            case=case,
            machine_name=name,
            seed=seed,
            execution_name=execution_name,
        )

    return run


def _input_schema_file(definition: Path) -> Path | None:
    """The input schema `asl-gen build` writes beside a generated definition: out/<project>/inputs/<key>.schema.json."""
    key = definition.name.removesuffix(".asl.json")
    candidate = definition.parent / "inputs" / f"{key}.schema.json"
    return candidate if definition.name.endswith(".asl.json") and candidate.is_file() else None
