"""The JSONata form of a planned state: the plan speaks JSONPath, a JSONata machine gets the same data flow.

The plan lays out every state in JSONPath terms (Parameters with `.$` keys, ResultSelector, ResultPath, Choice
rules with Variable, Fail ErrorPath/CausePath). For a machine with `query_language: JSONata` each of those is
translated here: `.$` values become `{% %}` expressions, ResultSelector plus ResultPath become one `Output`
that merges the result into the state (so a step's result lands where it does in JSONPath, and later steps read
it the same way), Choice rules become `Condition`s. One translation for every step kind keeps the two languages
in step by construction instead of by two sets of templates.

Imports: nothing from asl_gen
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# `$` in JSONPath is the state's input (Parameters, Variable) or the task's result (ResultSelector).
INPUT = "$states.input"
RESULT = "$states.result"
ERROR_OUTPUT = "$states.errorOutput"
CONTEXT = "$states.context"
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class TranslationError(ValueError):
    """A JSONPath expression this translation has no JSONata for (an intrinsic it does not know, a filter)."""


def wrap(expression: str) -> str:
    return "{% " + expression + " %}"


def literal(value: Any) -> Any:
    """A constant as JSONata Arguments take it: strings that would read as an expression are quoted into one."""
    if isinstance(value, str) and (value.startswith("{%") or value.endswith("%}")):
        return wrap(json.dumps(value, ensure_ascii=False))
    if isinstance(value, dict):
        return {key: literal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [literal(item) for item in value]
    return value


def payload(document: Any, base: str = INPUT) -> Any:
    """A Parameters-like document with `.$` keys as JSONata Arguments: each `key.$` becomes `key: {% ... %}`."""
    if isinstance(document, dict):
        result: dict[str, Any] = {}
        for key, value in document.items():
            if key.endswith(".$"):
                result[key[:-2]] = wrap(expression(str(value), base))
            else:
                result[key] = payload(value, base)
        return result
    if isinstance(document, list):
        return [payload(item, base) for item in document]
    return literal(document)


def object_expression(document: Any, base: str) -> str:
    """A Parameters-like document as one JSONata expression (to be merged into the state by Output)."""
    if isinstance(document, dict):
        parts = []
        for key, value in document.items():
            if key.endswith(".$"):
                parts.append(f"{json.dumps(key[:-2], ensure_ascii=False)}: {expression(str(value), base)}")
            else:
                parts.append(f"{json.dumps(key, ensure_ascii=False)}: {object_expression(value, base)}")
        return "{" + ", ".join(parts) + "}"
    if isinstance(document, list):
        return "[" + ", ".join(object_expression(item, base) for item in document) + "]"
    return json.dumps(document, ensure_ascii=False)


def path(text: str, base: str = INPUT) -> str:
    """A JSONPath (`$.a.b[0]`, `$$.Execution.Id`, `$[*].Value`) as a JSONata path."""
    if text.startswith("$$"):
        root, rest = CONTEXT, text[2:]
    elif text.startswith("$"):
        root, rest = base, text[1:]
    else:
        raise TranslationError(f"{text!r} is not a path")
    out = root
    for match in re.finditer(r"\.([^.\[]+)|\[(\d+)\]|\[\*\]|(.)", rest):
        name, index, stray = match.groups()
        if stray is not None:
            raise TranslationError(f"{text!r} uses JSONPath that has no JSONata translation here")
        if name is not None:
            out += "." + (name if _IDENTIFIER.fullmatch(name) else "`" + name.replace("`", "") + "`")
        elif index is not None:
            # JSONata's numbers have no leading zeros: `[08]` would not parse, so the index is written as a number.
            out += f"[{int(index)}]"
        # `[*]`: JSONata maps a path over an array by itself.
    return out


@dataclass
class _Parser:
    """Reads intrinsic functions (`States.Format('{}', $.a)`) into JSONata."""

    text: str
    base: str
    at: int = 0

    def fail(self, what: str) -> TranslationError:
        return TranslationError(f"{self.text!r}: {what}")

    def spaces(self) -> None:
        while self.at < len(self.text) and self.text[self.at] == " ":
            self.at += 1

    def argument(self) -> tuple[str, str | None]:
        """The JSONata of one argument, and its text when it is a string literal."""
        self.spaces()
        char = self.text[self.at : self.at + 1]
        if char == "'":
            self.at += 1
            chars: list[str] = []
            while self.at < len(self.text) and self.text[self.at] != "'":
                if self.text[self.at] == "\\" and self.at + 1 < len(self.text):
                    self.at += 1
                chars.append(self.text[self.at])
                self.at += 1
            if self.at >= len(self.text):
                raise self.fail("a string is never closed")
            self.at += 1
            value = "".join(chars)
            return json.dumps(value, ensure_ascii=False), value
        if char == "$":
            start = self.at
            depth = 0
            while self.at < len(self.text):
                c = self.text[self.at]
                if c == "[":
                    depth += 1
                elif c == "]":
                    depth -= 1
                elif c in ",)" and depth == 0:
                    break
                self.at += 1
            return path(self.text[start : self.at].strip(), self.base), None
        if self.text.startswith("States.", self.at):
            return self.call(), None
        match = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null").match(self.text, self.at)
        if match:
            self.at = match.end()
            return match.group(0), None
        raise self.fail(f"unexpected {char!r} at position {self.at}")

    def call(self) -> str:
        match = re.compile(r"States\.([A-Za-z0-9]+)\(").match(self.text, self.at)
        if not match:
            raise self.fail("expected an intrinsic function")
        name = match.group(1)
        self.at = match.end()
        arguments: list[tuple[str, str | None]] = []
        self.spaces()
        if self.text[self.at : self.at + 1] == ")":
            self.at += 1
        else:
            while True:
                arguments.append(self.argument())
                self.spaces()
                char = self.text[self.at : self.at + 1]
                self.at += 1
                if char == ")":
                    break
                if char != ",":
                    raise self.fail(f"expected ',' or ')' at position {self.at - 1}")
        return _intrinsic(name, arguments, self)


_SIMPLE = {
    "Hash": "$hash",
    "JsonToString": "$string",
    "StringToJson": "$parse",
    "ArrayLength": "$count",
    "UUID": "$uuid",
    "Base64Encode": "$base64encode",
    "Base64Decode": "$base64decode",
    "StringSplit": "$split",
}


def _intrinsic(name: str, arguments: list[tuple[str, str | None]], parser: _Parser) -> str:
    values = [text for text, _ in arguments]
    if name == "Format":
        template = arguments[0][1] if arguments else None
        if template is None:
            raise parser.fail("States.Format needs a string first")
        pieces = re.split(r"(?<!\\)\{\}", template)
        if len(pieces) != len(values):
            raise parser.fail("States.Format has as many {} as values")
        parts: list[str] = []
        for index, piece in enumerate(pieces):
            text = piece.replace("\\{", "{").replace("\\}", "}")
            if text:
                parts.append(json.dumps(text, ensure_ascii=False))
            if index + 1 < len(pieces):
                parts.append(values[index + 1])
        return "(" + " & ".join(parts or ['""']) + ")"
    if name in _SIMPLE:
        return f"{_SIMPLE[name]}({', '.join(values)})"
    if name == "MathAdd" and len(values) == 2:
        return f"({values[0]} + {values[1]})"
    if name == "Array":
        return "[" + ", ".join(values) + "]"
    if name == "ArrayGetItem" and len(values) == 2:
        return f"{values[0]}[{values[1]}]"
    if name == "ArrayContains" and len(values) == 2:
        return f"({values[1]} in {values[0]})"
    raise parser.fail(f"States.{name} has no JSONata translation in asl-gen")


def expression(text: str, base: str = INPUT) -> str:
    """A `.$` value (a path or an intrinsic function) as a JSONata expression."""
    text = text.strip()
    if text.startswith("States."):
        parser = _Parser(text, base)
        result = parser.call()
        if text[parser.at :].strip():
            raise parser.fail("unexpected text after the function")
        return result
    return path(text, base)


def assign(result_path: str | None, value: str) -> str:
    """The state after putting `value` at `result_path` (JSONPath ResultPath semantics) as one expression."""
    if result_path is None:
        return INPUT
    if result_path == "$":
        return value
    names = [part for part in result_path.removeprefix("$.").split(".")]
    return _merge(INPUT, names, value)


def _merge(current: str, names: list[str], value: str) -> str:
    head, rest = names[0], names[1:]
    inner = value if not rest else _merge(path(f"$.{head}", current), rest, value)
    return f"$merge([{current}, {{{json.dumps(head)}: {inner}}}])"


# An ASL comparison is a type and a relation (NumericLessThanEquals); JSONata writes only the relation.
_RELATIONS = {"Equals": "=", "LessThan": "<", "GreaterThan": ">", "LessThanEquals": "<=", "GreaterThanEquals": ">="}
_COMPARE = {f"{kind}{relation}": symbol for kind in ("String", "Numeric") for relation, symbol in _RELATIONS.items()}
_COMPARE["BooleanEquals"] = "="


def condition(rule: Mapping[str, Any]) -> str:
    """A JSONPath Choice rule (Variable and operator, or And/Or/Not) as a JSONata condition."""
    if "And" in rule:
        return "(" + " and ".join(condition(r) for r in rule["And"]) + ")"
    if "Or" in rule:
        return "(" + " or ".join(condition(r) for r in rule["Or"]) + ")"
    if "Not" in rule:
        return f"$not({condition(rule['Not'])})"
    variable = path(str(rule["Variable"]))
    for operator, value in rule.items():
        if operator == "Variable":
            continue
        if operator in _COMPARE:
            return f"{variable} {_COMPARE[operator]} {json.dumps(value, ensure_ascii=False)}"
        if operator.endswith("Path") and operator[:-4] in _COMPARE:
            return f"{variable} {_COMPARE[operator[:-4]]} {path(str(value))}"
        if operator == "StringMatches":
            return f"$contains({variable}, /^{_wildcard_regex(str(value))}$/)"
        if operator == "IsPresent":
            return f"$exists({variable})" if value else f"$not($exists({variable}))"
        if operator == "IsNumeric":
            return f'($type({variable}) = "number")' if value else f'($type({variable}) != "number")'
        if operator == "IsNull":
            return f"({variable} = null)" if value else f"({variable} != null)"
    raise TranslationError(f"no JSONata translation for the Choice rule {dict(rule)!r}")


def _wildcard_regex(pattern: str) -> str:
    """A StringMatches pattern (`*` any text, `\\*` a star) as the body of a JSONata regex literal."""
    out: list[str] = []
    escaped = False
    for char in pattern:
        if escaped:
            out.append("\\" + char if char in _REGEX_SPECIAL else char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "*":
            out.append("[\\s\\S]*")
        else:
            out.append("\\" + char if char in _REGEX_SPECIAL else char)
    return "".join(out)


_REGEX_SPECIAL = frozenset("\\^$.|?*+()[]{}/")


def _output(result_selector: Mapping[str, Any] | None, result_path: str | None, result: str = RESULT) -> str:
    value = object_expression(result_selector, result) if result_selector is not None else result
    return wrap(assign(result_path, value))


def translate_state(context: dict[str, Any]) -> None:
    """Rewrite one state's render context in place from its JSONPath fields to JSONata ones."""
    kind = context["kind"]
    if "catch" in context:
        context["catch"] = [
            {"errors": c.errors, "next": c.next, "output": wrap(assign(c.result_path, ERROR_OUTPUT))}
            for c in context["catch"]
        ]
    if kind == "task":
        context["arguments"] = payload(context["parameters"])
        context["output"] = _output(context["result_selector"], context["result_path"])
    elif kind == "pass":
        if context["result"] is not None:
            value = json.dumps(context["result"], ensure_ascii=False)
        else:
            value = object_expression(context["parameters"], INPUT)
        context["output"] = wrap(assign(context["result_path"], value))
    elif kind == "choice":
        context["rules"] = [
            {"condition": {"Condition": wrap(condition(rule.condition))}, "next": rule.next}
            for rule in context["rules"]
        ]
    elif kind == "fail":
        for field in ("error", "cause"):
            if context[f"{field}_path"] is not None:
                context[field] = wrap(expression(context[f"{field}_path"]))
                context[f"{field}_path"] = None
            elif context[field] is not None:
                context[field] = literal(context[field])
    elif kind == "map":
        context["items_expression"] = wrap(path(context["items_path"]))
        context["item_selector"] = payload(context["item_selector"])
        context["output"] = _output(context["result_selector"], context["result_path"])
    elif kind == "parallel":
        context["output"] = _output(context["result_selector"], context["result_path"])
