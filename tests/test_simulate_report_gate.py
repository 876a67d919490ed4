"""Simulation of the quality gate on a JSON report a processing step wrote (tests/cases/dataflow): the report
is read with s3:getObject (mocked), parsed, and the value at the dotted path decides, in JSONPath and JSONata."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest

from asl_gen.build import generate
from asl_gen.simulate import SimulationResult, simulate_definition

CASE = Path(__file__).parent / "cases" / "dataflow" / "spec.yaml"
GATE = "MSE Good Enough"
OBJECT = {"Bucket": "dataflow-data", "Key": "evaluation/evaluation.json"}


@functools.cache
def _definition(machine: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(generate(CASE).files[f"{machine}.asl.json"])
    return loaded


def _gate_only(machine: str, gate: str, after: str | None) -> dict[str, Any]:
    """The machine from the gate on: the gate's states, the failure handler, and a Succeed for the next step."""
    definition = _definition(machine)
    keep = (gate, "Notify failure", "Failed")
    states = {name: state for name, state in definition["States"].items() if name.startswith(keep)}
    if after is not None:
        states[after] = {"Type": "Succeed"}
    cut: dict[str, Any] = {"StartAt": gate, "States": states}
    if "QueryLanguage" in definition:
        cut["QueryLanguage"] = definition["QueryLanguage"]
    return cut


def _report(document: Any) -> dict[str, Any]:
    """What the aws-sdk getObject call returns: the object's body as text, and its metadata."""
    body = document if isinstance(document, str) else json.dumps(document)
    return {"Body": body, "ContentType": "application/json", "ContentLength": len(body), "ETag": '"e1"'}


def _run(document: Any = None, *, throw: dict[str, str] | None = None) -> SimulationResult:
    response = {"Throw": throw} if throw is not None else {"Return": _report(document)}
    mocks = {GATE: {"0": response}, "Notify failure": {"0": {"Return": {"MessageId": "m-1"}}}}
    return simulate_definition(_gate_only("pipeline", GATE, "model"), {"train": {}}, mocks=mocks)


def _mse(value: Any) -> dict[str, Any]:
    return {"regression_metrics": {"mse": {"value": value, "standard_deviation": 0.8}}}


def test_a_report_within_the_threshold_passes_and_keeps_only_the_value() -> None:
    result = _run(_mse(4.25))
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.path == [GATE, f"{GATE}: has value?", f"{GATE}: keep", f"{GATE}: passes?", "model"]
    assert result.calls_to(GATE)[0].parameters == OBJECT
    assert result.calls_to(GATE)[0].resource == "arn:aws:states:::aws-sdk:s3:getObject"
    assert result.output == {"train": {}, "check_mse": {"Value": 4.25}}


def test_the_threshold_itself_passes_le() -> None:
    assert _run(_mse(6)).status == "SUCCEEDED"


def test_a_report_above_the_threshold_fails_the_gate_after_notifying() -> None:
    result = _run(_mse(7.5))
    assert (result.status, result.error) == ("FAILED", "QualityGate.Failed")
    assert result.cause == "regression_metrics.mse.value is 7.5; the quality gate needs it at most 6"
    assert result.path[-3:] == [f"{GATE}: failed", "Notify failure", "Failed"]
    [notify] = result.calls_to("Notify failure")
    assert "failed with QualityGate.Failed" in notify.parameters["Message"]


@pytest.mark.parametrize(
    "document",
    [
        {"regression_metrics": {"rmse": {"value": 2.0}}},
        _mse("n/a"),
        _mse(None),
        {"regression_metrics": {"mse": {"value": {"mean": 4.0}}}},
        [],
    ],
    ids=["no-such-key", "a-string", "null", "an-object", "a-list"],
)
def test_a_report_without_a_number_there_fails_with_no_metric(document: Any) -> None:
    result = _run(document)
    assert (result.status, result.error) == ("FAILED", "QualityGate.NoMetric")
    assert result.cause == (
        "evaluation.json of processing step 'evaluate' has no number at regression_metrics.mse.value, so the "
        "quality gate cannot tell whether it is at most 6"
    )
    assert result.path == [GATE, f"{GATE}: has value?", f"{GATE}: no metric", "Notify failure", "Failed"]


def test_a_failing_get_object_is_notified_and_fails_the_run_with_its_error() -> None:
    throw = {"Error": "S3.NoSuchKeyException", "Cause": "The specified key does not exist."}
    result = _run(throw=throw)
    assert (result.status, result.error, result.cause) == ("FAILED", *throw.values())
    assert result.path == [GATE, "Notify failure", "Failed"]
    assert "failed with S3.NoSuchKeyException" in result.calls_to("Notify failure")[0].parameters["Message"]


def test_a_report_that_is_not_json_stops_the_run_with_states_runtime() -> None:
    # The ResultSelector's States.StringToJson fails: a runtime error of Step Functions, which no Catch sees.
    result = _run("mse=4.2")
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
    assert result.calls_to("Notify failure") == []


@pytest.mark.parametrize(
    ("document", "status", "error"),
    [
        ({"metrics": [{"rmse": 1.5}]}, "SUCCEEDED", None),
        ({"metrics": [{"rmse": 2.5}]}, "FAILED", "QualityGate.Failed"),
        ({"metrics": []}, "FAILED", "QualityGate.NoMetric"),
        ({"metrics": [{"rmse": "1.5"}]}, "FAILED", "QualityGate.NoMetric"),
    ],
    ids=["passes", "fails", "empty-list", "a-string"],
)
def test_the_jsonata_gate_decides_alike(document: dict[str, Any], status: str, error: str | None) -> None:
    pytest.importorskip("jsonata", reason="jsonata-python is not installed")
    gate = "check-again"
    definition = _gate_only("gate-jsonata", gate, None)
    definition["States"][f"{gate}: done"] = {"Type": "Succeed"}
    result = simulate_definition(definition, {}, mocks={gate: {"0": {"Return": _report(document)}}})
    assert (result.status, result.error) == (status, error), result.cause
    assert result.calls_to(gate)[0].parameters == {"Bucket": "dataflow-data", "Key": "evaluation/reports/summary.json"}
    if status == "FAILED" and error == "QualityGate.Failed":
        assert result.cause == "metrics[0].rmse is 2.5; the quality gate needs it below 2.5"


def _processing(name: str, outputs: list[str]) -> dict[str, Any]:
    """What a finished processing job's description holds of what the step keeps."""
    return {
        "ProcessingJobName": name,
        "ProcessingJobArn": f"arn:aws:sagemaker:us-east-1:123456789012:processing-job/{name}",
        "ProcessingJobStatus": "Completed",
        "ProcessingOutputConfig": {"Outputs": [{"OutputName": o, "S3Output": {"S3Uri": o}} for o in outputs]},
    }


def test_the_whole_pipeline_hands_the_processing_outputs_on_and_gates_on_the_report() -> None:
    mocks = {
        "preprocess": {"0": {"Return": _processing("pre-1", ["train", "validation", "test"])}},
        "train": {
            "0": {
                "Return": {
                    "TrainingJobName": "train-1",
                    "TrainingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:training-job/train-1",
                    "ModelArtifacts": {"S3ModelArtifacts": "s3://dataflow-data/models/train-1/output/model.tar.gz"},
                }
            }
        },
        "evaluate": {"0": {"Return": _processing("eval-1", ["evaluation"])}},
        GATE: {"0": {"Return": _report(_mse(3.0))}},
        "model": {"0": {"Return": {"ModelArn": "arn:aws:sagemaker:us-east-1:123456789012:model/m-1"}}},
    }
    data = "s3://dataflow-models/approved/model.tar.gz"
    result = simulate_definition(_definition("pipeline"), {"ModelData": data}, mocks=mocks)
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert [c.state for c in result.calls] == ["preprocess", "train", "evaluate", GATE, "model"]
    channels = result.calls_to("train")[0].parameters["InputDataConfig"]
    assert [c["DataSource"]["S3DataSource"]["S3Uri"] for c in channels] == [
        "s3://dataflow-data/splits/train",
        "s3://dataflow-data/splits/validation",
    ]
    inputs = result.calls_to("evaluate")[0].parameters["ProcessingInputs"]
    assert inputs[-1]["S3Input"]["S3Uri"] == "s3://dataflow-data/splits/test"
    assert result.calls_to("model")[0].parameters["PrimaryContainer"]["ModelDataUrl"] == data
    assert result.output["check_mse"] == {"Value": 3.0}


@pytest.mark.parametrize("value", ["metrics[00].rmse", "metrics[0].rmse"])
def test_an_index_written_with_leading_zeros_reads_the_same_element_in_jsonata(tmp_path: Path, value: str) -> None:
    # JSONata numbers have no leading zeros: `[00]` copied into an expression would not parse (found by the
    # properties run in CI), so the path's index is written as a number.
    pytest.importorskip("jsonata", reason="jsonata-python is not installed")
    spec = tmp_path / "spec.yaml"
    spec.write_text(CASE.read_text().replace('value: "metrics[0].rmse"', f'value: "{value}"'))
    files = generate(spec).files
    definition: dict[str, Any] = json.loads(files["gate-jsonata.asl.json"])
    gate = "check-again"
    keep = {name: state for name, state in definition["States"].items() if name.startswith(gate)}
    keep[f"{gate}: done"] = {"Type": "Succeed"}
    cut = {"QueryLanguage": "JSONata", "StartAt": gate, "States": keep}
    report = _report({"metrics": [{"rmse": 2.0}, {"rmse": 9.0}]})
    result = simulate_definition(cut, {}, mocks={gate: {"0": {"Return": report}}})
    assert (result.status, result.error) == ("SUCCEEDED", None), result.cause
    failing = _report({"metrics": [{"rmse": 9.0}, {"rmse": 2.0}]})
    result = simulate_definition(cut, {}, mocks={gate: {"0": {"Return": failing}}})
    assert (result.status, result.error) == ("FAILED", "QualityGate.Failed"), result.cause
