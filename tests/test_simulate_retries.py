"""What `retry: sagemaker` retries, simulated on evaluate-deploy's pipeline with the error names SageMaker raises.

Throttling clears by itself and is retried; what a retry cannot fix (a job that failed on its input, a name in use,
a missing resource) is not. A request SageMaker refuses as invalid carries the same error name as throttling
(`SageMaker.AmazonSageMakerException`, the code only in the cause): the Choice on the cause lets it fail at once.
docs/errors.md: "Error names SageMaker's optimized integrations raise"; tests/test_retry_transient.py.
"""

from __future__ import annotations

import json
from typing import Any

from .conftest import REPO

MACHINE = "evaluate-deploy/pipeline"
INPUT = json.loads((REPO / "examples" / "evaluate-deploy" / "input.json").read_text(encoding="utf-8"))
TRAINED = {
    "TrainingJobName": "evaluate-deploy-train-0f1e",
    "TrainingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:training-job/evaluate-deploy-train-0f1e",
    "TrainingJobStatus": "Completed",
    "ModelArtifacts": {"S3ModelArtifacts": "s3://evaluate-deploy-data/models/t/output/model.tar.gz"},
}
SERVICE_ERROR = "SageMaker.AmazonSageMakerException"
THROTTLED = "Rate exceeded (Service: AmazonSageMaker; Status Code: 400; Error Code: ThrottlingException)"
INVALID = (
    "1 validation error detected: Value 'ml.m5.xlage' at 'resourceConfig.instanceType' failed to satisfy "
    "constraint (Service: AmazonSageMaker; Status Code: 400; Error Code: ValidationException)"
)


def _train(simulate: Any, responses: dict[str, Any], again: dict[str, Any] | None = None) -> Any:
    """Run the pipeline with the training call answering `responses` (and the call made again after a transient
    error, `again`); a failure is notified, then fails the run."""
    mocks = {
        "Train": responses,
        **({"Train: again": again} if again is not None else {}),
        # The run stops at the gate (rmse too high): a run that gets there trained successfully.
        "Good Enough": {"Return": {"FinalMetricDataList": [{"MetricName": "validation:rmse", "Value": 1500}]}},
        "Notify failure": {"Return": {"MessageId": "m-1"}},
    }
    return simulate(MACHINE, input=INPUT, mocks=mocks)


def _throw(error: str, cause: str) -> dict[str, Any]:
    return {"Throw": {"Error": error, "Cause": cause}}


def test_a_throttled_training_call_is_retried_and_the_pipeline_goes_on(simulate: Any) -> None:
    result = _train(simulate, {"0": _throw(SERVICE_ERROR, THROTTLED)}, {"0": {"Return": TRAINED}})
    assert len(result.calls_to("Train")) == len(result.calls_to("Train: again")) == 1
    assert (result.error, result.path[4]) == ("QualityGate.Failed", "Good Enough")
    assert result.elapsed_seconds == 5  # the Wait before calling again


def test_a_job_that_failed_on_its_input_is_not_retried(simulate: Any) -> None:
    failed = json.dumps({"TrainingJobStatus": "Failed", "FailureReason": "ClientError: no data in s3://b/train"})
    result = _train(simulate, {"0": _throw("States.TaskFailed", failed), "1": {"Return": TRAINED}})
    assert len(result.calls_to("Train")) == 1
    assert (result.status, result.error, result.path[-1]) == ("FAILED", "States.TaskFailed", "Failed")
    assert "ClientError" in result.cause


def test_a_job_name_in_use_is_not_retried(simulate: Any) -> None:
    in_use = "Training job names must be unique within an AWS account and region"
    result = _train(simulate, {"0": _throw("SageMaker.ResourceInUseException", in_use), "1": {"Return": TRAINED}})
    assert len(result.calls_to("Train")) == 1
    assert (result.status, result.error) == ("FAILED", "SageMaker.ResourceInUseException")


def test_a_missing_resource_is_not_retried(simulate: Any) -> None:
    missing = "Could not find model 'evaluate-deploy-model-1'"
    result = _train(simulate, {"0": _throw("SageMaker.ResourceNotFoundException", missing)})
    assert len(result.calls_to("Train")) == 1
    assert result.error == "SageMaker.ResourceNotFoundException"


def test_a_request_sagemaker_refuses_is_not_retried_and_fails_at_once(simulate: Any) -> None:
    result = _train(simulate, {"0": _throw(SERVICE_ERROR, INVALID)}, {"0": {"Return": TRAINED}})
    assert len(result.calls_to("Train")) == 1 and result.calls_to("Train: again") == []
    assert result.path[:3] == ["Train", "Train: transient?", "Train: refused"]
    assert (result.status, result.error, result.cause) == ("FAILED", SERVICE_ERROR, INVALID)
    assert result.elapsed_seconds == 0


def test_a_full_job_quota_is_retried_three_times_over_minutes(simulate: Any) -> None:
    quota = "The account-level service limit 'Number of concurrent training jobs' is 4 Jobs"
    result = _train(simulate, {"0": _throw("SageMaker.ResourceLimitExceededException", quota)})
    assert len(result.calls_to("Train")) == 4
    assert result.error == "SageMaker.ResourceLimitExceededException"
    assert result.elapsed_seconds < 60 + 120 + 240
