"""`asl-gen init`: a new project from the files in `templates/init/`, written all or nothing."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from asl_gen import __version__
from asl_gen.errors import Problem, UsageError, WriteError
from asl_gen.resources import data_dir

# Template file → where it goes in the project. Dot-files are stored without their dot so that no packaging or
# copying step can skip them as hidden.
FILES = {
    "spec.yaml": "spec.yaml",
    "asl-gen.yaml": "asl-gen.yaml",
    "mocks.yaml": "mocks.yaml",
    "input.json": "input.json",
    "pytest.ini": "pytest.ini",
    # Stored as .txt so that neither pytest nor a linter of asl-gen's own repository takes it for a test.
    "tests/test_pipeline.py.txt": "tests/test_pipeline.py",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
    "github/workflows/asl-gen.yml": ".github/workflows/asl-gen.yml",
    "gitlab-ci.yml": ".gitlab-ci.yml",
}
SCHEMA_FILE = "spec.schema.json"
EXAMPLE_PROJECT = "big-mart"


def project_name(directory: Path) -> str:
    """The project name a folder suggests (`My Pipeline_2` → `my-pipeline-2`); the example's name if none."""
    slug = re.sub(r"[^a-z0-9]+", "-", directory.resolve().name.lower()).strip("-")[:40].strip("-")
    return slug or EXAMPLE_PROJECT


def scaffold(directory: Path, *, force: bool = False) -> list[str]:
    """Write a project that builds at once into `directory`; return the files written, relative to it.

    Refuses (exit 2, nothing written) when any of them exists, unless `force`.
    """
    from asl_gen.spec.schema import spec_schema_text

    if directory.exists() and not directory.is_dir():
        raise UsageError(Problem("is not a folder", file=str(directory)))
    project = project_name(directory)
    templates = data_dir("templates") / "init"
    contents: dict[str, str] = {}
    for source, target in FILES.items():
        text = (templates / source).read_text(encoding="utf-8").replace("@version@", __version__)
        # The project's name in the spec and in what refers to it (job names, the deployed machine, out/).
        contents[target] = text.replace(EXAMPLE_PROJECT, project)
    contents[SCHEMA_FILE] = spec_schema_text()
    existing = sorted(path for path in contents if (directory / path).exists() or (directory / path).is_symlink())
    if existing and not force:
        raise UsageError(
            [
                Problem("already exists; asl-gen init does not overwrite files", file=str(directory / path))
                for path in existing
            ]
            + [Problem("nothing was written", hint="init into an empty folder, or pass --force to overwrite")]
        )
    for path, text in sorted(contents.items()):
        write_text(directory / path, text)
    return sorted(contents)


def write_text(target: Path, text: str) -> None:
    """Write `text` to `target` by rename, so a reader never sees half a file; replaces a link, never follows it."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
            os.replace(temporary, target)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as exc:
        raise WriteError(Problem(f"cannot write: {exc.strerror or exc}", file=str(target))) from None
