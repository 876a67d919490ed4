"""The `simulate` fixture as users get it: through the pytest11 entry point, with the docs' worked example."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .conftest import REPO

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def test_the_plugin_is_registered_under_pytest11() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["entry-points"]["pytest11"] == {"asl_gen.pytest_plugin": "asl_gen.pytest_plugin"}
    assert "jsonata-python" in " ".join(project["optional-dependencies"]["simulate"])


def test_the_docs_example_passes_as_a_user_would_run_it(tmp_path: Path) -> None:
    page = (REPO / "docs" / "simulate.md").read_text(encoding="utf-8")
    section = page[page.index("## In pytest") :]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert code is not None
    test_file = tmp_path / "test_docs_example.py"
    test_file.write_text(code.group(1), encoding="utf-8")
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(test_file),
            "-p",
            "asl_gen.pytest_plugin",
            "-p",
            "no:cacheprovider",
            f"--rootdir={REPO}",
            "-q",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "3 passed" in completed.stdout


def test_a_path_and_a_dict_work_as_the_machine(simulate: Any) -> None:
    by_path = simulate(
        "out/big-mart/training.asl.json",
        input={"TrainingJobName": "t"},
        mocks={
            "Training Step": {
                "Return": {
                    "TrainingJobName": "t",
                    "TrainingJobArn": "a",
                    "ModelArtifacts": {"S3ModelArtifacts": "s3://b/m"},
                }
            }
        },
    )
    assert by_path.status == "SUCCEEDED", (by_path.error, by_path.cause)
    by_dict = simulate({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, input={"x": 1})
    assert by_dict.output == {"x": 1}


def test_an_unknown_machine_key_lists_the_known_ones(simulate: Any) -> None:
    from asl_gen.errors import UsageError

    with pytest.raises(UsageError) as caught:
        simulate("pipelin")
    message = caught.value.problems[0].format()
    assert "no state machine 'pipelin'" in message
    assert "big-mart/pipeline" in message
