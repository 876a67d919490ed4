"""Every generated document of every case matches its reviewed golden copy, byte for byte."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from asl_gen.build import generate
from asl_gen.write import MANIFEST, manifest_text

CASES = Path(__file__).parent / "cases"
CASE_NAMES = sorted(p.name for p in CASES.iterdir() if (p / "spec.yaml").is_file())


def _tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("case", CASE_NAMES)
def test_output_matches_golden_files(case: str, update_golden: bool) -> None:
    generated = generate(CASES / case / "spec.yaml")
    expected_dir = CASES / case / "expected"
    if update_golden:
        shutil.rmtree(expected_dir, ignore_errors=True)
        for path, text in generated.files.items():
            target = expected_dir / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    expected = _tree(expected_dir)
    assert sorted(generated.files) == sorted(expected), "the set of generated files changed"
    for path, text in generated.files.items():
        assert text == expected[path], f"{case}/{path} differs from its golden file (rerun with --update-golden)"


def test_every_case_has_golden_files() -> None:
    assert CASE_NAMES, "no cases found"
    for case in CASE_NAMES:
        assert (CASES / case / "expected").is_dir(), f"{case} has no expected/ folder"


def test_committed_example_output_is_current() -> None:
    """out/big-mart in the repository is exactly what the bundled example builds (what CI's check enforces)."""
    repo = Path(__file__).resolve().parent.parent
    generated = generate(repo / "examples" / "big-mart" / "spec.yaml")
    committed = _tree(repo / "out" / generated.project)
    expected = dict(generated.files)
    expected[MANIFEST] = manifest_text(generated.files)
    assert committed == expected
