"""The SageMaker rows of the integration table: exact statements per row and pattern, against reviewed golden
files (tests/services/sagemaker/*.json, regenerated with --update-golden). tests/test_services.py does the same
for every other service.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from asl_gen import integrations
from asl_gen.iam import state_machine_statements
from asl_gen.plan import Target

from .test_services import _statement_record

GOLDEN = Path(__file__).parent / "services" / "sagemaker"
TARGET = Target("aws", "us-east-1", "123456789012")
ROLE = "arn:aws:iam::123456789012:role/churn-sagemaker"
PATTERN_SUFFIX = {"": "", ".sync": ".sync", ".sync:2": ".sync2", ".waitForTaskToken": ".waitForTaskToken"}

# Literal requests, trimmed to what IAM derivation reads; mixed case shows the lowercasing of SageMaker ARNs.
LITERALS: dict[str, dict[str, Any]] = {
    "sagemaker:createTrainingJob": {"TrainingJobName": "Churn-Train", "RoleArn": ROLE},
    "sagemaker:createProcessingJob": {"ProcessingJobName": "Churn-Prep", "RoleArn": ROLE},
    "sagemaker:createLabelingJob": {"LabelingJobName": "Cars-Label", "RoleArn": ROLE},
    "sagemaker:createTransformJob": {"TransformJobName": "Churn-Score", "ModelName": "churn"},
    "sagemaker:createModel": {"ModelName": "Churn-Model", "ExecutionRoleArn": ROLE},
    "sagemaker:createEndpointConfig": {"EndpointConfigName": "Churn-Config", "ProductionVariants": []},
    "sagemaker:createEndpoint": {"EndpointName": "Churn", "EndpointConfigName": "Churn-Config"},
    "sagemaker:updateEndpoint": {"EndpointName": "Churn", "EndpointConfigName": "Churn-Config-2"},
    "aws-sdk:sagemaker:describeTrainingJob": {"TrainingJobName": "Churn-Train"},
    "aws-sdk:sagemaker:createModelPackage": {
        "ModelPackageGroupName": "Churn-Models",
        "ModelApprovalStatus": "Approved",
    },
    "sagemaker:createHyperParameterTuningJob": {
        "HyperParameterTuningJobName": "Churn-Tune",
        "TrainingJobDefinition": {"RoleArn": ROLE},
    },
}
TAGS = [{"Key": "team", "Value": "churn"}]


def _rows() -> dict[str, integrations.Integration]:
    return dict(integrations.BY_KEY)


def _cases() -> list[tuple[str, str, dict[str, Any]]]:
    cases = []
    for key, row in sorted(_rows().items()):
        request = LITERALS.get(key, {})
        for pattern in sorted(row.patterns):
            name = key.replace(":", ".") + PATTERN_SUFFIX[pattern]
            cases.append((name, f"arn:aws:states:::{key}{pattern}", request))
        if any(g.when_parameter == "Tags" for g in row.grants):
            cases.append((key.replace(":", ".") + "--tags", f"arn:aws:states:::{key}", {**request, "Tags": TAGS}))
        # Every name from the execution input: the resource type, in this region and account.
        dynamic = {
            (k + ".$" if k.endswith("Name") else k): (f"$.{k}" if k.endswith("Name") else v) for k, v in request.items()
        }
        cases.append((key.replace(":", ".") + "--dynamic", f"arn:aws:states:::{key}", dynamic))
    return cases


CASES = _cases()


def _record(resource: str, request: dict[str, Any]) -> dict[str, Any]:
    task = {"Type": "Task", "Resource": resource, "Parameters": request, "End": True}
    statements = state_machine_statements({"m": {"StartAt": "T", "States": {"T": task}}}, TARGET)
    return {"Task": task, "Statements": [_statement_record(s) for s in statements]}


@pytest.mark.parametrize(("name", "resource", "request_"), CASES, ids=[c[0] for c in CASES])
def test_statements_match_the_reviewed_golden_file(
    name: str, resource: str, request_: dict[str, Any], update_golden: bool
) -> None:
    text = json.dumps(_record(resource, request_), indent=2) + "\n"
    path = GOLDEN / f"{name}.json"
    if update_golden:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"no golden file {path.name} (rerun with --update-golden and review it)"
    assert text == path.read_text(encoding="utf-8"), f"{path.name} differs (rerun with --update-golden, review)"


def test_every_sagemaker_row_has_a_literal_request_and_no_stale_golden_file() -> None:
    assert set(LITERALS) == set(_rows()), "a SageMaker row without a literal request here"
    assert {p.stem for p in GOLDEN.glob("*.json")} == {c[0] for c in CASES}, "stale or missing golden files"


def test_no_sagemaker_grant_is_on_any_resource() -> None:
    for name, resource, request in CASES:
        for statement in _record(resource, request)["Statements"]:
            assert "*" not in statement["Resource"], (name, statement)


def test_transform_jobs_pass_no_role() -> None:
    """CreateTransformJob takes no role (the model's is used): unlike CDK, no PassRole for it."""
    for pattern in ("", ".sync"):
        statements = _record(
            f"arn:aws:states:::sagemaker:createTransformJob{pattern}", LITERALS["sagemaker:createTransformJob"]
        )
        assert not any("iam:PassRole" in s["Action"] for s in statements["Statements"])
