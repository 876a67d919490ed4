"""What asl-gen knows about each service call a Task can make: the Resource ARN, the integration patterns AWS
supports (request-response, `.sync`, `.sync:2`, `.waitForTaskToken`) and the IAM grants each call needs.

This is data: adding a service call is adding a row to its family's module (`sagemaker`, `compute`, `messaging`,
`data`, `stepfunctions`, `analytics`, `bedrock`, `web`), each built from the shapes in `model`; this package
assembles the table. It sits low in the layering (rank 2) rather than inside `iam` because the spec checks, the
planner, the validator and `iam` all read it, and each of those must import only what lies below it. The
`aws-sdk:` fallback (`sdk`) reads the IAM catalogue.

Imports: iam_catalogue
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from asl_gen.integrations import analytics, bedrock, compute, data, messaging, sagemaker, stepfunctions, web
from asl_gen.integrations.compute import lambda_resource
from asl_gen.integrations.model import (
    ALL_PATTERNS,
    CALLBACK,
    MACHINE,
    PATTERNS,
    REQUEST_RESPONSE,
    SYNC,
    SYNC2,
    ArnParam,
    Condition,
    Context,
    Grant,
    Integration,
    PassRole,
    RequestArns,
)
from asl_gen.integrations.sdk import SDK_API_ACTIONS, SdkMappingError, sdk_actions

__all__ = [
    "ALL_PATTERNS",
    "BY_KEY",
    "CALLBACK",
    "ITEM_IO_BY_KEY",
    "MACHINE",
    "PATTERNS",
    "REQUEST_RESPONSE",
    "ROWS",
    "SDK_API_ACTIONS",
    "SERVICE_ROWS",
    "SYNC",
    "SYNC2",
    "ArnParam",
    "Condition",
    "Context",
    "Grant",
    "Integration",
    "ParsedResource",
    "PassRole",
    "RequestArns",
    "SdkMappingError",
    "find",
    "lambda_resource",
    "parse_resource",
    "sdk_actions",
    "table",
    "task_resource",
]

# The SageMaker rows a spec's jobs call, by key: the planner picks from these by name.
BY_KEY: Mapping[str, Integration] = {row.key: row for row in sagemaker.JOBS}
# Every other row: the optimized integrations, then the AWS SDK calls asl-gen knows the resources of.
SERVICE_ROWS: tuple[Integration, ...] = (
    compute.OPTIMIZED
    + messaging.OPTIMIZED
    + data.OPTIMIZED
    + stepfunctions.OPTIMIZED
    + analytics.OPTIMIZED
    + bedrock.OPTIMIZED
    + web.OPTIMIZED
    + data.SDK
    + stepfunctions.SDK
    + compute.SDK
    + messaging.SDK
    + sagemaker.SDK_ROWS
    + bedrock.SDK
)
ROWS: tuple[Integration, ...] = sagemaker.JOBS + SERVICE_ROWS
# A Distributed Map's ItemReader and ResultWriter: looked up apart, since they are not Tasks.
ITEM_IO_BY_KEY: Mapping[str, Integration] = {row.key: row for row in data.ITEM_IO}


def _by_key(rows: tuple[Integration, ...]) -> Mapping[str, Integration]:
    found: dict[str, Integration] = {}
    for row in rows:
        if row.key in found:
            raise ValueError(f"integration {row.key} is defined twice")
        found[row.key] = row
    return found


_TABLE = _by_key(ROWS)


def table() -> Mapping[str, Integration]:
    """Every Task integration asl-gen knows, by key."""
    return _TABLE


def find(key: str) -> Integration | None:
    """The row for `service:api` or `aws-sdk:service:api`, or None when asl-gen does not know the call."""
    return _TABLE.get(key)


@dataclass(frozen=True)
class ParsedResource:
    """A Task's Resource ARN taken apart: its partition, the integration's key and the pattern."""

    partition: str
    key: str
    pattern: str


_REGIONAL = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d{1,2}")


def parse_resource(resource: str) -> ParsedResource | None:
    """Split `arn:<p>:states:::<service>:<api>[pattern]` into its parts; None when it is not of that form.

    The regional form `arn:<p>:states:<region>:<account>:<service>:<api>` names the same call (Step Functions
    accepts it, and the call goes where its parameters say), so it parses the same way; an activity does not.
    """
    parts = resource.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "states":
        return None
    if parts[3] or parts[4]:
        regional = _REGIONAL.fullmatch(parts[3]) and re.fullmatch(r"\d{12}", parts[4])
        if not regional or parts[5].startswith(("activity:", "stateMachine:", "execution:", "express:")):
            return None
    rest = parts[5]
    pattern = REQUEST_RESPONSE
    for suffix in PATTERNS:
        if rest.endswith(suffix):
            rest, pattern = rest[: -len(suffix)], suffix
            break
    return ParsedResource(parts[1], rest, pattern)


def task_resource(partition: str, integration: Integration, pattern: str) -> str:
    """The Task `Resource` ARN for a call with the given integration pattern."""
    if pattern not in integration.patterns:
        raise ValueError(f"{integration.key} does not support the {pattern or 'request-response'} pattern")
    return f"arn:{partition}:states:::{integration.key}{pattern}"
