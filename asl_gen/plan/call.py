"""The call family: any Step Functions service integration, with the parameters the spec writes.

Imports: integrations, spec
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from asl_gen.integrations import find, task_resource
from asl_gen.plan.model import StatePlan, TaskState, declare
from asl_gen.spec import CallJob, call_inputs, result_slot, state_name_of

if TYPE_CHECKING:
    from asl_gen.plan.machine import MachineBuilder


def call(builder: MachineBuilder, key: str, job: CallJob) -> list[StatePlan]:
    """One Task calling the integration; the ARNs it declares are kept for the IAM policy."""
    for input_name in call_inputs(job):
        builder.plain_inputs.setdefault(input_name, key)
    integration = find(job.resource)
    resource = (
        task_resource(builder.target.partition, integration, job.suffix)
        if integration is not None
        else f"arn:{builder.target.partition}:states:::{job.resource}{job.suffix}"
    )
    own = state_name_of(key, job)
    if job.resources is not None:
        declare(builder.declared, own, job.resources)
    task = TaskState(
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
    return [task]
