"""Workflow variables: Assign keys that are plain names, and where each variable can hold a value.

Reads are found with regular expressions over the expression text (strings and comments blanked first), which is
enough to tell a workflow variable from a JSONata local or function; the flow is a forward may-analysis per scope.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from asl_gen.lint.base import CheckerBase
from asl_gen.lint.findings import Issue, Path, as_list
from asl_gen.lint.paths import PATH_FIELDS
from asl_gen.lint.scopes import WorkflowScope, language_of

VARIABLE_NAME_LIMIT = 80

_JSONATA_STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|/\*.*?\*/", re.DOTALL)
_JSONATA_VARIABLE = re.compile(r"(?<![\w$])\$(?P<name>[^\W\d]\w*)(?P<call>\s*\()?")
_JSONATA_BOUND = re.compile(r"\$(?P<name>[^\W\d]\w*)\s*:=")
_JSONATA_PARAMETERS = re.compile(r"function\s*\((?P<params>[^)]*)\)")
_JSONPATH_VARIABLE = re.compile(r"(?<![\w$])\$(?P<name>[^\W\d]\w*)")
_INTRINSIC_STRING = re.compile(r"'(?:[^'\\]|\\.)*'")


# Fields whose string value is a path in JSONPath states (variables may appear at their start).
_JSONPATH_PATH_FIELDS = frozenset({*PATH_FIELDS, "ErrorPath", "CausePath", "Variable"})
# Nested scopes are their own: the walk of a state's reads stops at them.
_NESTED = frozenset({"Branches", "ItemProcessor", "Iterator", "Comment"})


# JSONata 2.0 built-in functions and those Step Functions adds: passed by name (`$map(xs, $string)`) they are
# functions, not workflow variables.
_JSONATA_FUNCTIONS = frozenset(
    [
        "string",
        "length",
        "substring",
        "substringBefore",
        "substringAfter",
        "uppercase",
        "lowercase",
        "trim",
        "pad",
        "contains",
        "split",
        "join",
        "match",
        "replace",
        "eval",
        "base64encode",
        "base64decode",
        "encodeUrlComponent",
        "encodeUrl",
        "decodeUrlComponent",
        "decodeUrl",
        "formatNumber",
        "formatBase",
        "formatInteger",
        "parseInteger",
        "number",
        "abs",
        "floor",
        "ceil",
        "round",
        "power",
        "sqrt",
        "random",
        "sum",
        "max",
        "min",
        "average",
        "count",
        "boolean",
        "not",
        "exists",
        "append",
        "sort",
        "reverse",
        "shuffle",
        "distinct",
        "zip",
        "keys",
        "lookup",
        "spread",
        "merge",
        "sift",
        "each",
        "error",
        "assert",
        "type",
        "now",
        "millis",
        "fromMillis",
        "toMillis",
        "map",
        "filter",
        "single",
        "reduce",
        "partition",
        "range",
        "hash",
        "uuid",
        "parse",
    ]
)


def _jsonata_reads(text: str) -> set[str]:
    if not (text.startswith("{%") and text.endswith("%}")):
        return set()
    body = _JSONATA_STRING.sub("''", text[2:-2])
    bound = {m["name"] for m in _JSONATA_BOUND.finditer(body)}
    for params in _JSONATA_PARAMETERS.finditer(body):
        bound |= {p.strip().removeprefix("$") for p in params["params"].split(",")}
    names = {m["name"] for m in _JSONATA_VARIABLE.finditer(body) if not m["call"]}
    return names - bound - _JSONATA_FUNCTIONS - {"states"}


def _jsonpath_reads(text: str) -> set[str]:
    if text.startswith("States."):
        text = _INTRINSIC_STRING.sub("''", text)
    elif not text.startswith("$"):
        return set()
    return {m["name"] for m in _JSONPATH_VARIABLE.finditer(text)}


def _reads(value: Any, language: str, key: str = "", dynamic: bool = False) -> Iterator[tuple[str, Path]]:
    """(variable, relative path) for every variable a state's fields read, nested scopes excluded."""
    if isinstance(value, dict):
        for child_key, item in value.items():
            if child_key in _NESTED:
                continue
            for name, sub in _reads(item, language, child_key, child_key.endswith(".$")):
                yield name, (child_key, *sub)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            for name, sub in _reads(item, language, key, dynamic):
                yield name, (index, *sub)
    elif isinstance(value, str):
        if language == "JSONata":
            names = _jsonata_reads(value)
        elif dynamic or key in _JSONPATH_PATH_FIELDS or (key.endswith("Path") and key != "ResultPath"):
            names = _jsonpath_reads(value)
        else:
            names = set()
        for name in sorted(names):
            yield name, ()


def _assigns(state: dict[str, Any], language: str) -> Iterator[tuple[str, Path]]:
    blocks: list[tuple[Path, Any]] = [(("Assign",), state.get("Assign"))]
    for key in ("Choices", "Catch"):
        items = state.get(key)
        for index, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict):
                blocks.append(((key, index, "Assign"), item.get("Assign")))
    for path, block in blocks:
        if isinstance(block, dict):
            for key in block:
                name = key.removesuffix(".$") if language == "JSONPath" else key
                yield name, (*path, key)


def _successors(state: dict[str, Any]) -> Iterator[str]:
    if isinstance(state.get("Next"), str):
        yield state["Next"]
    if isinstance(state.get("Default"), str):
        yield state["Default"]
    for key in ("Choices", "Catch"):
        items = state.get(key)
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and isinstance(item.get("Next"), str):
                yield item["Next"]


def check_variables(scopes: list[WorkflowScope]) -> list[Issue]:
    """Every assignment and read of a variable that its scope does not allow, or that may find no value."""
    return _Variables(scopes).check()


class _Variables:
    """Where each variable can have a value, scope by scope, and every read or assignment that breaks that."""

    def __init__(self, scopes: list[WorkflowScope]) -> None:
        self.scopes = scopes
        self.assigned_anywhere: set[str] = set()
        # Per scope: variables that may hold a value on entry to each of its states.
        self.available: dict[Path, dict[str, set[str]]] = {}
        self.issues: list[Issue] = []

    def check(self) -> list[Issue]:
        for scope in self.scopes:
            for state in scope.states.values():
                if isinstance(state, dict):
                    self.assigned_anywhere |= {n for n, _ in _assigns(state, language_of(state, scope))}
        for scope in self.scopes:  # parents come before their children
            self._check_scope(scope)
        return self.issues

    def _outer_names(self, scope: WorkflowScope) -> set[str]:
        """Variables the enclosing scopes assign anywhere (an inner scope may not assign them)."""
        names: set[str] = set()
        parent = scope.parent
        while parent is not None:
            for state in parent.states.values():
                if isinstance(state, dict):
                    names |= {n for n, _ in _assigns(state, language_of(state, parent))}
            parent = parent.parent
        return names

    def _on_entry(self, scope: WorkflowScope) -> set[str]:
        if scope.parent is None or scope.owner is None:
            return set()
        return set(self.available.get(scope.parent.path, {}).get(scope.owner, set()))

    def _check_scope(self, scope: WorkflowScope) -> None:
        outer = self._outer_names(scope)
        inherited = set() if scope.distributed else self._on_entry(scope)
        hidden = self._on_entry(scope) if scope.distributed else set()
        local: dict[str, set[str]] = {}
        for name, state in scope.states.items():
            if not isinstance(state, dict):
                continue
            language = language_of(state, scope)
            for variable, sub in _assigns(state, language):
                local.setdefault(name, set()).add(variable)
                if variable in outer and scope.parent is not None:
                    self.issues.append(
                        Issue(
                            (*scope.path, "States", name, *sub),
                            f"'{variable}' belongs to an enclosing scope; a Parallel branch or Map iteration can "
                            "read it but not assign it",
                            "use another name here, and pass results out through the branch's or iteration's Output",
                            "variable-scope",
                        )
                    )
                if len(variable) > VARIABLE_NAME_LIMIT:
                    self.issues.append(
                        Issue(
                            (*scope.path, "States", name, *sub),
                            f"variable name is {len(variable)} characters long; the limit is {VARIABLE_NAME_LIMIT}",
                            "shorten it",
                            "variable-name",
                        )
                    )
        available = self._flow(scope, local, inherited)
        self.available[scope.path] = available
        for name, state in scope.states.items():
            if not isinstance(state, dict):
                continue
            language = language_of(state, scope)
            for variable, sub in _reads(state, language):
                if variable in available.get(name, set()):
                    continue
                path = (*scope.path, "States", name, *sub)
                if variable in hidden:
                    message = (
                        f"reads ${variable}, but a Distributed Map's iterations cannot see the variables of "
                        "the workflow that runs them"
                    )
                    hint = "pass the value in through ItemSelector (or BatchInput)"
                    self.issues.append(Issue(path, message, hint, "variable-scope"))
                elif variable not in self.assigned_anywhere:
                    message = f"reads ${variable}, but no state assigns a variable '{variable}'"
                    hint = 'assign it earlier with "Assign", or fix the name'
                    # AWS accepts such a definition; the run fails when it gets here.
                    self.issues.append(Issue(path, message, hint, "undefined-variable", "warning"))
                else:
                    message = (
                        f"reads ${variable}, but no state that runs before this one in its scope can have assigned "
                        "it (an assignment takes effect from the next state on; variables assigned inside a "
                        "Parallel branch or Map iteration stay there)"
                    )
                    hint = "assign it on every path to this state"
                    self.issues.append(Issue(path, message, hint, "variable-before-assignment", "warning"))

    def _flow(self, scope: WorkflowScope, local: dict[str, set[str]], inherited: set[str]) -> dict[str, set[str]]:
        """Variables that may hold a value on entry to each state: a forward may-analysis to a fixed point."""
        states = {n: s for n, s in scope.states.items() if isinstance(s, dict)}
        entry: dict[str, set[str]] = {name: set(inherited) for name in states}
        queue = [n for n in states]
        while queue:
            name = queue.pop()
            out = entry[name] | local.get(name, set())
            for successor in _successors(states[name]):
                if successor in entry and not out <= entry[successor]:
                    entry[successor] |= out
                    queue.append(successor)
        return entry


class AssignRules(CheckerBase):
    """The keys of every Assign block of a state."""

    def _check_assign_keys(self, path: Path, state: dict[str, Any], language: str) -> None:
        blocks: list[tuple[Path, object]] = [((*path, "Assign"), state.get("Assign"))]
        for index, catcher in enumerate(as_list(state.get("Catch"))):
            if isinstance(catcher, dict):
                blocks.append(((*path, "Catch", index, "Assign"), catcher.get("Assign")))
        for index, rule in enumerate(as_list(state.get("Choices"))):
            if isinstance(rule, dict):
                blocks.append(((*path, "Choices", index, "Assign"), rule.get("Assign")))
        for block_path, block in blocks:
            if not isinstance(block, dict):
                continue
            for key in block:
                name = key.removesuffix(".$") if language == "JSONPath" else key
                if name == "states":
                    self._add(
                        (*block_path, key),
                        "'states' is reserved ($states); choose another variable name",
                        rule="variable-name",
                    )
                elif not name or any(c in name for c in ".[]"):
                    self._add(
                        (*block_path, key),
                        f"'{key}' is not a variable name; Assign sets whole variables",
                        'assign the whole object, e.g. {"order": …}, instead of one field of it',
                        rule="variable-name",
                    )
