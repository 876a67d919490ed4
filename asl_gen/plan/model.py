"""What a document to render is: the plan's states, steps, machines and project, and the target they run in.

The states are JSONPath-shaped records the templates read by field name; a transition is a state's name, or a
`Goto`/`StepRef` that `plan.link` resolves once the steps are laid out.

Imports: placeholders, spec
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, ClassVar

from asl_gen import placeholders
from asl_gen.spec import Spec


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
class _State:
    """What every planned state but a raw one has: its name, and a comment that says what it does."""

    name: str
    comment: str


@dataclass(frozen=True)
class _Handled(_State):
    """What a Task, a Parallel and a Map share: where they go next, and their retry and catch rules."""

    next: Transition | None = field(default=Goto.NEXT_STEP, kw_only=True)
    retry: tuple[Retrier, ...] = field(default=(), kw_only=True)
    catch: tuple[Catcher, ...] = field(default=(), kw_only=True)


@dataclass(frozen=True)
class TaskState(_Handled):
    """A service call; its Parameters come from rendering `template` with `context`."""

    kind: ClassVar[str] = "task"
    resource: str
    template: str
    context: Mapping[str, Any]
    result_selector: Mapping[str, Any] | None
    # None: the result is dropped and the input passes on unchanged.
    result_path: str | None
    credentials: str | None = None
    timeout_seconds: int | None = None
    heartbeat_seconds: int | None = None
    # False: the step's retry policy leaves this call alone (it has its own, or retrying it makes no sense).
    retry_policy: bool = True


@dataclass(frozen=True)
class WaitState(_State):
    """Waits a fixed number of seconds."""

    kind: ClassVar[str] = "wait"
    seconds: int
    next: Transition | None = Goto.NEXT_STEP


@dataclass(frozen=True)
class PassState(_State):
    """Passes its input on, shaped by Parameters, or a constant result."""

    kind: ClassVar[str] = "pass"
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
class ChoiceState(_State):
    """Goes to the first rule that matches, else to the default."""

    kind: ClassVar[str] = "choice"
    rules: tuple[ChoiceRule, ...]
    default: Transition | None = None


@dataclass(frozen=True)
class FailState(_State):
    """Stops the execution with an error; each of error and cause is a constant or a path (`*_path`)."""

    kind: ClassVar[str] = "fail"
    error: str | None = None
    error_path: str | None = None
    cause: str | None = None
    cause_path: str | None = None


@dataclass(frozen=True)
class SucceedState(_State):
    """Ends the execution (or its branch) successfully."""

    kind: ClassVar[str] = "succeed"


@dataclass(frozen=True)
class ParallelState(_Handled):
    """Branches run side by side; each branch's states are linked within it."""

    kind: ClassVar[str] = "parallel"
    branches: tuple[tuple[StatePlan, ...], ...]
    result_selector: Mapping[str, Any] | None
    result_path: str | None


@dataclass(frozen=True)
class MapState(_Handled):
    """An inline Map: the processor's states run once per item of the list at `items_path`."""

    kind: ClassVar[str] = "map"
    items_path: str
    item_selector: Mapping[str, Any]
    max_concurrency: int
    processor: tuple[StatePlan, ...]
    result_path: str | None
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
    """A field of a machine's execution input and its JSON Schema."""

    name: str
    schema: Mapping[str, Any]


@dataclass(frozen=True)
class MachinePlan:
    """One state machine, its states linked, ready to render."""

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
    """Every machine of a spec and the target they run in."""

    spec: Spec
    target: Target
    machines: tuple[MachinePlan, ...]
    # For aws-sdk calls asl-gen has no IAM row for: state name -> the ARNs the spec declares the call acts on.
    declared_resources: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def declare(declared: dict[str, tuple[str, ...]], state: str, arns: Sequence[str]) -> None:
    """Add `arns` to what `state` declares it acts on, each once, in the order first given."""
    known = declared.get(state, ())
    declared[state] = known + tuple(arn for arn in arns if arn not in known)
