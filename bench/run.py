"""asl-gen's benchmark: one command, one table. Usage: python bench/run.py [--runs N] [--peers]

Every command runs as a fresh process (a cold start, as in CI or a pre-commit hook) after one warm-up run that
writes Python's byte-code files, as an installed package has them. The start-up rows (python -c pass, --version,
the floor, build and check) are measured in rounds, one run of each per round, so that a change in the machine's
load moves them together and their ratios stay comparable; measured one row after the other, a burst of load
during the floor's row alone can turn a missed target into a met one. Each row gives the median, min and max wall
time of N runs and the largest peak memory (max RSS) of one run, against its target where the issue sets one:

* `asl-gen build` of big-mart, cold, within 1.5x of the floor: importing its dependencies in a bare interpreter;
* `asl-gen check` of big-mart against an unchanged out/, cold, within 1.5x of the same floor;
* `asl-gen --version` within 1.5x of `python -c pass`;
* no target, for reading the two above: the floor plus the work a build hands its dependencies, done alone
  (bench/dependency_work.py: Pydantic creating the spec's models and validating big-mart, Jinja2 compiling the
  templates, jsonschema checking big-mart's documents). Build and check can get no faster than this row; their
  time over it is asl-gen's own share;
* validation time per state flat (within 25 %) from 1,000 to 10,000 states;
* with --peers, 20x faster than the Step Functions Data Science SDK printing the same pipeline (it is installed
  on first use into bench/.peers/, with stepfunctions 2.3.0 and sagemaker<3, and never reaches AWS).

The exit code is 0 whatever the numbers: a machine's load moves them, so the table is for people to read.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "big-mart" / "spec.yaml"
PEERS = REPO / "bench" / ".peers"
PEER_SCRIPT = REPO / "bench" / "peers" / "datascience_sdk.py"
DEPENDENCY_WORK = REPO / "bench" / "dependency_work.py"
FLOOR_IMPORTS = "import pydantic, jsonschema, jinja2, yaml, click"

# Users run an installed asl-gen whose modules are byte-compiled; a PYTHONDONTWRITEBYTECODE=1 in the
# environment would make every run compile asl-gen's sources again and measure that instead.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


@dataclass
class Sample:
    times: list[float]
    peak_kb: int

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def _once(command: Sequence[str], cwd: Path | None = None) -> tuple[float, int]:
    """Wall time and peak RSS (KiB) of one run; wait4 gives this child's own rusage, not a running maximum."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    error = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{error.decode(errors='replace')}")
    return elapsed, usage.ru_maxrss


def measure(command: Sequence[str], runs: int, prepare: Callable[[], Path | None] = lambda: None) -> Sample:
    return measure_rounds({"": (command, prepare)}, runs)[""]


def measure_rounds(
    commands: dict[str, tuple[Sequence[str], Callable[[], Path | None]]], runs: int
) -> dict[str, Sample]:
    """Each command once to warm up, then `runs` rounds of one run of each, in turn."""
    for command, prepare in commands.values():
        _once(command, prepare())
    samples = {name: Sample([], 0) for name in commands}
    for _ in range(runs):
        for name, (command, prepare) in commands.items():
            elapsed, rss = _once(command, prepare())
            samples[name].times.append(elapsed)
            samples[name].peak_kb = max(samples[name].peak_kb, rss)
    return samples


def console_script() -> list[str]:
    # The script beside this interpreter: a shim first on PATH (pyenv's) would add its own start-up.
    script = Path(sysconfig.get_path("scripts")) / "asl-gen"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "asl_gen"]


def many_specs(folder: Path, specs: int, machines: int) -> list[str]:
    """`specs` copies of big-mart, each with `machines` state machines running the whole pipeline."""
    text = EXAMPLE.read_text(encoding="utf-8")
    body, _ = text.split("state_machines:\n", 1)
    paths = []
    for index in range(specs):
        spec = body.replace("project: big-mart", f"project: bench-{index:03d}") + "state_machines:\n"
        spec += "".join(f"  m{m:04d}: [train, model, endpoint-config, endpoint]\n" for m in range(machines))
        path = folder / f"bench-{index:03d}.yaml"
        path.write_text(spec, encoding="utf-8")
        paths.append(str(path))
    return paths


def definition(states: int) -> dict[str, object]:
    """A valid definition of `states` states: Tasks with Retry and Catch, Pass, Choice and Wait states in a chain."""
    names = [f"Step {i:05d}" for i in range(states - 1)] + ["Failed"]
    body: dict[str, object] = {}
    for i, name in enumerate(names[:-1]):
        following = names[i + 1] if i + 2 < len(names) else None
        step: dict[str, object]
        if i % 4 == 0:
            step = {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:f", "Payload.$": "$"},
                "ResultSelector": {"Body.$": "$.Payload"},
                "ResultPath": f"$.results.s{i}",
                "Retry": [{"ErrorEquals": ["Lambda.ServiceException"], "MaxAttempts": 3, "BackoffRate": 2}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Failed"}],
            }
        elif i % 4 == 1:
            step = {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)", "id.$": "$$.Execution.Id"}}
        elif i % 4 == 2 and following:
            step = {
                "Type": "Choice",
                "Choices": [{"Variable": "$.n", "NumericGreaterThan": 5, "Next": following}],
                "Default": following,
            }
        else:
            step = {"Type": "Wait", "Seconds": 1}
        if step["Type"] != "Choice":
            step.update({"Next": following} if following else {"End": True})
        body[name] = step
    body["Failed"] = {"Type": "Fail", "Error": "StepFailed", "Cause": "a step failed"}
    return {"Comment": f"{states} states", "StartAt": names[0], "States": body}


def validation_child(states: int, runs: int) -> None:
    """Run in a child process: time `validate_definition` on one definition, print seconds per run as JSON."""
    from asl_gen.lint import validate_definition

    document = definition(states)
    # 10,000 states exceed Step Functions' 1 MB limit, which is reported and still measures how checking scales.
    problems = [p for p in validate_definition(document) if getattr(p, "rule", None) != "definition-size"]
    if problems:
        raise SystemExit(f"the benchmark's definition is not valid: {problems[0].format()}")
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        validate_definition(document)
        times.append(time.perf_counter() - start)
    print(json.dumps(times))


def validation(states: int, runs: int) -> Sample:
    command = [sys.executable, __file__, "--validation-child", str(states), "--runs", str(runs)]
    start = time.perf_counter()
    process = subprocess.Popen(command, env=ENV, stdout=subprocess.PIPE)
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"validation of {states} states failed after {time.perf_counter() - start:.1f} s")
    return Sample(json.loads(output), usage.ru_maxrss)


def peer_python() -> Path:
    """The Data Science SDK's interpreter, its virtual environment created on first use."""
    if not PEER_SCRIPT.is_file():
        raise SystemExit(f"bench/run.py: --peers needs {PEER_SCRIPT}, which is missing")
    venv = PEERS / "datascience-sdk"
    python = venv / "bin" / "python"
    if not python.is_file():
        print(f"installing stepfunctions 2.3.0 and sagemaker<3 into {venv} ...", file=sys.stderr)
        try:
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run(
                [str(python), "-m", "pip", "install", "--quiet", "stepfunctions==2.3.0", "sagemaker<3", "setuptools"],
                check=True,
            )
        except (OSError, subprocess.CalledProcessError) as exc:
            raise SystemExit(
                f"bench/run.py: --peers could not set up the Data Science SDK in {venv} ({exc}); it needs the venv "
                f"module and network access to PyPI once; remove {venv} and try again"
            ) from None
    return python


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=11, help="runs per row (default 11; big rows run fewer)")
    parser.add_argument("--peers", action="store_true", help="also time the Data Science SDK (installs it once)")
    parser.add_argument("--validation-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.validation_child:
        validation_child(args.validation_child, args.runs)
        return
    runs = args.runs
    few = max(3, runs // 3)
    cli = console_script()
    python = [sys.executable]
    rows: list[tuple[str, Sample, str]] = []

    def row(name: str, sample: Sample, note: str = "") -> Sample:
        rows.append((name, sample, note))
        print(f"  measured: {name}", file=sys.stderr)
        return sample

    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        outs = work / "outs"
        counter = iter(range(10**6))
        subprocess.run(
            [*cli, "build", str(EXAMPLE), "--out", str(work / "current")], env=ENV, check=True, capture_output=True
        )
        started = measure_rounds(
            {
                "bare": ([*python, "-c", "pass"], here),
                "version": ([*cli, "--version"], here),
                "floor": ([*python, "-c", FLOOR_IMPORTS], here),
                "work": ([*python, str(DEPENDENCY_WORK)], here),
                "build": ([*cli, "build", str(EXAMPLE), "--out", "out"], lambda: _mkdir(outs / str(next(counter)))),
                "check": ([*cli, "check", str(EXAMPLE), "--out", str(work / "current")], here),
            },
            runs,
        )
        bare, version, floor, deps, build, check = (
            started[k] for k in ("bare", "version", "floor", "work", "build", "check")
        )
        row("python -c pass", bare)
        row("asl-gen --version", version, _target(version.median / bare.median, 1.5, "x python -c pass"))
        row("floor: import pydantic jsonschema jinja2 yaml click", floor)
        row("floor + the dependencies' work alone (see note)", deps, f"{deps.median / floor.median:.2f}x floor")
        files = sum(1 for f in (outs / "0" / "out").rglob("*") if f.is_file())
        for name, sample in (
            (f"asl-gen build big-mart (cold, {files} files)", build),
            ("asl-gen check big-mart (unchanged)", check),
        ):
            own = f"; {sample.median / deps.median:.2f}x the dependencies' work"
            row(name, sample, _target(sample.median / floor.median, 1.5, "x floor") + own)

        specs = many_specs(_mkdir(work / "specs"), 20, 50)
        many = measure([*cli, "build", *specs, "--out", "out"], few, prepare=lambda: _mkdir(outs / str(next(counter))))
        row(
            "asl-gen build 1,000 state machines (20 specs)",
            many,
            f"{many.median:.2f} ms per machine",  # seconds for 1,000 = milliseconds for one
        )

        per_state: dict[int, float] = {}
        for states in (100, 1_000, 10_000):
            sample = validation(states, runs if states < 10_000 else few)
            per_state[states] = sample.median / states
            row(
                f"validate a definition of {states:,} states (in process)",
                sample,
                f"{per_state[states] * 1e6:.1f} us per state",
            )
        growth = per_state[10_000] / per_state[1_000] - 1
        rows.append(("  per-state time, 1,000 -> 10,000 states", Sample([0.0], 0), _target(1 + growth, 1.25, "x")))

        if args.peers:
            sdk = measure([str(peer_python()), str(PEER_SCRIPT)], few)
            row("Data Science SDK: same pipeline to ASL (cold)", sdk, f"{sdk.median / build.median:.1f}x asl-gen build")
            rows.append(
                (
                    "  asl-gen build faster than the SDK by",
                    Sample([0.0], 0),
                    _target(sdk.median / build.median, 20, "x", higher=True),
                )
            )

    _print(rows, runs, cli)


def here() -> Path | None:
    """No folder of its own: the command runs where the benchmark was started."""
    return None


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _target(value: float, limit: float, unit: str, *, higher: bool = False) -> str:
    met = value >= limit if higher else value <= limit
    return f"{value:.2f}{unit} (target {'>=' if higher else '<='} {limit:g}: {'met' if met else 'MISSED'})"


def _print(rows: list[tuple[str, Sample, str]], runs: int, cli: list[str]) -> None:
    print(
        f"asl-gen run as: {' '.join(cli)}; Python {sys.version.split()[0]}; {os.cpu_count()} CPUs; "
        f"{runs} runs per row unless noted (fewer for the large rows)"
    )
    header = f"{'what':<52} {'median':>9} {'min':>9} {'max':>9} {'peak MB':>8}  note"
    print(header)
    print("-" * len(header))
    for name, sample, note in rows:
        if sample.peak_kb == 0:
            print(f"{name:<52} {'':>9} {'':>9} {'':>9} {'':>8}  {note}")
            continue
        print(
            f"{name:<52} {sample.median:8.3f}s {min(sample.times):8.3f}s {max(sample.times):8.3f}s "
            f"{sample.peak_kb / 1024:8.1f}  {note}"
        )


if __name__ == "__main__":
    main()
