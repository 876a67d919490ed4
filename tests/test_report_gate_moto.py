"""The quality gate on a JSON report, run in moto's Step Functions interpreter against moto's S3: the report is a
real object, read by the generated aws-sdk:s3:getObject state (JSONPath and JSONata)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .judge_bugs import moto_returns_object_bodies_as_text
from .test_control_flow import MotoRun, _entered, _failure, moto_run  # noqa: F401 (moto_run is a fixture)
from .test_simulate_report_gate import _gate_only

BUCKET = "dataflow-data"


@pytest.fixture
def s3(moto_run: MotoRun, monkeypatch: pytest.MonkeyPatch) -> Any:  # noqa: F811
    """moto's S3 with the bucket the case's reports are in; getObject bodies reach the states as text."""
    import boto3

    moto_returns_object_bodies_as_text(monkeypatch)
    client = boto3.client("s3", region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    moto_run.sns.create_topic(Name="dataflow-alerts")
    return client


@pytest.mark.parametrize(
    ("machine", "gate", "key", "report", "status", "error", "cause"),
    [
        (
            "pipeline",
            "MSE Good Enough",
            "evaluation/evaluation.json",
            {"regression_metrics": {"mse": {"value": 4.25}}},
            "SUCCEEDED",
            None,
            None,
        ),
        (
            "pipeline",
            "MSE Good Enough",
            "evaluation/evaluation.json",
            {"regression_metrics": {"mse": {"value": 7.5}}},
            "FAILED",
            "QualityGate.Failed",
            "regression_metrics.mse.value is 7.5; the quality gate needs it at most 6",
        ),
        (
            "pipeline",
            "MSE Good Enough",
            "evaluation/evaluation.json",
            {"regression_metrics": {}},
            "FAILED",
            "QualityGate.NoMetric",
            "evaluation.json of processing step 'evaluate' has no number at regression_metrics.mse.value",
        ),
        (
            "gate-jsonata",
            "check-again",
            "evaluation/reports/summary.json",
            {"metrics": [{"rmse": 1.5}]},
            "SUCCEEDED",
            None,
            None,
        ),
        (
            "gate-jsonata",
            "check-again",
            "evaluation/reports/summary.json",
            {"metrics": [{"rmse": 3}]},
            "FAILED",
            "QualityGate.Failed",
            "metrics[0].rmse is 3; the quality gate needs it below 2.5",
        ),
    ],
    ids=["passes", "misses", "no-value", "jsonata-passes", "jsonata-misses"],
)
def test_report_gate_reads_the_object_and_decides_in_moto(
    moto_run: MotoRun,  # noqa: F811
    s3: Any,
    machine: str,
    gate: str,
    key: str,
    report: dict[str, Any],
    status: str,
    error: str | None,
    cause: str | None,
) -> None:
    s3.put_object(Bucket=BUCKET, Key=key, Body=json.dumps(report).encode())
    definition = _gate_only(machine, gate, "model" if machine == "pipeline" else None)
    if machine != "pipeline":
        definition["States"][f"{gate}: done"] = {"Type": "Succeed"}
    got, events = moto_run.run(definition, {})
    assert got == status, events
    if error is not None:
        failed_error, failed_cause = _failure(events)
        assert failed_error == error
        assert failed_cause.startswith(str(cause))
    else:
        assert _entered(events)[-1] in ("model", f"{gate}: done")


def test_a_missing_report_fails_the_run_through_the_notification_in_moto(
    moto_run: MotoRun,  # noqa: F811
    s3: Any,
) -> None:
    got, events = moto_run.run(_gate_only("pipeline", "MSE Good Enough", "model"), {})
    assert got == "FAILED"
    assert _entered(events) == ["MSE Good Enough", "Notify failure", "Failed"]
    error, cause = _failure(events)
    # The aws-sdk integration names the error <service>.<exception>: S3.NoSuchKeyException (moto spells the
    # service in lower case).
    assert error.lower() == "s3.nosuchkeyexception", error
    assert cause.startswith("The specified key does not exist."), cause
