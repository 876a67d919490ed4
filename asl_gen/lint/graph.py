"""State names and transitions: unique and short names, targets that exist in their scope, a terminal state,
reachability.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from asl_gen.errors import pointer_of
from asl_gen.lint.base import CheckerBase, Scope
from asl_gen.lint.findings import Path, as_list, close_match, did_you_mean

_NAME_LIMIT = 80


class GraphRules(CheckerBase):
    """Names and transitions of every scope."""

    def _check_names(self) -> None:
        for name, paths in self.names.items():
            if len(name) > _NAME_LIMIT:
                for path in paths:
                    self._add(
                        path,
                        f"state name is {len(name)} characters long; the limit is {_NAME_LIMIT}",
                        "shorten the name (and every Next that points to it)",
                        rule="state-name-length",
                    )
            for path in paths[1:]:
                self._add(
                    path,
                    f"state name '{name}' is already used at {pointer_of(paths[0])}",
                    "state names must be unique across the whole definition, nested branches and processors included",
                    rule="duplicate-state-name",
                )

    # ---- graph --------------------------------------------------------------------------------------------

    def _transitions(self, path: Path, state: dict[str, Any]) -> Iterator[tuple[Path, object]]:
        if "Next" in state:
            yield (*path, "Next"), state["Next"]
        if state.get("Type") == "Choice":
            if "Default" in state:
                yield (*path, "Default"), state["Default"]
            for index, rule in enumerate(as_list(state.get("Choices"))):
                if isinstance(rule, dict) and "Next" in rule:
                    yield (*path, "Choices", index, "Next"), rule["Next"]
        for index, catcher in enumerate(as_list(state.get("Catch"))):
            if isinstance(catcher, dict) and "Next" in catcher:
                yield (*path, "Catch", index, "Next"), catcher["Next"]

    def _scope_name(self, scope: Scope) -> str:
        if not scope.path:
            return "the top level"
        if "Branches" in scope.path[-2:]:
            return "this Parallel branch"
        return f"this Map {scope.path[-1]}"

    def _check_graph(self, scope: Scope) -> None:
        states = scope.states
        # A state without its Next/End, or a Next that points nowhere (both already reported), hides edges:
        # a terminal-state or reachability finding would then only add noise.
        incomplete = False
        dangling = False
        near_misses: set[str] = set()

        def target_ok(path: Path, target: object, what: str) -> bool:
            nonlocal dangling
            if not isinstance(target, str):
                return False
            if target in states:
                return True
            dangling = True
            if target in self.names:
                self._add(
                    path,
                    f"{what} '{target}' is not in {self._scope_name(scope)}; it is defined at "
                    f"{pointer_of(self.names[target][0])}",
                    "a transition cannot enter or leave a Parallel branch or a Map processor; "
                    "end the inner scope and continue from the Parallel or Map state's own 'Next'",
                    rule="transition-across-scope",
                )
            else:
                guess = close_match(target, states)
                if guess:
                    near_misses.add(guess)
                self._add(
                    path,
                    f"{what} '{target}' is not a state in {self._scope_name(scope)}{did_you_mean(target, states)}",
                    rule="unknown-next-state",
                )
            return False

        start = scope.root.get("StartAt")
        start_ok = target_ok((*scope.path, "StartAt"), start, "StartAt") if "StartAt" in scope.root else False
        edges: dict[str, list[str]] = {}
        has_terminal = False
        for name, state in states.items():
            path = (*scope.path, "States", name)
            if not isinstance(state, dict):
                incomplete = True
                continue
            kind = state.get("Type")
            if state.get("End") is True or kind in ("Succeed", "Fail"):
                has_terminal = True
            if kind not in ("Choice", "Succeed", "Fail") and "Next" not in state and state.get("End") is not True:
                incomplete = True
            if kind == "Choice" and any(isinstance(r, dict) and "Next" not in r for r in as_list(state.get("Choices"))):
                incomplete = True
            edges[name] = []
            for field_path, target in self._transitions(path, state):
                what = "Next state"
                if field_path[-1] == "Default":
                    what = "Default state"
                elif len(field_path) >= 3 and field_path[-3] == "Catch":
                    what = "Catch target"
                if target_ok(field_path, target, what):
                    edges[name].append(str(target))

        if not has_terminal and not incomplete and not dangling:
            self._add(
                (*scope.path, "States"),
                f"{_capitalize(self._scope_name(scope))} has no terminal state, so it can never finish",
                'end a path with "End": true, a Succeed state or a Fail state',
                rule="no-terminal-state",
            )
        if not start_ok or incomplete:
            return
        seen = {str(start)}
        queue = [str(start)]
        while queue:
            for target in edges.get(queue.pop(), []):
                if target not in seen:
                    seen.add(target)
                    queue.append(target)
        for name in states:
            if name not in seen and name not in near_misses:
                self._add(
                    (*scope.path, "States", name),
                    f"state '{name}' is unreachable from '{start}'",
                    "point a Next, Default or Catch at it, or remove it",
                    rule="unreachable-state",
                )


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]
