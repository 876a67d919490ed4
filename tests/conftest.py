"""Shared test set-up: the golden-file option, and what makes every hypothesis draw depend on the test alone.

Hypothesis mixes constants it finds in the source of the "local" modules (not the standard library, not
site-packages, not test files) already imported into its draws, about one draw in twenty. Which asl_gen modules a
worker had imported by the time a property test ran used to depend on which tests ran before it, so a
derandomized test drew different specs alone, in the full suite and under xdist (a `comment: CausePath` drawn in
one order and not in another; issue 14). Importing every module of asl_gen (and bench/run.py, which
tests/test_bench.py loads) here, before any test, makes that pool the same in every process and every order:
the draws then depend only on the test and the code under test. tests/test_determinism.py checks it.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
import pkgutil
import sys
from pathlib import Path

import pytest
from hypothesis import settings

import asl_gen

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "big-mart" / "spec.yaml"
# The limit `asl-gen build` runs with, read before any test module imports jsonata-python: importing it raises the
# process's limit to 10,000 for good (tests/test_hostile_files.py puts this one back where depth is what is tested).
PYTHON_RECURSION_LIMIT = sys.getrecursionlimit()


def import_every_local_module() -> None:
    """Import every module hypothesis would take constants from, so its pool is complete from the start."""
    for module in pkgutil.walk_packages(asl_gen.__path__, "asl_gen."):
        if not module.name.endswith(".__main__"):  # running it would run the CLI
            importlib.import_module(module.name)
    # tests/test_bench.py loads bench/run.py as a module of this name; its constants count too.
    spec = importlib.util.spec_from_file_location("asl_gen_tests_bench_run", REPO / "bench" / "run.py")
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench
    spec.loader.exec_module(bench)


import_every_local_module()

# Tests that choose no settings of their own are derandomized too, and no example database carries a draw from
# one run into the next (tests/test_properties.py keeps its own profiles, per test).
settings.register_profile("asl-gen-default", derandomize=True, database=None, deadline=None)
settings.load_profile("asl-gen-default")


def _share_botocore_data() -> None:
    """One botocore data loader per process instead of one per session. moto starts every mock with a fresh boto3
    session (`reset_boto3_session`), and each session read and decoded the service models again, a few megabytes
    of JSON: a third of a second for each test that makes a client. What a session reads from the loader is
    the same files whatever the session; credentials, region and moto's patching stay per session."""
    try:
        import botocore.loaders
        import botocore.session
    except ImportError:  # boto3 comes with moto, in the test extra
        return
    botocore.session.create_loader = functools.cache(botocore.loaders.create_loader)  # type: ignore[attr-defined]


_share_botocore_data()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite tests/cases/*/expected from the current output (review the diff before committing).",
    )


def _fsync_checked(fd: int) -> None:
    """os.fsync without the wait for the disk: the descriptor is still checked (a bad one raises as before)."""
    os.fstat(fd)


@pytest.fixture(autouse=True)
def _fsync_without_waiting(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """asl-gen's writer syncs every file and folder it writes (asl_gen/write.py), and waiting for the disk was a
    third of the time of a build in process, far more on a machine busy writing: tests/test_hostile_values.py's
    corpus took 55 s with it and 28 s without. What a sync adds shows only after the machine loses power, which
    no test can bring about (a killed process leaves its writes in the page cache), so the fast suite skips the
    wait; the calls still happen, in the same order, where a test counts or fails them. The slow tests (the
    fault loops among them) and builds in a subprocess sync for real."""
    if request.node.get_closest_marker("slow") is None:
        monkeypatch.setattr(os, "fsync", _fsync_checked)


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def _simulate_plugin_installed() -> bool:
    from importlib.metadata import entry_points

    return any(ep.value == "asl_gen.pytest_plugin" for ep in entry_points(group="pytest11"))


if not _simulate_plugin_installed():
    # An install made before the pytest11 entry point existed (an old editable install) still gets the fixture.
    from asl_gen.pytest_plugin import simulate as simulate
