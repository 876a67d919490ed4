"""Retry and catch: the retry presets, the rules and catches a step's calls get, and the on_failure handling
(a step's own Fail turned into a hand-over, the notification that publishes the error, the final Fail).

Imports: integrations, spec
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from asl_gen.integrations import REQUEST_RESPONSE, task_resource
from asl_gen.plan.model import (
    Catcher,
    ChoiceRule,
    ChoiceState,
    FailState,
    MapState,
    ParallelState,
    PassState,
    Retrier,
    StatePlan,
    StepRef,
    Target,
    TaskState,
    Value,
    WaitState,
)
from asl_gen.plan.request import integration
from asl_gen.spec import (
    ERROR_SLOT,
    FAILED_STATE,
    NOTIFY_STATE,
    TRANSIENT_STATES,
    CatchRule,
    Job,
    MapJob,
    ParallelJob,
    RetryRule,
    StateMachine,
    derived_state_name,
    retries_transient,
)

ALL_ERRORS = "States.ALL"
# `retry: sagemaker`: retry what clears by itself (throttling, internal errors, a full job quota), not what a
# retry cannot fix (a request SageMaker refused as invalid, a name already taken, a job that ran and failed).
# What Step Functions lets a retrier see is the error *name* alone (ErrorEquals; the Cause is not matched:
# aws/aws-step-functions-data-science-sdk-python#191), and the names say less than one would like:
# - Step Functions names a service error `<Service>.<ExceptionName>`, with the suffix `Exception` added where the
#   API's error shape lacks it (developer guide, "AWS SDK service integrations": `S3.BucketAlreadyExistsException`
#   for S3's `BucketAlreadyExists`).
# - SageMaker's API model (botocore 1.44.8, data/sagemaker/2017-07-24/service-2.json) declares five error shapes:
#   ResourceLimitExceeded, ResourceInUse, ResourceNotFound, ConflictException, ResourceAlreadyExists; Create*Job
#   may raise the first three, CreateModel/CreateEndpointConfig/CreateEndpoint/UpdateEndpoint only
#   ResourceLimitExceeded. ThrottlingException, ValidationException and the 5xx errors (SageMaker's common
#   errors: ThrottlingException 400, InternalFailure 500, ServiceUnavailable 503) are not modelled, so the
#   optimized integration raises them all as the SDK's base exception, `SageMaker.AmazonSageMakerException`, and
#   `aws-sdk:sagemaker:*` calls as `SageMaker.SageMakerException` (see plan/endpoint.py). Observed: the Data
#   Science SDK's integration tests retry `SageMaker.AmazonSageMakerException` for "Rate exceeded -
#   ThrottlingException" on createModel/createEndpoint (aws-step-functions-data-science-sdk-python#162), and #191
#   shows a training job's ThrottlingException under that name.
# - The Cause is the SDK's message: SageMaker's text, then the service, the HTTP status and (SDK v1, the optimized
#   integrations) the error code: "Rate exceeded (Service: AmazonSageMaker; Status Code: 400; Error Code:
#   ThrottlingException; Request ID: ...)"; SDK v2 (aws-sdk calls) writes "(Service: SageMaker, Status Code: 400,
#   Request ID: ...)". SageMaker's throttling text is "Rate exceeded" in every report of it.
# - A `.sync` job that ran and failed ends the task with `States.TaskFailed`, the job's description (with its
#   FailureReason: "ClientError: ...", "AlgorithmError: ...", "CapacityError: ...") as the Cause.
# So no retrier can retry throttling and not validation. What can is a Catch on those two names into a Choice on
# the Cause (`transient_loop`): a throttled or 5xx call waits and is made again, by a copy of the task that then
# retries those names (as botocore does for its own calls: _retry.json and retries/standard.py retry the
# throttling codes and 500/502/503/504, never ValidationException, 5 attempts in all, exponential, jittered); a
# refused request goes on at once to where the error would have gone without the preset.
SAGEMAKER_SERVICE_ERRORS = Retrier(
    ("SageMaker.AmazonSageMakerException", "SageMaker.SageMakerException"),
    interval_seconds=10,
    max_attempts=3,
    backoff_rate=2.0,
    max_delay_seconds=60,
    jitter="FULL",
)
# What the Choice reads in the Cause to call an error transient: SageMaker's throttling text and error code, and
# the 5xx statuses botocore retries (StringMatches has only `*`; both SDKs' forms, `503;` and `503,`, match).
TRANSIENT_CAUSES = (
    "*Rate exceeded*",
    "*ThrottlingException*",
    "*Status Code: 500*",
    "*Status Code: 502*",
    "*Status Code: 503*",
    "*Status Code: 504*",
)
# The first retry after a transient error waits this long (the Catch that saw it does not).
TRANSIENT_WAIT_SECONDS = 5
# ResourceLimitExceeded is a quota ("too many training jobs", instances of a type). The quotas pipelines hit are
# the concurrent ones (jobs, instances in use), which free up as running jobs end: a few slow retries ride them
# out, as AWS's own training-job example retries this name every 60 s (developer guide, "Create and manage
# Amazon SageMaker AI jobs with Step Functions"). A quota of 0 never clears; it fails after ~7 minutes instead
# of at once. Not retried at all: SageMaker.ResourceInUseException (on Create*Job: a job of that name already
# exists, and the name is fixed), SageMaker.ResourceNotFoundException (a model or job that is not there),
# SageMaker.ConflictException, States.TaskFailed (the job itself failed: rerunning a bad hyperparameter or a
# missing input costs a second job to fail again; add a rule of your own for jobs that fail on capacity).
SAGEMAKER_QUOTA = Retrier(
    ("SageMaker.ResourceLimitExceededException",),
    interval_seconds=60,
    max_attempts=3,
    backoff_rate=2.0,
    max_delay_seconds=600,
    jitter="FULL",
)
RETRY_PRESETS: Mapping[str, tuple[Retrier, ...]] = {
    # The first attempt of a SageMaker call retries only the quota; its service errors go through the Choice.
    "sagemaker": (SAGEMAKER_QUOTA,),
    "none": (),
}
# Publishing the failure is worth a few quick retries; it must not hide the error it reports.
NOTIFY_RETRY = Retrier(("States.TaskFailed",), interval_seconds=2, max_attempts=3, backoff_rate=2.0)


def retriers(policy: str | Sequence[RetryRule] | None) -> tuple[Retrier, ...]:
    if policy is None:
        return ()
    if isinstance(policy, str):
        return RETRY_PRESETS[policy]
    return tuple(
        Retrier(
            tuple(rule.errors),
            rule.interval_seconds,
            rule.max_attempts,
            rule.backoff_rate,
            rule.max_delay_seconds,
            rule.jitter,
        )
        for rule in policy
    )


def to_failure_handler(state: FailState) -> PassState:
    """A step's own failure (a gate that is not passed, an endpoint that failed), sent to the notification.

    The state keeps its name and says what it did; it records the error and cause where a Catch would have put
    them, so the notification and the final Fail report it like any other failure.
    """
    error = Value(state.error_path, dynamic=True) if state.error_path is not None else Value(state.error)
    cause = Value(state.cause_path, dynamic=True) if state.cause_path is not None else Value(state.cause or "")
    return PassState(
        name=state.name,
        comment=f"{state.comment}: record the error for the notification",
        parameters=dict([error.entry("Error"), cause.entry("Cause")]),
        result_path=f"$.{ERROR_SLOT}",
        next=NOTIFY_STATE,
    )


def _catches(job: Job) -> Sequence[CatchRule]:
    return getattr(job, "catch", None) or ()


def with_policies(machine: StateMachine, top: bool, job: Job, states: list[StatePlan]) -> list[StatePlan]:
    """The step's retry rules (its own, else the machine's) and catches on its calls, Parallels and Maps.

    `top`: the steps are the machine's own (not in a branch or a Map); only those can catch into the failure
    handler, since no transition leaves a branch.
    """
    policy = getattr(job, "retry", None) or machine.retry
    step_retriers = retriers(policy)
    catchers = tuple(Catcher(tuple(rule.errors), StepRef(rule.next), f"$.{ERROR_SLOT}") for rule in _catches(job))
    # A step whose own catch takes States.ALL has handled every error; a catcher after it would never match.
    handled = any(ALL_ERRORS in catcher.errors for catcher in catchers)
    if top and machine.on_failure is not None and not handled:
        catchers += (Catcher((ALL_ERRORS,), NOTIFY_STATE, f"$.{ERROR_SLOT}"),)
    result: list[StatePlan] = []
    for state in states:
        if isinstance(state, FailState) and top and machine.on_failure is not None:
            result.append(to_failure_handler(state))
        elif isinstance(state, TaskState) and retries_transient(job, machine) and calls_sagemaker(state):
            result.extend(transient_loop(state, catchers))
        elif isinstance(state, TaskState):
            retry = state.retry or (step_retriers if state.retry_policy else ())
            result.append(replace(state, retry=retry, catch=state.catch + catchers))
        elif isinstance(state, ParallelState | MapState) and isinstance(job, ParallelJob | MapJob):
            # Only the step's own rules: the calls inside retry themselves, and retrying a whole Parallel or
            # Map by default would rerun every branch or item (every training job) for one failed call.
            result.append(replace(state, retry=retriers(job.retry), catch=catchers))
        else:
            result.append(state)
    return result


def calls_sagemaker(state: TaskState) -> bool:
    """Whether `retry: sagemaker` sends the call's service errors through the transient loop: a SageMaker call
    (optimized or aws-sdk) whose retries the step's policy decides."""
    return state.retry_policy and not state.retry and ":sagemaker:" in state.resource


def transient_loop(state: TaskState, catchers: tuple[Catcher, ...]) -> list[StatePlan]:
    """The call, and what `retry: sagemaker` adds to it: throttling and 5xx errors are made again, refused
    requests are not.

    The Catch keeps the error in the call's own result slot (the state's input otherwise unchanged), so that a
    call that gets through on a later attempt overwrites it and leaves no trace; a refused request is handed on,
    under `$.Error`, to whatever would have caught it without the preset, or fails the run with its own error.
    """
    slot = state.result_path if state.result_path not in (None, "$") else f"$.{ERROR_SLOT}"
    transient, back_off, again, refused = (derived_state_name(state.name, s) for s in TRANSIENT_STATES)
    handler = next((c for c in catchers if _catches_service_errors(c.errors)), None)
    cause = f"{slot}.Cause"
    return [
        replace(
            state,
            retry=(SAGEMAKER_QUOTA,),
            catch=(*state.catch, Catcher(SAGEMAKER_SERVICE_ERRORS.errors, transient, slot), *catchers),
        ),
        ChoiceState(
            name=transient,
            comment="SageMaker names throttling and a refused request alike: tell them apart by the cause",
            rules=(ChoiceRule({"Or": [{"Variable": cause, "StringMatches": p} for p in TRANSIENT_CAUSES]}, back_off),),
            default=refused,
        ),
        WaitState(
            name=back_off,
            comment="Throttled, or SageMaker had an internal error: wait before calling again",
            seconds=TRANSIENT_WAIT_SECONDS,
            next=again,
        ),
        replace(
            state,
            name=again,
            comment=f"{state.comment} (again, after a throttling or internal error)",
            retry=(SAGEMAKER_SERVICE_ERRORS, SAGEMAKER_QUOTA),
            catch=(*state.catch, *catchers),
        ),
        PassState(
            name=refused,
            comment="SageMaker refused the request: hand the error on, as if it had been caught",
            parameters={"Error.$": f"{slot}.Error", "Cause.$": cause},
            result_path=handler.result_path,
            next=handler.next,
        )
        if handler is not None
        else FailState(
            name=refused,
            comment="SageMaker refused the request: fail with its error",
            error_path=f"{slot}.Error",
            cause_path=cause,
        ),
    ]


def _catches_service_errors(errors: Sequence[str]) -> bool:
    """Whether a Catch on `errors` takes SageMaker's service errors (States.TaskFailed matches every error name
    but States.Timeout)."""
    names = {ALL_ERRORS, "States.TaskFailed", *SAGEMAKER_SERVICE_ERRORS.errors}
    return any(error in names for error in errors)


def failure_states(project: str, target: Target, key: str, topic: str) -> list[StatePlan]:
    """Publish the caught error to `topic`, then fail with it (even when publishing fails)."""
    error = f"$.{ERROR_SLOT}"
    machine_name = f"{project}-{key}"
    return [
        TaskState(
            name=NOTIFY_STATE,
            comment="Tell the topic which error stopped the run, and why",
            resource=task_resource(target.partition, integration("sns:publish"), REQUEST_RESPONSE),
            template="call/parameters.json.j2",
            context={
                "parameters": {
                    "TopicArn": topic,
                    "Subject": f"{machine_name} failed"[:100],
                    "Message.$": "States.Format('Execution {} failed with {}: {}', $$.Execution.Id, "
                    f"{error}.Error, {error}.Cause)",
                }
            },
            result_selector=None,
            result_path=None,
            next=FAILED_STATE,
            retry=(NOTIFY_RETRY,),
            # The run must still fail with its own error when the topic cannot be reached.
            catch=(Catcher((ALL_ERRORS,), FAILED_STATE, "$.NotifyError"),),
        ),
        FailState(
            name=FAILED_STATE,
            comment="Fail with the error that stopped the run",
            error_path=f"{error}.Error",
            cause_path=f"{error}.Cause",
        ),
    ]
