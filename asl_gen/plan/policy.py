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
)
from asl_gen.plan.request import integration
from asl_gen.spec import (
    ERROR_SLOT,
    FAILED_STATE,
    NOTIFY_STATE,
    CatchRule,
    Job,
    MapJob,
    ParallelJob,
    RetryRule,
    StateMachine,
)

ALL_ERRORS = "States.ALL"
# `retry: sagemaker`: retry what clears by itself (throttling, internal errors, a full job quota), not what a
# retry cannot fix (a request SageMaker refused as invalid, a name already taken, a job that ran and failed).
# What Step Functions lets a retrier see is the error *name* alone (ErrorEquals; the Cause is not matched:
# aws/aws-step-functions-data-science-sdk-python#191), so the rules can only be as precise as the names are:
# - Step Functions names a service error `<Service>.<ExceptionName>`, with the suffix `Exception` added where the
#   API's error shape lacks it (developer guide, "AWS SDK service integrations": `S3.BucketAlreadyExistsException`
#   for S3's `BucketAlreadyExists`).
# - SageMaker's API model (botocore 1.44.8, data/sagemaker/2017-07-24/service-2.json) declares five error shapes:
#   ResourceLimitExceeded, ResourceInUse, ResourceNotFound, ConflictException, ResourceAlreadyExists; Create*Job
#   may raise the first three, CreateModel/CreateEndpointConfig/CreateEndpoint/UpdateEndpoint only
#   ResourceLimitExceeded. ThrottlingException, ValidationException and the 5xx errors are not modelled, so the
#   optimized integration raises them all as the SDK's base exception, `SageMaker.AmazonSageMakerException`, the
#   error code only in the Cause ("... Error Code: ThrottlingException ..."); `aws-sdk:sagemaker:*` calls raise
#   the same as `SageMaker.SageMakerException` (see plan/endpoint.py). Observed: the Data Science SDK's
#   integration tests retry `SageMaker.AmazonSageMakerException` for "Rate exceeded - ThrottlingException" on
#   createModel/createEndpoint (aws-step-functions-data-science-sdk-python#162), and #191 shows a training job's
#   ThrottlingException under that name.
# - A `.sync` job that ran and failed ends the task with `States.TaskFailed`, the job's description (with its
#   FailureReason: "ClientError: ...", "AlgorithmError: ...", "CapacityError: ...") as the Cause.
# So throttling and validation share one name: no rule can retry one and not the other. The preset retries that
# name a few times, quickly, with full jitter (throttling and 5xx clear in seconds; a refused request fails after
# at most 5 + 10 + 20 + 40 s instead of at once, and each attempt is a rejected Create call: no job, no cost).
# botocore does the same for its own calls: _retry.json and retries/standard.py retry ThrottlingException and the
# other throttling codes and 500/502/503/504, never ValidationException, 5 attempts, exponential, jittered.
SAGEMAKER_SERVICE_ERRORS = Retrier(
    ("SageMaker.AmazonSageMakerException", "SageMaker.SageMakerException"),
    interval_seconds=5,
    max_attempts=4,
    backoff_rate=2.0,
    max_delay_seconds=60,
    jitter="FULL",
)
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
    "sagemaker": (SAGEMAKER_SERVICE_ERRORS, SAGEMAKER_QUOTA),
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
