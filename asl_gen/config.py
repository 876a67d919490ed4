"""Project settings: default specs, output folder and template overrides, from `[tool.asl-gen]` or `asl-gen.yaml`.

Imports: errors, loader
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asl_gen.errors import Problem, UsageError
from asl_gen.loader import load_file

_KEYS = {"specs", "out", "templates"}


@dataclass(frozen=True)
class Settings:
    specs: tuple[Path, ...]
    out: Path
    templates: Path | None
    source: str | None


def load_settings(cwd: Path) -> Settings:
    """Settings of the project in `cwd`; without any, no default specs and `out/` in `cwd`."""
    pyproject = cwd / "pyproject.toml"
    if pyproject.is_file():
        # Imported here: a folder without pyproject.toml should not pay for the TOML parser.
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover - exercised on Python 3.10 only
            import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise UsageError(Problem(f"cannot read: {exc}", file=str(pyproject))) from None
        table = data.get("tool", {}).get("asl-gen")
        if isinstance(table, dict):
            return _settings(table, cwd, "pyproject.toml [tool.asl-gen]")
    yaml_file = cwd / "asl-gen.yaml"
    if yaml_file.is_file():
        located = load_file(yaml_file, "asl-gen.yaml")
        if not isinstance(located.data, dict):
            raise UsageError(Problem("must be a mapping with specs, out and templates", file="asl-gen.yaml"))
        return _settings(located.data, cwd, "asl-gen.yaml")
    return Settings(specs=(), out=cwd / "out", templates=None, source=None)


def _settings(table: dict[str, Any], cwd: Path, source: str) -> Settings:
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise UsageError(
            Problem(f"unknown setting {unknown[0]!r}", file=source, hint="allowed: " + ", ".join(sorted(_KEYS)))
        )
    specs = table.get("specs", [])
    if not isinstance(specs, list) or not all(isinstance(s, str) for s in specs):
        raise UsageError(Problem("specs must be a list of paths", file=source))
    out = table.get("out", "out")
    templates = table.get("templates")
    if not isinstance(out, str) or (templates is not None and not isinstance(templates, str)):
        raise UsageError(Problem("out and templates must be paths", file=source))
    return Settings(
        specs=tuple(cwd / s for s in specs),
        out=cwd / out,
        templates=cwd / templates if templates else None,
        source=source,
    )
