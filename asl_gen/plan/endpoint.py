"""The endpoint family: an endpoint config, and an endpoint created (or, if it exists, updated) and optionally
waited for with a bounded Wait → describeEndpoint → Choice loop, since these SageMaker calls do not `.sync`.

Imports: integrations, spec
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from asl_gen.integrations import REQUEST_RESPONSE, task_resource
from asl_gen.plan.model import (
    Catcher,
    ChoiceRule,
    ChoiceState,
    FailState,
    Goto,
    PassState,
    Retrier,
    StatePlan,
    TaskState,
    Transition,
    Value,
    WaitState,
)
from asl_gen.plan.request import describe_task, integration, job_task, tags
from asl_gen.spec import EndpointConfigJob, EndpointJob, EndpointWait, derived_state_name, result_slot, state_name_of

if TYPE_CHECKING:
    from asl_gen.plan.machine import MachineBuilder

# SageMaker's API model declares no exception for DescribeEndpoint (botocore's sagemaker service-2.json), so the
# SDK Step Functions calls it with raises every SageMaker error - throttling and "Could not find endpoint" alike -
# as the service's base exception. Step Functions names SDK errors ServiceName.ErrorName (developer guide,
# "AWS SDK service integrations"), hence this one name; LocalStack's Step Functions names unmodelled errors the
# same way, and CDK samples catch it around describeEndpoint.
SAGEMAKER_SDK_ERROR = "SageMaker.SageMakerException"
# What SageMaker says when DescribeEndpoint is asked for an endpoint that does not exist (a ValidationException;
# botocore's EndpointDeleted waiter takes that error as "gone").
ENDPOINT_NOT_FOUND = "*Could not find endpoint*"
# Statuses after which an endpoint never becomes InService by itself (EndpointStatus enum, botocore service-2.json;
# the EndpointInService waiter fails on Failed, and UpdateRollbackFailed came later for failed rollbacks).
ENDPOINT_FAILED_STATUSES = ("Failed", "UpdateRollbackFailed")
# Status checks are cheap reads: retry throttling a few times with backoff rather than fail a long deployment.
DESCRIBE_RETRY = Retrier((SAGEMAKER_SDK_ERROR,), interval_seconds=5, max_attempts=4, backoff_rate=2.0)
# Errors the execution fails with when the endpoint does not come up; user errors must not start with 'States.'.
ENDPOINT_FAILED = "Endpoint.Failed"
ENDPOINT_ROLLED_BACK = "Endpoint.RolledBack"
ENDPOINT_TIMEOUT = "Endpoint.Timeout"


def endpoint_config(builder: MachineBuilder, key: str, job: EndpointConfigJob) -> list[StatePlan]:
    """createEndpointConfig: one production variant per model."""
    # The template takes the spec's own fields, with the models named and a few fields under the API's words.
    capture, config = job.data_capture, job.async_inference
    notify = config.notify if config is not None else None
    context = {
        "name": builder.name(key),
        "variants": [
            {
                "name": variant.name,
                "model_name": builder.name(variant.model),
                "instance": None if variant.instance is None else variant.instance.model_dump(),
                "serverless": None if variant.serverless is None else variant.serverless.model_dump(),
                "weight": variant.weight,
            }
            for variant in job.variants
        ],
        "data_capture": None
        if capture is None
        else {"s3_uri": capture.s3, "modes": list(capture.capture), **capture.model_dump(exclude={"s3", "capture"})},
        "async_inference": None
        if config is None
        else {
            **config.model_dump(exclude={"notify"}),
            "success_topic": notify.success if notify else None,
            "error_topic": notify.error if notify else None,
        },
    }
    return [
        job_task(
            builder.target.partition,
            key,
            job,
            "sagemaker:createEndpointConfig",
            REQUEST_RESPONSE,
            "sagemaker/create-endpoint-config.json.j2",
            context,
            f"Create SageMaker endpoint config '{key}'",
            {"EndpointConfigArn.$": "$.EndpointConfigArn"},
        )
    ]


def endpoint(builder: MachineBuilder, key: str, job: EndpointJob) -> list[StatePlan]:
    """createEndpoint; or look the endpoint up and create or update it; then, optionally, wait for it."""
    own = state_name_of(key, job)
    slot = f"$.{result_slot(key)}"
    name, config = builder.name(key), builder.name(job.config)
    update = job.if_exists == "update"
    wait = job.wait_settings
    after: Transition = derived_state_name(own, "wait") if wait else Goto.NEXT_STEP
    result: dict[str, Any] = {"EndpointArn.$": "$.EndpointArn"}
    if wait is not None:
        if update:
            # A failed update rolls back to the old config and ends InService: the loop must know which is new.
            result.update([config.entry("EndpointConfigName")])
        result["Polls"] = {"Count": 0}
    context = {"job": {"name": name, "config_name": config, "tags": tags(job.tags)}}
    create = TaskState(
        name=derived_state_name(own, "create") if update else own,
        comment=f"Create SageMaker endpoint '{key}' (returns when creation starts, not when InService)"
        if update or job.comment is None
        else job.comment,
        resource=task_resource(builder.target.partition, integration("sagemaker:createEndpoint"), REQUEST_RESPONSE),
        template="sagemaker/create-endpoint.json.j2",
        context=context,
        result_selector=result,
        result_path=slot,
        next=after,
    )
    states: list[StatePlan] = []
    if update:
        states.extend(_lookup(builder, key, job, own, slot, name, create.name))
    states.append(create)
    if update:
        states.append(
            TaskState(
                name=derived_state_name(own, "update"),
                comment=f"Point SageMaker endpoint '{key}' at endpoint config '{job.config}' "
                "(returns when the update starts)",
                resource=task_resource(
                    builder.target.partition, integration("sagemaker:updateEndpoint"), REQUEST_RESPONSE
                ),
                template="sagemaker/update-endpoint.json.j2",
                context=context,
                result_selector=result,
                result_path=slot,
                next=after,
            )
        )
    if wait is not None:
        states.extend(_wait_loop(builder, key, own, slot, name, wait, update))
    return states


def _lookup(
    builder: MachineBuilder, key: str, job: EndpointJob, own: str, slot: str, name: Value, create: str
) -> list[StatePlan]:
    """Describe the endpoint: found, update it; not found, create it; any other error stops the run."""
    not_found = derived_state_name(own, "not found?")
    failed = derived_state_name(own, "lookup failed")
    return [
        describe_task(
            builder.target.partition,
            "endpoint",
            name,
            state=own,
            comment=job.comment or f"Look up SageMaker endpoint '{key}': update it if it exists, else create it",
            result_selector={"EndpointStatus.$": "$.EndpointStatus"},
            result_path=slot,
            next=derived_state_name(own, "update"),
            # The error output ({Error, Cause}) lands in the slot, where the next Choice reads the Cause.
            catch=(Catcher((SAGEMAKER_SDK_ERROR,), not_found, slot),),
            # "Not found" is the same error as throttling here: retrying it would only delay the create.
            retry_policy=False,
        ),
        ChoiceState(
            name=not_found,
            comment="SageMaker reports a missing endpoint as an error; tell it from throttling or access errors",
            rules=(ChoiceRule({"Variable": f"{slot}.Cause", "StringMatches": ENDPOINT_NOT_FOUND}, create),),
            default=failed,
        ),
        FailState(
            name=failed,
            comment=f"Describing endpoint '{key}' failed for another reason than its absence",
            error_path=f"{slot}.Error",
            cause_path=f"{slot}.Cause",
        ),
    ]


def _wait_loop(
    builder: MachineBuilder, key: str, own: str, slot: str, name: Value, wait: EndpointWait, update: bool
) -> list[StatePlan]:
    """Wait, count, describe, decide: a loop bounded by `max_polls` status checks."""
    states = {s: derived_state_name(own, s) for s in ("wait", "count", "status", "in service?")}
    failed, rolled_back, timed_out = (derived_state_name(own, s) for s in ("failed", "rolled back", "timed out"))
    status = f"{slot}.Status"
    is_in_service = {"Variable": f"{status}.EndpointStatus", "StringEquals": "InService"}
    rules: list[ChoiceRule] = []
    if update:
        serves_new_config = {
            "Variable": f"{status}.EndpointConfigName",
            "StringEqualsPath": f"{slot}.EndpointConfigName",
        }
        rules.append(ChoiceRule({"And": [is_in_service, serves_new_config]}, Goto.NEXT_STEP))
        rules.append(ChoiceRule(is_in_service, rolled_back))
    else:
        rules.append(ChoiceRule(is_in_service, Goto.NEXT_STEP))
    rules.append(
        ChoiceRule(
            {"Or": [{"Variable": f"{status}.EndpointStatus", "StringEquals": s} for s in ENDPOINT_FAILED_STATUSES]},
            failed,
        )
    )
    rules.append(ChoiceRule({"Variable": f"{slot}.Polls.Count", "NumericGreaterThanEquals": wait.max_polls}, timed_out))
    plan: list[StatePlan] = [
        WaitState(
            states["wait"],
            f"Give endpoint '{key}' {wait.poll_seconds} seconds before checking its status",
            wait.poll_seconds,
            next=states["count"],
        ),
        PassState(
            states["count"],
            f"Count the status checks of endpoint '{key}' (at most {wait.max_polls})",
            {"Count.$": f"States.MathAdd({slot}.Polls.Count, 1)"},
            f"{slot}.Polls",
            next=states["status"],
        ),
        describe_task(
            builder.target.partition,
            "endpoint",
            name,
            state=states["status"],
            comment=f"Read the status of endpoint '{key}'",
            # The whole description: FailureReason exists only on a failed endpoint, and a ResultSelector
            # path that matches nothing fails the state (States.Runtime) instead of giving null.
            result_selector=None,
            result_path=status,
            next=states["in service?"],
            retry=(DESCRIBE_RETRY,),
        ),
        ChoiceState(
            states["in service?"],
            f"Go on once endpoint '{key}' is InService; stop if it failed or the checks run out",
            tuple(rules),
            default=states["wait"],
        ),
        FailState(
            failed,
            f"Endpoint '{key}' failed; the cause is SageMaker's FailureReason",
            error=ENDPOINT_FAILED,
            cause_path=f"{status}.FailureReason",
        ),
    ]
    if update:
        plan.append(
            FailState(
                rolled_back,
                f"Endpoint '{key}' is InService, but with its previous endpoint config: the update failed",
                error=ENDPOINT_ROLLED_BACK,
                cause_path=f"States.Format('The update failed and SageMaker rolled the endpoint back to "
                f"endpoint config {{}}', {status}.EndpointConfigName)",
            )
        )
    plan.append(
        FailState(
            timed_out,
            f"Endpoint '{key}' was not InService after {wait.max_polls} status checks",
            error=ENDPOINT_TIMEOUT,
            cause=f"The endpoint was not InService after {wait.max_polls} status checks "
            f"{wait.poll_seconds} seconds apart",
        )
    )
    return plan
