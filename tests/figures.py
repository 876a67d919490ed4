"""Figures the fuzz and fault tests measure (inputs tried, builds killed, states seen), shown after the run.

A test calls `report(pytestconfig, line)`; the lines appear in a section of pytest's terminal summary, so the
figures show in every run, `-s` or not, and pass or fail.
"""

from __future__ import annotations

import pytest

_NAME = "asl-gen-figures"


class _Figures:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        terminalreporter.section("asl-gen fuzz and fault figures")
        for line in self.lines:
            terminalreporter.write_line(line)


def report(config: pytest.Config, line: str) -> None:
    """Add one line to the summary (and print it, for `-s`)."""
    plugin = config.pluginmanager.get_plugin(_NAME)
    if plugin is None:
        plugin = _Figures()
        config.pluginmanager.register(plugin, _NAME)
    plugin.lines.append(line)
    print(line)
