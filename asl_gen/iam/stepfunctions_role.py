"""The Step Functions role's policy: the needs of every Task of the definitions, and of each machine's own
settings (log delivery, X-Ray tracing, its customer-managed KMS key).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from asl_gen.errors import Problem, ValidationFailure
from asl_gen.iam.statements import Need, Statement, consolidate
from asl_gen.iam.tasks import iter_tasks, needs_of_task
from asl_gen.integrations import Context
from asl_gen.lint.policy import LOG_DELIVERY_ACTIONS, XRAY_ACTIONS
from asl_gen.plan import ProjectPlan


@dataclass(frozen=True)
class MachineAccess:
    """What the role needs beyond the Tasks: the machine's own ARN (Distributed Map), logging, tracing, KMS."""

    arn: str | None = None
    logging: bool = False
    tracing: bool = False
    kms_key: str | None = None


LOG_DELIVERY_WHY = "CloudWatch Logs log-delivery actions have no resource type; IAM accepts only '*' for them"
XRAY_WHY = "X-Ray trace and sampling actions have no resource type; IAM accepts only '*' for them"


def _machine_needs(source: str, access: MachineAccess) -> Iterator[Need]:
    if access.logging:
        for action in LOG_DELIVERY_ACTIONS:
            yield Need(action, "*", "", "DeliverLogs", f"{source}#logging", LOG_DELIVERY_WHY)
    if access.tracing:
        for action in XRAY_ACTIONS:
            yield Need(action, "*", "", "SendTraces", f"{source}#tracing", XRAY_WHY)
    if access.kms_key is not None and access.arn is not None:
        condition = {"StringEquals": {"kms:EncryptionContext:aws:states:stateMachineArn": access.arn}}
        for action in ("kms:Decrypt", "kms:GenerateDataKey"):
            yield Need(
                action, access.kms_key, json.dumps(condition, sort_keys=True), "UseStateMachineKey", f"{source}#kms"
            )


def state_machine_statements(
    definitions: Mapping[str, Mapping[str, Any]],
    target: Context,
    machines: Mapping[str, MachineAccess] | None = None,
    resources: Mapping[str, tuple[str, ...]] | None = None,
) -> list[Statement]:
    """Statements the Step Functions role needs to run every Task of these definitions.

    `definitions` maps a source name (file or state machine) to its parsed definition; `machines` gives
    each source's own ARN and settings; `resources` maps a state name to the ARNs a call asl-gen has no
    row for acts on. Raises `ValidationFailure` naming each state whose call cannot be mapped.
    """
    return consolidate(state_machine_needs(definitions, target, machines, resources))


def state_machine_needs(
    definitions: Mapping[str, Mapping[str, Any]],
    target: Context,
    machines: Mapping[str, MachineAccess] | None = None,
    resources: Mapping[str, tuple[str, ...]] | None = None,
) -> list[Need]:
    """Each (action, resource, condition) some state or setting needs, before statements are merged."""
    needs: list[Need] = []
    problems: list[Problem] = []
    for source, definition in definitions.items():
        access = (machines or {}).get(source, MachineAccess())
        for path, state in iter_tasks(definition):
            for item in needs_of_task(path, state, target, source, access.arn, resources or {}):
                (problems if isinstance(item, Problem) else needs).append(item)  # type: ignore[arg-type]
        needs.extend(_machine_needs(source, access))
    if problems:
        # Two grants reading one bad parameter report it once.
        raise ValidationFailure(list(dict.fromkeys(problems)))
    return needs


def machine_access(plan: ProjectPlan) -> dict[str, MachineAccess]:
    """Each machine's own ARN and the settings that need permissions, keyed like the definitions (`<key>.asl.json`)."""
    access: dict[str, MachineAccess] = {}
    for machine in plan.machines:
        settings = plan.spec.state_machines[machine.key]
        logging = settings.logging is not None and settings.logging.level != "OFF"
        access[f"{machine.key}.asl.json"] = MachineAccess(machine.arn, logging, settings.tracing, settings.kms_key)
    return access
