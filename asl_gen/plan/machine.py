"""The machine builder: walks a state machine's steps (and the steps of its branches and Map bodies), has each
job's family lay out its states, adds the step's retry and catch rules, and links each list of steps.

Each job family is one module with one function per job type; `FAMILIES` maps the spec's job classes to them.

Imports: spec
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from asl_gen.plan import (
    call,
    control,
    endpoint,
    gate,
    labeling,
    processing,
    sagemaker_model,
    training,
    transform,
    tuning,
)
from asl_gen.plan.link import link
from asl_gen.plan.model import StatePlan, StepPlan, Target, Value
from asl_gen.plan.policy import failure_states, with_policies
from asl_gen.plan.request import output_location
from asl_gen.spec import (
    AslJob,
    CallJob,
    EndpointConfigJob,
    EndpointJob,
    LabelingJob,
    MapJob,
    ModelJob,
    ModelPackageJob,
    Name,
    ParallelJob,
    ProcessingJob,
    QualityGateJob,
    S3Location,
    Spec,
    StateMachine,
    TrainingJob,
    TransformJob,
    TuningJob,
    default_name,
    located_uri,
    result_slot,
)
from asl_gen.spec.step import NamedStep

# The job argument is the family's own job class; the table pairs each with its function.
StepBuilder = Callable[["MachineBuilder", str, Any], list[StatePlan]]


@dataclass
class MachineBuilder:
    """Lays out the states of one machine step by step, its branches and Map bodies included."""

    spec: Spec
    target: Target
    key: str
    machine: StateMachine
    steps: list[StepPlan] = field(default_factory=list)
    done: set[str] = field(default_factory=set)
    # Job key -> where its result is in the state (a path below `$`), for the jobs this scope can read.
    where: dict[str, str] = field(default_factory=dict)
    # Whether the steps being added are the machine's own (not in a branch or a Map): only those can catch into
    # the failure handler, since no transition leaves a branch.
    top: bool = True
    # The key of the map whose body is being added (its steps run once per item), else None.
    in_map: str | None = None
    inputs: dict[str, str] = field(default_factory=dict)
    # Inputs a call reads (not as a SageMaker name): input name -> job key.
    plain_inputs: dict[str, str] = field(default_factory=dict)
    declared: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def name(self, key: str) -> Value:
        """The name of job `key` as this execution sees it."""
        job = self.spec.jobs[key]
        assert isinstance(job, NamedStep)
        name: Name = job.name or default_name(self.spec.project, key)
        if isinstance(job, TuningJob) and name.prefix is not None:
            # Tuning job names stop at 32 characters, too short for an MD5: the first group of a UUID (8 hex
            # characters) made when the state runs. Later states read the name from the tuning job's result.
            return Value(
                f"States.Format('{name.prefix}-{{}}', States.ArrayGetItem(States.StringSplit(States.UUID(), '-'), 0))",
                dynamic=True,
            )
        if name.literal is not None:
            return Value(name.literal)
        if name.input is not None:
            self.inputs.setdefault(name.input, key)
            return Value(f"$$.Execution.Input.{name.input}", dynamic=True)
        # MD5 of the execution ARN: unique per execution, the same in every state, 32 characters.
        return Value(f"States.Format('{name.prefix}-{{}}', States.Hash($$.Execution.Id, 'MD5'))", dynamic=True)

    def location(self, key: str, location: S3Location) -> Value:
        """Where job `key` reads its data: the S3 URI (a processing output's, resolved here), the input's, or the
        model artifacts in a training (tuning) step's result (the spec checks that it ran before, in reach)."""
        if location.model_of is not None:
            if isinstance(self.spec.jobs[location.model_of], TuningJob):
                return Value(f"{self.slot_path(location.model_of)}.BestTrainingJob.ModelDataUrl", dynamic=True)
            return Value(f"{self.slot_path(location.model_of)}.ModelDataUrl", dynamic=True)
        if location.input is not None:
            self.plain_inputs.setdefault(location.input, key)
            return Value(f"$$.Execution.Input.{location.input}", dynamic=True)
        if location.reference is not None:
            return output_location(self.spec.jobs, *location.reference)
        uri = located_uri(self.spec.jobs, location)
        assert uri is not None, f"{key}: the location is neither written out, an input nor a reference"
        return Value(uri)

    def add(self, key: str) -> None:
        job = self.spec.jobs[key]
        states = FAMILIES[type(job)](self, key, job)
        if not isinstance(job, AslJob):
            states = with_policies(self.machine, self.top, job, states)
            if not (isinstance(job, CallJob) and job.discard_result):
                self.where[key] = result_slot(key)
        self.steps.append(StepPlan(key, tuple(states)))
        self.done.add(key)

    def scope(self, keys: Sequence[str], done: set[str], where: dict[str, str]) -> tuple[StatePlan, ...]:
        """The linked states of a list of steps (the machine's, a branch's, a Map body's)."""
        saved = self.steps, self.done, self.where
        self.steps, self.done, self.where = [], done, where
        try:
            for key in keys:
                self.add(key)
            return link(self.steps)
        finally:
            self.steps, self.done, self.where = saved

    def nested(self, keys: Sequence[str], done: set[str], where: dict[str, str]) -> tuple[StatePlan, ...]:
        """`scope` for a branch or a Map body, whose steps cannot catch into the machine's failure handler."""
        top, self.top = self.top, False
        try:
            return self.scope(keys, done, where)
        finally:
            self.top = top

    def slot_path(self, key: str) -> str:
        """Where the result of job `key` is in the state, as a JSONPath."""
        return "$." + self.where.get(key, result_slot(key))

    def failure_states(self) -> list[StatePlan]:
        """The notification and final Fail that the machine's on_failure catches lead to."""
        assert self.machine.on_failure is not None
        return failure_states(self.spec.project, self.target, self.key, self.machine.on_failure.notify)


FAMILIES: Mapping[type[Any], StepBuilder] = {
    TrainingJob: training.training,
    TuningJob: tuning.tuning,
    ProcessingJob: processing.processing,
    LabelingJob: labeling.labeling,
    ModelJob: sagemaker_model.model,
    ModelPackageJob: sagemaker_model.model_package,
    EndpointConfigJob: endpoint.endpoint_config,
    EndpointJob: endpoint.endpoint,
    QualityGateJob: gate.quality_gate,
    ParallelJob: control.parallel,
    MapJob: control.map_each,
    AslJob: control.raw,
    TransformJob: transform.transform,
    CallJob: call.call,
}
