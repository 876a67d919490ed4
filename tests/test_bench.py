"""The benchmark's inputs stay valid, so `python bench/run.py` measures real work and never fails half-way."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

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
