"""How the command line talks: data on stdout, words on stderr, colour and progress only for a person at a terminal.

With `--format json` stdout carries exactly one JSON document, so tools can parse it whatever happens; what a
person reads (summaries, problems, diffs, progress) goes to stderr. Colour follows https://no-color.org: never
when NO_COLOR is set, never when stderr is not a terminal.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, overload

import click

from asl_gen.errors import Problem

QUIET, NORMAL, VERBOSE = -1, 0, 1
T = TypeVar("T")


def _is_terminal() -> bool:
    return sys.stderr.isatty()


def use_color() -> bool:
    """Colour only for a person: stderr is a terminal and NO_COLOR is unset or empty."""
    return _is_terminal() and not os.environ.get("NO_COLOR")


def show_progress() -> bool:
    """A progress bar only at a terminal; CI logs (CI=true) would fill with its redraws."""
    return _is_terminal() and not os.environ.get("CI")


@dataclass
class Console:
    """Where a command prints: its format, verbosity and colour, and the warnings heard so far."""

    fmt: str = "text"
    verbosity: int = NORMAL
    color: bool = False
    # The warnings heard so far: printed as they come in text, carried in the one JSON document otherwise.
    warnings: list[Problem] = field(default_factory=list)

    @property
    def human(self) -> bool:
        return self.fmt == "text"

    def data(self, document: Any) -> None:
        """The one JSON document of a `--format json` run, on stdout."""
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))

    def output(self, text: str) -> None:
        """What the command produces (a diagram, a schema), on stdout as is."""
        click.echo(text, nl=False)

    def say(self, text: str, *, level: int = NORMAL, fg: str | None = None, bold: bool = False) -> None:
        """A line for a person, on stderr, when the verbosity asks for it and the format is text."""
        if self.human and self.verbosity >= level:
            click.echo(self._style(text, fg=fg, bold=bold), err=True, color=self.color)

    def warning(self, problem: Problem) -> None:
        """A finding that does not fail the run: `file:line:col: warning: pointer: message (hint)` on stderr.

        Warnings always show, even with --quiet, like problems; with --format json they go into the document.
        """
        self.warnings.append(problem)
        if not self.human:
            return
        location = problem.location()
        line = problem.format()
        if line.startswith(f"{location}: "):
            rest = line[len(location) + 2 :]
            line = f"{self._style(location, bold=True)}: {self._style('warning:', fg='yellow', bold=True)} {rest}"
        else:
            line = f"{self._style('warning:', fg='yellow', bold=True)} {line}"
        click.echo(line, err=True, color=self.color)

    def warnings_data(self) -> list[dict[str, object]]:
        """The warnings heard so far, as data for the JSON document."""
        return [w.as_dict() for w in self.warnings]

    def problems(self, problems: Sequence[Problem], details: Sequence[str] = ()) -> None:
        """Problems always show, even with --quiet: as data with --format json, else one line each."""
        if self.fmt == "sarif":
            from asl_gen.lint.sarif import sarif_document

            self.data(sarif_document(problems))
            return
        if not self.human:
            document: dict[str, Any] = {"problems": [p.as_dict() for p in problems], "details": list(details)}
            if self.warnings:
                document["warnings"] = self.warnings_data()
            self.data(document)
            return
        for problem in problems:
            location = problem.location()
            line = problem.format()
            # format() escapes control characters; a location that needed escaping is left unstyled.
            if line.startswith(location):
                line = self._style(location, bold=True) + line[len(location) :]
            click.echo(line, err=True, color=self.color)
        for detail in details:
            for text in detail.rstrip("\n").splitlines():
                click.echo(self._diff_line(text), err=True, color=self.color)
        count = len(problems)
        summary = f"{count} problem{'s' if count != 1 else ''} found"
        click.echo(self._style(summary, fg="red", bold=True), err=True, color=self.color)

    def _style(self, text: str, *, fg: str | None = None, bold: bool = False) -> str:
        return click.style(text, fg=fg, bold=bold or None) if self.color and (fg or bold) else text

    def _diff_line(self, text: str) -> str:
        if text.startswith(("+++", "---")):
            return self._style(text, bold=True)
        colour = {"+": "green", "-": "red", "@": "cyan"}.get(text[:1])
        return self._style(text, fg=colour)

    def progress(self, items: Sequence[T], label: str) -> Sequence[T]:
        """`items`, advancing a progress bar on stderr while they are iterated (several specs, at a terminal)."""
        if len(items) < 2 or not self.human or self.verbosity < NORMAL or not show_progress():
            return items
        return _Progress(items, label, self.color)


class _Progress(Sequence[T]):
    """A sequence whose iteration drives a click progress bar; the build API sees an ordinary sequence."""

    def __init__(self, items: Sequence[T], label: str, color: bool) -> None:
        self._items = items
        self._label = label
        self._color = color

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[T]: ...

    def __getitem__(self, index: int | slice) -> T | Sequence[T]:
        return self._items[index]

    def __iter__(self) -> Iterator[T]:
        with click.progressbar(
            self._items, label=self._label, file=sys.stderr, color=self._color, show_pos=True
        ) as bar:
            yield from bar
