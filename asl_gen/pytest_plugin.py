"""The `simulate` pytest fixture: run a generated state machine on mocked tasks inside a test.

    def test_happy_path(simulate):
        result = simulate("pipeline", input={...}, mocks="examples/big-mart/mocks.yaml", case="HappyPath")
        assert result.status == "SUCCEEDED"

Registered through the `pytest11` entry point, so installing asl-gen is enough.

Imports: config, simulate
"""

from __future__ import annotations

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


@pytest.fixture
def simulate(request: pytest.FixtureRequest) -> Simulate:
    """A function `simulate(machine, input=None, *, mocks=None, case=None, seed=0, out=None)`.

    `machine` is a state machine key found in the project's out/ (`pipeline`, `big-mart/pipeline`), a path to
    an `.asl.json` file, or a definition as a dict. Relative paths (machine, mocks, out) are taken from the
    pytest root directory. Returns a `SimulationResult`.
    """
    from asl_gen.simulate import find_machine, simulate_definition

    root = Path(request.config.rootpath)

    def run(
        machine: str | Path | dict[str, Any],
        input: Any = None,
        *,
        mocks: Mapping[str, Any] | str | Path | None = None,
        case: str | None = None,
        seed: int = 0,
        out: str | Path | None = None,
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
        mock_source = root / mocks if isinstance(mocks, (str, Path)) else mocks
        return simulate_definition(definition, input, mocks=mock_source, case=case, machine_name=name, seed=seed)

    return run
