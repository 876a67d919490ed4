"""The abalone example (SageMaker Pipelines' abalone pipeline in asl-gen): simulated end to end from its mocks (the
happy path, a gate that fails, a report that is missing, a processing job that fails), written without a `call` or
`asl` step, its committed output current, and its SageMaker role granting exactly the images and S3 locations its
jobs use."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from asl_gen.build import SAGEMAKER_POLICY, generate
from asl_gen.write import MANIFEST, manifest_text

from .conftest import REPO

MACHINE = "abalone/pipeline"
MOCKS = "examples/abalone/mocks.yaml"
SPEC = REPO / "examples" / "abalone" / "spec.yaml"
INPUT = json.loads((REPO / "examples" / "abalone" / "input.json").read_text(encoding="utf-8"))
TOPIC = "arn:aws:sns:us-east-1:123456789012:abalone-alerts"
GATE = ["MSE Good Enough", "MSE Good Enough: has value?", "MSE Good Enough: keep", "MSE Good Enough: passes?"]
MODEL = "s3://abalone-pipeline-data/models/abalone-train-5f2d/output/model.tar.gz"
DATA = "s3://abalone-pipeline-data"
RUN = "nightly-2026-12-04"
SPLITS = ("train", "validation", "test")


def _spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    return loaded


def test_the_example_has_no_call_or_asl_step() -> None:
    """Every step is a first-class step type: no hand-written API parameters and no raw states."""
    kinds = {key: job["type"] for key, job in _spec()["jobs"].items()}
    assert not {k for k, kind in kinds.items() if kind in ("call", "asl")}
    assert set(kinds.values()) == {"processing", "training", "quality-gate", "model-package", "model", "transform"}
    assert not {"parameters", "states", "resource"} & set(_keys(_spec()["jobs"]))


def _keys(node: Any) -> list[str]:
    """Every mapping key in a YAML tree."""
    if isinstance(node, dict):
        return [*node, *(k for value in node.values() for k in _keys(value))]
    if isinstance(node, list):
        return [k for value in node for k in _keys(value)]
    return []


def test_the_happy_path_preprocesses_trains_evaluates_gates_registers_and_scores(simulate: Any) -> None:
    result = simulate(MACHINE, input=INPUT, mocks=MOCKS, case="HappyPath", execution_name=RUN)
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.path == [
        "Preprocess",
        "Train",
        "Evaluate",
        *GATE,
        "Register Model",
        "Create Model",
        "Score Test Split",
    ]
    # The raw data comes from the execution input; the splits reach training and evaluation by reference.
    [preprocess] = result.calls_to("Preprocess")
    raw = [i for i in preprocess.parameters["ProcessingInputs"] if i["InputName"] == "raw"]
    assert raw[0]["S3Input"]["S3Uri"] == INPUT["InputData"]
    assert preprocess.parameters["AppSpecification"]["ImageUri"] == (
        "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
    )
    channels = {
        c["ChannelName"]: c["DataSource"]["S3DataSource"]["S3Uri"]
        for c in result.calls_to("Train")[0].parameters["InputDataConfig"]
    }
    # Each output in this run's folder (per_execution): two runs at once keep their splits and reports apart.
    outputs = preprocess.parameters["ProcessingOutputConfig"]["Outputs"]
    assert [o["S3Output"]["S3Uri"] for o in outputs] == [f"{DATA}/splits/{s}/{RUN}/" for s in SPLITS]
    assert channels == {"train": f"{DATA}/splits/train/{RUN}/", "validation": f"{DATA}/splits/validation/{RUN}/"}
    # The evaluation reads the model the training job just wrote, and the test split.
    evaluate = {i["InputName"]: i["S3Input"] for i in result.calls_to("Evaluate")[0].parameters["ProcessingInputs"]}
    assert evaluate["model"] == {
        "S3Uri": MODEL,
        "LocalPath": "/opt/ml/processing/model",
        "S3DataType": "S3Prefix",
        "S3InputMode": "File",
        "S3DataDistributionType": "FullyReplicated",
    }
    assert evaluate["test"]["S3Uri"] == f"{DATA}/splits/test/{RUN}/"
    [evaluation] = result.calls_to("Evaluate")[0].parameters["ProcessingOutputConfig"]["Outputs"]
    assert evaluation["S3Output"]["S3Uri"] == f"{DATA}/evaluation/{RUN}/"
    # The gate reads evaluation.json in this run's folder of the evaluation output and keeps the MSE only.
    assert result.calls_to("MSE Good Enough")[0].parameters == {
        "Bucket": "abalone-pipeline-data",
        "Key": f"evaluation/{RUN}/evaluation.json",
    }
    assert result.output["check_mse"] == {"Value": 4.62}
    register = result.calls_to("Register Model")[0].parameters
    assert register["ModelPackageGroupName"] == "abalone-models"
    assert register["ModelApprovalStatus"] == "PendingManualApproval"
    assert register["InferenceSpecification"]["Containers"] == [
        {"Image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1", "ModelDataUrl": MODEL}
    ]
    model = result.calls_to("Create Model")[0].parameters
    assert model["PrimaryContainer"]["ModelDataUrl"] == MODEL
    transform = result.calls_to("Score Test Split")[0].parameters
    assert transform["ModelName"] == model["ModelName"]
    assert transform["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"] == f"{DATA}/splits/test/{RUN}/"
    assert transform["DataProcessing"] == {"InputFilter": "$[1:]", "JoinSource": "Input"}
    assert transform["TransformOutput"]["S3OutputPath"] == f"{DATA}/scores/{RUN}/"
    assert result.output["score_test"] == {
        "TransformJobName": "abalone-score-5f2d",
        "TransformJobArn": "arn:aws:sagemaker:us-east-1:123456789012:transform-job/abalone-score-5f2d",
        "OutputPath": f"{DATA}/scores/simulation/",  # what the mocked description says
    }
    assert result.elapsed_seconds == 420 + 900 + 300 + 600
    assert result.calls_to("Notify failure") == []


def test_an_mse_above_six_fails_the_gate_after_notifying(simulate: Any) -> None:
    result = simulate(MACHINE, input=INPUT, mocks=MOCKS, case="MseTooHigh")
    assert (result.status, result.error) == ("FAILED", "QualityGate.Failed")
    assert result.cause == "regression_metrics.mse.value is 7.5; the quality gate needs it at most 6"
    assert result.path[-4:] == ["MSE Good Enough: passes?", "MSE Good Enough: failed", "Notify failure", "Failed"]
    for never in ("Register Model", "Create Model", "Score Test Split"):
        assert result.calls_to(never) == []
    [notify] = result.calls_to("Notify failure")
    assert notify.parameters["TopicArn"] == TOPIC
    assert "failed with QualityGate.Failed: regression_metrics.mse.value is 7.5" in notify.parameters["Message"]


def test_a_missing_report_fails_with_the_s3_error_after_notifying(simulate: Any) -> None:
    result = simulate(MACHINE, input=INPUT, mocks=MOCKS, case="ReportMissing")
    assert (result.status, result.error) == ("FAILED", "S3.NoSuchKeyException")
    assert result.path[-3:] == ["MSE Good Enough", "Notify failure", "Failed"]
    assert len(result.calls_to("Notify failure")) == 1


def test_a_failing_processing_job_fails_the_run_with_its_error_after_notifying(simulate: Any) -> None:
    result = simulate(MACHINE, input=INPUT, mocks=MOCKS, case="PreprocessFails")
    assert (result.status, result.error) == ("FAILED", "States.TaskFailed")
    assert "FileNotFoundError: abalone.csv" in result.cause
    assert result.path == ["Preprocess", "Notify failure", "Failed"]
    assert result.calls_to("Train") == []
    [notify] = result.calls_to("Notify failure")
    assert notify.parameters["TopicArn"] == TOPIC
    assert "failed with States.TaskFailed" in notify.parameters["Message"]


def test_the_committed_output_is_current() -> None:
    """out/abalone is exactly what the example builds (what `asl-gen check` and the wheel step in CI enforce)."""
    generated = generate(SPEC)
    committed = {
        p.relative_to(REPO / "out" / "abalone").as_posix(): p.read_text(encoding="utf-8")
        for p in sorted((REPO / "out" / "abalone").rglob("*"))
        if p.is_file()
    }
    expected = dict(generated.files)
    expected[MANIFEST] = manifest_text(generated.files)
    assert committed == expected
    assert {"terraform/main.tf.json", "cloudformation/template.json"} <= set(committed)


# The images the jobs run, from AWS's published registry paths for us-east-1 ("Docker Registry Paths and Example
# Code", SageMaker developer guide: Scikit-learn and XGBoost, account 683313688378), written out here rather than
# taken from asl-gen's catalog.
IMAGES = {
    "preprocess": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3",
    "train": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
    "evaluate": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
    "model": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
}


def test_the_sagemaker_role_pulls_exactly_the_images_the_jobs_run() -> None:
    generated = generate(SPEC)
    definition = json.loads(generated.files["pipeline.asl.json"])
    used = {
        "preprocess": definition["States"]["Preprocess"]["Parameters"]["AppSpecification"]["ImageUri"],
        "train": definition["States"]["Train"]["Parameters"]["AlgorithmSpecification"]["TrainingImage"],
        "evaluate": definition["States"]["Evaluate"]["Parameters"]["AppSpecification"]["ImageUri"],
        "model": definition["States"]["Create Model"]["Parameters"]["PrimaryContainer"]["Image"],
    }
    assert used == IMAGES
    policy = json.loads(generated.files[SAGEMAKER_POLICY])
    [pull] = [s for s in policy["Statement"] if "ecr:BatchGetImage" in s["Action"]]
    repositories = {
        "arn:aws:ecr:us-east-1:683313688378:repository/sagemaker-scikit-learn",
        "arn:aws:ecr:us-east-1:683313688378:repository/sagemaker-xgboost",
    }
    assert set(pull["Resource"]) == repositories


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        # Reads: the code of both scripts, the raw data (roles.sagemaker.reads: it comes from the execution
        # input), the three splits, the models prefix (the evaluation's model and the model's artifacts).
        (
            "s3:GetObject",
            {
                "code/evaluate.py*",
                "code/preprocess.py*",
                "models*",
                "raw/*",
                "splits/test*",
                "splits/train*",
                "splits/validation*",
            },
        ),
        # Writes: the splits, the models, the evaluation report and the transform's scores.
        (
            "s3:PutObject",
            {"evaluation*", "models*", "scores*", "splits/test*", "splits/train*", "splits/validation*"},
        ),
    ],
)
def test_the_sagemaker_role_reads_and_writes_exactly_these_prefixes(action: str, expected: set[str]) -> None:
    policy = json.loads(generate(SPEC).files[SAGEMAKER_POLICY])
    granted = {
        resource.removeprefix("arn:aws:s3:::abalone-pipeline-data/")
        for statement in policy["Statement"]
        if action in statement["Action"]
        for resource in statement["Resource"]
    }
    assert granted == expected
