"""Rows for the services that run code: Lambda, ECS, Batch and Glue."""

from __future__ import annotations

import re

from asl_gen.integrations.model import (
    CALLBACK,
    ONLY_SYNC,
    REQUEST_RESPONSE,
    REQUEST_RESPONSE_SYNC,
    RR_CALLBACK,
    SYNC,
    ArnParam,
    Context,
    Grant,
    Integration,
    PassRole,
    events_rule,
    sdk,
)
from asl_gen.integrations.references import ACCOUNT, PARTITION, REGION, here, named, reference, revision_or_all

# ---- Lambda ---------------------------------------------------------------------------------------------------

_LAMBDA_NAME = r"(?P<name>[A-Za-z0-9_-]{1,64})(?::(?P<qualifier>\$LATEST|[A-Za-z0-9_-]{1,128}))?"
_LAMBDA_FORMS = (
    rf"arn:(?P<partition>{PARTITION}):lambda:(?P<region>{REGION}):(?P<account>{ACCOUNT}):function:{_LAMBDA_NAME}",
    rf"(?P<account>{ACCOUNT}):function:{_LAMBDA_NAME}",
    _LAMBDA_NAME,
)


def _lambda_function(value: str, target: Context) -> tuple[str, ...] | None:
    """`f`, `f:alias`, `123456789012:function:f[:q]` or a full function ARN."""
    for form in _LAMBDA_FORMS:
        match = re.fullmatch(form, value)
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


LAMBDA_FUNCTION = ArnParam("FunctionName", _lambda_function, here("lambda", "function:*"))
LAMBDA_INVOKE = Grant(("lambda:InvokeFunction",), (LAMBDA_FUNCTION,))

# ---- ECS ------------------------------------------------------------------------------------------------------

_task_definition = reference(
    "ecs", "task-definition/", r"(?P<name>[A-Za-z0-9_-]{1,255})(?::(?P<revision>[1-9][0-9]*))?",
    revision_or_all("task-definition"),
)  # fmt: skip
_cluster_tasks = reference("ecs", "cluster/", r"(?P<name>[A-Za-z0-9_-]{1,255})", named("task", "/*"))
ECS_TASK_DEFINITION = ArnParam("TaskDefinition", _task_definition, here("ecs", "task-definition/*"))
# Task ids are assigned at launch; the cluster is what a definition can name. ECS runs on `default` without one.
ECS_TASKS = ArnParam("Cluster", _cluster_tasks, here("ecs", "task/*"), absent=here("ecs", "task/default/*"))
ECS_TASKS_SERVICE = "ecs-tasks.amazonaws.com"

# ---- Batch ----------------------------------------------------------------------------------------------------

_job_definition = reference(
    "batch", "job-definition/", r"(?P<name>[A-Za-z0-9_-]{1,128})(?::(?P<revision>[1-9][0-9]*))?",
    revision_or_all("job-definition"),
)  # fmt: skip
_job_queue = reference("batch", "job-queue/", r"(?P<name>[A-Za-z0-9_-]{1,128})", named("job-queue"))
BATCH_JOB_DEFINITION = ArnParam("JobDefinition", _job_definition, here("batch", "job-definition/*"))
BATCH_JOB_QUEUE = ArnParam("JobQueue", _job_queue, here("batch", "job-queue/*"))
# Job ids are assigned at submission, so a job is only known as "a job of this account".
BATCH_JOBS = here("batch", "job/*")
DESCRIBE_JOBS_WHY = "batch:DescribeJobs has no resource type; IAM accepts only '*' for it"

# ---- Glue -----------------------------------------------------------------------------------------------------

# Glue allows almost any single-line name; IAM wildcards and ARN separators are refused so a name cannot widen.
_GLUE_JOB_NAME = r"[^\x00-\x1f*?:]{1,255}"


def _glue_job(value: str, target: Context) -> tuple[str, ...] | None:
    if re.fullmatch(_GLUE_JOB_NAME, value) is None:
        return None
    return (f"arn:{target.partition}:glue:{target.region}:{target.account}:job/{value}",)


# `{JobName}` keeps the literal prefix of a `States.Format` name (job names are never ARNs).
GLUE_JOB = ArnParam("JobName", _glue_job, here("glue", "job/{JobName}"))

# ---- Rows -----------------------------------------------------------------------------------------------------

OPTIMIZED: tuple[Integration, ...] = (
    Integration("lambda", "invoke", RR_CALLBACK, (LAMBDA_INVOKE,), required=("FunctionName",)),
    Integration(
        "ecs",
        "runTask",
        frozenset({REQUEST_RESPONSE, SYNC, CALLBACK}),
        (
            Grant(("ecs:RunTask",), (ECS_TASK_DEFINITION,)),
            Grant(("ecs:DescribeTasks", "ecs:StopTask"), (ECS_TASKS,), patterns=ONLY_SYNC),
            # ECS authorises tags given at launch as a TagResource call on the new task.
            Grant(("ecs:TagResource",), (ECS_TASKS,), when_parameter="Tags"),
            events_rule("ECSTaskRule"),
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
        REQUEST_RESPONSE_SYNC,
        (
            # Batch authorises a submission against both the job definition and the queue; the IAM reference
            # also lists the new job, which cannot widen the grant: every resource of a request must be allowed.
            Grant(("batch:SubmitJob",), (BATCH_JOB_DEFINITION, BATCH_JOB_QUEUE, BATCH_JOBS)),
            Grant(("batch:TagResource",), (BATCH_JOBS,), when_parameter="Tags"),
            Grant(("batch:DescribeJobs",), ("*",), patterns=ONLY_SYNC, unscoped_because=DESCRIBE_JOBS_WHY),
            Grant(("batch:TerminateJob",), (BATCH_JOBS,), patterns=ONLY_SYNC),
            events_rule("BatchJobsRule"),
        ),
        required=("JobDefinition", "JobName", "JobQueue"),
    ),
    Integration(
        "glue",
        "startJobRun",
        REQUEST_RESPONSE_SYNC,
        (
            Grant(("glue:StartJobRun",), (GLUE_JOB,)),
            # Glue .sync polls the run and stops it on cancel; it needs no events rule.
            Grant(("glue:BatchStopJobRun", "glue:GetJobRun", "glue:GetJobRuns"), (GLUE_JOB,), patterns=ONLY_SYNC),
        ),
        required=("JobName",),
    ),
)

SDK: tuple[Integration, ...] = (sdk("lambda", "invoke", (LAMBDA_INVOKE,), ("FunctionName",)),)
