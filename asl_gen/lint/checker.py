"""The semantic checks of a state machine, every family of rules run over every scope and state."""

from __future__ import annotations

from typing import Any

from asl_gen.lint.arns import resource_error
from asl_gen.lint.base import Scope
from asl_gen.lint.choice import ChoiceRules
from asl_gen.lint.findings import Draft, Path, as_list, query_language_field
from asl_gen.lint.graph import GraphRules
from asl_gen.lint.handlers import HandlerRules
from asl_gen.lint.maps import MapRules
from asl_gen.lint.states import JSONATA_ONLY, JSONPATH_ONLY, StateRules
from asl_gen.lint.variables import AssignRules


class Checker(GraphRules, StateRules, ChoiceRules, MapRules, HandlerRules, AssignRules):
    """Semantic checks over a definition whose structure may be partly broken: walk what is walkable."""

    def run(self) -> list[Draft]:
        self._check_names()
        for scope in self.scopes:
            self._check_graph(scope)
            for name, state in scope.states.items():
                if isinstance(state, dict):
                    self._check_state((*scope.path, "States", name), state, scope)
        return self.findings

    def _check_state(self, path: Path, state: dict[str, Any], scope: Scope) -> None:
        language, explicit = self._language(state, scope)
        kind = state.get("Type")
        if self.top_language == "JSONata" and language == "JSONPath":
            where = (*path, "QueryLanguage") if explicit else path
            self._add(
                where,
                "a state machine whose top-level QueryLanguage is JSONata cannot contain JSONPath states",
                "convert this state to JSONata, or make the top level JSONPath and mark JSONata states one by one",
                rule="jsonpath-state-in-jsonata-machine",
            )
        if not explicit:
            if scope.query_language:
                inherited = " (from the QueryLanguage of its branch or processor)"
            elif "QueryLanguage" in self.doc:
                inherited = " (from the top-level QueryLanguage)"
            else:
                inherited = " (the default query language)"
            only = JSONPATH_ONLY if language == "JSONata" else JSONATA_ONLY
            other = "JSONPath" if language == "JSONata" else "JSONata"
            for key in only:
                if key in state:
                    self.findings.append(query_language_field((*path, key), other, inherited))
        if language == "JSONPath":
            self._check_jsonpath_state(path, state)
        else:
            self._check_jsonata_state(path, state)
        if kind == "Task" and isinstance(state.get("Resource"), str):
            problem = resource_error(state["Resource"])
            if problem:
                self._add((*path, "Resource"), problem, leaf=True, rule="task-resource")
        if kind == "Task":
            self._check_timeouts(path, state)
        if kind == "Choice":
            for index, rule in enumerate(as_list(state.get("Choices"))):
                if isinstance(rule, dict):
                    self._check_rule((*path, "Choices", index), rule, language, top=True)
        if kind == "Map":
            self._check_map_parts(path, state, language)
        for key in ("Retry", "Catch"):
            self._check_error_handlers((*path, key), as_list(state.get(key)))
        self._check_assign_keys(path, state, language)
