"""JSONPath as Step Functions reads it: the syntax of a Path and of a Reference Path.

Why our own scanner and not a JSONPath library: Step Functions' JSONPath is Jayway's with its own additions and
restrictions, and no library reads that language. A Path may start with `$$` (the context object) or `$name` (a
workflow variable); brackets hold what Jayway accepts (`[?(@.price < 10)]`, `[(@.length-1)]`, slices, unions);
a Reference Path (ResultPath) allows none of `$$`, variables, `..`, `*` or filters, only `.name`, `[index]` and
`['name']`. jsonpath-ng 1.8 (`jsonpath_ng.ext.parse`, the best-kept Python one) refuses `$$.Execution.Id`,
`$total` and `$.a[(@.length-1)]`, which AWS accepts, and knows nothing of the Reference Path rules; it is not a
runtime dependency either. The check here is syntax only (nothing is evaluated: the simulator has its own
evaluator), so a scanner that finds the segments and says where one goes wrong is all it takes.
"""

from __future__ import annotations

import re

# Fields whose value is a path in JSONPath states: the state rules check their syntax, `variables` their reads.
PATH_FIELDS = (
    "InputPath",
    "OutputPath",
    "ItemsPath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "SecondsPath",
    "TimestampPath",
    "MaxConcurrencyPath",
    "ToleratedFailureCountPath",
    "ToleratedFailurePercentagePath",
)


_VARIABLE = re.compile(r"[^\W\d]\w*")
_NAME_STOP = set(".[]()'\",") | {" ", "\t", "\n", "\r"}


def bracket_end(text: str, start: int) -> int:
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


def path_error(text: str, *, reference: bool = False) -> str | None:
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
            end = bracket_end(text, i)
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
