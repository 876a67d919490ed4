"""The one way the spec-mistake tables are run: a spec with a mistake put in builds with exit 2, one located line
per problem and a closing count, no traceback, and nothing written."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner

from asl_gen.cli import main


def refused(
    base: Path, replacements: Sequence[tuple[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> list[str]:
    """Build `base` with each (old, new) replaced once; return the problem lines of the refusal."""
    text = base.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, f"{base} no longer contains {old!r}; update the table"
        text = text.replace(old, new, 1)
    (tmp_path / "spec.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "spec.yaml", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert not out.exists()
    lines = result.output.splitlines()
    assert lines[-1].endswith("found"), result.output
    return lines[:-1]
