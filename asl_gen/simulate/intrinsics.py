"""Intrinsic functions (`States.Format(...)` and friends) with the semantics and limits Step Functions gives them."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import random
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from asl_gen.lint.intrinsics import format_pieces
from asl_gen.simulate.jsonpath import PathError

# AWS reserves States.IntrinsicFailure but reports intrinsic errors as States.Runtime (error-handling guide).
INTRINSIC_FAILURE = "States.Runtime"
_MAX_DEPTH = 10
_MAX_TEXT = 10_000
_HASHES = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}


class IntrinsicError(Exception):
    """An intrinsic that cannot be parsed or whose arguments it rejects; carries the Step Functions error name."""

    def __init__(self, message: str, error: str = INTRINSIC_FAILURE) -> None:
        super().__init__(message)
        self.error = error


@dataclass(frozen=True)
class Literal:
    value: Any
    raw: str = ""  # a string literal's text before unescaping: States.Format tells `\{` from `{` by it


@dataclass(frozen=True)
class PathArg:
    path: str


@dataclass(frozen=True)
class CallExpr:
    name: str
    args: tuple[Literal | PathArg | CallExpr, ...]


Arg = Literal | PathArg | CallExpr


def is_intrinsic(text: str) -> bool:
    return text.startswith("States.")


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0

    def fail(self, message: str) -> IntrinsicError:
        return IntrinsicError(f"{self.text!r}: {message} at character {self.at + 1}")

    def skip(self) -> None:
        while self.at < len(self.text) and self.text[self.at] in " \t\n\r":
            self.at += 1

    def call(self, depth: int) -> CallExpr:
        if depth > _MAX_DEPTH:
            raise self.fail(f"intrinsic functions nest more than {_MAX_DEPTH} deep")
        start = self.at
        while self.at < len(self.text) and (self.text[self.at].isalnum() or self.text[self.at] in "._"):
            self.at += 1
        name = self.text[start : self.at]
        if not name.startswith("States.") or self.at >= len(self.text) or self.text[self.at] != "(":
            raise self.fail("expected States.<Function>(")
        self.at += 1
        args: list[Arg] = []
        self.skip()
        if self.at < len(self.text) and self.text[self.at] == ")":
            self.at += 1
            return CallExpr(name, ())
        while True:
            self.skip()
            args.append(self.arg(depth))
            self.skip()
            if self.at >= len(self.text):
                raise self.fail("')' is missing")
            if self.text[self.at] == ",":
                self.at += 1
                continue
            if self.text[self.at] == ")":
                self.at += 1
                return CallExpr(name, tuple(args))
            raise self.fail(f"unexpected {self.text[self.at]!r}")

    def arg(self, depth: int) -> Arg:
        char = self.text[self.at] if self.at < len(self.text) else ""
        if char == "'":
            return self.string()
        if char == "$":
            start = self.at
            depth_brackets = 0
            quote = ""
            while self.at < len(self.text):
                c = self.text[self.at]
                if quote:
                    if c == quote:
                        quote = ""
                elif c in "'\"" and depth_brackets:
                    quote = c
                elif c == "[":
                    depth_brackets += 1
                elif c == "]":
                    depth_brackets -= 1
                elif c in ",)" and not depth_brackets:
                    break
                self.at += 1
            return PathArg(self.text[start : self.at].strip())
        if self.text.startswith("States.", self.at):
            return self.call(depth + 1)
        start = self.at
        while self.at < len(self.text) and self.text[self.at] not in ",)":
            self.at += 1
        word = self.text[start : self.at].strip()
        if word in ("true", "false"):
            return Literal(word == "true")
        if word == "null":
            return Literal(None)
        try:
            return Literal(float(word) if any(c in word for c in ".eE") else int(word))
        except ValueError:
            raise self.fail(f"{word!r} is not a string, number, boolean, null, path or intrinsic") from None

    def string(self) -> Literal:
        self.at += 1
        start = self.at
        value = []
        while self.at < len(self.text):
            char = self.text[self.at]
            if char == "\\" and self.at + 1 < len(self.text):
                value.append(self.text[self.at + 1])
                self.at += 2
                continue
            if char == "'":
                raw = self.text[start : self.at]
                self.at += 1
                return Literal("".join(value), raw)
            value.append(char)
            self.at += 1
        raise self.fail("a string is never closed")


_PARSED: dict[str, CallExpr] = {}


def parse(text: str) -> CallExpr:
    cached = _PARSED.get(text)
    if cached is not None:
        return cached
    parser = _Parser(text.strip())
    call = parser.call(1)
    parser.skip()
    if parser.at != len(parser.text):
        raise parser.fail("text after the closing ')'")
    _PARSED[text] = call
    return call


Resolver = Callable[[str], Any]


def evaluate(text: str, resolve: Resolver, rng: random.Random) -> Any:
    """The value of an intrinsic expression; `resolve` gives the value of each path argument."""
    return _evaluate(parse(text), resolve, rng)


def _evaluate(call: CallExpr, resolve: Resolver, rng: random.Random) -> Any:
    function = _FUNCTIONS.get(call.name)
    if function is None:
        raise IntrinsicError(f"{call.name} is not an intrinsic function")
    minimum, maximum, body = function
    if not minimum <= len(call.args) <= (maximum if maximum >= 0 else len(call.args)):
        expected = str(minimum) if minimum == maximum else f"{minimum} to {maximum}" if maximum >= 0 else f"{minimum}+"
        raise IntrinsicError(f"{call.name} takes {expected} arguments, got {len(call.args)}")
    values: list[Any] = []
    for arg in call.args:
        if isinstance(arg, Literal):
            values.append(arg.value)
        elif isinstance(arg, PathArg):
            try:
                values.append(resolve(arg.path))
            except PathError as exc:
                raise IntrinsicError(f"{call.name}: {exc}", "States.Runtime") from None
        else:
            values.append(_evaluate(arg, resolve, rng))
    return body(call, values, rng)


def _int(name: str, value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or int(value) != value:
        raise IntrinsicError(f"{name}: {what} must be an integer, got {json.dumps(value)}")
    return int(value)


def _array(name: str, value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise IntrinsicError(f"{name}: expected an array, got {json.dumps(value)}")
    return value


def _text(name: str, value: Any, limit: bool = False) -> str:
    if not isinstance(value, str):
        raise IntrinsicError(f"{name}: expected a string, got {json.dumps(value)}")
    if limit and len(value) > _MAX_TEXT:
        raise IntrinsicError(f"{name}: the input is longer than {_MAX_TEXT} characters")
    return value


def compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _format(call: CallExpr, values: list[Any], rng: random.Random) -> str:
    template = call.args[0]
    if not isinstance(template, Literal) or not isinstance(template.value, str):
        raise IntrinsicError("States.Format: the first argument must be a string literal")
    pieces: list[str] = []
    args = values[1:]
    used = 0
    for piece in format_pieces(template.raw):
        if piece is not None:
            pieces.append(piece)
            continue
        if used >= len(args):
            raise IntrinsicError("States.Format: more '{}' placeholders than arguments")
        value = args[used]
        used += 1
        if isinstance(value, (dict, list)):
            raise IntrinsicError("States.Format: arguments must be strings, numbers, booleans or null")
        pieces.append(value if isinstance(value, str) else compact(value))
    if used != len(args):
        raise IntrinsicError(f"States.Format: {len(args)} arguments for {used} '{{}}' placeholders")
    return "".join(pieces)


def _string_to_json(call: CallExpr, values: list[Any], rng: random.Random) -> Any:
    text = _text(call.name, values[0])
    try:
        return json.loads(text) if text.strip() else None
    except json.JSONDecodeError as exc:
        raise IntrinsicError(f"States.StringToJson: not JSON: {exc.msg}") from None


def _partition(call: CallExpr, values: list[Any], rng: random.Random) -> list[Any]:
    array = _array(call.name, values[0])
    size = _int(call.name, values[1], "the chunk size")
    if size <= 0:
        raise IntrinsicError("States.ArrayPartition: the chunk size must be greater than 0")
    return [array[i : i + size] for i in range(0, len(array), size)]


def _range(call: CallExpr, values: list[Any], rng: random.Random) -> list[int]:
    start, end, step = (_int(call.name, v, w) for v, w in zip(values, ("start", "end", "step"), strict=True))
    if step == 0:
        raise IntrinsicError("States.ArrayRange: the step must not be 0")
    result = list(range(start, end + (1 if step > 0 else -1), step))
    if len(result) > 1000:
        raise IntrinsicError("States.ArrayRange: more than 1000 items")
    return result


def _get_item(call: CallExpr, values: list[Any], rng: random.Random) -> Any:
    array = _array(call.name, values[0])
    index = _int(call.name, values[1], "the index")
    if not 0 <= index < len(array):
        raise IntrinsicError(f"States.ArrayGetItem: index {index} is out of bounds for {len(array)} items")
    return array[index]


def _unique(call: CallExpr, values: list[Any], rng: random.Random) -> list[Any]:
    seen: list[Any] = []
    for item in _array(call.name, values[0]):
        if not any(_same(item, s) for s in seen):
            seen.append(item)
    return seen


def _same(a: Any, b: Any) -> bool:
    # JSON equality: 1 and true differ, 1 and 1.0 do not.
    return type(a) is type(b) and a == b if isinstance(a, bool) or isinstance(b, bool) else bool(a == b)


def _b64decode(call: CallExpr, values: list[Any], rng: random.Random) -> str:
    text = _text(call.name, values[0], limit=True)
    try:
        return base64.b64decode(text, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise IntrinsicError("States.Base64Decode: the input is not base64 of UTF-8 text") from None


def _hash(call: CallExpr, values: list[Any], rng: random.Random) -> str:
    data = values[0] if isinstance(values[0], str) else compact(values[0])
    if len(data) > _MAX_TEXT:
        raise IntrinsicError(f"States.Hash: the input is longer than {_MAX_TEXT} characters")
    algorithm = _HASHES.get(values[1]) if isinstance(values[1], str) else None
    if algorithm is None:
        raise IntrinsicError(f"States.Hash: the algorithm must be one of {', '.join(_HASHES)}")
    return hashlib.new(algorithm, data.encode("utf-8")).hexdigest()


def _merge(call: CallExpr, values: list[Any], rng: random.Random) -> dict[str, Any]:
    first, second, deep = values
    if not isinstance(first, dict) or not isinstance(second, dict):
        raise IntrinsicError("States.JsonMerge: both inputs must be objects")
    if deep is not False:
        raise IntrinsicError("States.JsonMerge: only a shallow merge (false) is supported")
    return {**first, **second}


def _random(call: CallExpr, values: list[Any], rng: random.Random) -> int:
    start = _int(call.name, values[0], "start")
    end = _int(call.name, values[1], "end")
    if start >= end:
        raise IntrinsicError("States.MathRandom: start must be less than end")
    source = random.Random(_int(call.name, values[2], "the seed")) if len(values) == 3 else rng
    return source.randrange(start, end)


def _add(call: CallExpr, values: list[Any], rng: random.Random) -> int:
    total = _int(call.name, values[0], "the first value") + _int(call.name, values[1], "the second value")
    if not -(2**31) <= total < 2**31:
        raise IntrinsicError("States.MathAdd: the sum is outside the 32-bit integer range")
    return total


def _split(call: CallExpr, values: list[Any], rng: random.Random) -> list[str]:
    text = _text(call.name, values[0])
    delimiters = _text(call.name, values[1])
    parts = [text]
    for delimiter in delimiters:
        parts = [piece for part in parts for piece in part.split(delimiter)]
    return [p for p in parts if p]


def _uuid(call: CallExpr, values: list[Any], rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


Body = Callable[[CallExpr, list[Any], random.Random], Any]
_FUNCTIONS: Mapping[str, tuple[int, int, Body]] = {
    "States.Format": (1, -1, _format),
    "States.StringToJson": (1, 1, _string_to_json),
    "States.JsonToString": (1, 1, lambda c, v, r: compact(v[0])),
    "States.Array": (0, -1, lambda c, v, r: list(v)),
    "States.ArrayPartition": (2, 2, _partition),
    "States.ArrayContains": (2, 2, lambda c, v, r: any(_same(i, v[1]) for i in _array(c.name, v[0]))),
    "States.ArrayRange": (3, 3, _range),
    "States.ArrayGetItem": (2, 2, _get_item),
    "States.ArrayLength": (1, 1, lambda c, v, r: len(_array(c.name, v[0]))),
    "States.ArrayUnique": (1, 1, _unique),
    "States.Base64Encode": (
        1,
        1,
        lambda c, v, r: base64.b64encode(_text(c.name, v[0], limit=True).encode("utf-8")).decode("ascii"),
    ),
    "States.Base64Decode": (1, 1, _b64decode),
    "States.Hash": (2, 2, _hash),
    "States.JsonMerge": (3, 3, _merge),
    "States.MathRandom": (2, 3, _random),
    "States.MathAdd": (2, 2, _add),
    "States.StringSplit": (2, 2, _split),
    "States.UUID": (0, 0, _uuid),
}
