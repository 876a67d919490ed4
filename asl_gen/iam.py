"""Least-privilege IAM derived from what the rendered definitions actually call, never from a hand-kept list."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from asl_gen import spec as spec_model
from asl_gen.errors import Problem, ValidationFailure, pointer_of
from asl_gen.integrations import BY_KEY, Integration, parse_resource
from asl_gen.plan import ProjectPlan, Target, image_of, model_image

# AWS counts inline policy size without white space; 10,240 characters is the per-role quota.
INLINE_POLICY_LIMIT = 10_240
STATES_PRINCIPAL = "states.amazonaws.com"
_FORMAT_PREFIX = re.compile(r"^States\.Format\('((?:[^'{}\\]|\\.)*?)\{\}")


@dataclass(frozen=True)
class Statement:
    sid: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    condition: Mapping[str, Mapping[str, Any]] | None = None


@dataclass(frozen=True)
class _Need:
    action: str
    resource: str
    condition: str  # canonical JSON of the condition block, "" for none
    label: str = ""  # Sid base for hand-described statements; derived from the ARN when empty


def iter_tasks(
    definition: Mapping[str, Any], path: tuple[str | int, ...] = ()
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every Task state, nested Parallel branches and Map processors included, with its pointer."""
    states = definition.get("States")
    if not isinstance(states, Mapping):
        return
    for name, state in states.items():
        if not isinstance(state, Mapping):
            continue
        here = (*path, "States", name)
        kind = state.get("Type")
        if kind == "Task":
            yield pointer_of(here), state
        elif kind == "Parallel":
            for index, branch in enumerate(state.get("Branches") or []):
                if isinstance(branch, Mapping):
                    yield from iter_tasks(branch, (*here, "Branches", index))
        elif kind == "Map":
            for field in ("ItemProcessor", "Iterator"):
                processor = state.get(field)
                if isinstance(processor, Mapping):
                    yield from iter_tasks(processor, (*here, field))


def _scope(parameters: Mapping[str, Any], name: str, lowercase: bool) -> str:
    """The ARN resource-name part a request parameter allows: exact literal, `prefix*`, or `*`."""
    if isinstance(parameters.get(name), str):
        literal: str = parameters[name]
        if literal.startswith("{%"):
            return "*"
        return literal.lower() if lowercase else literal
    expression = parameters.get(f"{name}.$")
    if isinstance(expression, str):
        match = _FORMAT_PREFIX.match(expression)
        if match and match.group(1):
            prefix = re.sub(r"\\(.)", r"\1", match.group(1))
            return (prefix.lower() if lowercase else prefix) + "*"
    return "*"


def _fill(template: str, target: Target, parameters: Mapping[str, Any], lowercase: bool) -> str:
    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        if key == "partition":
            return target.partition
        if key == "region":
            return target.region
        if key == "account":
            return target.account
        return _scope(parameters, key, lowercase)

    return re.sub(r"\{(\w+)\}", replace, template)


def _needs_of_task(
    pointer: str, state: Mapping[str, Any], target: Target, source: str | None
) -> Iterator[_Need | Problem]:
    resource = state.get("Resource")
    parsed = parse_resource(resource) if isinstance(resource, str) else None
    integration: Integration | None = BY_KEY.get(parsed.key) if parsed else None
    if parsed is None or integration is None:
        yield Problem(
            f"no IAM mapping for Resource {resource!r}",
            file=source,
            pointer=f"{pointer}.Resource",
            hint="asl-gen derives IAM only for the service integrations it knows; see README",
        )
        return
    if parsed.pattern not in integration.patterns:
        supported = ", ".join(sorted(p or "request-response" for p in integration.patterns))
        yield Problem(
            f"{integration.key} does not support {parsed.pattern}",
            file=source,
            pointer=f"{pointer}.Resource",
            hint=f"supported: {supported}",
        )
        return
    parameters = state.get("Parameters") or state.get("Arguments") or {}
    if not isinstance(parameters, Mapping):
        parameters = {}
    lowercase = integration.service == "sagemaker"
    for grant in integration.grants:
        if parsed.pattern not in grant.patterns:
            continue
        if grant.when_parameter and not (
            grant.when_parameter in parameters or f"{grant.when_parameter}.$" in parameters
        ):
            continue
        for action in grant.actions:
            for template in grant.resources:
                yield _Need(action, _fill(template, target, parameters, lowercase), "")
    for pass_role in integration.pass_roles:
        role = parameters.get(pass_role.parameter)
        arn = (
            role
            if isinstance(role, str) and not role.startswith("{%")
            else (f"arn:{target.partition}:iam::{target.account}:role/*")
        )
        condition = {"StringEquals": {"iam:PassedToService": pass_role.service}}
        label = "PassRoleTo" + _camel(pass_role.service.split(".", 1)[0])
        yield _Need("iam:PassRole", arn, json.dumps(condition, sort_keys=True), label)


def state_machine_statements(definitions: Mapping[str, Mapping[str, Any]], target: Target) -> list[Statement]:
    """Statements the Step Functions role needs to run every Task of these definitions.

    `definitions` maps a source name (file or state machine) to its parsed definition. Raises
    `ValidationFailure` naming each Task whose Resource has no mapping.
    """
    needs: list[_Need] = []
    problems: list[Problem] = []
    for source, definition in definitions.items():
        for pointer, state in iter_tasks(definition):
            for item in _needs_of_task(pointer, state, target, source):
                (problems if isinstance(item, Problem) else needs).append(item)  # type: ignore[arg-type]
    if problems:
        raise ValidationFailure(problems)
    return consolidate(needs)


def _covers(pattern: str, resource: str) -> bool:
    if pattern == "*":
        return True
    return pattern.endswith("*") and resource.startswith(pattern[:-1]) and pattern != resource


def consolidate(needs: Sequence[_Need]) -> list[Statement]:
    """Merge needs into few statements: widest resource wins, actions sharing resources share a statement."""
    by_action: dict[tuple[str, str], set[str]] = {}
    labels: dict[str, str] = {}
    for need in needs:
        by_action.setdefault((need.action, need.condition), set()).add(need.resource)
        if need.label:
            labels.setdefault(need.action, need.label)
    groups: dict[tuple[tuple[str, ...], str], list[str]] = {}
    for (action, condition), found in by_action.items():
        kept = tuple(sorted(r for r in found if not any(_covers(o, r) for o in found if o != r)))
        groups.setdefault((kept, condition), []).append(action)

    def base_of(resources: tuple[str, ...], actions: list[str]) -> str:
        label = next((labels[a] for a in sorted(actions) if a in labels), "")
        return label or _sid_base(actions, resources)

    statements: list[Statement] = []
    used: set[str] = set()
    for (resources, condition), actions in sorted(groups.items(), key=lambda g: (base_of(g[0][0], g[1]), g[0])):
        base = base_of(resources, actions)
        sid, number = base, 1
        while sid in used:
            number += 1
            sid = f"{base}{number}"
        used.add(sid)
        statements.append(
            Statement(sid, tuple(sorted(actions)), resources, json.loads(condition) if condition else None)
        )
    return statements


def _camel(text: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", text) if part)


def _sid_base(actions: Sequence[str], resources: Sequence[str]) -> str:
    if len(actions) == 1:
        return _camel(actions[0])
    services = sorted({a.split(":", 1)[0] for a in actions})
    kinds: list[str] = []
    for resource in resources:
        if resource == "*":
            kind = "AnyResource"
        else:
            tail = resource.split(":", 5)[-1]
            kind = _camel(tail.split("/", 1)[0]) if "/" in tail else _camel(tail.split(":", 1)[0])
        if kind not in kinds:
            kinds.append(kind)
    return _camel("-".join(services)) + "".join(kinds)


def trust_policy_context(plan: ProjectPlan) -> dict[str, Any]:
    """Trust for the Step Functions role, limited to this account and these state machines."""
    return {
        "service": STATES_PRINCIPAL,
        "account": plan.target.account,
        "source_arns": [machine.arn for machine in plan.machines],
    }


def sagemaker_role_statements(plan: ProjectPlan) -> list[Statement]:
    """What the SageMaker execution role needs for the jobs and models of this spec, scoped to their data."""
    spec, target = plan.spec, plan.target
    reads: list[str] = []
    writes: list[str] = []
    images: list[str] = []
    for job in spec.jobs.values():
        if isinstance(job, spec_model.TrainingJob):
            reads.extend(channel.s3 for channel in job.channels.values())
            writes.append(job.output)
            images.append(image_of(spec, job))
        elif isinstance(job, spec_model.ModelJob):
            source = spec.jobs.get(job.from_ or "")
            if job.model_data is not None:
                reads.append(job.model_data)
            elif isinstance(source, spec_model.TrainingJob):
                reads.append(source.output)
            images.append(model_image(spec, job))
    p = target.partition
    needs: list[_Need] = []
    for uri in reads:
        bucket, prefix = _split_s3(uri)
        needs.append(_Need("s3:GetObject", f"arn:{p}:s3:::{bucket}/{prefix}*", "", "ReadData"))
        condition = {"StringLike": {"s3:prefix": [f"{prefix}*"]}}
        needs.append(_Need("s3:ListBucket", f"arn:{p}:s3:::{bucket}", json.dumps(condition, sort_keys=True)))
    for uri in writes:
        bucket, prefix = _split_s3(uri)
        for action in ("s3:PutObject", "s3:AbortMultipartUpload"):
            needs.append(_Need(action, f"arn:{p}:s3:::{bucket}/{prefix}*", "", "WriteOutput"))
    for image in images:
        match = spec_model.ECR_IMAGE.match(image)
        assert match is not None
        registry, region, repository = match.group(1), match.group(2), match.group(3)
        for action in ("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"):
            needs.append(_Need(action, f"arn:{p}:ecr:{region}:{registry}:repository/{repository}", "", "PullImages"))
    if images:
        # GetAuthorizationToken has no resource type; it only lets the role ask for a registry login.
        needs.append(_Need("ecr:GetAuthorizationToken", "*", "", "RegistryLogin"))
    log_groups = f"arn:{p}:logs:{target.region}:{target.account}:log-group:/aws/sagemaker/*"
    for action in (
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:DescribeLogStreams",
        "logs:PutLogEvents",
    ):
        needs.append(_Need(action, log_groups, "", "WriteLogs"))
    metrics = {"StringLike": {"cloudwatch:namespace": "/aws/sagemaker/*"}}
    needs.append(_Need("cloudwatch:PutMetricData", "*", json.dumps(metrics, sort_keys=True), "PutMetrics"))
    return _merge_list_bucket(consolidate(needs))


def _merge_list_bucket(statements: list[Statement]) -> list[Statement]:
    """One ListBucket statement per bucket, with all of its prefixes in one condition."""
    merged: dict[tuple[str, ...], list[str]] = {}
    others: list[Statement] = []
    for statement in statements:
        if statement.actions == ("s3:ListBucket",) and statement.condition:
            prefixes = statement.condition["StringLike"]["s3:prefix"]
            merged.setdefault(statement.resources, []).extend(prefixes)
        else:
            others.append(statement)
    for index, (resources, prefixes) in enumerate(sorted(merged.items())):
        unique = sorted(set(prefixes))
        kept = [x for x in unique if not any(o != x and x.startswith(o[:-1]) for o in unique)]
        sid = "ListData" + (str(index + 1) if index else "")
        others.append(Statement(sid, ("s3:ListBucket",), resources, {"StringLike": {"s3:prefix": kept}}))
    return sorted(others, key=lambda s: s.sid)


def _split_s3(uri: str) -> tuple[str, str]:
    match = spec_model.S3_URI.match(uri)
    assert match is not None
    return match.group(1), match.group(2) or ""


def check_size(policy: Mapping[str, Any], name: str) -> list[Problem]:
    """Inline policies are capped at 10,240 characters without white space."""
    size = len(json.dumps(policy, separators=(",", ":"), ensure_ascii=False))
    if size > INLINE_POLICY_LIMIT:
        return [
            Problem(
                f"policy is {size} characters; an inline role policy may hold {INLINE_POLICY_LIMIT}",
                file=name,
                hint="split the state machines across projects or use managed policies",
            )
        ]
    return []
