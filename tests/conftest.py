from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "big-mart" / "spec.yaml"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite tests/cases/*/expected from the current output (review the diff before committing).",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def _simulate_plugin_installed() -> bool:
    from importlib.metadata import entry_points

    return any(ep.value == "asl_gen.pytest_plugin" for ep in entry_points(group="pytest11"))


if not _simulate_plugin_installed():
    # An install made before the pytest11 entry point existed (an old editable install) still gets the fixture.
    from asl_gen.pytest_plugin import simulate as simulate
