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
# The optimized SageMaker integration reports service errors (throttling included: the cause names
# ThrottlingException) as SageMaker.AmazonSageMakerException; aws-sdk calls as SageMaker.SageMakerException or
# SageMaker.<Exception> for the modelled ones. Throttling clears in seconds: retry soon, often, with jitter.
SAGEMAKER_THROTTLING = Retrier(
    ("SageMaker.AmazonSageMakerException", "SageMaker.SageMakerException", "ThrottlingException"),
    interval_seconds=5,
    max_attempts=5,
    backoff_rate=2.0,
    max_delay_seconds=120,
    jitter="FULL",
)
# Account quotas and capacity (ResourceLimitExceeded, ResourceInUse while an earlier job still holds the
# instances) clear in minutes, if at all: a few slow retries.
SAGEMAKER_CAPACITY = Retrier(
    ("SageMaker.ResourceLimitExceededException", "SageMaker.ResourceInUseException"),
    interval_seconds=60,
    max_attempts=3,
    backoff_rate=2.0,
    max_delay_seconds=600,
    jitter="FULL",
)
RETRY_PRESETS: Mapping[str, tuple[Retrier, ...]] = {
    "sagemaker": (SAGEMAKER_THROTTLING, SAGEMAKER_CAPACITY),
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
