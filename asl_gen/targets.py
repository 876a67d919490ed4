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

from asl_gen import catalog, placeholders
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
CLOUDFORMATION_YAML = "cloudformation/template.yaml"
CLOUDFORMATION_TEMPLATES = (CLOUDFORMATION_TEMPLATE, CLOUDFORMATION_YAML)
# The mapping CloudFormation reads a built-in algorithm's registry account from, by region.
REGISTRY_MAPPING = "AlgorithmRegistries"


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
# How Terraform reads a generated file from the module folder (out/<project>/terraform/).
_FILE_CALL = re.compile(r'file\("\$\{path\.module\}/\.\./([^"]+)"\)')


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
        context = {"module": terraform_context(plan, {**definitions, **policies}, role)}
        documents[TERRAFORM_MAIN] = render("terraform/main.tf.json.j2", context)
        documents[TERRAFORM_VARIABLES] = render("terraform/variables.tf.json.j2", context)
        documents[TERRAFORM_OUTPUTS] = render("terraform/outputs.tf.json.j2", context)
    if CLOUDFORMATION in wanted:
        documents[cloudformation_path(plan)] = render(
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
    return 'file("${path.module}/../' + path + '")'


def _read(path: str, documents: Mapping[str, Any]) -> str:
    """A Terraform expression reading a generated file, its placeholders filled from the module's locals."""
    expression = _file_call(path)
    for name in sorted(placeholders.names_in(documents[path])):
        # In a template "$${" is a literal "${": replace() looks for the placeholder's exact text.
        expression = f'replace({expression}, "$${{{name}}}", local.placeholders.{name})'
    return "${" + expression + "}"


def terraform_context(plan: ProjectPlan, documents: Mapping[str, Any], role: RoleFiles) -> dict[str, Any]:
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
                "definition": _read(settings["file"], documents),
                "log_group_arn": f"${{aws_cloudwatch_log_group.{ident}.arn}}:*",
                "logging": None if logging is None else {**logging, "log_group": _hcl_literal(logging["log_group"])},
                "alias": None if settings["alias"] is None else _hcl_literal(settings["alias"]),
                "arn": f"${{aws_sfn_state_machine.{ident}.arn}}",
                "version_arn": f"${{aws_sfn_state_machine.{ident}.state_machine_version_arn}}",
                "alias_arn": f"${{aws_sfn_alias.{ident}.arn}}",
            }
        )
    sagemaker_role = plan.spec.roles.sagemaker
    used: set[str] = set().union(*(placeholders.names_in(doc) for doc in documents.values()))
    registries = _registries(plan, used)
    # What the module must know to fill the placeholders, each from a variable or else the provider.
    open_account = placeholders.ACCOUNT in used
    open_partition = bool(used & {placeholders.PARTITION, placeholders.DNS_SUFFIX})
    open_region = placeholders.REGION in used or bool(registries)
    values = {
        placeholders.PARTITION: "${local.partition}",
        placeholders.REGION: "${local.region}",
        placeholders.ACCOUNT: "${local.account_id}",
        placeholders.DNS_SUFFIX: '${local.partition == "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com"}',
        **{name: f"${{local.registries.{name}[local.region]}}" for name in registries},
    }
    return {
        "project": _hcl_literal(plan.spec.project),
        "role_name": _hcl_literal(plan.spec.roles.stepfunctions.name),
        "policy_name": _hcl_literal(f"{plan.spec.project}-stepfunctions"),
        "trust_policy": _read(role.trust, documents),
        "policy": _read(role.policy, documents),
        "sagemaker": None
        if role.sagemaker_policy not in documents
        else {
            "create": sagemaker_role.create,
            "role_name": _hcl_literal(sagemaker_role.role_name),
            "policy_name": _hcl_literal(f"{plan.spec.project}-sagemaker"),
            "policy": _read(role.sagemaker_policy, documents),
            "trust_policy": _read(role.sagemaker_trust, documents),
        },
        "open": {"account": open_account, "region": open_region, "partition": open_partition},
        "data_sources": [
            source
            for source, wanted in (
                ("aws_caller_identity", open_account),
                ("aws_partition", open_partition),
                ("aws_region", open_region),
            )
            if wanted
        ],
        "placeholders": sorted(used),
        "placeholder_values": {name: values[name] for name in used},
        "registries": registries,
        "machines": machines,
    }


def _registries(plan: ProjectPlan, used: set[str]) -> dict[str, dict[str, str]]:
    """Placeholder → region → registry account, for the built-in algorithms whose images the output names."""
    tables: dict[str, dict[str, str]] = {}
    for job in plan.spec.jobs.values():
        algorithm = getattr(job, "algorithm", None)
        if algorithm is None:
            continue
        name = placeholders.registry_name(algorithm.name)
        if name in used:
            tables[name] = dict(sorted(catalog.registries(algorithm.name, algorithm.version).items()))
    return dict(sorted(tables.items()))


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
    for settings in _settings(plan):
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
    sagemaker_role = plan.spec.roles.sagemaker
    used: set[str] = set().union(*(placeholders.names_in(doc) for doc in [*definitions.values(), *policies.values()]))
    registries = _registries(plan, used)
    mapping: dict[str, dict[str, str]] = {}
    for name, table in registries.items():
        for region, account in table.items():
            mapping.setdefault(region, {})[name] = account
    return {
        "project": plan.spec.project,
        "role_name": plan.spec.roles.stepfunctions.name,
        "policy_name": f"{plan.spec.project}-stepfunctions",
        "trust_policy": substituted(policies[role.trust]),
        "policy": substituted(policies[role.policy]),
        "sagemaker": None
        if role.sagemaker_policy not in policies
        else {
            "create": sagemaker_role.create,
            "role_name": sagemaker_role.role_name,
            "policy_name": f"{plan.spec.project}-sagemaker",
            "policy": substituted(policies[role.sagemaker_policy]),
            "trust_policy": substituted(policies[role.sagemaker_trust]),
        },
        "mappings": {REGISTRY_MAPPING: dict(sorted(mapping.items()))} if mapping else {},
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
    for path in CLOUDFORMATION_TEMPLATES:
        if path in documents:
            problems.extend(_check_template(path, documents, spec_file, role, trusted))
    return problems


def _check_template(
    path: str, documents: Mapping[str, Any], spec_file: str, role: RoleFiles, trusted: set[str]
) -> list[Problem]:
    """Problems in a CloudFormation template: dangling references, and documents that differ from the files."""
    problems: list[Problem] = []
    template = documents[path]

    def problem(_: str, message: str, pointer: str = "") -> None:
        problems.append(Problem(message, file=f"{path} (from {spec_file})", pointer=pointer))

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
        for ref in _references(resource):
            if ref not in known:
                problem(
                    path,
                    f"refers to {ref!r}, which is neither a resource nor a parameter",
                    where,
                )
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
            for ref in _references(entry):
                if ref not in known:
                    problem(
                        path,
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
