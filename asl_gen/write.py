"""Write generated files into `out/<project>/`: all or nothing, and never beyond what asl-gen owns.

A manifest in each project folder lists what asl-gen wrote there. Only those files are ever replaced or
dropped; anything else in the folder is carried over untouched, and symbolic links are never followed.

Imports: errors
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import math
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import NoReturn

from asl_gen.errors import Problem, UsageError, WriteError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

MANIFEST = ".asl-gen-manifest.json"
_SAFE_PART = re.compile(r"^\.?[A-Za-z0-9][A-Za-z0-9._-]*\Z")
# A manifest this large was not written by asl-gen; it is ignored rather than read into memory.
_MAX_MANIFEST = 16 * 1024 * 1024


@dataclass
class WriteResult:
    """What a write did: the files written, those already up to date, and the stale ones removed."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Difference:
    """A file whose content in out/ is not what a build would write."""

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
    if project_dir.is_symlink() or manifest.is_symlink() or not manifest.is_file():
        return []
    try:
        if manifest.stat().st_size > _MAX_MANIFEST:
            return []
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


def _all_files(project: str, files: Mapping[str, str]) -> dict[str, str]:
    _check_relative(project)
    everything = dict(files)
    for path in everything:
        _check_relative(path)
    everything[MANIFEST] = manifest_text(files)
    return everything


def _refuse(path: Path, message: str, hint: str) -> NoReturn:
    """Stop the build over `path`: `out/` is left as it was."""
    raise WriteError(Problem(message, file=str(path), hint=hint))


def _refuse_link(path: Path) -> None:
    if path.is_symlink():
        _refuse(
            path, "is a symbolic link; asl-gen never writes through links", "make it a real folder, then build again"
        )


def _plain(project_dir: Path, path: str) -> Path | None:
    """`project_dir/path` when no folder on the way to it is a link or a file; None when it cannot exist as such."""
    here = project_dir
    for part in PurePosixPath(path).parts[:-1]:
        here = here / part
        if here.is_symlink() or not here.is_dir():
            return None
    return here / PurePosixPath(path).name


def _holds(target: Path | None, data: bytes) -> bool:
    """Whether `target` is a regular file (not a link) with exactly `data`; sizes first, so no huge file is read."""
    if target is None or target.is_symlink() or not target.is_file():
        return False
    return target.stat().st_size == len(data) and target.read_bytes() == data


def write_project(
    out_dir: Path, project: str, files: Mapping[str, str], *, on_wait: Callable[[str], None] | None = None
) -> WriteResult:
    """Make `out_dir/project` hold exactly `files` plus the manifest and whatever asl-gen does not own.

    The new folder is staged beside the old one and swapped in with one atomic rename, so a process killed
    at any instant leaves the complete old or the complete new output. Files that are not asl-gen's are
    carried over (hard links, never following symbolic links). Builds on the same `out_dir` take turns.
    Every failure is a `WriteError` and leaves `out_dir/project` as it was.
    """
    return write_projects(out_dir, {project: files}, on_wait=on_wait)[project]


def write_projects(
    out_dir: Path, projects: Mapping[str, Mapping[str, str]], *, on_wait: Callable[[str], None] | None = None
) -> dict[str, WriteResult]:
    """`write_project` for several projects at once: all are staged before the first one is swapped in.

    A failure while staging leaves every project as it was. Only a failure of a swap itself (a rename in
    the same folder) can leave the projects before it new and the ones after it old, each complete.
    """
    everything = {project: _all_files(project, files) for project, files in projects.items()}
    timeout = _lock_timeout()
    _refuse_link(out_dir)
    staged: list[tuple[Path, Path]] = []
    current = out_dir
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with _locked(out_dir, timeout, on_wait):
            _recover(out_dir)
            results: dict[str, WriteResult] = {}
            for project, files in everything.items():
                current = out_dir / project
                results[project], stage = _stage(out_dir, project, files)
                if stage is not None:
                    staged.append((stage, out_dir / project))
            for stage, project_dir in staged:
                current = project_dir
                leftover = _swap(stage, project_dir)
                if leftover is not None:
                    shutil.rmtree(leftover, ignore_errors=True)
            staged.clear()
            _fsync_dir(out_dir)
            return results
    except OSError as exc:
        raise _write_error(exc, current) from None
    finally:
        # Stages not swapped in (a failure, or an interrupt) are not worth keeping for the next build to clear.
        for stage, _ in staged:
            shutil.rmtree(stage, ignore_errors=True)


def _stage(out_dir: Path, project: str, everything: Mapping[str, str]) -> tuple[WriteResult, Path | None]:
    """Stage the new project folder beside the old one; None when nothing would change."""
    project_dir = out_dir / project
    _refuse_link(project_dir)
    if project_dir.exists() and not project_dir.is_dir():
        raise WriteError(Problem("exists and is not a folder", file=str(project_dir)))
    previous = _owned(project_dir)
    if project_dir.is_dir():
        _refuse_conflicts(project_dir, everything, set(previous))
    result = WriteResult()
    for path, text in sorted(everything.items()):
        same = _holds(_plain(project_dir, path), text.encode("utf-8"))
        (result.unchanged if same else result.written).append(path)
    for path in previous:
        target = _plain(project_dir, path)
        if path not in everything and target is not None and os.path.lexists(target):
            result.removed.append(path)
    if not result.written and not result.removed:
        return result, None
    stage = Path(tempfile.mkdtemp(prefix=f"{_STAGE}{project}-", dir=out_dir))
    try:
        if project_dir.is_dir():
            _carry_foreign(project_dir, stage, set(previous) | set(everything))
        for path, text in sorted(everything.items()):
            _write_file(stage, path, text)
        _fsync_tree(stage)
    except OSError as exc:
        shutil.rmtree(stage, ignore_errors=True)
        raise _write_error(exc, project_dir) from None
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return result, stage


def _refuse_conflicts(project_dir: Path, everything: Mapping[str, str], previous: set[str]) -> None:
    """Refuse a layout asl-gen could only write by following a link or by dropping something not its own."""
    for path in sorted(everything):
        pure = PurePosixPath(path)
        here = project_dir
        for depth, part in enumerate(pure.parts):
            here = here / part
            key = PurePosixPath(*pure.parts[: depth + 1]).as_posix()
            last = depth == len(pure.parts) - 1
            if not os.path.lexists(here):
                break
            if last:
                if here.is_dir() and not here.is_symlink():
                    raise WriteError(Problem("is a folder where asl-gen writes a file", file=str(here)))
                if (
                    key not in previous
                    and key != MANIFEST
                    and not _holds(_plain(project_dir, key), everything[key].encode("utf-8"))
                ):
                    _refuse(
                        here,
                        f"exists, and asl-gen did not write it (it is not in {MANIFEST}); asl-gen never "
                        "replaces a file it does not own",
                        "move or delete the file if asl-gen may write its output there",
                    )
                break
            if key in previous:
                break  # asl-gen's own file where it now needs a folder: dropped with the old output.
            if here.is_symlink():
                _refuse(
                    here,
                    "is a symbolic link where asl-gen writes a folder; asl-gen never writes through links",
                    "replace the link with a real folder, then build again",
                )
            if not here.is_dir():
                _refuse(here, "is a file where asl-gen writes a folder", "move the file elsewhere, then build again")


def _lock_timeout() -> float:
    text = os.environ.get("ASL_GEN_LOCK_TIMEOUT", "120")
    try:
        timeout = float(text)
    except ValueError:
        timeout = math.nan
    if not math.isfinite(timeout) or timeout < 0:
        raise UsageError(
            Problem(
                f"{text!r} is not a number of seconds",
                file="ASL_GEN_LOCK_TIMEOUT",
                hint="set it to how long a build may wait for another one, e.g. 120, or 0 not to wait",
            )
        )
    return timeout


# Folders a build leaves in out/ only while it runs; a killed build leaves them for the next one to clear.
_STAGE = ".asl-gen-stage-"
_BACKUP = ".asl-gen-old-"


def _write_error(exc: OSError, project_dir: Path, verb: str = "write") -> WriteError:
    reason = exc.strerror or str(exc)
    name = Path(os.fsdecode(exc.filename)) if isinstance(exc.filename, str | bytes) else project_dir
    try:
        inside = name.relative_to(project_dir.parent)
    except ValueError:
        inside = None
    if inside is not None and inside.parts and inside.parts[0].startswith((_STAGE, _BACKUP)):
        # A staging folder is gone by the time the user reads this; name the file they will look for.
        name = project_dir.joinpath(*inside.parts[1:])
    return WriteError(
        Problem(
            f"cannot {verb}: {reason}",
            file=str(name),
            hint="free some space or fix the permissions; out/ was left as it was",
        )
    )


def _write_file(stage: Path, path: str, text: str) -> None:
    """Create `stage/path` afresh; neither its folders nor the file itself may be links."""
    here = stage
    for part in PurePosixPath(path).parts[:-1]:
        here = here / part
        if here.is_symlink():
            raise WriteError(Problem("is a symbolic link; asl-gen never writes through links", file=str(here)))
        if not here.is_dir():
            here.mkdir()
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    target = here / PurePosixPath(path).name
    fd = os.open(target, flags, 0o666)
    try:
        data = memoryview(text.encode("utf-8"))
        while data:
            data = data[os.write(fd, data) :]
        os.fsync(fd)
    except OSError as exc:
        # os.write and os.fsync do not say which file failed (a full disk shows here); the message should.
        raise OSError(exc.errno, exc.strerror, str(target)) from None
    finally:
        os.close(fd)


def _raise(exc: OSError) -> None:
    raise exc


def _carry_foreign(source: Path, stage: Path, owned: set[str]) -> None:
    """Re-create in `stage` every entry of `source` that asl-gen does not own, without following links."""
    # An unreadable folder must stop the build: skipping it would drop the user's files with the old output.
    for folder, dirs, names in os.walk(source, followlinks=False, onerror=_raise):
        here = Path(folder)
        relative = here.relative_to(source)
        for name in [*dirs, *names]:
            entry = here / name
            key = (relative / name).as_posix()
            if key in owned or key.startswith(_STAGE):
                continue
            target = stage / relative / name
            if entry.is_symlink():
                target.parent.mkdir(parents=True, exist_ok=True)
                os.symlink(os.readlink(entry), target)
            elif entry.is_dir():
                target.mkdir(parents=True, exist_ok=True)
            elif entry.is_file():
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    os.link(entry, target, follow_symlinks=False)
                except OSError:
                    shutil.copy2(entry, target, follow_symlinks=False)
            else:
                _refuse(
                    entry,
                    "is neither a file, a folder nor a link; asl-gen cannot carry it over",
                    "move it out of the output folder",
                )
        # os.walk lists links to folders among the folders; they were re-created as links, not entered.
        dirs[:] = [d for d in dirs if not (here / d).is_symlink()]


def _swap(stage: Path, project_dir: Path) -> Path | None:
    """Put `stage` in place of `project_dir` atomically; return the folder that now holds the old content."""
    if not os.path.lexists(project_dir):
        os.rename(stage, project_dir)
        return None
    if _exchange(stage, project_dir):
        return stage
    # No atomic exchange here (not Linux): two renames; `_recover` undoes a crash between them.
    backup = Path(tempfile.mkdtemp(prefix=f"{_BACKUP}{project_dir.name}-", dir=project_dir.parent))
    backup.rmdir()
    os.rename(project_dir, backup)
    try:
        os.rename(stage, project_dir)
    except BaseException:
        os.rename(backup, project_dir)
        raise
    return backup


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one step with Linux's renameat2(RENAME_EXCHANGE); False where it is unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes  # here: only a rebuild over an existing folder swaps, and ctypes takes a while to import

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def _recover(out_dir: Path) -> None:
    """Clear what a killed build left: restore a project folder caught between two renames, drop stages."""
    for entry in sorted(out_dir.iterdir()):
        if entry.is_symlink() or not entry.is_dir():
            continue
        if entry.name.startswith(_BACKUP):
            project = entry.name[len(_BACKUP) :].rsplit("-", 1)[0]
            if project and not os.path.lexists(out_dir / project):
                os.rename(entry, out_dir / project)
            else:
                shutil.rmtree(entry, ignore_errors=True)
        elif entry.name.startswith(_STAGE):
            shutil.rmtree(entry, ignore_errors=True)


def _fsync_tree(folder: Path) -> None:
    """Make the staged entries durable before the swap publishes them: every folder, deepest first."""
    for here, _, _ in sorted(os.walk(folder), key=lambda entry: -len(entry[0])):
        _fsync_dir(Path(here))


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def _locked(out_dir: Path, timeout: float, on_wait: Callable[[str], None] | None) -> Iterator[None]:
    """Hold an exclusive lock on `out_dir` itself (no lock file to commit or clean up)."""
    if fcntl is None:  # pragma: no cover - Windows has no flock; builds there do not take turns
        yield
        return
    fd = os.open(out_dir, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0))
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait(f"another asl-gen build is writing {out_dir}; waiting up to {timeout:g} s")
            deadline = time.monotonic() + timeout
            while True:
                time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise WriteError(
                            Problem(
                                f"another asl-gen build kept this folder locked for {timeout:g} s; gave up",
                                file=str(out_dir),
                                hint="let the other build finish (or stop it), then build again; "
                                "ASL_GEN_LOCK_TIMEOUT sets the wait",
                            )
                        ) from None
        yield
    finally:
        os.close(fd)


def compare_project(out_dir: Path, project: str, files: Mapping[str, str]) -> list[Difference]:
    """What `write_project` would change, as differences with short unified diffs."""
    everything = _all_files(project, files)
    project_dir = out_dir / project
    try:
        return _differences(project_dir, project, everything)
    except OSError as exc:
        raise _write_error(exc, project_dir, verb="read") from None


def _differences(project_dir: Path, project: str, everything: Mapping[str, str]) -> list[Difference]:
    differences: list[Difference] = []
    if project_dir.is_symlink():
        # A build refuses to write through it, so nothing behind it counts as output.
        return [Difference(path, "missing") for path in sorted(everything)]
    for path, text in sorted(everything.items()):
        target = _plain(project_dir, path)
        if target is None or target.is_symlink() or not target.is_file():
            differences.append(Difference(path, "missing"))
            continue
        current = target.read_text(encoding="utf-8", errors="replace")
        if current != text:
            differences.append(Difference(path, "changed", "".join(_short_diff(current, text, f"{project}/{path}"))))
    for path in _owned(project_dir):
        target = _plain(project_dir, path)
        if path not in everything and target is not None and os.path.lexists(target):
            differences.append(Difference(path, "stale"))
    return differences


def _short_diff(old: str, new: str, path: str, limit: int = 40) -> Iterator[str]:
    import difflib  # here: only a check that finds a difference shows one

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
