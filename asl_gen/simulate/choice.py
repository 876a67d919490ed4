"""The comparison operators of JSONPath Choice rules (StringEquals, NumericLessThanPath, IsPresent...)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from asl_gen.errors import Problem, ValidationFailure
from asl_gen.simulate.clock import parse_timestamp
from asl_gen.simulate.fields import FieldEvaluator, Frame
from asl_gen.simulate.jsonpath import PathError
from asl_gen.simulate.jsonpath import select as select_path


def rule_matches(
    fields: FieldEvaluator, rule: dict[str, Any], data: Any, context: Any, frame: Frame, name: str
) -> bool:
    """Whether a JSONPath Choice rule (And/Or/Not included) matches `data`."""
    if "And" in rule:
        return all(rule_matches(fields, r, data, context, frame, name) for r in rule["And"])
    if "Or" in rule:
        return any(rule_matches(fields, r, data, context, frame, name) for r in rule["Or"])
    if "Not" in rule:
        return not rule_matches(fields, rule["Not"], data, context, frame, name)
    variable = rule.get("Variable", "$")
    operator = next((k for k in rule if k in _OPERATORS or k in _TYPE_TESTS), None)
    if operator is None:
        raise ValidationFailure(Problem(f"state {name!r}: a Choice rule without a comparison operator"))
    if operator == "IsPresent":
        try:
            select_path(variable, data, context, frame.visible())
            present = True
        except PathError:
            present = False
        return present is bool(rule[operator])
    value = fields.select(variable, data, context, frame, name, "Variable")
    if operator in _TYPE_TESTS:
        return bool(_TYPE_TESTS[operator](value) == rule[operator])
    expected = rule[operator]
    base = operator
    if operator.endswith("Path"):
        base = operator[: -len("Path")]
        expected = fields.select(expected, data, context, frame, name, operator)
    return _compare(base, value, expected)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _string_matches(value: str, pattern: str) -> bool:
    regex = ""
    i = 0
    while i < len(pattern):
        if pattern[i] == "\\" and i + 1 < len(pattern):
            regex += re.escape(pattern[i + 1])
            i += 2
            continue
        regex += ".*" if pattern[i] == "*" else re.escape(pattern[i])
        i += 1
    return re.fullmatch(regex, value, re.DOTALL) is not None


def _compare(operator: str, value: Any, expected: Any) -> bool:
    family, relation = next(
        (f, operator[len(f) :]) for f in ("String", "Numeric", "Timestamp", "Boolean") if operator.startswith(f)
    )
    if family == "String":
        if not isinstance(value, str) or not isinstance(expected, str):
            return False
        if relation == "Matches":
            return _string_matches(value, expected)
        left: Any = value
        right: Any = expected
    elif family == "Numeric":
        if not _is_number(value) or not _is_number(expected):
            return False
        left, right = value, expected
    elif family == "Boolean":
        return isinstance(value, bool) and isinstance(expected, bool) and value == expected
    else:
        left, right = parse_timestamp(value), parse_timestamp(expected)
        if left is None or right is None:
            return False
    outcome: bool = {
        "Equals": left == right,
        "LessThan": left < right,
        "GreaterThan": left > right,
        "LessThanEquals": left <= right,
        "GreaterThanEquals": left >= right,
    }[relation]
    return outcome


_OPERATORS = frozenset(
    [
        f"{f}{r}{p}"
        for f in ("String", "Numeric", "Timestamp")
        for r in ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
        for p in ("", "Path")
    ]
    + ["BooleanEquals", "BooleanEqualsPath", "StringMatches"]
)
_TYPE_TESTS: dict[str, Callable[[Any], bool]] = {
    "IsNull": lambda v: v is None,
    "IsPresent": lambda v: True,
    "IsNumeric": _is_number,
    "IsString": lambda v: isinstance(v, str),
    "IsBoolean": lambda v: isinstance(v, bool),
    "IsTimestamp": lambda v: parse_timestamp(v) is not None,
}
