"""Rows for calls to Step Functions itself: nested executions and task-token callbacks."""

from __future__ import annotations

from asl_gen.integrations.model import (
    ALL_PATTERNS,
    SYNC,
    SYNC2,
    ArnParam,
    Grant,
    Integration,
    action_of,
    events_rule,
    sdk,
)
from asl_gen.integrations.references import here, itself, reference

_STATE_MACHINE_NAME = r"(?P<name>[A-Za-z0-9_-]{1,80})(?::(?P<qualifier>[A-Za-z0-9_-]{1,80}))?"
# Step Functions authorises a version or alias against the unqualified state machine ARN, and names its
# executions after the state machine alone.
_state_machine = reference(
    "states", "stateMachine:", _STATE_MACHINE_NAME, lambda head, m: (f"{head}stateMachine:{m['name']}",), bare=False
)
_executions = reference(
    "states", "stateMachine:", _STATE_MACHINE_NAME, lambda head, m: (f"{head}execution:{m['name']}:*",), bare=False
)
_execution = reference(
    "states", "", r"(?:execution|express):[A-Za-z0-9_-]{1,80}(?:/[A-Za-z0-9_-]{1,80})?:[A-Za-z0-9_:-]{1,160}",
    itself, bare=False,
)  # fmt: skip
STATE_MACHINE = ArnParam("StateMachineArn", _state_machine, here("states", "stateMachine:*"))
EXECUTIONS = ArnParam("StateMachineArn", _executions, here("states", "execution:*"))
EXECUTION = ArnParam("ExecutionArn", _execution, here("states", "execution:*"))
TASK_TOKEN_WHY = "task-token callbacks name no resource (the token does); IAM accepts only '*' for them"

STATE_MACHINE_SYNC = frozenset({SYNC, SYNC2})

OPTIMIZED: tuple[Integration, ...] = (
    Integration(
        "states",
        "startExecution",
        ALL_PATTERNS,
        (
            Grant(("states:StartExecution",), (STATE_MACHINE,)),
            Grant(("states:DescribeExecution", "states:StopExecution"), (EXECUTIONS,), patterns=STATE_MACHINE_SYNC),
            events_rule("StepFunctionsExecutionRule", STATE_MACHINE_SYNC),
        ),
        required=("StateMachineArn",),
    ),
)


def _on(api: str, resource: ArnParam) -> Integration:
    """`aws-sdk:sfn:<api>` on the state machine or execution the request names."""
    return sdk("sfn", api, (Grant((action_of("states", api),), (resource,)),), (resource.parameter,))


def _callback(api: str, required: tuple[str, ...]) -> Integration:
    """A task-token callback: IAM knows no resource for it."""
    grant = Grant((action_of("states", api),), ("*",), unscoped_because=TASK_TOKEN_WHY)
    return sdk("sfn", api, (grant,), required)


SDK: tuple[Integration, ...] = (
    _on("startExecution", STATE_MACHINE),
    _on("startSyncExecution", STATE_MACHINE),
    _on("describeExecution", EXECUTION),
    _on("stopExecution", EXECUTION),
    _callback("sendTaskSuccess", ("Output", "TaskToken")),
    _callback("sendTaskFailure", ("TaskToken",)),
    _callback("sendTaskHeartbeat", ("TaskToken",)),
)
