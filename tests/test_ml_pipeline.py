"""Issue 15's pipeline (tests/cases/ml-pipeline): processing → tuning → the best job → a gate on validation:auc →
register → model → a Map of transforms → deploy or update the endpoint and wait → notify on failure, written with
first-class steps only. The spec took 177 lines, 126 of them hand-written API parameters and raw ASL, before the
new step types; here it has no `call` or `asl` step, and its happy path is simulated end to end."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from asl_gen.build import generate
from asl_gen.lint import validate_definition
from asl_gen.simulate import simulate_definition

from . import test_judges as judges
from .conftest import REPO

SPEC = Path(__file__).parent / "cases" / "ml-pipeline" / "spec.yaml"
DATA = "s3://ml-pipeline-data"
BEST = "ml-tune-1a2b3c4d-017-5e6f7a8b"
ARTIFACTS = f"{DATA}/tuning/{BEST}/output/model.tar.gz"
# The simulator's execution ARN; the endpoint config's generated name is the prefix and the MD5 of it, and the
# status check compares the endpoint's config with it (an update SageMaker rolled back keeps the old one).
EXECUTION = "arn:aws:states:us-east-1:123456789012:execution:simulated:simulation"
CONFIG = "ml-config-" + hashlib.md5(EXECUTION.encode()).hexdigest()  # as States.Hash(..., 'MD5') makes it
INPUT = {"Batches": [f"{DATA}/batches/1.csv", f"{DATA}/batches/2.csv"], "EndpointName": "ml-pipeline"}


def _keys(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [*node, *(k for value in node.values() for k in _keys(value))]
    if isinstance(node, list):
        return [k for value in node for k in _keys(value)]
    return []


def test_the_pipeline_has_no_call_or_asl_step_and_no_hand_written_parameters() -> None:
    text = SPEC.read_text(encoding="utf-8")
    spec = yaml.safe_load(text)
    kinds = [job["type"] for job in spec["jobs"].values()]
    assert "call" not in kinds and "asl" not in kinds
    assert {"processing", "tuning", "quality-gate", "model-package", "model", "map", "transform"} <= set(kinds)
    assert {"endpoint-config", "endpoint"} <= set(kinds)
    # Hand-written API parameters live under a call step's `parameters` (or an asl step's `states`): none.
    assert not {"parameters", "states", "resource"} & set(_keys(spec["jobs"]))
    # The spec's size, blank lines and comments aside (the version had 177 lines).
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert len(lines) <= 90


def _tuned() -> dict[str, Any]:
    return {
        "HyperParameterTuningJobName": "ml-tune-1a2b3c4d",
        "HyperParameterTuningJobArn": (
            "arn:aws:sagemaker:us-east-1:123456789012:hyper-parameter-tuning-job/ml-tune-1a2b3c4d"
        ),
        "HyperParameterTuningJobStatus": "Completed",
        "BestTrainingJob": {
            "TrainingJobName": BEST,
            "FinalHyperParameterTuningJobObjectiveMetric": {"MetricName": "validation:auc", "Value": 0.91},
        },
    }


def _transformed(index: int) -> dict[str, Any]:
    return {
        "Duration": 600,
        "Return": {
            "TransformJobName": f"ml-score-{index}",
            "TransformJobArn": f"arn:aws:sagemaker:us-east-1:123456789012:transform-job/ml-score-{index}",
            "TransformJobStatus": "Completed",
            "TransformOutput": {"S3OutputPath": f"{DATA}/scores"},
        },
    }


MOCKS: dict[str, Any] = {
    "Preprocess": {
        "Duration": 300,
        "Return": {
            "ProcessingJobName": "ml-pipeline-preprocess-0",
            "ProcessingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:processing-job/ml-pipeline-preprocess-0",
            "ProcessingOutputConfig": {
                "Outputs": [
                    {"OutputName": "train", "S3Output": {"S3Uri": f"{DATA}/splits/train"}},
                    {"OutputName": "validation", "S3Output": {"S3Uri": f"{DATA}/splits/validation"}},
                ]
            },
        },
    },
    "Tune": {"Duration": 3600, "Return": _tuned()},
    "Tune: best job": {"Return": {"TrainingJobName": BEST, "ModelArtifacts": {"S3ModelArtifacts": ARTIFACTS}}},
    "Register Model": {
        "Return": {"ModelPackageArn": "arn:aws:sagemaker:us-east-1:123456789012:model-package/ml-pipeline-models/1"}
    },
    "Create Model": {"Return": {"ModelArn": "arn:aws:sagemaker:us-east-1:123456789012:model/ml-model-0"}},
    "Transform Batch": {"0": _transformed(0), "1": _transformed(1)},
    "Configure Endpoint": {
        "Return": {"EndpointConfigArn": "arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/c"}
    },
    "Deploy": {
        "Throw": {
            "Error": "SageMaker.SageMakerException",
            "Cause": 'Could not find endpoint "ml-pipeline". (Service: SageMaker, Status Code: 400)',
        }
    },
    "Deploy: create": {"Return": {"EndpointArn": "arn:aws:sagemaker:us-east-1:123456789012:endpoint/ml-pipeline"}},
    "Deploy: status": {
        "0": {"Return": {"EndpointStatus": "Creating", "EndpointConfigName": CONFIG}},
        "1": {"Return": {"EndpointStatus": "InService", "EndpointConfigName": CONFIG}},
    },
}


def test_the_happy_path_tunes_gates_registers_scores_and_deploys() -> None:
    definition = json.loads(generate(SPEC).files["pipeline.asl.json"])
    result = simulate_definition(definition, INPUT, mocks=MOCKS)
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    poll = ["Deploy: wait", "Deploy: count", "Deploy: status", "Deploy: in service?"]
    assert result.path == [
        "Preprocess",
        "Tune",
        "Tune: best job",
        "Good Enough",
        "Register Model",
        "Create Model",
        "Score Batches",
        "Transform Batch",
        "Transform Batch",
        "Configure Endpoint",
        "Deploy",
        "Deploy: not found?",
        "Deploy: create",
        *poll * 2,
        "Deploy: done",
    ]
    # The tuning job trains on the splits the processing step wrote.
    tuning = result.calls_to("Tune")[0].parameters
    channels = {
        c["ChannelName"]: c["DataSource"]["S3DataSource"]["S3Uri"]
        for c in tuning["TrainingJobDefinition"]["InputDataConfig"]
    }
    assert channels == {"train": f"{DATA}/splits/train", "validation": f"{DATA}/splits/validation"}
    assert tuning["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"] == {
        "Type": "Maximize",
        "MetricName": "validation:auc",
    }
    # The best job's artifacts are registered, made a model, and that model scores each batch and is deployed.
    assert result.calls_to("Tune: best job")[0].parameters == {"TrainingJobName": BEST}
    [container] = result.calls_to("Register Model")[0].parameters["InferenceSpecification"]["Containers"]
    assert container["ModelDataUrl"] == ARTIFACTS
    model = result.calls_to("Create Model")[0].parameters
    assert model["PrimaryContainer"]["ModelDataUrl"] == ARTIFACTS
    scored = result.calls_to("Transform Batch")
    assert [c.parameters["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"] for c in scored] == INPUT["Batches"]
    assert {c.parameters["ModelName"] for c in scored} == {model["ModelName"]}
    config = result.calls_to("Configure Endpoint")[0].parameters
    assert config["EndpointConfigName"] == CONFIG
    assert config["ProductionVariants"][0]["ModelName"] == model["ModelName"]
    assert result.calls_to("Deploy: create")[0].parameters == {
        "EndpointName": "ml-pipeline",
        "EndpointConfigName": config["EndpointConfigName"],
    }
    assert result.calls_to("Notify failure") == []


def test_a_best_auc_below_the_gate_stops_before_registering_and_notifies() -> None:
    definition = json.loads(generate(SPEC).files["pipeline.asl.json"])
    low = _tuned()
    low["BestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] = 0.8
    mocks = {**MOCKS, "Tune": {"Return": low}, "Notify failure": {"Return": {"MessageId": "m-1"}}}
    result = simulate_definition(definition, INPUT, mocks=mocks)
    assert (result.status, result.error) == ("FAILED", "QualityGate.Failed")
    assert result.path[-3:] == ["Good Enough: failed", "Notify failure", "Failed"]
    assert result.calls_to("Register Model") == []


JUDGED = [SPEC.parent / "expected" / "pipeline.asl.json", REPO / "out" / "abalone" / "pipeline.asl.json"]


@pytest.mark.parametrize("path", JUDGED, ids=["ml-pipeline", "abalone"])
def test_our_validator_statelint_and_asl_validator_accept_the_definitions(path: Path, tmp_path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert validate_definition(json.loads(text), source=path.name) == []
    file = judges._write(tmp_path, "definition.asl.json", text)
    run = judges._run([judges._tool("statelint"), str(file)])
    assert (run.returncode, run.output) == (0, ""), run.output
    run = judges._run([judges._asl_validator(), "--json-path", str(file)])
    assert run.returncode == 0, run.output


def test_a_processing_step_reads_the_best_training_jobs_model_by_reference(tmp_path: Path) -> None:
    """{from: tune} as a processing input: the best job's artifacts, from the tuning step's result; the SageMaker
    role already reads the tuning output prefix they lie under."""
    text = SPEC.read_text(encoding="utf-8").replace(
        "  good-enough:\n",
        "  evaluate:\n"
        "    type: processing\n"
        "    image: {framework: xgboost, version: '1.7-1'}\n"
        "    instance: {type: ml.m5.xlarge}\n"
        "    code: s3://ml-pipeline-data/code/evaluate.py\n"
        "    inputs: {model: {s3: {from: tune}}}\n"
        "  good-enough:\n",
    )
    text = text.replace("steps: [preprocess, tune, good-enough,", "steps: [preprocess, tune, evaluate, good-enough,")
    (tmp_path / "spec.yaml").write_text(text, encoding="utf-8")
    generated = generate(tmp_path / "spec.yaml")
    definition = json.loads(generated.files["pipeline.asl.json"])
    inputs = definition["States"]["evaluate"]["Parameters"]["ProcessingInputs"]
    assert inputs[1]["S3Input"]["S3Uri.$"] == "$.tune.BestTrainingJob.ModelDataUrl"
    assert definition["States"]["Tune: best job"]["Next"] == "evaluate"
    policy = json.loads(generated.files["iam/sagemaker-policy.json"])
    [reads] = [s for s in policy["Statement"] if s["Sid"] == "ReadData"]
    assert "arn:aws:s3:::ml-pipeline-data/tuning*" in reads["Resource"]
