"""Tools nobody on this project wrote judge what asl-gen generates for the bundled example.

Our own validator shares our blind spots; these judges do not. Each judge also gets a deliberately broken
document and must reject it, so a judge that accepts everything (a wrong flag, a tool that reads nothing)
fails the suite instead of passing it silently. A judge is skipped only when its tool is not installed.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sysconfig
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from asl_gen.build import STEPFUNCTIONS_POLICY, STEPFUNCTIONS_TRUST, Generated, generate

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "big-mart" / "spec.yaml"
ASL_VALIDATOR = REPO / "node_modules" / ".bin" / "asl-validator"

MISSING_STATE = "No Such State"


# --- what is judged -------------------------------------------------------------------------------------------


@functools.cache
def _generated() -> Generated:
    return generate(EXAMPLE)


def _is_trust_policy(text: str) -> bool:
    # A statement with a Principal is a resource (trust) policy; identity policies never name one.
    return any("Principal" in statement for statement in _statements(json.loads(text)))


def _statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    statements = policy["Statement"]
    return statements if isinstance(statements, list) else [statements]


def _documents(kind: str) -> list[str]:
    """Paths of the generated documents of one kind, known at collection time so each test is named after one."""
    try:
        files = _generated().files
    except Exception:
        # Let the tests, not the collection, fail: the `generated` fixture raises the real error in each.
        return ["<generation failed>"]
    iam = {path: text for path, text in files.items() if path.startswith("iam/") and path.endswith(".json")}
    chosen = {
        "definition": [path for path in files if path.endswith(".asl.json")],
        "identity": [path for path, text in iam.items() if not _is_trust_policy(text)],
        "trust": [path for path, text in iam.items() if _is_trust_policy(text)],
    }[kind]
    return sorted(chosen)


DEFINITIONS = _documents("definition")
IDENTITY_POLICIES = _documents("identity")
TRUST_POLICIES = _documents("trust")


@pytest.fixture(scope="module")
def generated() -> Generated:
    return _generated()


@pytest.fixture(scope="module")
def out_dir(generated: Generated, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated files on disk, for the tools that only read files."""
    folder = tmp_path_factory.mktemp(generated.project)
    for path, text in generated.files.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return folder


def _text(generated: Generated, path: str) -> str:
    assert path in generated.files, f"{path} was not generated"
    return generated.files[path]


# --- deliberately broken documents, derived from real output so only the breakage differs ----------------------


def _with_missing_next(definition_text: str) -> str:
    definition = json.loads(definition_text)
    state = definition["States"][definition["StartAt"]]
    state.pop("End", None)
    state["Next"] = MISSING_STATE
    return json.dumps(definition, indent=2)


def _with_unknown_state_type(definition_text: str) -> str:
    definition = json.loads(definition_text)
    definition["States"][definition["StartAt"]]["Type"] = "Tsak"
    return json.dumps(definition, indent=2)


def _with_relative_result_path(definition_text: str) -> str:
    definition = json.loads(definition_text)
    definition["States"][definition["StartAt"]]["ResultPath"] = "result"
    return json.dumps(definition, indent=2)


def _with_statement(policy_text: str, statement: dict[str, Any]) -> str:
    policy = json.loads(policy_text)
    policy["Statement"] = [*_statements(policy), statement]
    return json.dumps(policy, indent=2)


MISSPELT_ACTION = {
    "Sid": "Misspelt",
    "Effect": "Allow",
    "Action": "sagemaker:CreateTrainingJobs",
    "Resource": "arn:aws:sagemaker:us-east-1:123456789012:training-job/*",
}
STAR_ON_SCOPABLE_ACTION = {"Sid": "Star", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
WRONG_RESOURCE_TYPE = {
    "Sid": "WrongArn",
    "Effect": "Allow",
    "Action": "s3:GetObject",
    "Resource": "arn:aws:sagemaker:us-east-1:123456789012:model/*",
}
NO_VENDOR_PREFIX = {"Sid": "NoVendor", "Effect": "Allow", "Action": "ListTags", "Resource": "*"}


def _broken_trust(trust_text: str) -> str:
    trust = json.loads(trust_text)
    # Trust policies may not carry a Resource; IAM rejects the document.
    trust["Statement"] = [dict(statement, Resource="*") for statement in _statements(trust)]
    return json.dumps(trust, indent=2)


# --- running command-line tools ------------------------------------------------------------------------------


def _tool(name: str) -> str:
    """The tool installed next to this Python (as `pip install -e '.[test]'` puts it), else the one on PATH."""
    beside = Path(sysconfig.get_path("scripts")) / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (pip install -e '.[test]')")
    return found


def _asl_validator() -> str:
    if shutil.which("node") is None:
        pytest.skip("node is not installed; asl-validator needs it")
    if not ASL_VALIDATOR.is_file():
        pytest.skip("asl-validator is not installed (run `npm ci` in the repository root)")
    return str(ASL_VALIDATOR)


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return (self.stdout + self.stderr).strip()


def _run(command: Sequence[str], *, stdin: str | None = None) -> Run:
    completed = subprocess.run(
        list(command), input=stdin, capture_output=True, text=True, encoding="utf-8", timeout=300, check=False
    )
    return Run(completed.returncode, completed.stdout, completed.stderr)


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# --- moto: LocalStack's ASL parser and static analysers -------------------------------------------------------


def _moto_validate(definition_text: str) -> None:
    """What moto's Step Functions does to a definition it is given, plus the analysers LocalStack runs."""
    parser = pytest.importorskip(
        "moto.stepfunctions.parser.asl.parse.asl_parser", reason="moto[stepfunctions] is not installed"
    )
    static = pytest.importorskip("moto.stepfunctions.parser.asl.static_analyser.static_analyser")
    references = pytest.importorskip(
        "moto.stepfunctions.parser.asl.static_analyser.variable_references_static_analyser"
    )
    parser.AmazonStateLanguageParser.parse(definition_text)
    # LocalStack's create_state_machine runs StaticAnalyser for STANDARD machines (asl-gen's type);
    # ExpressStaticAnalyser would rightly reject `.sync`, which EXPRESS machines cannot use.
    static.StaticAnalyser().analyse(definition_text)
    references.VariableReferencesStaticAnalyser.process_and_get(definition_text)


@pytest.mark.parametrize("path", DEFINITIONS)
def test_moto_parser_accepts_definition(generated: Generated, path: str) -> None:
    _moto_validate(_text(generated, path))


def test_moto_parser_rejects_broken_definition(generated: Generated) -> None:
    parser = pytest.importorskip(
        "moto.stepfunctions.parser.asl.parse.asl_parser", reason="moto[stepfunctions] is not installed"
    )
    broken = _with_relative_result_path(_text(generated, DEFINITIONS[0]))
    with pytest.raises(parser.ASLParserException, match="STRINGPATH"):
        _moto_validate(broken)


# --- moto: the AWS APIs in process (IAM and Step Functions accept what we generated) --------------------------


@dataclass(frozen=True)
class MockAccount:
    iam: Any
    stepfunctions: Any
    role_name: str
    role_arn: str
    trusted_arns: frozenset[str]


def _trust_target(trust_text: str) -> tuple[str, str, list[str]]:
    """Region, account and state machine ARNs the trust policy names, so moto's ARNs can match them."""
    arns: list[str] = []
    for statement in _statements(json.loads(trust_text)):
        for values in statement.get("Condition", {}).values():
            source = values.get("aws:SourceArn", [])
            arns.extend([source] if isinstance(source, str) else source)
    assert arns, "the trust policy names no aws:SourceArn"
    _, _, _, region, account, *_ = arns[0].split(":")
    return region, account, arns


@pytest.fixture(scope="module")
def mock_account(generated: Generated) -> Iterator[MockAccount]:
    pytest.importorskip("boto3", reason="boto3 (with moto) is not installed")
    moto = pytest.importorskip("moto", reason="moto[stepfunctions] is not installed")
    pytest.importorskip("moto.stepfunctions.parser.models", reason="moto[stepfunctions] is not installed")
    import boto3

    trust = _text(generated, STEPFUNCTIONS_TRUST)
    region, account, arns = _trust_target(trust)
    with pytest.MonkeyPatch.context() as env:
        # Fake credentials and no profile: boto3 must never find real ones or reach the network.
        for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"):
            env.delenv(name, raising=False)
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        env.setenv("AWS_SECURITY_TOKEN", "testing")
        env.setenv("AWS_SESSION_TOKEN", "testing")
        env.setenv("AWS_DEFAULT_REGION", region)
        env.setenv("AWS_CONFIG_FILE", os.devnull)
        env.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
        env.setenv("MOTO_ACCOUNT_ID", account)
        # execute_state_machine selects moto's parser backend, the one that validates definitions on create.
        with moto.mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
            iam = boto3.client("iam", region_name=region)
            role_name = f"{generated.project}-judged-role"
            role = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=trust)["Role"]
            yield MockAccount(
                iam=iam,
                stepfunctions=boto3.client("stepfunctions", region_name=region),
                role_name=role_name,
                role_arn=role["Arn"],
                trusted_arns=frozenset(arns),
            )


@pytest.mark.parametrize("path", TRUST_POLICIES)
def test_moto_iam_accepts_trust_policy(generated: Generated, mock_account: MockAccount, path: str) -> None:
    # moto's create_role stores the document unchecked; update_assume_role_policy validates it.
    mock_account.iam.update_assume_role_policy(RoleName=mock_account.role_name, PolicyDocument=_text(generated, path))


@pytest.mark.parametrize("path", IDENTITY_POLICIES)
def test_moto_iam_accepts_identity_policy(generated: Generated, mock_account: MockAccount, path: str) -> None:
    text = _text(generated, path)
    name = Path(path).name.removesuffix(".json")
    # moto checks the grammar, not who holds the policy, so one role can carry every inline policy.
    mock_account.iam.put_role_policy(RoleName=mock_account.role_name, PolicyName=name, PolicyDocument=text)
    mock_account.iam.create_policy(PolicyName=name, PolicyDocument=text)


@pytest.mark.parametrize("path", DEFINITIONS)
def test_moto_creates_state_machine(generated: Generated, mock_account: MockAccount, path: str) -> None:
    name = f"{generated.project}-{path.removesuffix('.asl.json')}"
    created = mock_account.stepfunctions.create_state_machine(
        name=name, definition=_text(generated, path), roleArn=mock_account.role_arn, type="STANDARD"
    )
    assert created["stateMachineArn"] in mock_account.trusted_arns, (
        f"the trust policy does not let Step Functions assume the role for {created['stateMachineArn']}"
    )


def test_moto_rejects_broken_documents(generated: Generated, mock_account: MockAccount) -> None:
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError, match="STRINGPATH"):
        mock_account.stepfunctions.create_state_machine(
            name="broken",
            definition=_with_relative_result_path(_text(generated, DEFINITIONS[0])),
            roleArn=mock_account.role_arn,
        )
    with pytest.raises(ClientError, match="MalformedPolicyDocument"):
        mock_account.iam.put_role_policy(
            RoleName=mock_account.role_name,
            PolicyName="broken",
            PolicyDocument=_with_statement(_text(generated, IDENTITY_POLICIES[0]), NO_VENDOR_PREFIX),
        )
    with pytest.raises(ClientError, match="MalformedPolicyDocument"):
        mock_account.iam.update_assume_role_policy(
            RoleName=mock_account.role_name, PolicyDocument=_broken_trust(_text(generated, TRUST_POLICIES[0]))
        )


# --- statelint (Ruby's reference linter, ported to Python) ----------------------------------------------------


@pytest.mark.parametrize("path", DEFINITIONS)
def test_statelint_accepts_definition(out_dir: Path, path: str) -> None:
    run = _run([_tool("statelint"), str(out_dir / path)])
    assert (run.returncode, run.output) == (0, ""), f"statelint on {path}:\n{run.output}"


def test_statelint_rejects_broken_definition(generated: Generated, tmp_path: Path) -> None:
    broken = _write(tmp_path, "broken.asl.json", _with_missing_next(_text(generated, DEFINITIONS[0])))
    run = _run([_tool("statelint"), str(broken)])
    assert run.returncode != 0
    assert f'No state found named "{MISSING_STATE}"' in run.output


# --- asl-validator (npm) ---------------------------------------------------------------------------------------


_ASL_VALIDATOR_SAYS = re.compile(r'^[✓✕] State machine definition "(.*)" is (valid|invalid:)$')


def _asl_validator_verdicts(paths: Sequence[Path]) -> dict[str, tuple[bool, str]]:
    """asl-validator's verdict on each file (valid?, what it said of it), from one run: it takes most of a second
    to start, and judges each `--json-path` on its own. It prints each valid file on stdout and each invalid one
    on stderr, followed by the problems found."""
    run = _run([_asl_validator(), *(arg for path in paths for arg in ("--json-path", str(path)))])
    verdicts: dict[str, tuple[bool, str]] = {}
    current = None
    for line in [*run.stdout.splitlines(), *run.stderr.splitlines()]:
        said = _ASL_VALIDATOR_SAYS.match(line.strip())
        if said:
            current = said[1]
            assert current not in verdicts, run.output
            verdicts[current] = (said[2] == "valid", line)
        elif current is not None and line.strip():
            valid, text = verdicts[current]
            verdicts[current] = (valid, f"{text}\n{line}")
    assert sorted(verdicts) == sorted(map(str, paths)), run.output
    assert run.returncode == (0 if all(valid for valid, _ in verdicts.values()) else 1), run.output
    return verdicts


@pytest.fixture(scope="module")
def asl_validator_verdicts(
    generated: Generated, out_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[bool, str]]:
    """Every generated definition, and the first one broken (as "broken"), judged in one run."""
    broken = _write(
        tmp_path_factory.mktemp("asl-validator"),
        "broken.asl.json",
        _with_missing_next(_text(generated, DEFINITIONS[0])),
    )
    verdicts = _asl_validator_verdicts([*(out_dir / path for path in DEFINITIONS), broken])
    return {"broken": verdicts[str(broken)], **{path: verdicts[str(out_dir / path)] for path in DEFINITIONS}}


@pytest.mark.parametrize("path", DEFINITIONS)
def test_asl_validator_accepts_definition(asl_validator_verdicts: dict[str, tuple[bool, str]], path: str) -> None:
    valid, said = asl_validator_verdicts[path]
    assert valid, f"asl-validator on {path}:\n{said}"


def test_asl_validator_rejects_broken_definition(asl_validator_verdicts: dict[str, tuple[bool, str]]) -> None:
    valid, said = asl_validator_verdicts["broken"]
    assert not valid, said
    assert "MISSING_TRANSITION_TARGET" in said


# --- parliament (identity policies only: it requires Resource, which trust policies may not have) --------------


def _parliament(policy_text: str) -> tuple[Run, list[dict[str, Any]]]:
    # Fed on stdin: parliament's --file misreads its input when stdin is not a terminal, as in CI.
    run = _run([_tool("parliament"), "--json"], stdin=policy_text)
    findings = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    return run, findings


@pytest.mark.parametrize("path", IDENTITY_POLICIES)
def test_parliament_finds_nothing_in_identity_policy(generated: Generated, path: str) -> None:
    run, findings = _parliament(_text(generated, path))
    assert findings == [], f"parliament on {path}:\n{run.output}"
    assert run.returncode == 0, f"parliament on {path}:\n{run.output}"


@pytest.mark.parametrize(
    ("statement", "issue"),
    [(MISSPELT_ACTION, "UNKNOWN_ACTION"), (STAR_ON_SCOPABLE_ACTION, "RESOURCE_STAR")],
    ids=["misspelt-action", "star-on-scopable-action"],
)
def test_parliament_rejects_broken_policy(generated: Generated, statement: dict[str, Any], issue: str) -> None:
    run, findings = _parliament(_with_statement(_text(generated, IDENTITY_POLICIES[0]), statement))
    assert run.returncode != 0
    assert issue in {finding["issue"] for finding in findings}, run.output


# --- cfn-lint (ASL through E3601, IAM actions through W3037, ARN types through I3510) ---------------------------


@dataclass(frozen=True)
class Template:
    body: dict[str, Any]
    # Where each generated document sits in the template, so a finding can be traced back to its file.
    locations: dict[str, tuple[str | int, ...]]


def _logical_id(path: str) -> str:
    stem = Path(path).name.split(".")[0]
    return "".join(part.capitalize() for part in stem.replace("_", "-").split("-") if part)


def _template(files: dict[str, str]) -> Template:
    """A CloudFormation template deploying the generated documents the way a user would."""
    role = "StepFunctionsRole"
    resources: dict[str, Any] = {
        role: {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": json.loads(files[STEPFUNCTIONS_TRUST]),
                "Policies": [
                    {"PolicyName": "stepfunctions", "PolicyDocument": json.loads(files[STEPFUNCTIONS_POLICY])}
                ],
            },
        }
    }
    locations: dict[str, tuple[str | int, ...]] = {
        STEPFUNCTIONS_TRUST: ("Resources", role, "Properties", "AssumeRolePolicyDocument"),
        STEPFUNCTIONS_POLICY: ("Resources", role, "Properties", "Policies", 0, "PolicyDocument"),
    }
    for path, text in sorted(files.items()):
        if path in locations or not (
            (path.startswith("iam/") and path.endswith(".json")) or path.endswith(".asl.json")
        ):
            continue
        logical_id = _logical_id(path)
        if path.endswith(".asl.json"):
            properties = {"Definition": json.loads(text), "RoleArn": {"Fn::GetAtt": [role, "Arn"]}}
            resources[f"{logical_id}StateMachine"] = {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": properties,
            }
            locations[path] = ("Resources", f"{logical_id}StateMachine", "Properties", "Definition")
        elif _is_trust_policy(text):
            resources[f"{logical_id}Role"] = {
                "Type": "AWS::IAM::Role",
                "Properties": {"AssumeRolePolicyDocument": json.loads(text)},
            }
            locations[path] = ("Resources", f"{logical_id}Role", "Properties", "AssumeRolePolicyDocument")
        else:
            resources[f"{logical_id}Policy"] = {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {"PolicyDocument": json.loads(text)},
            }
            locations[path] = ("Resources", f"{logical_id}Policy", "Properties", "PolicyDocument")
    return Template({"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}, locations)


def _cfn_lint(templates: dict[str, Template], folder: Path) -> dict[str, list[dict[str, Any]]]:
    """cfn-lint's findings on each template, by name, from one run (cfn-lint takes seconds to start)."""
    paths = {name: _write(folder, f"{name}.json", json.dumps(t.body, indent=2)) for name, t in templates.items()}
    # --include-checks I: I3510 (resource ARN does not fit the action) is informational.
    run = _run([_tool("cfn-lint"), "--format", "json", "--include-checks", "I", "--", *map(str, paths.values())])
    try:
        findings: list[dict[str, Any]] = json.loads(run.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"cfn-lint printed no JSON (exit {run.returncode}):\n{run.output}")
    # The exit code ORs 2/4/8 for errors/warnings/informationals found; an odd code means cfn-lint itself failed.
    assert run.returncode in range(0, 16, 2), f"cfn-lint failed to run (exit {run.returncode}):\n{run.output}"
    assert bool(findings) == bool(run.returncode), f"cfn-lint's exit {run.returncode} disagrees with its findings"
    by_name: dict[str, list[dict[str, Any]]] = {name: [] for name in templates}
    names = {str(path): name for name, path in paths.items()}
    for finding in findings:
        by_name[names[finding["Filename"]]].append(finding)
    return by_name


def _describe(findings: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{f['Rule']['Id']} {f['Level']} at {'/'.join(map(str, f['Location']['Path']))}: {f['Message']}"
        for f in findings
    )


def _under(finding: dict[str, Any], prefix: tuple[str | int, ...]) -> bool:
    return tuple(finding["Location"]["Path"][: len(prefix)]) == prefix


def _broken_files(generated: Generated) -> dict[str, str]:
    files = dict(generated.files)
    definition, policy = DEFINITIONS[0], IDENTITY_POLICIES[0]
    files[definition] = _with_unknown_state_type(files[definition])
    files[policy] = _with_statement(_with_statement(files[policy], MISSPELT_ACTION), WRONG_RESOURCE_TYPE)
    return files


@pytest.fixture(scope="module")
def cfn_lint_runs(
    generated: Generated, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[Template, list[Any]]]:
    # One run for all documents, and for the same documents broken; tests then split the findings by document.
    templates = {"generated": _template(dict(generated.files)), "broken": _template(_broken_files(generated))}
    findings = _cfn_lint(templates, tmp_path_factory.mktemp("cfn-lint"))
    return {name: (template, findings[name]) for name, template in templates.items()}


@pytest.mark.parametrize("path", DEFINITIONS + IDENTITY_POLICIES + TRUST_POLICIES)
def test_cfn_lint_finds_nothing_in_document(cfn_lint_runs: dict[str, tuple[Template, list[Any]]], path: str) -> None:
    template, findings = cfn_lint_runs["generated"]
    mine = [f for f in findings if _under(f, template.locations[path])]
    assert mine == [], f"cfn-lint on {path}:\n{_describe(mine)}"


def test_cfn_lint_finds_nothing_in_the_template_around_them(
    cfn_lint_runs: dict[str, tuple[Template, list[Any]]],
) -> None:
    template, findings = cfn_lint_runs["generated"]
    elsewhere = [f for f in findings if not any(_under(f, prefix) for prefix in template.locations.values())]
    assert elsewhere == [], _describe(elsewhere)


def test_cfn_lint_rejects_broken_documents(cfn_lint_runs: dict[str, tuple[Template, list[Any]]]) -> None:
    template, findings = cfn_lint_runs["broken"]
    definition, policy = DEFINITIONS[0], IDENTITY_POLICIES[0]
    found = {
        (rule, path)
        for f in findings
        for path, prefix in template.locations.items()
        if _under(f, prefix)
        for rule in [f["Rule"]["Id"]]
    }
    assert {("E3601", definition), ("W3037", policy), ("I3510", policy)} <= found, _describe(findings)


def test_judges_have_documents_to_judge() -> None:
    # An empty parametrization would make every judge above pass by collecting nothing.
    assert DEFINITIONS, "no .asl.json generated"
    assert IDENTITY_POLICIES, "no identity policy generated"
    assert TRUST_POLICIES, "no trust policy generated"
