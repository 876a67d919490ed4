"""What the SageMaker job families' requests share: the integration rows, tags, VPC config, the execution role,
and the one Task state that creates a SageMaker resource and keeps its result under the step's slot.

Imports: integrations, spec
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from asl_gen.integrations import REQUEST_RESPONSE, Integration, find, task_resource
from asl_gen.plan.model import Catcher, Retrier, TaskState, Transition, Value, target_of
from asl_gen.spec import (
    EndpointConfigJob,
    LabelingJob,
    ModelJob,
    ModelPackageJob,
    ProcessingJob,
    Spec,
    TrainingJob,
    TransformJob,
    TuningJob,
    Vpc,
    per_execution_output,
    processing_output_uri,
    result_slot,
    state_name_of,
)


def intrinsic_text(text: str) -> str:
    """`text` inside an intrinsic function's string literal: its quote, braces and backslashes escaped."""
    return re.sub(r"([\\'{}])", r"\\\1", text)


def output_location(jobs: Mapping[str, object], step: str, output: str) -> Value:
    """Where processing step `step` uploads `output` in this execution: its S3 URI, or this run's folder under it
    (`per_execution`), named after the execution: unique among a state machine's runs, and readable in a console.
    Every reader of the output takes this same value, so the folder needs no passing along."""
    uri = processing_output_uri(jobs, step, output)
    assert uri is not None, f"{step}: the reference checks let an unknown processing output through"
    return execution_folder(uri) if per_execution_output(jobs, step, output) else Value(uri)


def execution_folder(prefix: str, then: str = "") -> Value:
    """`<prefix>/<execution name>/<then>`: this execution's folder under an S3 URI or key prefix, and what is in it.
    An empty prefix is the top of the bucket."""
    # The closing '/' keeps it a folder: a channel or input reading the prefix `.../run-1` would also read `run-10`.
    head = prefix.rstrip("/")
    template = (f"{intrinsic_text(head)}/" if head else "") + "{}/" + intrinsic_text(then)
    return Value(f"States.Format('{template}', $$.Execution.Name)", dynamic=True)


def integration(key: str) -> Integration:
    """The integration row for `key`; every call the plan makes has one."""
    found = find(key)
    assert found is not None, f"no integration row for {key}"
    return found


def sagemaker_role_arn(spec: Spec) -> str:
    """The SageMaker execution role's ARN: as given, or built from its name in the state machines' account."""
    role = spec.roles.sagemaker
    return role.arn if role.arn is not None else target_of(spec).role_arn(role.role_name)


def tags(pairs: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in pairs.items()]


def vpc(config: Vpc | None) -> dict[str, list[str]] | None:
    if config is None:
        return None
    return {"SecurityGroupIds": list(config.security_groups), "Subnets": list(config.subnets)}


def job_task(
    partition: str,
    key: str,
    job: TrainingJob
    | TuningJob
    | ProcessingJob
    | ModelJob
    | ModelPackageJob
    | EndpointConfigJob
    | LabelingJob
    | TransformJob,
    api: str,
    pattern: str,
    template: str,
    context: Mapping[str, Any],
    comment: str,
    result_selector: Mapping[str, Any],
) -> TaskState:
    """The step's own Task: `api` called with the rendered `template` (`context`, and the resource's tags), its
    result selected into the step's slot."""
    # A model package version takes its group's tags; every other resource a job creates carries the job's.
    own_tags = {} if isinstance(job, ModelPackageJob) else {"tags": tags(job.tags)}
    return TaskState(
        name=state_name_of(key, job),
        comment=job.comment or comment,
        resource=task_resource(partition, integration(api), pattern),
        template=template,
        context={"job": {**context, **own_tags}},
        result_selector=result_selector,
        result_path=f"$.{result_slot(key)}",
    )


# What a Describe call reads: the API, and the template that names the resource.
_DESCRIBE: Mapping[str, tuple[str, str]] = {
    "endpoint": ("aws-sdk:sagemaker:describeEndpoint", "sagemaker/describe-endpoint.json.j2"),
    "training": ("aws-sdk:sagemaker:describeTrainingJob", "sagemaker/describe-training-job.json.j2"),
}


def describe_task(
    partition: str,
    kind: str,
    name: Value,
    *,
    state: str,
    comment: str,
    result_selector: Mapping[str, Any] | None,
    result_path: str,
    next: Transition,
    retry: tuple[Retrier, ...] = (),
    catch: tuple[Catcher, ...] = (),
    retry_policy: bool = True,
) -> TaskState:
    """A request-response Describe call on the SageMaker resource of `kind` ('endpoint', 'training') `name`."""
    api, template = _DESCRIBE[kind]
    return TaskState(
        name=state,
        comment=comment,
        resource=task_resource(partition, integration(api), REQUEST_RESPONSE),
        template=template,
        context={"job": {"name": name}},
        result_selector=result_selector,
        result_path=result_path,
        next=next,
        retry=retry,
        catch=catch,
        retry_policy=retry_policy,
    )
