"""Trust policies: who may assume the Step Functions role and the SageMaker execution role."""

from __future__ import annotations

from typing import Any

from asl_gen.plan import ProjectPlan

STATES_PRINCIPAL = "states.amazonaws.com"
SAGEMAKER_PRINCIPAL = "sagemaker.amazonaws.com"


def trust_policy_context(plan: ProjectPlan) -> dict[str, Any]:
    """Trust for the Step Functions role, limited to this account and these state machines."""
    return {
        "sid": "AllowStepFunctionsToAssumeRole",
        "service": STATES_PRINCIPAL,
        "account": plan.target.account,
        "source_arns": [arn for machine in plan.machines for arn in _callers(plan, machine.key, machine.arn)],
    }


def _callers(plan: ProjectPlan, key: str, arn: str) -> list[str]:
    """The ARNs a machine's executions may name: its own, and for a published machine its qualified ones.

    Step Functions authorizes a version or alias by the unqualified ARN, but an execution started through one
    runs as that version or alias; `name:*` keeps the trust on this machine's own qualifiers either way.
    """
    settings = plan.spec.state_machines[key]
    return [arn, f"{arn}:*"] if settings.publish else [arn]


def sagemaker_trust_policy_context(plan: ProjectPlan) -> dict[str, Any]:
    """Trust for the SageMaker execution role: SageMaker, acting for this account only.

    aws:SourceArn is left out on purpose: which ARN SageMaker reports differs by job type and feature
    (training job, endpoint, notebook), and a condition on a key the service does not send denies the role.
    """
    return {
        "sid": "AllowSageMakerToAssumeRole",
        "service": SAGEMAKER_PRINCIPAL,
        "account": plan.target.account,
        "source_arns": [],
    }
