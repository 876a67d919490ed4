"""The Terraform module around the generated files: the context `templates/terraform/*.j2` read, and the checks
that the module reads only files the build writes and names only state machines the trust policy allows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from asl_gen import placeholders
from asl_gen.plan import ProjectPlan
from asl_gen.targets.shared import Report, RoleFiles, machine_settings, placeholders_in, registries, roles

TERRAFORM = "terraform"
TERRAFORM_MAIN = "terraform/main.tf.json"
TERRAFORM_VARIABLES = "terraform/variables.tf.json"
TERRAFORM_OUTPUTS = "terraform/outputs.tf.json"
TERRAFORM_FILES = (TERRAFORM_MAIN, TERRAFORM_VARIABLES, TERRAFORM_OUTPUTS)
# How Terraform reads a generated file from the module folder (out/<project>/terraform/).
_FILE_CALL = re.compile(r'file\("\$\{path\.module\}/\.\./([^"]+)"\)')


def hcl_literal(value: str) -> str:
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
    for settings in machine_settings(plan):
        ident = terraform_identifier(settings["key"])
        logging = settings["logging"]
        machines.append(
            {
                **settings,
                "id": ident,
                "name": hcl_literal(settings["name"]),
                "definition": _read(settings["file"], documents),
                "log_group_arn": f"${{aws_cloudwatch_log_group.{ident}.arn}}:*",
                "logging": None if logging is None else {**logging, "log_group": hcl_literal(logging["log_group"])},
                "alias": None if settings["alias"] is None else hcl_literal(settings["alias"]),
                "arn": f"${{aws_sfn_state_machine.{ident}.arn}}",
                "version_arn": f"${{aws_sfn_state_machine.{ident}.state_machine_version_arn}}",
                "alias_arn": f"${{aws_sfn_alias.{ident}.arn}}",
            }
        )
    used = placeholders_in(documents.values())
    tables = registries(plan, used)
    # What the module must know to fill the placeholders, each from a variable or else the provider.
    open_account = placeholders.ACCOUNT in used
    open_partition = bool(used & {placeholders.PARTITION, placeholders.DNS_SUFFIX})
    open_region = placeholders.REGION in used or bool(tables)
    values = {
        placeholders.PARTITION: "${local.partition}",
        placeholders.REGION: "${local.region}",
        placeholders.ACCOUNT: "${local.account_id}",
        placeholders.DNS_SUFFIX: '${local.partition == "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com"}',
        **{name: f"${{local.registries.{name}[local.region]}}" for name in tables},
    }
    return {
        **roles(plan, role, documents, hcl_literal, lambda path: _read(path, documents)),
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
        "registries": tables,
        "machines": machines,
    }


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


def check_module(documents: Mapping[str, Any], trusted: set[str], problem: Report) -> None:
    """Report through `problem(path, message, pointer)` what is wrong with the module's files among `documents`."""
    for path in TERRAFORM_FILES:
        if path in documents and not isinstance(documents[path], dict):
            problem(path, "a Terraform JSON file must hold an object", "")
    main = documents.get(TERRAFORM_MAIN)
    if not isinstance(main, dict):
        return
    if "provider" in main:
        problem(TERRAFORM_MAIN, "a module must not configure providers; the root module does", "$.provider")
    for path in sorted({m for d in documents for s in _strings(documents[d]) for m in _FILE_CALL.findall(s)}):
        if path not in documents:
            problem(TERRAFORM_MAIN, f"reads {path!r}, which the build does not write", "")
    machines = main.get("resource", {}).get("aws_sfn_state_machine", {})
    for ident, machine in machines.items():
        name = machine.get("name") if isinstance(machine, dict) else None
        if name not in trusted:
            problem(
                TERRAFORM_MAIN,
                f"state machine name {name!r} is not one the trust policy allows",
                f"$.resource.aws_sfn_state_machine.{ident}.name",
            )
