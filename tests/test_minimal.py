"""Every generated policy is sufficient and minimal with respect to asl-gen's own integration table.

Sufficient: each permission a state (or a setting such as logging) needs is granted by some statement.
Minimal: each statement, and each action-resource pair in it, is the only grant of some need, so removing
any of them would leave a state without a permission it needs. The needs come from `iam`'s table, the
statements from the rendered policy files: a consolidation bug, a stray wildcard or a left-over grant
fails here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from asl_gen import iam
from asl_gen.build import SAGEMAKER_POLICY, STEPFUNCTIONS_POLICY, generate
from asl_gen.plan import Target, plan_project
from asl_gen.spec import load_spec

from .conftest import REPO

SPECS = sorted([*REPO.glob("examples/*/spec.yaml"), *REPO.glob("tests/cases/*/spec.yaml")])


@dataclass(frozen=True)
class Grant:
    """One action on one resource pattern under one condition: the unit a statement grants."""

    sid: str
    action: str
    resource: str
    condition: Mapping[str, Any] | None


def _grants(policy: Mapping[str, Any]) -> list[Grant]:
    grants = []
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        for action in actions:
            for resource in resources:
                grants.append(Grant(statement["Sid"], action, resource, statement.get("Condition")))
    return grants


def _matches(pattern: str, resource: str) -> bool:
    # IAM wildcards: `*` any run of characters (`/` and `:` included), `?` one character.
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, resource, re.DOTALL) is not None


def _condition_covers(granted: Mapping[str, Any] | None, needed: str) -> bool:
    wanted = json.loads(needed) if needed else None
    if granted == wanted:
        return True
    if granted is None or wanted is None:
        return False
    # ListBucket statements merge the prefixes of one bucket into one condition list.
    if set(granted) == set(wanted) == {"StringLike"}:
        have, want = granted["StringLike"], wanted["StringLike"]
        if set(have) == set(want) == {"s3:prefix"}:
            # A prefix pattern covers a narrower one (`reviews/*` covers `reviews/input.manifest*`): the merge
            # keeps only the widest of a bucket's prefixes.
            return all(any(_matches(h, w) for h in have["s3:prefix"]) for w in want["s3:prefix"])
    return False


def _covers(grant: Grant, need: iam.Need) -> bool:
    return (
        grant.action == need.action
        and _matches(grant.resource, need.resource)
        and _condition_covers(grant.condition, need.condition)
    )


def _check(policy: Mapping[str, Any], needs: Sequence[iam.Need]) -> Iterator[str]:
    grants = _grants(policy)
    assert needs, "no needs: the check would prove nothing"
    for need in needs:
        if not any(_covers(g, need) for g in grants):
            yield f"not granted: {need.action} on {need.resource} {need.condition} (needed by {need.origin})"
    for grant in grants:
        sole = [n for n in needs if _covers(grant, n) and not any(_covers(o, n) for o in grants if o is not grant)]
        if not sole:
            yield f"removable: {grant.sid} grants {grant.action} on {grant.resource}, which no state needs alone"


@pytest.mark.parametrize("spec_path", SPECS, ids=lambda p: p.parent.name)
def test_state_machine_policy_is_sufficient_and_minimal(spec_path: Path) -> None:
    generated = generate(spec_path)
    spec, _ = load_spec(spec_path)
    plan = plan_project(spec)
    definitions = {p: json.loads(t) for p, t in generated.files.items() if p.endswith(".asl.json") and "/" not in p}
    needs = iam.state_machine_needs(definitions, plan.target, iam.machine_access(plan), plan.declared_resources)
    failures = list(_check(json.loads(generated.files[STEPFUNCTIONS_POLICY]), needs))
    assert failures == []


@pytest.mark.parametrize("spec_path", SPECS, ids=lambda p: p.parent.name)
def test_sagemaker_role_policy_is_sufficient_and_minimal(spec_path: Path) -> None:
    generated = generate(spec_path)
    spec, _ = load_spec(spec_path)
    needs = iam.sagemaker_role_needs(plan_project(spec))
    failures = list(_check(json.loads(generated.files[SAGEMAKER_POLICY]), needs))
    assert failures == []


HAND_WRITTEN = REPO / "tests" / "data" / "definitions"


@pytest.mark.parametrize("path", sorted(HAND_WRITTEN.glob("*.asl.json")), ids=lambda p: p.name)
def test_policy_of_hand_written_definition_is_sufficient_and_minimal(path: Path) -> None:
    target = Target("aws", "us-east-1", "123456789012")
    definition = json.loads(path.read_text())
    access = iam.MachineAccess(target.state_machine_arn(path.name.removesuffix(".asl.json")), True, True)
    needs = iam.state_machine_needs({path.name: definition}, target, {path.name: access})
    statements = iam.state_machine_statements({path.name: definition}, target, {path.name: access})
    policy = {
        "Statement": [
            {
                "Sid": s.sid,
                "Effect": "Allow",
                "Action": list(s.actions),
                "Resource": list(s.resources),
                **({"Condition": s.condition} if s.condition else {}),
            }
            for s in statements
        ]
    }
    assert list(_check(policy, needs)) == []


def test_the_check_catches_a_removable_and_a_missing_grant() -> None:
    need = iam.Need("s3:GetObject", "arn:aws:s3:::b/data/x", "")
    exact = {"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/data/x"}
    wider = {"Sid": "B", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
    other = {"Sid": "C", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*"}
    assert list(_check({"Statement": [exact]}, [need])) == []
    # Two statements granting the same need: neither is the sole grant, so both are reported.
    assert len(list(_check({"Statement": [exact, wider]}, [need]))) == 2
    assert list(_check({"Statement": [exact, other]}, [need])) == [
        "removable: C grants s3:PutObject on arn:aws:s3:::b/*, which no state needs alone"
    ]
    assert next(iter(_check({"Statement": [other]}, [need]))).startswith("not granted: s3:GetObject")


@pytest.mark.parametrize("spec_path", SPECS, ids=lambda p: p.parent.name)
def test_policy_notes_name_every_statement_and_why_each_star(spec_path: Path) -> None:
    """iam/POLICIES.md lists every statement with what needs it, and a reason for each one on "*"."""
    generated = generate(spec_path)
    notes = generated.files["iam/POLICIES.md"]
    assert "no reason recorded" not in notes
    for path in (STEPFUNCTIONS_POLICY, SAGEMAKER_POLICY):
        for statement in json.loads(generated.files[path])["Statement"]:
            row = next((line for line in notes.splitlines() if line.startswith(f"| {statement['Sid']} |")), None)
            assert row is not None, f"{path}: {statement['Sid']} is not in POLICIES.md"
            assert not row.endswith("|  |"), f"{statement['Sid']}: nothing is said to need it"
            if statement["Resource"] == "*":
                assert f"* {statement['Sid']}: " in notes, f"{statement['Sid']} is on '*' without a reason"
