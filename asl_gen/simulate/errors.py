"""The runtime errors of a simulated execution, and which of them a Retry's or Catch's ErrorEquals covers."""

from __future__ import annotations

# Errors no wildcard catches: Step Functions lets them end the execution (DataLimitExceeded only by its own name).
_UNCATCHABLE = frozenset({"States.Runtime"})
_NOT_WILDCARD = frozenset({"States.Runtime", "States.DataLimitExceeded"})


class StatesError(Exception):
    """A runtime error of the simulated execution, named as Step Functions names it."""

    def __init__(self, error: str, cause: str | None = None) -> None:
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause


class TimedOut(Exception):
    """The execution ran past the definition's TimeoutSeconds."""


def error_matches(names: list[str], error: str) -> bool:
    """Whether a retrier's or catcher's ErrorEquals covers `error`, wildcards' exceptions included."""
    if error in _UNCATCHABLE:
        return False
    if error in names:
        return True
    if error in _NOT_WILDCARD:
        return False
    if "States.ALL" in names:
        return True
    return "States.TaskFailed" in names and error != "States.Timeout"
