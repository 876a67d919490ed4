"""Rows of the integration table for every service but SageMaker: Lambda, SNS, SQS, DynamoDB, ECS, Batch, Glue,
EventBridge, nested Step Functions and the AWS SDK integration."""

from __future__ import annotations

from asl_gen.integrations import Integration

ROWS: tuple[Integration, ...] = ()


def sdk_action(key: str) -> str:
    """The IAM action of an `aws-sdk:<service>:<apiName>` call: `<iam prefix>:<ApiName>`."""
    _, service, api = key.split(":", 2)
    return f"{service}:{api[:1].upper()}{api[1:]}"
