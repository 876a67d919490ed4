"""JSONata in Step Functions: a syntax check of the 2.x grammar, plus the placement rules of `$states` fields.

Why our own parser and not jsonata-python's (the simulator's evaluator), decided on jsonata-python 0.7.1:
- it is the `simulate` extra, not a runtime dependency: `asl-gen validate` must work with only pydantic, jinja2,
  jsonschema, click and PyYAML installed;
- its parser raises IndexError on an unclosed comment (`/* open`) and words some errors wrongly (`'abc\\q'`
  gives "Empty regular expressions are not allowed" instead of an unsupported escape);
- the checks here need the tree: which parts read the (absent) JSONata input, which `$states.X` fields are read,
  which functions are called. jsonata-python's tree is its evaluator's internal one (`Jsonata.ast`, untyped,
  paths already flattened into steps), not an API, so any release may reshape it.
Both agree on every expression in the tests, the examples and the shared conformance corpus;
tests/test_lint_jsonata_syntax.py keeps checking that, and lists where they part (jsonata-python also refuses
`%` whose parent it cannot derive, which this grammar-only parser lets through).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field


class _JSONataError(Exception):
    pass


@dataclass
class _Token:
    """A token of a JSONata expression and where it starts."""

    kind: str  # "operator", "string", "number", "value", "name", "variable", "regex" or "end"
    value: str
    position: int


@dataclass
class _Node:
    """A node of the parsed JSONata expression."""

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


def syntax_error(expression: str) -> str | None:
    """What is wrong with the syntax of a JSONata expression (the text inside "{% … %}"), or None."""
    try:
        _JSONataParser(expression).parse()
    except _JSONataError as exc:
        return str(exc)
    return None


def jsonata_error(text: str, *, result_allowed: bool, error_output_allowed: bool) -> str | None:
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


def looks_like_jsonata(value: object) -> bool:
    return isinstance(value, str) and (value.startswith("{%") or value.endswith("%}"))
