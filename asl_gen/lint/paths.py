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


def bracket_end(text: str, start: int, opening: str = "[", closing: str = "]") -> int:
    """Index just past the `closing` that closes the `opening` at `start` (quoted text skipped), or -1."""
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
        elif ch == opening:
            depth += 1
        elif ch == closing:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return -1


def path_error(text: str, *, reference: bool = False) -> str | None:
    """Say what is wrong with a JSONPath Path (or, with `reference`, a Reference Path); None when it is fine."""
    # Trailing blanks ("$$.Execution.Name ") are trimmed: AWS's own language service trims them, LocalStack
    # accepts them, and published samples that deploy have them.
    text = text.rstrip(" \t\r\n")
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
            if i < len(text) and text[i] == "[":
                # `$.[0]`, `$.a.[0].b`: Jayway reads a dot before a bracket as the bracket alone, and Step
                # Functions accepts it (asl-validator issue #47; published samples that deploy use `$.[0].body`).
                continue
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
            if inner.startswith("?"):
                problem = filter_error(inner)
                if problem:
                    return f"the filter at position {i} is not valid: {problem}"
            i = end
        else:
            return f"unexpected {text[i]!r} at position {i}"
    return None


def _scan_name(text: str, start: int) -> int:
    i = start
    while i < len(text) and text[i] not in _NAME_STOP:
        i += 1
    return i


# Filter expressions, `[?(…)]`, as Jayway reads them. Syntax only: a filter is an expression of comparisons
# joined by `&&` and `||`, negated with `!` and grouped with parentheses; a comparison is an operand, or two
# operands around one of Jayway's operators (`==`, `!=`, `<`, `<=`, `>`, `>=`, `=~` and the words `in`, `nin`,
# `subsetof`, `anyof`, `noneof`, `size`, `empty`, `contains`); an operand is a path from the current item (`@`)
# or the input (`$`), a number, a quoted string, a bare word (`true`, `false`, `null`, or a string), a
# `/regex/flags`, a `[list]` or a JSON object. An operator with nothing after it, or an unclosed parenthesis,
# string or bracket, is refused by Jayway when the state runs.
_WORD_OPERATORS = ("subsetof", "contains", "noneof", "anyof", "empty", "size", "nin", "in")
_SYMBOL_OPERATORS = ("==", "!=", "<=", ">=", "=~", "<", ">")
_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PATH_NAME = re.compile(r"[^\s.\[\]()=!<>&|,~]+")


class FilterError(Exception):
    """What is wrong with a filter, with the position inside it."""


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, what: str) -> FilterError:
        return FilterError(f"{what} at position {self.pos} of the filter")

    def spaces(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def at(self, token: str) -> bool:
        self.spaces()
        return self.text.startswith(token, self.pos)

    def expression(self) -> None:
        self.conjunction()
        while self.at("||"):
            self.pos += 2
            self.conjunction()

    def conjunction(self) -> None:
        self.unary()
        while self.at("&&"):
            self.pos += 2
            self.unary()

    def unary(self) -> None:
        if self.at("!") and not self.at("!="):
            self.pos += 1
            self.unary()
            return
        if self.at("("):
            self.pos += 1
            self.expression()
            if not self.at(")"):
                raise self.fail("expected ')'")
            self.pos += 1
            return
        self.comparison()

    def comparison(self) -> None:
        self.operand()
        self.spaces()
        for symbol in _SYMBOL_OPERATORS:
            if self.text.startswith(symbol, self.pos):
                self.pos += len(symbol)
                self.operand()
                return
        word = _WORD.match(self.text, self.pos)
        if word is not None and word.group() in _WORD_OPERATORS:
            self.pos = word.end()
            self.operand()

    def operand(self) -> None:
        self.spaces()
        if self.pos >= len(self.text):
            raise self.fail("expected a value or a path")
        char = self.text[self.pos]
        if char in "@$":
            self.path()
        elif char in "'\"":
            self.string(char)
        elif char == "/":
            self.regex()
        elif char == "[":
            end = bracket_end(self.text, self.pos)
            if end < 0:
                raise self.fail("the '[' is never closed")
            self.pos = end
        elif char == "{":
            self.json_object()
        elif (number := _NUMBER.match(self.text, self.pos)) is not None:
            self.pos = number.end()
        elif (word := _WORD.match(self.text, self.pos)) is not None:
            # true, false, null, or a bare word Jayway reads as a string (`@.OutputKey == FizzBuzz`, which the
            # conformance corpus has AWS accept).
            self.pos = word.end()
        else:
            raise self.fail(f"expected a value or a path, found {self.text[self.pos :][:12]!r}")

    def path(self) -> None:
        self.pos += 1
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == ".":
                self.pos += 1
                if self.text.startswith(".", self.pos):
                    self.pos += 1
                name = _PATH_NAME.match(self.text, self.pos)
                if name is not None:
                    self.pos = name.end()
                    if self.text.startswith("()", self.pos):
                        self.pos += 2
                elif not self.text.startswith("[", self.pos):
                    raise self.fail("'.' must be followed by a field name")
            elif char == "[":
                end = bracket_end(self.text, self.pos)
                if end < 0:
                    raise self.fail("the '[' is never closed")
                self.pos = end
            else:
                return

    def string(self, quote: str) -> None:
        start = self.pos
        self.pos += 1
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == "\\":
                self.pos += 2
                continue
            self.pos += 1
            if char == quote:
                return
        self.pos = start
        raise self.fail("the string is never closed")

    def regex(self) -> None:
        start = self.pos
        self.pos += 1
        while self.pos < len(self.text) and self.text[self.pos] != "/":
            self.pos += 2 if self.text[self.pos] == "\\" else 1
        if self.pos >= len(self.text):
            self.pos = start
            raise self.fail("the regular expression is never closed with '/'")
        self.pos += 1
        while self.pos < len(self.text) and self.text[self.pos] in "imsx":
            self.pos += 1

    def json_object(self) -> None:
        end = bracket_end(self.text, self.pos, "{", "}")
        if end < 0:
            raise self.fail("the '{' is never closed")
        self.pos = end


def filter_error(inner: str) -> str | None:
    """What is wrong with the inside of a `[...]` that starts with '?': `?(expression)`; None when it is fine."""
    text = inner[1:].strip()
    if not text.startswith("(") or not text.endswith(")"):
        return "a filter is written [?(expression)]"
    parser = _Parser(text[1:-1])
    try:
        parser.expression()
        parser.spaces()
        if parser.pos != len(parser.text):
            raise parser.fail(f"unexpected {parser.text[parser.pos :][:12]!r}")
    except FilterError as exc:
        return str(exc)
    return None
