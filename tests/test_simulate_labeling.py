"""Simulation of the labeling golden case: Ground Truth jobs that finish, and one that fails."""

from __future__ import annotations

from pathlib import Path
from typing import Any

DEFINITION = Path(__file__).parent / "cases" / "labeling" / "expected" / "labeling.asl.json"
OUTPUT = "s3://cars-labeling/output/images-label-1/manifests/output/output.manifest"


def _described(name: str, output: str, labeled: int) -> dict[str, Any]:
    """What DescribeLabelingJob returns for a finished job (what .sync hands the state), trimmed."""
    return {
        "LabelingJobName": name,
        "LabelingJobArn": f"arn:aws:sagemaker:us-east-1:123456789012:labeling-job/{name}",
        "LabelingJobStatus": "Completed",
        "LabelCounters": {"TotalLabeled": labeled, "HumanLabeled": labeled, "MachineLabeled": 0, "Unlabeled": 0},
        "LabelingJobOutput": {"OutputDatasetS3Uri": output},
        "HumanTaskConfig": {"TaskTitle": "a large request the result selector leaves out"},
    }


MOCKS: dict[str, Any] = {
    "label": {"0": {"Duration": 7200, "Return": _described("images-label-1", OUTPUT, 1000)}},
    "entities": {"0": {"Return": _described("reviews-entities", "s3://cars-labeling/reviews/output/out.manifest", 40)}},
}


def test_labeling_jobs_run_in_turn_and_keep_the_output_manifest(simulate: Any) -> None:
    result = simulate(DEFINITION, input={}, mocks=MOCKS)
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.path == ["label", "entities"]
    request = result.calls_to("label")[0].parameters
    # The job is named from its prefix and a hash of the execution, and uses the region's AWS-owned Lambdas.
    assert request["LabelingJobName"].startswith("images-label-")
    assert len(request["LabelingJobName"]) == len("images-label-") + 32
    task = request["HumanTaskConfig"]
    assert task["PreHumanTaskLambdaArn"] == "arn:aws:lambda:us-east-1:432418664414:function:PRE-BoundingBox"
    assert task["AnnotationConsolidationConfig"] == {
        "AnnotationConsolidationLambdaArn": "arn:aws:lambda:us-east-1:432418664414:function:ACS-BoundingBox"
    }
    # The result keeps what later steps need, not the job's whole description.
    assert result.output["label"] == {
        "LabelingJobName": "images-label-1",
        "LabelingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:labeling-job/images-label-1",
        "OutputManifest": OUTPUT,
        "LabelCounters": {"TotalLabeled": 1000, "HumanLabeled": 1000, "MachineLabeled": 0, "Unlabeled": 0},
    }
    assert result.output["entities"]["OutputManifest"] == "s3://cars-labeling/reviews/output/out.manifest"
    assert result.elapsed_seconds == 7200


def test_a_failed_labeling_job_fails_the_execution_before_the_next_job(simulate: Any) -> None:
    mocks = dict(MOCKS)
    mocks["label"] = {
        "0": {
            "Duration": 600,
            "Throw": {
                "Error": "States.TaskFailed",
                "Cause": '{"LabelingJobStatus":"Failed","FailureReason":"ClientError: input manifest not found"}',
            },
        }
    }
    result = simulate(DEFINITION, input={}, mocks=mocks)
    assert (result.status, result.error) == ("FAILED", "States.TaskFailed")
    assert "input manifest not found" in result.cause
    assert result.path == ["label"]
    assert [c.state for c in result.calls] == ["label"]
