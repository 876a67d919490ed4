"""Simulation tests of the evaluate-deploy example: quality gate, create-or-update deploy, retries, SNS on failure."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from .conftest import REPO

MACHINE = "evaluate-deploy/pipeline"
MOCKS = "examples/evaluate-deploy/mocks.yaml"
INPUT = json.loads((REPO / "examples" / "evaluate-deploy" / "input.json").read_text(encoding="utf-8"))
GATE = ["Good Enough", "Good Enough: any metrics?", "Good Enough: find metric", "Good Enough: is it?"]
POLL = ["Deploy: wait", "Deploy: count", "Deploy: status", "Deploy: in service?"]


def test_a_new_endpoint_is_created_polled_until_in_service_and_the_batches_scored(simulate: Any) -> None:
    result = simulate(MACHINE, input=INPUT, mocks=MOCKS, case="NewEndpoint")
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.path == [
        "Train",
        *GATE,
        "Good Enough: skip",
        "Good Enough: is it?",
        "Good Enough: keep",
        "Good Enough: passes?",
        "Save Model",
        "Configure Endpoint",
        "Deploy",
        "Deploy: not found?",
        "Deploy: create",
        *POLL * 4,
        "Score Batches",
        "Transform Batch",
        "Transform Batch",
    ]
    assert result.output["good_enough"] == {"Value": [1100.25]}
    assert result.output["endpoint"]["Polls"] == {"Count": 4}
    model = result.calls_to("Save Model")[0].parameters
    assert model["PrimaryContainer"]["ModelDataUrl"].endswith("evaluate-deploy-train-0f1e/output/model.tar.gz")
    batches = [
        c.parameters["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"]
        for c in result.calls_to("Transform Batch")
    ]
    assert batches == INPUT["Batches"]
    names = [c.parameters["TransformJobName"] for c in result.calls_to("Transform Batch")]
    # One job name per item (a hash of the execution and the item's index), within SageMaker's 63 characters.
    assert len(set(names)) == 2
    assert all(re.fullmatch(r"evaluate-deploy-score-[0-9a-f]{32}", name) and len(name) <= 63 for name in names)
    assert result.calls_to("Transform Batch")[0].parameters["ModelName"] == INPUT["ModelName"]
    # Each item keeps the transform's name, ARN and output location only, not the job's whole description.
    assert [item["transform"] for item in result.output["score"]] == [
        {
            "TransformJobName": f"evaluate-deploy-score-{index}",
            "TransformJobArn": f"arn:aws:sagemaker:us-east-1:123456789012:transform-job/evaluate-deploy-score-{index}",
            "OutputPath": "s3://evaluate-deploy-data/scores",
        }
        for index in range(2)
    ]
    # 30 min training, four 60 s polls, two transforms side by side (10 and 15 min).
    assert result.elapsed_seconds == 1800 + 4 * 60 + 900
    assert result.calls_to("Notify failure") == []


def test_an_existing_endpoint_is_updated(simulate: Any) -> None:
    result = simulate(MACHINE, input=INPUT, mocks=MOCKS, case="ExistingEndpoint")
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert "Deploy: update" in result.path and "Deploy: create" not in result.path
    update = result.calls_to("Deploy: update")[0].parameters
    assert update == {"EndpointName": INPUT["EndpointName"], "EndpointConfigName": INPUT["ModelName"]}


@pytest.mark.parametrize(
    ("case", "error", "cause_part", "last"),
    [
        ("QualityGateFails", "QualityGate.Failed", "validation:rmse is 1500", "Good Enough: failed"),
        ("NoMetric", "QualityGate.NoMetric", "no final value of validation:rmse", "Good Enough: no metric"),
        ("NoMetricsReported", "QualityGate.NoMetric", "no final value of validation:rmse", "Good Enough: no metric"),
        (
            "UpdateRolledBack",
            "Endpoint.RolledBack",
            "back to endpoint config evaluate-deploy-model-0",
            "Deploy: rolled back",
        ),
        ("EndpointFails", "Endpoint.Failed", "does not support the instance type", "Deploy: failed"),
    ],
)
def test_failure_paths_that_end_in_their_own_fail_state(
    simulate: Any, case: str, error: str, cause_part: str, last: str
) -> None:
    result = simulate(MACHINE, input=INPUT, mocks=MOCKS, case=case)
    # The machine's own verdict records its error, is published like any failure, and the run fails with it.
    assert (result.status, result.error, result.path[-3:]) == ("FAILED", error, [last, "Notify failure", "Failed"])
    assert cause_part in result.cause
    [notify] = result.calls_to("Notify failure")
    assert f"failed with {error}" in notify.parameters["Message"]
    assert result.calls_to("Transform Batch") == []


def test_quality_gate_failure_creates_no_model(simulate: Any) -> None:
    result = simulate(MACHINE, input=INPUT, mocks=MOCKS, case="QualityGateFails")
    assert [c.state for c in result.calls] == ["Train", "Good Enough", "Notify failure"]


def test_failed_training_publishes_to_sns_then_fails_with_the_training_error(simulate: Any) -> None:
    result = simulate(MACHINE, input=INPUT, mocks=MOCKS, case="TrainingFails")
    assert result.path == ["Train", "Notify failure", "Failed"]
    assert (result.status, result.error) == ("FAILED", "States.TaskFailed")
    assert "no data in s3://evaluate-deploy-data/train" in result.cause
    [notify] = result.calls_to("Notify failure")
    assert notify.parameters["TopicArn"] == "arn:aws:sns:us-east-1:123456789012:evaluate-deploy-alerts"
    assert "failed with States.TaskFailed" in notify.parameters["Message"]
    assert "ClientError: no data" in notify.parameters["Message"]


def test_a_throttled_training_call_is_retried_then_succeeds(simulate: Any) -> None:
    result = simulate(MACHINE, input=INPUT, mocks=MOCKS, case="TrainingThrottled")
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert [c.attempt for c in result.calls_to("Train")] == [0]
    assert [c.attempt for c in result.calls_to("Train: again")] == [0, 1]
    assert result.path[:4] == ["Train", "Train: transient?", "Train: back off", "Train: again"]
    # The Wait's 5 s, then FULL jitter: the retry's wait is drawn from [0, 10 s).
    assert 1800 + 4 * 60 + 900 + 5 <= result.elapsed_seconds < 1800 + 4 * 60 + 900 + 5 + 10
    again = simulate(MACHINE, input=INPUT, mocks=MOCKS, case="TrainingThrottled")
    assert again.elapsed_seconds == result.elapsed_seconds


def test_a_failing_notification_is_retried_and_the_run_still_fails_with_the_original_error(simulate: Any) -> None:
    result = simulate(MACHINE, input=INPUT, mocks=MOCKS, case="NotificationFails")
    assert len(result.calls_to("Notify failure")) == 4  # the first call and 3 retries of States.TaskFailed
    assert (result.error, result.path[-1]) == ("States.TaskFailed", "Failed")
    assert result.elapsed_seconds == 300 + 2 + 4 + 8
