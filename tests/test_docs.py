"""The documentation site: generated pages are current, and the built site draws its Mermaid diagrams.

`python tools/docs_reference.py` (or `pytest --update-golden`) rewrites the generated pages and blocks; review
the diff. The rendering test needs a built site (`mkdocs build --strict -d DIR`, named by ASL_GEN_DOCS_SITE) and
Debian's `chromium`; .ci/run provides both, and the test skips, saying why, where either is missing.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from asl_gen import integrations

from .conftest import REPO


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("asl_gen_docs_reference", REPO / "tools" / "docs_reference.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


docs_reference = _tool()


def test_generated_pages_are_current(update_golden: bool) -> None:
    stale = []
    for path, text in docs_reference.pages().items():
        if update_golden:
            path.write_text(text, encoding="utf-8")
        elif not path.exists() or path.read_text(encoding="utf-8") != text:
            stale.append(str(path.relative_to(REPO)))
    assert not stale, f"stale generated docs (run python tools/docs_reference.py): {stale}"


def test_the_integrations_page_lists_every_integration() -> None:
    page = (REPO / "docs" / "reference" / "integrations.md").read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| `([^`]+)` \|", page, re.MULTILINE))
    assert rows == set(integrations.table())


def test_every_rule_has_an_example_or_says_why_not() -> None:
    page = (REPO / "docs" / "reference" / "rules.md").read_text(encoding="utf-8")
    from asl_gen.lint.rules import RULES

    for rule in RULES:
        assert f"### `{rule}`" in page
        assert rule in docs_reference.EXAMPLES or rule in docs_reference.NO_EXAMPLE


def test_every_step_type_has_a_page_with_its_output() -> None:
    from asl_gen.spec.schema import spec_schema

    mapping = spec_schema()["properties"]["jobs"]["patternProperties"]
    types = next(iter(mapping.values()))["discriminator"]["mapping"]
    nav = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    for step_type in types:
        page = REPO / "docs" / "steps" / f"{step_type}.md"
        assert page.is_file(), step_type
        assert f"steps/{step_type}.md" in nav
        assert "<!-- generated: step " in page.read_text(encoding="utf-8"), step_type


SITE = os.environ.get("ASL_GEN_DOCS_SITE", "")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PAGES = ["index.html", "steps/quality-gate/index.html"]


def _chromium(*args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=15000", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)


@pytest.mark.skipif(
    not SITE or not Path(SITE, "index.html").is_file(),
    reason="no built site: set ASL_GEN_DOCS_SITE to a `mkdocs build` output (.ci/run does)",
)
@pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on PATH (Debian: apt-get install chromium; .ci/run installs it)"
)
@pytest.mark.parametrize("page", PAGES)
def test_the_built_site_draws_mermaid_as_svg(page: str, tmp_path: Path) -> None:
    url = Path(SITE, page).resolve().as_uri()
    dom = _chromium("--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    diagrams = re.findall(r'<div class="mermaid-diagram"[^>]*>(.{0,200})', dom.stdout, re.DOTALL)
    assert diagrams, f"{page} has no Mermaid diagram"
    for diagram in diagrams:
        assert diagram.startswith("<svg"), f"{page}: a diagram stayed source text: {diagram[:120]!r}"
    shot = Path(os.environ.get("ASL_GEN_DOCS_SCREENSHOTS", tmp_path)) / (page.replace("/", "-") + ".png")
    taken = _chromium("--window-size=1280,1600", f"--screenshot={shot}", url)
    assert taken.returncode == 0 and shot.stat().st_size > 10_000, taken.stderr[-2000:]


README = REPO / "README.md"
COMMANDS = (
    "python -m pip install . && asl-gen build",
    'python -m pip install -e ".[test]" && npm ci && python -m pytest',
)


def test_the_readme_is_a_front_door() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 200
    for command in COMMANDS:
        assert f"\n{command}\n" in text, command
    for link in re.findall(r"\]\((docs/[^)#]+)", text):
        assert (REPO / link).is_file(), link


def test_the_readme_spec_writes_the_files_beside_it(tmp_path: Path) -> None:
    from asl_gen.build import build

    text = README.read_text(encoding="utf-8")
    section = text[text.index("## A spec and what it writes") :]
    spec, tree = re.findall(r"```(?:yaml|text)\n(.*?)```", section, re.DOTALL)[:2]
    (tmp_path / "spec.yaml").write_text(spec, encoding="utf-8")
    build([tmp_path / "spec.yaml"], tmp_path / "out")
    written = sorted(
        str(p.relative_to(tmp_path / "out" / "big-mart")) for p in (tmp_path / "out").rglob("*") if p.is_file()
    )
    listed, folders = [], []
    for line in tree.splitlines()[1:]:
        depth = (len(line) - len(line.lstrip())) // 2
        name = line.split()[0]
        folders = folders[: depth - 1]
        if name.endswith("/"):
            folders.append(name)
        else:
            listed.append("".join(folders) + name)
    assert sorted(listed) == written
