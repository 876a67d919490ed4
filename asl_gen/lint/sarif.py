"""Findings as SARIF 2.1.0, the format code-scanning tools (GitHub, GitLab, IDEs) show inline.

One run, tool `asl-gen` with every rule of `RULES`; one result per finding with its rule, level, message, the
file and 1-based line/column when known, and the JSON pointer as a logical location and in `properties`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath
from urllib.parse import quote

from asl_gen import __version__
from asl_gen.errors import Problem
from asl_gen.lint.rules import RULES, WARNING_RULES

__all__ = ["INPUT_ERROR", "SARIF_SCHEMA", "SARIF_VERSION", "sarif_document"]

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/asl-gen/asl-gen"
# A problem that did not come from a validator rule: an unreadable file, bad YAML, an internal error.
INPUT_ERROR = "input-error"

_ALL_RULES = {**RULES, INPUT_ERROR: "The file could not be read or parsed, or asl-gen failed on it"}
_RULE_INDEX = {rule: index for index, rule in enumerate(_ALL_RULES)}


def _uri(file: str) -> str:
    # SARIF wants a URI reference: forward slashes, reserved characters escaped, relative to the run's root.
    return quote(PurePath(file).as_posix(), safe="/:@!$&'()*+,;=-._~")


def _result(problem: Problem) -> dict[str, object]:
    rule = str(getattr(problem, "rule", "") or INPUT_ERROR)
    rule = rule if rule in _RULE_INDEX else INPUT_ERROR
    severity = str(getattr(problem, "severity", "error"))
    text = problem.message + (f" ({problem.hint})" if problem.hint else "")
    result: dict[str, object] = {
        "ruleId": rule,
        "ruleIndex": _RULE_INDEX[rule],
        "level": "warning" if severity == "warning" else "error",
        "message": {"text": text},
    }
    location: dict[str, object] = {}
    if problem.file:
        physical: dict[str, object] = {"artifactLocation": {"uri": _uri(problem.file)}}
        if problem.line is not None:
            region: dict[str, int] = {"startLine": problem.line}
            if problem.column is not None:
                region["startColumn"] = problem.column
            physical["region"] = region
        location["physicalLocation"] = physical
    if problem.pointer:
        location["logicalLocations"] = [{"fullyQualifiedName": problem.pointer, "kind": "member"}]
    if location:
        result["locations"] = [location]
    properties: dict[str, str] = {}
    if problem.pointer:
        properties["pointer"] = problem.pointer
    if problem.hint:
        properties["hint"] = problem.hint
    if properties:
        result["properties"] = properties
    return result


def sarif_document(problems: Sequence[Problem]) -> dict[str, object]:
    """A SARIF 2.1.0 log of `problems` (plain Problems, e.g. a file that does not parse, count as input-error)."""
    rules = [
        {
            "id": rule,
            "name": "".join(part.capitalize() for part in rule.split("-")),
            "shortDescription": {"text": description},
            "defaultConfiguration": {"level": "warning" if rule in WARNING_RULES else "error"},
        }
        for rule, description in _ALL_RULES.items()
    ]
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "asl-gen",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [_result(p) for p in problems],
            }
        ],
    }
