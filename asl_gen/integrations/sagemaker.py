"""SageMaker rows: the jobs, models, endpoints and packages a spec's jobs create (`JOBS`), and the SDK calls that
read them back (`SDK_ROWS`).

Only the job APIs support `.sync`; a `.sync` job needs Describe/Stop on the job, `sagemaker:AddTags` (Step Functions
tags the job), and the job type's managed EventBridge rule. SageMaker lowercases the names in its ARNs.
"""

from __future__ import annotations

from asl_gen.integrations.model import (
    ONLY_REQUEST_RESPONSE,
    ONLY_SYNC,
    REQUEST_RESPONSE_SYNC,
    ArnParam,
    Context,
    Grant,
    Integration,
    PassRole,
    action_of,
    events_rule,
    sdk,
)
from asl_gen.integrations.references import reference

SAGEMAKER_ARN = "arn:{partition}:sagemaker:{region}:{account}"
SAGEMAKER_PASS = PassRole("RoleArn", "sagemaker.amazonaws.com")


def _tagged(create: str, arn: str, *, also: tuple[str, ...] = ()) -> tuple[Grant, ...]:
    """A Create call on `arn` (authorised on `also` too), AddTags when the request tags it, and ListTags."""
    return (
        Grant((create,), (arn, *also)),
        Grant(("sagemaker:AddTags",), (arn,), when_parameter="Tags"),
        Grant(("sagemaker:ListTags",), (arn,)),
    )


def _job(
    api: str,
    kind: str,
    resource: str,
    rule: str,
    extra_sync: tuple[str, ...] = (),
    pass_roles: tuple[PassRole, ...] = (SAGEMAKER_PASS,),
) -> Integration:
    job_arn = f"{SAGEMAKER_ARN}:{resource}/{{{kind}Name}}"
    return Integration(
        service="sagemaker",
        api=api,
        patterns=REQUEST_RESPONSE_SYNC,
        grants=(
            Grant((f"sagemaker:Create{kind}",), (job_arn,)),
            Grant((f"sagemaker:Describe{kind}", f"sagemaker:Stop{kind}", *extra_sync), (job_arn,), patterns=ONLY_SYNC),
            # Step Functions tags every job it runs with .sync; without AddTags the run fails (AccessDenied).
            Grant(("sagemaker:AddTags",), (job_arn,), patterns=ONLY_SYNC),
            Grant(("sagemaker:AddTags",), (job_arn,), when_parameter="Tags"),
            Grant(("sagemaker:ListTags",), (job_arn,)),
            events_rule(rule),
        ),
        pass_roles=pass_roles,
    )


def _call(api: str, grants: tuple[Grant, ...], pass_roles: tuple[PassRole, ...] = ()) -> Integration:
    return Integration("sagemaker", api, ONLY_REQUEST_RESPONSE, grants, pass_roles)


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

_ENDPOINT = f"{SAGEMAKER_ARN}:endpoint/{{EndpointName}}"
_ENDPOINT_CONFIG = f"{SAGEMAKER_ARN}:endpoint-config/{{EndpointConfigName}}"

JOBS: tuple[Integration, ...] = (
    _job("createTrainingJob", "TrainingJob", "training-job", "SageMakerTrainingJobsRule"),
    _job("createProcessingJob", "ProcessingJob", "processing-job", "SageMakerProcessingJobsRule"),
    _job(
        "createTransformJob",
        "TransformJob",
        "transform-job",
        "SageMakerTransformJobsRule",
        # CreateTransformJob takes no role: the model's execution role, passed when the model was made, runs it.
        pass_roles=(),
    ),
    _job(
        "createHyperParameterTuningJob",
        "HyperParameterTuningJob",
        "hyper-parameter-tuning-job",
        "SageMakerTuningJobsRule",
        extra_sync=("sagemaker:ListTrainingJobsForHyperParameterTuningJob",),
        # The training jobs a tuning job starts run as the role of their definition (one, or one per definition).
        pass_roles=(
            PassRole("TrainingJobDefinition.RoleArn", "sagemaker.amazonaws.com"),
            PassRole("TrainingJobDefinitions[].RoleArn", "sagemaker.amazonaws.com"),
        ),
    ),
    # CreateLabelingJob supports .sync (Step Functions developer guide, "Create and manage Amazon SageMaker AI jobs",
    # read 2026-12-04), but the guide's IAM examples cover only training and transform jobs and name no managed rule
    # for labeling jobs: the rule below follows the pattern of the four documented job types and is not confirmed.
    _job("createLabelingJob", "LabelingJob", "labeling-job", "SageMakerLabelingJobsRule"),
    _call(
        "createModel",
        _tagged("sagemaker:CreateModel", f"{SAGEMAKER_ARN}:model/{{ModelName}}"),
        (PassRole("ExecutionRoleArn", "sagemaker.amazonaws.com"),),
    ),
    _call("createEndpointConfig", _tagged("sagemaker:CreateEndpointConfig", _ENDPOINT_CONFIG)),
    # CreateEndpoint and UpdateEndpoint are authorised against the endpoint and the config it reads.
    _call("createEndpoint", _tagged("sagemaker:CreateEndpoint", _ENDPOINT, also=(_ENDPOINT_CONFIG,))),
    _call("updateEndpoint", (Grant(("sagemaker:UpdateEndpoint",), (_ENDPOINT, _ENDPOINT_CONFIG)),)),
    Integration(
        "sagemaker",
        "describeTrainingJob",
        ONLY_REQUEST_RESPONSE,
        (Grant(("sagemaker:DescribeTrainingJob",), (f"{SAGEMAKER_ARN}:training-job/{{TrainingJobName}}",)),),
        sdk=True,
    ),
    Integration(
        "sagemaker",
        "createModelPackage",
        ONLY_REQUEST_RESPONSE,
        (
            # The Service Authorization Reference lists model-package and model-package-group for
            # CreateModelPackage; a new version is authorised against both.
            Grant(("sagemaker:CreateModelPackage",), (MODEL_PACKAGE_GROUP, MODEL_PACKAGE_VERSIONS)),
            Grant(("sagemaker:AddTags",), (MODEL_PACKAGE_VERSIONS,), when_parameter="Tags"),
        ),
        sdk=True,
    ),
)


def _describe(api: str, kind: str, name: str) -> Integration:
    """A SageMaker Describe* call on one resource named by `name` (lowercased like every SageMaker ARN)."""
    grant = Grant((action_of("sagemaker", api),), (f"{SAGEMAKER_ARN}:{kind}/{{{name}}}",))
    return sdk("sagemaker", api, (grant,), (name,))


_sagemaker_resource = reference(
    "sagemaker", "", r"[a-z-]+/[A-Za-z0-9-]{1,63}(?:/[A-Za-z0-9/-]+)?",
    lambda head, m: (head + m["resource"].lower(),), bare=False,
)  # fmt: skip
SAGEMAKER_RESOURCE = ArnParam("ResourceArn", _sagemaker_resource, f"{SAGEMAKER_ARN}:*")

# Describe and ListTags calls through the AWS SDK integration, e.g. the endpoint wait loop's describeEndpoint.
SDK_ROWS: tuple[Integration, ...] = (
    _describe("describeEndpoint", "endpoint", "EndpointName"),
    _describe("describeEndpointConfig", "endpoint-config", "EndpointConfigName"),
    _describe("describeModel", "model", "ModelName"),
    _describe("describeProcessingJob", "processing-job", "ProcessingJobName"),
    _describe("describeTransformJob", "transform-job", "TransformJobName"),
    _describe("describeHyperParameterTuningJob", "hyper-parameter-tuning-job", "HyperParameterTuningJobName"),
    sdk("sagemaker", "listTags", (Grant(("sagemaker:ListTags",), (SAGEMAKER_RESOURCE,)),), ("ResourceArn",)),
)
