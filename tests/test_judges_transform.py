"""The external judges on the golden cases of transform steps and endpoint config extras: our validator, moto's
parser, statelint and asl-validator accept every definition; parliament and cfn-lint judge the policies (see
tests/test_policy_judges.py, which takes every case's iam/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from asl_gen.lint import validate_definition

from . import test_judges as judges

CASES = Path(__file__).parent / "cases"
DEFINITIONS = sorted(
    p.relative_to(CASES).as_posix()
    for case in ("transform", "endpoint-extras")
    for p in (CASES / case / "expected").glob("*.asl.json")
)


def test_the_cases_have_definitions() -> None:
    assert len(DEFINITIONS) == 3, DEFINITIONS


@pytest.mark.parametrize("path", DEFINITIONS)
def test_our_validator_and_moto_accept_definition(path: str) -> None:
    text = (CASES / path).read_text(encoding="utf-8")
    assert validate_definition(json.loads(text), source=path) == []
    judges._moto_validate(text)


@pytest.mark.parametrize("path", DEFINITIONS)
def test_statelint_and_asl_validator_accept_definition(path: str, tmp_path: Path) -> None:
    file = judges._write(tmp_path, "definition.asl.json", (CASES / path).read_text(encoding="utf-8"))
    run = judges._run([judges._tool("statelint"), str(file)])
    assert (run.returncode, run.output) == (0, ""), run.output
    run = judges._run([judges._asl_validator(), "--json-path", str(file)])
    assert run.returncode == 0, run.output
