"""The benchmark's inputs stay valid, so `python bench/run.py` measures real work and never fails half-way."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from asl_gen.build import generate
from asl_gen.lint import validate_definition

from .conftest import REPO


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_run", REPO / "bench" / "run.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module
    spec.loader.exec_module(module)
    return module


def test_benchmark_definitions_are_valid_and_have_the_size_asked() -> None:
    bench = _bench()
    for states in (5, 100):
        document = bench.definition(states)
        assert len(document["States"]) == states
        assert validate_definition(document) == []


def test_benchmark_specs_build(tmp_path: Path) -> None:
    [path] = _bench().many_specs(tmp_path, 1, 3)
    generated = generate(Path(path))
    assert sorted(p for p in generated.files if p.endswith(".asl.json")) == [
        "m0000.asl.json",
        "m0001.asl.json",
        "m0002.asl.json",
    ]


# --- a missing prerequisite is one line and a non-zero exit, not a traceback -----------------------------------


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"asl_gen_tests_bench_{name}", REPO / "bench" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_conformance_without_its_corpus_says_so_in_one_line(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, str(REPO / "bench" / "conformance.py"), "--corpus", str(tmp_path / "shared")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 1
    assert "Traceback" not in completed.stderr
    assert completed.stderr.strip() == (
        f"bench/conformance.py: no ASL corpus at {tmp_path / 'shared'} (its expectations.tsv is missing): the shared "
        "corpus is a sibling checkout ../shared of this repository; give another with --corpus DIR"
    )


def test_conformance_peers_without_asl_validator_or_node_say_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conformance = _load("conformance")
    monkeypatch.setattr(conformance, "ASL_VALIDATOR", REPO / "node_modules" / "no-such-validator")
    with pytest.raises(SystemExit) as raised:
        conformance.check_peers()
    assert "--peers needs asl-validator (node_modules/no-such-validator is missing): run npm ci here" in str(
        raised.value
    )
    monkeypatch.setattr(conformance.shutil, "which", lambda name: None)
    with pytest.raises(SystemExit) as raised:
        conformance.check_peers()
    assert str(raised.value) == (
        "bench/conformance.py: --peers needs Node.js for asl-validator: install node, then run npm ci here"
    )


def test_run_peers_that_cannot_be_installed_say_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bench = _bench()
    monkeypatch.setattr(bench, "PEERS", tmp_path / "peers")

    def offline(command: list[str], **kwargs: object) -> None:
        raise subprocess.CalledProcessError(1, command)

    monkeypatch.setattr(bench.subprocess, "run", offline)
    with pytest.raises(SystemExit) as raised:
        bench.peer_python()
    assert str(raised.value).startswith(
        f"bench/run.py: --peers could not set up the Data Science SDK in {tmp_path / 'peers' / 'datascience-sdk'}"
    )
    monkeypatch.setattr(bench, "PEER_SCRIPT", tmp_path / "missing.py")
    with pytest.raises(SystemExit) as raised:
        bench.peer_python()
    assert str(raised.value) == f"bench/run.py: --peers needs {tmp_path / 'missing.py'}, which is missing"


def test_simulate_bench_without_the_built_pipeline_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    simulate = _load("simulate")
    monkeypatch.setattr(simulate, "PIPELINE", tmp_path / "pipeline.asl.json")
    with pytest.raises(SystemExit) as raised:
        simulate.main(["--runs", "1"])
    assert str(raised.value).startswith(f"bench/simulate.py: {tmp_path / 'pipeline.asl.json'} is missing")


def test_differential_without_moto_says_so_in_one_line(tmp_path: Path) -> None:
    # A `moto` package that fails to import stands for one that is not installed.
    (tmp_path / "moto").mkdir()
    (tmp_path / "moto" / "__init__.py").write_text("raise ImportError('No module named moto')\n")
    completed = subprocess.run(
        [sys.executable, str(REPO / "bench" / "differential.py")],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
    )
    assert completed.returncode == 1
    assert "Traceback" not in completed.stderr
    assert completed.stderr.startswith("bench/differential.py: needs the test dependencies (")
    assert completed.stderr.strip().endswith("pip install -e '.[test]' in this checkout")


# --- the dependencies' share of a build (bench/dependency_work.py) ----------------------------------------------


def test_dependency_work_loads_the_templates_a_build_of_big_mart_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    import jinja2

    loaded: set[str] = set()
    load = jinja2.Environment._load_template

    def recording(self: jinja2.Environment, name: str, globals: object) -> jinja2.Template:
        loaded.add(name)
        return load(self, name, globals)  # type: ignore[arg-type]

    monkeypatch.setattr(jinja2.Environment, "_load_template", recording)
    generate(REPO / "examples" / "big-mart" / "spec.yaml")
    assert sorted(loaded) == sorted(_load("dependency_work").TEMPLATES)


def test_dependency_work_runs_on_the_committed_output() -> None:
    completed = subprocess.run(
        [sys.executable, str(REPO / "bench" / "dependency_work.py")], capture_output=True, text=True, timeout=120
    )
    assert (completed.returncode, completed.stderr) == (0, "")


def test_dependency_work_refuses_output_the_schemas_refuse(tmp_path: Path) -> None:
    (tmp_path / "broken.asl.json").write_text('{"States": {}}', encoding="utf-8")
    with pytest.raises(SystemExit, match=r"broken\.asl\.json: .*out/ is stale: run asl-gen build"):
        _load("dependency_work").main(tmp_path)
    with pytest.raises(SystemExit, match="no documents under"):
        _load("dependency_work").main(tmp_path / "empty")


def test_dependency_work_split_names_every_share_and_the_ratio() -> None:
    completed = subprocess.run(
        [sys.executable, str(REPO / "bench" / "dependency_work.py"), "--split", "1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    shares = _load("dependency_work").ROWS.values()
    for text in shares:
        [line] = [line for line in lines if line.strip().startswith(text)]
        assert float(line.split()[-2]) >= 0
    assert re.fullmatch(r"the floor \(python -c pass \+ the imports\) plus that work: \d+\.\d\dx the floor", lines[-1])
