"""The judges of tests/test_judges.py on the labeling golden case's definition: statelint, asl-validator and moto's
(LocalStack's) ASL parser accept it. Its policies are judged with every golden case's in tests/test_policy_judges.py.
"""

from __future__ import annotations

from pathlib import Path

from .test_judges import _asl_validator, _moto_validate, _run, _tool

DEFINITION = Path(__file__).parent / "cases" / "labeling" / "expected" / "labeling.asl.json"


def test_statelint_accepts_the_labeling_definition() -> None:
    run = _run([_tool("statelint"), str(DEFINITION)])
    assert (run.returncode, run.output) == (0, ""), run.output


def test_asl_validator_accepts_the_labeling_definition() -> None:
    run = _run([_asl_validator(), "--json-path", str(DEFINITION)])
    assert run.returncode == 0, run.output


def test_moto_parser_accepts_the_labeling_definition() -> None:
    _moto_validate(DEFINITION.read_text(encoding="utf-8"))
