"""Hyperparameter tuning jobs: a training definition, the ranges SageMaker searches, the objective and strategy.

The facts cited are from botocore's SageMaker service model (2017-07-24, botocore 1.44.8):
HyperParameterTuningJobName is 1-32 characters of `[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}`; each kind of parameter
range holds at most 30 ranges, and all kinds together at most 30; a categorical range 1-30 values;
ParentHyperParameterTuningJobs 1-5; ResourceLimits.MaxRuntimeInSeconds 120-15768000; Logarithmic scaling only
for ranges above 0, ReverseLogarithmic only for continuous ranges within 0 <= x < 1; Hyperband needs
TrainingJobEarlyStoppingType Off (it stops jobs early itself).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from asl_gen.spec.base import StrictModel
from asl_gen.spec.control import MetricName
from asl_gen.spec.step import NamedStep
from asl_gen.spec.training import HyperValue, TrainingDefinition, hyperparameter_text

TUNING_NAME_MAX = 32
TUNING_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}$")
# A generated tuning job name is `<prefix>-<8 hex characters>` (see plan/tuning.py): the prefix gets what is left.
TUNING_SUFFIX_LEN = 9
TUNING_PREFIX_MAX = TUNING_NAME_MAX - TUNING_SUFFIX_LEN
RANGES_MAX = 30
CATEGORICAL_VALUES_MAX = 30
HYPERPARAMETERS_MAX = 100
WARM_START_PARENTS_MAX = 5
TUNING_RUNTIME_MIN = 120
TUNING_RUNTIME_MAX = 15_768_000

TuningJobName = Annotated[str, StringConstraints(pattern=TUNING_NAME.pattern, max_length=TUNING_NAME_MAX)]
Scaling = Literal["Auto", "Linear", "Logarithmic", "ReverseLogarithmic"]


class Range(StrictModel):
    """One hyperparameter's search range: continuous, integer or categorical."""

    continuous: Annotated[list[float], Field(min_length=2, max_length=2)] | None = Field(
        None, description="[min, max]: any real value between them", examples=[[0.1, 0.5]]
    )
    integer: Annotated[list[int], Field(min_length=2, max_length=2)] | None = Field(
        None, description="[min, max]: whole numbers between them, both included", examples=[[3, 10]]
    )
    categorical: Annotated[list[HyperValue], Field(min_length=1, max_length=CATEGORICAL_VALUES_MAX)] | None = Field(
        None, description="The values to try (at most 30, each once)", examples=[["gbtree", "dart"]]
    )
    scaling: Scaling | None = Field(
        None,
        description="How a numeric range is searched: Auto (default), Linear, Logarithmic (min > 0) or "
        "ReverseLogarithmic (continuous, within 0 <= x < 1)",
        examples=["Logarithmic"],
    )

    @model_validator(mode="after")
    def _one_kind(self) -> Range:
        given = [kind for kind in ("continuous", "integer", "categorical") if getattr(self, kind) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of continuous: [min, max], integer: [min, max] or categorical: [values]"
                + (f", not {' and '.join(given)} together" if given else "")
            )
        if self.categorical is not None:
            if self.scaling is not None:
                raise ValueError("scaling is for continuous and integer ranges; a categorical range has no scale")
            texts = [hyperparameter_text(v) for v in self.categorical]
            repeated = sorted({t for t in texts if texts.count(t) > 1})
            if repeated:
                raise ValueError(f"the categorical value {repeated[0]!r} is listed twice (list each value once)")
            return self
        low, high = self.bounds
        if not low < high:
            raise ValueError(f"the range's min {low:g} is not below its max {high:g} (write [min, max])")
        if self.scaling == "Logarithmic" and low <= 0:
            raise ValueError(f"Logarithmic scaling needs a range above 0, and min is {low:g}")
        if self.scaling == "ReverseLogarithmic" and (self.integer is not None or low < 0 or high >= 1):
            raise ValueError("ReverseLogarithmic scaling is for continuous ranges within 0 <= x < 1")
        return self

    @property
    def kind(self) -> str:
        return next(k for k in ("continuous", "integer", "categorical") if getattr(self, k) is not None)

    @property
    def bounds(self) -> tuple[float, float]:
        values = self.continuous if self.continuous is not None else self.integer
        assert values is not None
        return values[0], values[1]


class Objective(StrictModel):
    metric: MetricName = Field(
        description="The metric the tuning job optimises, as the training jobs report it; for a built-in "
        "algorithm '<channel>:<metric>'",
        examples=["validation:auc", "validation:rmse"],
    )
    type: Literal["Maximize", "Minimize"] = Field(
        description="Whether a higher (Maximize) or lower (Minimize) value is better", examples=["Maximize"]
    )
    regex: Annotated[str, StringConstraints(min_length=1, max_length=500)] | None = Field(
        None,
        description="For your own image: the regular expression that finds the metric's value in the job's logs "
        "(a built-in algorithm defines its metrics itself)",
        examples=[r"auc: ([0-9\.]+)"],
    )


class WarmStart(StrictModel):
    type: Literal["IdenticalDataAndAlgorithm", "TransferLearning"] = Field(
        description="IdenticalDataAndAlgorithm (same data and image as the parents) or TransferLearning",
        examples=["IdenticalDataAndAlgorithm"],
    )
    parents: Annotated[list[TuningJobName], Field(min_length=1, max_length=WARM_START_PARENTS_MAX)] = Field(
        description="Names of earlier tuning jobs (completed or stopped) to start from, at most 5",
        examples=[["churn-tune-2024-06"]],
    )


class TuningJob(NamedStep):
    state_name_example = "Tune Model"

    type: Literal["tuning"] = Field(
        description="A SageMaker hyperparameter tuning job, run with createHyperParameterTuningJob.sync; its result "
        "holds the best training job, whose artifacts asl-gen looks up"
    )
    training: TrainingDefinition = Field(
        description="The training jobs the tuning job runs: the fields of a training step (algorithm or image, "
        "instance, channels, output, static hyperparameters, ...)",
        examples=[
            {
                "algorithm": {"name": "xgboost", "version": "1.7-1"},
                "instance": {"type": "ml.m5.xlarge"},
                "channels": {"train": {"s3": "s3://my-bucket/abalone/train", "content_type": "text/csv"}},
                "output": "s3://my-bucket/abalone/tuning",
                "hyperparameters": {"objective": "reg:squarederror", "num_round": 100},
            }
        ],
    )
    ranges: Annotated[
        dict[Annotated[str, StringConstraints(min_length=1, max_length=256)], Range],
        Field(min_length=1, max_length=RANGES_MAX),
    ] = Field(
        description="The hyperparameters to tune and their ranges (at most 30)",
        examples=[{"eta": {"continuous": [0.1, 0.5], "scaling": "Logarithmic"}, "max_depth": {"integer": [3, 10]}}],
    )
    objective: Objective = Field(
        description="The metric that picks the best training job",
        examples=[{"metric": "validation:auc", "type": "Maximize"}],
    )
    strategy: Literal["Bayesian", "Random", "Hyperband", "Grid"] = Field(
        "Bayesian",
        description="How values are chosen: Bayesian (default), Random, Hyperband or Grid (categorical ranges only)",
        examples=["Bayesian", "Grid"],
    )
    max_jobs: Annotated[int, Field(ge=1)] | None = Field(
        None,
        description="How many training jobs at most (required, except with Grid, which runs every combination)",
        examples=[20],
    )
    max_parallel_jobs: Annotated[int, Field(ge=1)] = Field(
        1, description="How many training jobs run at once (at most max_jobs)", examples=[4]
    )
    max_runtime_seconds: Annotated[int, Field(ge=TUNING_RUNTIME_MIN, le=TUNING_RUNTIME_MAX)] | None = Field(
        None,
        description="SageMaker stops the whole tuning job after this many seconds (120 to 15768000)",
        examples=[14400],
    )
    early_stopping: Literal["Off", "Auto"] = Field(
        "Off",
        description="Auto: SageMaker stops training jobs unlikely to beat the best so far (not with Hyperband)",
        examples=["Auto"],
    )
    warm_start: WarmStart | None = Field(
        None,
        description="Start from what earlier tuning jobs learnt",
        examples=[{"type": "IdenticalDataAndAlgorithm", "parents": ["churn-tune-2024-06"]}],
    )

    @field_validator("name")
    @classmethod
    def _short_name(cls, value: Any) -> Any:
        literal, prefix = getattr(value, "literal", None), getattr(value, "prefix", None)
        if literal is not None and len(literal) > TUNING_NAME_MAX:
            raise ValueError(
                f"{literal!r} is {len(literal)} characters; a tuning job's name has at most {TUNING_NAME_MAX}"
            )
        if prefix is not None and len(prefix) > TUNING_PREFIX_MAX:
            raise ValueError(
                f"prefix {prefix!r} is {len(prefix)} characters; a tuning job's prefix has at most "
                f"{TUNING_PREFIX_MAX} (asl-gen appends '-' and 8 characters; tuning job names stop at "
                f"{TUNING_NAME_MAX})"
            )
        return value

    def problems(self) -> Iterator[tuple[tuple[str | int, ...], str, str]]:
        """What no single field shows: each problem's field path (below the job), message and hint."""
        static = self.training.hyperparameters
        for name in self.ranges:
            if name in static:
                yield (
                    ("ranges", name),
                    f"hyperparameter {name!r} is both static (training.hyperparameters) and tuned (ranges)",
                    "keep it in one place: remove it from training.hyperparameters to tune it",
                )
        total = len(self.ranges) + len(static)
        if total > HYPERPARAMETERS_MAX:
            yield (
                ("ranges",),
                f"{total} hyperparameters, static and tuned together; SageMaker takes at most {HYPERPARAMETERS_MAX}",
                "drop static hyperparameters the algorithm's defaults already give",
            )
        if self.strategy == "Grid":
            for name, found in self.ranges.items():
                if found.categorical is None:
                    yield (
                        ("ranges", name),
                        f"the Grid strategy searches categorical ranges only, and {name!r} is {found.kind}",
                        "list the values to try as categorical: [...], or use strategy Bayesian or Random",
                    )
            if self.max_jobs is not None:
                yield (
                    ("max_jobs",),
                    "the Grid strategy runs every combination of the categorical values, so it takes no max_jobs",
                    "leave out max_jobs",
                )
        elif self.max_jobs is None:
            yield (
                ("strategy",) if "strategy" in self.model_fields_set else (),
                f"the {self.strategy} strategy needs max_jobs: how many training jobs it may run at most",
                "add max_jobs, e.g. max_jobs: 20",
            )
        if self.max_jobs is not None and self.max_parallel_jobs > self.max_jobs:
            yield (
                ("max_parallel_jobs",),
                f"max_parallel_jobs {self.max_parallel_jobs} is more than max_jobs {self.max_jobs}",
                f"run at most {self.max_jobs} at once",
            )
        if self.strategy == "Hyperband" and self.early_stopping != "Off":
            yield (
                ("early_stopping",),
                "Hyperband stops training jobs early by itself; SageMaker refuses early_stopping Auto with it",
                "leave out early_stopping, or write early_stopping: Off",
            )
        algorithm = self.training.algorithm
        if algorithm is None and self.objective.regex is None:
            yield (
                ("objective",),
                f"with your own image, SageMaker needs a regex to find {self.objective.metric!r} in the logs",
                "add objective.regex, e.g. regex: 'auc: ([0-9\\.]+)'",
            )
        if algorithm is not None and self.objective.regex is not None:
            yield (
                ("objective", "regex"),
                f"built-in algorithm {algorithm.name!r} reports its metrics itself",
                "leave out objective.regex",
            )
        if algorithm is not None:
            channel, colon, _ = self.objective.metric.partition(":")
            if not colon or channel not in {*self.training.channels, "train"}:
                channels = ", ".join(self.training.channels)
                yield (
                    ("objective", "metric"),
                    f"{self.objective.metric!r} is not a metric of a channel the training definition has ({channels})",
                    "a built-in algorithm reports '<channel>:<metric>', e.g. validation:auc for a validation channel",
                )
