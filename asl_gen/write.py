"""Write generated files into `out/<project>/`: staged, then renamed into place; stale files it owns removed.

A manifest in each project folder lists what asl-gen wrote there. Only those files are ever replaced
or deleted; anything else in `out/` is left alone, and symbolic links are never followed.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from asl_gen.errors import Problem, WriteError

MANIFEST = ".asl-gen-manifest.json"
_SAFE_PART = re.compile(r"^\.?[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass
class WriteResult:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Difference:
    path: str
    kind: str  # "missing", "changed", "stale"
    diff: str = ""


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def manifest_text(files: Mapping[str, str]) -> str:
    entries = {path: _digest(text) for path, text in sorted(files.items())}
    return json.dumps({"generator": "asl-gen", "files": entries}, indent=2) + "\n"


def _check_relative(path: str) -> PurePosixPath:
    pure = PurePosixPath(path)
    if pure.is_absolute() or not pure.parts or not all(_SAFE_PART.match(p) for p in pure.parts):
        raise WriteError(Problem(f"refusing to write {path!r}: not a plain relative path", file=path))
    return pure


def _owned(project_dir: Path) -> list[str]:
    """Files the previous build recorded; entries that could escape the folder are ignored."""
    manifest = project_dir / MANIFEST
    if manifest.is_symlink() or not manifest.is_file():
        return []
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        return []
    owned = []
    for path in files:
        pure = PurePosixPath(str(path))
        if not pure.is_absolute() and pure.parts and all(_SAFE_PART.match(p) for p in pure.parts):
            owned.append(str(pure))
    return sorted(owned)


def _no_links(root: Path, relative: PurePosixPath) -> None:
    current = root
    for part in relative.parts:
        current = current / part
        if current.is_symlink():
            raise WriteError(
                Problem(
                    "is a symbolic link; asl-gen never writes through links",
                    file=str(current),
                    hint="remove the link, then build again",
                )
            )


def _all_files(project: str, files: Mapping[str, str]) -> dict[str, str]:
    _check_relative(project)
    everything = dict(files)
    everything[MANIFEST] = manifest_text(files)
    return everything


def write_project(out_dir: Path, project: str, files: Mapping[str, str]) -> WriteResult:
    """Bring `out_dir/project` to exactly `files` (plus the manifest); nothing changes if any write fails."""
    result = WriteResult()
    everything = _all_files(project, files)
    if out_dir.is_symlink():
        raise WriteError(Problem("is a symbolic link; asl-gen never writes through links", file=str(out_dir)))
    project_dir = out_dir / project
    _no_links(out_dir, PurePosixPath(project))
    for path in everything:
        _no_links(project_dir, _check_relative(path))
    previous = _owned(project_dir)
    staged: list[tuple[Path, Path]] = []
    try:
        for path, text in sorted(everything.items()):
            target = project_dir / path
            if target.is_file() and target.read_bytes() == text.encode("utf-8"):
                result.unchanged.append(path)
                continue
            if target.exists() and not target.is_file():
                raise WriteError(Problem("exists and is not a file", file=str(target)))
            target.parent.mkdir(parents=True, exist_ok=True)
            temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            with open(temp, "wb") as handle:
                staged.append((temp, target))
                handle.write(text.encode("utf-8"))
                handle.flush()
                os.fsync(handle.fileno())
            result.written.append(path)
    except OSError as exc:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
        raise WriteError(
            Problem(
                f"cannot write: {exc.strerror}",
                file=exc.filename or str(project_dir),
                hint="check free space and permissions; out/ was left as it was",
            )
        ) from None
    except WriteError:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
        raise
    # The manifest goes last so that it never names a file that is not in place yet.
    staged.sort(key=lambda pair: pair[1].name == MANIFEST)
    for temp, target in staged:
        os.replace(temp, target)
    for path in previous:
        if path in everything:
            continue
        stale = project_dir / path
        try:
            _no_links(project_dir, PurePosixPath(path))
        except WriteError:
            continue
        if stale.is_file():
            stale.unlink()
            result.removed.append(path)
            _prune(project_dir, stale.parent)
    return result


def _prune(root: Path, folder: Path) -> None:
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def compare_project(out_dir: Path, project: str, files: Mapping[str, str]) -> list[Difference]:
    """What `write_project` would change, as differences with short unified diffs."""
    everything = _all_files(project, files)
    project_dir = out_dir / project
    differences: list[Difference] = []
    for path, text in sorted(everything.items()):
        target = project_dir / path
        if not target.is_file() or target.is_symlink():
            differences.append(Difference(path, "missing"))
            continue
        current = target.read_text(encoding="utf-8", errors="replace")
        if current != text:
            differences.append(Difference(path, "changed", "".join(_short_diff(current, text, f"{project}/{path}"))))
    for path in _owned(project_dir):
        if path not in everything and (project_dir / path).is_file():
            differences.append(Difference(path, "stale"))
    return differences


def _short_diff(old: str, new: str, path: str, limit: int = 40) -> Iterator[str]:
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=f"out/{path}",
        tofile=f"build/{path}",
        n=2,
    )
    for count, line in enumerate(lines):
        if count == limit:
            yield "... (diff cut)\n"
            return
        yield line if line.endswith("\n") else line + "\n"
