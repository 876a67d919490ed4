"""Retry and Catch: States.ALL alone and last; a `States.` name that is neither Step Functions' nor raised here."""

from __future__ import annotations

import re
from typing import Any

from asl_gen.lint.base import CheckerBase
from asl_gen.lint.findings import Path, as_list, did_you_mean

_BUILTIN_ERRORS = frozenset(
    {
        "States.ALL",
        "States.Timeout",
        "States.HeartbeatTimeout",
        "States.TaskFailed",
        "States.Permissions",
        "States.ResultPathMatchFailure",
        "States.ParameterPathFailure",
        "States.QueryEvaluationError",
        "States.BranchFailed",
        "States.NoChoiceMatched",
        "States.IntrinsicFailure",
        "States.ExceedToleratedFailureThreshold",
        "States.ItemReaderFailed",
        "States.ResultWriterFailed",
        "States.DataLimitExceeded",
        "States.Runtime",
        "States.Http.Socket",
    }
)
# The HTTP Task reports a non-2xx answer as States.Http.StatusCode.<code>.
_HTTP_STATUS_ERROR = re.compile(r"States\.Http\.StatusCode\.\d{3}")


class HandlerRules(CheckerBase):
    """The retriers and catchers of a state."""

    _fail_errors: frozenset[str] | None = None

    def _check_error_handlers(self, path: Path, handlers: list[Any]) -> None:
        noun = "retrier" if path[-1] == "Retry" else "catcher"
        for index, handler in enumerate(handlers):
            if not isinstance(handler, dict):
                continue
            names = [n for n in as_list(handler.get("ErrorEquals")) if isinstance(n, str)]
            for position, name in enumerate(names):
                name_path = (*path, index, "ErrorEquals", position)
                if name == "States.ALL" and len(names) > 1:
                    self._add(
                        name_path,
                        "'States.ALL' must be the only name in its ErrorEquals",
                        f"move the other names into an earlier {noun}",
                        rule="states-all-alone",
                    )
                if name == "States.ALL" and index != len(handlers) - 1:
                    self._add(
                        name_path,
                        f"the {noun} with 'States.ALL' must be the last one in '{path[-1]}'",
                        f"{noun}s after it can never match; move it to the end",
                        rule="states-all-last",
                    )
                if (
                    name.startswith("States.")
                    and name not in _BUILTIN_ERRORS
                    and not _HTTP_STATUS_ERROR.fullmatch(name)
                    and name not in self._raised_errors()
                ):
                    # AWS creates such a machine (the reserved prefix is a convention, not a rule it enforces):
                    # published samples catch `States.QuorumMet`, which their own Fail state raises. A name no
                    # Fail state raises is most likely a misspelt built-in error, which would never match.
                    self._add(
                        name_path,
                        f"'{name}' is not one of Step Functions' errors and no Fail state here raises it"
                        f"{did_you_mean(name, _BUILTIN_ERRORS)}",
                        "names starting with 'States.' are Step Functions' own; give a custom error its own prefix",
                        rule="custom-states-error",
                        warning=True,
                    )

    def _raised_errors(self) -> frozenset[str]:
        """The literal Error of every Fail state of the definition, nested scopes included."""
        if self._fail_errors is None:
            self._fail_errors = frozenset(
                state["Error"]
                for scope in self.scopes
                for state in scope.states.values()
                if isinstance(state, dict) and state.get("Type") == "Fail" and isinstance(state.get("Error"), str)
            )
        return self._fail_errors
