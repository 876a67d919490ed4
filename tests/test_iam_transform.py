"""IAM of transform steps and endpoint config extras: what each role gets, and what it does not."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from asl_gen.build import STEPFUNCTIONS_POLICY, generate

CASES = Path(__file__).parent / "cases"
SAGEMAKER_POLICY = "iam/sagemaker-policy.json"


def _grants(files: dict[str, str], policy: str) -> dict[str, set[str]]:
    grants: dict[str, set[str]] = {}
    for statement in json.loads(files[policy])["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        for action in actions:
            grants.setdefault(action, set()).update(resources)
    return grants


def test_a_transform_of_a_model_made_elsewhere_passes_no_role_and_grants_the_sagemaker_role_nothing(
    tmp_path: Path,
) -> None:
    spec: dict[str, Any] = {
        "project": "rescore",
        "aws": {"region": "us-east-1", "account": "123456789012"},
        "roles": {"sagemaker": {"arn": "arn:aws:iam::123456789012:role/sm"}, "stepfunctions": {"name": "sfn"}},
        "inputs": {"ModelName": "string"},
        "jobs": {
            "score": {
                "type": "transform",
                "model_name": {"input": "ModelName"},
                "input": {"s3": "s3://rescore-data/in"},
                "output": {"s3": "s3://rescore-data/out"},
                "instance": {"type": "ml.m5.large"},
            }
        },
        "state_machines": {"flow": {"steps": ["score"]}},
    }
    (tmp_path / "spec.yaml").write_text(json.dumps(spec))
    files = generate(tmp_path / "spec.yaml").files
    grants = _grants(files, STEPFUNCTIONS_POLICY)
    # CreateTransformJob takes no role: the model's own execution role runs the job.
    assert "iam:PassRole" not in grants
    job = "arn:aws:sagemaker:us-east-1:123456789012:transform-job/rescore-score-*"
    for action in ("sagemaker:CreateTransformJob", "sagemaker:DescribeTransformJob", "sagemaker:StopTransformJob"):
        assert grants[action] == {job}, action
    assert grants["events:PutRule"] == {
        "arn:aws:events:us-east-1:123456789012:rule/StepFunctionsGetEventsForSageMakerTransformJobsRule"
    }
    # That role is not the spec's: nothing of the transform's data lands in the SageMaker role's policy.
    assert "rescore-data" not in files.get(SAGEMAKER_POLICY, "")


def test_the_sagemaker_role_reads_and_writes_what_the_model_steps_transforms_use() -> None:
    files = generate(CASES / "transform" / "spec.yaml").files
    grants = _grants(files, SAGEMAKER_POLICY)
    assert "arn:aws:s3:::transform-data/abalone/test*" in grants["s3:GetObject"]
    assert {
        "arn:aws:s3:::transform-data/abalone/scores*",
        "arn:aws:s3:::transform-data/batch-scores*",
    } <= grants["s3:PutObject"]
    # The model made elsewhere (the rescore machine's transform) runs as a role asl-gen does not know.
    assert not any("elsewhere" in r for resources in grants.values() for r in resources)
    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    assert grants["kms:GenerateDataKey"] == {key}


def test_endpoint_extras_grant_their_writes_topics_and_keys_to_the_sagemaker_role() -> None:
    files = generate(CASES / "endpoint-extras" / "spec.yaml").files
    grants = _grants(files, SAGEMAKER_POLICY)
    assert grants["s3:PutObject"] == {
        "arn:aws:s3:::extras-data/capture*",
        "arn:aws:s3:::extras-data/async/out*",
        "arn:aws:s3:::extras-data/async/errors*",
    }
    assert grants["sns:Publish"] == {
        "arn:aws:sns:eu-west-1:210987654321:inference-done",
        "arn:aws:sns:eu-west-1:210987654321:inference-failed",
    }
    assert grants["kms:Encrypt"] == {
        "arn:aws:kms:eu-west-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws:kms:eu-west-1:210987654321:key/0987dcba-12ab-34cd-56ef-1234567890ab",
    }
    # A serverless config adds nothing to either role beyond createEndpointConfig.
    sfn = _grants(files, STEPFUNCTIONS_POLICY)
    assert "sns:Publish" not in sfn
