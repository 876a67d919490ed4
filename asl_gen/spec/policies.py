"""Retry and catch policies of a step: the rules, the `retry: sagemaker` preset, and the checks on their order."""

from __future__ import annotations

from typing import Annotated, Literal, TypeVar

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from asl_gen.spec.base import Key, StrictModel

# An error name as ASL matches it: Step Functions' own (States.*) or a service's (SageMaker.AmazonSageMakerException).
ErrorName = Annotated[str, StringConstraints(min_length=1, max_length=256, pattern=r"^[^\x00-\x1f\x7f-\x9f*]+$")]
ALL_ERRORS = "States.ALL"
RETRY_LIMIT = 99_999_999
MAX_DELAY_LIMIT = 31_622_400


class RetryRule(StrictModel):
    errors: Annotated[list[ErrorName], Field(min_length=1, max_length=50)] = Field(
        description="The error names this rule retries (ErrorEquals); States.ALL matches every error, alone",
        examples=[["SageMaker.AmazonSageMakerException", "SageMaker.ResourceLimitExceededException"]],
    )
    interval_seconds: Annotated[int, Field(ge=1, le=RETRY_LIMIT)] = Field(
        1, description="Seconds before the first retry", examples=[5]
    )
    max_attempts: Annotated[int, Field(ge=0, le=RETRY_LIMIT)] = Field(
        3, description="Retries at most (0: never)", examples=[3]
    )
    backoff_rate: Annotated[float, Field(ge=1.0, le=1000.0)] = Field(
        2.0, description="Each retry waits this many times longer than the one before", examples=[2.0]
    )
    max_delay_seconds: Annotated[int, Field(ge=1, le=MAX_DELAY_LIMIT)] | None = Field(
        None, description="No retry waits longer than this, however long the backoff grows", examples=[300]
    )
    jitter: Literal["FULL", "NONE"] | None = Field(
        None,
        description="FULL: wait a random time up to the computed interval (spreads retries out)",
        examples=["FULL"],
    )

    @model_validator(mode="after")
    def _all_alone(self) -> RetryRule:
        _alone(self.errors)
        return self


class CatchRule(StrictModel):
    errors: Annotated[list[ErrorName], Field(min_length=1, max_length=50)] = Field(
        description="The error names caught (ErrorEquals); States.ALL catches every error, alone",
        examples=[["States.TaskFailed"]],
    )
    next: Key = Field(
        description="The step to go on with (a job key of the same list of steps); the error is kept under $.Error",
        examples=["fallback"],
    )

    @model_validator(mode="after")
    def _all_alone(self) -> CatchRule:
        _alone(self.errors)
        return self


def _alone(errors: list[str]) -> None:
    if ALL_ERRORS in errors and len(errors) > 1:
        raise ValueError(f"{ALL_ERRORS} matches every error: list it alone in its rule")


# `retry: sagemaker` is built in plan/policy.py (SAGEMAKER_QUOTA, `transient_loop`: the error names SageMaker's
# integrations raise, and why throttling is told from validation by the cause, not the name, are there);
# `retry: none` turns retries off for a step.
RETRY_PRESETS = ("sagemaker", "none")


Rule = TypeVar("Rule", RetryRule, CatchRule)


def _all_last(value: list[Rule]) -> list[Rule]:
    for rule in value[:-1]:
        if ALL_ERRORS in rule.errors:
            raise ValueError(f"a rule on {ALL_ERRORS} must be the last one: it matches every error")
    return value


RetryPolicy = Annotated[
    Literal["sagemaker", "none"]
    | Annotated[list[RetryRule], Field(min_length=1, max_length=20), AfterValidator(_all_last)]
    | None,
    Field(
        description="How the step's calls are retried: sagemaker (a SageMaker call that was throttled or met an "
        "internal error is made again, up to 5 attempts within about 2 minutes; a request SageMaker refused is not "
        "retried; full job quotas 3 times over minutes, with backoff and jitter; a job that failed is not retried), "
        "none, or a list of rules; default: the state machine's retry, else none",
        examples=[
            "sagemaker",
            [{"errors": ["SageMaker.AmazonSageMakerException"], "interval_seconds": 5, "max_attempts": 4}],
        ],
    ),
]
CatchPolicy = Annotated[
    Annotated[list[CatchRule], Field(min_length=1, max_length=20), AfterValidator(_all_last)] | None,
    Field(
        description="Errors that send the run on to another step instead of failing it (before on_failure applies)",
        examples=[[{"errors": ["States.TaskFailed"], "next": "fallback"}]],
    ),
]
