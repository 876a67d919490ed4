"""Rows for the services that run code: Lambda, ECS, Batch, Glue, EKS and CodeBuild.

EKS and CodeBuild follow the templates of `eks-iam` and `codebuild-iam` in the Step Functions developer guide.
"""

from __future__ import annotations

import re

from asl_gen.integrations.model import (
    CALLBACK,
    ONLY_REQUEST_RESPONSE,
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
from asl_gen.integrations.references import (
    ACCOUNT,
    PARTITION,
    REGION,
    here,
    named,
    reference,
    revision_or_all,
)

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


def lambda_resource(resource: str, target: Context) -> tuple[str, ...] | None:
    """The functions a Task whose `Resource` is a Lambda function ARN invokes (the legacy form), or None.

    Step Functions calls it as `lambda:invoke` with that FunctionName, so it is granted the same way.
    """
    if not resource.startswith("arn:") or ":lambda:" not in resource:
        return None
    return _lambda_function(resource, target)


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

# ---- EKS ------------------------------------------------------------------------------------------------------

_EKS_NAME = r"(?P<name>[A-Za-z0-9][A-Za-z0-9_-]{0,99})"
_eks_cluster = reference("eks", "cluster/", _EKS_NAME, named("cluster"))
EKS_CLUSTER = ArnParam("Name", _eks_cluster, here("eks", "cluster/*"))
# A nodegroup's ARN ends in an id EKS assigns: `nodegroup/<cluster>/<nodegroup>/<id>`.
EKS_NODEGROUP = here("eks", "nodegroup/{ClusterName}/{NodegroupName}/*")


def _role(value: str, target: Context) -> tuple[str, ...] | None:
    """A role ARN (IAM ARNs have no region) or a role name of the project's account."""
    if re.fullmatch(rf"arn:{PARTITION}:iam::{ACCOUNT}:role/[A-Za-z0-9+=,.@_/-]{{1,512}}", value):
        return (value,)
    if re.fullmatch(r"[A-Za-z0-9+=,.@_-]{1,64}", value):
        return (f"arn:{target.partition}:iam::{target.account}:role/{value}",)
    return None


EKS_NODE_ROLE = ArnParam("NodeRole", _role, "arn:{partition}:iam::{account}:role/*")
EKS_NODEGROUP_CLUSTER = ArnParam("ClusterName", _eks_cluster, here("eks", "cluster/*"))
DESCRIBE_SUBNETS_WHY = "ec2:DescribeSubnets has no resource type; IAM accepts only '*' for it"
EKS_CREATE_WHY = "eks:CreateCluster has no resource type (the cluster does not exist yet); IAM accepts only '*'"
EKS_SERVICE = "eks.amazonaws.com"
EKS_RBAC = (
    "authorised by the cluster's Kubernetes RBAC, not IAM: map the state machine's role in the cluster (an access "
    "entry or aws-auth); the role needs no IAM statement for it"
)

# ---- CodeBuild ------------------------------------------------------------------------------------------------

_PROJECT = r"[A-Za-z0-9][A-Za-z0-9_-]{1,254}"
_project = reference("codebuild", "project/", f"(?P<name>{_PROJECT})", named("project"))
CODEBUILD_PROJECT = ArnParam("ProjectName", _project, here("codebuild", "project/*"))


def _build_project(value: str, target: Context) -> tuple[str, ...] | None:
    """A build or build batch id (`<project>:<uuid>`) or ARN: the project it belongs to, on which IAM authorises it."""
    match = re.fullmatch(
        rf"(?:arn:(?P<partition>{PARTITION}):codebuild:(?P<region>{REGION}):(?P<account>{ACCOUNT}):"
        rf"(?:build|build-batch)/)?(?P<name>{_PROJECT}):[A-Za-z0-9-]+",
        value,
    )
    if match is None:
        return None
    head = (
        f"arn:{match['partition'] or target.partition}:codebuild:{match['region'] or target.region}:"
        f"{match['account'] or target.account}:"
    )
    return (f"{head}project/{match['name']}",)


BUILD_PROJECT = ArnParam("Id", _build_project, here("codebuild", "project/*"))
BUILDS_PROJECTS = ArnParam("Ids[]", _build_project, here("codebuild", "project/*"))
_report_group = reference(
    "codebuild",
    "report/",
    r"(?P<name>[A-Za-z0-9][A-Za-z0-9_-]{1,127}):[A-Za-z0-9-]+",
    named("report-group"),
    bare=False,
)
REPORT_GROUPS = ArnParam("ReportArns[]", _report_group, here("codebuild", "report-group/*"))


def _codebuild(api: str, action: str, resource: ArnParam, required: str) -> Integration:
    return Integration("codebuild", api, ONLY_REQUEST_RESPONSE, (Grant((action,), (resource,)),), required=(required,))


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

OPTIMIZED += (
    Integration(
        "eks",
        "createCluster",
        REQUEST_RESPONSE_SYNC,
        (
            Grant(("eks:CreateCluster",), ("*",), unscoped_because=EKS_CREATE_WHY),
            # .sync polls the cluster, and deletes it when the execution is stopped.
            Grant(("eks:DeleteCluster", "eks:DescribeCluster"), (EKS_CLUSTER,), patterns=ONLY_SYNC),
        ),
        pass_roles=(PassRole("RoleArn", EKS_SERVICE),),
        required=("Name", "RoleArn", "ResourcesVpcConfig"),
    ),
    Integration(
        "eks",
        "deleteCluster",
        REQUEST_RESPONSE_SYNC,
        (
            Grant(("eks:DeleteCluster",), (EKS_CLUSTER,)),
            Grant(("eks:DescribeCluster",), (EKS_CLUSTER,), patterns=ONLY_SYNC),
        ),
        required=("Name",),
    ),
    Integration(
        "eks",
        "createNodegroup",
        REQUEST_RESPONSE_SYNC,
        (
            # eks-iam grants CreateNodegroup on '*'; IAM authorises it on the cluster, which the request names.
            Grant(("eks:CreateNodegroup",), (EKS_NODEGROUP_CLUSTER,)),
            Grant(("ec2:DescribeSubnets",), ("*",), unscoped_because=DESCRIBE_SUBNETS_WHY),
            # EKS reads the node role to check its policies before it creates the nodegroup.
            Grant(("iam:GetRole", "iam:ListAttachedRolePolicies"), (EKS_NODE_ROLE,)),
            Grant(("eks:DeleteNodegroup", "eks:DescribeNodegroup"), (EKS_NODEGROUP,), patterns=ONLY_SYNC),
        ),
        pass_roles=(PassRole("NodeRole", EKS_SERVICE),),
        required=("ClusterName", "NodegroupName", "NodeRole", "Subnets"),
    ),
    Integration(
        "eks",
        "deleteNodegroup",
        REQUEST_RESPONSE_SYNC,
        (
            Grant(("eks:DeleteNodegroup",), (EKS_NODEGROUP,)),
            Grant(("eks:DescribeNodegroup",), (EKS_NODEGROUP,), patterns=ONLY_SYNC),
        ),
        required=("ClusterName", "NodegroupName"),
    ),
    Integration(
        "eks", "call", ONLY_REQUEST_RESPONSE, (), required=("ClusterName", "Endpoint", "Method", "Path"), note=EKS_RBAC
    ),
    Integration("eks", "runJob", REQUEST_RESPONSE_SYNC, (), required=("ClusterName", "Endpoint", "Job"), note=EKS_RBAC),
    Integration(
        "codebuild",
        "startBuild",
        REQUEST_RESPONSE_SYNC,
        (
            Grant(("codebuild:StartBuild",), (CODEBUILD_PROJECT,)),
            Grant(("codebuild:BatchGetBuilds", "codebuild:StopBuild"), (CODEBUILD_PROJECT,), patterns=ONLY_SYNC),
            events_rule("CodeBuildStartBuildRule", events="Event"),
        ),
        required=("ProjectName",),
    ),
    _codebuild("stopBuild", "codebuild:StopBuild", BUILD_PROJECT, "Id"),
    _codebuild("batchDeleteBuilds", "codebuild:BatchDeleteBuilds", BUILDS_PROJECTS, "Ids"),
    _codebuild("batchGetReports", "codebuild:BatchGetReports", REPORT_GROUPS, "ReportArns"),
    Integration(
        "codebuild",
        "startBuildBatch",
        REQUEST_RESPONSE_SYNC,
        (
            Grant(("codebuild:StartBuildBatch",), (CODEBUILD_PROJECT,)),
            Grant(
                ("codebuild:BatchGetBuildBatches", "codebuild:StopBuildBatch"), (CODEBUILD_PROJECT,), patterns=ONLY_SYNC
            ),
            events_rule("CodeBuildStartBuildBatchRule", events="Event"),
        ),
        required=("ProjectName",),
    ),
    _codebuild("stopBuildBatch", "codebuild:StopBuildBatch", BUILD_PROJECT, "Id"),
    Integration(
        "codebuild",
        "retryBuildBatch",
        REQUEST_RESPONSE_SYNC,
        (
            Grant(("codebuild:RetryBuildBatch",), (BUILD_PROJECT,)),
            # `codebuild-iam` lists no events rule for a retried batch: it is polled.
            Grant(("codebuild:BatchGetBuildBatches", "codebuild:StopBuildBatch"), (BUILD_PROJECT,), patterns=ONLY_SYNC),
        ),
        required=("Id",),
    ),
    _codebuild("deleteBuildBatch", "codebuild:DeleteBuildBatch", BUILD_PROJECT, "Id"),
)

LIST_FUNCTIONS_WHY = "lambda:ListFunctions has no resource type; IAM accepts only '*' for it"

SDK: tuple[Integration, ...] = (
    sdk("lambda", "invoke", (LAMBDA_INVOKE,), ("FunctionName",)),
    sdk("lambda", "getFunction", (Grant(("lambda:GetFunction",), (LAMBDA_FUNCTION,)),), ("FunctionName",)),
    sdk("lambda", "listFunctions", (Grant(("lambda:ListFunctions",), ("*",), unscoped_because=LIST_FUNCTIONS_WHY),)),
)
