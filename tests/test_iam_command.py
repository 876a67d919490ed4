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
    # Standard children can be described and stopped; express children (labelled) only described.
    runs = {sid: s for sid, s in found.items() if sid.startswith("ManageMapRuns")}
    assert sorted((tuple(s["Action"]), json.dumps(s["Resource"])) for s in runs.values()) == [
        (("states:DescribeExecution",), json.dumps([f"{states}:execution:batch/*:*", f"{states}:express:batch/*:*:*"])),
        (("states:StopExecution",), json.dumps(f"{states}:execution:batch/*:*")),
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
