"""The AWS SDK integration's generic fallback: the IAM actions of an `aws-sdk:<service>:<apiName>` call with no row.

The service's IAM prefix comes from the IAM catalogue (`iam_catalogue.sdk_prefix`: pinpoint is mobiletargeting,
location is geo). The action is `<prefix>:<ApiName>` when IAM has an action of that name; where IAM authorizes the
API under other actions, `SDK_API_ACTIONS` says which (each row from the service's page of the Service
Authorization Reference, and tested). A call that is neither is refused: asl-gen does not invent action names.
"""

from __future__ import annotations

from collections.abc import Mapping

from asl_gen import iam_catalogue
from asl_gen.integrations.model import action_of

# `<iam prefix>:<ApiName>` -> the IAM actions the API is authorized under, where IAM has no action of the API's name.
# Sources: the Service Authorization Reference pages of Amazon S3 ("list_amazons3"), Amazon SQS, Amazon SNS, Amazon
# DynamoDB, Amazon Bedrock, AWS Lambda and Amazon API Gateway, and each API's reference page ("Permissions").
SDK_API_ACTIONS: Mapping[str, tuple[str, ...]] = {
    # S3: bucket listings are ListBucket; HeadObject needs read access; multi-object and multipart calls are the
    # single-object actions; ListObjectVersions is ListBucketVersions; ListBuckets is ListAllMyBuckets.
    "s3:ListObjects": ("s3:ListBucket",),
    "s3:ListObjectsV2": ("s3:ListBucket",),
    "s3:ListObjectVersions": ("s3:ListBucketVersions",),
    "s3:HeadBucket": ("s3:ListBucket",),
    "s3:HeadObject": ("s3:GetObject",),
    "s3:SelectObjectContent": ("s3:GetObject",),
    "s3:DeleteObjects": ("s3:DeleteObject",),
    "s3:CreateMultipartUpload": ("s3:PutObject",),
    "s3:UploadPart": ("s3:PutObject",),
    "s3:CompleteMultipartUpload": ("s3:PutObject",),
    "s3:ListParts": ("s3:ListMultipartUploadParts",),
    "s3:ListMultipartUploads": ("s3:ListBucketMultipartUploads",),
    "s3:ListBuckets": ("s3:ListAllMyBuckets",),
    # SQS and SNS batch calls are authorized as the single call, once per entry.
    "sqs:SendMessageBatch": ("sqs:SendMessage",),
    "sqs:DeleteMessageBatch": ("sqs:DeleteMessage",),
    "sqs:ChangeMessageVisibilityBatch": ("sqs:ChangeMessageVisibility",),
    "sns:PublishBatch": ("sns:Publish",),
    # DynamoDB transactions are authorized as the item actions they perform (any of them, by request).
    "dynamodb:TransactWriteItems": (
        "dynamodb:ConditionCheckItem",
        "dynamodb:DeleteItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
    ),
    "dynamodb:TransactGetItems": ("dynamodb:GetItem",),
    # Bedrock's Converse API runs a model: InvokeModel (streaming: InvokeModelWithResponseStream).
    "bedrock:Converse": ("bedrock:InvokeModel",),
    "bedrock:ConverseStream": ("bedrock:InvokeModelWithResponseStream",),
    # Lambda: every way of invoking is InvokeFunction.
    "lambda:InvokeWithResponseStream": ("lambda:InvokeFunction",),
    # API Gateway's WebSocket management API: PostToConnection, GetConnection, DeleteConnection.
    "execute-api:PostToConnection": ("execute-api:ManageConnections",),
    "execute-api:GetConnection": ("execute-api:ManageConnections",),
    "execute-api:DeleteConnection": ("execute-api:ManageConnections",),
}

# APIs whose actions depend on the request itself (a PartiQL statement is a select, insert, update or delete):
# refused, with the reason as the hint.
SDK_API_REFUSED: Mapping[str, str] = {
    "dynamodb:ExecuteStatement": "a PartiQL statement is authorized as dynamodb:PartiQLSelect, PartiQLInsert, "
    "PartiQLUpdate or PartiQLDelete, depending on the statement",
    "dynamodb:BatchExecuteStatement": "each PartiQL statement is authorized as dynamodb:PartiQLSelect, "
    "PartiQLInsert, PartiQLUpdate or PartiQLDelete, depending on the statement",
    "dynamodb:ExecuteTransaction": "each PartiQL statement is authorized as dynamodb:PartiQLSelect, "
    "PartiQLInsert, PartiQLUpdate or PartiQLDelete, depending on the statement",
}


class SdkMappingError(ValueError):
    """An `aws-sdk:` call asl-gen cannot map to IAM actions: the message says why, the hint what to do."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def sdk_actions(key: str) -> tuple[str, ...]:
    """The IAM actions of an `aws-sdk:<service>:<apiName>` call with no row; SdkMappingError when there are none."""
    _, service, api = key.split(":", 2)
    prefix = iam_catalogue.sdk_prefix(service)
    if prefix is None:
        close = iam_catalogue.suggest_sdk_service(service)
        raise SdkMappingError(
            f"IAM knows no service for the AWS SDK client {service!r}",
            f"did you mean aws-sdk:{close}:{api}?"
            if close
            else "write the client name as the AWS SDK for Java v2 does (e.g. sfn, cloudwatchlogs, pinpoint)",
        )
    named = action_of(prefix, api)
    if named in SDK_API_REFUSED:
        raise SdkMappingError(f"asl-gen cannot tell which IAM actions {key} needs", SDK_API_REFUSED[named])
    found = SDK_API_ACTIONS.get(named)
    if found is not None:
        return found
    action = iam_catalogue.action(named)
    if action is None:
        raise SdkMappingError(
            f"IAM has no action {named} for {key}, and asl-gen does not know which actions authorize it",
            "look the API up in the service's page of the Service Authorization Reference and grant its actions "
            "in a policy of your own (asl-gen does not invent action names)",
        )
    return (action.full_name,)


def sdk_action(key: str) -> str:
    """The one IAM action of an `aws-sdk:` call with no row (`aws-sdk:sfn:listExecutions` -> states:ListExecutions)."""
    first, *_ = sdk_actions(key)
    return first
