"""`asl-gen iam`: the Step Functions role's policy for definitions asl-gen did not write, or did."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from asl_gen.cli import main

from .conftest import REPO

OUT = REPO / "out" / "big-mart"
WHERE = ["--region", "us-east-1", "--account", "123456789012"]
ROLE = "arn:aws:iam::999988887777:role/reader"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _write(tmp_path: Path, name: str, definition: dict[str, Any]) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(definition, indent=2))
    return path


def _statements(output: str) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in json.loads(output)["Statement"]}


DISTRIBUTED = {
    "StartAt": "Each file",
    "States": {
        "Each file": {
            "Type": "Map",
            "ItemReader": {
                "Resource": "arn:aws:states:::s3:listObjectsV2",
                "Parameters": {"Bucket": "in-bucket", "Prefix": "batch/"},
            },
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "Train",
                "States": {
                    "Train": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::sagemaker:createTrainingJob.sync",
                        "Parameters": {
                            "TrainingJobName.$": "$.Key",
                            "RoleArn": "arn:aws:iam::123456789012:role/sm",
                        },
                        "Credentials": {"RoleArn": ROLE},
                        "End": True,
                    }
                },
            },
            "ResultWriter": {
                "Resource": "arn:aws:states:::s3:putObject",
                "Parameters": {"Bucket": "out-bucket", "Prefix": "results/"},
            },
            "End": True,
        }
    },
}


def test_the_committed_definitions_give_the_committed_policy(runner: CliRunner) -> None:
    """Derivation from files and from the spec are one code path: same definitions, same bytes."""
    files = sorted(str(p) for p in OUT.glob("*.asl.json"))
    result = runner.invoke(main, ["iam", *files, *WHERE])
    assert result.exit_code == 0, result.output
    assert result.stdout == (OUT / "iam" / "stepfunctions-policy.json").read_text()


def test_distributed_map_reader_writer_and_credentials(runner: CliRunner, tmp_path: Path) -> None:
    path = _write(tmp_path, "batch.asl.json", DISTRIBUTED)
    result = runner.invoke(main, ["iam", str(path), *WHERE])
    assert result.exit_code == 0, result.output
    found = _statements(result.stdout)
    machine = "arn:aws:states:us-east-1:123456789012:stateMachine:batch"
    assert found["StartMapRuns"]["Action"] == ["states:StartExecution"]
    assert found["StartMapRuns"]["Resource"] == machine
    states = "arn:aws:states:us-east-1:123456789012"
    # Standard children can be described, redriven and stopped; express children (labelled) only described.
    runs = {sid: s for sid, s in found.items() if sid.startswith("ManageMapRuns")}
    assert sorted((tuple(s["Action"]), json.dumps(s["Resource"])) for s in runs.values()) == [
        (("states:DescribeExecution",), json.dumps([f"{states}:execution:batch/*:*", f"{states}:express:batch/*:*:*"])),
        (("states:RedriveExecution", "states:StopExecution"), json.dumps(f"{states}:execution:batch/*:*")),
    ]
    assert found["ReadItems"]["Action"] == ["s3:ListBucket"]
    assert found["ReadItems"]["Resource"] == "arn:aws:s3:::in-bucket"
    assert found["WriteResults"]["Action"] == [
        "s3:AbortMultipartUpload",
        "s3:GetObject",
        "s3:ListMultipartUploadParts",
        "s3:PutObject",
    ]
    assert found["WriteResults"]["Resource"] == "arn:aws:s3:::out-bucket/results/*"
    assert found["AssumeTaskRoles"] == {
        "Sid": "AssumeTaskRoles",
        "Effect": "Allow",
        "Action": ["sts:AssumeRole"],
        "Resource": ROLE,
    }
    # The training job inside the processor is found, with its dynamic name scoped to the resource type.
    training = next(s for s in found.values() if "sagemaker:CreateTrainingJob" in s["Action"])
    assert training["Resource"] == "arn:aws:sagemaker:us-east-1:123456789012:training-job/*"


def test_name_sets_the_machine_arn_a_distributed_map_starts(runner: CliRunner, tmp_path: Path) -> None:
    path = _write(tmp_path, "batch.asl.json", DISTRIBUTED)
    result = runner.invoke(main, ["iam", str(path), *WHERE, "--name", "nightly-batch"])
    assert result.exit_code == 0, result.output
    found = _statements(result.stdout)
    assert found["StartMapRuns"]["Resource"] == "arn:aws:states:us-east-1:123456789012:stateMachine:nightly-batch"


def test_a_yaml_definition_is_read_too(runner: CliRunner, tmp_path: Path) -> None:
    yaml_text = "\n".join(
        [
            "StartAt: Notify",
            "States:",
            "  Notify:",
            "    Type: Task",
            "    Resource: arn:aws:states:::aws-sdk:sagemaker:describeTrainingJob",
            "    Parameters: {TrainingJobName: nightly}",
            "    End: true",
        ]
    )
    path = tmp_path / "lookup.asl.yaml"
    path.write_text(yaml_text + "\n")
    result = runner.invoke(main, ["iam", str(path), *WHERE])
    assert result.exit_code == 0, result.output
    (statement,) = json.loads(result.stdout)["Statement"]
    assert statement["Action"] == ["sagemaker:DescribeTrainingJob"]
    assert statement["Resource"] == "arn:aws:sagemaker:us-east-1:123456789012:training-job/nightly"


def _unknown_sdk_call() -> dict[str, Any]:
    return {
        "StartAt": "Poke",
        "States": {
            "Poke": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:widgets:pokeWidget",
                "Parameters": {"WidgetId": "w-1"},
                "End": True,
            }
        },
    }


def test_an_sdk_call_without_a_row_is_refused_with_its_line(runner: CliRunner, tmp_path: Path) -> None:
    path = _write(tmp_path, "poke.asl.json", _unknown_sdk_call())
    result = runner.invoke(main, ["iam", str(path), *WHERE])
    assert result.exit_code == 1
    assert result.stdout == ""
    line = result.stderr.splitlines()[0]
    # "Resource" is on line 6 of the indented file, its value at column 19.
    assert ":6:7: $.States.Poke.Resource: no IAM mapping for Resource" in line
    assert "will not grant it on '*'" in line
    assert "--resource" in line


def test_declared_resources_scope_an_sdk_call_without_a_row(runner: CliRunner, tmp_path: Path) -> None:
    call = _unknown_sdk_call()
    call["States"]["Poke"]["Resource"] = "arn:aws:states:::aws-sdk:kinesis:putRecord"
    path = _write(tmp_path, "poke.asl.json", call)
    arn = "arn:aws:kinesis:us-east-1:123456789012:stream/clicks"
    result = runner.invoke(main, ["iam", str(path), *WHERE, "--resource", f"Poke={arn}"])
    assert result.exit_code == 0, result.output
    (statement,) = json.loads(result.stdout)["Statement"]
    assert statement["Action"] == ["kinesis:PutRecord"]
    assert statement["Resource"] == arn


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--region", "us-east-9", "--account", "123456789012"], "--region 'us-east-9' is not an AWS region"),
        (["--region", "us-east-1", "--account", "1234"], "--account '1234' is not a 12-digit account ID"),
        ([*WHERE, "--resource", "Poke"], "--resource 'Poke' is not STATE=ARN (or STATE='*')"),
        ([*WHERE, "--kms-key", "alias/mine"], "--kms-key 'alias/mine' is not a KMS key ARN"),
    ],
)
def test_bad_options_are_usage_errors(runner: CliRunner, tmp_path: Path, arguments: list[str], message: str) -> None:
    path = _write(tmp_path, "poke.asl.json", _unknown_sdk_call())
    result = runner.invoke(main, ["iam", str(path), *arguments])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_an_invalid_definition_is_reported_not_derived(runner: CliRunner, tmp_path: Path) -> None:
    broken = {"StartAt": "Missing", "States": {"A": {"Type": "Pass", "End": True}}}
    path = _write(tmp_path, "broken.asl.json", broken)
    result = runner.invoke(main, ["iam", str(path), *WHERE])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "Missing" in result.stderr


def test_json_format_says_which_states_need_each_statement_and_why_any_is_on_star(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = _write(tmp_path, "batch.asl.json", DISTRIBUTED)
    result = runner.invoke(main, ["iam", str(path), *WHERE, "--logging", "--tracing", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    notes = {n["sid"]: n for n in report["statements"]}
    (used_by,) = notes["ReadItems"]["used_by"]
    assert used_by.endswith("batch.asl.json#$.States['Each file'].ItemReader")
    assert notes["DeliverLogs"]["unscoped_because"].startswith("CloudWatch Logs log-delivery actions")
    assert notes["SendTraces"]["unscoped_because"].startswith("X-Ray")
    star = [s for s in report["policy"]["Statement"] if s["Resource"] == "*"]
    assert {s["Sid"] for s in star} == {"DeliverLogs", "SendTraces"}
    for statement in star:
        assert notes[statement["Sid"]]["unscoped_because"], statement


def test_out_writes_the_policy_file(runner: CliRunner, tmp_path: Path) -> None:
    path = _write(tmp_path, "batch.asl.json", DISTRIBUTED)
    target = tmp_path / "iam" / "policy.json"
    result = runner.invoke(main, ["iam", str(path), *WHERE, "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "ReadItems" in _statements(target.read_text())


def _task(resource: str, parameters: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    state: dict[str, Any] = {"Type": "Task", "Resource": resource, **extra, "End": True}
    if parameters is not None:
        state["Parameters"] = parameters
    return {"StartAt": "Call", "States": {"Call": state}}


def _granted(output: str) -> set[tuple[str, str]]:
    found = set()
    for statement in json.loads(output)["Statement"]:
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        found |= {(action, resource) for action in statement["Action"] for resource in resources}
    return found


PLACEHOLDERS = _task(
    "arn:${AWS::Partition}:states:::dynamodb:getItem",
    {"TableName": "${OrdersTable}", "Key": {"id": {"S.$": "$.id"}}},
)


def test_placeholders_are_refused_without_the_option(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["iam", str(_write(tmp_path, "m.asl.json", PLACEHOLDERS)), *WHERE])
    assert result.exit_code == 1
    assert "${OrdersTable}" in result.output and "--placeholders" in result.output


def test_placeholders_are_scoped_like_paths_and_where_placeholders_get_region_and_account(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = _write(tmp_path, "m.asl.json", PLACEHOLDERS)
    result = runner.invoke(main, ["iam", str(path), *WHERE, "--placeholders"])
    assert result.exit_code == 0, result.output
    assert _granted(result.stdout) == {("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:123456789012:table/*")}
    result = runner.invoke(main, ["iam", str(path), *WHERE, "--placeholders", "--sub", "OrdersTable=Orders"])
    assert _granted(result.stdout) == {("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:123456789012:table/Orders")}
    # --placeholder NAME accepts only the names given.
    result = runner.invoke(
        main, ["iam", str(path), *WHERE, "--placeholder", "Other", "--placeholder", "AWS::Partition"]
    )
    assert result.exit_code == 1
    assert "OrdersTable" in result.output


def test_a_placeholder_resource_needs_its_value_and_a_lambda_arn_resource_invokes_that_function(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = _write(tmp_path, "m.asl.json", _task("${FnArn}"))
    refused = runner.invoke(main, ["iam", str(path), *WHERE, "--placeholders"])
    assert refused.exit_code == 1
    assert "--sub" in refused.output
    fn = "arn:aws:lambda:us-east-1:123456789012:function:resize"
    result = runner.invoke(main, ["iam", str(path), *WHERE, "--placeholders", "--sub", f"FnArn={fn}"])
    assert result.exit_code == 0, result.output
    assert _granted(result.stdout) == {("lambda:InvokeFunction", fn), ("lambda:InvokeFunction", f"{fn}:*")}


def test_a_regional_service_arn_is_the_same_call(runner: CliRunner, tmp_path: Path) -> None:
    definition = _task("arn:aws:states:us-east-1:123456789012:aws-sdk:s3:getObject", {"Bucket": "b-1", "Key": "k"})
    result = runner.invoke(main, ["iam", str(_write(tmp_path, "m.asl.json", definition)), *WHERE])
    assert result.exit_code == 0, result.output
    assert _granted(result.stdout) == {("s3:GetObject", "arn:aws:s3:::b-1/k")}


def test_a_jsonata_string_constant_is_a_literal(runner: CliRunner, tmp_path: Path) -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::states:startExecution",
                "Arguments": {"StateMachineArn": "{% 'arn:aws:states:us-east-1:123456789012:stateMachine:child2' %}"},
                "End": True,
            }
        },
    }
    result = runner.invoke(main, ["iam", str(_write(tmp_path, "m.asl.json", definition)), *WHERE])
    assert result.exit_code == 0, result.output
    assert _granted(result.stdout) == {
        ("states:StartExecution", "arn:aws:states:us-east-1:123456789012:stateMachine:child2")
    }


@pytest.mark.parametrize(
    "definition",
    [
        {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
        _task("arn:aws:states:us-east-1:123456789012:activity:review"),
    ],
    ids=["no-task", "activity"],
)
def test_a_definition_that_needs_no_permission_gets_no_policy_and_a_note(
    runner: CliRunner, tmp_path: Path, definition: dict[str, Any]
) -> None:
    path = _write(tmp_path, "m.asl.json", definition)
    result = runner.invoke(main, ["iam", str(path), *WHERE, "--out", str(tmp_path / "policy.json")])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "no policy" in result.stderr
    assert not (tmp_path / "policy.json").exists()
    data = runner.invoke(main, ["iam", str(path), *WHERE, "--format", "json"])
    assert json.loads(data.stdout)["policy"] is None


def test_distributed_map_inventory_prefix_listing_and_bucket_keys(runner: CliRunner, tmp_path: Path) -> None:
    definition = json.loads(json.dumps(DISTRIBUTED))
    state = definition["States"]["Each file"]
    state["ItemReader"] = {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "MANIFEST"},
        "Parameters": {"Bucket": "inventory", "Key": "src/config-1/2024-01-01T00-00Z/manifest.json"},
    }
    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    path = _write(tmp_path, "batch.asl.json", definition)
    result = runner.invoke(main, ["iam", str(path), *WHERE, "--resource", f"Each file={key}"])
    assert result.exit_code == 0, result.output
    granted = _granted(result.stdout)
    assert ("s3:GetObject", "arn:aws:s3:::inventory/src/config-1/2024-01-01T00-00Z/manifest.json") in granted
    assert ("s3:GetObject", "arn:aws:s3:::inventory/src/config-1/data/*") in granted
    assert {("kms:Decrypt", key), ("kms:GenerateDataKey", key)} <= granted
    listing = _statements(runner.invoke(main, ["iam", str(_write(tmp_path, "l.asl.json", DISTRIBUTED)), *WHERE]).stdout)
    read = next(s for s in listing.values() if s["Action"] == ["s3:ListBucket"])
    assert read["Condition"] == {"StringLike": {"s3:prefix": "batch/*"}}
