"""Every mistake a user makes in a spec gives one located line, exit 2, no traceback, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from asl_gen.cli import main

from .conftest import EXAMPLE
from .spec_mistakes import refused

# (what the user got wrong, text replaced in the example, replacement, the exact message expected)
MISTAKES = [
    (
        # SageMaker's own pattern bounds the letters and digits, not the hyphens: length is part of the name check.
        "literal name over 63 characters with hyphens",
        "    name: {input: EndpointName}",
        "    name: " + "-".join(["big-mart-endpoint"] * 4),
        "spec.yaml:57:11: jobs.endpoint.name: 'big-mart-endpoint-big-mart-endpoint-big-mart-endpoint-big-mart-endpoint'"
        " is not a SageMaker name: at most 63 letters, digits and hyphens, starting and ending with a letter or digit",
    ),
    (
        "misspelt instance type",
        "ml.m5.xlarge",
        "ml.m5.xl",
        "spec.yaml:22:22: jobs.train.instance.type: 'ml.m5.xl' is not a SageMaker instance type "
        "(did you mean 'ml.m5.xlarge'?)",
    ),
    (
        "misspelt key",
        "  region: us-east-1",
        "  regoin: us-east-1",
        "spec.yaml:6:3: aws.regoin: unknown field 'regoin' (did you mean 'region'?)",
    ),
    (
        "unknown region",
        "region: us-east-1",
        "region: us-east1",
        "spec.yaml:6:11: aws.region: 'us-east1' is not an AWS region (did you mean 'us-east-1'?)",
    ),
    (
        "account as a number",
        'account: "123456789012"',
        "account: 123456789012",
        'spec.yaml:7:12: aws.account: expected a string, got 123456789012 (quote it: account: "123456789012")',
    ),
    (
        "short account",
        'account: "123456789012"',
        'account: "12345"',
        "spec.yaml:7:12: aws.account: '12345' is not valid here (an account id is 12 digits, quoted)",
    ),
    (
        "misspelt job type",
        "type: training",
        "type: trainig",
        "spec.yaml:19:11: jobs.train.type: 'trainig' is not a job type (did you mean 'training'?)",
    ),
    (
        "reference to a missing job",
        "    from: train",
        "    from: trian",
        "spec.yaml:43:11: jobs.model.from: no job named 'trian' (did you mean 'train'?)",
    ),
    (
        "reference to a job of the wrong type",
        "    config: endpoint-config",
        "    config: model",
        "spec.yaml:56:13: jobs.endpoint.config: job 'model' is of type model, not endpoint-config "
        "(name a job of type endpoint-config)",
    ),
    (
        "bad S3 URI",
        "s3://slytherins-test/sagemaker/big-mart-pipeline/output",
        "slytherins-test/output",
        "spec.yaml:37:13: jobs.train.output: 'slytherins-test/output' is not an S3 URI "
        "(write it as s3://bucket/prefix)",
    ),
    (
        "bad bucket name",
        "s3://slytherins-test/sagemaker/big-mart-pipeline/train",
        "s3://Slytherins_Test/train",
        "spec.yaml:32:13: jobs.train.channels.train.s3: 'Slytherins_Test' is not a valid S3 bucket name "
        "(3-63 lowercase letters, digits, '.' and '-')",
    ),
    (
        "step naming a missing job",
        "  save-model: [model]",
        "  save-model: [modle]",
        "spec.yaml:60:16: state_machines.save-model.0: no job named 'modle' (did you mean 'model'?)",
    ),
    (
        "undeclared input",
        "    name: {input: EndpointName}",
        "    name: {input: EndpointNam}",
        "spec.yaml:57:19: jobs.endpoint.name.input: input 'EndpointNam' is not declared "
        "(add it under inputs: {EndpointNam: string})",
    ),
    (
        "unquoted version",
        'version: "1.7-1"',
        "version: 1.7",
        'spec.yaml:21:41: jobs.train.algorithm.version: expected a string, got 1.7 (quote it: version: "1.7-1")',
    ),
    (
        "unknown algorithm version",
        'version: "1.7-1"',
        'version: "1.7"',
        "spec.yaml:21:16: jobs.train.algorithm: built-in algorithm 'xgboost' has no version '1.7'",
    ),
    (
        "role given by name",
        "arn: arn:aws:iam::123456789012:role/big-mart-sagemaker",
        "arn: big-mart-sagemaker",
        "spec.yaml:10:10: roles.sagemaker.arn: 'big-mart-sagemaker' is not an IAM role ARN "
        "(arn:aws:iam::123456789012:role/name)",
    ),
    (
        "role of another account",
        "arn:aws:iam::123456789012:role/big-mart-sagemaker",
        "arn:aws:iam::999999999999:role/big-mart-sagemaker",
        "spec.yaml:10:10: roles.sagemaker.arn: the role belongs to account 999999999999, not 123456789012 "
        "(Step Functions can only pass a role of its own account to SageMaker)",
    ),
    (
        "zero instances",
        "count: 1, volume_gb: 30",
        "count: 0, volume_gb: 30",
        "spec.yaml:22:43: jobs.train.instance.count: 0 is out of range: input should be greater than or equal to 1",
    ),
    (
        "misspelt required field",
        "    channels:\n",
        "    chanels:\n",
        "spec.yaml:30:5: jobs.train.chanels: unknown field 'chanels' (did you mean 'channels'?)",
    ),
    (
        "missing required field",
        "    output: s3://slytherins-test/sagemaker/big-mart-pipeline/output\n",
        "",
        "spec.yaml:19:5: jobs.train.output: required field 'output' is missing (add output: ...)",
    ),
    (
        "name over SageMaker's limit",
        "    name: {input: ModelName}\n  endpoint-config",
        "    name: " + "m" * 64 + "\n  endpoint-config",
        "spec.yaml:44:11: jobs.model.name: '" + "m" * 64 + "' is not a SageMaker name: at most 63 letters, digits "
        "and hyphens, starting and ending with a letter or digit",
    ),
    (
        "hyperparameter that is not a scalar",
        "      num_round: 100",
        "      num_round: [1, 2]",
        "spec.yaml:26:18: jobs.train.hyperparameters.num_round: expected a string, a number or true/false, got a list",
    ),
    (
        "name of the wrong type",
        "    name: {input: ModelName}\n  endpoint-config",
        "    name: 42\n  endpoint-config",
        "spec.yaml:44:11: jobs.model.name: give the name as a string, {input: InputName} or {prefix: name-prefix}, "
        "not 42",
    ),
    (
        "state machine that is not a list",
        "  training: [train]",
        "  training: train",
        "spec.yaml:59:13: state_machines.training: give a list of job keys, or {steps: [...], comment: ...}, "
        "not 'train'",
    ),
    (
        "empty string",
        "        content_type: text/csv\n      validation",
        '        content_type: ""\n      validation',
        "spec.yaml:33:23: jobs.train.channels.train.content_type: must not be empty",
    ),
    (
        "bad project name",
        "project: big-mart",
        "project: Big_Mart",
        "spec.yaml:4:10: project: 'Big_Mart' is not valid here (use lowercase letters, digits and single hyphens, "
        "at most 40 characters)",
    ),
    (
        "unknown field in a job",
        "    from: train\n",
        "    from: train\n    typo_field: 1\n",
        "spec.yaml:44:5: jobs.model.typo_field: unknown field 'typo_field' (allowed here: catch, comment, "
        "environment, from, image, model_data, name, retry, state_name, tags, type, vpc)",
    ),
    (
        "both algorithm and image",
        "    instance: {type: ml.m5.xlarge",
        "    image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1\n    instance: {type: ml.m5.xlarge",
        "spec.yaml:19:5: jobs.train: give exactly one of 'algorithm' (a built-in by name and version) or 'image'",
    ),
    (
        "duplicate key",
        "  model:\n    type: model\n",
        "  model:\n    type: model\n    type: model\n",
        "spec.yaml:42:5: duplicate key 'type' (first at line 41) (keep one of them)",
    ),
    (
        "YAML syntax",
        "  train:\n    type: training",
        "  train:\n    type: training: x",
        "spec.yaml:19:19: not valid YAML or JSON: mapping values are not allowed here "
        "(fix the syntax at this position)",
    ),
    (
        "object-building tag",
        "project: big-mart",
        "project: !!python/object:os.system big-mart",
        "spec.yaml:4:10: YAML tag 'tag:yaml.org,2002:python/object:os.system' is not allowed "
        "(remove the tag; specs hold plain data only)",
    ),
    (
        "step whose source cannot be known",
        "    name: {input: ModelName}\n    variants",
        "    variants",
        "spec.yaml:61:12: state_machines.deploy.0: step 'endpoint' needs job 'endpoint-config', which does not run "
        "before it in state machine 'deploy', and 'endpoint-config' gets a new name in every execution (run "
        "'endpoint-config' earlier in this state machine, or name it from an input (name: {input: ...}) or a literal)",
    ),
    (
        "role ARN when the account is left open",
        '  account: "123456789012"\n',
        "",
        "spec.yaml:9:10: roles.sagemaker.arn: the role ARN names its account, which aws leaves open "
        "(give the role by name instead: roles.sagemaker.name: big-mart-sagemaker)",
    ),
    (
        "role given by ARN and by name",
        "    arn: arn:aws:iam::123456789012:role/big-mart-sagemaker",
        "    arn: arn:aws:iam::123456789012:role/big-mart-sagemaker\n    name: other",
        "spec.yaml:10:5: roles.sagemaker: give the role's arn or its name, not both and not neither",
    ),
    (
        "created role given by ARN",
        "    arn: arn:aws:iam::123456789012:role/big-mart-sagemaker",
        "    arn: arn:aws:iam::123456789012:role/big-mart-sagemaker\n    create: true",
        "spec.yaml:10:5: roles.sagemaker: a role asl-gen creates is given by name "
        "(create: true, name: my-sagemaker-role)",
    ),
    (
        "misspelt CloudFormation format",
        "targets: [terraform, cloudformation]",
        "targets: [terraform, cloudformation]\ncloudformation_format: yml",
        "spec.yaml:68:24: cloudformation_format: 'yml' is not allowed; expected 'json' or 'yaml' "
        "(did you mean 'yaml'?)",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), [m[1:] for m in MISTAKES], ids=[m[0] for m in MISTAKES])
def test_spec_mistake_gives_one_located_line(
    old: str, new: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem_lines = refused(EXAMPLE, [(old, new)], tmp_path, monkeypatch)
    assert any(line.startswith(expected) for line in problem_lines), "\n".join(problem_lines)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "spec.yaml: the file is empty"),
        (b"\xff\xfe\x00binary", "spec.yaml: not UTF-8 text"),
        (b"- just\n- a list\n", "spec.yaml:1:1: the spec must be a mapping"),
        (b"project: [unclosed\n", "spec.yaml:2:1: not valid YAML or JSON"),
    ],
    ids=["empty", "binary", "not a mapping", "unclosed"],
)
def test_unreadable_spec_files(content: bytes, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("spec.yaml").write_bytes(content)
    result = CliRunner().invoke(main, ["build", "spec.yaml", "--out", "out"])
    assert result.exit_code == 2
    assert result.output.splitlines()[0].startswith(expected), result.output
    assert not Path("out").exists()


def test_missing_spec_file_and_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("folder").mkdir()
    runner = CliRunner()
    missing = runner.invoke(main, ["build", "nope.yaml"])
    folder = runner.invoke(main, ["build", "folder"])
    assert missing.exit_code == 2 and "nope.yaml: file not found" in missing.output
    assert folder.exit_code == 2 and "folder: is a directory" in folder.output


def test_all_problems_are_reported_together(tmp_path: Path) -> None:
    text = EXAMPLE.read_text().replace("ml.m5.xlarge", "ml.m5.xl").replace("ml.m5.large", "ml.m5.lrge")
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    result = CliRunner().invoke(main, ["build", str(spec), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "ml.m5.xl'" in result.output and "ml.m5.lrge'" in result.output
    assert result.output.splitlines()[-1] == "2 problems found"


def test_json_spec_is_accepted(tmp_path: Path) -> None:
    import json

    import yaml

    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(yaml.safe_load(EXAMPLE.read_text()), indent=2))
    result = CliRunner().invoke(main, ["build", str(spec), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
