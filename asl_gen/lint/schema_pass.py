"""The JSON Schema pass: validate against `schemas/`, then rewrite each jsonschema error into one readable finding.

jsonschema reports what failed in schema terms (`oneOf`, `additionalProperties`); the rewriting names the field,
the state type and the likely fix, and gives each finding the rule id of the keyword that failed.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from asl_gen.lint.contexts import STATE_TYPES, state_type_at
from asl_gen.lint.findings import (
    ContextFn,
    Draft,
    Path,
    close_match,
    did_you_mean,
    field_label,
    json_type,
    query_language_field,
    quote_list,
    short,
)
from asl_gen.resources import load_schema

ASL_SCHEMA = "asl.schema.json"
IAM_POLICY_SCHEMA = "iam-policy.schema.json"


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
        return {json_type(schema["const"])}
    if "enum" in schema:
        return {json_type(v) for v in schema["enum"]}
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
    kind = json_type(instance)
    if kind == "integer":
        return bool(types & {"integer", "number"})
    if kind == "number" and isinstance(instance, float) and instance.is_integer():
        return bool(types & {"integer", "number"})
    return kind in types


def schema_findings(doc: object, schema_name: str, context: ContextFn) -> list[Draft]:
    validator = _validator(schema_name)
    root = load_schema(schema_name)
    findings: list[Draft] = []
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


def _translate(error: ValidationError, root: dict[str, Any], doc: object, context: ContextFn) -> list[Draft]:
    found = _translate_error(error, root, doc, context)
    for finding in found:
        finding.rule = finding.rule or _SCHEMA_RULES.get(str(error.validator), "invalid-value")
    return found


def _translate_error(error: ValidationError, root: dict[str, Any], doc: object, context: ContextFn) -> list[Draft]:
    path: Path = tuple(error.absolute_path)
    # jsonschema types these as "Any | Unset"; every error it yields has them set.
    instance: Any = error.instance
    kind: Any = error.validator
    value: Any = error.validator_value
    schema: Any = error.schema
    label = field_label(path)

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
        return [query_language_field(path, str(schema.get("title", "")))]

    if kind == "not" and isinstance(value, dict) and list(value) == ["required"]:
        if not isinstance(instance, dict):
            # `required` holds for anything but an object, so its negation fails on a string put where a state
            # should be; the type finding at the same place already says what is wrong.
            return []
        first, second = value["required"]
        return [
            Draft(
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
        return [Draft(path, f"{label} must be {words}, not {_TYPE_WORDS[json_type(instance)]}", hint)]

    if kind == "enum":
        options = [str(v) for v in value]
        suggestion = did_you_mean(instance, options) if isinstance(instance, str) else ""
        if path and path[-1] == "Type" and len(path) >= 3 and path[-3] == "States":
            return [
                Draft(
                    path,
                    f"unknown state Type {short(instance)}{suggestion}",
                    "use one of " + ", ".join(options),
                    rule="unknown-state-type",
                )
            ]
        return [Draft(path, f"{label} is {short(instance)}, not one of {', '.join(options)}{suggestion}")]

    if kind == "const":
        if path and path[-1] == "End":
            return [
                Draft(
                    path,
                    "'End' must be true",
                    "to continue to another state, use 'Next' instead of 'End'",
                    rule="invalid-value",
                )
            ]
        return [Draft(path, f"{label} must be {json.dumps(value)}, not {short(instance)}")]

    if kind in ("minItems", "minProperties", "minLength") and value == 1:
        what = "must name at least one state" if path and path[-1] == "States" else "must not be empty"
        return [Draft(path, f"{label} {what}")]

    if kind in ("minimum", "exclusiveMinimum"):
        relation = "at least" if kind == "minimum" else "greater than"
        return [Draft(path, f"{label} must be {relation} {value}, not {short(instance)}")]

    if kind in ("maximum", "exclusiveMaximum"):
        relation = "at most" if kind == "maximum" else "less than"
        return [Draft(path, f"{label} must be {relation} {value}, not {short(instance)}")]

    if kind == "maxLength":
        return [Draft(path, f"{label} is longer than {value} characters")]

    if kind == "pattern":
        title = schema.get("title") if isinstance(schema, dict) else None
        wanted = title or f"a string matching {value}"
        if "propertyNames" in error.schema_path:
            return [Draft(path, f"{short(instance)} in {label} is not {wanted}")]
        return [Draft(path, f"{label} must be {wanted}, not {short(instance)}")]

    return [Draft(path, f"{label}: {error.message}")]


def _is_required_choice(branches: object) -> bool:
    return isinstance(branches, list) and all(
        isinstance(b, dict) and list(b) == ["required"] and len(b["required"]) == 1 for b in branches
    )


def _required_choice(
    doc: object, path: Path, kind: str, branches: list[dict[str, list[str]]], instance: object, context: ContextFn
) -> list[Draft]:
    if not isinstance(instance, dict):
        return []
    names = [b["required"][0] for b in branches]
    present = [n for n in names if n in instance]
    where = context(doc, path)
    if names == ["Next", "End"]:
        if not present:
            return [
                Draft(
                    path,
                    f"{where} needs 'Next' or 'End'",
                    'add "Next": "<state>" to continue, or "End": true to finish',
                    missing=("Next", "End"),
                    rule="next-or-end",
                )
            ]
        return [Draft(path, f"{where} cannot have both 'Next' and 'End'", "keep only one of them", rule="next-or-end")]
    if not present:
        quantity = "one of" if kind == "oneOf" else "at least one of"
        return [
            Draft(path, f"{where} needs {quantity} {quote_list(names)}", missing=tuple(names), rule="missing-field")
        ]
    return [
        Draft(
            path,
            f"{where} can have only one of {quote_list(names)}",
            f"found {quote_list(present, 'and')}",
            rule="exclusive-fields",
        )
    ]


def _union(error: ValidationError, root: dict[str, Any], doc: object, context: ContextFn) -> list[Draft]:
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
            found: list[Draft] = []
            for sub in relevant:
                found.extend(_translate(sub, root, doc, context))
            return found
        return _translate(best_match(relevant), root, doc, context)
    options = " or ".join(_describe_schema(b, root) for b in branches)
    return [Draft(path, f"{field_label(path)} must be {options}, not {short(instance)}")]


def _is_jsonata_branch(branch: Any, root: dict[str, Any]) -> bool:
    resolved = _resolve(branch, root)
    return isinstance(resolved, dict) and str(resolved.get("title", "")).startswith("a JSONata")


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


def _missing_field(doc: object, path: Path, name: str, instance: dict[str, Any], context: ContextFn) -> Draft:
    near = close_match(name, [k for k in instance if isinstance(k, str)])
    found = f" (found '{near}': did you mean '{name}'?)" if near and near != name else ""
    return Draft(
        path,
        f"{context(doc, path)} is missing '{name}'{found}",
        _MISSING_HINTS.get(name),
        missing=(name,),
        rule="missing-field",
    )


@functools.cache
def _state_fields() -> dict[str, frozenset[str]]:
    root = load_schema(ASL_SCHEMA)
    return {t: frozenset(_allowed_keys(root["$defs"][t + "State"], root)) for t in STATE_TYPES}


def _unknown_field(doc: object, path: Path, key: str, allowed: set[str], context: ContextFn) -> Draft:
    where = context(doc, path)
    child = (*path, key)
    state_type = state_type_at(doc, path)
    if state_type == "Choice" and key in ("Next", "End"):
        return Draft(
            child,
            f"a Choice state cannot have '{key}'",
            "give each rule its own 'Next' and use 'Default' for the no-match case",
            rule="unknown-field",
        )
    if state_type in ("Succeed", "Fail") and key in ("Next", "End"):
        return Draft(
            child, f"a {state_type} state ends the execution and takes no '{key}'", "remove it", rule="unknown-field"
        )
    if where == "a Choice rule" and key == "End":
        return Draft(
            child,
            "a Choice rule cannot end the execution",
            "point its 'Next' at a Succeed or Fail state instead",
            rule="unknown-field",
        )
    if where.startswith("a nested Choice rule") and key in ("Next", "Assign", "Output"):
        return Draft(
            child,
            f"a nested Choice rule (inside And/Or/Not) must not have '{key}'",
            f"put '{key}' on the top-level rule that contains it",
            rule="unknown-field",
        )
    if state_type is not None:
        owners = [t for t, fields in _state_fields().items() if key in fields]
        if owners:
            return Draft(
                child,
                f"'{key}' is not allowed in a {state_type} state",
                f"it is only valid in {', '.join(owners)} states",
                rule="unknown-field",
            )
    suggestion = close_match(key, allowed)
    message = f"unknown field '{key}' in {where}"
    if suggestion:
        message += f" (did you mean '{suggestion}'?)"
    return Draft(child, message, None, suggestion=suggestion, rule="unknown-field")
