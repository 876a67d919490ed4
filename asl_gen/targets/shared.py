"""What both targets read the same way: where the role documents are, each machine's deployment settings, the
placeholders the documents use and the registry tables that fill them, and the names the trust policy allows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from asl_gen import catalog, placeholders
from asl_gen.plan import ProjectPlan
from asl_gen.spec import ProcessingJob

# How a check reports a problem: `report(path, message, pointer)`.
Report = Callable[[str, str, str], None]


@dataclass(frozen=True)
class RoleFiles:
    """Where the build writes the Step Functions role's documents, relative to `out/<project>/`."""

    trust: str
    policy: str
    # The SageMaker execution role's policy and trust; absent from the documents when no job uses that role.
    sagemaker_policy: str
    sagemaker_trust: str


# Where Step Functions' vended logs go; CloudWatch Logs resource policies for log delivery stay small under it.
LOG_GROUP_PREFIX = "/aws/vendedlogs/states/"


def machine_settings(plan: ProjectPlan) -> list[dict[str, Any]]:
    """Each machine's deployment settings, in plan order."""
    machines = []
    for machine in plan.machines:
        spec = plan.spec.state_machines[machine.key]
        logging = spec.logging if spec.logging is not None and spec.logging.level != "OFF" else None
        machines.append(
            {
                "key": machine.key,
                "name": machine.name,
                "file": f"{machine.key}.asl.json",
                "type": spec.type,
                "logging": None
                if logging is None
                else {
                    "level": logging.level,
                    "include_execution_data": logging.include_execution_data,
                    "retention_days": logging.retention_days,
                    "log_group": LOG_GROUP_PREFIX + machine.name,
                },
                "tracing": spec.tracing,
                "kms_key": spec.kms_key,
                "publish": spec.publish,
                "alias": spec.alias,
            }
        )
    return machines


def placeholders_in(documents: Iterable[Any]) -> set[str]:
    """The names of the placeholders any of `documents` uses."""
    return set().union(*(placeholders.names_in(document) for document in documents))


def registries(plan: ProjectPlan, used: set[str]) -> dict[str, dict[str, str]]:
    """Placeholder → region → registry account, for the built-in algorithms and framework images the output names.

    Framework images share a placeholder per repository; where jobs use several versions of one repository, the
    table keeps the regions that offer all of them (the accounts of a repository are the same in every version).
    """
    tables: dict[str, dict[str, str]] = {}
    for job in plan.spec.jobs.values():
        algorithm = getattr(job, "algorithm", None)
        if algorithm is not None:
            name = placeholders.registry_name(algorithm.name)
            if name in used:
                tables[name] = dict(sorted(catalog.registries(algorithm.name, algorithm.version).items()))
        if isinstance(job, ProcessingJob):
            image = job.framework_image()
            if image is None:
                continue
            name = placeholders.registry_name(image.placeholder_key)
            if name in used:
                table = dict(image.registries)
                if name in tables:
                    table = {region: account for region, account in tables[name].items() if region in table}
                tables[name] = dict(sorted(table.items()))
    return dict(sorted(tables.items()))


def trusted_names(trust: Any) -> set[str]:
    """The state machine names the Step Functions trust policy lets assume the role."""
    names: set[str] = set()
    for statement in trust.get("Statement", []) if isinstance(trust, dict) else []:
        arns = statement.get("Condition", {}).get("ArnLike", {}).get("aws:SourceArn", [])
        for arn in [arns] if isinstance(arns, str) else arns:
            names.add(str(arn).rsplit(":stateMachine:", 1)[-1])
    return names


def roles(
    plan: ProjectPlan,
    role: RoleFiles,
    documents: Mapping[str, Any],
    literal: Callable[[str], str],
    embed: Callable[[str], Any],
) -> dict[str, Any]:
    """The roles part of a target's context; `literal` spells a name, `embed` the document written at a path."""
    sagemaker_role = plan.spec.roles.sagemaker
    return {
        "project": literal(plan.spec.project),
        "role_name": literal(plan.spec.roles.stepfunctions.name),
        "policy_name": literal(f"{plan.spec.project}-stepfunctions"),
        "trust_policy": embed(role.trust),
        "policy": embed(role.policy),
        "sagemaker": None
        if role.sagemaker_policy not in documents
        else {
            "create": sagemaker_role.create,
            "role_name": literal(sagemaker_role.role_name),
            "policy_name": literal(f"{plan.spec.project}-sagemaker"),
            "policy": embed(role.sagemaker_policy),
            "trust_policy": embed(role.sagemaker_trust),
        },
    }
