"""Rows of the integration table for every service but SageMaker: Lambda, SNS, SQS, DynamoDB, ECS, Batch, Glue,
EventBridge, nested Step Functions and the AWS SDK integration.

A parameter that may hold a name, a partial ARN or a full ARN is an `ArnParam`: its literal is parsed here, so a
full ARN keeps its own partition, region and account (cross-account calls are legal), and a value that is no valid
reference is reported instead of being pasted into a policy. Values from a path or JSONata get the resource type
with a `*` name, in the project's partition, region and account.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote

from asl_gen.integrations import (
    CALLBACK,
    EVENTS_ACTIONS,
    EVENTS_RULE,
    REQUEST_RESPONSE,
    SYNC,
    SYNC2,
    ArnParam,
    Context,
    Grant,
    Integration,
    PassRole,
)

# Turns a constant parameter value into the ARNs it names, or None when it names nothing valid.
Parser = Callable[[str, Context], "tuple[str, ...] | None"]
# Builds the granted ARNs from `arn:<partition>:<service>:<region>:<account>:` and the parsed name.
Shape = Callable[[str, "re.Match[str]"], "tuple[str, ...]"]

_PARTITION = r"aws(?:-[a-z]+)*"
_REGION = r"[a-z]{2}(?:-[a-z]+)+-\d{1,2}"
_ACCOUNT = r"\d{12}"


def _here(service: str, resource: str) -> str:
    """An ARN template in the project's partition, region and account."""
    return f"arn:{{partition}}:{service}:{{region}}:{{account}}:{resource}"


def _rule(name: str) -> str:
    return EVENTS_RULE.replace("{rule}", name)


def _reference(service: str, prefix: str, name: str, shape: Shape, *, bare: bool = True) -> Parser:
    """Parse a reference given as a full ARN `arn:…:<service>:…:<prefix><name>` or, when `bare`, as `<name>` alone.

    A bare name lives in the project's region and account; a full ARN names its own.
    """
    full = re.compile(
        rf"arn:(?P<partition>{_PARTITION}):{service}:(?P<region>{_REGION}):(?P<account>{_ACCOUNT}):{re.escape(prefix)}"
        + f"(?P<resource>{name})"
    )
    short = re.compile(f"(?P<resource>{name})")

    def literal(value: str, target: Context) -> tuple[str, ...] | None:
        match = full.fullmatch(value)
        if match is not None:
            return shape(f"arn:{match['partition']}:{service}:{match['region']}:{match['account']}:", match)
        match = short.fullmatch(value) if bare else None
        if match is not None:
            return shape(f"arn:{target.partition}:{service}:{target.region}:{target.account}:", match)
        return None

    return literal


def _itself(head: str, match: re.Match[str]) -> tuple[str, ...]:
    return (head + match["resource"],)


# ---- Lambda ---------------------------------------------------------------------------------------------------

_LAMBDA_NAME = r"(?P<name>[A-Za-z0-9_-]{1,64})(?::(?P<qualifier>\$LATEST|[A-Za-z0-9_-]{1,128}))?"
_LAMBDA_FORMS = (
    re.compile(
        rf"arn:(?P<partition>{_PARTITION}):lambda:(?P<region>{_REGION}):(?P<account>{_ACCOUNT}):function:{_LAMBDA_NAME}"
    ),
    re.compile(rf"(?P<account>{_ACCOUNT}):function:{_LAMBDA_NAME}"),
    re.compile(_LAMBDA_NAME),
)


def _lambda_function(value: str, target: Context) -> tuple[str, ...] | None:
    """`f`, `f:alias`, `123456789012:function:f[:q]` or a full function ARN."""
    for form in _LAMBDA_FORMS:
        match = form.fullmatch(value)
        if match is None:
            continue
        parts = match.groupdict()
        partition = parts.get("partition") or target.partition
        region = parts.get("region") or target.region
        account = parts.get("account") or target.account
        arn = f"arn:{partition}:lambda:{region}:{account}:function:{match['name']}"
        if match["qualifier"] == "$LATEST":
            # $LATEST is the unqualified function under another name; grant both spellings of it.
            return (arn, f"{arn}:$LATEST")
        if match["qualifier"]:
            return (f"{arn}:{match['qualifier']}",)
        # An unqualified name may be invoked with a `Qualifier`, and versions and aliases are separate resources.
        return (arn, f"{arn}:*")
    return None


LAMBDA_FUNCTION = ArnParam("FunctionName", _lambda_function, _here("lambda", "function:*"))
LAMBDA_INVOKE = Grant(("lambda:InvokeFunction",), (LAMBDA_FUNCTION,))

# ---- SNS ------------------------------------------------------------------------------------------------------

_SNS_TOPIC = _reference("sns", "", r"[A-Za-z0-9_-]{1,256}(?:\.fifo)?", _itself, bare=False)
# A TargetArn is a topic or a mobile platform endpoint (`endpoint/<platform>/<app>/<id>`).
_SNS_TARGET = _reference(
    "sns", "", r"(?:endpoint/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/[A-Za-z0-9-]+|[A-Za-z0-9_-]{1,256}(?:\.fifo)?)",
    _itself, bare=False,
)  # fmt: skip
SMS_WHY = "SMS messages sent with PhoneNumber have no topic or endpoint resource; IAM accepts only '*' for them"
SNS_PUBLISH = (
    Grant(("sns:Publish",), (ArnParam("TopicArn", _SNS_TOPIC, _here("sns", "*")),), when_parameter="TopicArn"),
    Grant(("sns:Publish",), (ArnParam("TargetArn", _SNS_TARGET, _here("sns", "*")),), when_parameter="TargetArn"),
    Grant(("sns:Publish",), ("*",), when_parameter="PhoneNumber", unscoped_because=SMS_WHY),
)

# ---- SQS ------------------------------------------------------------------------------------------------------

_QUEUE_URL = re.compile(
    r"https://(?:sqs\.(?P<region>[a-z]{2}(?:-[a-z]+)+-\d{1,2})|(?P<legacy>[a-z]{2}(?:-[a-z]+)+-\d{1,2})\.queue|queue)"
    r"\.amazonaws\.com(?:\.cn)?/(?P<account>\d{12})/(?P<name>[A-Za-z0-9_-]{1,80}(?:\.fifo)?)"
)


def _queue(value: str, target: Context) -> tuple[str, ...] | None:
    """`https://sqs.<region>.amazonaws.com/<account>/<name>`, or the legacy `<region>.queue` and `queue` hosts."""
    match = _QUEUE_URL.fullmatch(value)
    if match is None:
        return None
    # The region-less legacy host `queue.amazonaws.com` is us-east-1.
    region = match["region"] or match["legacy"] or "us-east-1"
    # A queue is reachable only inside the project's partition, whatever the URL's domain.
    return (f"arn:{target.partition}:sqs:{region}:{match['account']}:{match['name']}",)


SQS_QUEUE = ArnParam("QueueUrl", _queue, _here("sqs", "*"))

# ---- DynamoDB -------------------------------------------------------------------------------------------------

_TABLE_NAME = r"(?P<name>[A-Za-z0-9_.-]{3,255})"
_table = _reference("dynamodb", "table/", _TABLE_NAME, lambda head, m: (f"{head}table/{m['name']}",))
# Only `IndexName` says an index is read, and which table it belongs to is another parameter, so the index is
# granted on every index of the named table.
_table_indexes = _reference("dynamodb", "table/", _TABLE_NAME, lambda head, m: (f"{head}table/{m['name']}/index/*",))
DYNAMODB_TABLE = ArnParam("TableName", _table, _here("dynamodb", "table/*"))
DYNAMODB_INDEXES = ArnParam("TableName", _table_indexes, _here("dynamodb", "table/*/index/*"))


def _dynamodb(api: str, required: str, *, sdk: bool = False) -> Integration:
    action = f"dynamodb:{api[:1].upper()}{api[1:]}"
    grants = [Grant((action,), (DYNAMODB_TABLE,))]
    if api in ("query", "scan"):
        grants.append(Grant((action,), (DYNAMODB_INDEXES,), when_parameter="IndexName"))
    patterns = frozenset({REQUEST_RESPONSE, CALLBACK}) if sdk else frozenset({REQUEST_RESPONSE})
    required_parameters = ("TableName", required) if required else ("TableName",)
    return Integration("dynamodb", api, patterns, tuple(grants), sdk=sdk, required=required_parameters)


# ---- ECS ------------------------------------------------------------------------------------------------------


def _revision_or_all(head: str, kind: str, match: re.Match[str]) -> tuple[str, ...]:
    # Without a revision the latest ACTIVE one runs, and the request is authorised on that revision's ARN.
    return (f"{head}{kind}/{match['name']}:{match['revision'] or '*'}",)


_task_definition = _reference(
    "ecs", "task-definition/", r"(?P<name>[A-Za-z0-9_-]{1,255})(?::(?P<revision>[1-9][0-9]*))?",
    lambda head, m: _revision_or_all(head, "task-definition", m),
)  # fmt: skip
_cluster_tasks = _reference(
    "ecs", "cluster/", r"(?P<name>[A-Za-z0-9_-]{1,255})", lambda head, m: (f"{head}task/{m['name']}/*",)
)
ECS_TASK_DEFINITION = ArnParam("TaskDefinition", _task_definition, _here("ecs", "task-definition/*"))
# Task ids are assigned at launch; the cluster is what a definition can name. ECS runs on `default` without one.
ECS_TASKS = ArnParam("Cluster", _cluster_tasks, _here("ecs", "task/*"), absent=_here("ecs", "task/default/*"))
ECS_TASKS_SERVICE = "ecs-tasks.amazonaws.com"

# ---- Batch ----------------------------------------------------------------------------------------------------

_job_definition = _reference(
    "batch", "job-definition/", r"(?P<name>[A-Za-z0-9_-]{1,128})(?::(?P<revision>[1-9][0-9]*))?",
    lambda head, m: _revision_or_all(head, "job-definition", m),
)  # fmt: skip
_job_queue = _reference(
    "batch", "job-queue/", r"(?P<name>[A-Za-z0-9_-]{1,128})", lambda head, m: (f"{head}job-queue/{m['name']}",)
)
BATCH_JOB_DEFINITION = ArnParam("JobDefinition", _job_definition, _here("batch", "job-definition/*"))
BATCH_JOB_QUEUE = ArnParam("JobQueue", _job_queue, _here("batch", "job-queue/*"))
# Job ids are assigned at submission, so a job is only known as "a job of this account".
BATCH_JOBS = _here("batch", "job/*")
DESCRIBE_JOBS_WHY = "batch:DescribeJobs has no resource type; IAM accepts only '*' for it"

# ---- Glue -----------------------------------------------------------------------------------------------------

# Glue allows almost any single-line name; IAM wildcards and ARN separators are refused so a name cannot widen.
_GLUE_JOB_NAME = re.compile(r"[^\x00-\x1f*?:]{1,255}")


def _glue_job(value: str, target: Context) -> tuple[str, ...] | None:
    if _GLUE_JOB_NAME.fullmatch(value) is None:
        return None
    return (f"arn:{target.partition}:glue:{target.region}:{target.account}:job/{value}",)


# `{JobName}` keeps the literal prefix of a `States.Format` name (job names are never ARNs).
GLUE_JOB = ArnParam("JobName", _glue_job, _here("glue", "job/{JobName}"))

# ---- EventBridge ----------------------------------------------------------------------------------------------

_event_bus = _reference(
    "events", "event-bus/", r"(?P<name>[A-Za-z0-9._/-]{1,256})", lambda head, m: (f"{head}event-bus/{m['name']}",)
)
EVENT_BUSES = ArnParam(
    "Entries[].EventBusName", _event_bus, _here("events", "event-bus/*"), absent=_here("events", "event-bus/default")
)

# ---- Step Functions -------------------------------------------------------------------------------------------

_STATE_MACHINE_NAME = r"(?P<name>[A-Za-z0-9_-]{1,80})(?::(?P<qualifier>[A-Za-z0-9_-]{1,80}))?"
# Step Functions authorises a version or alias against the unqualified state machine ARN, and names its
# executions after the state machine alone.
_state_machine = _reference(
    "states", "stateMachine:", _STATE_MACHINE_NAME, lambda head, m: (f"{head}stateMachine:{m['name']}",), bare=False
)
_executions = _reference(
    "states", "stateMachine:", _STATE_MACHINE_NAME, lambda head, m: (f"{head}execution:{m['name']}:*",), bare=False
)
_execution = _reference(
    "states", "", r"(?:execution|express):[A-Za-z0-9_-]{1,80}(?:/[A-Za-z0-9_-]{1,80})?:[A-Za-z0-9_:-]{1,160}",
    _itself, bare=False,
)  # fmt: skip
STATE_MACHINE = ArnParam("StateMachineArn", _state_machine, _here("states", "stateMachine:*"))
EXECUTIONS = ArnParam("StateMachineArn", _executions, _here("states", "execution:*"))
EXECUTION = ArnParam("ExecutionArn", _execution, _here("states", "execution:*"))
TASK_TOKEN_WHY = "task-token callbacks name no resource (the token does); IAM accepts only '*' for them"

# ---- S3, Secrets Manager, SSM, SageMaker (AWS SDK integration only) --------------------------------------------

S3_BUCKET = "arn:{partition}:s3:::{Bucket}"
S3_OBJECT = "arn:{partition}:s3:::{Bucket}/{Key}"
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


def _secret_id(value: str, target: Context) -> tuple[str, ...] | None:
    """A secret name or partial ARN (`…-??????`: Secrets Manager appends six random characters), or a full ARN."""
    if value.startswith("arn:"):
        full = re.fullmatch(
            rf"arn:(?:{_PARTITION}):secretsmanager:(?:{_REGION}):(?:{_ACCOUNT}):secret:[A-Za-z0-9/_+=.@-]{{1,512}}",
            value,
        )
        if full is None:
            return None
        # A name may itself end in six characters after a hyphen, so such an ARN may still be partial.
        return (value, f"{value}-??????") if re.search(r"-[A-Za-z0-9]{6}$", value) else (f"{value}-??????",)
    if re.fullmatch(r"[A-Za-z0-9/_+=.@-]{1,512}", value) is None:
        return None
    return (f"arn:{target.partition}:secretsmanager:{target.region}:{target.account}:secret:{value}-??????",)


SECRET = ArnParam("SecretId", _secret_id, _here("secretsmanager", "secret:*"))

# A parameter is `name` or `/path/name`, optionally with a `:version` or `:label` selector the ARN leaves out.
_ssm_parameter = _reference(
    "ssm", "parameter/", r"/?(?P<name>[A-Za-z0-9_.-][A-Za-z0-9_./-]{0,2047})(?::[A-Za-z0-9_.-]{1,100})?",
    lambda head, m: (f"{head}parameter/{m['name']}",),
)  # fmt: skip
SSM_PARAMETER = ArnParam("Name", _ssm_parameter, _here("ssm", "parameter/*"))
SSM_PARAMETERS = ArnParam("Names[]", _ssm_parameter, _here("ssm", "parameter/*"))

SAGEMAKER = "arn:{partition}:sagemaker:{region}:{account}"
# SageMaker lowercases the names in its ARNs.
_sagemaker_resource = _reference(
    "sagemaker", "", r"[a-z-]+/[A-Za-z0-9-]{1,63}(?:/[A-Za-z0-9/-]+)?",
    lambda head, m: (head + m["resource"].lower(),), bare=False,
)  # fmt: skip
SAGEMAKER_RESOURCE = ArnParam("ResourceArn", _sagemaker_resource, f"{SAGEMAKER}:*")


# ---- Rows -----------------------------------------------------------------------------------------------------

RR_CALLBACK = frozenset({REQUEST_RESPONSE, CALLBACK})


def _sdk(service: str, api: str, grants: tuple[Grant, ...], required: tuple[str, ...] = ()) -> Integration:
    # AWS SDK integrations support request-response and .waitForTaskToken, never .sync.
    return Integration(service, api, RR_CALLBACK, grants, sdk=True, required=required)


def _describe(api: str, kind: str, name: str) -> Integration:
    """A SageMaker Describe* call on one resource named by `name` (lowercased like every SageMaker ARN)."""
    action = f"sagemaker:{api[:1].upper()}{api[1:]}"
    return _sdk("sagemaker", api, (Grant((action,), (f"{SAGEMAKER}:{kind}/{{{name}}}",)),), (name,))


STATE_MACHINE_SYNC = frozenset({SYNC, SYNC2})

OPTIMIZED: tuple[Integration, ...] = (
    Integration("lambda", "invoke", RR_CALLBACK, (LAMBDA_INVOKE,), required=("FunctionName",)),
    Integration("sns", "publish", RR_CALLBACK, SNS_PUBLISH, required=("Message",)),
    Integration(
        "sqs",
        "sendMessage",
        RR_CALLBACK,
        (Grant(("sqs:SendMessage",), (SQS_QUEUE,)),),
        required=("QueueUrl", "MessageBody"),
    ),
    _dynamodb("getItem", "Key"),
    _dynamodb("putItem", "Item"),
    _dynamodb("updateItem", "Key"),
    _dynamodb("deleteItem", "Key"),
    Integration(
        "ecs",
        "runTask",
        frozenset({REQUEST_RESPONSE, SYNC, CALLBACK}),
        (
            Grant(("ecs:RunTask",), (ECS_TASK_DEFINITION,)),
            Grant(("ecs:DescribeTasks", "ecs:StopTask"), (ECS_TASKS,), patterns=frozenset({SYNC})),
            # ECS authorises tags given at launch as a TagResource call on the new task.
            Grant(("ecs:TagResource",), (ECS_TASKS,), when_parameter="Tags"),
            Grant(EVENTS_ACTIONS, (_rule("ECSTaskRule"),), patterns=frozenset({SYNC})),
        ),
        # The task and execution roles come from the task definition unless the request overrides them.
        pass_roles=(
            PassRole("Overrides.TaskRoleArn", ECS_TASKS_SERVICE, any_role_when_absent=True),
            PassRole("Overrides.ExecutionRoleArn", ECS_TASKS_SERVICE, any_role_when_absent=True),
        ),
        required=("TaskDefinition",),
    ),
    Integration(
        "batch",
        "submitJob",
        frozenset({REQUEST_RESPONSE, SYNC}),
        (
            # Batch authorises a submission against both the job definition and the queue; the IAM reference
            # also lists the new job, which cannot widen the grant: every resource of a request must be allowed.
            Grant(("batch:SubmitJob",), (BATCH_JOB_DEFINITION, BATCH_JOB_QUEUE, BATCH_JOBS)),
            Grant(("batch:TagResource",), (BATCH_JOBS,), when_parameter="Tags"),
            Grant(("batch:DescribeJobs",), ("*",), patterns=frozenset({SYNC}), unscoped_because=DESCRIBE_JOBS_WHY),
            Grant(("batch:TerminateJob",), (BATCH_JOBS,), patterns=frozenset({SYNC})),
            Grant(EVENTS_ACTIONS, (_rule("BatchJobsRule"),), patterns=frozenset({SYNC})),
        ),
        required=("JobDefinition", "JobName", "JobQueue"),
    ),
    Integration(
        "glue",
        "startJobRun",
        frozenset({REQUEST_RESPONSE, SYNC}),
        (
            Grant(("glue:StartJobRun",), (GLUE_JOB,)),
            # Glue .sync polls the run and stops it on cancel; it needs no events rule.
            Grant(
                ("glue:BatchStopJobRun", "glue:GetJobRun", "glue:GetJobRuns"),
                (GLUE_JOB,),
                patterns=frozenset({SYNC}),
            ),
        ),
        required=("JobName",),
    ),
    Integration(
        "events", "putEvents", RR_CALLBACK, (Grant(("events:PutEvents",), (EVENT_BUSES,)),), required=("Entries",)
    ),
    Integration(
        "states",
        "startExecution",
        frozenset({REQUEST_RESPONSE, SYNC, SYNC2, CALLBACK}),
        (
            Grant(("states:StartExecution",), (STATE_MACHINE,)),
            Grant(("states:DescribeExecution", "states:StopExecution"), (EXECUTIONS,), patterns=STATE_MACHINE_SYNC),
            Grant(EVENTS_ACTIONS, (_rule("StepFunctionsExecutionRule"),), patterns=STATE_MACHINE_SYNC),
        ),
        required=("StateMachineArn",),
    ),
)

SDK: tuple[Integration, ...] = (
    _sdk(
        "s3",
        "getObject",
        (
            Grant(("s3:GetObject",), (S3_OBJECT,)),
            Grant(("s3:GetObjectVersion",), (S3_OBJECT,), when_parameter="VersionId"),
        ),
        ("Bucket", "Key"),
    ),
    # HeadObject is authorised as GetObject.
    _sdk(
        "s3",
        "headObject",
        (
            Grant(("s3:GetObject",), (S3_OBJECT,)),
            Grant(("s3:GetObjectVersion",), (S3_OBJECT,), when_parameter="VersionId"),
        ),
        ("Bucket", "Key"),
    ),
    _sdk(
        "s3",
        "putObject",
        (
            Grant(("s3:PutObject",), (S3_OBJECT,)),
            Grant(("s3:PutObjectTagging",), (S3_OBJECT,), when_parameter="Tagging"),
            Grant(("s3:PutObjectAcl",), (S3_OBJECT,), when_parameter="ACL"),
        ),
        ("Bucket", "Key"),
    ),
    _sdk(
        "s3",
        "deleteObject",
        (
            Grant(("s3:DeleteObject",), (S3_OBJECT,)),
            Grant(("s3:DeleteObjectVersion",), (S3_OBJECT,), when_parameter="VersionId"),
        ),
        ("Bucket", "Key"),
    ),
    # A copy reads its source and writes its destination.
    _sdk(
        "s3",
        "copyObject",
        (
            Grant(("s3:GetObject",), (COPY_SOURCE,)),
            Grant(("s3:GetObjectVersion",), (COPY_SOURCE_VERSION,)),
            Grant(("s3:PutObject",), (S3_OBJECT,)),
            Grant(("s3:PutObjectTagging",), (S3_OBJECT,), when_parameter="Tagging"),
            Grant(("s3:PutObjectAcl",), (S3_OBJECT,), when_parameter="ACL"),
        ),
        ("Bucket", "CopySource", "Key"),
    ),
    # Listing objects is authorised as ListBucket on the bucket.
    _sdk("s3", "listObjectsV2", (Grant(("s3:ListBucket",), (S3_BUCKET,)),), ("Bucket",)),
    _dynamodb("getItem", "Key", sdk=True),
    _dynamodb("putItem", "Item", sdk=True),
    _dynamodb("updateItem", "Key", sdk=True),
    _dynamodb("deleteItem", "Key", sdk=True),
    _dynamodb("query", "", sdk=True),
    _dynamodb("scan", "", sdk=True),
    _sdk("secretsmanager", "getSecretValue", (Grant(("secretsmanager:GetSecretValue",), (SECRET,)),), ("SecretId",)),
    _sdk("ssm", "getParameter", (Grant(("ssm:GetParameter",), (SSM_PARAMETER,)),), ("Name",)),
    _sdk("ssm", "getParameters", (Grant(("ssm:GetParameters",), (SSM_PARAMETERS,)),), ("Names",)),
    _sdk("sfn", "startExecution", (Grant(("states:StartExecution",), (STATE_MACHINE,)),), ("StateMachineArn",)),
    _sdk("sfn", "startSyncExecution", (Grant(("states:StartSyncExecution",), (STATE_MACHINE,)),), ("StateMachineArn",)),
    _sdk("sfn", "describeExecution", (Grant(("states:DescribeExecution",), (EXECUTION,)),), ("ExecutionArn",)),
    _sdk("sfn", "stopExecution", (Grant(("states:StopExecution",), (EXECUTION,)),), ("ExecutionArn",)),
    _sdk(
        "sfn",
        "sendTaskSuccess",
        (Grant(("states:SendTaskSuccess",), ("*",), unscoped_because=TASK_TOKEN_WHY),),
        ("Output", "TaskToken"),
    ),
    _sdk(
        "sfn",
        "sendTaskFailure",
        (Grant(("states:SendTaskFailure",), ("*",), unscoped_because=TASK_TOKEN_WHY),),
        ("TaskToken",),
    ),
    _sdk(
        "sfn",
        "sendTaskHeartbeat",
        (Grant(("states:SendTaskHeartbeat",), ("*",), unscoped_because=TASK_TOKEN_WHY),),
        ("TaskToken",),
    ),
    _sdk("lambda", "invoke", (LAMBDA_INVOKE,), ("FunctionName",)),
    _sdk("sns", "publish", SNS_PUBLISH, ("Message",)),
    _sdk("sqs", "sendMessage", (Grant(("sqs:SendMessage",), (SQS_QUEUE,)),), ("QueueUrl", "MessageBody")),
    _sdk("sqs", "receiveMessage", (Grant(("sqs:ReceiveMessage",), (SQS_QUEUE,)),), ("QueueUrl",)),
    _sdk("sqs", "deleteMessage", (Grant(("sqs:DeleteMessage",), (SQS_QUEUE,)),), ("QueueUrl", "ReceiptHandle")),
    _sdk("eventbridge", "putEvents", (Grant(("events:PutEvents",), (EVENT_BUSES,)),), ("Entries",)),
    _describe("describeEndpoint", "endpoint", "EndpointName"),
    _describe("describeEndpointConfig", "endpoint-config", "EndpointConfigName"),
    _describe("describeModel", "model", "ModelName"),
    _describe("describeProcessingJob", "processing-job", "ProcessingJobName"),
    _describe("describeTransformJob", "transform-job", "TransformJobName"),
    _describe("describeHyperParameterTuningJob", "hyper-parameter-tuning-job", "HyperParameterTuningJobName"),
    _sdk("sagemaker", "listTags", (Grant(("sagemaker:ListTags",), (SAGEMAKER_RESOURCE,)),), ("ResourceArn",)),
)

ROWS: tuple[Integration, ...] = OPTIMIZED + SDK

# The AWS SDK integration names a service by its SDK client; IAM knows it by another prefix for these.
SDK_IAM_PREFIX: dict[str, str] = {
    "acmpca": "acm-pca",
    "apigatewaymanagementapi": "execute-api",
    "apigatewayv2": "apigateway",
    "appconfigdata": "appconfig",
    "applicationautoscaling": "application-autoscaling",
    "autoscalingplans": "autoscaling-plans",
    "bedrockagent": "bedrock",
    "bedrockagentruntime": "bedrock",
    "bedrockruntime": "bedrock",
    "cloudhsmv2": "cloudhsm",
    "cloudwatchevents": "events",
    "cloudwatchlogs": "logs",
    "codestarconnections": "codestar-connections",
    "cognitoidentity": "cognito-identity",
    "cognitoidentityprovider": "cognito-idp",
    "cognitosync": "cognito-sync",
    "configservice": "config",
    "costexplorer": "ce",
    "docdb": "rds",
    "dynamodbstreams": "dynamodb",
    "ec2instanceconnect": "ec2-instance-connect",
    "efs": "elasticfilesystem",
    "elasticloadbalancingv2": "elasticloadbalancing",
    "elasticsearch": "es",
    "emr": "elasticmapreduce",
    "emrcontainers": "emr-containers",
    "emrserverless": "emr-serverless",
    "eventbridge": "events",
    "iotdataplane": "iot",
    "iotjobsdataplane": "iotjobsdata",
    "kinesisanalyticsv2": "kinesisanalytics",
    "kinesisvideoarchivedmedia": "kinesisvideo",
    "kinesisvideomedia": "kinesisvideo",
    "lexmodelsv2": "lex",
    "lexruntimev2": "lex",
    "marketplacecatalog": "aws-marketplace",
    "mediapackagevod": "mediapackage-vod",
    "mediastoredata": "mediastore",
    "migrationhub": "mgh",
    "mwaa": "airflow",
    "neptune": "rds",
    "opensearch": "es",
    "pinpointsmsvoice": "sms-voice",
    "rdsdata": "rds-data",
    "redshiftdata": "redshift-data",
    "resourcegroupstaggingapi": "tag",
    "s3control": "s3",
    "sagemakera2iruntime": "sagemaker",
    "sagemakerfeaturestoreruntime": "sagemaker",
    "sagemakerruntime": "sagemaker",
    "sesv2": "ses",
    "sfn": "states",
    "ssmcontacts": "ssm-contacts",
    "ssmincidents": "ssm-incidents",
    "ssoadmin": "sso",
    "ssooidc": "sso-oauth",
    "timestreamquery": "timestream",
    "timestreamwrite": "timestream",
    "transcribestreaming": "transcribe",
}


def sdk_action(key: str) -> str:
    """The IAM action of an `aws-sdk:<service>:<apiName>` call with no row: `<iam prefix>:<ApiName>`.

    Only a fallback: where IAM names the action differently from the API (listObjectsV2 is s3:ListBucket), the
    call's row says so.
    """
    _, service, api = key.split(":", 2)
    return f"{SDK_IAM_PREFIX.get(service, service)}:{api[:1].upper()}{api[1:]}"
