"""Rows for the services that store data: DynamoDB, S3, Secrets Manager and SSM parameters.

It also holds `ITEM_IO`, the S3 calls a Distributed Map's ItemReader and ResultWriter make: they are not Tasks,
but `iam` walks them like one.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from asl_gen.integrations.model import (
    ONLY_REQUEST_RESPONSE,
    RR_CALLBACK,
    ArnParam,
    Condition,
    Context,
    Grant,
    Integration,
    action_of,
    sdk,
)
from asl_gen.integrations.references import ACCOUNT, PARTITION, REGION, here, named, reference

# ---- DynamoDB -------------------------------------------------------------------------------------------------

_TABLE_NAME = r"(?P<name>[A-Za-z0-9_.-]{3,255})"
_table = reference("dynamodb", "table/", _TABLE_NAME, named("table"))
# Only `IndexName` says an index is read, and which table it belongs to is another parameter, so the index is
# granted on every index of the named table.
_table_indexes = reference("dynamodb", "table/", _TABLE_NAME, named("table", "/index/*"))
DYNAMODB_TABLE = ArnParam("TableName", _table, here("dynamodb", "table/*"))
DYNAMODB_INDEXES = ArnParam("TableName", _table_indexes, here("dynamodb", "table/*/index/*"))


def _dynamodb(api: str, required: str, *, via_sdk: bool = False) -> Integration:
    action = action_of("dynamodb", api)
    grants = [Grant((action,), (DYNAMODB_TABLE,))]
    if api in ("query", "scan"):
        grants.append(Grant((action,), (DYNAMODB_INDEXES,), when_parameter="IndexName"))
    patterns = RR_CALLBACK if via_sdk else ONLY_REQUEST_RESPONSE
    required_parameters = ("TableName", required) if required else ("TableName",)
    return Integration("dynamodb", api, patterns, tuple(grants), sdk=via_sdk, required=required_parameters)


# ---- S3 -------------------------------------------------------------------------------------------------------

S3_BUCKET = "arn:{partition}:s3:::{Bucket}"
S3_OBJECT = "arn:{partition}:s3:::{Bucket}/{Key}"
S3_PREFIX = "arn:{partition}:s3:::{Bucket}/{Prefix}*"
# Listing is authorised on the bucket; `s3:prefix` keeps a listing of one prefix to that prefix.
LIST_BUCKET = Grant(("s3:ListBucket",), (S3_BUCKET,), conditions=(Condition("StringLike", "s3:prefix", "{Prefix}*"),))
_BUCKET = r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"


def _copy_source(value: str, target: Context, *, versioned: bool) -> tuple[str, ...] | None:
    """`bucket/key` or `/bucket/key`, URL-encoded, optionally `?versionId=…`."""
    path, _, query = value.partition("?")
    bucket, _, key = unquote(path.removeprefix("/")).partition("/")
    if not re.fullmatch(_BUCKET, bucket) or not key or (query and not query.startswith("versionId=")):
        return None
    if versioned != bool(query):
        return ()
    return (f"arn:{target.partition}:s3:::{bucket}/{key}",)


COPY_SOURCE = ArnParam(
    "CopySource", lambda value, target: _copy_source(value, target, versioned=False), "arn:{partition}:s3:::*/*"
)
# A versioned source is read with GetObjectVersion; a literal without `versionId` needs nothing more.
COPY_SOURCE_VERSION = ArnParam(
    "CopySource", lambda value, target: _copy_source(value, target, versioned=True), "arn:{partition}:s3:::*/*"
)


def _object(action: str, versioned: str) -> tuple[Grant, ...]:
    """`action` on the object, and `versioned` on it when the request names a version."""
    return (Grant((action,), (S3_OBJECT,)), Grant((versioned,), (S3_OBJECT,), when_parameter="VersionId"))


# Tagging or setting an ACL while writing is authorised as its own action.
_WRITE_OPTIONS = (
    Grant(("s3:PutObjectTagging",), (S3_OBJECT,), when_parameter="Tagging"),
    Grant(("s3:PutObjectAcl",), (S3_OBJECT,), when_parameter="ACL"),
)

# What a Distributed Map's ItemReader and ResultWriter call.
ITEM_IO: tuple[Integration, ...] = (
    Integration("s3", "listObjectsV2", ONLY_REQUEST_RESPONSE, (LIST_BUCKET,), required=("Bucket",)),
    Integration(
        "s3", "getObject", ONLY_REQUEST_RESPONSE, (Grant(("s3:GetObject",), (S3_OBJECT,)),), required=("Bucket", "Key")
    ),
    Integration(
        "s3",
        "putObject",
        ONLY_REQUEST_RESPONSE,
        (
            # Results are written as multipart uploads, which are read back and may be aborted.
            Grant(
                ("s3:AbortMultipartUpload", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"),
                (S3_PREFIX,),
            ),
        ),
        required=("Bucket",),
    ),
)

# ---- Secrets Manager and SSM ----------------------------------------------------------------------------------


def _secret_id(value: str, target: Context) -> tuple[str, ...] | None:
    """A secret name or partial ARN (`…-??????`: Secrets Manager appends six random characters), or a full ARN."""
    if value.startswith("arn:"):
        full = re.fullmatch(
            rf"arn:(?:{PARTITION}):secretsmanager:(?:{REGION}):(?:{ACCOUNT}):secret:[A-Za-z0-9/_+=.@-]{{1,512}}",
            value,
        )
        if full is None:
            return None
        # A name may itself end in six characters after a hyphen, so such an ARN may still be partial.
        return (value, f"{value}-??????") if re.search(r"-[A-Za-z0-9]{6}$", value) else (f"{value}-??????",)
    if re.fullmatch(r"[A-Za-z0-9/_+=.@-]{1,512}", value) is None:
        return None
    return (f"arn:{target.partition}:secretsmanager:{target.region}:{target.account}:secret:{value}-??????",)


SECRET = ArnParam("SecretId", _secret_id, here("secretsmanager", "secret:*"))

# A parameter is `name` or `/path/name`, optionally with a `:version` or `:label` selector the ARN leaves out.
_ssm_parameter = reference(
    "ssm", "parameter/", r"/?(?P<name>[A-Za-z0-9_.-][A-Za-z0-9_./-]{0,2047})(?::[A-Za-z0-9_.-]{1,100})?",
    named("parameter"),
)  # fmt: skip
SSM_PARAMETER = ArnParam("Name", _ssm_parameter, here("ssm", "parameter/*"))
SSM_PARAMETERS = ArnParam("Names[]", _ssm_parameter, here("ssm", "parameter/*"))

# ---- Rows -----------------------------------------------------------------------------------------------------

OPTIMIZED: tuple[Integration, ...] = (
    _dynamodb("getItem", "Key"),
    _dynamodb("putItem", "Item"),
    _dynamodb("updateItem", "Key"),
    _dynamodb("deleteItem", "Key"),
)

_OBJECT = ("Bucket", "Key")

SDK: tuple[Integration, ...] = (
    sdk("s3", "getObject", _object("s3:GetObject", "s3:GetObjectVersion"), _OBJECT),
    # HeadObject is authorised as GetObject.
    sdk("s3", "headObject", _object("s3:GetObject", "s3:GetObjectVersion"), _OBJECT),
    sdk("s3", "putObject", (Grant(("s3:PutObject",), (S3_OBJECT,)), *_WRITE_OPTIONS), _OBJECT),
    sdk("s3", "deleteObject", _object("s3:DeleteObject", "s3:DeleteObjectVersion"), _OBJECT),
    # A copy reads its source and writes its destination.
    sdk(
        "s3",
        "copyObject",
        (
            Grant(("s3:GetObject",), (COPY_SOURCE,)),
            Grant(("s3:GetObjectVersion",), (COPY_SOURCE_VERSION,)),
            Grant(("s3:PutObject",), (S3_OBJECT,)),
            *_WRITE_OPTIONS,
        ),
        ("Bucket", "CopySource", "Key"),
    ),
    # Listing objects is authorised as ListBucket on the bucket.
    sdk("s3", "listObjectsV2", (LIST_BUCKET,), ("Bucket",)),
    _dynamodb("getItem", "Key", via_sdk=True),
    _dynamodb("putItem", "Item", via_sdk=True),
    _dynamodb("updateItem", "Key", via_sdk=True),
    _dynamodb("deleteItem", "Key", via_sdk=True),
    _dynamodb("query", "", via_sdk=True),
    _dynamodb("scan", "", via_sdk=True),
    sdk("secretsmanager", "getSecretValue", (Grant(("secretsmanager:GetSecretValue",), (SECRET,)),), ("SecretId",)),
    sdk("ssm", "getParameter", (Grant(("ssm:GetParameter",), (SSM_PARAMETER,)),), ("Name",)),
    sdk("ssm", "getParameters", (Grant(("ssm:GetParameters",), (SSM_PARAMETERS,)),), ("Names",)),
)
