"""parliament and cfn-lint judge every IAM policy asl-gen writes: the committed example, every golden case and
the policies `asl-gen iam` derives for the hand-written definitions in tests/data/definitions.

tests/test_judges.py shows each judge rejects a broken policy; here each must find nothing in ours.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from asl_gen import catalog, placeholders
from asl_gen.iam import MachineAccess, state_machine_statements
from asl_gen.plan import Target
from asl_gen.render import Renderer

from .conftest import REPO
from .test_judges import _run, _tool

WRITTEN = sorted(
    p
    for p in [*REPO.glob("out/*/iam/*.json"), *REPO.glob("tests/cases/*/expected/iam/*.json")]
    if not any("Principal" in s for s in json.loads(p.read_text())["Statement"])
)
TRUST = sorted(
    p
    for p in [*REPO.glob("out/*/iam/*.json"), *REPO.glob("tests/cases/*/expected/iam/*.json")]
    if any("Principal" in s for s in json.loads(p.read_text())["Statement"])
)
HAND_WRITTEN = sorted((REPO / "tests" / "data" / "definitions").glob("*.asl.json"))
TARGET = Target("aws", "us-east-1", "123456789012")


def _derived(path: Path) -> dict[str, Any]:
    name = path.name.removesuffix(".asl.json")
    access = MachineAccess(TARGET.state_machine_arn(name), logging=True, tracing=True)
    statements = state_machine_statements({path.name: json.loads(path.read_text())}, TARGET, {path.name: access})
    policy: dict[str, Any] = Renderer().render_json("iam/policy.json.j2", {"statements": statements})
    return policy


REGION_OF = {"aws": "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}


def _as_deployed(name: str, document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A written document as the judges should see it: one with placeholders once per partition, filled the
    way a deploy there fills them; any other as it is."""
    used = placeholders.names_in(document)
    if not used:
        return {name: document}
    found = {}
    for partition, region in REGION_OF.items():
        values = {
            placeholders.PARTITION: partition,
            placeholders.REGION: region,
            placeholders.ACCOUNT: "123456789012",
            placeholders.DNS_SUFFIX: catalog.PARTITION_DNS_SUFFIX[partition],
        }
        values.update({n: placeholders.SAMPLE_REGISTRY for n in used if n not in values})
        found[f"{name} (deployed in {partition})"] = placeholders.fill(document, values)
    return found


def _written(paths: list[Path]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for path in paths:
        found.update(_as_deployed(path.relative_to(REPO).as_posix(), json.loads(path.read_text())))
    return found


def _policies() -> dict[str, dict[str, Any]]:
    found = _written(WRITTEN)
    found.update({f"asl-gen iam {p.relative_to(REPO).as_posix()}": _derived(p) for p in HAND_WRITTEN})
    return found


POLICIES = _policies()


@pytest.mark.parametrize("name", sorted(POLICIES))
def test_parliament_finds_nothing(name: str) -> None:
    # On stdin: parliament's --file misreads its input when stdin is not a terminal.
    run = _run([_tool("parliament"), "--json"], stdin=json.dumps(POLICIES[name]))
    findings = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    assert findings == [], f"parliament on {name}:\n{run.output}"
    assert run.returncode == 0, run.output


def _partition(policy: dict[str, Any]) -> str:
    text = json.dumps(policy)
    for partition in ("aws-cn", "aws-us-gov"):
        if f"arn:{partition}:" in text:
            return partition
    return "aws"


@pytest.mark.parametrize("partition", sorted(REGION_OF))
def test_cfn_lint_finds_nothing_in_roles_holding_them(partition: str, tmp_path: Path) -> None:
    """Each policy inline in a role, each trust policy as a role's trust, linted for a region of its partition."""
    chosen = {n: p for n, p in POLICIES.items() if _partition(p) == partition}
    trusts = _written(TRUST)
    trusts = {n: t for n, t in trusts.items() if _partition(t) == partition}
    if not chosen and not trusts:
        pytest.skip(f"no policy in partition {partition}")
    resources: dict[str, Any] = {}
    names: dict[str, str] = {}
    for index, (name, policy) in enumerate(sorted(chosen.items())):
        logical = f"Role{index}"
        names[logical] = name
        resources[logical] = {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "states.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                },
                "Policies": [{"PolicyName": "generated", "PolicyDocument": policy}],
            },
        }
    for index, (name, trust) in enumerate(sorted(trusts.items())):
        logical = f"Trust{index}"
        names[logical] = name
        resources[logical] = {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": trust}}
    template = tmp_path / "template.json"
    template.write_text(json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}, indent=2))
    command = [_tool("cfn-lint"), "--format", "json", "--include-checks", "I", "--regions", REGION_OF[partition]]
    run = _run([*command, "--", str(template)])
    findings = json.loads(run.stdout)
    described = [f"{names.get(f['Location']['Path'][1], '?')}: {f['Rule']['Id']} {f['Message']}" for f in findings]
    assert described == []
    assert run.returncode == 0, run.output


def test_every_kind_of_policy_is_judged() -> None:
    # An empty parametrization would pass by judging nothing.
    assert any(n.startswith("out/") for n in POLICIES)
    assert any("/expected/" in n for n in POLICIES)
    assert any(n.startswith("asl-gen iam") for n in POLICIES)
    assert TRUST
