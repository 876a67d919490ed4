"""Terraform and CloudFormation targets: written only when asked, wired to the documents beside them, and clean
under the tools' own validators (`terraform validate` offline from a provider mirror, `cfn-lint`)."""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from asl_gen import catalog, placeholders
from asl_gen.build import (
    SAGEMAKER_POLICY,
    SAGEMAKER_TRUST,
    STEPFUNCTIONS_POLICY,
    STEPFUNCTIONS_TRUST,
    Generated,
    generate,
)
from asl_gen.catalog_processing import tables as catalog_data
from asl_gen.cli import main
from asl_gen.errors import SpecError, ValidationFailure
from asl_gen.spec import load_spec
from asl_gen.targets import (
    CLOUDFORMATION_TEMPLATE,
    TERRAFORM_MAIN,
    TERRAFORM_OUTPUTS,
    TERRAFORM_VARIABLES,
    cloudformation_identifier,
    terraform_identifier,
)
from asl_gen.targets.terraform import hcl_literal

from .conftest import EXAMPLE, REPO

CASES = Path(__file__).parent / "cases"
TARGETS_CASE = CASES / "targets" / "spec.yaml"
TARGET_FILES = {TERRAFORM_MAIN, TERRAFORM_VARIABLES, TERRAFORM_OUTPUTS, CLOUDFORMATION_TEMPLATE}
# The provider mirror `terraform init` installs from offline; CI machines may keep it elsewhere.
MIRROR = Path(os.environ.get("ASL_GEN_TF_MIRROR", "/opt/tf-plugins"))
FILE_CALL = re.compile(r'file\("\$\{path\.module\}/\.\./([^"]+)"\)')


def _every_spec() -> list[Path]:
    examples = sorted((REPO / "examples").glob("*/spec.yaml"))
    assert EXAMPLE in examples
    return [*examples, *sorted(p / "spec.yaml" for p in CASES.iterdir() if (p / "spec.yaml").is_file())]


@pytest.fixture(scope="module")
def all_targets() -> dict[str, Generated]:
    """Every bundled spec with both targets, by its folder's name (two cases share a project name)."""
    return {spec.parent.name: generate(spec, target=["terraform", "cloudformation"]) for spec in _every_spec()}


def _write(generated: Mapping[str, Generated], folder: Path) -> Path:
    for name, g in generated.items():
        for path, text in g.files.items():
            target = folder / name / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    return folder


def _spec_with(tmp_path: Path, text: str, old: str, new: str) -> Path:
    assert old in text
    path = tmp_path / "spec.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------------------
# Which targets are written


def test_no_target_writes_no_target_files() -> None:
    assert not TARGET_FILES & set(generate(EXAMPLE, target=[]).files)
    assert not TARGET_FILES & set(generate(REPO / "tests" / "cases" / "china" / "spec.yaml").files)


def test_spec_targets_write_both_and_the_command_line_replaces_them() -> None:
    assert set(generate(TARGETS_CASE).files) >= TARGET_FILES
    assert not TARGET_FILES & set(generate(TARGETS_CASE, target=[]).files)
    only_terraform = set(generate(TARGETS_CASE, target=["terraform"]).files)
    assert {TERRAFORM_MAIN, TERRAFORM_VARIABLES, TERRAFORM_OUTPUTS} <= only_terraform
    assert CLOUDFORMATION_TEMPLATE not in only_terraform
    assert set(generate(EXAMPLE, target=["cloudformation"]).files) & TARGET_FILES == {CLOUDFORMATION_TEMPLATE}


def test_target_files_leave_the_other_files_byte_identical() -> None:
    plain = generate(EXAMPLE, target=[]).files
    with_targets = generate(EXAMPLE, target=["terraform", "cloudformation"]).files
    assert {p: t for p, t in with_targets.items() if p not in TARGET_FILES} == plain


def test_cli_target_option_builds_checks_and_removes_targets(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "out"
    both = ["--target", "terraform", "--target", "cloudformation"]
    result = runner.invoke(main, ["build", str(EXAMPLE), "--out", str(out), *both])
    assert result.exit_code == 0, result.output
    assert (out / "big-mart" / "terraform" / "main.tf.json").is_file()
    assert (out / "big-mart" / "cloudformation" / "template.json").is_file()
    assert runner.invoke(main, ["check", str(EXAMPLE), "--out", str(out), *both]).exit_code == 0
    # --target none removes what the spec asks for: check reports the target files as stale.
    stale = runner.invoke(main, ["check", str(EXAMPLE), "--out", str(out), "--target", "none"])
    assert stale.exit_code == 1
    assert "terraform/main.tf.json: stale" in stale.output
    # A changed target file is caught like any other generated file.
    main_tf = out / "big-mart" / "terraform" / "main.tf.json"
    main_tf.write_text(main_tf.read_text(encoding="utf-8").replace("STANDARD", "EXPRESS"), encoding="utf-8")
    changed = runner.invoke(main, ["check", str(EXAMPLE), "--out", str(out), *both])
    assert changed.exit_code == 1 and "terraform/main.tf.json: out of date" in changed.output
    assert runner.invoke(main, ["build", str(EXAMPLE), "--out", str(out), "--target", "none"]).exit_code == 0
    left = {p.relative_to(out / "big-mart").as_posix() for p in (out / "big-mart").rglob("*") if p.is_file()}
    assert not left & TARGET_FILES


def test_cli_target_none_with_another_target_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["build", str(EXAMPLE), "--out", str(tmp_path), "--target", "none", "--target", "terraform"]
    )
    assert result.exit_code == 2
    assert "--target none cannot be combined" in result.output


# ---------------------------------------------------------------------------------------------------------
# Spec settings


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("retention_days: 30", "retention_days: 31", "state_machines.train-and-register.logging.retention_days"),
        ("    alias: live\n", "    alias: '1234'\n", "state_machines.train-and-register.alias"),
        ("    publish: true\n", "    publish: false\n", "set publish: true too"),
        ("targets: [terraform, cloudformation]", "targets: [terraform, terraform]", "each target may be listed once"),
        ("targets: [terraform, cloudformation]", "targets: [pulumi]", "targets.0"),
        ("    type: EXPRESS\n", "    type: express\n", "state_machines.register.type"),
    ],
)
def test_invalid_target_settings_are_located_spec_errors(tmp_path: Path, old: str, new: str, message: str) -> None:
    spec = _spec_with(tmp_path, TARGETS_CASE.read_text(encoding="utf-8"), old, new)
    with pytest.raises(SpecError) as raised:
        generate(spec)
    text = "\n".join(str(p) for p in raised.value.problems)
    assert message in text, text


def test_an_express_machine_that_waits_for_a_job_is_a_spec_error_at_its_type(tmp_path: Path) -> None:
    spec = _spec_with(
        tmp_path, TARGETS_CASE.read_text(encoding="utf-8"), "    steps: [model]\n", "    steps: [train]\n"
    )
    with pytest.raises(SpecError) as raised:
        generate(spec)
    (problem,) = raised.value.problems
    assert problem.pointer == "state_machines.register.type"
    assert problem.line is not None
    assert "createTrainingJob.sync" in problem.message


# ---------------------------------------------------------------------------------------------------------
# Wiring: what the targets read is what the build writes


def test_terraform_reads_the_generated_files_and_copies_none(all_targets: dict[str, Generated]) -> None:
    for generated in all_targets.values():
        files = generated.files
        module = json.loads(files[TERRAFORM_MAIN])
        assert "provider" not in module
        assert module["terraform"]["required_providers"]["aws"] == {"source": "hashicorp/aws", "version": ">= 5.0"}
        read = set(FILE_CALL.findall(files[TERRAFORM_MAIN].replace('\\"', '"')))
        machines = {p for p in files if p.endswith(".asl.json")}
        created = "sagemaker" in module["resource"]["aws_iam_role"]
        assert read == machines | {STEPFUNCTIONS_POLICY, STEPFUNCTIONS_TRUST, SAGEMAKER_POLICY} | (
            {SAGEMAKER_TRUST} if created else set()
        )
        # No document's content is copied into the module.
        assert '"Statement"' not in files[TERRAFORM_MAIN] and '"StartAt"' not in files[TERRAFORM_MAIN]


def test_state_machine_names_are_the_ones_the_trust_policy_allows(all_targets: dict[str, Generated]) -> None:
    for generated in all_targets.values():
        files = generated.files
        trust = json.loads(files[STEPFUNCTIONS_TRUST])
        arns = trust["Statement"][0]["Condition"]["ArnLike"]["aws:SourceArn"]
        # A published machine's versions and aliases are `name:*` beside `name`.
        allowed = {a.split(":stateMachine:", 1)[1] for a in arns if not a.endswith(":*")}
        assert {a.removesuffix(":*") for a in arns} <= {a for a in arns if not a.endswith(":*")}
        module = json.loads(files[TERRAFORM_MAIN])
        assert {m["name"] for m in module["resource"]["aws_sfn_state_machine"].values()} == allowed
        template = json.loads(files[CLOUDFORMATION_TEMPLATE])
        names = {
            r["Properties"]["StateMachineName"]
            for r in template["Resources"].values()
            if r["Type"] == "AWS::StepFunctions::StateMachine"
        }
        assert names == allowed


# What CloudFormation would put in place of each pseudo parameter, in a region other than the specs' own.
_STACK = {
    "AWS::Partition": "aws",
    "AWS::Region": "eu-west-1",
    "AWS::AccountId": "444455556666",
    "AWS::URLSuffix": "amazonaws.com",
}


def _resolve(node: object, mappings: Mapping[str, Any]) -> object:
    """Evaluate the intrinsic functions the generated templates use, the way CloudFormation does."""
    if isinstance(node, list):
        return [_resolve(item, mappings) for item in node]
    if not isinstance(node, dict):
        return node
    if set(node) == {"Ref"} and node["Ref"] in _STACK:
        return _STACK[node["Ref"]]
    if set(node) == {"Fn::FindInMap"}:
        name, first, second = (_resolve(part, mappings) for part in node["Fn::FindInMap"])
        return mappings[str(name)][str(first)][str(second)]
    if set(node) == {"Fn::Sub"}:
        text, variables = node["Fn::Sub"]
        values = {k: _resolve(v, mappings) for k, v in variables.items()}
        return re.sub(r"\$\{(!?)([^}]*)\}", lambda m: "${" + m[2] + "}" if m[1] else str(values[m[2]]), text)
    return {key: _resolve(value, mappings) for key, value in node.items()}


def _deployed(text: str) -> object:
    """A written file as the same stack would deploy it: its placeholders filled with _STACK's values."""
    for name, pseudo in (("Partition", "AWS::Partition"), ("Region", "AWS::Region"), ("AccountId", "AWS::AccountId")):
        text = text.replace("${" + name + "}", _STACK[pseudo])
    text = text.replace("${DnsSuffix}", _STACK["AWS::URLSuffix"])
    text = text.replace("${RegistryXgboost}", catalog.registries("xgboost", "1.7-1")[_STACK["AWS::Region"]])
    for name, account in _framework_registries().items():
        text = text.replace("${" + name + "}", account)
    return json.loads(text)


@functools.cache
def _framework_registries() -> dict[str, str]:
    """Each framework image repository's registry placeholder and its account in the stack's region, from the
    processing catalog (one account per repository and region, whatever the version)."""
    found: dict[str, str] = {}
    for framework, table in catalog_data()["frameworks"].items():
        for config in table["versions"].values():
            for entry in config["bases"].values() if framework == "huggingface" else [config]:
                account = catalog_data()["registries"][entry["registries"]].get(_STACK["AWS::Region"])
                if account is not None:
                    found[placeholders.registry_name(entry["repository"])] = account
    return found


def test_cloudformation_embeds_exactly_the_written_documents(all_targets: dict[str, Generated]) -> None:
    """Evaluated as CloudFormation would, the stack's definitions and policies are the written files."""
    portable = 0
    for generated in all_targets.values():
        files = generated.files
        template = json.loads(files[CLOUDFORMATION_TEMPLATE])
        mappings = template.get("Mappings", {})
        resources = _resolve(template["Resources"], mappings)
        assert isinstance(resources, dict)
        role = resources["StepFunctionsRole"]["Properties"]
        assert role["AssumeRolePolicyDocument"] == _deployed(files[STEPFUNCTIONS_TRUST])
        assert [p["PolicyDocument"] for p in role["Policies"]] == [_deployed(files[STEPFUNCTIONS_POLICY])]
        if "SageMakerRole" in resources:
            created = resources["SageMakerRole"]["Properties"]
            assert created["AssumeRolePolicyDocument"] == _deployed(files[SAGEMAKER_TRUST])
            assert [p["PolicyDocument"] for p in created["Policies"]] == [_deployed(files[SAGEMAKER_POLICY])]
        else:
            sagemaker = resources["SageMakerRolePolicy"]
            assert sagemaker["Condition"] == "AttachingSageMakerPolicy"
            assert sagemaker["Properties"]["PolicyDocument"] == _deployed(files[SAGEMAKER_POLICY])
        machines = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::StepFunctions::StateMachine"]
        # The text is the file's, byte for byte; CloudFormation fills the placeholders from the substitutions.
        assert sorted(m["DefinitionString"] for m in machines) == sorted(
            t for p, t in files.items() if p.endswith(".asl.json")
        )
        for machine in machines:
            text = machine["DefinitionString"]
            for name, value in machine.get("DefinitionSubstitutions", {}).items():
                text = text.replace("${" + name + "}", str(value))
            assert "${" not in text or not machine.get("DefinitionSubstitutions")
            assert json.loads(text) == _deployed(machine["DefinitionString"])
        portable += "Mappings" in template
    assert portable >= 1, "a case should leave account and region open"


def test_settings_reach_both_targets() -> None:
    files = generate(TARGETS_CASE).files
    module = json.loads(files[TERRAFORM_MAIN])["resource"]
    logged = module["aws_sfn_state_machine"]["train_and_register"]
    assert logged["type"] == "STANDARD" and logged["publish"] is True
    assert logged["logging_configuration"] == {
        "log_destination": "${aws_cloudwatch_log_group.train_and_register.arn}:*",
        "include_execution_data": True,
        "level": "ALL",
    }
    assert logged["tracing_configuration"] == {"enabled": True}
    assert module["aws_cloudwatch_log_group"]["train_and_register"]["retention_in_days"] == 30
    assert module["aws_cloudwatch_log_group"]["train_and_register"]["name"] == (
        "/aws/vendedlogs/states/targets-train-and-register"
    )
    assert module["aws_sfn_alias"]["train_and_register"]["name"] == "live"
    express = module["aws_sfn_state_machine"]["register"]
    assert express["type"] == "EXPRESS"
    assert not {"publish", "logging_configuration", "tracing_configuration"} & set(express)
    assert set(module["aws_cloudwatch_log_group"]) == {"train_and_register"}

    resources = json.loads(files[CLOUDFORMATION_TEMPLATE])["Resources"]
    machine = resources["TrainAndRegisterStateMachine"]["Properties"]
    assert machine["StateMachineType"] == "STANDARD"
    assert machine["LoggingConfiguration"]["Level"] == "ALL"
    assert machine["TracingConfiguration"] == {"Enabled": True}
    assert resources["TrainAndRegisterLogGroup"]["Properties"]["RetentionInDays"] == 30
    assert resources["TrainAndRegisterAlias"]["Properties"]["Name"] == "live"
    assert resources["RegisterStateMachine"]["Properties"]["StateMachineType"] == "EXPRESS"
    assert machine["Tags"] == [{"Key": "project", "Value": "targets"}]


NO_SAGEMAKER = """\
project: notify
aws: {region: eu-west-1, account: "123456789012"}
roles:
  sagemaker: {arn: "arn:aws:iam::123456789012:role/notify-sagemaker"}
  stepfunctions: {name: notify-sfn}
targets: [terraform, cloudformation]
jobs:
  notify:
    type: call
    resource: sns:publish
    parameters: {TopicArn: "arn:aws:sns:eu-west-1:123456789012:news", Message: done}
state_machines:
  notify: [notify]
"""


def test_the_sagemaker_role_policy_is_attached_only_when_asked_and_only_when_there_is_one(tmp_path: Path) -> None:
    files = generate(TARGETS_CASE).files
    module = json.loads(files[TERRAFORM_MAIN])["resource"]["aws_iam_role_policy"]["sagemaker"]
    assert module["role"] == "targets-sagemaker"
    assert module["count"] == "${var.attach_sagemaker_policy ? 1 : 0}"
    assert json.loads(files[TERRAFORM_VARIABLES])["variable"]["attach_sagemaker_policy"]["default"] is False
    parameters = json.loads(files[CLOUDFORMATION_TEMPLATE])["Parameters"]
    assert parameters["AttachSageMakerPolicy"]["Default"] == "false"

    spec = tmp_path / "spec.yaml"
    spec.write_text(NO_SAGEMAKER, encoding="utf-8")
    files = generate(spec).files
    assert SAGEMAKER_POLICY not in files
    assert set(json.loads(files[TERRAFORM_MAIN])["resource"]["aws_iam_role_policy"]) == {"stepfunctions"}
    assert set(json.loads(files[TERRAFORM_VARIABLES])["variable"]) == {"tags"}
    template = json.loads(files[CLOUDFORMATION_TEMPLATE])
    assert "Parameters" not in template and "SageMakerRolePolicy" not in template["Resources"]


# ---------------------------------------------------------------------------------------------------------
# The build's own checks refuse broken target templates (nothing invalid is written)


def _override(tmp_path: Path, template: str, old: str, new: str) -> Path:
    folder = tmp_path / "templates"
    source = Path(__file__).resolve().parent.parent / "templates" / template
    text = source.read_text(encoding="utf-8")
    assert old in text
    (folder / template).parent.mkdir(parents=True, exist_ok=True)
    (folder / template).write_text(text.replace(old, new), encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("template", "old", "new", "message"),
    [
        (
            "terraform/main.tf.json.j2",
            "{{ module.policy | tojson }}",
            '"${file(\\"${path.module}/../iam/x.json\\")}"',
            "reads 'iam/x.json', which the build does not write",
        ),
        (
            "terraform/main.tf.json.j2",
            '"name": {{ machine.name | tojson }}',
            '"name": "other"',
            "state machine name 'other' is not one the trust policy allows",
        ),
        ("terraform/main.tf.json.j2", '  "resource": {', '  "provider": {"aws": {}},\n  "resource": {', "providers"),
        ("cloudformation/template.json.j2", '"StepFunctionsRole", "Arn"]}', '"Role", "Arn"]}', "refers to 'Role'"),
        (
            "cloudformation/template.json.j2",
            "{{ machine.definition_string | tojson }}",
            '"{}"',
            "DefinitionString is not the text of a generated definition",
        ),
        (
            "cloudformation/template.json.j2",
            "{{ machine.definition_string | tojson }}",
            "{}",
            "DefinitionString is not the text of a generated definition",
        ),
        ("cloudformation/template.json.j2", "{{ stack.policy | tojson }}", "{}", "Policies differ"),
        ("cloudformation/template.json.j2", "{{ stack.trust_policy | tojson }}", "{}", "AssumeRolePolicyDocument"),
        ("cloudformation/template.json.j2", "{{ stack.sagemaker.policy | tojson }}", "{}", "PolicyDocument differs"),
        ("cloudformation/template.json.j2", '{"Ref": "AttachSageMakerPolicy"}', '{"Ref": "Attach"}', "'Attach'"),
        ("cloudformation/template.json.j2", '"Resources": {', '"Resources": {}, "Elsewhere": {', "needs Resources"),
    ],
)
def test_a_broken_target_template_fails_the_build(
    tmp_path: Path, template: str, old: str, new: str, message: str
) -> None:
    folder = _override(tmp_path, template, old, new)
    with pytest.raises(ValidationFailure) as raised:
        generate(TARGETS_CASE, templates=folder)
    text = "\n".join(str(p) for p in raised.value.problems)
    assert message in text, text


# ---------------------------------------------------------------------------------------------------------
# The tools' own validators


def _terraform_env(tmp_path: Path) -> dict[str, str]:
    if shutil.which("terraform") is None:
        pytest.skip("terraform is not on PATH")
    if not (MIRROR / "registry.terraform.io" / "hashicorp" / "aws").is_dir():
        pytest.skip(f"no AWS provider in the Terraform mirror {MIRROR} (set ASL_GEN_TF_MIRROR)")
    config = tmp_path / "terraformrc"
    config.write_text(
        "provider_installation {\n"
        f"  filesystem_mirror {{\n    path    = {json.dumps(str(MIRROR))}\n"
        '    include = ["registry.terraform.io/*/*"]\n  }\n'
        '  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n}\n',
        encoding="utf-8",
    )
    return {
        **os.environ,
        "TF_CLI_CONFIG_FILE": str(config),
        "TF_IN_AUTOMATION": "1",
        "CHECKPOINT_DISABLE": "1",
        "TF_DATA_DIR": str(tmp_path / "tfdata"),
    }


def _terraform(root: Path, env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["terraform", f"-chdir={root}", *args],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def terraform_root(
    all_targets: dict[str, Generated], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, dict[str, str]]]:
    """A root module using every generated module, the way a user would (a relative `source`), initialised."""
    tmp_path = tmp_path_factory.mktemp("terraform")
    env = _terraform_env(tmp_path)
    root = tmp_path / "root"
    _write(all_targets, root / "out")
    blocks = ['provider "aws" {\n  region = "us-east-1"\n}\n']
    for name in sorted(all_targets):
        blocks.append(f'module "{name.replace("-", "_")}" {{\n  source = "./out/{name}/terraform"\n}}\n')
    (root / "main.tf").write_text("\n".join(blocks), encoding="utf-8")
    started = time.perf_counter()
    init = _terraform(root, env, "init", "-input=false", "-no-color", "-backend=false")
    assert init.returncode == 0, init.stdout + init.stderr
    print(f"terraform init: {time.perf_counter() - started:.1f} s")
    yield root, env


def test_terraform_validate_passes_on_every_generated_module(terraform_root: tuple[Path, dict[str, str]]) -> None:
    root, env = terraform_root
    result = _terraform(root, env, "validate", "-json", "-no-color")
    report = json.loads(result.stdout)
    assert report["valid"] and report["error_count"] == 0 and report["warning_count"] == 0, result.stdout
    assert result.returncode == 0


def test_terraform_validate_fails_when_a_file_the_module_reads_is_missing(
    terraform_root: tuple[Path, dict[str, str]],
) -> None:
    """Proof that validate reads the files: without a definition the module is invalid."""
    root, env = terraform_root
    definition = root / "out" / "targets" / "register.asl.json"
    saved = definition.read_bytes()
    definition.unlink()
    try:
        result = _terraform(root, env, "validate", "-json", "-no-color")
    finally:
        definition.write_bytes(saved)
    report = json.loads(result.stdout)
    assert not report["valid"]
    assert any("register.asl.json" in d.get("detail", "") for d in report["diagnostics"]), result.stdout


def _cfn_lint(templates: Mapping[Path, list[str]], folder: Path) -> list[dict[str, Any]]:
    """cfn-lint's findings on each template in the regions given for it, in one process: cfn-lint's start-up
    (a second or two, loading its schemas) is most of the cost of a run, and `--regions` would set one list for
    every template. Each template is linted as a copy whose `Metadata` carries cfn-lint's own per-template
    setting (`cfn-lint: config: regions`), which replaces `--regions` for that template."""
    if shutil.which("cfn-lint") is None:
        pytest.skip("cfn-lint is not on PATH")
    copies = []
    for index, (path, regions) in enumerate(templates.items()):
        template = json.loads(path.read_text(encoding="utf-8"))
        assert "cfn-lint" not in template.get("Metadata", {}), f"{path} sets cfn-lint options of its own"
        template.setdefault("Metadata", {})["cfn-lint"] = {"config": {"regions": regions}}
        copy = folder / f"{index}-{path.parent.parent.name}.json"
        copy.write_text(json.dumps(template, indent=1), encoding="utf-8")
        copies.append(copy)
    result = subprocess.run(
        ["cfn-lint", "--format", "json", "--", *map(str, copies)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    findings: list[dict[str, Any]] = json.loads(result.stdout or "[]")
    assert findings or result.returncode == 0, result.stderr
    return findings


def test_cfn_lint_reports_nothing_on_any_generated_template(all_targets: dict[str, Generated], tmp_path: Path) -> None:
    out = _write(all_targets, tmp_path / "out")
    regions: dict[Path, list[str]] = {}
    for name, generated in all_targets.items():
        spec, _ = load_spec(Path(generated.spec_file))
        # A template for any region is linted in one region of each partition.
        chosen = [spec.aws.region] if spec.aws.region else ["us-east-1", "cn-north-1", "us-gov-west-1"]
        regions[out / name / CLOUDFORMATION_TEMPLATE] = chosen
    linted = {region for chosen in regions.values() for region in chosen}
    assert "cn-north-1" in linted, "the aws-cn case should be linted in its own partition"
    assert "us-gov-west-1" in linted, "the portable case should be linted in every partition"
    assert _cfn_lint(regions, tmp_path) == []


def test_cfn_lint_finds_a_broken_template(all_targets: dict[str, Generated], tmp_path: Path) -> None:
    """Proof the lint runs on each template given, in the regions given for it: a state machine with an unknown
    type is reported in the broken template alone, and a resource type missing from one region of a template's
    list is reported in that region alone."""
    template = json.loads(generate(TARGETS_CASE).files[CLOUDFORMATION_TEMPLATE])
    template["Resources"]["RegisterStateMachine"]["Properties"]["StateMachineType"] = "FAST"
    broken = tmp_path / "broken" / "cloudformation" / "template.json"
    broken.parent.mkdir(parents=True)
    broken.write_text(json.dumps(template), encoding="utf-8")
    # Bedrock is not offered in the China partition (should cfn-lint's data ever say it is, take another type).
    regional = tmp_path / "regional" / "cloudformation" / "template.json"
    regional.parent.mkdir(parents=True)
    agent = {"Type": "AWS::Bedrock::Agent", "Properties": {"AgentName": "judge"}}
    regional.write_text(json.dumps({"Resources": {"Agent": agent}}), encoding="utf-8")
    sound = _write({"big-mart": all_targets["big-mart"]}, tmp_path / "out") / "big-mart" / CLOUDFORMATION_TEMPLATE
    findings = _cfn_lint(
        {sound: ["cn-north-1"], broken: ["us-east-1"], regional: ["us-east-1", "cn-north-1"]}, tmp_path
    )
    by_file: dict[str, list[str]] = {}
    for finding in findings:
        by_file.setdefault(Path(str(finding["Filename"])).name, []).append(str(finding["Message"]))
    assert set(by_file) == {"1-broken.json", "2-regional.json"}, findings
    assert all("'FAST'" in message for message in by_file["1-broken.json"]), findings
    assert by_file["2-regional.json"] == ["Resource type 'AWS::Bedrock::Agent' does not exist in 'cn-north-1'"]


def test_target_files_are_byte_identical_across_hash_seeds_and_folders(tmp_path: Path) -> None:
    repo = Path(__file__).resolve().parent.parent
    trees = []
    for seed, folder in (("0", "a"), ("4242", "b")):
        out = tmp_path / folder / "out"
        out.parent.mkdir()
        subprocess.run(
            [sys.executable, "-m", "asl_gen", "build", str(TARGETS_CASE), "--out", str(out)],
            cwd=out.parent,
            env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(repo)},
            check=True,
            capture_output=True,
        )
        trees.append({p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()})
    assert trees[0] == trees[1]
    for name, data in trees[0].items():
        assert str(tmp_path).encode() not in data and str(repo).encode() not in data, name


def test_terraform_literals_are_escaped_and_identifiers_are_valid() -> None:
    assert hcl_literal("a${b}%{c}") == "a$${b}%%{c}"
    assert terraform_identifier("save-model") == "save_model"
    assert terraform_identifier("2024-run") == "_2024_run"
    taken: set[str] = set()
    assert [cloudformation_identifier(k, taken) for k in ("a-1", "a1", "save-model")] == ["A1", "A12", "SaveModel"]
