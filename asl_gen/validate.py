"""Validate ASL definitions and IAM policies: JSON Schema first, then the rules no schema can express.

Every check collects findings instead of raising, so one run reports everything that is wrong. Findings are
located by a JSONPath-like pointer (`$.States.Train.Next`, `$.States['Wait 20s'].Seconds`) and, when the caller
passes a `lines` map from a located parser, by line and column.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from asl_gen.errors import Problem, pointer_of
from asl_gen.lint_checks import PATH_FIELDS, extra_checks
from asl_gen.lint_placeholders import substitute_placeholders
from asl_gen.lint_rules import RULES
from asl_gen.resources import load_schema

__all__ = [
    "ACTIONS_WITHOUT_RESOURCES",
    "MACHINE_TYPES",
    "RULES",
    "Finding",
    "validate_definition",
    "validate_document",
    "validate_policy",
]

ASL_SCHEMA = "asl.schema.json"
IAM_POLICY_SCHEMA = "iam-policy.schema.json"

# Actions IAM authorizes only against Resource "*" (checked against parliament's copy of the AWS service
# authorization reference: their resource-type list is empty). One deliberate exception: sagemaker:ListTags does
# support resource-level permissions, but the AWS Step Functions docs and CDK grant it on "*" for every
# SageMaker integration, and Step Functions calls it on resources whose ARNs the definition cannot know.
ACTIONS_WITHOUT_RESOURCES: frozenset[str] = frozenset(
    {
        "cloudwatch:PutMetricData",
        "ec2:DescribeDhcpOptions",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcs",
        "ecr:GetAuthorizationToken",
        "logs:CreateLogDelivery",
        "logs:DeleteLogDelivery",
        "logs:DescribeLogGroups",
        "logs:DescribeResourcePolicies",
        "logs:GetLogDelivery",
        "logs:ListLogDeliveries",
        "logs:PutResourcePolicy",
        "logs:UpdateLogDelivery",
        "batch:DescribeJobs",
        "sagemaker:ListTags",
        "states:ListActivities",
        "states:ListStateMachines",
        # Task-token callbacks name no resource: the token says which task.
        "states:SendTaskFailure",
        "states:SendTaskHeartbeat",
        "states:SendTaskSuccess",
        "sts:GetCallerIdentity",
        "xray:GetSamplingRules",
        "xray:GetSamplingTargets",
        "xray:PutTelemetryRecords",
        "xray:PutTraceSegments",
    }
)
_ACTIONS_WITHOUT_RESOURCES_LOWER = frozenset(action.lower() for action in ACTIONS_WITHOUT_RESOURCES)

PathPart = str | int
Path = tuple[PathPart, ...]
# Names the object at a path for messages ("a Task state", "a retrier", "the policy").
_ContextFn = Callable[[object, Path], str]


# --------------------------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------------------------


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


MACHINE_TYPES = ("STANDARD", "EXPRESS")


def validate_definition(
    doc: object,
    *,
    source: str | None = None,
    lines: Mapping[str, tuple[int, int]] | None = None,
    placeholders: bool | Collection[str] = False,
    machine_type: str = "STANDARD",
    warnings: bool = False,
) -> list[Problem]:
    """Return every problem in an ASL state machine definition (empty when it is valid).

    `placeholders`: accept CloudFormation DefinitionSubstitutions-style `${Name}` values (True: any name; a
    collection: only those names) where a literal is expected. `machine_type`: "STANDARD" or "EXPRESS" (Express
    workflows allow request-response calls only). `warnings`: also return findings of severity "warning"; without
    it only errors come back, so an empty list still means "AWS would accept it".
    """
    if machine_type.upper() not in MACHINE_TYPES:
        raise ValueError(f"machine_type must be one of {', '.join(MACHINE_TYPES)}, not {machine_type!r}")
    opaque: frozenset[Path] = frozenset()
    unknown: list[_Finding] = []
    if placeholders is not False:
        allowed = None if placeholders is True else frozenset(placeholders)
        substituted = substitute_placeholders(doc, allowed)
        doc, opaque = substituted.document, substituted.opaque
        unknown = [_Finding(i.path, i.message, i.hint, rule=i.rule) for i in substituted.issues]
    findings = _schema_findings(doc, ASL_SCHEMA, _asl_context)
    if isinstance(doc, dict):
        findings += _AslChecker(doc).run()
        findings += [
            _Finding(i.path, i.message, i.hint, leaf=i.leaf, rule=i.rule, severity=i.severity)
            for i in extra_checks(doc, machine_type=machine_type.upper())
        ]
    if opaque:
        # A value that is all placeholder is unknown until deployment: nothing can be said about it.
        findings = [f for f in findings if not any(f.path[: len(o)] == o for o in opaque)]
    findings += unknown
    if not warnings:
        findings = [f for f in findings if f.severity == "error"]
    return _to_problems(findings, source, lines)


def validate_policy(
    doc: object,
    *,
    source: str | None = None,
    lines: Mapping[str, tuple[int, int]] | None = None,
    justified: Collection[str] = (),
) -> list[Problem]:
    """Return every problem in an IAM policy document, identity or trust policy (empty when it is valid).

    `justified` names the Sids of statements whose "*" the generator has a recorded reason for (an SMS
    `sns:Publish` has no topic); they are exempt from the scopable-action rule, nothing else.
    """
    findings = _schema_findings(doc, IAM_POLICY_SCHEMA, _iam_context)
    if isinstance(doc, dict):
        findings += _policy_findings(doc, frozenset(justified))
    return _to_problems(findings, source, lines)


def validate_document(
    doc: object,
    *,
    source: str | None = None,
    lines: Mapping[str, tuple[int, int]] | None = None,
    placeholders: bool | Collection[str] = False,
    machine_type: str = "STANDARD",
    warnings: bool = False,
) -> list[Problem]:
    """Validate `doc` as an ASL definition (it has "States") or an IAM policy (it has "Statement")."""
    if isinstance(doc, dict) and "States" in doc:
        return validate_definition(
            doc,
            source=source,
            lines=lines,
            placeholders=placeholders,
            machine_type=machine_type,
            warnings=warnings,
        )
    if isinstance(doc, dict) and "Statement" in doc:
        return validate_policy(doc, source=source, lines=lines)
    finding = _Finding(
        (),
        "the document is neither an ASL state machine (no 'States') nor an IAM policy (no 'Statement')",
        "pass a state machine definition or a policy document",
        rule="document-kind",
    )
    return _to_problems([finding], source, lines)


# --------------------------------------------------------------------------------------------------------------
# Findings and their conversion to Problems
# --------------------------------------------------------------------------------------------------------------


@dataclass
class _Finding:
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


def _locate(path: Path, lines: Mapping[str, tuple[int, int]] | None) -> tuple[int | None, int | None]:
    # An unknown or missing field has no mark of its own in the source; its nearest located ancestor is close.
    if not lines:
        return None, None
    for end in range(len(path), -1, -1):
        mark = lines.get(pointer_of(path[:end]))
        if mark is not None:
            return mark
    return None, None


def _to_problems(
    findings: list[_Finding], source: str | None, lines: Mapping[str, tuple[int, int]] | None
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
        line, column = _locate(finding.path, lines)
        problems.append(
            Finding(finding.message, source, line, column, pointer, finding.hint, finding.rule, finding.severity)
        )
    return sorted(
        problems,
        key=lambda p: (p.line is None, p.line or 0, p.column or 0, p.pointer, p.message, p.hint or ""),
    )


def _close_match(word: str, candidates: Iterable[str]) -> str | None:
    options = sorted(set(candidates))
    for option in options:
        if option.lower() == word.lower():
            return option
    matches = difflib.get_close_matches(word, options, n=1, cutoff=0.7)
    return matches[0] if matches else None


def _did_you_mean(word: str, candidates: Iterable[str]) -> str:
    match = _close_match(word, candidates)
    return f" (did you mean '{match}'?)" if match else ""


def _quote_list(names: Sequence[str], conjunction: str = "or") -> str:
    quoted = [f"'{n}'" for n in names]
    if len(quoted) <= 2:
        return f" {conjunction} ".join(quoted)
    return ", ".join(quoted[:-1]) + f" {conjunction} " + quoted[-1]


def _short(value: object, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _json_type(value: object) -> str:
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


# --------------------------------------------------------------------------------------------------------------
# Schema stage: jsonschema errors rewritten as one readable finding per mistake
# --------------------------------------------------------------------------------------------------------------

_TYPE_WORDS = {
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "an object",
    "array": "an array",
    "null": "null",
}


@functools.cache
def _validator(schema_name: str) -> Draft202012Validator:
    return Draft202012Validator(load_schema(schema_name))


def _resolve(node: Any, root: dict[str, Any]) -> Any:
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/$defs/"):
        node = root["$defs"][node["$ref"].removeprefix("#/$defs/")]
    return node


def _allowed_keys(schema: Any, root: dict[str, Any]) -> set[str]:
    schema = _resolve(schema, root)
    if not isinstance(schema, dict):
        return set()
    keys = set(schema.get("properties", {}))
    for sub in schema.get("allOf", []):
        keys |= _allowed_keys(sub, root)
    return keys


def _accepted_types(schema: Any, root: dict[str, Any]) -> set[str] | None:
    """JSON types a (resolved) subschema can accept, or None when it does not say."""
    schema = _resolve(schema, root)
    if not isinstance(schema, dict):
        return None
    if "type" in schema:
        declared = schema["type"]
        types = {declared} if isinstance(declared, str) else set(declared)
        return types | ({"integer"} if "number" in types else set())
    if "const" in schema:
        return {_json_type(schema["const"])}
    if "enum" in schema:
        return {_json_type(v) for v in schema["enum"]}
    return None


def _describe_schema(schema: Any, root: dict[str, Any]) -> str:
    schema = _resolve(schema, root)
    if isinstance(schema, dict):
        if "title" in schema:
            return str(schema["title"])
        types = _accepted_types(schema, root)
        if types:
            named = types - {"integer"} if "number" in types else types
            return " or ".join(word for kind, word in _TYPE_WORDS.items() if kind in named)
    return "a valid value"


def _type_matches(instance: object, types: set[str] | None) -> bool:
    if types is None:
        return True
    kind = _json_type(instance)
    if kind == "integer":
        return bool(types & {"integer", "number"})
    if kind == "number" and isinstance(instance, float) and instance.is_integer():
        return bool(types & {"integer", "number"})
    return kind in types


def _label(path: Path) -> str:
    if not path:
        return "the document"
    last = path[-1]
    if isinstance(last, int):
        parent = path[-2] if len(path) > 1 else ""
        return f"'{parent}[{last}]'"
    return f"'{last}'"


def _schema_findings(doc: object, schema_name: str, context: _ContextFn) -> list[_Finding]:
    validator = _validator(schema_name)
    root = load_schema(schema_name)
    findings: list[_Finding] = []
    for error in validator.iter_errors(doc):
        findings.extend(_translate(error, root, doc, context))
    for finding in findings:
        finding.from_schema = True
    # A misspelt field also makes the real one look missing; the "did you mean" finding says it all.
    explained = {(f.path[:-1], f.suggestion) for f in findings if f.suggestion}
    return [f for f in findings if not any((f.path, name) in explained for name in f.missing)]


# The rule of a schema finding, by the JSON Schema keyword that failed (when the rewriting did not name one).
_SCHEMA_RULES = {
    "additionalProperties": "unknown-field",
    "unevaluatedProperties": "unknown-field",
    "required": "missing-field",
    "type": "wrong-type",
    "not": "exclusive-fields",
}


def _translate(error: ValidationError, root: dict[str, Any], doc: object, context: _ContextFn) -> list[_Finding]:
    found = _translate_error(error, root, doc, context)
    for finding in found:
        finding.rule = finding.rule or _SCHEMA_RULES.get(str(error.validator), "invalid-value")
    return found


def _translate_error(error: ValidationError, root: dict[str, Any], doc: object, context: _ContextFn) -> list[_Finding]:
    path: Path = tuple(error.absolute_path)
    # jsonschema types these as "Any | Unset"; every error it yields has them set.
    instance: Any = error.instance
    kind: Any = error.validator
    value: Any = error.validator_value
    schema: Any = error.schema
    label = _label(path)

    if kind in ("additionalProperties", "unevaluatedProperties") and isinstance(instance, dict):
        allowed = _allowed_keys(schema, root)
        return [_unknown_field(doc, path, key, allowed, context) for key in instance if key not in allowed]

    if kind == "required" and isinstance(instance, dict):
        return [_missing_field(doc, path, name, instance, context) for name in value if name not in instance]

    if kind in ("oneOf", "anyOf") and _is_required_choice(value):
        return _required_choice(doc, path, kind, value, instance, context)

    if kind in ("oneOf", "anyOf"):
        return _union(error, root, doc, context)

    if kind == "not" and value is True:
        return [_query_language_field(path, str(schema.get("title", "")))]

    if kind == "not" and isinstance(value, dict) and list(value) == ["required"]:
        first, second = value["required"]
        return [
            _Finding(
                path,
                f"{context(doc, path)} cannot have both '{first}' and '{second}'",
                f"keep only one of '{first}' and '{second}'",
                rule="exclusive-fields",
            )
        ]

    if kind == "type":
        expected = [value] if isinstance(value, str) else list(value)
        words = " or ".join(_TYPE_WORDS.get(t, t) for t in expected)
        hint = None
        if path and path[-1] == "Resource" and isinstance(instance, dict):
            hint = "resolve CloudFormation intrinsics (Ref, Fn::GetAtt) first, e.g. with DefinitionSubstitutions"
        return [_Finding(path, f"{label} must be {words}, not {_TYPE_WORDS[_json_type(instance)]}", hint)]

    if kind == "enum":
        options = [str(v) for v in value]
        suggestion = _did_you_mean(instance, options) if isinstance(instance, str) else ""
        if path and path[-1] == "Type" and len(path) >= 3 and path[-3] == "States":
            return [
                _Finding(
                    path,
                    f"unknown state Type {_short(instance)}{suggestion}",
                    "use one of " + ", ".join(options),
                    rule="unknown-state-type",
                )
            ]
        return [_Finding(path, f"{label} is {_short(instance)}, not one of {', '.join(options)}{suggestion}")]

    if kind == "const":
        if path and path[-1] == "End":
            return [
                _Finding(
                    path,
                    "'End' must be true",
                    "to continue to another state, use 'Next' instead of 'End'",
                    rule="invalid-value",
                )
            ]
        return [_Finding(path, f"{label} must be {json.dumps(value)}, not {_short(instance)}")]

    if kind in ("minItems", "minProperties", "minLength") and value == 1:
        what = "must name at least one state" if path and path[-1] == "States" else "must not be empty"
        return [_Finding(path, f"{label} {what}")]

    if kind in ("minimum", "exclusiveMinimum"):
        relation = "at least" if kind == "minimum" else "greater than"
        return [_Finding(path, f"{label} must be {relation} {value}, not {_short(instance)}")]

    if kind in ("maximum", "exclusiveMaximum"):
        relation = "at most" if kind == "maximum" else "less than"
        return [_Finding(path, f"{label} must be {relation} {value}, not {_short(instance)}")]

    if kind == "maxLength":
        return [_Finding(path, f"{label} is longer than {value} characters")]

    if kind == "pattern":
        title = schema.get("title") if isinstance(schema, dict) else None
        wanted = title or f"a string matching {value}"
        if "propertyNames" in error.schema_path:
            return [_Finding(path, f"{_short(instance)} in {label} is not {wanted}")]
        return [_Finding(path, f"{label} must be {wanted}, not {_short(instance)}")]

    return [_Finding(path, f"{label}: {error.message}")]


def _is_required_choice(branches: object) -> bool:
    return isinstance(branches, list) and all(
        isinstance(b, dict) and list(b) == ["required"] and len(b["required"]) == 1 for b in branches
    )


def _required_choice(
    doc: object, path: Path, kind: str, branches: list[dict[str, list[str]]], instance: object, context: _ContextFn
) -> list[_Finding]:
    if not isinstance(instance, dict):
        return []
    names = [b["required"][0] for b in branches]
    present = [n for n in names if n in instance]
    where = context(doc, path)
    if names == ["Next", "End"]:
        if not present:
            return [
                _Finding(
                    path,
                    f"{where} needs 'Next' or 'End'",
                    'add "Next": "<state>" to continue, or "End": true to finish',
                    missing=("Next", "End"),
                    rule="next-or-end",
                )
            ]
        return [
            _Finding(path, f"{where} cannot have both 'Next' and 'End'", "keep only one of them", rule="next-or-end")
        ]
    if not present:
        quantity = "one of" if kind == "oneOf" else "at least one of"
        return [
            _Finding(path, f"{where} needs {quantity} {_quote_list(names)}", missing=tuple(names), rule="missing-field")
        ]
    return [
        _Finding(
            path,
            f"{where} can have only one of {_quote_list(names)}",
            f"found {_quote_list(present, 'and')}",
            rule="exclusive-fields",
        )
    ]


def _union(error: ValidationError, root: dict[str, Any], doc: object, context: _ContextFn) -> list[_Finding]:
    path: Path = tuple(error.absolute_path)
    instance: Any = error.instance
    alternatives: Any = error.validator_value
    branches: list[Any] = list(alternatives)
    by_branch: dict[int, list[ValidationError]] = {}
    for sub in error.context or []:
        by_branch.setdefault(int(sub.relative_schema_path[0]), []).append(sub)
    # Only branches that accept the value's JSON type say anything useful about what is wrong with it.
    matching = [i for i, b in enumerate(branches) if _type_matches(instance, _accepted_types(b, root))]
    # A string that is not "{% … %}" in a field that also takes JSONata: name every alternative instead.
    jsonata_miss = isinstance(instance, str) and any(_is_jsonata_branch(branches[i], root) for i in matching)
    relevant = [e for i in matching for e in by_branch.get(i, [])]
    if relevant and not jsonata_miss:
        if len(matching) == 1:
            found: list[_Finding] = []
            for sub in relevant:
                found.extend(_translate(sub, root, doc, context))
            return found
        return _translate(best_match(relevant), root, doc, context)
    options = " or ".join(_describe_schema(b, root) for b in branches)
    return [_Finding(path, f"{_label(path)} must be {options}, not {_short(instance)}")]


def _is_jsonata_branch(branch: Any, root: dict[str, Any]) -> bool:
    resolved = _resolve(branch, root)
    return isinstance(resolved, dict) and str(resolved.get("title", "")).startswith("a JSONata")


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


def _query_language_field(path: Path, language: str, inherited: str = "") -> _Finding:
    field_name = str(path[-1])
    other = "JSONata" if language == "JSONPath" else "JSONPath"
    return _Finding(
        path,
        f"'{field_name}' is a {language} field, but this state uses {other}{inherited}",
        _query_language_hint(field_name, language),
        rule="query-language-field",
    )


# Fields whose absence is best explained with the reason they exist.
_MISSING_HINTS = {
    "Type": "one of Task, Pass, Choice, Wait, Succeed, Fail, Parallel, Map",
    "Resource": "the ARN of the integration to call, e.g. arn:aws:states:::sagemaker:createTrainingJob.sync",
    "StartAt": "the name of the first state to run",
    "States": "an object of named states",
    "Choices": "a non-empty list of Choice rules",
    "Branches": "a non-empty list of {StartAt, States} branches",
    "ErrorEquals": 'a non-empty list of error names, e.g. ["States.ALL"]',
    "Next": "the name of the state to go to",
    "Version": 'use "2012-10-17"',
}


def _missing_field(doc: object, path: Path, name: str, instance: dict[str, Any], context: _ContextFn) -> _Finding:
    near = _close_match(name, [k for k in instance if isinstance(k, str)])
    found = f" (found '{near}': did you mean '{name}'?)" if near and near != name else ""
    return _Finding(
        path,
        f"{context(doc, path)} is missing '{name}'{found}",
        _MISSING_HINTS.get(name),
        missing=(name,),
        rule="missing-field",
    )


_STATE_TYPES = ("Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")


@functools.cache
def _state_fields() -> dict[str, frozenset[str]]:
    root = load_schema(ASL_SCHEMA)
    return {t: frozenset(_allowed_keys(root["$defs"][t + "State"], root)) for t in _STATE_TYPES}


def _unknown_field(doc: object, path: Path, key: str, allowed: set[str], context: _ContextFn) -> _Finding:
    where = context(doc, path)
    child = (*path, key)
    state_type = _state_type_at(doc, path)
    if state_type == "Choice" and key in ("Next", "End"):
        return _Finding(
            child,
            f"a Choice state cannot have '{key}'",
            "give each rule its own 'Next' and use 'Default' for the no-match case",
            rule="unknown-field",
        )
    if state_type in ("Succeed", "Fail") and key in ("Next", "End"):
        return _Finding(
            child, f"a {state_type} state ends the execution and takes no '{key}'", "remove it", rule="unknown-field"
        )
    if where == "a Choice rule" and key == "End":
        return _Finding(
            child,
            "a Choice rule cannot end the execution",
            "point its 'Next' at a Succeed or Fail state instead",
            rule="unknown-field",
        )
    if where.startswith("a nested Choice rule") and key in ("Next", "Assign", "Output"):
        return _Finding(
            child,
            f"a nested Choice rule (inside And/Or/Not) must not have '{key}'",
            f"put '{key}' on the top-level rule that contains it",
            rule="unknown-field",
        )
    if state_type is not None:
        owners = [t for t, fields in _state_fields().items() if key in fields]
        if owners:
            return _Finding(
                child,
                f"'{key}' is not allowed in a {state_type} state",
                f"it is only valid in {', '.join(owners)} states",
                rule="unknown-field",
            )
    suggestion = _close_match(key, allowed)
    message = f"unknown field '{key}' in {where}"
    if suggestion:
        message += f" (did you mean '{suggestion}'?)"
    return _Finding(child, message, None, suggestion=suggestion, rule="unknown-field")


def _state_type_at(doc: object, path: Path) -> str | None:
    if len(path) >= 2 and path[-2] == "States":
        node = _get(doc, path)
        if isinstance(node, dict) and node.get("Type") in _STATE_TYPES:
            return str(node["Type"])
    return None


def _get(doc: object, path: Path) -> object:
    node = doc
    for part in path:
        if isinstance(node, dict) and isinstance(part, str):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return None
    return node


_ASL_CONTEXTS = {
    "ItemProcessor": "an ItemProcessor",
    "Iterator": "an Iterator",
    "ProcessorConfig": "a ProcessorConfig",
    "ItemReader": "an ItemReader",
    "ReaderConfig": "a ReaderConfig",
    "ItemBatcher": "an ItemBatcher",
    "ResultWriter": "a ResultWriter",
    "WriterConfig": "a WriterConfig",
    "Credentials": "Credentials",
    "Not": "a nested Choice rule (inside Not)",
}


def _asl_context(doc: object, path: Path) -> str:
    if not path:
        return "the state machine"
    last, parent = path[-1], (path[-2] if len(path) > 1 else None)
    if parent == "States" and isinstance(last, str):
        state_type = _state_type_at(doc, path)
        return f"a {state_type} state" if state_type else "a state"
    if isinstance(last, int):
        names = {
            "Branches": "a Parallel branch",
            "Retry": "a retrier",
            "Catch": "a catcher",
            "Choices": "a Choice rule",
            "And": "a nested Choice rule (inside And)",
            "Or": "a nested Choice rule (inside Or)",
        }
        if isinstance(parent, str) and parent in names:
            return names[parent]
    if isinstance(last, str) and last in _ASL_CONTEXTS:
        return _ASL_CONTEXTS[last]
    return _label(path)


def _iam_context(doc: object, path: Path) -> str:
    if not path:
        return "the policy"
    if path[-1] in ("Principal", "NotPrincipal"):
        return "a Principal"
    if path[0] == "Statement" and len(path) <= 2:
        return "a statement"
    return _label(path)


# --------------------------------------------------------------------------------------------------------------
# JSONPath paths and intrinsic functions (JSONPath query language)
# --------------------------------------------------------------------------------------------------------------

_VARIABLE = re.compile(r"[^\W\d]\w*")
_NAME_STOP = set(".[]()'\",") | {" ", "\t", "\n", "\r"}


def _bracket_end(text: str, start: int) -> int:
    """Index just past the ']' that closes the '[' at `start`, or -1."""
    depth, quote, i = 0, "", start
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return -1


def _path_error(text: str, *, reference: bool = False) -> str | None:
    """Say what is wrong with a JSONPath Path (or, with `reference`, a Reference Path); None when it is fine."""
    if not text.startswith("$"):
        if reference:
            return "it must start with '$' (the state input)"
        return "it must start with '$' (the input), '$$' (the context object) or '$name' (a variable)"
    i = 1
    if text.startswith("$$"):
        if reference:
            return "a Reference Path cannot point into the context object ('$$')"
        i = 2
    elif i < len(text) and text[i] not in ".[":
        match = _VARIABLE.match(text, i)
        if match is None:
            return f"'{text[: i + 1]}' is neither '$', '$$' nor a variable name like '$total'"
        if reference:
            return "a Reference Path cannot use a variable (assign variables with 'Assign' instead)"
        i = match.end()
    while i < len(text):
        if text.startswith("..", i):
            if reference:
                return "a Reference Path cannot use '..' (deep scan)"
            i += 2
            if i < len(text) and text[i] == "[":
                continue
            if i < len(text) and text[i] == "*":
                i += 1
                continue
            end = _scan_name(text, i)
            if end == i:
                return f"'..' at position {i - 2} must be followed by a field name, '*' or '['"
            i = end
        elif text[i] == ".":
            i += 1
            if i < len(text) and text[i] == "*":
                if reference:
                    return "a Reference Path cannot use the '*' wildcard"
                i += 1
                continue
            end = _scan_name(text, i)
            if end == i:
                return f"'.' at position {i - 1} must be followed by a field name"
            i = end
        elif text[i] == "[":
            end = _bracket_end(text, i)
            if end < 0:
                return f"the '[' at position {i} is never closed"
            inner = text[i + 1 : end - 1].strip()
            if not inner:
                return f"the '[]' at position {i} is empty"
            if reference and not re.fullmatch(r"\d+|'[^']*'|\"[^\"]*\"", inner):
                return "a Reference Path allows only [index] and ['name'] in brackets"
            i = end
        else:
            return f"unexpected {text[i]!r} at position {i}"
    return None


def _scan_name(text: str, start: int) -> int:
    i = start
    while i < len(text) and text[i] not in _NAME_STOP:
        i += 1
    return i


@dataclass
class _IntrinsicArg:
    kind: str  # "string", "number", "boolean", "null", "path" or "call"
    value: object = None
    placeholders: int = 0  # for strings: the number of unescaped {} pairs
    call: _IntrinsicCall | None = None


@dataclass
class _IntrinsicCall:
    name: str
    args: list[_IntrinsicArg]


class _IntrinsicSyntaxError(Exception):
    pass


# name -> (fewest arguments, most arguments or None for any number)
_INTRINSIC_ARITY: dict[str, tuple[int, int | None]] = {
    "Format": (1, None),
    "StringToJson": (1, 1),
    "JsonToString": (1, 1),
    "Array": (0, None),
    "ArrayPartition": (2, 2),
    "ArrayContains": (2, 2),
    "ArrayRange": (3, 3),
    "ArrayGetItem": (2, 2),
    "ArrayLength": (1, 1),
    "ArrayUnique": (1, 1),
    "Base64Encode": (1, 1),
    "Base64Decode": (1, 1),
    "Hash": (2, 2),
    "JsonMerge": (3, 3),
    "MathRandom": (2, 3),
    "MathAdd": (2, 2),
    "StringSplit": (2, 2),
    "UUID": (0, 0),
}

# Literal argument kinds each position accepts (paths and nested calls are always accepted: their value is only
# known at run time). A missing entry means any literal.
_INTRINSIC_LITERALS: dict[str, tuple[frozenset[str] | None, ...]] = {
    "ArrayPartition": (None, frozenset({"number"})),
    "ArrayRange": (frozenset({"number"}),) * 3,
    "ArrayGetItem": (None, frozenset({"number"})),
    "Base64Encode": (frozenset({"string"}),),
    "Base64Decode": (frozenset({"string"}),),
    "StringToJson": (frozenset({"string"}),),
    "StringSplit": (frozenset({"string"}), frozenset({"string"})),
    "Hash": (None, frozenset({"string"})),
    "MathAdd": (frozenset({"number"}),) * 2,
    "MathRandom": (frozenset({"number"}),) * 3,
    "JsonMerge": (None, None, frozenset({"boolean"})),
}

_HASH_ALGORITHMS = ("MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512")
_STRING_INTRINSICS = frozenset(
    {"Format", "JsonToString", "ArrayGetItem", "Base64Encode", "Base64Decode", "Hash", "UUID"}
)
_MAX_INTRINSIC_NESTING = 10


class _IntrinsicParser:
    _CALL_START = re.compile(r"States\.([A-Za-z0-9]*)\(")
    _NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")
    _KEYWORD = re.compile(r"(true|false|null)(?![\w$])")

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def parse(self) -> _IntrinsicCall:
        call = self._call(1)
        if self.pos != len(self.text):
            raise _IntrinsicSyntaxError(f"unexpected text after the closing ')': {self.text[self.pos :]!r}")
        return call

    def _fail(self, what: str) -> _IntrinsicSyntaxError:
        return _IntrinsicSyntaxError(f"{what} at position {self.pos}")

    def _skip_spaces(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t\n\r":
            self.pos += 1

    def _call(self, depth: int) -> _IntrinsicCall:
        if depth > _MAX_INTRINSIC_NESTING:
            raise self._fail(f"intrinsic functions nest deeper than {_MAX_INTRINSIC_NESTING} levels")
        match = self._CALL_START.match(self.text, self.pos)
        if match is None:
            raise self._fail("expected an intrinsic function call like States.Format(...)")
        call = _IntrinsicCall(match.group(1), [])
        self.pos = match.end()
        self._skip_spaces()
        if self.text.startswith(")", self.pos):
            self.pos += 1
            return call
        while True:
            self._skip_spaces()
            call.args.append(self._argument(depth))
            self._skip_spaces()
            if self.text.startswith(",", self.pos):
                self.pos += 1
            elif self.text.startswith(")", self.pos):
                self.pos += 1
                return call
            else:
                raise self._fail("expected ',' or ')'")

    def _argument(self, depth: int) -> _IntrinsicArg:
        if self.pos >= len(self.text):
            raise self._fail("unexpected end of the expression")
        char = self.text[self.pos]
        if char == "'":
            return self._string()
        if char == "$":
            return self._path()
        if self.text.startswith("States.", self.pos):
            return _IntrinsicArg("call", call=self._call(depth + 1))
        number = self._NUMBER.match(self.text, self.pos)
        if number is not None:
            self.pos = number.end()
            return _IntrinsicArg("number", float(number.group(0)))
        keyword = self._KEYWORD.match(self.text, self.pos)
        if keyword is not None:
            self.pos = keyword.end()
            word = keyword.group(1)
            return _IntrinsicArg("null", None) if word == "null" else _IntrinsicArg("boolean", word == "true")
        raise self._fail(f"unexpected {char!r}; an argument is a 'string', a number, true/false/null, a path or a call")

    def _string(self) -> _IntrinsicArg:
        start = self.pos
        self.pos += 1
        chars: list[str] = []
        placeholders = 0
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == "\\":
                if self.pos + 1 < len(self.text):
                    chars.append(self.text[self.pos + 1])
                self.pos += 2
                continue
            if char == "'":
                self.pos += 1
                return _IntrinsicArg("string", "".join(chars), placeholders)
            if char == "{" and self.text.startswith("{}", self.pos):
                placeholders += 1
            chars.append(char)
            self.pos += 1
        self.pos = start
        raise self._fail("the string starting here is never closed with '")

    def _path(self) -> _IntrinsicArg:
        start, depth, quote = self.pos, 0, ""
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if quote:
                if char == "\\":
                    self.pos += 1
                elif char == quote:
                    quote = ""
            elif char in "'\"" and depth > 0:
                quote = char
            elif char == "[":
                depth += 1
            elif char == "]":
                depth -= 1
            elif depth == 0 and char in ",)":
                break
            self.pos += 1
        text = self.text[start : self.pos].rstrip()
        problem = _path_error(text)
        if problem:
            raise _IntrinsicSyntaxError(f"the path {text!r} is not valid: {problem}")
        return _IntrinsicArg("path", text)


def _intrinsic_error(text: str, *, allowed: frozenset[str] | None = None) -> str | None:
    """Say what is wrong with an intrinsic function expression, or return None."""
    try:
        call = _IntrinsicParser(text).parse()
    except _IntrinsicSyntaxError as exc:
        return str(exc)
    if allowed is not None and call.name in _INTRINSIC_ARITY and call.name not in allowed:
        return f"States.{call.name} does not return a string; use one of " + ", ".join(
            f"States.{n}" for n in sorted(allowed)
        )
    return _check_call(call)


def _check_call(call: _IntrinsicCall) -> str | None:
    name = call.name
    if name not in _INTRINSIC_ARITY:
        suggestion = _did_you_mean(name, _INTRINSIC_ARITY)
        return f"States.{name} is not an intrinsic function{suggestion}"
    fewest, most = _INTRINSIC_ARITY[name]
    count = len(call.args)
    if count < fewest or (most is not None and count > most):
        expected = str(fewest) if fewest == most else f"{fewest} or more" if most is None else f"{fewest} to {most}"
        return f"States.{name} takes {expected} argument{'s' if expected != '1' else ''}, not {count}"
    literal_kinds = _INTRINSIC_LITERALS.get(name, ())
    for index, arg in enumerate(call.args):
        accepted = literal_kinds[index] if index < len(literal_kinds) else None
        if accepted is not None and arg.kind not in ("path", "call") and arg.kind not in accepted:
            kinds = "/".join(sorted(accepted))
            return f"argument {index + 1} of States.{name} must be a {kinds} or a path, not {arg.kind}"
        if arg.call is not None:
            nested = _check_call(arg.call)
            if nested:
                return nested
    first = call.args[0] if call.args else None
    if name == "Format" and first is not None and first.kind == "string" and first.placeholders != count - 1:
        return f"the States.Format template has {first.placeholders} '{{}}' placeholder(s) but {count - 1} value(s)"
    if name == "JsonMerge" and call.args[2].kind == "boolean" and call.args[2].value is not False:
        return "States.JsonMerge supports only a shallow merge: its third argument must be false"
    if name == "Hash" and call.args[1].kind == "string" and call.args[1].value not in _HASH_ALGORITHMS:
        return f"States.Hash algorithm {call.args[1].value!r} is not one of {', '.join(_HASH_ALGORITHMS)}"
    return None


# --------------------------------------------------------------------------------------------------------------
# JSONata (a syntax check of the 2.x grammar, plus the Step Functions placement rules)
# --------------------------------------------------------------------------------------------------------------


class _JSONataError(Exception):
    pass


@dataclass
class _Token:
    kind: str  # "operator", "string", "number", "value", "name", "variable", "regex" or "end"
    value: str
    position: int


@dataclass
class _Node:
    kind: str
    value: str = ""
    children: list[_Node] = field(default_factory=list)


_JSONATA_OPERATORS_2 = ("..", ":=", "!=", ">=", "<=", "**", "~>", "?:", "??")
_JSONATA_OPERATORS_1 = frozenset(".[]{}(),@#;:?+-*/%|=<>^&!~")
_JSONATA_SPACE = " \t\n\r\v"
_JSONATA_NUMBER = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]+)?([Ee][-+]?[0-9]+)?")
_JSONATA_ESCAPES = frozenset('"\\/bfnrt')


def _jsonata_tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while True:
        while i < len(text) and text[i] in _JSONATA_SPACE:
            i += 1
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise _JSONataError(f"comment at position {i} is never closed")
            i = end + 2
            continue
        if i >= len(text):
            tokens.append(_Token("end", "", i))
            return tokens
        char = text[i]
        previous = tokens[-1] if tokens else None
        # JSONata reads '/' as a regex only where an operand may start, and as division after one.
        operand_before = previous is not None and (previous.kind != "operator" or previous.value in ")]}")
        if char == "/" and not operand_before:
            end = _jsonata_regex_end(text, i)
            tokens.append(_Token("regex", text[i:end], i))
            i = end
            continue
        two = text[i : i + 2]
        if two in _JSONATA_OPERATORS_2:
            tokens.append(_Token("operator", two, i))
            i += 2
            continue
        if char in _JSONATA_OPERATORS_1:
            tokens.append(_Token("operator", char, i))
            i += 1
            continue
        if char in "\"'":
            end = _jsonata_string_end(text, i)
            tokens.append(_Token("string", text[i:end], i))
            i = end
            continue
        number = _JSONATA_NUMBER.match(text, i)
        if number is not None:
            tokens.append(_Token("number", number.group(0), i))
            i = number.end()
            continue
        if char == "`":
            end = text.find("`", i + 1)
            if end < 0:
                raise _JSONataError(f"quoted name at position {i} is never closed with `")
            tokens.append(_Token("name", text[i + 1 : end], i))
            i = end + 1
            continue
        start = i
        while i < len(text) and text[i] not in _JSONATA_SPACE and text[i] not in _JSONATA_OPERATORS_1:
            i += 1
        word = text[start:i]
        if word.startswith("$"):
            tokens.append(_Token("variable", word[1:], start))
        elif word in ("and", "or", "in"):
            tokens.append(_Token("operator", word, start))
        elif word in ("true", "false", "null"):
            tokens.append(_Token("value", word, start))
        else:
            tokens.append(_Token("name", word, start))


def _jsonata_string_end(text: str, start: int) -> int:
    quote, i = text[start], start + 1
    while i < len(text):
        char = text[i]
        if char == "\\":
            escape = text[i + 1 : i + 2]
            if escape == "u":
                if not re.fullmatch(r"[0-9a-fA-F]{4}", text[i + 2 : i + 6]):
                    raise _JSONataError(f"bad \\u escape at position {i}")
                i += 6
                continue
            if escape not in _JSONATA_ESCAPES:
                raise _JSONataError(f"unsupported escape '\\{escape}' at position {i}")
            i += 2
            continue
        if char == quote:
            return i + 1
        i += 1
    raise _JSONataError(f"string at position {start} is never closed")


def _jsonata_regex_end(text: str, start: int) -> int:
    depth, i = 0, start + 1
    while i < len(text):
        char = text[i]
        backslashes = len(text[:i]) - len(text[:i].rstrip("\\"))
        escaped = backslashes % 2 == 1
        if char == "/" and depth == 0 and not escaped:
            if i == start + 1:
                raise _JSONataError(f"empty regular expression at position {start}")
            i += 1
            while i < len(text) and text[i] in "im":
                i += 1
            return i
        if char in "([{" and not escaped:
            depth += 1
        elif char in ")]}" and not escaped:
            depth -= 1
        i += 1
    raise _JSONataError(f"regular expression at position {start} is never closed with /")


# Left binding powers of the infix operators (JSONata's parser table); everything else binds at 0.
_JSONATA_INFIX = {
    ".": 75,
    "[": 80,
    "{": 70,
    "(": 80,
    "@": 80,
    "#": 80,
    "?": 20,
    "+": 50,
    "-": 50,
    "*": 60,
    "/": 60,
    "%": 60,
    "=": 40,
    "<": 40,
    ">": 40,
    "^": 40,
    ":=": 10,
    "!=": 40,
    "<=": 40,
    ">=": 40,
    "~>": 40,
    "?:": 40,
    "??": 40,
    "and": 30,
    "or": 25,
    "in": 40,
    "&": 50,
}


class _JSONataParser:
    """A Pratt parser for the JSONata grammar; it builds just enough of a tree for the placement checks."""

    def __init__(self, text: str) -> None:
        self.tokens = _jsonata_tokens(text)
        self.index = 0

    @property
    def token(self) -> _Token:
        return self.tokens[self.index]

    def parse(self) -> _Node:
        node = self.expression(0)
        if self.token.kind != "end":
            raise self._unexpected()
        return node

    def _unexpected(self) -> _JSONataError:
        token = self.token
        if token.kind == "end":
            return _JSONataError("unexpected end of expression")
        return _JSONataError(f"syntax error: unexpected {token.value!r} at position {token.position}")

    def _is(self, value: str) -> bool:
        return self.token.kind == "operator" and self.token.value == value

    def _advance(self, expected: str | None = None) -> _Token:
        token = self.token
        if expected is not None and not self._is(expected):
            if token.kind == "end":
                raise _JSONataError(f"expected {expected!r} before the end of the expression")
            raise _JSONataError(f"expected {expected!r}, got {token.value!r} at position {token.position}")
        if token.kind != "end":
            self.index += 1
        return token

    def _lbp(self) -> int:
        token = self.token
        return _JSONATA_INFIX.get(token.value, 0) if token.kind == "operator" else 0

    def expression(self, rbp: int) -> _Node:
        token = self._advance()
        left = self._nud(token)
        while rbp < self._lbp():
            left = self._led(self._advance(), left)
        return left

    def _nud(self, token: _Token) -> _Node:
        if token.kind == "end":
            raise _JSONataError("unexpected end of expression")
        if token.kind in ("string", "number", "value", "regex"):
            return _Node("literal" if token.kind != "regex" else "regex", token.value)
        if token.kind == "name":
            return _Node("name", token.value)
        if token.kind == "variable":
            return _Node("variable", token.value)
        symbol = token.value
        if symbol in ("and", "or", "in"):
            return _Node("name", symbol)
        if symbol == "-":
            return _Node("negate", "-", [self.expression(70)])
        if symbol in ("*", "**", "%"):
            return _Node({"*": "wildcard", "**": "descendants", "%": "parent"}[symbol], symbol)
        if symbol == "(":
            block: list[_Node] = []
            while not self._is(")"):
                block.append(self.expression(0))
                if not self._is(";"):
                    break
                self._advance(";")
            self._advance(")")
            return _Node("block", "", block)
        if symbol == "[":
            items: list[_Node] = []
            if not self._is("]"):
                while True:
                    item = self.expression(0)
                    if self._is(".."):
                        self._advance("..")
                        item = _Node("range", "..", [item, self.expression(0)])
                    items.append(item)
                    if not self._is(","):
                        break
                    self._advance(",")
            self._advance("]")
            return _Node("array", "", items)
        if symbol == "{":
            return _Node("object", "", self._pairs())
        if symbol == "|":
            parts = [self.expression(0)]
            self._advance("|")
            parts.append(self.expression(0))
            if self._is(","):
                self._advance(",")
                parts.append(self.expression(0))
            self._advance("|")
            return _Node("transform", "", parts)
        raise _JSONataError(f"{symbol!r} at position {token.position} cannot start an expression")

    def _pairs(self) -> list[_Node]:
        pairs: list[_Node] = []
        if not self._is("}"):
            while True:
                key = self.expression(0)
                self._advance(":")
                pairs.append(_Node("pair", "", [key, self.expression(0)]))
                if not self._is(","):
                    break
                self._advance(",")
        self._advance("}")
        return pairs

    def _led(self, token: _Token, left: _Node) -> _Node:
        symbol = token.value
        if symbol == "(":
            return self._call(left, token)
        if symbol == "[":
            if self._is("]"):
                self._advance("]")
                return _Node("flatten", "[]", [left])
            predicate = self.expression(0)
            self._advance("]")
            return _Node("predicate", "[", [left, predicate])
        if symbol == "{":
            return _Node("group", "{", [left, *self._pairs()])
        if symbol == "^":
            self._advance("(")
            terms = [left]
            while True:
                if self._is("<") or self._is(">"):
                    self._advance()
                terms.append(self.expression(0))
                if not self._is(","):
                    break
                self._advance(",")
            self._advance(")")
            return _Node("sort", "^", terms)
        if symbol == "?":
            parts = [left, self.expression(0)]
            if self._is(":"):
                self._advance(":")
                parts.append(self.expression(0))
            return _Node("condition", "?", parts)
        if symbol == ":=":
            if left.kind != "variable":
                raise _JSONataError(f"the left side of ':=' at position {token.position} must be a $variable")
            return _Node("bind", ":=", [left, self.expression(_JSONATA_INFIX[":="] - 1)])
        if symbol in ("@", "#"):
            right = self.expression(_JSONATA_INFIX[symbol])
            if right.kind != "variable":
                raise _JSONataError(f"'{symbol}' at position {token.position} must be followed by a $variable")
            return _Node("focus", symbol, [left, right])
        right = self.expression(_JSONATA_INFIX[symbol])
        if symbol == "." and right.kind == "literal" and not right.value.startswith(("'", '"')):
            raise _JSONataError(f"the literal {right.value} cannot be a step of a path (position {token.position})")
        return _Node("path" if symbol == "." else "binary", symbol, [left, right])

    def _call(self, callee: _Node, token: _Token) -> _Node:
        args: list[_Node] = []
        if not self._is(")"):
            while True:
                if self._is("?"):
                    self._advance("?")
                    args.append(_Node("placeholder", "?"))
                else:
                    args.append(self.expression(0))
                if not self._is(","):
                    break
                self._advance(",")
        self._advance(")")
        if callee.kind == "name" and callee.value in ("function", "λ"):
            for arg in args:
                if arg.kind != "variable":
                    raise _JSONataError(
                        f"the parameters of the function at position {token.position} must be $variables"
                    )
            if self._is("<"):
                depth = 0
                while True:
                    piece = self._advance()
                    if piece.kind == "end":
                        raise _JSONataError("the function signature is never closed with '>'")
                    if piece.kind == "operator" and piece.value == "<":
                        depth += 1
                    elif piece.kind == "operator" and piece.value == ">":
                        depth -= 1
                        if depth == 0:
                            break
            self._advance("{")
            body = self.expression(0)
            self._advance("}")
            return _Node("lambda", "function", [*args, body])
        return _Node("call", "(", [callee, *args])


def _jsonata_input_references(node: _Node, has_context: bool = False) -> Iterator[str]:
    """Yield the parts of an expression that read the (absent) JSONata input instead of $states or a variable."""
    kind = node.kind
    if kind == "name" and not has_context:
        yield f"the field name '{node.value}'"
    elif kind == "variable" and node.value in ("", "$") and not has_context:
        yield f"'${node.value}'"
    elif kind in ("wildcard", "descendants", "parent") and not has_context:
        yield f"'{node.value}'"
    elif kind in ("path", "predicate", "group", "sort", "focus"):
        first, *rest = node.children
        yield from _jsonata_input_references(first, has_context)
        for child in rest:
            yield from _jsonata_input_references(child, True)
    elif kind in ("lambda", "transform"):
        return
    else:
        for child in node.children:
            yield from _jsonata_input_references(child, has_context)


def _path_steps(node: _Node) -> list[_Node]:
    if node.kind == "path":
        return _path_steps(node.children[0]) + _path_steps(node.children[1])
    return [node]


def _jsonata_states_fields(node: _Node) -> Iterator[str]:
    """Yield X for every `$states.X` the expression reads."""
    if node.kind == "path":
        steps = _path_steps(node)
        if steps[0].kind == "variable" and steps[0].value == "states" and steps[1].kind == "name":
            yield steps[1].value
    for child in node.children:
        yield from _jsonata_states_fields(child)


def _jsonata_called_functions(node: _Node) -> Iterator[str]:
    if node.kind == "call" and node.children[0].kind == "variable":
        yield node.children[0].value
    for child in node.children:
        yield from _jsonata_called_functions(child)


_JSONATA_DELIMITED = re.compile(r"\{%(.*)%\}", re.DOTALL)
_STATES_FIELDS = frozenset({"input", "context", "result", "errorOutput"})


def _jsonata_error(text: str, *, result_allowed: bool, error_output_allowed: bool) -> str | None:
    """Say what is wrong with a "{% … %}" string, or return None. `text` starts with {% or ends with %}."""
    match = _JSONATA_DELIMITED.fullmatch(text)
    if match is None:
        return 'looks like JSONata but is not one whole "{% <expression> %}" string'
    body = match.group(1)
    if not body.strip():
        return "is an empty JSONata expression"
    try:
        tree = _JSONataParser(body).parse()
    except _JSONataError as exc:
        return f"is not valid JSONata: {exc}"
    reference = next(_jsonata_input_references(tree), None)
    if reference is not None:
        return (
            f"reads {reference} from the JSONata input, which Step Functions leaves empty; "
            "start from $states.input, $states.context or a variable"
        )
    if "eval" in _jsonata_called_functions(tree):
        return "calls $eval, which Step Functions does not offer (use $parse)"
    for name in _jsonata_states_fields(tree):
        if name not in _STATES_FIELDS:
            return f"reads $states.{name}, which does not exist ($states has input, context, result, errorOutput)"
        if name == "result" and not result_allowed:
            return "reads $states.result, which exists only in the Output and Assign of Task, Parallel and Map states"
        if name == "errorOutput" and not error_output_allowed:
            return "reads $states.errorOutput, which exists only in a catcher's Output and Assign"
    return None


def _looks_like_jsonata(value: object) -> bool:
    return isinstance(value, str) and (value.startswith("{%") or value.endswith("%}"))


# --------------------------------------------------------------------------------------------------------------
# Semantic checks of a state machine
# --------------------------------------------------------------------------------------------------------------

_STRING_OPERATORS = (
    "StringEquals",
    "StringLessThan",
    "StringGreaterThan",
    "StringLessThanEquals",
    "StringGreaterThanEquals",
)
_NUMERIC_OPERATORS = (
    "NumericEquals",
    "NumericLessThan",
    "NumericGreaterThan",
    "NumericLessThanEquals",
    "NumericGreaterThanEquals",
)
_TIMESTAMP_OPERATORS = (
    "TimestampEquals",
    "TimestampLessThan",
    "TimestampGreaterThan",
    "TimestampLessThanEquals",
    "TimestampGreaterThanEquals",
)
_VALUE_OPERATORS = (*_STRING_OPERATORS, "StringMatches", *_NUMERIC_OPERATORS, "BooleanEquals", *_TIMESTAMP_OPERATORS)
_PATH_OPERATORS = tuple(
    op + "Path" for op in (*_STRING_OPERATORS, *_NUMERIC_OPERATORS, "BooleanEquals", *_TIMESTAMP_OPERATORS)
)
_TYPE_TESTS = ("IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp")
_COMPARISONS = frozenset(_VALUE_OPERATORS + _PATH_OPERATORS + _TYPE_TESTS)
_COMBINATORS = ("And", "Or", "Not")
_RULE_FIELDS = _COMPARISONS | {"Variable", "Next", "Comment", "Assign", "Output", "Condition", *_COMBINATORS}

_BUILTIN_ERRORS = frozenset(
    {
        "States.ALL",
        "States.Timeout",
        "States.HeartbeatTimeout",
        "States.TaskFailed",
        "States.Permissions",
        "States.ResultPathMatchFailure",
        "States.ParameterPathFailure",
        "States.QueryEvaluationError",
        "States.BranchFailed",
        "States.NoChoiceMatched",
        "States.IntrinsicFailure",
        "States.ExceedToleratedFailureThreshold",
        "States.ItemReaderFailed",
        "States.ResultWriterFailed",
        "States.DataLimitExceeded",
        "States.Runtime",
        "States.Http.Socket",
    }
)
# The HTTP Task reports a non-2xx answer as States.Http.StatusCode.<code>.
_HTTP_STATUS_ERROR = re.compile(r"States\.Http\.StatusCode\.\d{3}")

# State-level fields of one query language (the schema covers states that set QueryLanguage themselves).
_JSONPATH_ONLY = (
    "InputPath",
    "OutputPath",
    "Parameters",
    "ResultSelector",
    "ResultPath",
    "Result",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "SecondsPath",
    "TimestampPath",
    "ItemsPath",
    "MaxConcurrencyPath",
    "ToleratedFailureCountPath",
    "ToleratedFailurePercentagePath",
    "ErrorPath",
    "CausePath",
)
_JSONATA_ONLY = ("Arguments", "Output", "Items")
# Fields that take a number (or a timestamp) in JSONPath and may instead hold an expression in JSONata.
_EXPRESSION_VALUED = (
    "TimeoutSeconds",
    "HeartbeatSeconds",
    "Seconds",
    "Timestamp",
    "MaxConcurrency",
    "ToleratedFailureCount",
    "ToleratedFailurePercentage",
    "ItemSelector",
)
_NAME_LIMIT = 80

_PARTITION = r"(?:aws(?:-[a-z]+)*|\$\{[^}]+\})"
_ARN = re.compile(
    r"arn:(?P<partition>[^:]*):(?P<service>[^:]*):(?P<region>[^:]*):(?P<account>[^:]*):(?P<resource>.*)", re.DOTALL
)
_INTEGRATION = re.compile(r"(?P<service>[a-z0-9-]+):(?P<api>[A-Za-z0-9]+)(?P<suffix>\.sync(:2)?|\.waitForTaskToken)?")
_SDK_INTEGRATION = re.compile(r"aws-sdk:[a-z0-9-]+:[A-Za-z0-9]+(?P<suffix>\.[A-Za-z0-9:]+)?")
_LAMBDA_FUNCTION = re.compile(r"function:[A-Za-z0-9_-]{1,64}(:(\$LATEST|[A-Za-z0-9_-]{1,128}))?")


def _pattern_error(key: str, pattern: str) -> str | None:
    """A known integration called with a pattern AWS does not offer for it (`.sync` on createModel).

    A call asl-gen has no row for passes: AWS adds services and APIs faster than any table.
    """
    # Imported here: `integrations` loads the service rows, which the validator needs only for Task resources.
    from asl_gen.integrations import CALLBACK, REQUEST_RESPONSE, SYNC, SYNC2, find

    row = find(key)
    if row is None or pattern in row.patterns:
        return None
    names = [p or "request-response" for p in (REQUEST_RESPONSE, SYNC, SYNC2, CALLBACK) if p in row.patterns]
    supported = names[0] + " only" if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"{key} supports {supported}, not {pattern or 'request-response'}"


def _resource_error(resource: str) -> str | None:
    if resource.startswith("{%"):
        return "'Resource' must be a constant ARN; JSONata is not evaluated there"
    match = _ARN.fullmatch(resource)
    if match is None:
        return f"Resource {resource!r} is not an ARN (arn:<partition>:<service>:<region>:<account>:<resource>)"
    if not re.fullmatch(_PARTITION, match["partition"]):
        return f"Resource {resource!r} has an unknown partition {match['partition']!r} (aws, aws-cn, aws-us-gov, …)"
    service, rest = match["service"], match["resource"]
    if not service or not rest:
        return f"Resource {resource!r} is missing its service or resource part"
    if service == "states" and not match["region"] and not match["account"]:
        sdk = _SDK_INTEGRATION.fullmatch(rest)
        if sdk is not None:
            if sdk["suffix"] not in (None, ".waitForTaskToken"):
                return f"AWS SDK integrations support only request-response and .waitForTaskToken, not {sdk['suffix']}"
            suffix = sdk["suffix"] or ""
            return _pattern_error(rest[: len(rest) - len(suffix)], suffix)
        integration = _INTEGRATION.fullmatch(rest)
        if integration is None:
            example = "arn:aws:states:::sagemaker:createTrainingJob.sync"
            return f"Resource {resource!r} is not a service integration like {example}"
        return _pattern_error(f"{integration['service']}:{integration['api']}", integration["suffix"] or "")
    if service == "lambda" and _LAMBDA_FUNCTION.fullmatch(rest) is None:
        return f"Resource {resource!r} is not a Lambda function ARN (…:function:<name>[:<version or alias>])"
    return None


@dataclass
class _Scope:
    path: Path
    root: dict[str, Any]
    states: dict[str, Any]
    query_language: str | None


class _AslChecker:
    """Semantic checks over a definition whose structure may be partly broken: walk what is walkable."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.findings: list[_Finding] = []
        language = doc.get("QueryLanguage")
        self.top_language = language if language in ("JSONPath", "JSONata") else "JSONPath"
        self.scopes: list[_Scope] = []
        self._collect_scope((), doc, None)
        self.names: dict[str, list[Path]] = {}
        for scope in self.scopes:
            for name in scope.states:
                self.names.setdefault(name, []).append((*scope.path, "States", name))

    def run(self) -> list[_Finding]:
        self._check_names()
        for scope in self.scopes:
            self._check_graph(scope)
            for name, state in scope.states.items():
                if isinstance(state, dict):
                    self._check_state((*scope.path, "States", name), state, scope)
        return self.findings

    def _add(
        self, path: Path, message: str, hint: str | None = None, *, rule: str, leaf: bool = False, warning: bool = False
    ) -> None:
        severity = "warning" if warning else "error"
        self.findings.append(_Finding(path, message, hint, leaf=leaf, rule=rule, severity=severity))

    # ---- structure ----------------------------------------------------------------------------------------

    def _collect_scope(self, path: Path, root: object, inherited: str | None) -> None:
        if not isinstance(root, dict) or not isinstance(root.get("States"), dict):
            return
        language = root.get("QueryLanguage") if root.get("QueryLanguage") in ("JSONPath", "JSONata") else inherited
        self.scopes.append(_Scope(path, root, root["States"], language if path else None))
        for name, state in root["States"].items():
            if not isinstance(state, dict):
                continue
            state_path = (*path, "States", name)
            if state.get("Type") == "Parallel" and isinstance(state.get("Branches"), list):
                for index, branch in enumerate(state["Branches"]):
                    self._collect_scope((*state_path, "Branches", index), branch, language)
            if state.get("Type") == "Map":
                for key in ("ItemProcessor", "Iterator"):
                    self._collect_scope((*state_path, key), state.get(key), language)

    def _check_names(self) -> None:
        for name, paths in self.names.items():
            if len(name) > _NAME_LIMIT:
                for path in paths:
                    self._add(
                        path,
                        f"state name is {len(name)} characters long; the limit is {_NAME_LIMIT}",
                        "shorten the name (and every Next that points to it)",
                        rule="state-name-length",
                    )
            for path in paths[1:]:
                self._add(
                    path,
                    f"state name '{name}' is already used at {pointer_of(paths[0])}",
                    "state names must be unique across the whole definition, nested branches and processors included",
                    rule="duplicate-state-name",
                )

    # ---- graph --------------------------------------------------------------------------------------------

    def _transitions(self, path: Path, state: dict[str, Any]) -> Iterator[tuple[Path, object]]:
        if "Next" in state:
            yield (*path, "Next"), state["Next"]
        if state.get("Type") == "Choice":
            if "Default" in state:
                yield (*path, "Default"), state["Default"]
            for index, rule in enumerate(_list(state.get("Choices"))):
                if isinstance(rule, dict) and "Next" in rule:
                    yield (*path, "Choices", index, "Next"), rule["Next"]
        for index, catcher in enumerate(_list(state.get("Catch"))):
            if isinstance(catcher, dict) and "Next" in catcher:
                yield (*path, "Catch", index, "Next"), catcher["Next"]

    def _scope_name(self, scope: _Scope) -> str:
        if not scope.path:
            return "the top level"
        if "Branches" in scope.path[-2:]:
            return "this Parallel branch"
        return f"this Map {scope.path[-1]}"

    def _check_graph(self, scope: _Scope) -> None:
        states = scope.states
        # A state without its Next/End, or a Next that points nowhere (both already reported), hides edges:
        # a terminal-state or reachability finding would then only add noise.
        incomplete = False
        dangling = False
        near_misses: set[str] = set()

        def target_ok(path: Path, target: object, what: str) -> bool:
            nonlocal dangling
            if not isinstance(target, str):
                return False
            if target in states:
                return True
            dangling = True
            if target in self.names:
                self._add(
                    path,
                    f"{what} '{target}' is not in {self._scope_name(scope)}; it is defined at "
                    f"{pointer_of(self.names[target][0])}",
                    "a transition cannot enter or leave a Parallel branch or a Map processor; "
                    "end the inner scope and continue from the Parallel or Map state's own 'Next'",
                    rule="transition-across-scope",
                )
            else:
                guess = _close_match(target, states)
                if guess:
                    near_misses.add(guess)
                self._add(
                    path,
                    f"{what} '{target}' is not a state in {self._scope_name(scope)}{_did_you_mean(target, states)}",
                    rule="unknown-next-state",
                )
            return False

        start = scope.root.get("StartAt")
        start_ok = target_ok((*scope.path, "StartAt"), start, "StartAt") if "StartAt" in scope.root else False
        edges: dict[str, list[str]] = {}
        has_terminal = False
        for name, state in states.items():
            path = (*scope.path, "States", name)
            if not isinstance(state, dict):
                incomplete = True
                continue
            kind = state.get("Type")
            if state.get("End") is True or kind in ("Succeed", "Fail"):
                has_terminal = True
            if kind not in ("Choice", "Succeed", "Fail") and "Next" not in state and state.get("End") is not True:
                incomplete = True
            if kind == "Choice" and any(isinstance(r, dict) and "Next" not in r for r in _list(state.get("Choices"))):
                incomplete = True
            edges[name] = []
            for field_path, target in self._transitions(path, state):
                what = "Next state"
                if field_path[-1] == "Default":
                    what = "Default state"
                elif len(field_path) >= 3 and field_path[-3] == "Catch":
                    what = "Catch target"
                if target_ok(field_path, target, what):
                    edges[name].append(str(target))

        if not has_terminal and not incomplete and not dangling:
            self._add(
                (*scope.path, "States"),
                f"{_capitalize(self._scope_name(scope))} has no terminal state, so it can never finish",
                'end a path with "End": true, a Succeed state or a Fail state',
                rule="no-terminal-state",
            )
        if not start_ok or incomplete:
            return
        seen = {str(start)}
        queue = [str(start)]
        while queue:
            for target in edges.get(queue.pop(), []):
                if target not in seen:
                    seen.add(target)
                    queue.append(target)
        for name in states:
            if name not in seen and name not in near_misses:
                self._add(
                    (*scope.path, "States", name),
                    f"state '{name}' is unreachable from '{start}'",
                    "point a Next, Default or Catch at it, or remove it",
                    rule="unreachable-state",
                )

    # ---- one state ----------------------------------------------------------------------------------------

    def _language(self, state: dict[str, Any], scope: _Scope) -> tuple[str, bool]:
        explicit = state.get("QueryLanguage")
        if explicit in ("JSONPath", "JSONata"):
            return str(explicit), True
        return scope.query_language or self.top_language, False

    def _check_state(self, path: Path, state: dict[str, Any], scope: _Scope) -> None:
        language, explicit = self._language(state, scope)
        kind = state.get("Type")
        if self.top_language == "JSONata" and language == "JSONPath":
            where = (*path, "QueryLanguage") if explicit else path
            self._add(
                where,
                "a state machine whose top-level QueryLanguage is JSONata cannot contain JSONPath states",
                "convert this state to JSONata, or make the top level JSONPath and mark JSONata states one by one",
                rule="jsonpath-state-in-jsonata-machine",
            )
        if not explicit:
            if scope.query_language:
                inherited = " (from the QueryLanguage of its branch or processor)"
            elif "QueryLanguage" in self.doc:
                inherited = " (from the top-level QueryLanguage)"
            else:
                inherited = " (the default query language)"
            only = _JSONPATH_ONLY if language == "JSONata" else _JSONATA_ONLY
            other = "JSONPath" if language == "JSONata" else "JSONata"
            for key in only:
                if key in state:
                    self.findings.append(_query_language_field((*path, key), other, inherited))
        if language == "JSONPath":
            self._check_jsonpath_state(path, state)
        else:
            self._check_jsonata_state(path, state)
        if kind == "Task" and isinstance(state.get("Resource"), str):
            problem = _resource_error(state["Resource"])
            if problem:
                self._add((*path, "Resource"), problem, leaf=True, rule="task-resource")
        if kind == "Task":
            self._check_timeouts(path, state)
        if kind == "Choice":
            for index, rule in enumerate(_list(state.get("Choices"))):
                if isinstance(rule, dict):
                    self._check_rule((*path, "Choices", index), rule, language, top=True)
        if kind == "Map":
            self._check_map_parts(path, state, language)
        for key in ("Retry", "Catch"):
            self._check_error_handlers((*path, key), _list(state.get(key)))
        self._check_assign_keys(path, state, language)

    def _check_timeouts(self, path: Path, state: dict[str, Any]) -> None:
        timeout, heartbeat = state.get("TimeoutSeconds"), state.get("HeartbeatSeconds")
        if isinstance(timeout, int) and isinstance(heartbeat, int) and heartbeat >= timeout:
            self._add(
                (*path, "HeartbeatSeconds"),
                f"HeartbeatSeconds ({heartbeat}) must be smaller than TimeoutSeconds ({timeout})",
                "a heartbeat that never arrives before the timeout cannot fire",
                rule="heartbeat-timeout",
            )

    # ---- JSONPath states ----------------------------------------------------------------------------------

    def _check_jsonpath_state(self, path: Path, state: dict[str, Any]) -> None:
        for key in PATH_FIELDS:
            self._check_path_value((*path, key), state.get(key), key in state)
        if isinstance(state.get("ResultPath"), str):
            self._check_path_value((*path, "ResultPath"), state["ResultPath"], True, reference=True)
        if state.get("Type") == "Fail":
            for key in ("ErrorPath", "CausePath"):
                if isinstance(state.get(key), str):
                    self._check_dynamic_value((*path, key), state[key], string_only=True)
        for key in ("Parameters", "ResultSelector", "ItemSelector", "Credentials", "Assign"):
            if key in state:
                self._check_payload((*path, key), state[key])
        for key in _EXPRESSION_VALUED:
            if _looks_like_jsonata(state.get(key)) or (key == "ItemSelector" and isinstance(state.get(key), str)):
                self._add(
                    (*path, key),
                    f"'{key}' holds a JSONata expression, but this state uses JSONPath",
                    f'set "QueryLanguage": "JSONata" on the state, or use \'{key}Path\' with a JSONPath path'
                    if key != "ItemSelector"
                    else 'use an object with "key.$": "$.path" entries',
                    rule="query-language-field",
                )
        for index, catcher in enumerate(_list(state.get("Catch"))):
            if not isinstance(catcher, dict):
                continue
            catcher_path = (*path, "Catch", index)
            if "Output" in catcher:
                self.findings.append(_query_language_field((*catcher_path, "Output"), "JSONata"))
            if isinstance(catcher.get("ResultPath"), str):
                self._check_path_value((*catcher_path, "ResultPath"), catcher["ResultPath"], True, reference=True)
            if "Assign" in catcher:
                self._check_payload((*catcher_path, "Assign"), catcher["Assign"])

    def _check_path_value(self, path: Path, value: object, present: bool, *, reference: bool = False) -> None:
        if not present or not isinstance(value, str):
            return
        problem = _path_error(value, reference=reference)
        if problem is None:
            return
        kind = "Reference Path" if reference else "path"
        hint = None
        if value.startswith("States."):
            hint = "intrinsic functions are allowed only in Parameters, ResultSelector, ItemSelector and Assign values"
        self._add(path, f"{_label(path)} is not a valid {kind}: {problem}", hint, leaf=True, rule="path-syntax")

    def _check_dynamic_value(self, path: Path, value: object, *, string_only: bool = False) -> None:
        """A `.$` value (or ErrorPath/CausePath): a path or an intrinsic function call."""
        if not isinstance(value, str):
            self._add(
                path,
                f"{_label(path)} must be a string holding a path or an intrinsic function, not {_json_type(value)}",
                "drop the '.$' suffix from the key to pass a constant",
                leaf=True,
                rule="dynamic-value",
            )
            return
        if value.startswith("$"):
            problem = _path_error(value)
            if problem:
                self._add(path, f"{_label(path)} is not a valid path: {problem}", leaf=True, rule="path-syntax")
            return
        if value.startswith("States."):
            allowed = _STRING_INTRINSICS if string_only else None
            problem = _intrinsic_error(value, allowed=allowed)
            if problem:
                self._add(path, f"{_label(path)}: {problem}", leaf=True, rule="intrinsic-function")
            return
        self._add(
            path,
            f"{_label(path)} must be a path starting with '$' or an intrinsic function like States.Format(…), "
            f"not {_short(value)}",
            "drop the '.$' suffix from the key to pass a constant string",
            leaf=True,
            rule="dynamic-value",
        )

    def _check_payload(self, path: Path, payload: object) -> None:
        if isinstance(payload, list):
            for index, item in enumerate(payload):
                self._check_payload((*path, index), item)
            return
        if not isinstance(payload, dict):
            return
        for key, value in payload.items():
            if key.endswith(".$"):
                plain = key.removesuffix(".$")
                if plain in payload:
                    self._add(
                        (*path, key),
                        f"'{plain}' and '{key}' are both set; after the '.$' is dropped they name the same field",
                        "keep only one of them",
                        rule="duplicate-dynamic-field",
                    )
                self._check_dynamic_value((*path, key), value)
            else:
                self._check_payload((*path, key), value)

    # ---- JSONata states -----------------------------------------------------------------------------------

    def _check_jsonata_state(self, path: Path, state: dict[str, Any]) -> None:
        kind = state.get("Type")
        produces_result = kind in ("Task", "Parallel", "Map")
        for key in ("Arguments", "Items", "ItemSelector", "Credentials", *_EXPRESSION_VALUED, "Error", "Cause"):
            if key in state:
                self._check_expressions((*path, key), state[key])
        for key in ("Output", "Assign"):
            if key in state:
                self._check_expressions((*path, key), state[key], result_allowed=produces_result)
        for index, catcher in enumerate(_list(state.get("Catch"))):
            if not isinstance(catcher, dict):
                continue
            catcher_path = (*path, "Catch", index)
            if "ResultPath" in catcher:
                self.findings.append(_query_language_field((*catcher_path, "ResultPath"), "JSONPath"))
            for key in ("Output", "Assign"):
                if key in catcher:
                    self._check_expressions((*catcher_path, key), catcher[key], error_output_allowed=True)

    def _check_expressions(
        self, path: Path, value: object, *, result_allowed: bool = False, error_output_allowed: bool = False
    ) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key.endswith(".$"):
                    self._add(
                        (*path, key),
                        f"'{key}': keys ending in '.$' belong to JSONPath; this state uses JSONata",
                        f"name the key '{key.removesuffix('.$')}' and give it a \"{{% … %}}\" expression",
                        rule="query-language-field",
                    )
                self._check_expressions(
                    (*path, key), item, result_allowed=result_allowed, error_output_allowed=error_output_allowed
                )
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self._check_expressions(
                    (*path, index), item, result_allowed=result_allowed, error_output_allowed=error_output_allowed
                )
        elif _looks_like_jsonata(value):
            problem = _jsonata_error(
                str(value), result_allowed=result_allowed, error_output_allowed=error_output_allowed
            )
            if problem:
                self._add(path, f"{_label(path)} {problem}", leaf=True, rule="jsonata-expression")

    # ---- Choice rules -------------------------------------------------------------------------------------

    def _check_rule(self, path: Path, rule: dict[str, Any], language: str, *, top: bool) -> None:
        if language == "JSONata":
            jsonpath_keys = [k for k in rule if k in _COMPARISONS or k in ("Variable", *_COMBINATORS)]
            if jsonpath_keys:
                self._add(
                    (*path, jsonpath_keys[0]),
                    f"{_quote_list(jsonpath_keys, 'and')} belong to JSONPath Choice rules; this state uses JSONata",
                    'write the test as "Condition": "{% … %}"',
                    rule="query-language-field",
                )
            elif top and "Condition" not in rule:
                self._add(
                    path,
                    "a JSONata Choice rule needs 'Condition'",
                    'e.g. "Condition": "{% $states.input.x > 1 %}"',
                    rule="choice-rule",
                )
            if top:
                if "Condition" in rule:
                    self._check_expressions((*path, "Condition"), rule["Condition"])
                for key in ("Output", "Assign"):
                    if key in rule:
                        self._check_expressions((*path, key), rule[key])
            return
        for key in ("Condition", "Output"):
            if key in rule:
                self.findings.append(_query_language_field((*path, key), "JSONata"))
        if "Assign" in rule:
            self._check_payload((*path, "Assign"), rule["Assign"])
        if any(k not in _RULE_FIELDS for k in rule):
            return  # the schema reported the unknown field; guessing the operator would only add noise
        operators = [k for k in rule if k in _COMPARISONS]
        combinators = [k for k in rule if k in _COMBINATORS]
        used = operators + combinators
        if not used:
            if "Condition" not in rule:
                self._add(
                    path,
                    "a Choice rule needs one comparison (e.g. \"StringEquals\") with 'Variable', or And/Or/Not",
                    rule="choice-rule",
                )
        elif len(used) > 1:
            self._add(
                path, f"a Choice rule must use exactly one operator, not {_quote_list(used, 'and')}", rule="choice-rule"
            )
        elif operators and "Variable" not in rule:
            self._add(
                path, f"a Choice rule with '{operators[0]}' needs 'Variable' (the path to compare)", rule="choice-rule"
            )
        elif combinators and "Variable" in rule:
            self._add(
                (*path, "Variable"),
                f"'Variable' cannot be combined with '{combinators[0]}'",
                "move it into the nested rules",
                rule="choice-rule",
            )
        self._check_path_value((*path, "Variable"), rule.get("Variable"), "Variable" in rule)
        for key in operators:
            if key.endswith("Path"):
                self._check_path_value((*path, key), rule[key], True)
        for key in ("And", "Or"):
            for index, nested in enumerate(_list(rule.get(key))):
                if isinstance(nested, dict):
                    self._check_rule((*path, key, index), nested, language, top=False)
        if isinstance(rule.get("Not"), dict):
            self._check_rule((*path, "Not"), rule["Not"], language, top=False)

    # ---- Map parts ----------------------------------------------------------------------------------------

    def _check_map_parts(self, path: Path, state: dict[str, Any], language: str) -> None:
        parts = {key: state.get(key) for key in ("ItemReader", "ItemBatcher", "ResultWriter")}
        for key in ("ItemReader", "ResultWriter"):
            part = parts[key]
            if not isinstance(part, dict):
                continue
            part_path = (*path, key)
            resource = part.get("Resource")
            if isinstance(resource, str):
                problem = _resource_error(resource)
                if problem:
                    self._add((*part_path, "Resource"), problem, leaf=True, rule="task-resource")
            if language == "JSONPath":
                if "Arguments" in part:
                    self.findings.append(_query_language_field((*part_path, "Arguments"), "JSONata"))
                if "Parameters" in part:
                    self._check_payload((*part_path, "Parameters"), part["Parameters"])
            else:
                if "Parameters" in part:
                    self.findings.append(_query_language_field((*part_path, "Parameters"), "JSONPath"))
                if "Arguments" in part:
                    self._check_expressions((*part_path, "Arguments"), part["Arguments"])
        reader_config = parts["ItemReader"].get("ReaderConfig") if isinstance(parts["ItemReader"], dict) else None
        batcher = parts["ItemBatcher"]
        nested_numbers: list[tuple[Path, dict[str, Any], tuple[str, ...]]] = []
        if isinstance(reader_config, dict):
            nested_numbers.append(((*path, "ItemReader", "ReaderConfig"), reader_config, ("MaxItems",)))
        if isinstance(batcher, dict):
            nested_numbers.append(((*path, "ItemBatcher"), batcher, ("MaxItemsPerBatch", "MaxInputBytesPerBatch")))
            if language == "JSONPath" and "BatchInput" in batcher:
                self._check_payload((*path, "ItemBatcher", "BatchInput"), batcher["BatchInput"])
            elif "BatchInput" in batcher:
                self._check_expressions((*path, "ItemBatcher", "BatchInput"), batcher["BatchInput"])
        for part_path, part, keys in nested_numbers:
            for key in keys:
                if language == "JSONPath" and _looks_like_jsonata(part.get(key)):
                    self._add(
                        (*part_path, key),
                        f"'{key}' holds a JSONata expression, but this state uses JSONPath",
                        f'use \'{key}Path\', or set "QueryLanguage": "JSONata"',
                        rule="query-language-field",
                    )
                elif language == "JSONata" and key in part:
                    self._check_expressions((*part_path, key), part[key])
                if language == "JSONata" and key + "Path" in part:
                    self.findings.append(_query_language_field((*part_path, key + "Path"), "JSONPath"))
                elif language == "JSONPath":
                    self._check_path_value((*part_path, key + "Path"), part.get(key + "Path"), key + "Path" in part)

    # ---- Retry and Catch ----------------------------------------------------------------------------------

    def _check_error_handlers(self, path: Path, handlers: list[Any]) -> None:
        noun = "retrier" if path[-1] == "Retry" else "catcher"
        for index, handler in enumerate(handlers):
            if not isinstance(handler, dict):
                continue
            names = [n for n in _list(handler.get("ErrorEquals")) if isinstance(n, str)]
            for position, name in enumerate(names):
                name_path = (*path, index, "ErrorEquals", position)
                if name == "States.ALL" and len(names) > 1:
                    self._add(
                        name_path,
                        "'States.ALL' must be the only name in its ErrorEquals",
                        f"move the other names into an earlier {noun}",
                        rule="states-all-alone",
                    )
                if name == "States.ALL" and index != len(handlers) - 1:
                    self._add(
                        name_path,
                        f"the {noun} with 'States.ALL' must be the last one in '{path[-1]}'",
                        f"{noun}s after it can never match; move it to the end",
                        rule="states-all-last",
                    )
                if (
                    name.startswith("States.")
                    and name not in _BUILTIN_ERRORS
                    and not _HTTP_STATUS_ERROR.fullmatch(name)
                ):
                    self._add(
                        name_path,
                        f"'{name}' is not a built-in error{_did_you_mean(name, _BUILTIN_ERRORS)}",
                        "names starting with 'States.' are reserved for Step Functions' own errors",
                        rule="error-name",
                    )

    # ---- variables ----------------------------------------------------------------------------------------

    def _check_assign_keys(self, path: Path, state: dict[str, Any], language: str) -> None:
        blocks: list[tuple[Path, object]] = [((*path, "Assign"), state.get("Assign"))]
        for index, catcher in enumerate(_list(state.get("Catch"))):
            if isinstance(catcher, dict):
                blocks.append(((*path, "Catch", index, "Assign"), catcher.get("Assign")))
        for index, rule in enumerate(_list(state.get("Choices"))):
            if isinstance(rule, dict):
                blocks.append(((*path, "Choices", index, "Assign"), rule.get("Assign")))
        for block_path, block in blocks:
            if not isinstance(block, dict):
                continue
            for key in block:
                name = key.removesuffix(".$") if language == "JSONPath" else key
                if name == "states":
                    self._add(
                        (*block_path, key),
                        "'states' is reserved ($states); choose another variable name",
                        rule="variable-name",
                    )
                elif not name or any(c in name for c in ".[]"):
                    self._add(
                        (*block_path, key),
                        f"'{key}' is not a variable name; Assign sets whole variables",
                        'assign the whole object, e.g. {"order": …}, instead of one field of it',
                        rule="variable-name",
                    )


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


# --------------------------------------------------------------------------------------------------------------
# Semantic checks of an IAM policy
# --------------------------------------------------------------------------------------------------------------

_SERVICE_WILDCARD = re.compile(r"[a-z0-9-]+:\*")


def _policy_findings(doc: dict[str, Any], justified: frozenset[str] = frozenset()) -> list[_Finding]:
    findings: list[_Finding] = []
    raw = doc.get("Statement")
    statements: list[tuple[Path, Any]]
    if isinstance(raw, dict):
        statements = [(("Statement",), raw)]
    else:
        statements = [(("Statement", i), st) for i, st in enumerate(_list(raw))]
    sids: dict[str, Path] = {}
    for path, statement in statements:
        if not isinstance(statement, dict):
            continue
        sid = statement.get("Sid")
        if isinstance(sid, str) and sid:
            if sid in sids:
                findings.append(
                    _Finding(
                        (*path, "Sid"),
                        f"Sid '{sid}' is already used at {pointer_of(sids[sid])}",
                        "give each statement its own Sid",
                        rule="policy-duplicate-sid",
                    )
                )
            else:
                sids[sid] = path
        has_principal = "Principal" in statement or "NotPrincipal" in statement
        if not has_principal and "Resource" not in statement and "NotResource" not in statement:
            findings.append(
                _Finding(
                    path,
                    "a statement of an identity policy needs 'Resource'",
                    "list the ARNs the actions apply to",
                    rule="policy-missing-resource",
                )
            )
        if statement.get("Effect") != "Allow":
            continue
        actions = statement.get("Action")
        action_items = (
            [(("Action",), actions)]
            if isinstance(actions, str)
            else [(("Action", i), a) for i, a in enumerate(_list(actions))]
        )
        for sub, action in action_items:
            if not isinstance(action, str):
                continue
            if action == "*" or _SERVICE_WILDCARD.fullmatch(action):
                findings.append(
                    _Finding(
                        (*path, *sub),
                        f"Action '{action}' allows every action{' of a service' if action != '*' else ''}",
                        "list the actions the state machine calls",
                        rule="policy-wildcard-action",
                    )
                )
        resources = statement.get("Resource")
        resource_list = [resources] if isinstance(resources, str) else _list(resources)
        if "*" not in resource_list or has_principal or statement.get("Sid") in justified:
            continue
        resource_path = (*path, "Resource")
        if "NotAction" in statement:
            findings.append(
                _Finding(
                    resource_path,
                    "Resource '*' with NotAction allows almost everything",
                    "use Action with named actions",
                    rule="policy-wildcard-resource",
                )
            )
            continue
        scopable = [
            action
            for _, action in action_items
            if isinstance(action, str)
            and action != "*"
            and not _SERVICE_WILDCARD.fullmatch(action)
            and action.lower() not in _ACTIONS_WITHOUT_RESOURCES_LOWER
        ]
        if scopable:
            findings.append(
                _Finding(
                    resource_path,
                    f"Resource '*' grants {', '.join(scopable)} on every resource, but "
                    f"{'these actions support' if len(scopable) > 1 else 'this action supports'} "
                    "resource-level permissions",
                    'scope the statement to the ARNs it needs (keep "*" only for actions without resource types)',
                    rule="policy-wildcard-resource",
                )
            )
    return findings
