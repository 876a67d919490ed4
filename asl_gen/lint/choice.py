"""Choice rules: one operator with its Variable in JSONPath, a Condition in JSONata, nested And/Or/Not."""

from __future__ import annotations

from typing import Any

from asl_gen.lint.findings import Path, as_list, query_language_field, quote_list
from asl_gen.lint.values import ValueRules

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


class ChoiceRules(ValueRules):
    """The rules of a Choice state, nested ones included."""

    def _check_rule(self, path: Path, rule: dict[str, Any], language: str, *, top: bool) -> None:
        if language == "JSONata":
            jsonpath_keys = [k for k in rule if k in _COMPARISONS or k in ("Variable", *_COMBINATORS)]
            if jsonpath_keys:
                self._add(
                    (*path, jsonpath_keys[0]),
                    f"{quote_list(jsonpath_keys, 'and')} belong to JSONPath Choice rules; this state uses JSONata",
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
                self.findings.append(query_language_field((*path, key), "JSONata"))
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
                path, f"a Choice rule must use exactly one operator, not {quote_list(used, 'and')}", rule="choice-rule"
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
            for index, nested in enumerate(as_list(rule.get(key))):
                if isinstance(nested, dict):
                    self._check_rule((*path, key, index), nested, language, top=False)
        if isinstance(rule.get("Not"), dict):
            self._check_rule((*path, "Not"), rule["Not"], language, top=False)
