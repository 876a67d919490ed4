"""Findings: the public `Finding`, the drafts the rule families collect, and the words they share.

A rule family reports a `Draft` (or an `Issue`, when it only needs the common fields); `to_problems` drops what the
schema already said, removes repeats, locates each finding by line and column when a `lines` map is given, and
sorts them. The helpers below word messages the same way everywhere (quoting, "did you mean", JSON type names).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from asl_gen.errors import Problem, pointer_of

PathPart = str | int
Path = tuple[PathPart, ...]
# Names the object at a path for messages ("a Task state", "a retrier", "the policy").
ContextFn = Callable[[object, Path], str]


@dataclass(frozen=True)
class Finding(Problem):
    """A Problem from the validator, with a stable rule id (see RULES) and a severity ("error" or "warning")."""

    rule: str = ""
    severity: str = "error"

    def format(self) -> str:
        text = super().format()
        if self.severity == "error":
            return text
        location = self.location()
        return f"{location}: {self.severity}:{text[len(location) + 1 :]}"

    def as_dict(self) -> dict[str, object]:
        return {**super().as_dict(), "rule": self.rule, "severity": self.severity}


@dataclass(frozen=True)
class Issue:
    """What a whole-definition check (workflow, variables, placeholders) reports: a Draft's common fields."""

    path: Path
    message: str
    hint: str | None
    rule: str
    severity: str = "error"
    leaf: bool = False


@dataclass
class Draft:
    """A finding before it is located; the schema pass and the state rules fill the fields they know."""

    path: Path
    message: str
    hint: str | None = None
    # A semantic finding about a single value; dropped when the schema already reported that exact location.
    leaf: bool = False
    from_schema: bool = False
    # Set on unknown-field findings: the known field the unknown one most likely misspells.
    suggestion: str | None = None
    # Set on missing-field findings: the fields whose absence was reported.
    missing: tuple[str, ...] = ()
    # A stable id from RULES; schema findings get theirs from the JSON Schema keyword that failed.
    rule: str = ""
    severity: str = "error"

    @classmethod
    def of(cls, issue: Issue) -> Draft:
        return cls(issue.path, issue.message, issue.hint, leaf=issue.leaf, rule=issue.rule, severity=issue.severity)


def locate(path: Path, lines: Mapping[str, tuple[int, int]] | None) -> tuple[int | None, int | None]:
    # An unknown or missing field has no mark of its own in the source; its nearest located ancestor is close.
    if not lines:
        return None, None
    for end in range(len(path), -1, -1):
        mark = lines.get(pointer_of(path[:end]))
        if mark is not None:
            return mark
    return None, None


def to_problems(
    findings: list[Draft], source: str | None, lines: Mapping[str, tuple[int, int]] | None
) -> list[Problem]:
    schema_paths = {f.path for f in findings if f.from_schema}
    kept = [f for f in findings if f.from_schema or not (f.leaf and f.path in schema_paths)]
    seen: set[tuple[str, str]] = set()
    problems: list[Problem] = []
    for finding in kept:
        pointer = pointer_of(finding.path)
        if (pointer, finding.message) in seen:
            continue
        seen.add((pointer, finding.message))
        line, column = locate(finding.path, lines)
        problems.append(
            Finding(finding.message, source, line, column, pointer, finding.hint, finding.rule, finding.severity)
        )
    return sorted(
        problems,
        key=lambda p: (p.line is None, p.line or 0, p.column or 0, p.pointer, p.message, p.hint or ""),
    )


def close_match(word: str, candidates: Iterable[str]) -> str | None:
    options = sorted(set(candidates))
    for option in options:
        if option.lower() == word.lower():
            return option
    import difflib  # here: only a finding about an unknown word needs it

    matches = difflib.get_close_matches(word, options, n=1, cutoff=0.7)
    return matches[0] if matches else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    match = close_match(word, candidates)
    return f" (did you mean '{match}'?)" if match else ""


def quote_list(names: Sequence[str], conjunction: str = "or") -> str:
    quoted = [f"'{n}'" for n in names]
    if len(quoted) <= 2:
        return f" {conjunction} ".join(quoted)
    return ", ".join(quoted[:-1]) + f" {conjunction} " + quoted[-1]


def short(value: object, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def field_label(path: Path) -> str:
    if not path:
        return "the document"
    last = path[-1]
    if isinstance(last, int):
        parent = path[-2] if len(path) > 1 else ""
        return f"'{parent}[{last}]'"
    return f"'{last}'"


_QUERY_LANGUAGE_HINTS = {
    "Parameters": "use 'Arguments'",
    "ResultSelector": "shape the result in 'Output' with $states.result",
    "ResultPath": "use 'Output' (or 'Assign') with $states.result",
    "InputPath": "read $states.input inside 'Arguments' or 'Output'",
    "OutputPath": "use 'Output'",
    "Result": "use 'Output'",
    "ItemsPath": "use 'Items'",
    "Arguments": "use 'Parameters'",
    "Output": "use 'ResultSelector', 'ResultPath' or 'OutputPath'",
    "Items": "use 'ItemsPath'",
}


def _query_language_hint(field_name: str, language: str) -> str:
    if field_name in _QUERY_LANGUAGE_HINTS:
        return _QUERY_LANGUAGE_HINTS[field_name]
    if language == "JSONPath" and field_name.endswith("Path"):
        return f"put a JSONata expression in '{field_name.removesuffix('Path')}' instead"
    return f"use the {'JSONata' if language == 'JSONPath' else 'JSONPath'} equivalent"


def query_language_field(path: Path, language: str, inherited: str = "") -> Draft:
    field_name = str(path[-1])
    other = "JSONata" if language == "JSONPath" else "JSONPath"
    return Draft(
        path,
        f"'{field_name}' is a {language} field, but this state uses {other}{inherited}",
        _query_language_hint(field_name, language),
        rule="query-language-field",
    )


def as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []
