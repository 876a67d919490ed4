"""Turn a validated spec into the documents to render: the states of each state machine, wired together.

A step (one job of a state machine) contributes one or more states: a Task, or a Task with the Wait, Choice,
Pass, Fail and Succeed states that poll, branch and stop around it. A step's states name each other directly;
where a step hands over to whatever comes after it, it says `Goto.NEXT_STEP`, and `plan_project` links the
steps: the next step's first state, or the end of the machine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any, ClassVar

from asl_gen import catalog, placeholders
from asl_gen.integrations import BY_KEY, REQUEST_RESPONSE, SYNC, Integration, find, task_resource
from asl_gen.spec import (
    ERROR_SLOT,
    FAILED_STATE,
    GATE_OPERATORS,
    GATE_STATES,
    MAP_ITEMS_STATE,
    NOTIFY_STATE,
    SAGEMAKER_NAME,
    AslJob,
    CallJob,
    CatchRule,
    EndpointConfigJob,
    EndpointJob,
    EndpointWait,
    ItemsInput,
    Job,
    MapJob,
    ModelJob,
    ModelPackageJob,
    Name,
    ParallelJob,
    QualityGateJob,
    RetryRule,
    Spec,
    StateMachine,
    TrainingJob,
    Vpc,
    call_inputs,
    default_name,
    derived_state_name,
    hyperparameter_text,
    lookup_state_name,
    result_slot,
    state_name_of,
)


@dataclass(frozen=True)
class Value:
    """A request parameter: a literal, or a JSONPath / intrinsic that ASL marks with a `.$` key."""

    value: Any
    dynamic: bool = False

    def entry(self, key: str) -> tuple[str, Any]:
        """The key and value as ASL writes them in Parameters or ResultSelector."""
        return (f"{key}.$" if self.dynamic else key, self.value)


@dataclass(frozen=True)
class Target:
    """Where the output will run; every ARN is built from these."""

    partition: str
    region: str
    account: str

    def state_machine_arn(self, name: str) -> str:
        return f"arn:{self.partition}:states:{self.region}:{self.account}:stateMachine:{name}"

    def role_arn(self, name: str) -> str:
        return f"arn:{self.partition}:iam::{self.account}:role/{name}"


def target_of(spec: Spec) -> Target:
    """The spec's account, region and partition, each a placeholder where the spec leaves it open."""
    return Target(
        spec.aws.resolved_partition or placeholders.token(placeholders.PARTITION),
        spec.aws.region or placeholders.token(placeholders.REGION),
        spec.aws.account or placeholders.token(placeholders.ACCOUNT),
    )


def sagemaker_role_arn(spec: Spec) -> str:
    """The SageMaker execution role's ARN: as given, or built from its name in the state machines' account."""
    role = spec.roles.sagemaker
    return role.arn if role.arn is not None else target_of(spec).role_arn(role.role_name)


class Goto(Enum):
    """A transition to whatever follows the step: the next step's first state, or the end of the machine."""

    NEXT_STEP = "next step"


@dataclass(frozen=True)
class StepRef:
    """A transition to the first state of another step of the same list (a catch's `next`)."""

    key: str


# A transition: a state of the same step by name, on to the next step, or to another step's start.
Transition = str | Goto | StepRef


@dataclass(frozen=True)
class Retrier:
    errors: tuple[str, ...]
    interval_seconds: int
    max_attempts: int
    backoff_rate: float
    max_delay_seconds: int | None = None
    jitter: str | None = None


@dataclass(frozen=True)
class Catcher:
    errors: tuple[str, ...]
    next: Transition
    result_path: str


@dataclass(frozen=True)
class TaskState:
    """A service call; its Parameters come from rendering `template` with `context`."""

    kind: ClassVar[str] = "task"
    name: str
    comment: str
    resource: str
    template: str
    context: Mapping[str, Any]
    result_selector: Mapping[str, Any] | None
    # None: the result is dropped and the input passes on unchanged.
    result_path: str | None
    next: Transition | None = Goto.NEXT_STEP
    retry: tuple[Retrier, ...] = ()
    catch: tuple[Catcher, ...] = ()
    credentials: str | None = None
    timeout_seconds: int | None = None
    heartbeat_seconds: int | None = None
    # False: the step's retry policy leaves this call alone (it has its own, or retrying it makes no sense).
    retry_policy: bool = True


@dataclass(frozen=True)
class WaitState:
    kind: ClassVar[str] = "wait"
    name: str
    comment: str
    seconds: int
    next: Transition | None = Goto.NEXT_STEP


@dataclass(frozen=True)
class PassState:
    kind: ClassVar[str] = "pass"
    name: str
    comment: str
    parameters: Mapping[str, Any] | None
    result_path: str | None
    next: Transition | None = Goto.NEXT_STEP
    # A constant result (Pass `Result`), instead of Parameters.
    result: Any = None


@dataclass(frozen=True)
class ChoiceRule:
    """A JSONPath Choice rule: `condition` holds its Variable and operator (or And/Or/Not), `next` its target."""

    condition: Mapping[str, Any]
    next: Transition


@dataclass(frozen=True)
class ChoiceState:
    kind: ClassVar[str] = "choice"
    name: str
    comment: str
    rules: tuple[ChoiceRule, ...]
    default: Transition | None = None


@dataclass(frozen=True)
class FailState:
    """Stops the execution with an error; each of error and cause is a constant or a path (`*_path`)."""

    kind: ClassVar[str] = "fail"
    name: str
    comment: str
    error: str | None = None
    error_path: str | None = None
    cause: str | None = None
    cause_path: str | None = None


@dataclass(frozen=True)
class SucceedState:
    kind: ClassVar[str] = "succeed"
    name: str
    comment: str


@dataclass(frozen=True)
class ParallelState:
    """Branches run side by side; each branch's states are linked within it."""

    kind: ClassVar[str] = "parallel"
    name: str
    comment: str
    branches: tuple[tuple[StatePlan, ...], ...]
    result_selector: Mapping[str, Any] | None
    result_path: str | None
    next: Transition | None = Goto.NEXT_STEP
    retry: tuple[Retrier, ...] = ()
    catch: tuple[Catcher, ...] = ()


@dataclass(frozen=True)
class MapState:
    """An inline Map: the processor's states run once per item of the list at `items_path`."""

    kind: ClassVar[str] = "map"
    name: str
    comment: str
    items_path: str
    item_selector: Mapping[str, Any]
    max_concurrency: int
    processor: tuple[StatePlan, ...]
    result_path: str | None
    next: Transition | None = Goto.NEXT_STEP
    retry: tuple[Retrier, ...] = ()
    catch: tuple[Catcher, ...] = ()
    result_selector: Mapping[str, Any] | None = None
    processor_config: Mapping[str, str] = field(default_factory=lambda: {"Mode": "INLINE"})
    tolerated_failures: int | None = None


@dataclass(frozen=True)
class RawState:
    """A state the spec wrote in ASL; `next` is only set (to the next step) when the body has no Next or End."""

    kind: ClassVar[str] = "raw"
    name: str
    body: Mapping[str, Any]
    next: Transition | None = None
    linked: bool = False


StatePlan = (
    TaskState | WaitState | PassState | ChoiceState | FailState | SucceedState | ParallelState | MapState | RawState
)


@dataclass(frozen=True)
class StepPlan:
    """The states of one step; the first is where the step starts."""

    key: str
    states: tuple[StatePlan, ...]


@dataclass(frozen=True)
class InputField:
    name: str
    schema: Mapping[str, Any]


@dataclass(frozen=True)
class MachinePlan:
    key: str
    name: str
    arn: str
    comment: str
    query_language: str
    # Linked: no `Goto` is left in them, and `next=None` means the state ends the machine.
    states: tuple[StatePlan, ...]
    inputs: tuple[InputField, ...]
    input_description: str

    @property
    def start_at(self) -> str:
        return self.states[0].name


@dataclass(frozen=True)
class ProjectPlan:
    spec: Spec
    target: Target
    machines: tuple[MachinePlan, ...]
    # For aws-sdk calls asl-gen has no IAM row for: state name -> the ARNs the spec declares the call acts on.
    declared_resources: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


TRAINING_RESULT = {
    "TrainingJobName.$": "$.TrainingJobName",
    "TrainingJobArn.$": "$.TrainingJobArn",
    "ModelDataUrl.$": "$.ModelArtifacts.S3ModelArtifacts",
}
RESULTS: Mapping[str, Mapping[str, str]] = {
    "training": TRAINING_RESULT,
    "model": {"ModelArn.$": "$.ModelArn"},
    "endpoint-config": {"EndpointConfigArn.$": "$.EndpointConfigArn"},
    "endpoint": {"EndpointArn.$": "$.EndpointArn"},
    "model-package": {"ModelPackageArn.$": "$.ModelPackageArn"},
}
NAME_SCHEMA = {"type": "string", "minLength": 1, "maxLength": 63, "pattern": SAGEMAKER_NAME.pattern}
INPUT_TYPES = {"string": "string", "integer": "integer", "number": "number", "boolean": "boolean", "list": "array"}

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
GATE_FAILED = "QualityGate.Failed"
GATE_NO_METRIC = "QualityGate.NoMetric"
ALL_ERRORS = "States.ALL"
# Raw states of these types go on to the next step when they name no Next and do not End.
_TRANSITIONING = ("Task", "Pass", "Wait", "Parallel", "Map")
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


def _retriers(policy: str | Sequence[RetryRule] | None) -> tuple[Retrier, ...]:
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


def _to_failure_handler(state: FailState) -> PassState:
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


def _transitions(state: StatePlan) -> set[str]:
    """The states a linked state may go to (a machine of raw Wait and Pass states may never fail)."""
    if isinstance(state, RawState):
        body = state.body
        found = {body.get("Next"), body.get("Default"), state.next}
        found |= {rule.get("Next") for rule in body.get("Choices") or [] if isinstance(rule, dict)}
        found |= {c.get("Next") for c in body.get("Catch") or [] if isinstance(c, dict)}
        return {str(name) for name in found if isinstance(name, str)}
    found = {getattr(state, "next", None), getattr(state, "default", None)}
    found |= {c.next for c in getattr(state, "catch", ())}
    found |= {rule.next for rule in getattr(state, "rules", ())}
    return {name for name in found if isinstance(name, str)}


def _catches(job: Job) -> Sequence[CatchRule]:
    return getattr(job, "catch", None) or ()


def image_of(spec: Spec, job: TrainingJob) -> str:
    if job.image is not None:
        return job.image
    assert job.algorithm is not None
    return algorithm_image(spec, job.algorithm.name, job.algorithm.version)


def algorithm_image(spec: Spec, algorithm: str, version: str) -> str:
    """A built-in algorithm's image URI; with the region open, its registry, region and domain are placeholders."""
    if spec.aws.region is not None:
        return catalog.image_uri(algorithm, version, spec.aws.region)
    return catalog.image_uri_template(
        algorithm,
        version,
        registry=placeholders.token(placeholders.registry_name(algorithm)),
        region=placeholders.token(placeholders.REGION),
        dns_suffix=placeholders.token(placeholders.DNS_SUFFIX),
    )


def model_image(spec: Spec, job: ModelJob | ModelPackageJob) -> str:
    if job.image is not None:
        return job.image
    source = spec.jobs[job.from_ or ""]
    assert isinstance(source, TrainingJob)
    return image_of(spec, source)


def _integration(key: str) -> Integration:
    integration = find(key)
    assert integration is not None, f"no integration row for {key}"
    return integration


@dataclass
class _MachineBuilder:
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
    inputs: dict[str, str] = field(default_factory=dict)
    # Inputs a call reads (not as a SageMaker name): input name -> job key.
    plain_inputs: dict[str, str] = field(default_factory=dict)
    declared: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def name(self, key: str) -> Value:
        """The name of job `key` as this execution sees it."""
        job = self.spec.jobs[key]
        assert isinstance(job, TrainingJob | ModelJob | EndpointConfigJob | EndpointJob)
        name: Name = job.name or default_name(self.spec.project, key)
        if name.literal is not None:
            return Value(name.literal)
        if name.input is not None:
            self.inputs.setdefault(name.input, key)
            return Value(f"$$.Execution.Input.{name.input}", dynamic=True)
        # MD5 of the execution ARN: unique per execution, the same in every state, 32 characters.
        return Value(f"States.Format('{name.prefix}-{{}}', States.Hash($$.Execution.Id, 'MD5'))", dynamic=True)

    def add(self, key: str) -> None:
        job = self.spec.jobs[key]
        states: list[StatePlan] = []
        if isinstance(job, TrainingJob):
            states = [self._training(key, job)]
        elif isinstance(job, ModelJob):
            states = self._model(key, job)
        elif isinstance(job, EndpointConfigJob):
            states = [self._endpoint_config(key, job)]
        elif isinstance(job, EndpointJob):
            states = self._endpoint(key, job)
        elif isinstance(job, ModelPackageJob):
            states = self._model_package(key, job)
        elif isinstance(job, QualityGateJob):
            states = self._gate(key, job)
        elif isinstance(job, ParallelJob):
            states = [self._parallel(key, job)]
        elif isinstance(job, MapJob):
            states = self._map(key, job)
        elif isinstance(job, AslJob):
            states = self._raw(job)
        else:
            states = [self._call(key, job)]
        if not isinstance(job, AslJob):
            states = self._with_policies(job, states)
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

    def slot_path(self, key: str) -> str:
        """Where the result of job `key` is in the state, as a JSONPath."""
        return "$." + self.where.get(key, result_slot(key))

    def _with_policies(self, job: Job, states: list[StatePlan]) -> list[StatePlan]:
        """The step's retry rules (its own, else the machine's) and catches on its calls, Parallels and Maps."""
        policy = getattr(job, "retry", None) or self.machine.retry
        retriers = _retriers(policy)
        catchers = tuple(Catcher(tuple(rule.errors), StepRef(rule.next), f"$.{ERROR_SLOT}") for rule in _catches(job))
        # A step whose own catch takes States.ALL has handled every error; a catcher after it would never match.
        handled = any(ALL_ERRORS in catcher.errors for catcher in catchers)
        if self.top and self.machine.on_failure is not None and not handled:
            catchers += (Catcher((ALL_ERRORS,), NOTIFY_STATE, f"$.{ERROR_SLOT}"),)
        result: list[StatePlan] = []
        for state in states:
            if isinstance(state, FailState) and self.top and self.machine.on_failure is not None:
                result.append(_to_failure_handler(state))
            elif isinstance(state, TaskState):
                retry = state.retry or (retriers if state.retry_policy else ())
                result.append(replace(state, retry=retry, catch=state.catch + catchers))
            elif isinstance(state, ParallelState | MapState) and isinstance(job, ParallelJob | MapJob):
                # Only the step's own rules: the calls inside retry themselves, and retrying a whole Parallel or
                # Map by default would rerun every branch or item (every training job) for one failed call.
                result.append(replace(state, retry=_retriers(job.retry), catch=catchers))
            else:
                result.append(state)
        return result

    def _gate(self, key: str, job: QualityGateJob) -> list[StatePlan]:
        """Read the training job's final metrics; go on if the metric passes the threshold, else fail.

        JSONPath filters (`[?(@.MetricName == ...)]`) are not part of the ASL spec's paths (statelint refuses them),
        so a small Map picks the metric out of FinalMetricDataList: each item keeps its Value if it is the metric.
        """
        own = state_name_of(key, job)
        slot = f"$.{result_slot(key)}"
        names = {s: derived_state_name(own, s) for s in GATE_STATES}
        operator, words = GATE_OPERATORS[job.operator]
        threshold = job.threshold
        shown = f"{threshold:g}"
        value = f"{slot}.Value[0]"
        pick = (
            ChoiceState(
                name=names["is it?"],
                comment=f"Keep the value if this is {job.metric}",
                rules=(ChoiceRule({"Variable": "$.MetricName", "StringEquals": job.metric}, names["keep"]),),
                default=names["skip"],
            ),
            PassState(names["keep"], f"This is {job.metric}: keep its value", {"Value.$": "$.Value"}, "$", next=None),
            PassState(names["skip"], "Another metric: keep nothing", None, "$", next=None, result={}),
        )
        return [
            TaskState(
                name=own,
                comment=job.comment
                or f"Read the final metrics of training job '{job.training}' ({job.metric} must be {words} {shown})",
                resource=task_resource(
                    self.target.partition, BY_KEY["aws-sdk:sagemaker:describeTrainingJob"], REQUEST_RESPONSE
                ),
                template="sagemaker/describe-training-job.json.j2",
                context={"job": {"name": self.name(job.training)}},
                # No ResultSelector: SageMaker leaves FinalMetricDataList out when a job reported no metric, and a
                # selector path that matches nothing fails the execution with States.Runtime, which no Catch
                # sees. The whole description stays only until the Map below replaces it with the value.
                result_selector=None,
                result_path=slot,
                next=names["any metrics?"],
            ),
            ChoiceState(
                name=names["any metrics?"],
                comment=f"Training job '{job.training}' may have reported no metric at all",
                rules=(
                    ChoiceRule(
                        {"Not": {"Variable": f"{slot}.FinalMetricDataList", "IsPresent": True}}, names["no metric"]
                    ),
                ),
                default=names["find metric"],
            ),
            MapState(
                name=names["find metric"],
                comment=f"Find {job.metric} among the final metrics",
                items_path=f"{slot}.FinalMetricDataList",
                item_selector={"MetricName.$": "$$.Map.Item.Value.MetricName", "Value.$": "$$.Map.Item.Value.Value"},
                max_concurrency=0,
                processor=pick,
                result_path=slot,
                next=names["passes?"],
                # A list of one value when the job reported the metric, else an empty list.
                result_selector={"Value.$": "$[*].Value"},
            ),
            ChoiceState(
                name=names["passes?"],
                comment=f"Go on if {job.metric} is {words} {shown}",
                rules=(
                    ChoiceRule({"Not": {"Variable": value, "IsPresent": True}}, names["no metric"]),
                    ChoiceRule({"Variable": value, operator: threshold}, Goto.NEXT_STEP),
                ),
                default=names["failed"],
            ),
            FailState(
                name=names["failed"],
                comment=f"{job.metric} of training job '{job.training}' is not {words} {shown}",
                error=GATE_FAILED,
                cause_path=f"States.Format('{job.metric} is {{}}; the quality gate needs it {words} {shown}', {value})",
            ),
            FailState(
                name=names["no metric"],
                comment=f"Training job '{job.training}' reported no final {job.metric}",
                error=GATE_NO_METRIC,
                cause=f"Training job '{job.training}' reported no final value of {job.metric}, so the quality gate "
                f"cannot tell whether it is {words} {shown}",
            ),
        ]

    def _parallel(self, key: str, job: ParallelJob) -> ParallelState:
        """Each branch sees the state as it is; what the branches' steps produce is kept under $.<key>.<step>."""
        branches: list[tuple[StatePlan, ...]] = []
        selector: dict[str, str] = {}
        slot = result_slot(key)
        finished: set[str] = set()
        top, self.top = self.top, False
        try:
            for index, branch in enumerate(job.branches):
                done, where = set(self.done), dict(self.where)
                branches.append(self.scope(branch, done, where))
                finished |= done
                for inner, path in where.items():
                    if inner in self.where:
                        continue
                    head = path.split(".", 1)[0]
                    selector[f"{head}.$"] = f"$[{index}].{head}"
                    self.where[inner] = f"{slot}.{path}"
        finally:
            self.top = top
        self.done |= finished
        if not selector:
            self.where.pop(key, None)
        return ParallelState(
            name=state_name_of(key, job),
            comment=job.comment
            or f"Run {len(job.branches)} branches side by side: "
            + "; ".join(" -> ".join(branch) for branch in job.branches),
            branches=tuple(branches),
            result_selector=selector or None,
            result_path=f"$.{slot}" if selector else None,
        )

    def _map(self, key: str, job: MapJob) -> list[StatePlan]:
        own = state_name_of(key, job)
        slot = result_slot(key)
        states: list[StatePlan] = []
        if isinstance(job.items, ItemsInput):
            self.plain_inputs.setdefault(job.items.input, key)
            items_path = f"$.{job.items.input}"
        else:
            states.append(
                PassState(
                    derived_state_name(own, MAP_ITEMS_STATE),
                    f"The list map '{key}' goes through",
                    None,
                    f"$.{slot}",
                    next=own,
                    result={"Items": list(job.items)},
                )
            )
            items_path = f"$.{slot}.Items"
        top, self.top = self.top, False
        try:
            # Each run starts from its item alone: the results of earlier steps are not in its state.
            processor = self.scope(job.steps, set(), {})
        finally:
            self.top = top
        states.append(
            MapState(
                name=own,
                comment=job.comment
                or f"Run {' -> '.join(job.steps)} for each item"
                + (" as a child execution" if job.mode == "distributed" else "")
                + (f", {job.max_concurrency} at a time" if job.max_concurrency else ""),
                items_path=items_path,
                item_selector={"item.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index"},
                max_concurrency=job.max_concurrency,
                processor=processor,
                result_path=f"$.{slot}",
                # Children are Standard executions: they may run .sync jobs, as the steps of a map do.
                processor_config={"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
                if job.mode == "distributed"
                else {"Mode": "INLINE"},
                tolerated_failures=job.tolerated_failures,
            )
        )
        return states

    def _raw(self, job: AslJob) -> list[StatePlan]:
        return [
            RawState(name, body, Goto.NEXT_STEP, linked=True)
            if body.get("Type") in _TRANSITIONING and "Next" not in body and "End" not in body
            else RawState(name, body)
            for name, body in job.states.items()
        ]

    def failure_states(self) -> list[StatePlan]:
        """Publish the caught error to the topic, then fail with it (even when publishing fails)."""
        on_failure = self.machine.on_failure
        assert on_failure is not None
        error = f"$.{ERROR_SLOT}"
        machine_name = f"{self.spec.project}-{self.key}"
        return [
            TaskState(
                name=NOTIFY_STATE,
                comment="Tell the topic which error stopped the run, and why",
                resource=task_resource(self.target.partition, _integration("sns:publish"), REQUEST_RESPONSE),
                template="call/parameters.json.j2",
                context={
                    "parameters": {
                        "TopicArn": on_failure.notify,
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

    def _task(
        self,
        key: str,
        job: TrainingJob | ModelJob | EndpointConfigJob,
        api: str,
        pattern: str,
        template: str,
        context: Mapping[str, Any],
        comment: str,
    ) -> TaskState:
        return TaskState(
            name=state_name_of(key, job),
            comment=job.comment or comment,
            resource=task_resource(self.target.partition, BY_KEY[api], pattern),
            template=template,
            context={"job": context},
            result_selector=RESULTS[job.type],
            result_path=f"$.{result_slot(key)}",
        )

    def _training(self, key: str, job: TrainingJob) -> TaskState:
        context = {
            "name": self.name(key),
            "image": image_of(self.spec, job),
            "input_mode": job.input_mode,
            "role_arn": sagemaker_role_arn(self.spec),
            "hyperparameters": {k: hyperparameter_text(v) for k, v in job.hyperparameters.items()},
            "channels": [
                {
                    "name": channel_name,
                    "s3_uri": channel.s3,
                    "data_type": channel.data_type,
                    "distribution": channel.distribution,
                    "content_type": channel.content_type,
                    "compression": channel.compression,
                }
                for channel_name, channel in job.channels.items()
            ],
            "output_path": job.output,
            "instance": {
                "type": job.instance.type,
                "count": job.instance.count,
                "volume_gb": job.instance.volume_gb,
            },
            "max_runtime_seconds": job.max_runtime_seconds,
            "environment": dict(job.environment),
            "tags": _tags(job.tags),
            "vpc": _vpc(job.vpc),
            "kms_key": job.kms_key,
        }
        return self._task(
            key,
            job,
            "sagemaker:createTrainingJob",
            SYNC,
            "sagemaker/create-training-job.json.j2",
            context,
            f"Run SageMaker training job '{key}' and wait until it ends",
        )

    def _model_data(self, source: str, states: list[StatePlan], then: str) -> Value:
        """The artifacts of a training job: from its step's result, else looked up first (a state in `states`)."""
        if source not in self.done:
            states.append(self._lookup_training(source, then))
        return Value(f"{self.slot_path(source)}.ModelDataUrl", dynamic=True)

    def _lookup_training(self, source: str, then: str) -> TaskState:
        """Fetch the artifacts of a training job another state machine ran."""
        job = self.spec.jobs[source]
        self.done.add(source)
        return TaskState(
            name=lookup_state_name(source, job),
            comment=f"Read the model artifacts of training job '{source}', which another state machine ran",
            resource=task_resource(
                self.target.partition, BY_KEY["aws-sdk:sagemaker:describeTrainingJob"], REQUEST_RESPONSE
            ),
            template="sagemaker/describe-training-job.json.j2",
            context={"job": {"name": self.name(source)}},
            result_selector=TRAINING_RESULT,
            result_path=f"$.{result_slot(source)}",
            next=then,
        )

    def _model(self, key: str, job: ModelJob) -> list[StatePlan]:
        states: list[StatePlan] = []
        own = state_name_of(key, job)
        model_data = (
            Value(job.model_data) if job.model_data is not None else self._model_data(job.from_ or "", states, own)
        )
        context = {
            "name": self.name(key),
            "image": model_image(self.spec, job),
            "model_data": model_data,
            "role_arn": sagemaker_role_arn(self.spec),
            "environment": dict(job.environment),
            "tags": _tags(job.tags),
            "vpc": _vpc(job.vpc),
        }
        states.append(
            self._task(
                key,
                job,
                "sagemaker:createModel",
                REQUEST_RESPONSE,
                "sagemaker/create-model.json.j2",
                context,
                f"Create SageMaker model '{key}' from "
                + (f"the artifacts of training job '{job.from_}'" if job.from_ else "its model data"),
            )
        )
        return states

    def _endpoint_config(self, key: str, job: EndpointConfigJob) -> TaskState:
        context = {
            "name": self.name(key),
            "variants": [
                {
                    "name": variant.name,
                    "model_name": self.name(variant.model),
                    "instance_type": variant.instance.type,
                    "instance_count": variant.instance.count,
                    "weight": variant.weight,
                }
                for variant in job.variants
            ],
            "tags": _tags(job.tags),
        }
        return self._task(
            key,
            job,
            "sagemaker:createEndpointConfig",
            REQUEST_RESPONSE,
            "sagemaker/create-endpoint-config.json.j2",
            context,
            f"Create SageMaker endpoint config '{key}'",
        )

    def _endpoint(self, key: str, job: EndpointJob) -> list[StatePlan]:
        """createEndpoint; or look the endpoint up and create or update it; then, optionally, wait for it."""
        own = state_name_of(key, job)
        slot = f"$.{result_slot(key)}"
        name, config = self.name(key), self.name(job.config)
        update = job.if_exists == "update"
        wait = job.wait_settings
        after: Transition = derived_state_name(own, "wait") if wait else Goto.NEXT_STEP
        result: dict[str, Any] = dict(RESULTS["endpoint"])
        if wait is not None:
            if update:
                # A failed update rolls back to the old config and ends InService: the loop must know which is new.
                result.update([config.entry("EndpointConfigName")])
            result["Polls"] = {"Count": 0}
        context = {"job": {"name": name, "config_name": config, "tags": _tags(job.tags)}}
        create = TaskState(
            name=derived_state_name(own, "create") if update else own,
            comment=f"Create SageMaker endpoint '{key}' (returns when creation starts, not when InService)"
            if update or job.comment is None
            else job.comment,
            resource=task_resource(self.target.partition, BY_KEY["sagemaker:createEndpoint"], REQUEST_RESPONSE),
            template="sagemaker/create-endpoint.json.j2",
            context=context,
            result_selector=result,
            result_path=slot,
            next=after,
        )
        states: list[StatePlan] = []
        if update:
            states.extend(self._endpoint_lookup(key, job, own, slot, name, create.name))
        states.append(create)
        if update:
            states.append(
                TaskState(
                    name=derived_state_name(own, "update"),
                    comment=f"Point SageMaker endpoint '{key}' at endpoint config '{job.config}' "
                    "(returns when the update starts)",
                    resource=task_resource(self.target.partition, BY_KEY["sagemaker:updateEndpoint"], REQUEST_RESPONSE),
                    template="sagemaker/update-endpoint.json.j2",
                    context=context,
                    result_selector=result,
                    result_path=slot,
                    next=after,
                )
            )
        if wait is not None:
            states.extend(self._endpoint_wait(key, own, slot, name, wait, update))
        return states

    def _endpoint_lookup(
        self, key: str, job: EndpointJob, own: str, slot: str, name: Value, create: str
    ) -> list[StatePlan]:
        """Describe the endpoint: found, update it; not found, create it; any other error stops the run."""
        not_found = derived_state_name(own, "not found?")
        failed = derived_state_name(own, "lookup failed")
        return [
            TaskState(
                name=own,
                comment=job.comment or f"Look up SageMaker endpoint '{key}': update it if it exists, else create it",
                resource=task_resource(
                    self.target.partition, _integration("aws-sdk:sagemaker:describeEndpoint"), REQUEST_RESPONSE
                ),
                template="sagemaker/describe-endpoint.json.j2",
                context={"job": {"name": name}},
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

    def _endpoint_wait(
        self, key: str, own: str, slot: str, name: Value, wait: EndpointWait, update: bool
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
        rules.append(
            ChoiceRule({"Variable": f"{slot}.Polls.Count", "NumericGreaterThanEquals": wait.max_polls}, timed_out)
        )
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
            TaskState(
                name=states["status"],
                comment=f"Read the status of endpoint '{key}'",
                resource=task_resource(
                    self.target.partition, _integration("aws-sdk:sagemaker:describeEndpoint"), REQUEST_RESPONSE
                ),
                template="sagemaker/describe-endpoint.json.j2",
                context={"job": {"name": name}},
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

    def _model_package(self, key: str, job: ModelPackageJob) -> list[StatePlan]:
        states: list[StatePlan] = []
        own = state_name_of(key, job)
        model_data = (
            Value(job.model_data) if job.model_data is not None else self._model_data(job.from_ or "", states, own)
        )
        context = {
            "group": job.group,
            "description": job.description,
            "approval": job.approval,
            "image": model_image(self.spec, job),
            "model_data": model_data,
            "environment": dict(job.environment),
            "content_types": list(job.content_types),
            "response_types": list(job.response_types),
            "inference_instances": list(job.inference_instances),
            "transform_instances": list(job.transform_instances),
        }
        source = f"the artifacts of training job '{job.from_}'" if job.from_ else "its model data"
        states.append(
            TaskState(
                name=own,
                comment=job.comment
                or f"Register {source} as a new version in model package group '{job.group}' ({job.approval})",
                resource=task_resource(
                    self.target.partition, _integration("aws-sdk:sagemaker:createModelPackage"), REQUEST_RESPONSE
                ),
                template="sagemaker/create-model-package.json.j2",
                context={"job": context},
                result_selector=RESULTS["model-package"],
                result_path=f"$.{result_slot(key)}",
            )
        )
        return states

    def _call(self, key: str, job: CallJob) -> TaskState:
        for input_name in call_inputs(job):
            self.plain_inputs.setdefault(input_name, key)
        integration = find(job.resource)
        resource = (
            task_resource(self.target.partition, integration, job.suffix)
            if integration is not None
            else f"arn:{self.target.partition}:states:::{job.resource}{job.suffix}"
        )
        own = state_name_of(key, job)
        if job.resources is not None:
            merged = self.declared.get(own, ()) + tuple(a for a in job.resources if a not in self.declared.get(own, ()))
            self.declared[own] = merged
        return TaskState(
            name=own,
            comment=job.comment or f"Call {job.resource} ({job.pattern})",
            resource=resource,
            template="call/parameters.json.j2",
            context={"parameters": dict(job.parameters)},
            result_selector=dict(job.result_selector) if job.result_selector is not None else None,
            result_path=None if job.discard_result else f"$.{result_slot(key)}",
            credentials=job.credentials,
            timeout_seconds=job.timeout_seconds,
            heartbeat_seconds=job.heartbeat_seconds,
        )


def _tags(tags: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def _vpc(vpc: Vpc | None) -> dict[str, list[str]] | None:
    if vpc is None:
        return None
    return {"SecurityGroupIds": list(vpc.security_groups), "Subnets": list(vpc.subnets)}


def link(steps: Sequence[StepPlan]) -> tuple[StatePlan, ...]:
    """The states of all steps in order, each `Goto.NEXT_STEP` replaced by the following step's first state.

    After the last step, Task, Pass and Wait states end the machine (`next=None`); a Choice rule or a Catch cannot
    end it, so they go to a Succeed state named '<step>: done' added for them. A `StepRef` becomes the first state
    of that step.
    """
    first = {step.key: step.states[0].name for step in steps if step.states}
    states: list[StatePlan] = []
    for index, step in enumerate(steps):
        following = steps[index + 1].states[0].name if index + 1 < len(steps) else None
        states.extend(_link_step(step, following, first))
    return tuple(states)


def _link_step(step: StepPlan, following: str | None, first: Mapping[str, str]) -> list[StatePlan]:
    done = derived_state_name(step.states[0].name, "done")
    ends_in_done = False

    def target(transition: Transition) -> str:
        nonlocal ends_in_done
        if isinstance(transition, str):
            return transition
        if isinstance(transition, StepRef):
            return first[transition.key]
        if following is not None:
            return following
        ends_in_done = True
        return done

    def step_next(transition: Transition | None) -> str | None:
        if isinstance(transition, StepRef):
            return first[transition.key]
        return following if transition is Goto.NEXT_STEP else transition

    states: list[StatePlan] = []
    for state in step.states:
        if isinstance(state, TaskState | ParallelState | MapState):
            catch = tuple(replace(c, next=target(c.next)) for c in state.catch)
            states.append(replace(state, next=step_next(state.next), catch=catch))
        elif isinstance(state, WaitState | PassState):
            states.append(replace(state, next=step_next(state.next)))
        elif isinstance(state, RawState):
            states.append(replace(state, next=step_next(state.next)) if state.linked else state)
        elif isinstance(state, ChoiceState):
            rules = tuple(replace(rule, next=target(rule.next)) for rule in state.rules)
            default = target(state.default) if state.default is not None else None
            states.append(replace(state, rules=rules, default=default))
        else:
            states.append(state)
    if ends_in_done:
        states.append(SucceedState(done, f"The state machine ends here once step '{step.key}' is through"))
    return states


def plan_project(spec: Spec) -> ProjectPlan:
    """Lay out every state machine of the spec as a linked list of states."""
    target = target_of(spec)
    machines = []
    declared: dict[str, tuple[str, ...]] = {}
    for key, machine in spec.state_machines.items():
        builder = _MachineBuilder(spec, target, key, machine)
        states = builder.scope(machine.steps, set(), {})
        if machine.on_failure is not None and any(NOTIFY_STATE in _transitions(state) for state in states):
            states += tuple(builder.failure_states())
        name = f"{spec.project}-{key}"
        inputs = tuple(
            InputField(
                input_name,
                {**NAME_SCHEMA, "description": f"Name of {job_key} ({spec.jobs[job_key].type})"}
                if spec.inputs[input_name] == "string"
                else {"type": INPUT_TYPES[spec.inputs[input_name]]},
            )
            for input_name, job_key in builder.inputs.items()
        ) + tuple(
            InputField(
                input_name,
                {
                    "type": INPUT_TYPES[spec.inputs[input_name]],
                    "description": f"Read by {job_key} ({spec.jobs[job_key].type})",
                },
            )
            for input_name, job_key in builder.plain_inputs.items()
            if input_name not in builder.inputs
        )
        for state_name, arns in builder.declared.items():
            declared[state_name] = declared.get(state_name, ()) + tuple(
                a for a in arns if a not in declared.get(state_name, ())
            )
        machines.append(
            MachinePlan(
                key=key,
                name=name,
                arn=target.state_machine_arn(name),
                comment=machine.comment or f"{spec.project}: " + " -> ".join(machine.steps),
                query_language=machine.query_language,
                states=states,
                inputs=inputs,
                input_description=f"Start {name} with this JSON object as the execution input.",
            )
        )
    return ProjectPlan(spec, target, tuple(machines), declared)
