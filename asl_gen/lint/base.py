"""What every family of state rules shares: the definition, its scopes, the state names, and how to report.

`Checker` (checker.py) combines the families; each family is a class over this base, one module per family.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from asl_gen.lint.findings import Draft, Path


@dataclass
class Scope:
    """One list of states: the top level, a Parallel branch or a Map processor."""

    path: Path
    root: dict[str, Any]
    states: dict[str, Any]
    query_language: str | None


class CheckerBase:
    """The walkable part of a definition (its structure may be partly broken) and the findings so far."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.findings: list[Draft] = []
        language = doc.get("QueryLanguage")
        self.top_language = language if language in ("JSONPath", "JSONata") else "JSONPath"
        self.scopes: list[Scope] = []
        self._collect_scope((), doc, None)
        self.names: dict[str, list[Path]] = {}
        for scope in self.scopes:
            for name in scope.states:
                self.names.setdefault(name, []).append((*scope.path, "States", name))

    def _add(
        self, path: Path, message: str, hint: str | None = None, *, rule: str, leaf: bool = False, warning: bool = False
    ) -> None:
        severity = "warning" if warning else "error"
        self.findings.append(Draft(path, message, hint, leaf=leaf, rule=rule, severity=severity))

    def _collect_scope(self, path: Path, root: object, inherited: str | None) -> None:
        if not isinstance(root, dict) or not isinstance(root.get("States"), dict):
            return
        language = root.get("QueryLanguage") if root.get("QueryLanguage") in ("JSONPath", "JSONata") else inherited
        self.scopes.append(Scope(path, root, root["States"], language if path else None))
        for name, state in root["States"].items():
            if not isinstance(state, dict):
                continue
            state_path = (*path, "States", name)
            if state.get("Type") == "Parallel" and isinstance(state.get("Branches"), list):
                for index, branch in enumerate(state["Branches"]):
                    self._collect_scope((*state_path, "Branches", index), branch, language)
            if state.get("Type") == "Map":
                for key in ("ItemProcessor", "Iterator"):
                    self._collect_scope((*state_path, key), state.get(key), language)

    def _language(self, state: dict[str, Any], scope: Scope) -> tuple[str, bool]:
        explicit = state.get("QueryLanguage")
        if explicit in ("JSONPath", "JSONata"):
            return str(explicit), True
        return scope.query_language or self.top_language, False
