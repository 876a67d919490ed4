"""Compiled templates are kept in a cache between runs; the cache never changes what a build writes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from asl_gen.render.cache import template_cache

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "big-mart" / "spec.yaml"


def _build(tmp_path: Path, cache: str, out: str, *extra: str) -> dict[str, bytes]:
    env = {**os.environ, "ASL_GEN_CACHE_DIR": cache}
    run = subprocess.run(
        [sys.executable, "-m", "asl_gen", "build", str(EXAMPLE), "--out", str(tmp_path / out), *extra],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return {
        str(p.relative_to(tmp_path / out)): p.read_bytes() for p in sorted((tmp_path / out).rglob("*")) if p.is_file()
    }


def _entries(cache: Path) -> list[Path]:
    return sorted(cache.rglob("*.cache"))


def test_a_second_build_loads_the_compiled_templates_and_writes_the_same_files(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = _build(tmp_path, str(cache), "one")
    entries = _entries(cache)
    assert entries, "the first build left no compiled template"
    stamps = {p: p.stat().st_mtime_ns for p in entries}
    second = _build(tmp_path, str(cache), "two")
    assert second == first
    # Loaded, not compiled and written again.
    assert {p: p.stat().st_mtime_ns for p in _entries(cache)} == stamps
    without = _build(tmp_path, "", "three")
    assert without == first


def test_a_damaged_entry_is_compiled_anew(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = _build(tmp_path, str(cache), "one")
    for entry in _entries(cache):
        entry.write_bytes(entry.read_bytes()[:40])
    assert _build(tmp_path, str(cache), "two") == first


def test_an_overriding_template_is_compiled_not_taken_from_the_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _build(tmp_path, str(cache), "one")
    templates = tmp_path / "templates"
    templates.mkdir()
    name = "state-machine.asl.json.j2"
    text = (REPO / "templates" / name).read_text()
    comment = '"Comment": {{ machine.comment | tojson }}'
    assert comment in text
    # The same file name with other content: the cache is keyed by the source, so this one must show.
    (templates / name).write_text(text.replace(comment, '"Comment": "overridden"', 1))
    files = _build(tmp_path, str(cache), "two", "--templates", str(templates))
    assert b'"overridden"' in files["big-mart/pipeline.asl.json"]


def test_no_cache_where_it_cannot_be_made_or_is_empty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("ASL_GEN_CACHE_DIR", str(blocker))
    assert template_cache("test") is None
    monkeypatch.setenv("ASL_GEN_CACHE_DIR", "")
    assert template_cache("test") is None
    monkeypatch.setenv("ASL_GEN_CACHE_DIR", str(tmp_path / "fine"))
    assert template_cache("test") is not None


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_folder_others_can_write_to_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading a compiled template runs its code."""
    monkeypatch.setenv("ASL_GEN_CACHE_DIR", str(tmp_path))
    cache = template_cache("test")
    assert cache is not None
    folder = Path(cache.directory)
    folder.chmod(0o777)
    assert template_cache("test") is None
