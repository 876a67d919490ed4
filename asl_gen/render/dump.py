"""The bytes asl-gen writes: canonical JSON (2-space indent, UTF-8 as is, final newline) and block-style YAML.

Imports: nothing from asl_gen
"""

from __future__ import annotations

import json
from typing import Any

import yaml


def dump(document: Any) -> str:
    """The canonical bytes asl-gen writes: 2-space indent, UTF-8 as is, final newline."""
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


class _YamlDumper(yaml.SafeDumper):
    """Block style throughout; multi-line strings (a DefinitionString) as literal blocks a reviewer can read."""


def _represent_string(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # A literal block cannot hold trailing spaces on a line or tabs faithfully; those strings stay quoted.
    block = "\n" in value and not any(line != line.rstrip() for line in value.splitlines()) and "\t" not in value
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if block else None)


_YamlDumper.add_representer(str, _represent_string)


def dump_file(path: str, document: Any) -> str:
    """The bytes of a generated file: YAML for a `.yaml` path (a CloudFormation template), else canonical JSON."""
    if path.endswith(".yaml"):
        return yaml.dump(
            document, Dumper=_YamlDumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=120
        )
    return dump(document)
