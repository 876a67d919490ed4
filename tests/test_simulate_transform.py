"""Simulation tests of transform steps: a map of transforms keeps three short fields per item, names each job
apart, and a failing transform fails the run after the failure notification."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

import pytest

from asl_gen.build import generate
from asl_gen.simulate import simulate_definition

CASE = Path(__file__).parent / "cases" / "transform" / "spec.yaml"
TOPIC = "arn:aws:sns:us-east-1:123456789012:transform-alerts"
BATCHES = [f"s3://transform-data/batches/{n}.csv" for n in ("a", "b", "c")]
SELECTED = {"TransformJobName", "TransformJobArn", "OutputPath"}


@functools.cache
def _definitions(spec: Path = CASE) -> dict[str, dict[str, Any]]:
    files = generate(spec).files
    return {
        path.removesuffix(".asl.json"): json.loads(text) for path, text in files.items() if path.endswith(".asl.json")
    }


def _described(name: str, uri: str, output: str) -> dict[str, Any]:
    """What a .sync transform answers with: DescribeTransformJob, the whole request again and more."""
    return {
        "TransformJobName": name,
        "TransformJobArn": f"arn:aws:sagemaker:us-east-1:123456789012:transform-job/{name}",
        "TransformJobStatus": "Completed",
        "ModelName": "transform-model-0",
        "MaxConcurrentTransforms": 1,
        "MaxPayloadInMB": 6,
        "BatchStrategy": "MultiRecord",
        "Environment": {f"VARIABLE_{i}": "x" * 100 for i in range(8)},
        "TransformInput": {
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": uri}},
            "ContentType": "text/csv",
            "SplitType": "Line",
        },
        "TransformOutput": {"S3OutputPath": output, "AssembleWith": "Line"},
        "TransformResources": {"InstanceType": "ml.m5.large", "InstanceCount": 1},
        "CreationTime": "2026-01-01T00:00:00Z",
        "TransformStartTime": "2026-01-01T00:05:00Z",
        "TransformEndTime": "2026-01-01T00:15:00Z",
        "DataProcessing": {"InputFilter": "$", "OutputFilter": "$", "JoinSource": "None"},
    }


def _mocks(batch_failure: int | None = None) -> dict[str, Any]:
    batch: dict[str, Any] = {
        str(i): {
            "Duration": 600 + 60 * i,
            "Return": _described(f"transform-batch-{i}", uri, "s3://transform-data/batch-scores"),
        }
        for i, uri in enumerate(BATCHES)
    }
    if batch_failure is not None:
        batch[str(batch_failure)] = {
            "Throw": {
                "Error": "States.TaskFailed",
                "Cause": '{"TransformJobStatus":"Failed","FailureReason":"ClientError: the model answered 500"}',
            }
        }
    return {
        "train": {
            "0": {
                "Duration": 1800,
                "Return": {
                    "TrainingJobName": "transform-train-0",
                    "TrainingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:training-job/transform-train-0",
                    "ModelArtifacts": {"S3ModelArtifacts": "s3://transform-data/models/transform-train-0/model.tar.gz"},
                },
            }
        },
        "Save Model": {"0": {"Return": {"ModelArn": "arn:aws:sagemaker:us-east-1:123456789012:model/m"}}},
        "Score Test Split": {
            "0": {
                "Duration": 900,
                "Return": _described(
                    "transform-test-0", "s3://transform-data/abalone/test", "s3://transform-data/abalone/scores"
                ),
            }
        },
        "Score Batch": batch,
        "Notify failure": {"0": {"Return": {"MessageId": "1"}}},
    }


def test_a_map_of_transforms_keeps_only_the_selected_fields_of_each_item() -> None:
    result = simulate_definition(_definitions()["pipeline"], {"Batches": BATCHES}, mocks=_mocks())
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.path == ["train", "Save Model", "Score Test Split", "Score Batches", *["Score Batch"] * 3]
    items = result.output["batches"]
    assert [item["item"] for item in items] == BATCHES
    assert [set(item) for item in items] == [{"item", "index", "score_batch"}] * 3
    assert [item["score_batch"] for item in items] == [
        {
            "TransformJobName": f"transform-batch-{i}",
            "TransformJobArn": f"arn:aws:sagemaker:us-east-1:123456789012:transform-job/transform-batch-{i}",
            "OutputPath": "s3://transform-data/batch-scores",
        }
        for i in range(3)
    ]
    assert set(result.output["score_test"]) == SELECTED
    # Each item of the map's result is a few hundred bytes, not the job's description (over a kilobyte here).
    described = len(json.dumps(_described("transform-batch-0", BATCHES[0], "s3://transform-data/batch-scores")))
    kept = max(len(json.dumps(item)) for item in items)
    assert kept < 400 < described
    # At that size a list of 256 KiB / 400 B = 655 batches fits in one state; the description would allow ~200.


def test_each_item_gets_a_job_name_of_its_own_and_the_model_made_before_the_map() -> None:
    result = simulate_definition(_definitions()["pipeline"], {"Batches": BATCHES}, mocks=_mocks())
    calls = result.calls_to("Score Batch")
    names = [c.parameters["TransformJobName"] for c in calls]
    assert len(set(names)) == 3
    assert all(re.fullmatch(r"transform-batch-[0-9a-f]{32}", n) for n in names), names
    assert all(len(n) <= 63 for n in names)
    model = result.calls_to("Save Model")[0].parameters["ModelName"]
    assert [c.parameters["ModelName"] for c in calls] == [model] * 3
    assert [c.parameters["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"] for c in calls] == BATCHES
    # The transform outside the map is named once per execution, by its own prefix.
    (test,) = result.calls_to("Score Test Split")
    assert re.fullmatch(r"transform-test-[0-9a-f]{32}", test.parameters["TransformJobName"])
    assert test.parameters["ModelName"] == model


def test_a_failing_transform_in_the_map_notifies_then_fails_the_run() -> None:
    result = simulate_definition(_definitions()["pipeline"], {"Batches": BATCHES}, mocks=_mocks(batch_failure=1))
    assert result.status == "FAILED"
    assert result.path[:4] == ["train", "Save Model", "Score Test Split", "Score Batches"]
    assert result.path[-2:] == ["Notify failure", "Failed"]
    assert result.error == "States.TaskFailed"
    assert "the model answered 500" in result.cause
    (notify,) = result.calls_to("Notify failure")
    assert notify.parameters["TopicArn"] == TOPIC


def test_a_request_response_transform_keeps_the_arn_and_reads_the_input() -> None:
    execution = {"ModelName": "churn-model-v3", "InputUri": "s3://transform-data/incoming/today.json"}
    mocks = {
        "Start Scoring": {
            "0": {"Return": {"TransformJobArn": "arn:aws:sagemaker:us-east-1:123456789012:transform-job/t"}}
        }
    }
    result = simulate_definition(_definitions()["rescore"], execution, mocks=mocks)
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.output["score_elsewhere"] == {
        "TransformJobArn": "arn:aws:sagemaker:us-east-1:123456789012:transform-job/t"
    }
    (call,) = result.calls_to("Start Scoring")
    assert call.parameters["ModelName"] == "churn-model-v3"
    assert call.parameters["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"] == execution["InputUri"]


def test_the_map_of_transforms_runs_the_same_in_a_jsonata_machine(tmp_path: Path) -> None:
    pytest.importorskip("jsonata")
    text = CASE.read_text().replace(
        "    steps: [train, model, score-test, batches]\n",
        "    steps: [train, model, score-test, batches]\n    query_language: JSONata\n",
    )
    (tmp_path / "spec.yaml").write_text(text)
    definition = _definitions(tmp_path / "spec.yaml")["pipeline"]
    assert definition["QueryLanguage"] == "JSONata"
    result = simulate_definition(definition, {"Batches": BATCHES}, mocks=_mocks())
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    names = [c.parameters["TransformJobName"] for c in result.calls_to("Score Batch")]
    assert len(set(names)) == 3 and all(re.fullmatch(r"transform-batch-[0-9a-f]{32}", n) for n in names), names
    assert [set(item["score_batch"]) for item in result.output["batches"]] == [SELECTED] * 3
