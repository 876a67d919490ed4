"""CloudFormation `DefinitionSubstitutions`-style `${Name}` placeholders in an ASL definition.

A definition deployed through CloudFormation (`DefinitionSubstitutions`) or Terraform (`templatefile`) may hold
`${Partition}`, `${Region}`, `${AccountId}` or `${TrainFunctionArn}` where AWS later sees a literal. To validate it
before deployment, each placeholder inside a longer string is replaced by a stand-in of the right shape (a
partition, a region, an account id or a plain name), so `arn:${Partition}:lambda:${Region}:${AccountId}:function:f`
is checked as an ARN. A placeholder outside `allowed` is reported once, then treated the same way, so it does not
also fail the check of the value around it. A value that is nothing but a placeholder is left as it is and
reported as opaque, because nothing can be known about it (it may become a number, an ARN or a state's name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from asl_gen.lint.findings import Issue, Path

__all__ = ["PLACEHOLDER", "Substituted", "find_placeholders", "substitute_placeholders"]

# CloudFormation names: letters, digits and `_`, `.`, `:` (`AWS::Region`, `Bucket.Arn`); `${!Literal}` is an escape.
PLACEHOLDER = re.compile(r"\$\{(?P<name>[A-Za-z0-9_][A-Za-z0-9_.:-]*)\}")

# Stand-ins by what the name says it holds; anything else becomes a plain name, valid in ARNs and SageMaker names.
_STAND_INS = (
    ("partition", "aws"),
    ("region", "us-east-1"),
    ("account", "123456789012"),
)
_DEFAULT_STAND_IN = "placeholder"


@dataclass
class Substituted:
    """The definition with stand-ins, the paths of all-placeholder values, and placeholders not allowed."""

    document: object
    opaque: frozenset[Path]
    issues: list[Issue] = field(default_factory=list)


def find_placeholders(text: str) -> list[str]:
    """The placeholder names in `text`, in order."""
    return [m["name"] for m in PLACEHOLDER.finditer(text)]


def _stand_in(name: str) -> str:
    lowered = name.lower()
    for word, value in _STAND_INS:
        if word in lowered:
            return value
    return _DEFAULT_STAND_IN


def substitute_placeholders(doc: object, allowed: frozenset[str] | None = None) -> Substituted:
    """Replace `${Name}` placeholders in string values; `allowed` (None: any name) limits which names count."""
    opaque: set[Path] = set()
    issues: list[Issue] = []

    def visit(value: Any, path: Path) -> Any:
        if isinstance(value, dict):
            return {key: visit(item, (*path, key)) for key, item in value.items()}
        if isinstance(value, list):
            return [visit(item, (*path, index)) for index, item in enumerate(value)]
        if not isinstance(value, str) or "${" not in value:
            return value
        names = find_placeholders(value)
        unknown = [n for n in names if allowed is not None and n not in allowed]
        for name in dict.fromkeys(unknown):
            known = ", ".join(f"${{{n}}}" for n in sorted(allowed or ())) or "none"
            issues.append(
                Issue(
                    path,
                    f"placeholder '${{{name}}}' is not one of the substitutions given ({known})",
                    "add it to the substitutions, or write the literal value",
                    "unknown-placeholder",
                )
            )
        if PLACEHOLDER.fullmatch(value):
            opaque.add(path)
            return value
        return PLACEHOLDER.sub(lambda m: _stand_in(m["name"]), value)

    return Substituted(visit(doc, ()), frozenset(opaque), issues)
