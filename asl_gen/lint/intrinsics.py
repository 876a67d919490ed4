"""Intrinsic functions (`States.Format(...)`, JSONPath states only): a parser and the checks of names, arity and
literal arguments.

Intrinsic functions are Step Functions' own little language (no library parses it): `States.Name(arg, ...)` with
'quoted strings', numbers, true/false/null, JSONPath paths and nested calls as arguments, at most ten levels deep.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from asl_gen.lint.findings import did_you_mean
from asl_gen.lint.paths import bracket_end, path_error


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
STRING_INTRINSICS = frozenset(
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
        # Blanks after the closing parenthesis are trimmed, as AWS's language service does and LocalStack accepts.
        self._skip_spaces()
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
        # A path runs to the ',' or ')' after it; a bracket (`[?(@.a, @.b)]`, `['a,b']`) is skipped whole.
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in ",)":
            end = bracket_end(self.text, self.pos) if self.text[self.pos] == "[" else self.pos + 1
            self.pos = end if end > 0 else len(self.text)
        text = self.text[start : self.pos].rstrip()
        problem = path_error(text)
        if problem:
            raise _IntrinsicSyntaxError(f"the path {text!r} is not valid: {problem}")
        return _IntrinsicArg("path", text)


def intrinsic_error(text: str, *, allowed: frozenset[str] | None = None) -> str | None:
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
        suggestion = did_you_mean(name, _INTRINSIC_ARITY)
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


def format_pieces(template: str) -> list[str | None]:
    """A `States.Format` template as written between its quotes, in pieces: each character of its text (a
    backslash escape undone) and None for each `{}` a value fills. The simulator fills them; IAM scopes by them."""
    pieces: list[str | None] = []
    at = 0
    while at < len(template):
        if template[at] == "\\" and at + 1 < len(template):
            pieces.append(template[at + 1])
            at += 2
        elif template.startswith("{}", at):
            pieces.append(None)
            at += 2
        else:
            pieces.append(template[at])
            at += 1
    return pieces
