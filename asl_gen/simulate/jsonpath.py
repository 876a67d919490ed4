"""JSONPath as Step Functions reads it: reference paths to select and to set, plus the `[*]`, `..`, slice and
filter forms that select several values (those always give a list).

Our own rather than a JSONPath library: Step Functions' semantics are its own (a reference path that must name
one value, ResultPath that creates the objects on its way, `$$` for the context and `$name` for variables, a
missing path being an error rather than an empty match), and the errors must read as AWS's do."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from asl_gen.lint.paths import bracket_end

_NAME = re.compile(r"[^.\[\]\s]+")
_FILTER = re.compile(r"\?\(@((?:\.[^.\s=!<>]+)*)\s*(?:(==|!=|<=|>=|<|>)\s*(.+?))?\s*\)\Z")


class PathError(Exception):
    """A path that is malformed, or that names something the data does not have."""


@dataclass(frozen=True)
class Segment:
    kind: str  # key, index, wildcard, slice, deep, filter, length
    key: str = ""
    index: int = 0
    bounds: tuple[int | None, int | None, int | None] = (None, None, None)
    test: tuple[tuple[str, ...], str | None, Any] = ((), None, None)


@dataclass(frozen=True)
class ParsedPath:
    root: str  # "$", "$$", or a variable name
    segments: tuple[Segment, ...]

    @property
    def definite(self) -> bool:
        return all(s.kind in ("key", "index", "length") for s in self.segments)


_CACHE: dict[str, ParsedPath] = {}


def parse(path: str) -> ParsedPath:
    """Split a path into its root and segments; `PathError` when it is not one."""
    cached = _CACHE.get(path)
    if cached is not None:
        return cached
    given, path = path, path.rstrip(" \t\r\n")  # trailing blanks are trimmed, as the validator says
    if not path.startswith("$"):
        raise PathError(f"{path!r} is not a path (a path starts with '$')")
    if path.startswith("$$"):
        root, rest = "$$", path[2:]
    else:
        match = _NAME.match(path, 1)
        if match and path[1] != ".":
            root, rest = match.group(), path[match.end() :]
        else:
            root, rest = "$", path[1:]
    parsed = ParsedPath(root, tuple(_segments(path, rest)))
    _CACHE[given] = parsed
    return parsed


def _segments(path: str, rest: str) -> list[Segment]:
    out: list[Segment] = []
    i = 0
    while i < len(rest):
        if rest.startswith("..", i):
            match = _NAME.match(rest, i + 2)
            if not match:
                raise PathError(f"{path!r}: '..' must be followed by a name")
            key = match.group()
            out.append(Segment("deep", key="" if key == "*" else key))
            i = match.end()
        elif rest.startswith(".[", i):
            i += 1  # `$.[0]`: Jayway reads a dot before a bracket as the bracket alone
        elif rest[i] == ".":
            match = _NAME.match(rest, i + 1)
            if not match:
                raise PathError(f"{path!r}: '.' must be followed by a name")
            key = match.group()
            # Step Functions' JSONPath (Jayway's) has a length() function: `$.items.length()`.
            kind = "wildcard" if key == "*" else "length" if key == "length()" else "key"
            out.append(Segment(kind, key=key if kind == "key" else ""))
            i = match.end()
        elif rest[i] == "[":
            end = _closing(path, rest, i)
            out.append(_bracket(path, rest[i + 1 : end].strip()))
            i = end + 1
        else:
            raise PathError(f"{path!r}: unexpected {rest[i]!r}")
    return out


def _closing(path: str, rest: str, start: int) -> int:
    # The validator's scanner: a backslash inside a quoted key escapes the next character, as `_bracket` unescapes.
    end = bracket_end(rest, start)
    if end < 0:
        raise PathError(f"{path!r}: '[' is never closed")
    return end - 1


def _bracket(path: str, inner: str) -> Segment:
    if inner == "*":
        return Segment("wildcard")
    if len(inner) >= 2 and inner[0] == inner[-1] and inner[0] in "'\"":
        return Segment("key", key=inner[1:-1].replace("\\" + inner[0], inner[0]))
    if re.fullmatch(r"-?\d+", inner):
        return Segment("index", index=int(inner))
    if ":" in inner and re.fullmatch(r"-?\d*(:-?\d*){1,2}", inner):
        parts = [int(p) if p else None for p in inner.split(":")]
        parts += [None] * (3 - len(parts))
        return Segment("slice", bounds=(parts[0], parts[1], parts[2]))
    match = _FILTER.match(inner)
    if match:
        keys = tuple(k for k in match.group(1).split(".") if k)
        literal: Any = None
        if match.group(3) is not None:
            literal = _literal(path, match.group(3).strip())
        return Segment("filter", test=(keys, match.group(2), literal))
    raise PathError(f"{path!r}: [{inner}] is not an index, a quoted name, '*', a slice or a filter")


def _literal(path: str, text: str) -> Any:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    if text in ("true", "false"):
        return text == "true"
    if text == "null":
        return None
    try:
        return float(text) if any(c in text for c in ".eE") else int(text)
    except ValueError:
        raise PathError(f"{path!r}: {text!r} is not a literal a filter can compare with") from None


_MISSING = object()


def select(path: str, data: Any, context: Any = None, variables: Mapping[str, Any] | None = None) -> Any:
    """The value a path names; a list of matches for a path with `*`, `..`, a slice or a filter.

    Raises `PathError` when a definite path names something that is not there.
    """
    parsed = parse(path)
    if parsed.root == "$":
        base = data
    elif parsed.root == "$$":
        base = context
    else:
        if variables is None or parsed.root not in variables:
            raise PathError(f"variable ${parsed.root} is not assigned")
        base = variables[parsed.root]
    if parsed.definite:
        value = base
        for segment in parsed.segments:
            value = _step(value, segment)
            if value is _MISSING:
                raise PathError(f"{path!r} names nothing in the data")
        return value
    values = [base]
    for segment in parsed.segments:
        values = [v for value in values for v in _many(value, segment)]
    return values


def _step(value: Any, segment: Segment) -> Any:
    if segment.kind == "length":
        return len(value) if isinstance(value, (list, dict, str)) else _MISSING
    if segment.kind == "key":
        if isinstance(value, dict):
            return value.get(segment.key, _MISSING)
        return _MISSING
    if isinstance(value, list) and -len(value) <= segment.index < len(value):
        return value[segment.index]
    return _MISSING


def _many(value: Any, segment: Segment) -> list[Any]:
    if segment.kind in ("key", "index", "length"):
        found = _step(value, segment)
        return [] if found is _MISSING else [found]
    if segment.kind == "wildcard":
        if isinstance(value, dict):
            return list(value.values())
        return list(value) if isinstance(value, list) else []
    if segment.kind == "slice":
        start, stop, step = segment.bounds
        return list(value[start:stop:step]) if isinstance(value, list) else []
    if segment.kind == "deep":
        return list(_descend(value, segment.key))
    members = value if isinstance(value, list) else list(value.values()) if isinstance(value, dict) else []
    return [m for m in members if _passes(m, segment.test)]


def _descend(value: Any, key: str) -> Any:
    if isinstance(value, dict):
        for name, child in value.items():
            if not key or name == key:
                yield child
            yield from _descend(child, key)
    elif isinstance(value, list):
        for child in value:
            if not key:
                yield child
            yield from _descend(child, key)


def _passes(member: Any, test: tuple[tuple[str, ...], str | None, Any]) -> bool:
    keys, operator, literal = test
    value = member
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            return False
        value = value[key]
    if operator is None:
        return True
    try:
        return bool(
            {
                "==": lambda: value == literal,
                "!=": lambda: value != literal,
                "<": lambda: value < literal,
                "<=": lambda: value <= literal,
                ">": lambda: value > literal,
                ">=": lambda: value >= literal,
            }[operator]()
        )
    except TypeError:
        return False


def assign(path: str, target: Any, value: Any) -> Any:
    """A copy of `target` with `value` placed at `path` (ResultPath); missing objects on the way are created.

    Raises `PathError` when the path is not a definite `$` path or runs through something that is not an object.
    """
    parsed = parse(path)
    if parsed.root != "$" or not parsed.definite or any(s.kind == "length" for s in parsed.segments):
        raise PathError(f"{path!r} is not a reference path (only '$' and its fields and indexes)")
    if not parsed.segments:
        return value
    result = copy.deepcopy(target)
    if not isinstance(result, (dict, list)):
        raise PathError(f"cannot place a value at {path!r}: the input is not an object")
    node = result
    for position, segment in enumerate(parsed.segments):
        last = position == len(parsed.segments) - 1
        if segment.kind == "key":
            if not isinstance(node, dict):
                raise PathError(f"cannot place a value at {path!r}: {segment.key!r} is inside something not an object")
            if last:
                node[segment.key] = value
            else:
                if segment.key not in node:
                    node[segment.key] = {}
                node = node[segment.key]
        else:
            if not isinstance(node, list) or not -len(node) <= segment.index < len(node):
                raise PathError(f"cannot place a value at {path!r}: index {segment.index} is not in an array")
            if last:
                node[segment.index] = value
            else:
                node = node[segment.index]
    return result
