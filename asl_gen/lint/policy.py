"""IAM policy findings no schema can express: duplicate Sids, missing Resource, wildcard actions and resources.

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

# Actions IAM authorizes only against Resource "*" (checked against parliament's copy of the AWS service
# authorization reference: their resource-type list is empty). One deliberate exception: sagemaker:ListTags does
# support resource-level permissions, but the AWS Step Functions docs and CDK grant it on "*" for every
# SageMaker integration, and Step Functions calls it on resources whose ARNs the definition cannot know.
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

_SERVICE_WILDCARD = re.compile(r"[a-z0-9-]+:\*")


def policy_findings(doc: dict[str, Any], justified: frozenset[str] = frozenset()) -> list[Draft]:
    """What is wrong with the statements of a policy; `justified` Sids may keep Resource "*" for scopable actions."""
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
        action_items = (
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
        if "*" not in resource_list or has_principal or statement.get("Sid") in justified:
            continue
        resource_path = (*path, "Resource")
        if "NotAction" in statement:
            findings.append(
                Draft(
                    resource_path,
                    "Resource '*' with NotAction allows almost everything",
                    "use Action with named actions",
                    rule="policy-wildcard-resource",
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
                )
            )
    return findings
