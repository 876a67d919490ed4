"""Simulation tests of the bundled big-mart example, written as a user would with the `simulate` fixture."""

from __future__ import annotations

import json
from typing import Any

import pytest

from asl_gen.errors import UsageError
from asl_gen.simulate import SimulationResult

from .conftest import REPO

MOCKS = "examples/big-mart/mocks.yaml"
INPUT = json.loads((REPO / "examples" / "big-mart" / "input.json").read_text(encoding="utf-8"))
ARTIFACTS = "s3://slytherins-test/sagemaker/big-mart-pipeline/output/big-mart-train-1/output/model.tar.gz"


def test_happy_path_trains_saves_configures_and_deploys(simulate: Any) -> None:
    result: SimulationResult = simulate("big-mart/pipeline", input=INPUT, mocks=MOCKS, case="HappyPath")
    assert result.status == "SUCCEEDED"
    assert result.path == ["Training Step", "Save Model", "Create Endpoint Config", "Create Endpoint"]
    # The training job is named from the execution input, and the model gets the job's artifacts.
    assert result.calls_to("Training Step")[0].parameters["TrainingJobName"] == INPUT["TrainingJobName"]
    save = result.calls_to("Save Model")[0].parameters
    assert save["PrimaryContainer"]["ModelDataUrl"] == ARTIFACTS
    assert save["ModelName"] == INPUT["ModelName"]
    config = result.calls_to("Create Endpoint Config")[0].parameters
    assert config["ProductionVariants"][0]["ModelName"] == INPUT["ModelName"]
    endpoint = result.calls_to("Create Endpoint")[0].parameters
    assert endpoint == {"EndpointName": INPUT["EndpointName"], "EndpointConfigName": config["EndpointConfigName"]}
    assert result.output["train"]["ModelDataUrl"] == ARTIFACTS
    assert result.output["endpoint"]["EndpointArn"].endswith("endpoint/big-mart-endpoint")
    # The mocked training job takes 30 minutes; nothing actually waited for it.
    assert result.elapsed_seconds == 1800


def test_failed_training_fails_the_execution_before_anything_is_created(simulate: Any) -> None:
    result = simulate("big-mart/pipeline", input=INPUT, mocks=MOCKS, case="TrainingFails")
    assert result.status == "FAILED"
    assert result.error == "States.TaskFailed"
    assert "AlgorithmError" in result.cause
    # big-mart has no Catch: no notification state runs, and nothing after training is called.
    assert result.path == ["Training Step"]
    assert [c.state for c in result.calls] == ["Training Step"]


def test_a_throttled_create_model_fails_big_mart_because_it_has_no_retry(simulate: Any) -> None:
    result = simulate("big-mart/pipeline", input=INPUT, mocks=MOCKS, case="SaveModelThrottled")
    assert (result.status, result.error) == ("FAILED", "SageMaker.AmazonSageMakerException")
    assert "ThrottlingException" in result.cause
    assert len(result.calls_to("Save Model")) == 1


def test_with_a_retry_added_the_throttled_create_model_succeeds_on_the_second_call(simulate: Any) -> None:
    definition = json.loads((REPO / "out" / "big-mart" / "pipeline.asl.json").read_text(encoding="utf-8"))
    definition["States"]["Save Model"]["Retry"] = [
        {"ErrorEquals": ["SageMaker.AmazonSageMakerException"], "IntervalSeconds": 5, "MaxAttempts": 3}
    ]
    result = simulate(definition, input=INPUT, mocks=MOCKS, case="SaveModelThrottled")
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert [c.attempt for c in result.calls_to("Save Model")] == [0, 1]
    assert result.elapsed_seconds == 1800 + 5


def test_missing_execution_input_is_refused_before_anything_runs(simulate: Any) -> None:
    with pytest.raises(UsageError) as raised:
        simulate("big-mart/pipeline", input={"ModelName": "m"}, mocks=MOCKS, case="HappyPath")
    message = str(raised.value)
    assert "missing required field 'TrainingJobName'" in message
    assert "out/big-mart/inputs/pipeline.schema.json" in message


def test_missing_execution_input_is_a_runtime_error_at_the_first_state(simulate: Any) -> None:
    # Without an input schema (a definition given as data), the machine runs and fails where it reads the field.
    definition = json.loads((REPO / "out" / "big-mart" / "pipeline.asl.json").read_text(encoding="utf-8"))
    result = simulate(definition, input={"ModelName": "m"}, mocks=MOCKS, case="HappyPath")
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
    assert "$$.Execution.Input.TrainingJobName" in result.cause
    assert result.calls == []


def test_single_step_machines_with_short_mocks(simulate: Any) -> None:
    described = {"TrainingJobName": "t", "TrainingJobArn": "arn:t", "ModelArtifacts": {"S3ModelArtifacts": ARTIFACTS}}
    mocks = {"Look up Training Step": {"Return": described}, "Save Model": {"Return": {"ModelArn": "arn:m"}}}
    result = simulate("big-mart/save-model", input=INPUT, mocks=mocks)
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.calls_to("Save Model")[0].parameters["PrimaryContainer"]["ModelDataUrl"] == ARTIFACTS
