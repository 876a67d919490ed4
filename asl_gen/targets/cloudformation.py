"""The CloudFormation template around the generated files: the context `templates/cloudformation/template.json.j2`
reads, with each placeholder filled by `DefinitionSubstitutions` or `Fn::Sub`, and the checks that the template
embeds exactly the documents written beside it and refers only to what it declares.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from asl_gen import placeholders
from asl_gen.plan import ProjectPlan
from asl_gen.render import dump
from asl_gen.targets.shared import Report, RoleFiles, machine_settings, placeholders_in, registries, roles

CLOUDFORMATION = "cloudformation"
CLOUDFORMATION_TEMPLATE = "cloudformation/template.json"
CLOUDFORMATION_YAML = "cloudformation/template.yaml"
CLOUDFORMATION_TEMPLATES = (CLOUDFORMATION_TEMPLATE, CLOUDFORMATION_YAML)
# The mapping CloudFormation reads a built-in algorithm's registry account from, by region.
REGISTRY_MAPPING = "AlgorithmRegistries"


def cloudformation_identifier(key: str, taken: set[str]) -> str:
    """A logical ID stem for a machine key: CamelCase of its parts, numbered if two keys would collide."""
    stem = "".join(part[:1].upper() + part[1:] for part in key.split("-"))
    candidate, n = stem, 2
    while candidate in taken:
        candidate, n = f"{stem}{n}", n + 1
    taken.add(candidate)
    return candidate


def cloudformation_path(plan: ProjectPlan) -> str:
    """Where the template goes: JSON unless the spec asks for YAML."""
    return CLOUDFORMATION_YAML if plan.spec.cloudformation_format == "yaml" else CLOUDFORMATION_TEMPLATE


def _cloudformation_value(name: str) -> dict[str, Any]:
    """What fills a placeholder in a stack: a pseudo parameter, or the region's row of the registry mapping."""
    pseudo = {
        placeholders.PARTITION: "AWS::Partition",
        placeholders.REGION: "AWS::Region",
        placeholders.ACCOUNT: "AWS::AccountId",
        placeholders.DNS_SUFFIX: "AWS::URLSuffix",
    }
    if name in pseudo:
        return {"Ref": pseudo[name]}
    return {"Fn::FindInMap": [REGISTRY_MAPPING, {"Ref": "AWS::Region"}, name]}


def substitutions(document: Any) -> dict[str, Any]:
    """`DefinitionSubstitutions` for a definition: each placeholder it uses and what fills it."""
    return {name: _cloudformation_value(name) for name in sorted(placeholders.names_in(document))}


def substituted(document: Any) -> Any:
    """A policy for a template: each string with placeholders becomes `Fn::Sub` filling them, the rest as is."""
    if isinstance(document, str):
        used = placeholders.names_in(document)
        if not used:
            return document
        # Fn::Sub would also read any other ${...}; `${!` keeps such text literal.
        text = re.sub(r"\$\{(?!(?:" + "|".join(sorted(used)) + r")\})", "${!", document)
        return {"Fn::Sub": [text, substitutions(document)]}
    if isinstance(document, dict):
        return {key: substituted(value) for key, value in document.items()}
    if isinstance(document, list):
        return [substituted(item) for item in document]
    return document


def unsubstituted(node: Any) -> Any:
    """The document `substituted` was given: what the checks compare with the written file."""
    if isinstance(node, dict):
        sub = node.get("Fn::Sub")
        if len(node) == 1 and isinstance(sub, list) and sub and isinstance(sub[0], str):
            return sub[0].replace("${!", "${")
        return {key: unsubstituted(value) for key, value in node.items()}
    if isinstance(node, list):
        return [unsubstituted(item) for item in node]
    return node


def cloudformation_context(
    plan: ProjectPlan, definitions: Mapping[str, Any], policies: Mapping[str, Any], role: RoleFiles
) -> dict[str, Any]:
    """What the CloudFormation template reads: the documents themselves, and a logical ID per machine."""
    taken = {"StepFunctionsRole", "SageMakerRole", "SageMakerRolePolicy"}
    machines = []
    for settings in machine_settings(plan):
        ident = cloudformation_identifier(settings["key"], taken)
        definition = definitions[settings["file"]]
        machines.append(
            {
                **settings,
                "id": ident,
                # The exact bytes of <key>.asl.json: the deployed definition is the committed file, not a re-dump.
                "definition_string": dump(definition),
                "substitutions": substitutions(definition),
                # cfn-lint's E3601 reads a Task's Resource against a pattern that starts `arn:aws:`, so it flags
                # every other partition and the ${Partition} placeholder; the ASL is validated by the build.
                "lint_ignore": [] if plan.target.partition == "aws" else ["E3601"],
            }
        )
    used = placeholders_in([*definitions.values(), *policies.values()])
    mapping: dict[str, dict[str, str]] = {}
    for name, table in registries(plan, used).items():
        for region, account in table.items():
            mapping.setdefault(region, {})[name] = account
    return {
        **roles(plan, role, policies, str, lambda path: substituted(policies[path])),
        "mappings": {REGISTRY_MAPPING: dict(sorted(mapping.items()))} if mapping else {},
        "machines": machines,
    }


def check_template(
    path: str,
    documents: Mapping[str, Any],
    role: RoleFiles,
    trusted: set[str],
    problem: Report,
) -> None:
    """Report through `problem(path, message, pointer)` dangling references, and documents that differ from the
    files."""
    template = documents[path]

    # The policies as the stack deploys them, before CloudFormation fills their placeholders.
    policy_of = {"SageMakerRole": role.sagemaker_policy, "StepFunctionsRole": role.policy}
    trust_of = {"SageMakerRole": role.sagemaker_trust, "StepFunctionsRole": role.trust}
    resources = template.get("Resources") if isinstance(template, dict) else None
    if not isinstance(resources, dict) or not resources:
        problem(path, "a CloudFormation template needs Resources", "$.Resources")
        resources = {}
    definitions = {dump(documents[p]): documents[p] for p in documents if p.endswith(".asl.json")}
    parameters = template.get("Parameters", {}) if isinstance(template, dict) else {}
    known = {*resources, *(parameters if isinstance(parameters, dict) else {})}
    for logical, resource in resources.items():
        where = f"$.Resources.{logical}"
        kind = resource.get("Type") if isinstance(resource, dict) else None
        if not isinstance(kind, str):
            problem(path, "every resource needs a Type", where)
            continue
        properties = resource.get("Properties", {})
        _check_references(resource, known, path, where, problem)
        if kind == "AWS::StepFunctions::StateMachine":
            if properties.get("StateMachineName") not in trusted:
                problem(
                    path,
                    f"state machine name {properties.get('StateMachineName')!r} is not one the trust policy allows",
                    f"{where}.Properties.StateMachineName",
                )
            text = properties.get("DefinitionString")
            if not isinstance(text, str) or text not in definitions:
                problem(
                    path,
                    "DefinitionString is not the text of a generated definition",
                    f"{where}.Properties.DefinitionString",
                )
            elif properties.get("DefinitionSubstitutions", {}) != substitutions(definitions[text]):
                problem(
                    path,
                    "DefinitionSubstitutions do not fill exactly the definition's placeholders",
                    f"{where}.Properties.DefinitionSubstitutions",
                )
        if kind == "AWS::IAM::RolePolicy" and unsubstituted(properties.get("PolicyDocument")) != documents.get(
            role.sagemaker_policy
        ):
            problem(
                path,
                f"PolicyDocument differs from {role.sagemaker_policy}",
                f"{where}.Properties.PolicyDocument",
            )
        if kind == "AWS::IAM::Role":
            trust, policy = trust_of.get(logical, role.trust), policy_of.get(logical, role.policy)
            if unsubstituted(properties.get("AssumeRolePolicyDocument")) != documents.get(trust):
                problem(
                    path,
                    f"AssumeRolePolicyDocument differs from {trust}",
                    f"{where}.Properties.AssumeRolePolicyDocument",
                )
            embedded = [unsubstituted(p.get("PolicyDocument")) for p in properties.get("Policies", [])]
            if embedded != [documents.get(policy)]:
                problem(path, f"Policies differ from {policy}", f"{where}.Properties.Policies")
    for section in ("Conditions", "Outputs"):
        entries = template.get(section, {}) if isinstance(template, dict) else {}
        for name, entry in entries.items() if isinstance(entries, dict) else ():
            _check_references(entry, known, path, f"$.{section}.{name}", problem)


def _check_references(node: Any, known: set[str], path: str, pointer: str, problem: Report) -> None:
    for ref in _references(node):
        if ref not in known:
            problem(path, f"refers to {ref!r}, which is neither a resource nor a parameter", pointer)


def _references(node: Any) -> list[str]:
    """Logical IDs named by `Ref` and `Fn::GetAtt` anywhere under `node`."""
    found: list[str] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("Ref"), str) and not item["Ref"].startswith("AWS::"):
                found.append(item["Ref"])
            attribute = item.get("Fn::GetAtt")
            if isinstance(attribute, list) and attribute and isinstance(attribute[0], str):
                found.append(attribute[0])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found
