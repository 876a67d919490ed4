"""Simulation tests of the tuning step (tests/cases/tuning): the best training job looked up, modelled and gated."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import REPO

EXPECTED = REPO / "tests" / "cases" / "tuning" / "expected"
PIPELINE = str(EXPECTED / "pipeline.asl.json")
GRID = str(EXPECTED / "grid.asl.json")
BEST = "abalone-tune-1a2b3c4d-007-5e6f7a8b"
ARTIFACTS = f"s3://abalone-data/tuning/{BEST}/output/model.tar.gz"


def _tuned(name: str, best: str, metric: str, value: float) -> dict[str, Any]:
    """What createHyperParameterTuningJob.sync returns: the finished tuning job's description (shortened)."""
    return {
        "HyperParameterTuningJobName": name,
        "HyperParameterTuningJobArn": f"arn:aws:sagemaker:us-east-1:123456789012:hyper-parameter-tuning-job/{name}",
        "HyperParameterTuningJobStatus": "Completed",
        "BestTrainingJob": {
            "TrainingJobName": best,
            "TrainingJobStatus": "Completed",
            "TunedHyperParameters": {"eta": "0.23", "max_depth": "6", "booster": "gbtree"},
            "FinalHyperParameterTuningJobObjectiveMetric": {"MetricName": metric, "Value": value},
        },
    }


def _mocks(value: float) -> dict[str, Any]:
    return {
        "tune": {"Return": _tuned("abalone-tune-1a2b3c4d", BEST, "validation:auc", value), "Duration": 3600},
        "tune: best job": {"Return": {"TrainingJobName": BEST, "ModelArtifacts": {"S3ModelArtifacts": ARTIFACTS}}},
        "model": {"Return": {"ModelArn": "arn:aws:sagemaker:us-east-1:123456789012:model/abalone-model-1"}},
        "register": {
            "Return": {"ModelPackageArn": "arn:aws:sagemaker:us-east-1:123456789012:model-package/abalone-models/1"}
        },
    }


def test_the_best_job_is_looked_up_gated_modelled_and_registered(simulate: Any) -> None:
    result = simulate(PIPELINE, input={}, mocks=_mocks(0.93))
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.path == ["tune", "tune: best job", "Good Enough", "model", "register"]
    assert result.output["tune"] == {
        "TuningJobName": "abalone-tune-1a2b3c4d",
        "TuningJobArn": "arn:aws:sagemaker:us-east-1:123456789012:hyper-parameter-tuning-job/abalone-tune-1a2b3c4d",
        "BestTrainingJobName": BEST,
        "BestObjectiveValue": 0.93,
        "BestTrainingJob": {"ModelDataUrl": ARTIFACTS},
    }
    # The tuning job's name: the prefix and 8 hex characters, 21 in all (tuning job names stop at 32).
    name = result.calls_to("tune")[0].parameters["HyperParameterTuningJobName"]
    assert name.startswith("abalone-tune-") and len(name) == len("abalone-tune-") + 8
    assert result.calls_to("tune: best job")[0].parameters == {"TrainingJobName": BEST}
    model = result.calls_to("model")[0].parameters
    assert model["PrimaryContainer"]["ModelDataUrl"] == ARTIFACTS
    assert model["PrimaryContainer"]["Image"].endswith("/sagemaker-xgboost:1.7-1")
    package = result.calls_to("register")[0].parameters
    assert package["InferenceSpecification"]["Containers"][0]["ModelDataUrl"] == ARTIFACTS
    assert result.elapsed_seconds == 3600


def test_a_best_value_below_the_threshold_fails_the_gate(simulate: Any) -> None:
    result = simulate(PIPELINE, input={}, mocks=_mocks(0.85))
    assert result.status == "FAILED"
    assert result.error == "QualityGate.Failed"
    assert result.cause == "the best validation:auc is 0.85; the quality gate needs it at least 0.9"
    assert result.path == ["tune", "tune: best job", "Good Enough", "Good Enough: failed"]
    assert result.calls_to("model") == []


@pytest.mark.parametrize(
    ("error", "cause"),
    [
        ("States.TaskFailed", "All training jobs failed. Please check the training job logs for more details."),
        ("SageMaker.AmazonSageMakerException", "The request was rejected because of a validation error"),
    ],
)
def test_a_failed_tuning_job_fails_the_run_before_any_lookup(simulate: Any, error: str, cause: str) -> None:
    mocks = _mocks(0.93)
    mocks["tune"] = {"Throw": {"Error": error, "Cause": cause}}
    result = simulate(PIPELINE, input={}, mocks=mocks)
    assert result.status == "FAILED"
    assert (result.error, result.cause) == (error, cause)
    assert result.path == ["tune"]
    assert result.calls_to("tune: best job") == []


def test_the_jsonata_grid_machine_reads_the_best_job_the_same_way(simulate: Any) -> None:
    best = "abalone-grid-002-0a1b2c3d"
    artifacts = f"s3://abalone-data/grid/{best}/output/model.tar.gz"
    mocks = {
        "Tune Grid": {"Return": _tuned("abalone-grid", best, "validation:rmse", 2.1)},
        "Tune Grid: best job": {"Return": {"TrainingJobName": best, "ModelArtifacts": {"S3ModelArtifacts": artifacts}}},
        "grid-model": {"Return": {"ModelArn": "arn:aws:sagemaker:us-east-1:123456789012:model/abalone-grid-model-1"}},
    }
    result = simulate(GRID, input={}, mocks=mocks)
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.path == ["Tune Grid", "Tune Grid: best job", "Grid Good Enough", "grid-model"]
    assert result.calls_to("Tune Grid")[0].parameters["HyperParameterTuningJobName"] == "abalone-grid"
    assert result.calls_to("Tune Grid: best job")[0].parameters == {"TrainingJobName": best}
    assert result.calls_to("grid-model")[0].parameters["PrimaryContainer"]["ModelDataUrl"] == artifacts

    mocks["Tune Grid"] = {"Return": _tuned("abalone-grid", best, "validation:rmse", 2.7)}
    failed = simulate(GRID, input={}, mocks=mocks)
    assert (failed.status, failed.error) == ("FAILED", "QualityGate.Failed")
    assert failed.cause == "the best validation:rmse is 2.7; the quality gate needs it below 2.5"
