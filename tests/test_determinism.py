"""Same spec, same bytes: whatever the hash seed, working directory or output path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import EXAMPLE, REPO


def _build(out: Path, cwd: Path, seed: str) -> dict[str, bytes]:
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)}
    subprocess.run(
        [sys.executable, "-m", "asl_gen", "build", str(EXAMPLE), "--out", str(out)],
        cwd=cwd,
        env=env,
        check=True,
        capture_output=True,
    )
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_two_builds_are_byte_identical_across_hash_seeds_and_folders(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = _build(tmp_path / "a" / "out", tmp_path / "a", "0")
    second = _build(tmp_path / "b" / "elsewhere", tmp_path, "4242")
    assert first == second
    assert len(first) == 20


def test_output_carries_no_local_paths(tmp_path: Path) -> None:
    files = _build(tmp_path / "out", tmp_path, "1")
    for name, data in files.items():
        text = data.decode("utf-8")
        assert str(tmp_path) not in text, name
        assert str(REPO) not in text, name
        assert text.endswith("}\n" if name.endswith(".json") else "\n") and not text.endswith("\n\n"), name
