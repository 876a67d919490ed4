"""Data flow between steps (tests/cases/dataflow): what a reference resolves to in the definitions, the grants it
gives each role, the JSON Schema of the forms, and the judges on the definitions."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest

from asl_gen import jsonata
from asl_gen.build import Generated, generate
from asl_gen.lint import validate_definition

from .test_judges import _asl_validator, _moto_validate, _run, _tool

CASE = Path(__file__).parent / "cases" / "dataflow" / "spec.yaml"
MACHINES = ("pipeline", "gate-jsonata")


@functools.cache
def _generated() -> Generated:
    return generate(CASE)


def _document(path: str) -> Any:
    return json.loads(_generated().files[path])


def _statements(role: str) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in _document(f"iam/{role}-policy.json")["Statement"]}


def test_processing_outputs_are_the_literal_uris_of_the_outputs_they_name() -> None:
    states = _document("pipeline.asl.json")["States"]
    channels = states["train"]["Parameters"]["InputDataConfig"]
    assert [(c["ChannelName"], c["DataSource"]["S3DataSource"]["S3Uri"]) for c in channels] == [
        ("train", "s3://dataflow-data/splits/train"),
        ("validation", "s3://dataflow-data/splits/validation"),
    ]
    test_input = states["evaluate"]["Parameters"]["ProcessingInputs"][-1]
    assert (test_input["InputName"], test_input["S3Input"]["S3Uri"]) == ("test", "s3://dataflow-data/splits/test")


def test_model_data_from_the_execution_input_is_a_path_and_in_the_input_schema() -> None:
    container = _document("pipeline.asl.json")["States"]["model"]["Parameters"]["PrimaryContainer"]
    assert container["ModelDataUrl.$"] == "$$.Execution.Input.ModelData"
    schema = _document("inputs/pipeline.schema.json")
    assert schema["required"] == ["ModelData"]
    assert schema["properties"]["ModelData"]["type"] == "string"


def test_the_report_gate_reads_exactly_its_object() -> None:
    gate = _document("pipeline.asl.json")["States"]["MSE Good Enough"]
    assert gate["Resource"] == "arn:aws:states:::aws-sdk:s3:getObject"
    assert gate["Parameters"] == {"Bucket": "dataflow-data", "Key": "evaluation/evaluation.json"}
    assert gate["ResultSelector"] == {"Report.$": "States.StringToJson($.Body)"}
    jsonata_gate = _document("gate-jsonata.asl.json")["States"]["check-again"]
    assert jsonata_gate["Arguments"] == {"Bucket": "dataflow-data", "Key": "evaluation/reports/summary.json"}
    assert "$parse($states.result.Body)" in jsonata_gate["Output"]
    read = _statements("stepfunctions")["S3GetObject"]
    assert (read["Action"], read["Resource"]) == (
        ["s3:GetObject"],
        [
            "arn:aws:s3:::dataflow-data/evaluation/evaluation.json",
            "arn:aws:s3:::dataflow-data/evaluation/reports/summary.json",
        ],
    )
    # The gate reads the report itself: nothing else of S3 for the Step Functions role.
    other = [s for s in _statements("stepfunctions").values() if any(a.startswith("s3:") for a in s["Action"])]
    assert other == [read]


def test_the_sagemaker_role_reads_what_the_references_name_and_the_declared_reads_only() -> None:
    reads = _statements("sagemaker")["ReadData"]["Resource"]
    assert "arn:aws:s3:::dataflow-data/splits/train*" in reads
    assert "arn:aws:s3:::dataflow-data/splits/test*" in reads
    # The model data from the execution input is granted by roles.sagemaker.reads, as written there.
    assert "arn:aws:s3:::dataflow-models/approved/*" in reads
    assert not [r for r in reads if "evaluation" in r]


def test_the_jsonata_gate_checks_for_a_number() -> None:
    rule = {"Not": {"Variable": "$.g.Report.a", "IsNumeric": True}}
    assert jsonata.condition(rule) == '$not(($type($states.input.g.Report.a) = "number"))'


def test_the_schema_offers_each_form_of_a_location() -> None:
    schema = json.loads((Path(__file__).parent.parent / "schemas" / "spec.schema.json").read_text())
    forms = schema["$defs"]["S3Location"]["anyOf"]
    assert [f.get("type") for f in forms] == ["string", "object", "object", "object"]
    assert [sorted(f.get("required", [])) for f in forms] == [[], ["from", "output"], ["from"], ["input"]]


@pytest.mark.parametrize("machine", MACHINES)
def test_our_validator_finds_nothing(machine: str) -> None:
    assert validate_definition(_document(f"{machine}.asl.json")) == []


@pytest.mark.parametrize("machine", MACHINES)
def test_statelint_accepts_the_definition(machine: str, tmp_path: Path) -> None:
    path = tmp_path / f"{machine}.asl.json"
    path.write_text(_generated().files[f"{machine}.asl.json"], encoding="utf-8")
    run = _run([_tool("statelint"), str(path)])
    assert (run.returncode, run.output) == (0, ""), run.output


@pytest.mark.parametrize("machine", MACHINES)
def test_asl_validator_accepts_the_definition(machine: str, tmp_path: Path) -> None:
    path = tmp_path / f"{machine}.asl.json"
    path.write_text(_generated().files[f"{machine}.asl.json"], encoding="utf-8")
    run = _run([_asl_validator(), "--json-path", str(path)])
    assert run.returncode == 0, run.output


@pytest.mark.parametrize("machine", MACHINES)
def test_moto_accepts_the_definition(machine: str) -> None:
    _moto_validate(_generated().files[f"{machine}.asl.json"])
