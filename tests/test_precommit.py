"""The pre-commit hooks this repository offers: their entries work as declared, and pre-commit itself runs them."""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import REPO

HOOKS: dict[str, dict[str, Any]] = {
    hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
}
VALID = REPO / "tests" / "graphs" / "deploy-and-wait.asl.json"
BROKEN = '{"StartAt": "Nowhere", "States": {"A": {"Type": "Succeed"}}}\n'


def _script() -> Path:
    script = Path(sysconfig.get_path("scripts")) / "asl-gen"
    if not script.is_file():
        pytest.skip(f"the asl-gen console script is not installed beside {sys.executable}")
    return script


def _entry(hook_id: str) -> list[str]:
    """The hook's entry, as pre-commit would run it, with the console script beside this interpreter."""
    command = shlex.split(HOOKS[hook_id]["entry"])
    assert command[0] == "asl-gen"
    return [str(_script()), *command[1:]]


def _project(folder: Path) -> Path:
    """A project as `asl-gen init` makes it, built, with one hand-written definition."""
    subprocess.run([str(_script()), "init", str(folder)], check=True, capture_output=True)
    subprocess.run([str(_script()), "build"], cwd=folder, check=True, capture_output=True)
    (folder / "states").mkdir()
    shutil.copy(VALID, folder / "states" / "deploy-and-wait.asl.json")
    return folder


def test_hooks_are_declared_as_documented() -> None:
    assert set(HOOKS) == {"asl-gen-check", "asl-gen-validate"}
    assert HOOKS["asl-gen-check"]["pass_filenames"] is False
    assert all(hook["language"] == "python" for hook in HOOKS.values())
    pattern = re.compile(HOOKS["asl-gen-validate"]["files"])
    matches = ["a.asl.json", "dir/b.asl.yaml", "c.asl.yml"]
    others = ["spec.yaml", "iam/stepfunctions-policy.json", "inputs/x.schema.json", "a.asl.json.bak", "asl.json"]
    assert all(pattern.search(name) for name in matches)
    assert not any(pattern.search(name) for name in others)


def test_check_entry_passes_on_a_current_project_and_fails_on_a_stale_one(tmp_path: Path) -> None:
    project = _project(tmp_path / "project")
    assert subprocess.run(_entry("asl-gen-check"), cwd=project, capture_output=True).returncode == 0
    target = project / "out" / "project" / "deploy.asl.json"
    target.write_text(target.read_text().replace("Create Endpoint", "Create endpoint"))
    stale = subprocess.run(_entry("asl-gen-check"), cwd=project, capture_output=True, text=True)
    assert stale.returncode == 1
    assert "deploy.asl.json: out of date" in stale.stderr


def test_validate_entry_checks_the_files_pre_commit_passes(tmp_path: Path) -> None:
    project = _project(tmp_path / "project")
    pattern = re.compile(HOOKS["asl-gen-validate"]["files"])
    files = sorted(str(p.relative_to(project)) for p in project.rglob("*") if p.is_file() and pattern.search(p.name))
    assert "states/deploy-and-wait.asl.json" in files and "out/project/pipeline.asl.json" in files
    passed = subprocess.run([*_entry("asl-gen-validate"), *files], cwd=project, capture_output=True, text=True)
    assert passed.returncode == 0, passed.stderr
    (project / "states" / "broken.asl.json").write_text(BROKEN)
    failed = subprocess.run(
        [*_entry("asl-gen-validate"), *files, "states/broken.asl.json"], cwd=project, capture_output=True, text=True
    )
    assert failed.returncode == 1
    assert "states/broken.asl.json:1:" in failed.stderr and "Nowhere" in failed.stderr


@pytest.mark.skipif(
    importlib.util.find_spec("pre_commit") is None, reason="pre-commit is not installed (pip install pre-commit)"
)
@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_pre_commit_installs_and_runs_both_hooks_from_this_repository(tmp_path: Path) -> None:
    project = _project(tmp_path / "project")
    (project / "states" / "broken.asl.json").write_text(BROKEN)
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),  # a fresh cache: the hooks are really installed
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": "test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
    }
    env.pop("PYTHONPATH", None)
    subprocess.run(["git", "init", "-q"], cwd=project, check=True, env=env)
    subprocess.run(["git", "add", "-A"], cwd=project, check=True, env=env)
    # try-repo clones this repository (with its uncommitted changes), installs it into its own virtualenv the way
    # users' pre-commit does, and runs every hook it declares on the project's files.
    run = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "--all-files", "--color", "never"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert re.search(r"asl-gen check \(out/ is what the specs generate\)\.+Passed", output), output
    assert re.search(r"asl-gen validate \(ASL definitions\)\.+Failed", output), output
    assert "states/broken.asl.json:1:" in output and "Nowhere" in output
    assert "deploy-and-wait.asl.json" not in output.split("Failed", 1)[1]
