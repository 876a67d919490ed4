"""Faults while writing: kills, concurrent builds, full disks, refused permissions, links and crafted manifests.

The promise under test: out/<project> is always the complete old output or the complete new output (bytes,
file set, the manifest and the user's own files included), a failed build says why in one line with exit 2 and
leaves out/ as it was, and nothing outside out/<project>/ is ever written or deleted.

Two output states are used throughout: A is the example, B the example with another instance type and one
state machine fewer (so B changes files and removes some). Both carry the user's own files: a note, a folder
and a link, which every build must carry over untouched.
"""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import asl_gen.write
from asl_gen.build import generate
from asl_gen.cli import main
from asl_gen.write import MANIFEST, manifest_text, write_project

from .conftest import EXAMPLE, REPO
from .figures import report

fcntl = pytest.importorskip("fcntl", reason="the lock and these fault tests need POSIX")

PROJECT = "big-mart"
Tree = dict[str, Any]


def _tree(folder: Path) -> Tree:
    """Everything under `folder`, links not followed: files as bytes, links as their target, folders marked."""
    entries: Tree = {}
    for here, dirs, names in os.walk(folder, followlinks=False):
        for name in [*dirs, *names]:
            path = Path(here, name)
            key = path.relative_to(folder).as_posix()
            if path.is_symlink():
                entries[key] = ("link", os.readlink(path))
            elif path.is_dir():
                entries[key] = ("folder",)
            else:
                entries[key] = path.read_bytes()
    return entries


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.startswith(".asl-gen-"))


def _add_foreign(project_dir: Path) -> None:
    (project_dir / "NOTES.md").write_text("the user's own notes\n")
    (project_dir / "docs").mkdir()
    (project_dir / "docs" / "runbook.md").write_text("how we deploy\n")
    (project_dir / "latest").symlink_to("pipeline.asl.json")


def _spec_b(folder: Path) -> Path:
    text = EXAMPLE.read_text().replace("ml.m5.xlarge", "ml.m5.2xlarge").replace("  deploy: [endpoint]\n", "")
    spec = folder / "b.yaml"
    spec.write_text(text)
    return spec


class States:
    """The two complete states of out/<project> and what produces them."""

    def __init__(self, folder: Path) -> None:
        self.spec_a = EXAMPLE
        self.spec_b = _spec_b(folder)
        self.files_a = generate(self.spec_a).files
        self.files_b = generate(self.spec_b).files
        out = folder / "reference"
        write_project(out, PROJECT, self.files_a)
        _add_foreign(out / PROJECT)
        self.a = _tree(out / PROJECT)
        write_project(out, PROJECT, self.files_b)
        self.b = _tree(out / PROJECT)
        assert self.a != self.b
        assert {"NOTES.md", "docs/runbook.md", "latest"} <= set(self.b)
        assert "deploy.asl.json" in self.a and "deploy.asl.json" not in self.b

    def out_at_a(self, out: Path) -> Path:
        """A fresh out/ holding state A exactly."""
        if out.exists():
            shutil.rmtree(out)
        write_project(out, PROJECT, self.files_a)
        _add_foreign(out / PROJECT)
        assert _tree(out / PROJECT) == self.a
        return out

    def which(self, out: Path) -> str:
        """'A' or 'B' for a complete state; anything else fails the test with what is there."""
        tree = _tree(out / PROJECT) if (out / PROJECT).is_dir() else None
        if tree == self.a:
            return "A"
        if tree == self.b:
            return "B"
        missing_a = sorted(set(self.a) - set(tree or {}))
        missing_b = sorted(set(self.b) - set(tree or {}))
        raise AssertionError(
            f"out/{PROJECT} is neither complete state: missing from A {missing_a}, from B {missing_b}, "
            f"leftovers {_leftovers(out)}"
        )


@pytest.fixture(scope="module")
def states(tmp_path_factory: pytest.TempPathFactory) -> States:
    return States(tmp_path_factory.mktemp("states"))


def _with_manifest(files: Any) -> dict[str, str]:
    return {**files, MANIFEST: manifest_text(files)}


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _build_command(spec: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "asl_gen", "build", str(spec), "--out", str(out)]


# ---------------------------------------------------------------------------------------------------------
# Kills


@pytest.mark.slow
def test_builds_killed_at_random_moments_leave_one_complete_state(
    states: States, tmp_path: Path, pytestconfig: pytest.Config
) -> None:
    seed = 20_240_608
    rng = random.Random(seed)
    out = states.out_at_a(tmp_path / "out")
    durations = []
    for spec in (states.spec_b, states.spec_a, states.spec_b):
        started = time.monotonic()
        subprocess.run(_build_command(spec, out), env=_env(), check=True, capture_output=True)
        durations.append(time.monotonic() - started)
    duration = statistics.median(durations)
    assert states.which(out) == "B"

    builds = 120
    figures: Counter[str] = Counter()
    for index in range(builds):
        spec = states.spec_a if index % 2 == 0 else states.spec_b
        delay = rng.uniform(0, duration)
        process = subprocess.Popen(
            _build_command(spec, out), env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        code = process.wait()
        figures["killed" if code == -signal.SIGKILL else f"finished (exit {code})"] += 1
        assert code in (0, -signal.SIGKILL), f"build {index} exited {code}"
        if _leftovers(out):
            figures["left a staging folder (killed while writing)"] += 1
        figures[f"state {states.which(out)}"] += 1

    final = subprocess.run(_build_command(states.spec_a, out), env=_env(), capture_output=True, text=True)
    assert final.returncode == 0, final.stderr
    assert states.which(out) == "A"
    assert _leftovers(out) == []
    assert sorted(p.name for p in out.iterdir()) == [PROJECT]
    report(
        pytestconfig,
        f"kill loop (seed {seed}, delays uniform in 0-{duration:.2f} s, the median build): {builds} builds, "
        f"{', '.join(f'{n} {what}' for what, n in sorted(figures.items()))}; every one of the {builds} "
        "left a complete state; the next build cleared every leftover",
    )


def _write_killed_at(step: int | None, files: dict[str, str], out: Path, *, exchange: bool) -> tuple[int, int]:
    """In a forked child, write `files`, SIGKILLing itself just before its `step`-th file-system call.

    Returns (how the child ended as a wait status, how many calls it made when it was not killed).
    """
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; it never returns into pytest
        try:
            os.close(reader)
            calls = 0

            def counted(function: Callable[..., Any]) -> Callable[..., Any]:
                def call(*args: Any, **kwargs: Any) -> Any:
                    nonlocal calls
                    calls += 1
                    if calls == step:
                        os.kill(os.getpid(), signal.SIGKILL)
                    return function(*args, **kwargs)

                return call

            for name in ("open", "write", "fsync", "mkdir", "rename", "link", "symlink", "unlink", "rmdir"):
                setattr(os, name, counted(getattr(os, name)))
            original = asl_gen.write._exchange
            asl_gen.write._exchange = counted(original if exchange else lambda first, second: False)
            write_project(out, PROJECT, files)
            os.write(writer, str(calls).encode())
        finally:
            os._exit(0)
    os.close(writer)
    with os.fdopen(reader) as pipe:
        made = pipe.read()
    _, status = os.waitpid(pid, 0)
    return status, int(made or 0)


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.parametrize("exchange", [True, False], ids=["atomic exchange", "two renames (no renameat2)"])
def test_a_build_killed_before_any_of_its_file_system_calls_leaves_one_complete_state(
    exchange: bool, states: States, tmp_path: Path, pytestconfig: pytest.Config
) -> None:
    out = states.out_at_a(tmp_path / "out")
    status, total = _write_killed_at(None, dict(states.files_b), out, exchange=exchange)
    assert os.WIFEXITED(status) and states.which(out) == "B"
    assert total > 20, "the count of file-system calls is implausibly low; is the wrapper working?"
    seen: Counter[str] = Counter()
    for step in range(1, total + 1):
        out = states.out_at_a(tmp_path / "out")
        status, _ = _write_killed_at(step, dict(states.files_b), out, exchange=exchange)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, f"step {step} was not reached"
        if exchange:
            seen[states.which(out)] += 1
        else:
            # Between the two renames the folder is briefly away; the next build puts it back first thing.
            if not (out / PROJECT).exists():
                seen["away until the next build"] += 1
            asl_gen.write._recover(out)
            seen[states.which(out)] += 1
        write_project(out, PROJECT, states.files_a)
        assert _leftovers(out) == [] and states.which(out) == "A"
    report(
        pytestconfig,
        f"kill at every step ({'renameat2 exchange' if exchange else 'two renames'}): {total} builds, each "
        f"SIGKILLed before its n-th file-system call; states: "
        f"{', '.join(f'{what} {n}' for what, n in sorted(seen.items()))}; the next build cleared every leftover",
    )


# ---------------------------------------------------------------------------------------------------------
# Concurrent builds and the lock


@pytest.mark.slow
def test_concurrent_builds_on_one_out_take_turns(states: States, tmp_path: Path, pytestconfig: pytest.Config) -> None:
    out = states.out_at_a(tmp_path / "out")
    rounds, width = 3, 8
    finals: Counter[str] = Counter()
    for _ in range(rounds):
        processes = [
            subprocess.Popen(
                _build_command(states.spec_a if i % 2 else states.spec_b, out),
                env=_env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for i in range(width)
        ]
        for process in processes:
            stdout, stderr = process.communicate(timeout=120)
            assert process.returncode == 0, stderr
            assert f"{PROJECT}: " in stdout + stderr, stdout + stderr
        finals[states.which(out)] += 1
        assert _leftovers(out) == []
        assert sorted(p.name for p in out.iterdir()) == [PROJECT]
    report(
        pytestconfig,
        f"concurrent builds: {rounds} rounds of {width} processes (A and B alternating) on one out/: "
        f"{rounds * width} exit 0, final states {dict(sorted(finals.items()))}, no leftovers",
    )


@pytest.fixture
def held_lock(states: States, tmp_path: Path) -> Iterator[Path]:
    out = states.out_at_a(tmp_path / "out")
    fd = os.open(out, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield out
    finally:
        os.close(fd)


def test_a_build_that_cannot_get_the_lock_gives_up_clearly_and_changes_nothing(
    held_lock: Path, states: States, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASL_GEN_LOCK_TIMEOUT", "0.2")
    started = time.monotonic()
    result = CliRunner().invoke(main, ["build", str(states.spec_b), "--out", str(held_lock)])
    assert 0.2 <= time.monotonic() - started < 10
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"another asl-gen build is writing {held_lock}; waiting up to 0.2 s",
        f"{held_lock}: another asl-gen build kept this folder locked for 0.2 s; gave up (let the other build "
        "finish (or stop it), then build again; ASL_GEN_LOCK_TIMEOUT sets the wait)",
        "1 problem found",
    ]
    assert states.which(held_lock) == "A" and _leftovers(held_lock) == []


def test_a_build_waits_for_the_lock_and_then_writes(states: States, tmp_path: Path) -> None:
    out = states.out_at_a(tmp_path / "out")
    fd = os.open(out, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    threading.Timer(0.5, os.close, [fd]).start()
    started = time.monotonic()
    process = subprocess.run(
        _build_command(states.spec_b, out),
        env={**_env(), "ASL_GEN_LOCK_TIMEOUT": "30"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert process.returncode == 0, process.stderr
    assert time.monotonic() - started >= 0.5
    assert states.which(out) == "B"


@pytest.mark.parametrize("value", ["soon", "-1", "nan", "inf"])
def test_a_lock_timeout_that_is_not_a_number_of_seconds_is_a_usage_error(
    value: str, states: States, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = states.out_at_a(tmp_path / "out")
    monkeypatch.setenv("ASL_GEN_LOCK_TIMEOUT", value)
    result = CliRunner().invoke(main, ["build", str(states.spec_b), "--out", str(out)])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"ASL_GEN_LOCK_TIMEOUT: {value!r} is not a number of seconds (set it to how long a build may wait for "
        "another one, e.g. 120, or 0 not to wait)",
        "1 problem found",
    ]
    assert states.which(out) == "A"


# ---------------------------------------------------------------------------------------------------------
# A full disk, refused permissions, a failing swap: exit 2, one line, out/ as it was


def _fail_after(
    monkeypatch: pytest.MonkeyPatch, name: str, code: int, *, after: int = 0, match: Callable[..., bool] | None = None
) -> None:
    """Make `os.<name>` raise OSError(code) from its (after+1)-th call that `match` accepts."""
    real = getattr(os, name)
    seen = 0

    def failing(*args: Any, **kwargs: Any) -> Any:
        nonlocal seen
        if match is None or match(*args, **kwargs):
            seen += 1
            if seen > after:
                filename = args[0] if args and isinstance(args[0], str | bytes | os.PathLike) else None
                raise OSError(code, os.strerror(code), *([os.fspath(filename)] if filename is not None else []))
        return real(*args, **kwargs)

    monkeypatch.setattr(os, name, failing)


def _staged(path: Any, *args: Any, **kwargs: Any) -> bool:
    return ".asl-gen-stage-" in os.fsdecode(path) if isinstance(path, str | bytes | os.PathLike) else False


def _bytes_then_full(monkeypatch: pytest.MonkeyPatch, limit: int) -> None:
    """os.write accepts `limit` bytes in all, then the disk is full."""
    real = os.write
    written = 0

    def write(fd: int, data: Any) -> int:
        nonlocal written
        if written + len(data) > limit:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written += len(data)
        return real(fd, data)

    monkeypatch.setattr(os, "write", write)


Staged = list[tuple[str, int]]  # the files a build of B stages, in the order it writes them, with their sizes


def _nth(index: int) -> Callable[[Staged], str]:
    return lambda staged: f"{PROJECT}/{staged[index][0]}"


def _crossing(limit: int) -> Callable[[Staged], str]:
    def where(staged: Staged) -> str:
        total = 0
        for path, size in staged:
            total += size
            if total > limit:
                return f"{PROJECT}/{path}"
        raise AssertionError("the limit is never reached")

    return where


def _creating(path: Any, flags: int = 0, *args: Any, **kwargs: Any) -> bool:
    """A staged file being created (the clean-up's own opens of the staged folders still work)."""
    return _staged(path) and bool(flags & os.O_CREAT)


def _user_docs(path: Any = ".", *args: Any, **kwargs: Any) -> bool:
    """The user's docs/ folder in out/<project> (os.walk lists it by path; rmtree by descriptor, not matched)."""
    return isinstance(path, str | bytes | os.PathLike) and os.fsdecode(path).endswith(f"{PROJECT}/docs")


def _ends(suffix: str) -> Callable[..., bool]:
    return lambda path, *args, **kwargs: _staged(path) and os.fsdecode(path).endswith(suffix)


def _links_refused_and_copy_full(monkeypatch: pytest.MonkeyPatch) -> None:
    _fail_after(monkeypatch, "link", errno.EPERM)
    _fail_after(monkeypatch, "sendfile", errno.ENOSPC)


def _exchange_fails(first: Path, second: Path) -> bool:
    raise OSError(errno.EBUSY, "Device busy", str(second))


# (the fault, how to inject it, the file the message names, and the reason it gives)
FAULTS: list[tuple[str, Callable[[pytest.MonkeyPatch], object], Callable[[Staged], str], str]] = [
    ("disk full on the first file", lambda m: _bytes_then_full(m, 0), _nth(0), "No space left on device"),
    ("disk full after 10 KB", lambda m: _bytes_then_full(m, 10_000), _crossing(10_000), "No space left on device"),
    (
        "disk full on the 4th fsync",
        lambda m: _fail_after(m, "fsync", errno.ENOSPC, after=3),
        _nth(3),
        "No space left on device",
    ),
    (
        "disk full creating a folder",
        lambda m: _fail_after(m, "mkdir", errno.ENOSPC, match=_ends("/docs")),
        lambda staged: f"{PROJECT}/docs",
        "No space left on device",
    ),
    (
        "no permission to create the staged files",
        lambda m: _fail_after(m, "open", errno.EACCES, match=_creating),
        _nth(0),
        "Permission denied",
    ),
    (
        "read-only file system (out/ mounted read-only)",
        lambda m: _fail_after(m, "mkdir", errno.EROFS, match=_staged),
        lambda staged: PROJECT,
        "Read-only file system",
    ),
    (
        "I/O error on the 8th file",
        lambda m: _fail_after(m, "open", errno.EIO, match=_creating, after=7),
        _nth(7),
        "Input/output error",
    ),
    (
        "no permission on the user's subfolder (cannot carry it over)",
        lambda m: _fail_after(m, "scandir", errno.EACCES, match=_user_docs),
        lambda staged: f"{PROJECT}/docs",
        "Permission denied",
    ),
    (
        "hard links refused, and the disk full for the copy",
        _links_refused_and_copy_full,
        lambda staged: f"{PROJECT}/NOTES.md",
        "No space left on device",
    ),
    (
        "the atomic exchange fails",
        lambda m: m.setattr(asl_gen.write, "_exchange", _exchange_fails),
        lambda staged: PROJECT,
        "Device busy",
    ),
]


@pytest.mark.parametrize(("inject", "where", "reason"), [f[1:] for f in FAULTS], ids=[f[0] for f in FAULTS])
def test_a_write_fault_gives_one_line_exit_2_and_leaves_out_as_it_was(
    inject: Callable[[pytest.MonkeyPatch], object],
    where: Callable[[Staged], str],
    reason: str,
    states: States,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    pytestconfig: pytest.Config,
) -> None:
    out = states.out_at_a(tmp_path / "out")
    staged = [(path, len(text.encode())) for path, text in sorted(_with_manifest(states.files_b).items())]
    inject(monkeypatch)
    result = CliRunner().invoke(main, ["build", str(states.spec_b), "--out", str(out)])
    monkeypatch.undo()
    assert result.exit_code == 2, result.output
    assert result.output.splitlines() == [
        f"{out / where(staged)}: cannot write: {reason} (free some space or fix the permissions; out/ was left as "
        "it was)",
        "1 problem found",
    ]
    assert states.which(out) == "A"
    assert _leftovers(out) == []


def test_the_second_rename_failing_without_an_exchange_puts_the_old_folder_back(
    states: States, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = states.out_at_a(tmp_path / "out")
    monkeypatch.setattr(asl_gen.write, "_exchange", lambda first, second: False)
    _fail_after(monkeypatch, "rename", errno.ENOSPC, match=_staged)
    result = CliRunner().invoke(main, ["build", str(states.spec_b), "--out", str(out)])
    monkeypatch.undo()
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == (
        f"{out / PROJECT}: cannot write: No space left on device "
        "(free some space or fix the permissions; out/ was left as it was)"
    )
    assert states.which(out) == "A" and _leftovers(out) == []


def test_a_read_only_parent_of_a_new_out_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    _fail_after(monkeypatch, "mkdir", errno.EROFS, match=lambda p, *a, **k: os.fspath(p) == str(out))
    result = CliRunner().invoke(main, ["build", str(EXAMPLE), "--out", str(out)])
    monkeypatch.undo()
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"{out}: cannot write: Read-only file system (free some space or fix the permissions; out/ was left as it was)",
        "1 problem found",
    ]
    assert not out.exists()


def test_an_unreadable_output_file_during_check_is_reported_not_a_crash(
    states: States, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = states.out_at_a(tmp_path / "out")
    real = Path.read_text

    def refuse(self: Path, *args: Any, **kwargs: Any) -> str:
        if self.name == "pipeline.asl.json":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", refuse)
    result = CliRunner().invoke(main, ["check", str(EXAMPLE), "--out", str(out)])
    monkeypatch.undo()
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == (
        f"{out / PROJECT / 'pipeline.asl.json'}: cannot read: Permission denied "
        "(free some space or fix the permissions; out/ was left as it was)"
    )


# ---------------------------------------------------------------------------------------------------------
# Links and crafted manifests: nothing outside out/<project>/ is written or deleted


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_text("keep me\n")
    (folder / "stepfunctions-policy.json").write_text("not asl-gen's\n")
    return folder


def test_a_link_in_place_of_a_folder_asl_gen_writes_is_refused_not_followed(
    states: States, tmp_path: Path, outside: Path
) -> None:
    out = states.out_at_a(tmp_path / "out")
    shutil.rmtree(out / PROJECT / "iam")
    (out / PROJECT / "iam").symlink_to(outside)
    before = _tree(out)
    result = CliRunner().invoke(main, ["build", str(states.spec_b), "--out", str(out)])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"{out / PROJECT / 'iam'}: is a symbolic link where asl-gen writes a folder; asl-gen never writes through "
        "links (replace the link with a real folder, then build again)",
        "1 problem found",
    ]
    assert _tree(out) == before
    assert _tree(outside) == {"secret.txt": b"keep me\n", "stepfunctions-policy.json": b"not asl-gen's\n"}
    check = CliRunner().invoke(main, ["check", str(states.spec_a), "--out", str(out)])
    assert check.exit_code == 1 and "stepfunctions-policy.json: missing" in check.output


def test_links_to_outside_are_carried_as_links_and_their_targets_survive(
    states: States, tmp_path: Path, outside: Path
) -> None:
    out = states.out_at_a(tmp_path / "out")
    (out / PROJECT / "shared").symlink_to(outside)
    (out / PROJECT / "secret-link.txt").symlink_to(outside / "secret.txt")
    manifest = out / PROJECT / MANIFEST
    data = json.loads(manifest.read_text())
    # Claim the files behind the links as asl-gen's, as a crafted manifest would; B no longer produces them.
    data["files"]["shared/secret.txt"] = "0" * 64
    data["files"]["shared/stepfunctions-policy.json"] = "0" * 64
    manifest.write_text(json.dumps(data))
    result = CliRunner().invoke(main, ["build", str(states.spec_b), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert os.readlink(out / PROJECT / "shared") == str(outside)
    assert os.readlink(out / PROJECT / "secret-link.txt") == str(outside / "secret.txt")
    assert _tree(outside) == {"secret.txt": b"keep me\n", "stepfunctions-policy.json": b"not asl-gen's\n"}
    assert "removed" in result.output and ", 2 removed" in result.output  # deploy.asl.json and its schema only


def test_out_itself_a_link_is_refused(tmp_path: Path, outside: Path) -> None:
    out = tmp_path / "out"
    out.symlink_to(outside)
    result = CliRunner().invoke(main, ["build", str(EXAMPLE), "--out", str(out)])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"{out}: is a symbolic link; asl-gen never writes through links (make it a real folder, then build again)",
        "1 problem found",
    ]
    assert _tree(outside) == {"secret.txt": b"keep me\n", "stepfunctions-policy.json": b"not asl-gen's\n"}


CRAFTED_ENTRIES = [
    "../../sentinel-1",
    "../sentinel-2",
    "../../../sentinel-3",
    "/tmp/sentinel-abs",
    "a/../../sentinel-4",
    "iam/../../sentinel-5",
    "..",
    ".",
    "",
    "~/sentinel-6",
    "C:\\sentinel-7",
    "..\\sentinel-8",
    "sentinel-9\n",
    "sub/./../../sentinel-10",
    "docs/../../../sentinel-11",
]


def test_a_crafted_manifest_cannot_remove_anything_outside_the_project_folder(
    states: States, tmp_path: Path, outside: Path
) -> None:
    out = states.out_at_a(tmp_path / "work" / "out")
    sentinels = [
        tmp_path / "sentinel-1",
        tmp_path / "work" / "sentinel-1",
        tmp_path / "work" / "sentinel-2",
        out / "sentinel-2",
        tmp_path / "sentinel-3",
        tmp_path / "work" / "sentinel-4",
        out / "sentinel-4",
        out / "sentinel-5",
        out / "sentinel-10",
        out / "sentinel-11",
        tmp_path / "work" / "sentinel-11",
        out / PROJECT / "sentinel-9",
    ]
    for sentinel in sentinels:
        sentinel.write_text("sentinel\n")
    manifest = out / PROJECT / MANIFEST
    data = json.loads(manifest.read_text())
    for entry in CRAFTED_ENTRIES:
        data["files"][entry] = "0" * 64
    manifest.write_text(json.dumps(data))
    outside_before = _tree(outside)
    for command in ("check", "build"):
        result = CliRunner().invoke(main, [command, str(states.spec_b), "--out", str(out)])
        assert result.exit_code in (0, 1), result.output
        assert "Traceback" not in result.output
    assert all(s.read_text() == "sentinel\n" for s in sentinels), [s for s in sentinels if not s.exists()]
    assert _tree(outside) == outside_before
    assert (out / PROJECT / "NOTES.md").read_text() == "the user's own notes\n"
    assert json.loads((out / PROJECT / MANIFEST).read_text())["files"].keys() == {
        p for p in states.files_b if p != MANIFEST
    }


def test_a_file_asl_gen_does_not_own_is_never_replaced(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "big-mart").mkdir(parents=True)
    mine = out / "big-mart" / "pipeline.asl.json"
    mine.write_text("my own pipeline")
    result = CliRunner().invoke(main, ["build", str(EXAMPLE), "--out", str(out)])
    assert result.exit_code == 2
    assert f"{mine}: exists, and asl-gen did not write it" in result.output
    assert mine.read_text() == "my own pipeline"
    assert sorted(p.name for p in (out / "big-mart").iterdir()) == ["pipeline.asl.json"]


def test_a_failure_staging_one_project_leaves_every_project_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    first = {"a.json": "{}\n"}
    asl_gen.write.write_projects(out, {"one": first, "two": first})
    before = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    real = asl_gen.write._write_file

    def full_disk_on_two(stage: Path, path: str, text: str) -> None:
        if stage.name.startswith(".asl-gen-stage-two-"):
            raise OSError(errno.ENOSPC, "No space left on device", str(stage / path))
        real(stage, path, text)

    monkeypatch.setattr(asl_gen.write, "_write_file", full_disk_on_two)
    changed = {"a.json": '{"changed": true}\n'}
    with pytest.raises(asl_gen.write.WriteError, match="No space left on device"):
        asl_gen.write.write_projects(out, {"one": changed, "two": changed})
    after = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    assert after == before
    assert _leftovers(out) == []
