"""What asl-gen knows about each service call a Task can make: patterns AWS supports and the IAM it needs.

This is data. Adding a service call is adding a row to `INTEGRATIONS`; `iam` interprets the rows.
In resource templates, `{partition}`, `{region}` and `{account}` come from the project, and
`{Param}` is the scope derived from the Task's `Param` (or `Param.$`) value: the lowercased literal
name, the literal prefix of a `States.Format` expression followed by `*`, or `*`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

REQUEST_RESPONSE = ""
SYNC = ".sync"
SYNC2 = ".sync:2"
CALLBACK = ".waitForTaskToken"
PATTERNS = (SYNC2, SYNC, CALLBACK)

ALL_PATTERNS = frozenset({REQUEST_RESPONSE, SYNC, SYNC2, CALLBACK})


class Context(Protocol):
    """Where the definition runs: every ARN template is filled from these."""

    @property
    def partition(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def account(self) -> str: ...


@dataclass(frozen=True)
class ArnParam:
    """A resource named by a request parameter that may hold a name, a partial ARN or a full ARN.

    `parameter` is a key of the request, or a path through lists such as `Entries[].EventBusName`.
    `literal` turns a constant value into ARNs; it returns None when the value is not a valid reference,
    which `iam` reports. `dynamic` is the template used when the value comes from a path or JSONata, and
    `absent` the one used when the request leaves the parameter out (None: `dynamic` again).
    """

    parameter: str
    literal: Callable[[str, Context], tuple[str, ...] | None]
    dynamic: str
    absent: str | None = None


@dataclass(frozen=True)
class Grant:
    """Actions on resources that one call needs, for the patterns listed."""

    actions: tuple[str, ...]
    resources: tuple[str | ArnParam, ...]
    patterns: frozenset[str] = ALL_PATTERNS
    # Only when the request carries this parameter (e.g. `Tags` needs sagemaker:AddTags).
    when_parameter: str | None = None
    # Why the grant is on "*": required whenever `resources` is ("*",), and shown in the policy notes.
    unscoped_because: str | None = None


@dataclass(frozen=True)
class PassRole:
    """`iam:PassRole` on the role named by a request parameter (a key, or a path like `A.B` or `A[].B`).

    A parameter the request leaves out passes nothing, unless the service then uses a role named elsewhere
    (ECS takes the task's roles from the task definition): `any_role_when_absent` grants any role of the
    account, still only to that service.
    """

    parameter: str
    service: str
    any_role_when_absent: bool = False


@dataclass(frozen=True)
class Integration:
    service: str
    api: str
    patterns: frozenset[str]
    grants: tuple[Grant, ...]
    pass_roles: tuple[PassRole, ...] = ()
    sdk: bool = False
    # Parameters a request must carry; the spec and the validator report a missing one.
    required: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"aws-sdk:{self.service}:{self.api}" if self.sdk else f"{self.service}:{self.api}"


SAGEMAKER_ARN = "arn:{partition}:sagemaker:{region}:{account}"
EVENTS_RULE = "arn:{partition}:events:{region}:{account}:rule/StepFunctionsGetEventsFor{rule}"
EVENTS_ACTIONS = ("events:PutTargets", "events:PutRule", "events:DescribeRule")
SAGEMAKER_PASS = PassRole("RoleArn", "sagemaker.amazonaws.com")


def _sagemaker_job(
    api: str,
    kind: str,
    resource: str,
    name_param: str,
    rule: str,
    extra_sync: tuple[str, ...] = (),
    pass_roles: tuple[PassRole, ...] = (SAGEMAKER_PASS,),
) -> Integration:
    job_arn = f"{SAGEMAKER_ARN}:{resource}/{{{name_param}}}"
    return Integration(
        service="sagemaker",
        api=api,
        patterns=frozenset({REQUEST_RESPONSE, SYNC}),
        grants=(
            Grant((f"sagemaker:Create{kind}",), (job_arn,)),
            Grant(
                (f"sagemaker:Describe{kind}", f"sagemaker:Stop{kind}", *extra_sync),
                (job_arn,),
                patterns=frozenset({SYNC}),
            ),
            # Step Functions tags every job it runs with .sync; without AddTags the run fails (AccessDenied).
            Grant(("sagemaker:AddTags",), (job_arn,), patterns=frozenset({SYNC})),
            Grant(("sagemaker:AddTags",), (job_arn,), when_parameter="Tags"),
            Grant(("sagemaker:ListTags",), (job_arn,)),
            Grant(EVENTS_ACTIONS, (EVENTS_RULE.replace("{rule}", rule),), patterns=frozenset({SYNC})),
        ),
        pass_roles=pass_roles,
    )


def _sagemaker_call(api: str, grants: tuple[Grant, ...], pass_roles: tuple[PassRole, ...] = ()) -> Integration:
    return Integration("sagemaker", api, frozenset({REQUEST_RESPONSE}), grants, pass_roles)


def _model_package_group(value: str, target: Context) -> tuple[str, str] | None:
    """`arn:<p>:sagemaker:<r>:<a>` and the lowercased name of a group given by name or ARN; None if neither."""

    def is_name(text: str) -> bool:
        return 0 < len(text) <= 63 and text.replace("-", "").isalnum() and text.isascii() and text[0] != "-" != text[-1]

    if is_name(value):
        return f"arn:{target.partition}:sagemaker:{target.region}:{target.account}", value.lower()
    parts = value.split(":")
    if len(parts) == 6 and parts[:3] == ["arn", parts[1], "sagemaker"] and parts[1].startswith("aws") and parts[3]:
        kind, _, name = parts[5].partition("/")
        if kind == "model-package-group" and is_name(name) and len(parts[4]) == 12 and parts[4].isdigit():
            return ":".join(parts[:5]), name.lower()
    return None


def _group_arn(value: str, target: Context) -> tuple[str, ...] | None:
    found = _model_package_group(value, target)
    return None if found is None else (f"{found[0]}:model-package-group/{found[1]}",)


def _group_versions(value: str, target: Context) -> tuple[str, ...] | None:
    # A versioned model package's ARN is model-package/<group>/<version>.
    found = _model_package_group(value, target)
    return None if found is None else (f"{found[0]}:model-package/{found[1]}/*",)


# Without a group the call registers an unversioned package named by ModelPackageName.
_UNVERSIONED_PACKAGE = f"{SAGEMAKER_ARN}:model-package/{{ModelPackageName}}"
MODEL_PACKAGE_GROUP = ArnParam(
    "ModelPackageGroupName", _group_arn, f"{SAGEMAKER_ARN}:model-package-group/*", _UNVERSIONED_PACKAGE
)
MODEL_PACKAGE_VERSIONS = ArnParam(
    "ModelPackageGroupName", _group_versions, f"{SAGEMAKER_ARN}:model-package/*", _UNVERSIONED_PACKAGE
)


INTEGRATIONS: tuple[Integration, ...] = (
    _sagemaker_job("createTrainingJob", "TrainingJob", "training-job", "TrainingJobName", "SageMakerTrainingJobsRule"),
    _sagemaker_job(
        "createProcessingJob",
        "ProcessingJob",
        "processing-job",
        "ProcessingJobName",
        "SageMakerProcessingJobsRule",
    ),
    _sagemaker_job(
        "createTransformJob",
        "TransformJob",
        "transform-job",
        "TransformJobName",
        "SageMakerTransformJobsRule",
        # CreateTransformJob takes no role: the model's execution role, passed when the model was made, runs it.
        pass_roles=(),
    ),
    _sagemaker_job(
        "createHyperParameterTuningJob",
        "HyperParameterTuningJob",
        "hyper-parameter-tuning-job",
        "HyperParameterTuningJobName",
        "SageMakerTuningJobsRule",
        extra_sync=("sagemaker:ListTrainingJobsForHyperParameterTuningJob",),
        # The training jobs a tuning job starts run as the role of their definition (one, or one per definition).
        pass_roles=(
            PassRole("TrainingJobDefinition.RoleArn", "sagemaker.amazonaws.com"),
            PassRole("TrainingJobDefinitions[].RoleArn", "sagemaker.amazonaws.com"),
        ),
    ),
    _sagemaker_call(
        "createModel",
        (
            Grant(("sagemaker:CreateModel",), (f"{SAGEMAKER_ARN}:model/{{ModelName}}",)),
            Grant(("sagemaker:AddTags",), (f"{SAGEMAKER_ARN}:model/{{ModelName}}",), when_parameter="Tags"),
            Grant(("sagemaker:ListTags",), (f"{SAGEMAKER_ARN}:model/{{ModelName}}",)),
        ),
        (PassRole("ExecutionRoleArn", "sagemaker.amazonaws.com"),),
    ),
    _sagemaker_call(
        "createEndpointConfig",
        (
            Grant(
                ("sagemaker:CreateEndpointConfig",),
                (f"{SAGEMAKER_ARN}:endpoint-config/{{EndpointConfigName}}",),
            ),
            Grant(
                ("sagemaker:AddTags",),
                (f"{SAGEMAKER_ARN}:endpoint-config/{{EndpointConfigName}}",),
                when_parameter="Tags",
            ),
            Grant(("sagemaker:ListTags",), (f"{SAGEMAKER_ARN}:endpoint-config/{{EndpointConfigName}}",)),
        ),
    ),
    _sagemaker_call(
        "createEndpoint",
        (
            # CreateEndpoint is authorised against the endpoint and the config it reads.
            Grant(
                ("sagemaker:CreateEndpoint",),
                (
                    f"{SAGEMAKER_ARN}:endpoint/{{EndpointName}}",
                    f"{SAGEMAKER_ARN}:endpoint-config/{{EndpointConfigName}}",
                ),
            ),
            Grant(("sagemaker:AddTags",), (f"{SAGEMAKER_ARN}:endpoint/{{EndpointName}}",), when_parameter="Tags"),
            Grant(("sagemaker:ListTags",), (f"{SAGEMAKER_ARN}:endpoint/{{EndpointName}}",)),
        ),
    ),
    _sagemaker_call(
        "updateEndpoint",
        (
            Grant(
                ("sagemaker:UpdateEndpoint",),
                (
                    f"{SAGEMAKER_ARN}:endpoint/{{EndpointName}}",
                    f"{SAGEMAKER_ARN}:endpoint-config/{{EndpointConfigName}}",
                ),
            ),
        ),
    ),
    Integration(
        "sagemaker",
        "describeTrainingJob",
        frozenset({REQUEST_RESPONSE}),
        (Grant(("sagemaker:DescribeTrainingJob",), (f"{SAGEMAKER_ARN}:training-job/{{TrainingJobName}}",)),),
        sdk=True,
    ),
    Integration(
        "sagemaker",
        "createModelPackage",
        frozenset({REQUEST_RESPONSE}),
        (
            # The Service Authorization Reference lists model-package and model-package-group for
            # CreateModelPackage; a new version is authorised against both.
            Grant(("sagemaker:CreateModelPackage",), (MODEL_PACKAGE_GROUP, MODEL_PACKAGE_VERSIONS)),
            Grant(("sagemaker:AddTags",), (MODEL_PACKAGE_VERSIONS,), when_parameter="Tags"),
        ),
        sdk=True,
    ),
)

S3_OBJECT = "arn:{partition}:s3:::{Bucket}/{Key}"
S3_PREFIX = "arn:{partition}:s3:::{Bucket}/{Prefix}*"

# What a Distributed Map's ItemReader and ResultWriter call; they are not Tasks, but `iam` walks them like one.
ITEM_IO: tuple[Integration, ...] = (
    Integration(
        "s3",
        "listObjectsV2",
        frozenset({REQUEST_RESPONSE}),
        (Grant(("s3:ListBucket",), ("arn:{partition}:s3:::{Bucket}",)),),
        required=("Bucket",),
    ),
    Integration(
        "s3",
        "getObject",
        frozenset({REQUEST_RESPONSE}),
        (Grant(("s3:GetObject",), (S3_OBJECT,)),),
        required=("Bucket", "Key"),
    ),
    Integration(
        "s3",
        "putObject",
        frozenset({REQUEST_RESPONSE}),
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

BY_KEY: Mapping[str, Integration] = {i.key: i for i in INTEGRATIONS}
ITEM_IO_BY_KEY: Mapping[str, Integration] = {i.key: i for i in ITEM_IO}


@functools.cache
def table() -> Mapping[str, Integration]:
    """Every Task integration asl-gen knows: the SageMaker rows here and the other services' rows."""
    # `services` builds its rows from the classes above, so it is imported once they exist.
    from asl_gen import services

    rows: dict[str, Integration] = dict(BY_KEY)
    for row in services.ROWS:
        if row.key in rows:
            raise ValueError(f"integration {row.key} is defined twice")
        rows[row.key] = row
    return rows


def find(key: str) -> Integration | None:
    """The row for `service:api` or `aws-sdk:service:api`, or None when asl-gen does not know the call."""
    return table().get(key)


@dataclass(frozen=True)
class ParsedResource:
    partition: str
    key: str
    pattern: str


def parse_resource(resource: str) -> ParsedResource | None:
    """Split `arn:<p>:states:::<service>:<api>[pattern]` into its parts; None when it is not of that form."""
    parts = resource.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "states" or parts[3] or parts[4]:
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
