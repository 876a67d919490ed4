"""An IAM oracle nobody here wrote: @cloud-copilot/iam-simulate judges each generated policy (issue 16, item 5).

For every bundled example (out/*/iam/), every golden case (tests/cases/*/expected/iam/) and every per-integration
golden (tests/services/), the requests the state machines make are derived from the DEFINITIONS by
tests/iam_requests.py, from AWS's documented needs and not from asl-gen's table, and the simulator must answer
Allowed for each, and ImplicitlyDenied for each request just outside its scope (another job's name, another
account, another role, PassRole to another service, another bucket). It is the independent counterpart of
tests/test_minimal.py, which checks the policies against asl-gen's own table.

A verdict is the identity policy's own (the simulator's `identityAnalysis`): a request on another account's
resource would also be denied for want of a resource policy, and that must not make an out-of-scope request pass
for the wrong reason. One node process judges every request (tests/iam_oracle.mjs).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import REPO
from .iam_requests import Case, Request, Target, sagemaker_role_cases, task_cases, tasks
from .judge_bugs import iam_oracle_can_judge

ORACLE = REPO / "tests" / "iam_oracle.mjs"
SIMULATOR = REPO / "node_modules" / "@cloud-copilot" / "iam-simulate" / "package.json"
SERVICE_TARGET = Target("aws", "us-east-1", "123456789012")


def _partition(region: str) -> str:
    return "aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov-") else "aws"


# A portable spec leaves these open: its output holds placeholders, filled in at deploy time as below.
DEPLOYED = {"${Partition}": "aws", "${Region}": "eu-west-1", "${AccountId}": "123456789012"}


def _target(spec: Path) -> Target:
    aws = yaml.safe_load(spec.read_text()).get("aws") or {}
    region = aws.get("region") or DEPLOYED["${Region}"]
    return Target(_partition(region), region, str(aws.get("account") or DEPLOYED["${AccountId}"]))


def _read(path: Path) -> Any:
    text = path.read_text()
    for placeholder, value in DEPLOYED.items():
        text = text.replace(placeholder, value)
    return json.loads(text)


@dataclass
class Checked:
    """One policy, the requests it must allow and deny, and the Task states no request could be derived for."""

    name: str
    policy: Mapping[str, Any]
    principal: str
    cases: list[Case]
    underived: list[str]
    dynamic: int = 0
    in_other_scope: int = 0
    not_judged: int = 0


def _project(name: str, definitions_dir: Path, iam_dir: Path, spec: Path) -> list[Checked]:
    t = _target(spec)
    spec_data = yaml.safe_load(spec.read_text())
    definitions = {p.name: _read(p) for p in sorted(definitions_dir.glob("*.asl.json"))}
    cases: list[Case] = []
    underived: list[str] = []
    for file, definition in definitions.items():
        for where, state in tasks(definition["States"]):
            found = task_cases(state, t, f"{file}: {where}")
            if found is None:
                underived.append(f"{file}: {where} ({state.get('Resource')})")
            else:
                cases += found
    role_cases, dynamic = sagemaker_role_cases(definitions, t, spec_data)
    principal = f"arn:{t.partition}:iam::{t.account}:role/{name}-"
    return [
        Checked(f"{name}/stepfunctions", _read(iam_dir / "stepfunctions-policy.json"),
                principal + "sfn", cases, underived),
        Checked(f"{name}/sagemaker", _read(iam_dir / "sagemaker-policy.json"),
                principal + "sagemaker", role_cases, [], dynamic),
    ]  # fmt: skip


def _service(path: Path) -> Checked | None:
    golden = json.loads(path.read_text())
    if "Task" not in golden or "Statements" not in golden:
        return None
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", **s} for s in golden["Statements"]]}
    found = task_cases(golden["Task"], SERVICE_TARGET, path.name)
    name = f"services/{path.relative_to(REPO / 'tests' / 'services')}"
    underived = [] if found is not None else [f"{path.name} ({golden['Task'].get('Resource')})"]
    return Checked(name, policy, "arn:aws:iam::123456789012:role/sfn", list(found or []), underived)


def _all() -> list[Checked]:
    checked: list[Checked] = []
    for out in sorted((REPO / "out").iterdir()):
        if (out / "iam").is_dir():
            checked += _project(out.name, out, out / "iam", REPO / "examples" / out.name / "spec.yaml")
    for case in sorted((REPO / "tests" / "cases").iterdir()):
        if (case / "expected" / "iam").is_dir():
            checked += _project(case.name, case / "expected", case / "expected" / "iam", case / "spec.yaml")
    for path in sorted((REPO / "tests" / "services").rglob("*.json")):
        service = _service(path)
        if service is not None:
            checked.append(service)
    return checked


def _in(pattern: str, resource: str) -> bool:
    return re.fullmatch(".*".join(re.escape(part) for part in pattern.split("*")), resource) is not None


def _within_project(checked: Checked) -> Checked:
    """Drop the out-of-scope requests that another state of the same project may make (its name is dynamic)."""
    scope = [s for case in checked.cases for s in case.scope]
    cases = []
    for case in checked.cases:
        if not iam_oracle_can_judge(case.allowed.action, case.allowed.resource):
            checked.not_judged += 1  # the oracle's data lacks the resource type (judge_bugs)
            continue
        outside = tuple(o for o in case.outside if not any(a == o.action and _in(p, o.resource) for a, p in scope))
        checked.in_other_scope += len(case.outside) - len(outside)
        cases.append(Case(case.allowed, outside, case.scope))
    checked.cases = cases
    return checked


CHECKED = [_within_project(checked) for checked in _all()]


def _request(request: Request, principal: str) -> dict[str, Any]:
    # S3 ARNs and "*" carry no account: the resource is taken to be in the principal's.
    account = request.account or principal.split(":")[4]
    return {"action": request.action, "resource": request.resource, "account": account,
            "context": dict(request.context)}  # fmt: skip


@pytest.fixture(scope="module")
def verdicts() -> dict[str, list[tuple[Case, dict[str, Any], list[dict[str, Any]]]]]:
    """Every policy's cases with the oracle's verdict on the allowed request and on each out-of-scope one."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the IAM oracle (@cloud-copilot/iam-simulate) runs on node")
    if not SIMULATOR.exists():
        pytest.skip("@cloud-copilot/iam-simulate is not installed (run `npm ci` in the repository root)")
    batches = []
    for checked in CHECKED:
        requests = []
        for case in checked.cases:
            requests += [_request(r, checked.principal) for r in (case.allowed, *case.outside)]
        batches.append({"policy": checked.policy, "principal": checked.principal, "requests": requests})
    run = subprocess.run(
        ["node", str(ORACLE)], input=json.dumps(batches), capture_output=True, text=True, check=False, timeout=300
    )
    assert run.returncode == 0, run.stderr
    answers = json.loads(run.stdout)
    judged: dict[str, list[tuple[Case, dict[str, Any], list[dict[str, Any]]]]] = {}
    for checked, answer in zip(CHECKED, answers, strict=True):
        rows = judged.setdefault(checked.name, [])
        position = 0
        for case in checked.cases:
            size = 1 + len(case.outside)
            rows.append((case, answer[position], answer[position + 1 : position + size]))
            position += size
    return judged


def _verdict(answer: Mapping[str, Any]) -> str:
    if answer["result"] == "Error":
        return f"Error: {answer['errors']}"
    if answer.get("ignored"):
        return f"{answer['identity']} (ignored context keys {answer['ignored']})"
    return str(answer["identity"])


def _show(request: Request) -> str:
    context = f" {dict(request.context)}" if request.context else ""
    return f"{request.action} on {request.resource}{context} [{request.why}]"


@pytest.mark.parametrize("checked", CHECKED, ids=lambda c: c.name)
def test_the_oracle_allows_every_request_and_denies_the_ones_just_outside(
    checked: Checked, verdicts: dict[str, list[tuple[Case, dict[str, Any], list[dict[str, Any]]]]]
) -> None:
    failures = []
    for case, allowed, outside in verdicts[checked.name]:
        if _verdict(allowed) != "Allowed":
            failures.append(f"not allowed: {_show(case.allowed)}: {_verdict(allowed)}")
        for request, answer in zip(case.outside, outside, strict=True):
            if _verdict(answer) != "ImplicitlyDenied":
                failures.append(f"not denied: {_show(request)}: {_verdict(answer)}")
    assert not failures, "\n".join(failures)


def test_every_example_and_golden_case_yields_requests() -> None:
    """The derivation is not silently empty: every Task of the examples and golden cases gives requests."""
    projects = [c for c in CHECKED if not c.name.startswith("services/")]
    assert [u for c in projects for u in c.underived] == []
    assert all(c.cases for c in projects if c.name.endswith("/stepfunctions"))


def test_oracle_figures(
    verdicts: dict[str, list[tuple[Case, dict[str, Any], list[dict[str, Any]]]]], capsys: pytest.CaptureFixture[str]
) -> None:
    judged = [row for rows in verdicts.values() for row in rows]
    allowed = sum(_verdict(a) == "Allowed" for _, a, _ in judged)
    outside = [answer for _, _, answers in judged for answer in answers]
    denied = sum(_verdict(a) == "ImplicitlyDenied" for a in outside)
    underived = [u for c in CHECKED for u in c.underived]
    dynamic = sum(c.dynamic for c in CHECKED)
    not_judged = sum(c.not_judged for c in CHECKED)
    in_other_scope = sum(c.in_other_scope for c in CHECKED)
    with capsys.disabled():
        print(
            f"\nIAM oracle (@cloud-copilot/iam-simulate): {len(CHECKED)} policies checked, {allowed} of "
            f"{len(judged)} requests allowed, {denied} of {len(outside)} out-of-scope requests denied; "
            f"{len(underived)} per-integration goldens not derived, {dynamic} dynamic S3 locations not requested, "
            f"{not_judged} requests the oracle's data cannot judge (judge_bugs), {in_other_scope} out-of-scope "
            "requests another state of the project may make",
            end="",
        )
    assert allowed == len(judged) and denied == len(outside)
