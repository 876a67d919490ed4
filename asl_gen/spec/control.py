"""Control flow: the quality gate, Parallel and Map steps that run other steps, and raw ASL states."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, ValidationInfo, field_validator, model_validator

from asl_gen.spec.base import INPUT_NAME, Key, StateName, StrictModel
from asl_gen.spec.dataflow import ReportLocation
from asl_gen.spec.step import Step

# SageMaker metric names (MetricDefinition.Name): 1-255 characters, `validation:rmse`, `train:loss`.
MetricName = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"^[^\x00-\x1f\x7f-\x9f'\"\\{}]+$")]
# How a quality gate compares; the JSONPath Choice operator and the words its Fail cause uses.
GATE_OPERATORS: Mapping[str, tuple[str, str]] = {
    "lt": ("NumericLessThan", "below"),
    "le": ("NumericLessThanEquals", "at most"),
    "gt": ("NumericGreaterThan", "above"),
    "ge": ("NumericGreaterThanEquals", "at least"),
}


# A dotted path into a JSON report: names (letters, digits, '_') with optional list indices.
REPORT_VALUE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\[\d+\])*(\.[A-Za-z_][A-Za-z0-9_]*(\[\d+\])*)*$")
ReportValue = Annotated[str, StringConstraints(max_length=255, pattern=REPORT_VALUE.pattern)]
# What a gate reads (exactly one), and the field naming the value in it.
_SOURCES = (
    "training (a training job's final metric), tuning (a tuning job's best objective value) or report (a JSON report "
    "a processing step wrote)"
)
_REPORT = "add report: {from: <processing step>, output: <output name>, file: <file in it>}"
GATE_SOURCES: Mapping[str, str] = {"training": "metric", "tuning": "metric", "report": "value"}


class QualityGateJob(Step):
    state_name_example = "Good Enough?"

    type: Literal["quality-gate"] = Field(
        description="Continue only if a value passes a threshold (a training job's final metric, a tuning job's "
        "best objective value, or a number in a JSON report a processing step wrote); otherwise fail the run with "
        "QualityGate.Failed"
    )
    tuning: Key | None = Field(
        None,
        description="The tuning job (run earlier in the state machine) whose best training job's objective value is "
        "read (give one of training, tuning or report)",
        examples=["tune"],
    )
    report: ReportLocation | None = Field(
        None,
        description="A JSON report a processing step wrote, read from S3 when the gate runs (give one of training, "
        "tuning or report)",
        examples=[{"from": "evaluate", "output": "evaluation", "file": "evaluation.json"}],
    )
    training: Key | None = Field(
        None,
        description="The training job whose final metric is read (give one of training, tuning or report)",
        examples=["train"],
    )
    metric: MetricName | None = Field(
        None,
        description="The metric's name as the algorithm reports it (FinalMetricDataList); with tuning, the tuning "
        "job's objective metric, which is the default",
        examples=["validation:rmse", "validation:auc"],
    )
    value: ReportValue | None = Field(
        None,
        description="With report: a dotted path to the number in the JSON (names, and [n] for list items)",
        examples=["regression_metrics.mse.value"],
    )
    lt: float | None = Field(None, description="Pass if the value is below this", examples=[1.5])
    le: float | None = Field(None, description="Pass if the value is at most this", examples=[1.5])
    gt: float | None = Field(None, description="Pass if the value is above this", examples=[0.8])
    ge: float | None = Field(None, description="Pass if the value is at least this", examples=[0.8])

    # One check after the fields: it runs only when every field is valid, so a broken report or a misspelt key is
    # reported alone, not also as a missing source.
    @model_validator(mode="after")
    def _one_source(self) -> QualityGateJob:
        given = [source for source in GATE_SOURCES if getattr(self, source) is not None]
        if len(given) > 1:
            raise ValueError(f"give exactly one of {_SOURCES}, not {' and '.join(given)} together")
        # No source, or a missing metric or value: reported at the field that is missing, where the gate's other
        # fields tell which (`missing_fields`), with the cross-checks.
        if given == ["report"] and self.metric is not None:
            raise ValueError("metric goes with training or tuning; a gate on report names its value with value")
        if given and given != ["report"] and self.value is not None:
            raise ValueError(f"value goes with report; a gate on {given[0]} names its value with metric")
        return self

    def missing_fields(self) -> list[tuple[str | None, str, str | None]]:
        """What the gate leaves out that it needs: (the missing field, or None for the gate itself; what is wrong;
        how to fix it)."""
        if not any(getattr(self, source) is not None for source in GATE_SOURCES):
            if self.value is not None:
                return [
                    ("report", "required field 'report' is missing: value names a number in a JSON report", _REPORT)
                ]
            if self.metric is not None:
                why = "required field 'training' is missing: metric names a training job's final metric"
                return [("training", why, "add training: <training step>, or tuning: <tuning step> for its best job")]
            return [(None, f"give exactly one of {_SOURCES}", None)]
        if self.training is not None and self.metric is None:
            why = "required field 'metric' is missing: a gate on training reads a final metric"
            return [("metric", why, "add metric: validation:rmse")]
        if self.report is not None and self.value is None:
            why = "required field 'value' is missing: a gate on report reads a number in it"
            return [("value", why, "add value: regression_metrics.mse.value")]
        return []

    @model_validator(mode="after")
    def _one_threshold(self) -> QualityGateJob:
        given = [op for op in GATE_OPERATORS if getattr(self, op) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one threshold: lt, le, gt or ge (e.g. lt: 1.5 passes a metric below 1.5)"
                + (f", not {' and '.join(given)} together" if given else "")
            )
        return self

    @property
    def operator(self) -> str:
        """lt, le, gt or ge: the comparison the metric must pass."""
        return next(op for op in GATE_OPERATORS if getattr(self, op) is not None)

    @property
    def threshold(self) -> float:
        value = getattr(self, self.operator)
        assert isinstance(value, float | int)
        return float(value)


StepList = Annotated[list[Key], Field(min_length=1, max_length=100)]


class ParallelJob(Step):
    state_name_example = "Train Candidates"

    type: Literal["parallel"] = Field(
        description="Run lists of steps side by side (a Parallel state); their results are kept under "
        "$.<parallel key>.<step key>"
    )
    branches: Annotated[list[StepList], Field(min_length=1, max_length=20)] = Field(
        description="Each branch a list of job keys run in order; the branches run at the same time",
        examples=[[["train-xgboost"], ["train-linear"]]],
    )


class ItemsInput(StrictModel):
    input: Annotated[str, StringConstraints(pattern=INPUT_NAME.pattern, max_length=80)] = Field(
        description="The execution input field that holds the list (declare it under inputs as list)",
        examples=["Batches"],
    )


# Step Functions runs at most 40 iterations of an inline Map at once; a distributed Map up to 10,000 children.
INLINE_CONCURRENCY_MAX = 40
DISTRIBUTED_CONCURRENCY_MAX = 10_000


class MapJob(Step):
    state_name_example = "Score Batches"

    type: Literal["map"] = Field(
        description="Run steps once for each item of a list (an inline Map state); each run sees the item as $.item "
        "and its position as $.index"
    )
    items: Annotated[list[Any], Field(min_length=1, max_length=1000)] | ItemsInput = Field(
        description="The list: written out, or {input: Name} for a list in the execution input",
        examples=[["s3://my-bucket/batches/a.csv", "s3://my-bucket/batches/b.csv"], {"input": "Batches"}],
    )
    steps: StepList = Field(description="The job keys run for each item, in order", examples=[["transform"]])
    mode: Literal["inline", "distributed"] = Field(
        "inline",
        description="inline (iterations in this execution, at most 40 at once) or distributed (each item a child "
        "execution: thousands at once, each with its own 25,000-event history)",
        examples=["distributed"],
    )
    max_concurrency: Annotated[int, Field(ge=0, le=DISTRIBUTED_CONCURRENCY_MAX)] = Field(
        0,
        description="Items processed at once (0: as many as Step Functions allows; an inline Map runs at most 40)",
        examples=[4],
    )
    tolerated_failures: Annotated[int, Field(ge=0, le=100_000_000)] | None = Field(
        None,
        description="A distributed Map succeeds while at most this many of its items fail (ToleratedFailureCount)",
        examples=[5],
    )

    @field_validator("max_concurrency")
    @classmethod
    def _inline_concurrency(cls, value: int, info: ValidationInfo) -> int:
        if info.data.get("mode", "inline") == "inline" and value > INLINE_CONCURRENCY_MAX:
            raise ValueError(
                f"an inline map runs at most {INLINE_CONCURRENCY_MAX} items at once; use mode: distributed for more"
            )
        return value

    @field_validator("tolerated_failures")
    @classmethod
    def _distributed_only(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is not None and info.data.get("mode", "inline") == "inline":
            raise ValueError("tolerated_failures is for mode: distributed (an inline map fails on any item)")
        return value


class AslJob(StrictModel):
    type: Literal["asl"] = Field(
        description="Raw Amazon States Language states, placed into the state machine as written and validated with "
        "it; a state without Next or End goes on to the next step",
        examples=["asl"],
    )
    states: Annotated[dict[StateName, dict[str, Any]], Field(min_length=1, max_length=100)] = Field(
        description="States by name; the first is where the step starts. Next may name any state of the machine",
        examples=[{"Cool Down": {"Type": "Wait", "Seconds": 60}}],
    )

    @field_validator("states")
    @classmethod
    def _typed(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        for name, state in value.items():
            if not isinstance(state.get("Type"), str):
                raise ValueError(
                    f"state {name!r} needs a Type (Task, Pass, Wait, Choice, Parallel, Map, Succeed, Fail)"
                )
        return value
