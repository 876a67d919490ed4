"""The one error hierarchy. Only the CLI catches `AslGenError` and turns it into a message and an exit code.

Imports: nothing from asl_gen
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# Characters a terminal would act on rather than show: line and paragraph breaks (which `str.splitlines`
# also splits on), other control characters, and bidirectional overrides that reorder what the reader sees.
_UNSHOWABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _one_line(text: str) -> str:
    """A message wrapped over lines becomes one line; a user's value keeps its odd characters, escaped."""
    text = " ".join(text.split("\n"))
    return _UNSHOWABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def pointer_of(path: Iterable[str | int]) -> str:
    """The location of a node in a JSON document: `$.States['Wait here'].Next`, `$.Statement[0]`."""
    text = "$"
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _IDENTIFIER.match(part):
            text += f".{part}"
        else:
            text += "['" + part.replace("\\", "\\\\").replace("'", "\\'") + "']"
    return text


@dataclass(frozen=True)
class Problem:
    """One finding, located as precisely as the source allows.

    `pointer` is a dotted field path for specs (`jobs.train.instance.type`) and a JSONPath-like
    location for generated or checked documents (`$.States.Train.Next`).
    """

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    pointer: str = ""
    hint: str | None = None

    def location(self) -> str:
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def format(self) -> str:
        """Render as `file:line:col: pointer: message (hint)` on one line."""
        text = f"{self.location()}: "
        if self.pointer:
            text += f"{self.pointer}: "
        text += self.message
        if self.hint:
            text += f" ({self.hint})"
        return _one_line(text)

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "pointer": self.pointer,
            "message": self.message,
            "hint": self.hint,
        }


class AslGenError(Exception):
    """Root of every error asl-gen reports to a user; carries one or more problems."""

    exit_code = 3

    def __init__(self, problems: Iterable[Problem] | Problem | str, details: Iterable[str] = ()) -> None:
        if isinstance(problems, str):
            problems = Problem(problems)
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        # Multi-line material shown after the one-line problems (diffs of stale files).
        self.details: list[str] = list(details)
        super().__init__("\n".join(p.format() for p in self.problems))

    def __init_subclass__(cls, *, exit_code: int | None = None, **kwargs: Any) -> None:
        # Each kind of error names its exit code in its class line: `class SpecError(AslGenError, exit_code=2)`.
        super().__init_subclass__(**kwargs)
        if exit_code is not None:
            cls.exit_code = exit_code


class UsageError(AslGenError, exit_code=2):
    """Bad command-line use or project configuration."""


class SpecError(AslGenError, exit_code=2):
    """The spec file cannot be read or does not describe a valid project."""


class TemplateError(AslGenError, exit_code=2):
    """A template failed to render or rendered text that is not JSON."""


class ValidationFailure(AslGenError, exit_code=1):
    """A document (generated or given to `validate`) breaks a schema or a semantic rule."""


class StaleOutput(AslGenError, exit_code=1):
    """`check` found that `out/` differs from what `build` would write."""


class WriteError(AslGenError, exit_code=2):
    """The output folder could not be written (or, for `check`, read); `out/` is left as it was."""


EXIT_OK = 0
EXIT_INTERNAL = 3
