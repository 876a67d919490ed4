"""Rows for the services that process data in bulk: Athena, EMR, EMR on EKS, EMR Serverless, Glue DataBrew and
MediaConvert.

Each row follows the IAM template of the service's page in the Step Functions developer guide ("IAM policies for
…", e.g. `athena-iam`, `emr-iam`, `emr-eks-iam`, `emr-serverless-iam`, `databrew-iam`, `mediaconvert-iam`),
narrowed where the request names the resource, and keeping the project's region and account where the docs
write `*:*`.
"""

from __future__ import annotations

from asl_gen.integrations.model import (
    ONLY_REQUEST_RESPONSE,
    ONLY_SYNC,
    REQUEST_RESPONSE_SYNC,
    ArnParam,
    Condition,
    Grant,
    Integration,
    PassRole,
    events_rule,
)
from asl_gen.integrations.references import here, named, reference

# ---- Athena ---------------------------------------------------------------------------------------------------

_workgroup = reference("athena", "workgroup/", r"(?P<name>[A-Za-z0-9._-]{1,128})", named("workgroup"))
# A query without `WorkGroup` runs in the account's `primary` workgroup.
ATHENA_WORKGROUP = ArnParam(
    "WorkGroup", _workgroup, here("athena", "workgroup/*"), absent=here("athena", "workgroup/primary")
)
ATHENA_CATALOGS = here("athena", "datacatalog/*")
# A query id names no workgroup, so calls on a query are granted on every workgroup of the account.
ATHENA_WORKGROUPS = here("athena", "workgroup/*")
ATHENA_S3_WHY = (
    "an Athena query reads its tables' data and writes its results wherever their S3 locations say, which the "
    "definition does not name; AWS's template grants these on every bucket"
)
ATHENA_S3 = (
    "s3:AbortMultipartUpload",
    "s3:CreateBucket",
    "s3:GetBucketLocation",
    "s3:GetObject",
    "s3:ListBucket",
    "s3:ListBucketMultipartUploads",
    "s3:ListMultipartUploadParts",
    "s3:PutObject",
)
# The Glue Data Catalog calls a query makes (DDL statements create, alter and drop tables and partitions), split
# by the resource types IAM authorises each on: database calls on the catalog and databases, the rest on tables too.
_GLUE_DATABASES = ("CreateDatabase", "GetDatabase", "GetDatabases", "UpdateDatabase")
_GLUE_TABLES = (
    "BatchCreatePartition",
    "BatchDeletePartition",
    "BatchDeleteTable",
    "BatchGetPartition",
    "CreatePartition",
    "CreateTable",
    "DeletePartition",
    "DeleteTable",
    "GetPartition",
    "GetPartitions",
    "GetTable",
    "GetTables",
    "UpdatePartition",
    "UpdateTable",
)
_CATALOG = (here("glue", "catalog"), here("glue", "database/*"))
ATHENA_GLUE = (
    Grant(tuple(f"glue:{a}" for a in _GLUE_DATABASES), _CATALOG),
    Grant(tuple(f"glue:{a}" for a in _GLUE_TABLES), (*_CATALOG, here("glue", "table/*"))),
    # Dropping a database drops its tables and functions: it is authorised on all of them.
    Grant(("glue:DeleteDatabase",), (*_CATALOG, here("glue", "table/*"), here("glue", "userDefinedFunction/*/*"))),
)
LAKE_FORMATION_WHY = "lakeformation:GetDataAccess has no resource type; IAM accepts only '*' for it"
ATHENA_QUERY = (
    Grant(("athena:StartQueryExecution",), (ATHENA_WORKGROUP,)),
    Grant(("athena:GetDataCatalog",), (ATHENA_CATALOGS,)),
    Grant(("athena:GetQueryExecution", "athena:StopQueryExecution"), (ATHENA_WORKGROUP,), patterns=ONLY_SYNC),
    Grant(ATHENA_S3, ("arn:{partition}:s3:::*",), unscoped_because=ATHENA_S3_WHY),
    *ATHENA_GLUE,
    Grant(("lakeformation:GetDataAccess",), ("*",), unscoped_because=LAKE_FORMATION_WHY),
)

# ---- EMR ------------------------------------------------------------------------------------------------------

_cluster = reference("elasticmapreduce", "cluster/", r"(?P<name>j-[A-Za-z0-9]{1,255})", named("cluster"))
EMR_CLUSTER = ArnParam("ClusterId", _cluster, here("elasticmapreduce", "cluster/*"))
RUN_JOB_FLOW_WHY = "elasticmapreduce:RunJobFlow has no resource type (the cluster does not exist yet); IAM accepts '*'"
_EMR = "elasticmapreduce:"


def _on_cluster(api: str, actions: tuple[str, ...]) -> Integration:
    return Integration(
        "elasticmapreduce", api, ONLY_REQUEST_RESPONSE, (Grant(actions, (EMR_CLUSTER,)),), required=("ClusterId",)
    )


# ---- EMR on EKS -----------------------------------------------------------------------------------------------

_virtual_cluster = reference(
    "emr-containers", "/virtualclusters/", r"(?P<name>[0-9a-z]{1,64})", named("/virtualclusters")
)
_virtual_cluster_runs = reference(
    "emr-containers", "/virtualclusters/", r"(?P<name>[0-9a-z]{1,64})", named("/virtualclusters", "/jobruns/*")
)
VIRTUAL_CLUSTER = ArnParam("VirtualClusterId", _virtual_cluster, here("emr-containers", "/virtualclusters/*"))
VIRTUAL_CLUSTER_FROM_ID = ArnParam("Id", _virtual_cluster, here("emr-containers", "/virtualclusters/*"))
VIRTUAL_CLUSTER_RUNS = ArnParam(
    "VirtualClusterId", _virtual_cluster_runs, here("emr-containers", "/virtualclusters/*/jobruns/*")
)
CREATE_VIRTUAL_CLUSTER_WHY = "AWS's template grants emr-containers:CreateVirtualCluster on '*': the id is new"
EMR_CONTAINERS_ROLE = "arn:{partition}:iam::{account}:role/aws-service-role/emr-containers.amazonaws.com/" + (
    "AWSServiceRoleForAmazonEMRContainers"
)

# ---- EMR Serverless -------------------------------------------------------------------------------------------

_application = reference("emr-serverless", "/applications/", r"(?P<name>[0-9a-z]{1,64})", named("/applications"))
_application_runs = reference(
    "emr-serverless", "/applications/", r"(?P<name>[0-9a-z]{1,64})", named("/applications", "/jobruns/*")
)
APPLICATION = ArnParam("ApplicationId", _application, here("emr-serverless", "/applications/*"))
APPLICATION_RUNS = ArnParam("ApplicationId", _application_runs, here("emr-serverless", "/applications/*"))
APPLICATION_RUN = here("emr-serverless", "/applications/{ApplicationId}/jobruns/{JobRunId}")
EMR_SERVERLESS_ROLE = (
    "arn:{partition}:iam::{account}:role/aws-service-role/ops.emr-serverless.amazonaws.com/"
    "AWSServiceRoleForAmazonEMRServerless*"
)
CREATE_APPLICATION_WHY = (
    "the IAM reference gives emr-serverless:CreateApplication no resource type, so IAM accepts only '*' (the "
    "emr-serverless-iam template's `arn:…:/*` would not match)"
)
APPLICATION_RULE = events_rule("EMRServerlessApplicationRule")
JOB_RULE = events_rule("EMRServerlessJobRule")


def _application_call(api: str, action: str, sync_extra: tuple[str, ...]) -> Integration:
    """start/stop/deleteApplication: the action on the application; .sync polls it through the application rule."""
    return Integration(
        "emr-serverless",
        api,
        REQUEST_RESPONSE_SYNC,
        (Grant((action,), (APPLICATION,)), Grant(sync_extra, (APPLICATION,), patterns=ONLY_SYNC), APPLICATION_RULE),
        required=("ApplicationId",),
    )


# ---- Glue DataBrew and MediaConvert -------------------------------------------------------------------------

_databrew_job = reference("databrew", "job/", r"(?P<name>[A-Za-z0-9._-]{1,240})", named("job"))
DATABREW_JOB = ArnParam("Name", _databrew_job, here("databrew", "job/*"))

_queue = reference("mediaconvert", "queues/", r"(?P<name>[A-Za-z0-9_-]{1,128})", named("queues"))
# A job without `Queue` goes to the account's `Default` queue.
MEDIACONVERT_QUEUE = ArnParam(
    "Queue", _queue, here("mediaconvert", "queues/*"), absent=here("mediaconvert", "queues/Default")
)
MEDIACONVERT_JOBS = here("mediaconvert", "jobs/*")

# ---- Rows -----------------------------------------------------------------------------------------------------

OPTIMIZED: tuple[Integration, ...] = (
    Integration("athena", "startQueryExecution", REQUEST_RESPONSE_SYNC, ATHENA_QUERY, required=("QueryString",)),
    Integration(
        "athena",
        "stopQueryExecution",
        ONLY_REQUEST_RESPONSE,
        (Grant(("athena:StopQueryExecution",), (ATHENA_WORKGROUPS,)),),
        required=("QueryExecutionId",),
    ),
    Integration(
        "athena",
        "getQueryExecution",
        ONLY_REQUEST_RESPONSE,
        (Grant(("athena:GetQueryExecution",), (ATHENA_WORKGROUPS,)),),
        required=("QueryExecutionId",),
    ),
    Integration(
        "athena",
        "getQueryResults",
        ONLY_REQUEST_RESPONSE,
        (
            Grant(("athena:GetQueryResults",), (ATHENA_WORKGROUPS,)),
            # The results are read from the query's output location, which only the query knows.
            Grant(("s3:GetObject",), ("arn:{partition}:s3:::*",), unscoped_because=ATHENA_S3_WHY),
        ),
        required=("QueryExecutionId",),
    ),
    Integration(
        "elasticmapreduce",
        "createCluster",
        REQUEST_RESPONSE_SYNC,
        (
            Grant((_EMR + "RunJobFlow",), ("*",), unscoped_because=RUN_JOB_FLOW_WHY),
            Grant(
                (_EMR + "DescribeCluster", _EMR + "TerminateJobFlows"),
                (here("elasticmapreduce", "cluster/*"),),
                patterns=ONLY_SYNC,
            ),
            events_rule("EMRRunJobFlowRule", events="Event"),
        ),
        # The roles EMR's managed policy lets a caller pass, each to the service that assumes it. JobFlowRole names
        # an instance profile: the role granted is the one of the same name (EMR's default roles are built so).
        pass_roles=(
            PassRole("ServiceRole", "elasticmapreduce.amazonaws.com"),
            PassRole("JobFlowRole", "ec2.amazonaws.com"),
            PassRole("AutoScalingRole", "application-autoscaling.amazonaws.com"),
        ),
        required=("Name",),
    ),
    Integration(
        "elasticmapreduce",
        "addStep",
        REQUEST_RESPONSE_SYNC,
        (
            Grant((_EMR + "AddJobFlowSteps",), (EMR_CLUSTER,)),
            Grant((_EMR + "CancelSteps", _EMR + "DescribeStep"), (EMR_CLUSTER,), patterns=ONLY_SYNC),
            events_rule("EMRAddJobFlowStepsRule", events="Event"),
        ),
        required=("ClusterId", "Step"),
    ),
    _on_cluster("cancelStep", (_EMR + "CancelSteps",)),
    _on_cluster("setClusterTerminationProtection", (_EMR + "SetTerminationProtection",)),
    _on_cluster("modifyInstanceFleetByName", (_EMR + "ListInstanceFleets", _EMR + "ModifyInstanceFleet")),
    _on_cluster("modifyInstanceGroupByName", (_EMR + "ListInstanceGroups", _EMR + "ModifyInstanceGroups")),
    Integration(
        "elasticmapreduce",
        "terminateCluster",
        REQUEST_RESPONSE_SYNC,
        (
            Grant((_EMR + "TerminateJobFlows",), (EMR_CLUSTER,)),
            Grant((_EMR + "DescribeCluster",), (EMR_CLUSTER,), patterns=ONLY_SYNC),
            events_rule("EMRTerminateJobFlowsRule", events="Event"),
        ),
        required=("ClusterId",),
    ),
    Integration(
        "emr-containers",
        "startJobRun",
        REQUEST_RESPONSE_SYNC,
        (
            # EMR on EKS takes no PassRole: the execution role is authorised by this condition key instead.
            Grant(
                ("emr-containers:StartJobRun",),
                (VIRTUAL_CLUSTER,),
                conditions=(Condition("ArnEquals", "emr-containers:ExecutionRoleArn", "{ExecutionRoleArn}"),),
            ),
            Grant(
                ("emr-containers:CancelJobRun", "emr-containers:DescribeJobRun"),
                (VIRTUAL_CLUSTER_RUNS,),
                patterns=ONLY_SYNC,
            ),
        ),
        required=("VirtualClusterId", "ExecutionRoleArn", "ReleaseLabel", "JobDriver"),
    ),
    Integration(
        "emr-containers",
        "createVirtualCluster",
        ONLY_REQUEST_RESPONSE,
        (
            Grant(("emr-containers:CreateVirtualCluster",), ("*",), unscoped_because=CREATE_VIRTUAL_CLUSTER_WHY),
            Grant(
                ("iam:CreateServiceLinkedRole",),
                (EMR_CONTAINERS_ROLE,),
                conditions=(Condition("StringLike", "iam:AWSServiceName", "emr-containers.amazonaws.com"),),
            ),
        ),
        required=("Name", "ContainerProvider"),
    ),
    Integration(
        "emr-containers",
        "deleteVirtualCluster",
        REQUEST_RESPONSE_SYNC,
        (
            Grant(("emr-containers:DeleteVirtualCluster",), (VIRTUAL_CLUSTER_FROM_ID,)),
            Grant(("emr-containers:DescribeVirtualCluster",), (VIRTUAL_CLUSTER_FROM_ID,), patterns=ONLY_SYNC),
        ),
        required=("Id",),
    ),
    Integration(
        "emr-serverless",
        "createApplication",
        REQUEST_RESPONSE_SYNC,
        (
            Grant(("emr-serverless:CreateApplication",), ("*",), unscoped_because=CREATE_APPLICATION_WHY),
            Grant(
                ("emr-serverless:DeleteApplication", "emr-serverless:GetApplication"),
                (here("emr-serverless", "/applications/*"),),
                patterns=ONLY_SYNC,
            ),
            APPLICATION_RULE,
            # Needed once per account, for the first application (the docs' template always grants it).
            Grant(
                ("iam:CreateServiceLinkedRole",),
                (EMR_SERVERLESS_ROLE,),
                conditions=(Condition("StringLike", "iam:AWSServiceName", "ops.emr-serverless.amazonaws.com"),),
            ),
        ),
        required=("ReleaseLabel", "Type"),
    ),
    _application_call(
        "startApplication",
        "emr-serverless:StartApplication",
        ("emr-serverless:GetApplication", "emr-serverless:StopApplication"),
    ),
    _application_call("stopApplication", "emr-serverless:StopApplication", ("emr-serverless:GetApplication",)),
    _application_call("deleteApplication", "emr-serverless:DeleteApplication", ("emr-serverless:GetApplication",)),
    Integration(
        "emr-serverless",
        "startJobRun",
        REQUEST_RESPONSE_SYNC,
        (
            Grant(("emr-serverless:StartJobRun",), (APPLICATION,)),
            Grant(("emr-serverless:CancelJobRun", "emr-serverless:GetJobRun"), (APPLICATION_RUNS,), patterns=ONLY_SYNC),
            JOB_RULE,
        ),
        pass_roles=(PassRole("ExecutionRoleArn", "emr-serverless.amazonaws.com"),),
        required=("ApplicationId", "ExecutionRoleArn"),
    ),
    Integration(
        "emr-serverless",
        "cancelJobRun",
        REQUEST_RESPONSE_SYNC,
        (
            Grant(("emr-serverless:CancelJobRun",), (APPLICATION_RUN,)),
            Grant(("emr-serverless:GetJobRun",), (APPLICATION_RUN,), patterns=ONLY_SYNC),
            JOB_RULE,
        ),
        required=("ApplicationId", "JobRunId"),
    ),
    Integration(
        "databrew",
        "startJobRun",
        REQUEST_RESPONSE_SYNC,
        (
            Grant(("databrew:StartJobRun",), (DATABREW_JOB,)),
            # DataBrew .sync polls the run and stops it on cancel; its page names no events rule.
            Grant(("databrew:ListJobRuns", "databrew:StopJobRun"), (DATABREW_JOB,), patterns=ONLY_SYNC),
        ),
        required=("Name",),
    ),
    Integration(
        "mediaconvert",
        "createJob",
        REQUEST_RESPONSE_SYNC,
        (
            # CreateJob is authorised on its queue and any preset or job template it uses (which the job's
            # Settings name deep inside; every one of the account's is granted).
            Grant(
                ("mediaconvert:CreateJob",),
                (
                    MEDIACONVERT_QUEUE,
                    here("mediaconvert", "presets/*"),
                    here("mediaconvert", "jobTemplates/*"),
                ),
            ),
            Grant(("mediaconvert:CancelJob", "mediaconvert:GetJob"), (MEDIACONVERT_JOBS,), patterns=ONLY_SYNC),
            events_rule("MediaConvertJobRule"),
        ),
        pass_roles=(PassRole("Role", "mediaconvert.amazonaws.com"),),
        required=("Role", "Settings"),
    ),
)
