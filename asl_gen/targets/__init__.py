"""Deployable infrastructure around the generated files: a Terraform module and a CloudFormation template.

`terraform` and `cloudformation` build the contexts `templates/terraform/*.j2` and
`templates/cloudformation/template.json.j2` read, and prove what no schema can: each file a target reads is one the
build writes, every state machine carries a name the trust policy allows, and the template embeds exactly the
documents written beside it. `shared` holds what both read the same way.

Imports: errors, catalog, placeholders, spec, plan, render
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from asl_gen.errors import Problem
from asl_gen.plan import ProjectPlan
from asl_gen.targets import cloudformation, terraform
from asl_gen.targets.cloudformation import (
    CLOUDFORMATION,
    CLOUDFORMATION_TEMPLATE,
    CLOUDFORMATION_TEMPLATES,
    CLOUDFORMATION_YAML,
    cloudformation_context,
    cloudformation_identifier,
    cloudformation_path,
)
from asl_gen.targets.shared import RoleFiles, trusted_names
from asl_gen.targets.terraform import (
    TERRAFORM,
    TERRAFORM_FILES,
    TERRAFORM_MAIN,
    TERRAFORM_OUTPUTS,
    TERRAFORM_VARIABLES,
    terraform_context,
    terraform_identifier,
)

__all__ = [
    "CLOUDFORMATION",
    "CLOUDFORMATION_TEMPLATE",
    "CLOUDFORMATION_TEMPLATES",
    "CLOUDFORMATION_YAML",
    "TARGETS",
    "TERRAFORM",
    "TERRAFORM_MAIN",
    "TERRAFORM_OUTPUTS",
    "TERRAFORM_VARIABLES",
    "RoleFiles",
    "check_documents",
    "chosen",
    "cloudformation_identifier",
    "cloudformation_path",
    "documents_for",
    "terraform_identifier",
]

TARGETS = (TERRAFORM, CLOUDFORMATION)


def documents_for(
    targets: Iterable[str],
    plan: ProjectPlan,
    definitions: Mapping[str, Any],
    policies: Mapping[str, Any],
    render: Callable[[str, Mapping[str, Any]], Any],
    role: RoleFiles,
) -> dict[str, Any]:
    """The target documents asked for, path → parsed document; `render(template, context)` renders and parses."""
    wanted = set(targets)
    documents: dict[str, Any] = {}
    if TERRAFORM in wanted:
        module = {"module": terraform_context(plan, {**definitions, **policies}, role)}
        for path in TERRAFORM_FILES:
            documents[path] = render(f"{path}.j2", module)
    if CLOUDFORMATION in wanted:
        stack = {"stack": cloudformation_context(plan, definitions, policies, role)}
        documents[cloudformation_path(plan)] = render("cloudformation/template.json.j2", stack)
    return documents


def check_documents(documents: Mapping[str, Any], spec_file: str, role: RoleFiles) -> list[Problem]:
    """Problems in the target documents among `documents` (all the generated JSON, path → parsed)."""
    problems: list[Problem] = []
    trusted = trusted_names(documents.get(role.trust))

    def problem(path: str, message: str, pointer: str) -> None:
        problems.append(Problem(message, file=f"{path} (from {spec_file})", pointer=pointer))

    terraform.check_module(documents, trusted, problem)
    for path in CLOUDFORMATION_TEMPLATES:
        if path in documents:
            cloudformation.check_template(path, documents, role, trusted, problem)
    return problems


def chosen(spec_targets: Sequence[str], override: Sequence[str] | None) -> tuple[str, ...]:
    """The targets to write: the command line's when it names any (`none` for none), else the spec's."""
    if override is None:
        return tuple(t for t in TARGETS if t in spec_targets)
    return tuple(t for t in TARGETS if t in override)
