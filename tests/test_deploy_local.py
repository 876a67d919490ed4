"""Deploy to a local AWS endpoint (moto's server on 127.0.0.1) and read back what was deployed.

Two kinds of test, named so the report says which ran:

* ``*_fixture`` - hand-written stand-ins in ``tests/deploy_fixtures/`` (one role, its inline policy, a log
  group and the ``pipeline`` state machine, all from the committed ``out/big-mart`` files; the Terraform one
  also publishes ``save-model`` with an alias). They prove the
  harness (``tests/localaws.py``) and always run when terraform / moto's server are present.
* ``*_generated`` - asl-gen's own ``out/big-mart/terraform/main.tf.json`` and
  ``out/big-mart/cloudformation/template.json``. They run when those files are committed and skip, saying
  so, until then.
* ``*_generated_every_option`` - the example spec with every deploy option (EXPRESS, logging with retention,
  tracing, publish, alias) built at test time with ``asl-gen build --target ...`` into a temporary folder,
  deployed with both tools, and checked for those options besides the files.

Every test checks that each deployed definition and policy is exactly (as parsed JSON) the committed file;
where a committed file carries ``${...}`` placeholders, each placeholder must stand for one value throughout
(:func:`json_matches`). Each deploy prints how long it took (``pytest -s`` shows it).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from asl_gen import catalog, placeholders
from tests.localaws import (
    ACCOUNT,
    REGION,
    LocalAWS,
    cloudformation_deploy,
    local_aws,
    terraform_apply,
    terraform_plan_changes,
    terraform_skip_reason,
)

REPO = Path(__file__).resolve().parent.parent
PROJECT = "big-mart"
OUT = REPO / "out" / PROJECT
FIXTURES = Path(__file__).resolve().parent / "deploy_fixtures"
GENERATED_TF = OUT / "terraform" / "main.tf.json"
GENERATED_CFN = OUT / "cloudformation" / "template.json"

pytest.importorskip("boto3", reason="boto3 (a test dependency that comes with moto) is not installed")


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAWS]:
    with local_aws() as endpoint:
        yield endpoint


@pytest.fixture
def fresh_aws(aws: LocalAWS) -> LocalAWS:
    """The endpoint, emptied: each test deploys into an account of its own."""
    aws.reset()
    return aws


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------------------- JSON comparison


def _pattern(template: str) -> tuple[re.Pattern[str], list[str]]:
    names: list[str] = []
    parts: list[str] = []
    pos = 0
    for match in re.finditer(r"\$\{([^}]+)\}", template):
        parts.append(re.escape(template[pos : match.start()]))
        parts.append("(.+?)")
        names.append(match.group(1))
        pos = match.end()
    parts.append(re.escape(template[pos:]))
    return re.compile("".join(parts), re.S), names


def json_matches(committed: Any, deployed: Any, bindings: dict[str, str] | None = None) -> bool:
    """``deployed`` is ``committed`` with each ``${name}`` placeholder filled, one value per name throughout.

    Without placeholders this is plain equality of parsed JSON.
    """
    bindings = {} if bindings is None else bindings
    if isinstance(committed, dict):
        return (
            isinstance(deployed, dict)
            and committed.keys() == deployed.keys()
            and all(json_matches(v, deployed[k], bindings) for k, v in committed.items())
        )
    if isinstance(committed, list):
        return (
            isinstance(deployed, list)
            and len(committed) == len(deployed)
            and all(json_matches(c, d, bindings) for c, d in zip(committed, deployed, strict=True))
        )
    if isinstance(committed, str) and "${" in committed and isinstance(deployed, str):
        regex, names = _pattern(committed)
        match = regex.fullmatch(deployed)
        if match is None:
            return False
        pairs = zip(names, match.groups(), strict=True)
        return all(bindings.setdefault(name, value) == value for name, value in pairs)
    return bool(committed == deployed and type(committed) is type(deployed))


def test_json_matches_placeholders() -> None:
    committed = {"A": "arn:${Partition}:states:${Region}:${AccountId}:x", "B": ["${AccountId}"]}
    assert json_matches(committed, {"A": "arn:aws:states:us-east-1:1:x", "B": ["1"]})
    assert not json_matches(committed, {"A": "arn:aws:states:us-east-1:1:x", "B": ["2"]})
    assert not json_matches({"A": 1}, {"A": True})
    assert json_matches(_load(OUT / "pipeline.asl.json"), _load(OUT / "pipeline.asl.json"))


# ---------------------------------------------------------------------------------------- deploy + read back


def _project_copy(tmp_path: Path, terraform_dir: Path | None = None, out: Path = OUT) -> Path:
    """A copy of ``out/big-mart`` (so Terraform writes nothing into the repo), optionally with a module in it."""
    project = tmp_path / out.name
    shutil.copytree(out, project, ignore=shutil.ignore_patterns(".terraform*", "terraform.tfstate*"))
    if terraform_dir is not None:
        shutil.rmtree(project / "terraform", ignore_errors=True)
        shutil.copytree(terraform_dir, project / "terraform")
    return project


def _report(label: str, seconds: float, detail: str = "") -> None:
    print(f"\n[deploy timing] {label}: {seconds:.1f} s{(' (' + detail + ')') if detail else ''}")


def _assert_fixture_deployed(aws: LocalAWS, prefix: str) -> None:
    """The fixture's one role, one policy, one log group and the pipeline, equal to the committed files."""
    machine = aws.state_machine(f"{prefix}-pipeline")
    assert machine["definition"] == _load(OUT / "pipeline.asl.json")
    assert machine["type"] == "STANDARD"
    role_name = f"{prefix}-stepfunctions"
    role = aws.role(role_name)
    assert machine["roleArn"] == role["Arn"]
    assert role["AssumeRolePolicyDocument"] == _load(OUT / "iam" / "stepfunctions-trust-policy.json")
    assert aws.role_policies(role_name) == {role_name: _load(OUT / "iam" / "stepfunctions-policy.json")}
    log_group = f"/aws/vendedlogs/states/{prefix}-pipeline"
    assert aws.log_groups(log_group)[log_group]["retentionInDays"] == 14
    logging = machine["loggingConfiguration"]
    assert logging["level"] == "ERROR"
    assert logging["includeExecutionData"] is True
    [destination] = logging["destinations"]
    assert log_group in destination["cloudWatchLogsLogGroup"]["logGroupArn"]


def _assert_generated_deployed(aws: LocalAWS, out: Path, sagemaker_role_expected: bool) -> None:
    """Every committed definition in ``out`` is deployed and so are its policies: matched by content, not name.

    A role's policies are its inline ones and the managed ones attached to it.
    """
    definitions = {p.name.removesuffix(".asl.json"): _load(p) for p in sorted(out.glob("*.asl.json"))}
    deployed = {name: aws.state_machine(arn) for name, arn in aws.state_machines().items()}
    roles = {name: aws.role(name) for name in aws.roles()}
    policies = {name: [*aws.role_policies(name).values(), *aws.role_attached_policies(name).values()] for name in roles}

    def roles_with(trust_file: str, policy_file: str) -> list[str]:
        trust, policy = _load(out / "iam" / trust_file), _load(out / "iam" / policy_file)
        with_trust = [n for n, r in roles.items() if json_matches(trust, r["AssumeRolePolicyDocument"])]
        assert with_trust, f"no deployed role has the committed iam/{trust_file}; roles: {sorted(roles)}"
        with_both = [n for n in with_trust if any(json_matches(policy, doc) for doc in policies[n])]
        assert with_both, f"no role with iam/{trust_file} carries the committed iam/{policy_file}"
        return with_both

    sfn_role_arns = {
        roles[n]["Arn"] for n in roles_with("stepfunctions-trust-policy.json", "stepfunctions-policy.json")
    }
    for key, definition in definitions.items():
        matching = [n for n, m in deployed.items() if json_matches(definition, m["definition"])]
        assert matching, f"{key}.asl.json is not deployed as committed; deployed: {sorted(deployed)}"
        for name in matching:
            assert deployed[name]["roleArn"] in sfn_role_arns, f"{name} runs as {deployed[name]['roleArn']}"
    assert len(deployed) == len(definitions), sorted(deployed)
    if sagemaker_role_expected:
        roles_with("sagemaker-trust-policy.json", "sagemaker-policy.json")


# ------------------------------------------------------------------------------------------------- Terraform


def _skip_without_terraform() -> None:
    reason = terraform_skip_reason()
    if reason:
        pytest.skip(reason)


def _fill_variables(module_dir: Path) -> dict[str, Any]:
    """Values for the module's variables that have no default: the local endpoint's account and region."""
    values: dict[str, Any] = {}
    for path in module_dir.glob("*.tf.json"):
        for name, spec in _load(path).get("variable", {}).items():
            if "default" in (spec or {}):
                continue
            lowered = name.lower()
            if "account" in lowered:
                values[name] = ACCOUNT
            elif "region" in lowered:
                values[name] = REGION
            elif "partition" in lowered:
                values[name] = "aws"
            else:
                pytest.fail(f"{path.name}: variable {name!r} has no default and the test cannot guess a value")
    return values


@pytest.mark.slow
def test_terraform_apply_fixture(fresh_aws: LocalAWS, tmp_path: Path) -> None:
    """Hand-written module (tests/deploy_fixtures/terraform) reading the committed out/big-mart files: role,
    inline policy, log group, the pipeline with logging, and save-model published with an alias."""
    _skip_without_terraform()
    project = _project_copy(tmp_path, FIXTURES / "terraform")
    result = terraform_apply(fresh_aws, project / "terraform", tmp_path / "root")
    _report(
        "terraform fixture (init + apply)",
        result.seconds,
        f"init {result.init_seconds:.1f} s, apply {result.apply_seconds:.1f} s",
    )
    assert result.outputs["role_name"] == "fixture-tf-stepfunctions"
    _assert_fixture_deployed(fresh_aws, "fixture-tf")
    machines = fresh_aws.state_machines()
    assert result.outputs["state_machine_arns"] == {
        "pipeline": machines["fixture-tf-pipeline"],
        "save-model": machines["fixture-tf-save-model"],
    }
    # publish = true and an alias: the provider read the version back through ListStateMachineVersions
    save_model = fresh_aws.state_machine("fixture-tf-save-model")
    assert save_model["definition"] == _load(OUT / "save-model.asl.json")
    sfn = fresh_aws.client("stepfunctions")
    versions = sfn.list_state_machine_versions(stateMachineArn=save_model["stateMachineArn"])
    assert [v["stateMachineVersionArn"] for v in versions["stateMachineVersions"]] == [
        result.outputs["save_model_version_arn"]
    ]
    alias = sfn.describe_state_machine_alias(stateMachineAliasArn=result.outputs["save_model_alias_arn"])
    assert alias["routingConfiguration"] == [
        {"stateMachineVersionArn": result.outputs["save_model_version_arn"], "weight": 100}
    ]
    tags = sfn.list_tags_for_resource(resourceArn=save_model["stateMachineArn"])["tags"]
    assert {"key": "project", "value": "big-mart"} in tags


def deploy_generated_terraform(
    aws: LocalAWS, out: Path, tmp_path: Path, variables: dict[str, Any] | None = None
) -> None:
    """``terraform apply`` of ``out/terraform`` (in a copy of ``out``) and the read-back checks."""
    _skip_without_terraform()
    project = _project_copy(tmp_path, out=out)
    module = project / "terraform"
    values = {**_fill_variables(module), **(variables or {})}
    result = terraform_apply(aws, module, tmp_path / "root", variables=values)
    _report(
        f"terraform generated {out.name} (init + apply)",
        result.seconds,
        f"init {result.init_seconds:.1f} s, apply {result.apply_seconds:.1f} s",
    )
    module_text = "".join(p.read_text(encoding="utf-8") for p in module.glob("*.tf*"))
    # the module creates the SageMaker role only when the spec asks for it: then it reads its trust policy
    _assert_generated_deployed(aws, project, sagemaker_role_expected="sagemaker-trust-policy.json" in module_text)
    # a second plan changes nothing: what the provider read back is what the module set
    start = time.monotonic()
    changes = terraform_plan_changes(aws, tmp_path / "root")
    _report(f"terraform generated {out.name} (plan after apply)", time.monotonic() - start)
    assert changes is None, f"terraform plan after apply wants changes:\n{changes}"


@pytest.mark.slow
@pytest.mark.skipif(not GENERATED_TF.exists(), reason=f"{GENERATED_TF.relative_to(REPO)} not generated yet")
def test_terraform_apply_generated(fresh_aws: LocalAWS, tmp_path: Path) -> None:
    """asl-gen's out/big-mart/terraform module, as committed, deployed with no edits; a plan after the apply
    changes nothing."""
    deploy_generated_terraform(fresh_aws, OUT, tmp_path)


# -------------------------------------------------------------------------------------------- CloudFormation


def _fill_fixture(value: Any) -> Any:
    if isinstance(value, dict):
        if "Fixture::Json" in value:
            return _load(OUT / value["Fixture::Json"])
        if "Fixture::Text" in value:
            text = (OUT / value["Fixture::Text"]).read_text(encoding="utf-8")
            for old, new in value.get("Placeholders", {}).items():
                text = text.replace(old, new)
            return text
        return {k: _fill_fixture(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill_fixture(v) for v in value]
    return value


def _fixture_template() -> dict[str, Any]:
    template = _fill_fixture(_load(FIXTURES / "cloudformation" / "template.json"))
    assert isinstance(template, dict)
    return template


def test_cloudformation_stack_fixture(fresh_aws: LocalAWS) -> None:
    """Hand-written template (tests/deploy_fixtures/cloudformation): DefinitionString with
    DefinitionSubstitutions for partition and account, AWS::IAM::RolePolicy, a log group."""
    template = _fixture_template()
    definition = template["Resources"]["PipelineStateMachine"]["Properties"]["DefinitionString"]
    assert "${AccountId}" in definition and "123456789012" not in definition  # the substitution is exercised
    result = cloudformation_deploy(fresh_aws, template, "fixture-cfn")
    _report("cloudformation fixture (create_stack)", result.seconds)
    assert result.status == "CREATE_COMPLETE"
    _assert_fixture_deployed(fresh_aws, "fixture-cfn")
    assert result.outputs["PipelineStateMachineArn"] == fresh_aws.state_machines()["fixture-cfn-pipeline"]


def test_cloudformation_stack_fixture_definition_object(fresh_aws: LocalAWS) -> None:
    """The same fixture with the other spellings: ``Definition`` as an object, the policy under the role's
    ``Policies``, and no name given for the stack's resources but the state machine's."""
    template = _fixture_template()
    resources = template["Resources"]
    policy = resources.pop("StepFunctionsPolicy")["Properties"]
    resources["StepFunctionsRole"]["Properties"]["Policies"] = [
        {"PolicyName": policy["PolicyName"], "PolicyDocument": policy["PolicyDocument"]}
    ]
    machine = resources["PipelineStateMachine"]
    machine["DependsOn"] = ["StepFunctionsRole"]
    props = machine["Properties"]
    props.pop("DefinitionString")
    props.pop("DefinitionSubstitutions")
    props["Definition"] = _load(OUT / "pipeline.asl.json")
    result = cloudformation_deploy(fresh_aws, template, "fixture-cfn-object")
    _report("cloudformation fixture, Definition object (create_stack)", result.seconds)
    _assert_fixture_deployed(fresh_aws, "fixture-cfn")


def deploy_generated_cloudformation(
    aws: LocalAWS, out: Path, given: dict[str, str] | None = None, template_name: str = "template.json"
) -> None:
    """A stack from ``out/cloudformation/template.json`` (parameters without a default filled in) and the checks."""
    path = out / "cloudformation" / template_name
    template = yaml.safe_load(path.read_text(encoding="utf-8"))
    parameters: dict[str, str] = {}
    for name, spec in template.get("Parameters", {}).items():
        if "Default" not in spec:
            lowered = name.lower()
            if "account" in lowered:
                parameters[name] = ACCOUNT
            elif "region" in lowered:
                parameters[name] = REGION
            else:
                pytest.fail(f"parameter {name!r} has no default and the test cannot guess a value")
    parameters.update(given or {})
    result = cloudformation_deploy(aws, path.read_text(encoding="utf-8"), out.name, parameters)
    _report(f"cloudformation generated {out.name} (create_stack)", result.seconds)
    assert result.status == "CREATE_COMPLETE"
    sagemaker_roles = [
        r
        for r in template.get("Resources", {}).values()
        if r.get("Type") == "AWS::IAM::Role"
        and "sagemaker.amazonaws.com" in json.dumps(r.get("Properties", {}).get("AssumeRolePolicyDocument"))
    ]
    _assert_generated_deployed(aws, out, sagemaker_role_expected=bool(sagemaker_roles))


@pytest.mark.skipif(not GENERATED_CFN.exists(), reason=f"{GENERATED_CFN.relative_to(REPO)} not generated yet")
def test_cloudformation_stack_generated(fresh_aws: LocalAWS) -> None:
    """asl-gen's out/big-mart/cloudformation/template.json, as committed, deployed with its parameter defaults."""
    deploy_generated_cloudformation(fresh_aws, OUT)


# ------------------------------------------------------- generated at test time from a spec using every option


def _build_rich_example(tmp_path: Path) -> Path:
    """The big-mart example with every deploy option (EXPRESS, logging with retention, tracing, publish, alias)
    built by ``asl-gen build --target terraform --target cloudformation`` into ``tmp_path``; returns out/<project>.
    """
    spec = yaml.safe_load((REPO / "examples" / PROJECT / "spec.yaml").read_text(encoding="utf-8"))
    machines = spec["state_machines"]
    machines["save-model"] = {
        "steps": list(machines["save-model"]),
        "type": "EXPRESS",
        "logging": {"level": "ALL", "include_execution_data": False, "retention_days": 7},
    }
    machines["pipeline"].update(
        logging={"level": "ERROR", "include_execution_data": True, "retention_days": 14},
        tracing=True,
        publish=True,
        alias="live",
    )
    tmp_path.mkdir(parents=True, exist_ok=True)
    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "asl_gen", "build", str(spec_path), "--out", str(out), "-q"]
    cmd += ["--target", "terraform", "--target", "cloudformation"]
    proc = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out / str(spec["project"])


def _log_group_name(arn: str) -> str:
    name = arn.split(":log-group:", 1)[1]
    return name.removesuffix(":*")


def _assert_rich_options(aws: LocalAWS, project: str) -> None:
    """What the options asked for is deployed: type, logging (level, data, retention), tracing, version, alias."""
    sfn = aws.client("stepfunctions")
    pipeline = aws.state_machine(f"{project}-pipeline")
    assert pipeline["type"] == "STANDARD"
    assert pipeline["tracingConfiguration"] == {"enabled": True}
    logging = pipeline["loggingConfiguration"]
    assert (logging["level"], logging.get("includeExecutionData")) == ("ERROR", True)
    [destination] = logging["destinations"]
    group = _log_group_name(destination["cloudWatchLogsLogGroup"]["logGroupArn"])
    assert aws.log_groups(group)[group]["retentionInDays"] == 14
    [version] = sfn.list_state_machine_versions(stateMachineArn=pipeline["stateMachineArn"])["stateMachineVersions"]
    [alias] = sfn.list_state_machine_aliases(stateMachineArn=pipeline["stateMachineArn"])["stateMachineAliases"]
    described = sfn.describe_state_machine_alias(stateMachineAliasArn=alias["stateMachineAliasArn"])
    assert described["name"] == "live"
    assert described["routingConfiguration"] == [
        {"stateMachineVersionArn": version["stateMachineVersionArn"], "weight": 100}
    ]

    save_model = aws.state_machine(f"{project}-save-model")
    assert save_model["type"] == "EXPRESS"
    logging = save_model["loggingConfiguration"]
    assert (logging["level"], bool(logging.get("includeExecutionData"))) == ("ALL", False)
    [destination] = logging["destinations"]
    group = _log_group_name(destination["cloudWatchLogsLogGroup"]["logGroupArn"])
    assert aws.log_groups(group)[group]["retentionInDays"] == 7

    training = aws.state_machine(f"{project}-training")
    assert training["loggingConfiguration"]["level"] == "OFF"
    assert training["tracingConfiguration"] == {"enabled": False}
    assert sfn.list_state_machine_versions(stateMachineArn=training["stateMachineArn"])["stateMachineVersions"] == []


def _existing_sagemaker_role(aws: LocalAWS, out: Path) -> str:
    """Create the SageMaker execution role the example names (it exists before the stack, as in an account)."""
    spec = yaml.safe_load((out.parent.parent / "spec.yaml").read_text(encoding="utf-8"))
    name = str(spec["roles"]["sagemaker"]["arn"]).rsplit("/", 1)[1]
    trust = (out / "iam" / "sagemaker-trust-policy.json").read_text(encoding="utf-8")
    aws.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=trust)
    return name


def _assert_sagemaker_policy_attached(aws: LocalAWS, out: Path, role: str) -> None:
    """attach_sagemaker_policy / AttachSageMakerPolicy put the committed SageMaker policy on the existing role."""
    committed = _load(out / "iam" / "sagemaker-policy.json")
    attached = [*aws.role_policies(role).values(), *aws.role_attached_policies(role).values()]
    assert any(json_matches(committed, doc) for doc in attached), f"{role} has {attached}"


@pytest.mark.slow
def test_terraform_apply_generated_every_option(fresh_aws: LocalAWS, tmp_path: Path) -> None:
    """asl-gen's Terraform module for the example with every deploy option, built now into tmp_path, with
    attach_sagemaker_policy = true on the (pre-existing) SageMaker role."""
    _skip_without_terraform()
    out = _build_rich_example(tmp_path / "build")
    sagemaker_role = _existing_sagemaker_role(fresh_aws, out)
    deploy_generated_terraform(fresh_aws, out, tmp_path / "deploy", {"attach_sagemaker_policy": True})
    _assert_rich_options(fresh_aws, out.name)
    _assert_sagemaker_policy_attached(fresh_aws, out, sagemaker_role)


def test_cloudformation_stack_generated_every_option(fresh_aws: LocalAWS, tmp_path: Path) -> None:
    """asl-gen's CloudFormation template for the example with every deploy option, built now into tmp_path, with
    AttachSageMakerPolicy=true on the (pre-existing) SageMaker role."""
    out = _build_rich_example(tmp_path)
    sagemaker_role = _existing_sagemaker_role(fresh_aws, out)
    deploy_generated_cloudformation(fresh_aws, out, {"AttachSageMakerPolicy": "true"})
    _assert_rich_options(fresh_aws, out.name)
    _assert_sagemaker_policy_attached(fresh_aws, out, sagemaker_role)


# ------------------------------------------------------------------------------------ the harness's moto patches


def test_patched_validate_state_machine_definition(aws: LocalAWS) -> None:
    """ValidateStateMachineDefinition (added by the harness) runs moto's ASL parser: OK, or FAIL with why."""
    sfn = aws.client("stepfunctions")
    ok = sfn.validate_state_machine_definition(definition=(OUT / "pipeline.asl.json").read_text(encoding="utf-8"))
    assert (ok["result"], ok["diagnostics"]) == ("OK", [])
    bad = sfn.validate_state_machine_definition(definition='{"StartAt": "Nowhere", "States": {}}')
    assert bad["result"] == "FAIL"
    assert bad["diagnostics"][0]["severity"] == "ERROR"
    # an EXPRESS machine cannot run a .sync integration
    express = sfn.validate_state_machine_definition(
        definition=(OUT / "training.asl.json").read_text(encoding="utf-8"), type="EXPRESS"
    )
    assert express["result"] == "FAIL", express


def test_patched_versions_and_type(fresh_aws: LocalAWS) -> None:
    """ListStateMachineVersions (added) lists published versions, newest first; CreateStateMachine keeps the type."""
    sfn = fresh_aws.client("stepfunctions")
    role = f"arn:aws:iam::{ACCOUNT}:role/any"
    definition = '{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}'
    plain = sfn.create_state_machine(name="plain", definition=definition, roleArn=role)
    assert sfn.list_state_machine_versions(stateMachineArn=plain["stateMachineArn"])["stateMachineVersions"] == []
    published = sfn.create_state_machine(
        name="published", definition=definition, roleArn=role, publish=True, type="EXPRESS"
    )
    versions = sfn.list_state_machine_versions(stateMachineArn=published["stateMachineArn"])
    assert [v["stateMachineVersionArn"] for v in versions["stateMachineVersions"]] == [
        published["stateMachineVersionArn"]
    ]
    assert sfn.describe_state_machine(stateMachineArn=published["stateMachineArn"])["type"] == "EXPRESS"
    assert sfn.describe_state_machine(stateMachineArn=plain["stateMachineArn"])["type"] == "STANDARD"


# ------------------------------------------- a spec that leaves account, region and partition open (portable)

PORTABLE = REPO / "tests" / "cases" / "portable"


def _assert_filled_for_endpoint(aws: LocalAWS, out: Path) -> None:
    """Each placeholder became what the endpoint's account, region and partition say, not just any value."""
    values = {
        placeholders.PARTITION: "aws",
        placeholders.REGION: REGION,
        placeholders.ACCOUNT: ACCOUNT,
        placeholders.DNS_SUFFIX: "amazonaws.com",
        placeholders.registry_name("xgboost"): catalog.registries("xgboost", "1.7-1")[REGION],
    }
    deployed = [aws.state_machine(arn)["definition"] for arn in aws.state_machines().values()]
    for path in sorted(out.glob("*.asl.json")):
        committed = _load(path)
        assert placeholders.names_in(committed), f"{path.name} should carry placeholders"
        assert placeholders.fill(committed, values) in deployed, f"{path.name} is not deployed filled for {REGION}"
    role = aws.role("portable-step-functions")
    assert role["AssumeRolePolicyDocument"] == placeholders.fill(
        _load(out / "iam" / "stepfunctions-trust-policy.json"), values
    )
    assert aws.role_policies("portable-step-functions") == {
        "portable-stepfunctions": placeholders.fill(_load(out / "iam" / "stepfunctions-policy.json"), values)
    }
    # the SageMaker role is created by the target, with the committed trust and policy
    assert aws.role("portable-sagemaker")["AssumeRolePolicyDocument"] == placeholders.fill(
        _load(out / "iam" / "sagemaker-trust-policy.json"), values
    )
    assert aws.role_policies("portable-sagemaker") == {
        "portable-sagemaker": placeholders.fill(_load(out / "iam" / "sagemaker-policy.json"), values)
    }


@pytest.mark.slow
def test_terraform_apply_generated_portable(fresh_aws: LocalAWS, tmp_path: Path) -> None:
    """The committed module of a spec with account, region and partition open, deployed with no variables set:
    the module fills every placeholder from the provider (moto's account, the endpoint's region)."""
    _skip_without_terraform()
    deploy_generated_terraform(fresh_aws, PORTABLE / "expected", tmp_path)
    _assert_filled_for_endpoint(fresh_aws, PORTABLE / "expected")


def test_cloudformation_stack_generated_portable(fresh_aws: LocalAWS) -> None:
    """The committed template of the same spec: DefinitionSubstitutions, Fn::Sub and the registry mapping fill
    the placeholders with the stack's own account, region and partition."""
    deploy_generated_cloudformation(fresh_aws, PORTABLE / "expected")
    _assert_filled_for_endpoint(fresh_aws, PORTABLE / "expected")


def test_cloudformation_yaml_stack_generated_portable(fresh_aws: LocalAWS, tmp_path: Path) -> None:
    """cloudformation_format: yaml writes the same stack as YAML; it deploys the same way."""
    spec = (PORTABLE / "spec.yaml").read_text(encoding="utf-8") + "cloudformation_format: yaml\n"
    (tmp_path / "spec.yaml").write_text(spec, encoding="utf-8")
    cmd = [sys.executable, "-m", "asl_gen", "build", str(tmp_path / "spec.yaml"), "--out", str(tmp_path / "out")]
    proc = subprocess.run([*cmd, "-q"], capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = tmp_path / "out" / "portable"
    assert not (out / "cloudformation" / "template.json").exists()
    text = (out / "cloudformation" / "template.yaml").read_text(encoding="utf-8")
    assert yaml.safe_load(text) == _load(PORTABLE / "expected" / "cloudformation" / "template.json")
    deploy_generated_cloudformation(fresh_aws, out, template_name="template.yaml")
    _assert_filled_for_endpoint(fresh_aws, out)


# ------------------------------------------------------------------------- the evaluate-then-deploy example

EVALUATE_DEPLOY = REPO / "out" / "evaluate-deploy"


@pytest.mark.slow
def test_terraform_apply_generated_evaluate_deploy(fresh_aws: LocalAWS, tmp_path: Path) -> None:
    """The second bundled example's committed module (quality gate, retries, SNS on failure, a Map), no edits."""
    deploy_generated_terraform(fresh_aws, EVALUATE_DEPLOY, tmp_path)


def test_cloudformation_stack_generated_evaluate_deploy(fresh_aws: LocalAWS) -> None:
    """The second bundled example's committed template, deployed with its parameter defaults."""
    deploy_generated_cloudformation(fresh_aws, EVALUATE_DEPLOY)


# ------------------------------------------------------------------------- the abalone example

ABALONE = REPO / "out" / "abalone"


@pytest.mark.slow
def test_terraform_apply_generated_abalone(fresh_aws: LocalAWS, tmp_path: Path) -> None:
    """The third bundled example's committed module (processing, training, a report gate, a model package, a
    transform, SNS on failure), no edits."""
    deploy_generated_terraform(fresh_aws, ABALONE, tmp_path)


def test_cloudformation_stack_generated_abalone(fresh_aws: LocalAWS) -> None:
    """The third bundled example's committed template, deployed with its parameter defaults."""
    deploy_generated_cloudformation(fresh_aws, ABALONE)
