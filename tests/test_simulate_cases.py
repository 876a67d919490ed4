"""Case folders under tests/simulate/: a machine, a mock config, and hand-written expectations per test case."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from asl_gen.simulate import simulate_definition

CASES = Path(__file__).parent / "simulate"


def _cases() -> list[Any]:
    found = []
    for folder in sorted(p for p in CASES.iterdir() if p.is_dir()):
        for expected in yaml.safe_load((folder / "cases.yaml").read_text(encoding="utf-8")):
            found.append(pytest.param(folder, expected, id=f"{folder.name}-{expected['case']}"))
    return found


@pytest.mark.parametrize(("folder", "expected"), _cases())
def test_case(folder: Path, expected: dict[str, Any]) -> None:
    if folder.name.startswith("jsonata"):
        pytest.importorskip("jsonata")
    result = simulate_definition(
        folder / "machine.asl.json", expected["input"], mocks=folder / "mocks.yaml", case=expected["case"]
    )
    assert result.status == expected["status"], (result.error, result.cause)
    assert result.path == expected["path"]
    for field in ("output", "error", "cause", "elapsed_seconds"):
        if field in expected:
            assert getattr(result, field) == expected[field], field


def test_every_case_folder_is_complete() -> None:
    folders = [p for p in CASES.iterdir() if p.is_dir()]
    assert len(folders) >= 4
    for folder in folders:
        assert {"machine.asl.json", "mocks.yaml", "cases.yaml"} <= {p.name for p in folder.iterdir()}
