"""Cold wall time of `asl-gen build` on the bundled example, against the floor of importing its dependencies.

Usage: python bench/build_time.py [--runs N]
Each run is a fresh process (cold start: nothing cached in memory), writing into a temporary folder, after one
warm-up run so that Python's byte-code files exist as they do in an installed package. Prints a table;
asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "big-mart" / "spec.yaml"


# Users run an installed asl-gen whose modules are byte-compiled; a PYTHONDONTWRITEBYTECODE=1 in the
# environment would make every run compile asl-gen's sources again and measure that instead.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _time(command: list[str], runs: int) -> list[float]:
    subprocess.run(command, check=True, capture_output=True, env=ENV)  # warm-up: writes the .pyc files
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            subprocess.run(command, cwd=folder, check=True, capture_output=True, env=ENV)
            times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=11)
    runs = parser.parse_args().runs
    # The console script beside this interpreter: a shim first on PATH (pyenv's) would add its own start-up.
    script = Path(sysconfig.get_path("scripts")) / "asl-gen"
    cli = [str(script)] if script.is_file() else [sys.executable, "-m", "asl_gen"]
    with tempfile.TemporaryDirectory() as out:
        rows = {
            "floor: import pydantic, jsonschema, jinja2, yaml, click": _time(
                [sys.executable, "-c", "import pydantic, jsonschema, jinja2, yaml, click"], runs
            ),
            "asl-gen --version": _time([*cli, "--version"], runs),
            "asl-gen build (big-mart, 14 files)": _time([*cli, "build", str(EXAMPLE), "--out", out], runs),
            "asl-gen check (big-mart, unchanged)": _time([*cli, "check", str(EXAMPLE), "--out", out], runs),
        }
    floor = statistics.median(next(iter(rows.values())))
    print(f"asl-gen run as: {' '.join(cli)}")
    print(f"{'command':<58} {'median':>8} {'min':>8} {'max':>8} {'x floor':>8}   ({runs} runs each)")
    for name, times in rows.items():
        median = statistics.median(times)
        print(f"{name:<58} {median:8.3f} {min(times):8.3f} {max(times):8.3f} {median / floor:8.2f}")


if __name__ == "__main__":
    main()
