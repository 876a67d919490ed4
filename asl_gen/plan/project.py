"""The project plan: every state machine of the spec laid out by the machine builder, with its input schema
fields and the ARNs the spec declares for calls asl-gen has no IAM row for.

Imports: spec
"""

from __future__ import annotations

from asl_gen.plan.link import transitions
from asl_gen.plan.machine import MachineBuilder
from asl_gen.plan.model import InputField, MachinePlan, ProjectPlan, declare, target_of
from asl_gen.spec import NOTIFY_STATE, SAGEMAKER_NAME_CHARS, Spec

NAME_SCHEMA = {"type": "string", "minLength": 1, "maxLength": 63, "pattern": SAGEMAKER_NAME_CHARS}
INPUT_TYPES = {"string": "string", "integer": "integer", "number": "number", "boolean": "boolean", "list": "array"}


def plan_project(spec: Spec) -> ProjectPlan:
    """Lay out every state machine of the spec as a linked list of states."""
    target = target_of(spec)
    machines = []
    declared: dict[str, tuple[str, ...]] = {}
    for key, machine in spec.state_machines.items():
        builder = MachineBuilder(spec, target, key, machine)
        states = builder.scope(machine.steps, set(), {})
        if machine.on_failure is not None and any(NOTIFY_STATE in transitions(state) for state in states):
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
            declare(declared, state_name, arns)
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
