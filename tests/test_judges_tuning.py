"""The judges of tests/test_judges.py (statelint, asl-validator, moto's ASL parser and Step Functions API) on the
tuning golden case's definitions; parliament and cfn-lint judge its policies in tests/test_policy_judges.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from .test_judges import _asl_validator, _moto_validate, _run, _tool

EXPECTED = Path(__file__).resolve().parent / "cases" / "tuning" / "expected"
DEFINITIONS = sorted(EXPECTED.glob("*.asl.json"))
IDS = [p.name for p in DEFINITIONS]


def test_the_case_has_both_machines() -> None:
    assert IDS == ["grid.asl.json", "pipeline.asl.json"]


@pytest.mark.parametrize("path", DEFINITIONS, ids=IDS)
def test_statelint_accepts_definition(path: Path) -> None:
    run = _run([_tool("statelint"), str(path)])
    assert (run.returncode, run.output) == (0, ""), f"statelint on {path.name}:\n{run.output}"


@pytest.mark.parametrize("path", DEFINITIONS, ids=IDS)
def test_asl_validator_accepts_definition(path: Path) -> None:
    run = _run([_asl_validator(), "--json-path", str(path)])
    assert run.returncode == 0, f"asl-validator on {path.name}:\n{run.output}"


@pytest.mark.parametrize("path", DEFINITIONS, ids=IDS)
def test_moto_parser_accepts_definition(path: Path) -> None:
    _moto_validate(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", DEFINITIONS, ids=IDS)
def test_moto_creates_state_machine(path: Path) -> None:
    pytest.importorskip("boto3", reason="boto3 (with moto) is not installed")
    moto = pytest.importorskip("moto", reason="moto[stepfunctions] is not installed")
    import boto3

    with pytest.MonkeyPatch.context() as env:
        for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"):
            env.delenv(name, raising=False)
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN"):
            env.setenv(name, "testing")
        env.setenv("AWS_CONFIG_FILE", "/dev/null")
        env.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        env.setenv("MOTO_ACCOUNT_ID", "123456789012")
        with moto.mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
            role = boto3.client("iam", region_name="us-east-1").create_role(
                RoleName="abalone-judged",
                AssumeRolePolicyDocument=(EXPECTED / "iam" / "stepfunctions-trust-policy.json").read_text(),
            )["Role"]
            created = boto3.client("stepfunctions", region_name="us-east-1").create_state_machine(
                name=f"abalone-{path.name.removesuffix('.asl.json')}",
                definition=path.read_text(encoding="utf-8"),
                roleArn=role["Arn"],
                type="STANDARD",
            )
    assert created["stateMachineArn"].endswith(f":stateMachine:abalone-{path.name.removesuffix('.asl.json')}")
