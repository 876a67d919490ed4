"""The fields of one state in its query language: JSONPath-only and JSONata-only fields, timeouts."""

from __future__ import annotations

from typing import Any

from asl_gen.lint.findings import Path, as_list, query_language_field
from asl_gen.lint.jsonata_syntax import looks_like_jsonata
from asl_gen.lint.paths import PATH_FIELDS
from asl_gen.lint.values import ValueRules

# State-level fields of one query language (the schema covers states that set QueryLanguage themselves).
JSONPATH_ONLY = (
    "InputPath",
    "OutputPath",
    "Parameters",
    "ResultSelector",
    "ResultPath",
    "Result",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "SecondsPath",
    "TimestampPath",
    "ItemsPath",
    "MaxConcurrencyPath",
    "ToleratedFailureCountPath",
    "ToleratedFailurePercentagePath",
    "ErrorPath",
    "CausePath",
)
JSONATA_ONLY = ("Arguments", "Output", "Items")
# Fields that take a number (or a timestamp) in JSONPath and may instead hold an expression in JSONata.
_EXPRESSION_VALUED = (
    "TimeoutSeconds",
    "HeartbeatSeconds",
    "Seconds",
    "Timestamp",
    "MaxConcurrency",
    "ToleratedFailureCount",
    "ToleratedFailurePercentage",
    "ItemSelector",
)


class StateRules(ValueRules):
    """The fields of one state: timeouts, and the fields of its query language."""

    def _check_timeouts(self, path: Path, state: dict[str, Any]) -> None:
        timeout, heartbeat = state.get("TimeoutSeconds"), state.get("HeartbeatSeconds")
        if isinstance(timeout, int) and isinstance(heartbeat, int) and heartbeat >= timeout:
            self._add(
                (*path, "HeartbeatSeconds"),
                f"HeartbeatSeconds ({heartbeat}) must be smaller than TimeoutSeconds ({timeout})",
                "a heartbeat that never arrives before the timeout cannot fire",
                rule="heartbeat-timeout",
            )

    def _check_jsonpath_state(self, path: Path, state: dict[str, Any]) -> None:
        for key in PATH_FIELDS:
            self._check_path_value((*path, key), state.get(key), key in state)
        if isinstance(state.get("ResultPath"), str):
            self._check_path_value((*path, "ResultPath"), state["ResultPath"], True, reference=True)
        if state.get("Type") == "Fail":
            for key in ("ErrorPath", "CausePath"):
                if isinstance(state.get(key), str):
                    self._check_dynamic_value((*path, key), state[key], string_only=True)
        for key in ("Parameters", "ResultSelector", "ItemSelector", "Credentials", "Assign"):
            if key in state:
                self._check_payload((*path, key), state[key])
        for key in _EXPRESSION_VALUED:
            if looks_like_jsonata(state.get(key)) or (key == "ItemSelector" and isinstance(state.get(key), str)):
                self._add(
                    (*path, key),
                    f"'{key}' holds a JSONata expression, but this state uses JSONPath",
                    f'set "QueryLanguage": "JSONata" on the state, or use \'{key}Path\' with a JSONPath path'
                    if key != "ItemSelector"
                    else 'use an object with "key.$": "$.path" entries',
                    rule="query-language-field",
                )
        for index, catcher in enumerate(as_list(state.get("Catch"))):
            if not isinstance(catcher, dict):
                continue
            catcher_path = (*path, "Catch", index)
            if "Output" in catcher:
                self.findings.append(query_language_field((*catcher_path, "Output"), "JSONata"))
            if isinstance(catcher.get("ResultPath"), str):
                self._check_path_value((*catcher_path, "ResultPath"), catcher["ResultPath"], True, reference=True)
            if "Assign" in catcher:
                self._check_payload((*catcher_path, "Assign"), catcher["Assign"])

    def _check_jsonata_state(self, path: Path, state: dict[str, Any]) -> None:
        kind = state.get("Type")
        produces_result = kind in ("Task", "Parallel", "Map")
        for key in ("Arguments", "Items", "ItemSelector", "Credentials", *_EXPRESSION_VALUED, "Error", "Cause"):
            if key in state:
                self._check_expressions((*path, key), state[key])
        for key in ("Output", "Assign"):
            if key in state:
                self._check_expressions((*path, key), state[key], result_allowed=produces_result)
        for index, catcher in enumerate(as_list(state.get("Catch"))):
            if not isinstance(catcher, dict):
                continue
            catcher_path = (*path, "Catch", index)
            if "ResultPath" in catcher:
                self.findings.append(query_language_field((*catcher_path, "ResultPath"), "JSONPath"))
            for key in ("Output", "Assign"):
                if key in catcher:
                    self._check_expressions((*catcher_path, key), catcher[key], error_output_allowed=True)
