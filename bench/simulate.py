"""How long simulating big-mart's pipeline takes. Usage: python bench/simulate.py [--runs N] [--in-process N]

Prints two figures for the HappyPath case of examples/big-mart/mocks.yaml:
* the median wall time of `asl-gen simulate out/big-mart/pipeline.asl.json ...` as a fresh process (after one
  warm-up run that writes byte-code), which is what a user or CI waits for;
* for scale, the median of `asl-gen validate` on the same file (simulate validates the file first, so this is
  the part of the command's time that is not simulation);
* the time per run of `simulate_definition` inside one process (the definition and mocks already parsed), which
  is what each test of the pytest fixture costs.

The exit code is 0 whatever the numbers: a machine's load moves them, so the figures are for people to read.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PIPELINE = REPO / "out" / "big-mart" / "pipeline.asl.json"
MOCKS = REPO / "examples" / "big-mart" / "mocks.yaml"
INPUT = REPO / "examples" / "big-mart" / "input.json"
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"PYTHONPATH": str(REPO)}
COMMAND = [
    sys.executable,
    "-m",
    "asl_gen",
    "simulate",
    str(PIPELINE),
    "--input",
    str(INPUT),
    "--mocks",
    str(MOCKS),
    "--case",
    "HappyPath",
]


VALIDATE = [sys.executable, "-m", "asl_gen", "validate", str(PIPELINE)]


def command_times(command: list[str], runs: int) -> list[float]:
    first = subprocess.run(command, capture_output=True, env=ENV, text=True)
    if first.returncode != 0:
        last = (first.stderr.strip().splitlines() or ["no message"])[-1]
        raise SystemExit(f"bench/simulate.py: {' '.join(command[2:4])} failed ({first.returncode}): {last}")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=ENV)
        times.append(time.perf_counter() - started)
    return times


def in_process_seconds(runs: int) -> float:
    sys.path.insert(0, str(REPO))
    import yaml

    from asl_gen.simulate import simulate_definition

    definition = json.loads(PIPELINE.read_text(encoding="utf-8"))
    mocks = yaml.safe_load(MOCKS.read_text(encoding="utf-8"))
    execution_input = json.loads(INPUT.read_text(encoding="utf-8"))
    result = simulate_definition(definition, execution_input, mocks=mocks, case="HappyPath")
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    started = time.perf_counter()
    for _ in range(runs):
        simulate_definition(definition, execution_input, mocks=mocks, case="HappyPath")
    return (time.perf_counter() - started) / runs


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="command runs (default 10)")
    parser.add_argument("--in-process", type=int, default=1000, help="in-process runs (default 1000)")
    args = parser.parse_args(argv)
    for needed in (PIPELINE, MOCKS, INPUT):
        if not needed.is_file():
            raise SystemExit(f"bench/simulate.py: {needed} is missing (run `asl-gen build` in {REPO} for out/)")
    times = command_times(COMMAND, args.runs)
    validate = command_times(VALIDATE, args.runs)
    per_run = in_process_seconds(args.in_process)
    print(f"asl-gen simulate big-mart pipeline (HappyPath), {args.runs} runs as a fresh process:")
    print(
        f"  median {statistics.median(times) * 1000:.0f} ms  (min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f})"
    )
    print(f"asl-gen validate of the same file, for scale: median {statistics.median(validate) * 1000:.0f} ms")
    print(f"simulate_definition in process, {args.in_process} runs:")
    print(f"  {per_run * 1e6:.0f} us per run")


if __name__ == "__main__":
    main()
