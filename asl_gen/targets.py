"""Deployable infrastructure around the generated files: a Terraform module and a CloudFormation template.

The contexts here feed `templates/terraform/*.j2` and `templates/cloudformation/template.json.j2`; the checks
prove what no schema can: each file a target reads is one the build writes, every state machine carries a name
the trust policy allows, and the template embeds exactly the documents written beside it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from asl_gen.errors import Problem
from asl_gen.plan import ProjectPlan
from asl_gen.render import dump

TERRAFORM = "terraform"
CLOUDFORMATION = "cloudformation"
TARGETS = (TERRAFORM, CLOUDFORMATION)

TERRAFORM_MAIN = "terraform/main.tf.json"
TERRAFORM_VARIABLES = "terraform/variables.tf.json"
TERRAFORM_OUTPUTS = "terraform/outputs.tf.json"
CLOUDFORMATION_TEMPLATE = "cloudformation/template.json"


@dataclass(frozen=True)
class RoleFiles:
    """Where the build writes the Step Functions role's documents, relative to `out/<project>/`."""

    trust: str
    policy: str
    # The policy for the existing SageMaker execution role; absent from the policies when no job uses that role.
    sagemaker_policy: str


# Where Step Functions' vended logs go; CloudWatch Logs resource policies for log delivery stay small under it.
LOG_GROUP_PREFIX = "/aws/vendedlogs/states/"
# How Terraform reads a generated file from the module folder (out/<project>/terraform/).
_FILE_CALL = re.compile(r'\$\{file\("\$\{path\.module\}/\.\./([^"]+)"\)\}')


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
        context = {"module": terraform_context(plan, role, role.sagemaker_policy in policies)}
        documents[TERRAFORM_MAIN] = render("terraform/main.tf.json.j2", context)
        documents[TERRAFORM_VARIABLES] = render("terraform/variables.tf.json.j2", context)
        documents[TERRAFORM_OUTPUTS] = render("terraform/outputs.tf.json.j2", context)
    if CLOUDFORMATION in wanted:
        documents[CLOUDFORMATION_TEMPLATE] = render(
            "cloudformation/template.json.j2", {"stack": cloudformation_context(plan, definitions, policies, role)}
        )
    return documents


def _settings(plan: ProjectPlan) -> list[dict[str, Any]]:
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


def _hcl_literal(value: str) -> str:
    """A literal for Terraform's JSON syntax, where every string is a template: `${` and `%{` are escaped."""
    return value.replace("${", "$${").replace("%{", "%%{")


def terraform_identifier(key: str) -> str:
    """A resource name for a machine key: hyphens become underscores; a leading digit gets a leading '_'."""
    name = key.replace("-", "_")
    return f"_{name}" if name[0].isdigit() else name


def _file_call(path: str) -> str:
    return '${file("${path.module}/../' + path + '")}'


def _role_name(arn: str) -> str:
    """The name of the role an IAM role ARN names (its path left out)."""
    return arn.rsplit("/", 1)[-1]


def terraform_context(plan: ProjectPlan, role: RoleFiles, has_sagemaker_policy: bool) -> dict[str, Any]:
    """What the Terraform templates read: literals escaped, `file()` calls and references spelled out."""
    machines = []
    for settings in _settings(plan):
        ident = terraform_identifier(settings["key"])
        logging = settings["logging"]
        machines.append(
            {
                **settings,
                "id": ident,
                "name": _hcl_literal(settings["name"]),
                "definition": _file_call(settings["file"]),
                "log_group_arn": f"${{aws_cloudwatch_log_group.{ident}.arn}}:*",
                "logging": None if logging is None else {**logging, "log_group": _hcl_literal(logging["log_group"])},
                "alias": None if settings["alias"] is None else _hcl_literal(settings["alias"]),
                "arn": f"${{aws_sfn_state_machine.{ident}.arn}}",
                "version_arn": f"${{aws_sfn_state_machine.{ident}.state_machine_version_arn}}",
                "alias_arn": f"${{aws_sfn_alias.{ident}.arn}}",
            }
        )
    return {
        "project": _hcl_literal(plan.spec.project),
        "role_name": _hcl_literal(plan.spec.roles.stepfunctions.name),
        "policy_name": _hcl_literal(f"{plan.spec.project}-stepfunctions"),
        "trust_policy": _file_call(role.trust),
        "policy": _file_call(role.policy),
        "sagemaker": None
        if not has_sagemaker_policy
        else {
            "role_name": _hcl_literal(_role_name(plan.spec.roles.sagemaker.arn)),
            "policy_name": _hcl_literal(f"{plan.spec.project}-sagemaker"),
            "policy": _file_call(role.sagemaker_policy),
        },
        "machines": machines,
    }


def cloudformation_identifier(key: str, taken: set[str]) -> str:
    """A logical ID stem for a machine key: CamelCase of its parts, numbered if two keys would collide."""
    stem = "".join(part[:1].upper() + part[1:] for part in key.split("-"))
    candidate, n = stem, 2
    while candidate in taken:
        candidate, n = f"{stem}{n}", n + 1
    taken.add(candidate)
    return candidate


def cloudformation_context(
    plan: ProjectPlan, definitions: Mapping[str, Any], policies: Mapping[str, Any], role: RoleFiles
) -> dict[str, Any]:
    """What the CloudFormation template reads: the documents themselves, and a logical ID per machine."""
    taken = {"StepFunctionsRole", "SageMakerRolePolicy"}
    machines = []
    for settings in _settings(plan):
        ident = cloudformation_identifier(settings["key"], taken)
        machines.append(
            {
                **settings,
                "id": ident,
                # The exact bytes of <key>.asl.json: the deployed definition is the committed file, not a re-dump.
                "definition_string": dump(definitions[settings["file"]]),
            }
        )
    return {
        "project": plan.spec.project,
        "role_name": plan.spec.roles.stepfunctions.name,
        "policy_name": f"{plan.spec.project}-stepfunctions",
        "trust_policy": policies[role.trust],
        "policy": policies[role.policy],
        "sagemaker": None
        if role.sagemaker_policy not in policies
        else {
            "role_name": _role_name(plan.spec.roles.sagemaker.arn),
            "policy_name": f"{plan.spec.project}-sagemaker",
            "policy": policies[role.sagemaker_policy],
        },
        "machines": machines,
    }


# ---------------------------------------------------------------------------------------------------------
# Checks


def _strings(node: Any) -> Iterable[str]:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _trusted_names(trust: Any) -> set[str]:
    """The state machine names the Step Functions trust policy lets assume the role."""
    names: set[str] = set()
    for statement in trust.get("Statement", []) if isinstance(trust, dict) else []:
        arns = statement.get("Condition", {}).get("ArnLike", {}).get("aws:SourceArn", [])
        for arn in [arns] if isinstance(arns, str) else arns:
            names.add(str(arn).rsplit(":stateMachine:", 1)[-1])
    return names


def check_documents(documents: Mapping[str, Any], spec_file: str, role: RoleFiles) -> list[Problem]:
    """Problems in the target documents among `documents` (all the generated JSON, path → parsed)."""
    problems: list[Problem] = []
    trusted = _trusted_names(documents.get(role.trust))

    def problem(path: str, message: str, pointer: str = "") -> None:
        problems.append(Problem(message, file=f"{path} (from {spec_file})", pointer=pointer))

    for path in (TERRAFORM_MAIN, TERRAFORM_VARIABLES, TERRAFORM_OUTPUTS):
        if path in documents and not isinstance(documents[path], dict):
            problem(path, "a Terraform JSON file must hold an object")
    main = documents.get(TERRAFORM_MAIN)
    if isinstance(main, dict):
        if "provider" in main:
            problem(TERRAFORM_MAIN, "a module must not configure providers; the root module does", "$.provider")
        for path in sorted({m for d in documents for s in _strings(documents[d]) for m in _FILE_CALL.findall(s)}):
            if path not in documents:
                problem(TERRAFORM_MAIN, f"reads {path!r}, which the build does not write")
        machines = main.get("resource", {}).get("aws_sfn_state_machine", {})
        for ident, machine in machines.items():
            name = machine.get("name") if isinstance(machine, dict) else None
            if name not in trusted:
                problem(
                    TERRAFORM_MAIN,
                    f"state machine name {name!r} is not one the trust policy allows",
                    f"$.resource.aws_sfn_state_machine.{ident}.name",
                )
    template = documents.get(CLOUDFORMATION_TEMPLATE)
    if CLOUDFORMATION_TEMPLATE in documents:
        resources = template.get("Resources") if isinstance(template, dict) else None
        if not isinstance(resources, dict) or not resources:
            problem(CLOUDFORMATION_TEMPLATE, "a CloudFormation template needs Resources", "$.Resources")
            resources = {}
        definitions = {dump(documents[p]) for p in documents if p.endswith(".asl.json")}
        parameters = template.get("Parameters", {}) if isinstance(template, dict) else {}
        known = {*resources, *(parameters if isinstance(parameters, dict) else {})}
        for logical, resource in resources.items():
            where = f"$.Resources.{logical}"
            kind = resource.get("Type") if isinstance(resource, dict) else None
            if not isinstance(kind, str):
                problem(CLOUDFORMATION_TEMPLATE, "every resource needs a Type", where)
                continue
            properties = resource.get("Properties", {})
            for ref in _references(resource):
                if ref not in known:
                    problem(
                        CLOUDFORMATION_TEMPLATE,
                        f"refers to {ref!r}, which is neither a resource nor a parameter",
                        where,
                    )
            if kind == "AWS::StepFunctions::StateMachine":
                if properties.get("StateMachineName") not in trusted:
                    problem(
                        CLOUDFORMATION_TEMPLATE,
                        f"state machine name {properties.get('StateMachineName')!r} is not one the trust policy allows",
                        f"{where}.Properties.StateMachineName",
                    )
                text = properties.get("DefinitionString")
                if not isinstance(text, str) or text not in definitions:
                    problem(
                        CLOUDFORMATION_TEMPLATE,
                        "DefinitionString is not the text of a generated definition",
                        f"{where}.Properties.DefinitionString",
                    )
            if kind == "AWS::IAM::RolePolicy" and properties.get("PolicyDocument") != documents.get(
                role.sagemaker_policy
            ):
                problem(
                    CLOUDFORMATION_TEMPLATE,
                    f"PolicyDocument differs from {role.sagemaker_policy}",
                    f"{where}.Properties.PolicyDocument",
                )
            if kind == "AWS::IAM::Role":
                if properties.get("AssumeRolePolicyDocument") != documents.get(role.trust):
                    problem(
                        CLOUDFORMATION_TEMPLATE,
                        f"AssumeRolePolicyDocument differs from {role.trust}",
                        f"{where}.Properties.AssumeRolePolicyDocument",
                    )
                embedded = [p.get("PolicyDocument") for p in properties.get("Policies", [])]
                if embedded != [documents.get(role.policy)]:
                    problem(
                        CLOUDFORMATION_TEMPLATE,
                        f"Policies differ from {role.policy}",
                        f"{where}.Properties.Policies",
                    )
        for section in ("Conditions", "Outputs"):
            entries = template.get(section, {}) if isinstance(template, dict) else {}
            for name, entry in entries.items() if isinstance(entries, dict) else ():
                for ref in _references(entry):
                    if ref not in known:
                        problem(
                            CLOUDFORMATION_TEMPLATE,
                            f"refers to {ref!r}, which is neither a resource nor a parameter",
                            f"$.{section}.{name}",
                        )
    return problems


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


def chosen(spec_targets: Sequence[str], override: Sequence[str] | None) -> tuple[str, ...]:
    """The targets to write: the command line's when it names any (`none` for none), else the spec's."""
    if override is None:
        return tuple(t for t in TARGETS if t in spec_targets)
    return tuple(t for t in TARGETS if t in override)
