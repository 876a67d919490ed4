"""Jobs no state machine runs: a located warning that keeps exit 0, and no grant of any kind in the SageMaker policy.

Only the jobs a state machine runs (its steps, Parallel branches and Map bodies) are granted; a job read by a
running step (a training job whose artifacts a model reads) is a lookup source: no warning, and no grant of its own.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from asl_gen.build import SAGEMAKER_POLICY, generate
from asl_gen.cli import main
from asl_gen.cli.app import display

from .conftest import EXAMPLE

OLD_EXPERIMENT = """\
  old-experiment:
    type: training
    algorithm: {name: xgboost, version: "1.7-1"}
    instance: {type: ml.m5.xlarge}
    channels:
      train: {s3: s3://old-bucket/experiments/train}
    output: s3://old-bucket/experiments/output
"""
WARNING = (
    "jobs.old-experiment: no state machine runs this job; it gets no grants "
    "(add it to a state machine's steps, or remove it)"
)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _spec(tmp_path: Path, text: str) -> Path:
    spec = tmp_path / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    return spec


def _with_old_experiment(tmp_path: Path) -> tuple[Path, int]:
    """big-mart plus a training job no machine runs; the line of its key."""
    text = EXAMPLE.read_text(encoding="utf-8").replace("state_machines:\n", OLD_EXPERIMENT + "state_machines:\n")
    line = text.splitlines().index("  old-experiment:") + 1
    return _spec(tmp_path, text), line


def _policy_text(out: Path) -> str:
    return (out / "big-mart" / SAGEMAKER_POLICY).read_text(encoding="utf-8")


def test_a_job_no_machine_runs_is_a_located_warning_and_the_build_still_succeeds(
    runner: CliRunner, tmp_path: Path
) -> None:
    spec, line = _with_old_experiment(tmp_path)
    out = tmp_path / "out"
    result = runner.invoke(main, ["build", str(spec), "--out", str(out)])
    assert result.exit_code == 0, result.output
    warnings = [text for text in result.stderr.splitlines() if ": warning: " in text]
    assert warnings == [f"{display(spec)}:{line}:3: warning: {WARNING}"]
    assert result.stdout == ""


def test_a_job_no_machine_runs_gets_no_grant(runner: CliRunner, tmp_path: Path) -> None:
    spec, _ = _with_old_experiment(tmp_path)
    out = tmp_path / "out"
    assert runner.invoke(main, ["build", str(spec), "--out", str(out)]).exit_code == 0
    assert "old-bucket" not in _policy_text(out)
    notes = (out / "big-mart" / "iam" / "POLICIES.md").read_text(encoding="utf-8")
    assert "old-bucket" not in notes and "old-experiment" not in notes
    # The jobs that run keep exactly the grants they had without it.
    plain = tmp_path / "plain"
    assert runner.invoke(main, ["build", str(EXAMPLE), "--out", str(plain)]).exit_code == 0
    assert _policy_text(out) == _policy_text(plain)


def test_check_prints_the_warning_too_and_json_carries_it(runner: CliRunner, tmp_path: Path) -> None:
    spec, line = _with_old_experiment(tmp_path)
    out = tmp_path / "out"
    assert runner.invoke(main, ["build", str(spec), "--out", str(out), "-q"]).exit_code == 0
    checked = runner.invoke(main, ["check", str(spec), "--out", str(out)])
    assert checked.exit_code == 0, checked.output
    assert f"{display(spec)}:{line}:3: warning: {WARNING}" in checked.stderr.splitlines()
    as_json = runner.invoke(main, ["build", str(spec), "--out", str(out), "--format", "json"])
    assert as_json.exit_code == 0 and as_json.stderr == ""
    document = json.loads(as_json.stdout)
    assert document["problems"] == []
    assert document["warnings"] == [
        {
            "file": display(spec),
            "line": line,
            "column": 3,
            "pointer": "jobs.old-experiment",
            "message": "no state machine runs this job; it gets no grants",
            "hint": "add it to a state machine's steps, or remove it",
        }
    ]
    checked_json = json.loads(runner.invoke(main, ["check", str(spec), "--out", str(out), "--format", "json"]).stdout)
    assert checked_json["warnings"] == document["warnings"]


def test_warnings_show_alongside_another_specs_problems(runner: CliRunner, tmp_path: Path) -> None:
    spec, line = _with_old_experiment(tmp_path)
    broken = tmp_path / "broken.yaml"
    broken.write_text(EXAMPLE.read_text(encoding="utf-8").replace("ml.m5.xlarge", "ml.m5.xlage"), encoding="utf-8")
    result = runner.invoke(main, ["build", str(spec), str(broken), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert f"{display(spec)}:{line}:3: warning: {WARNING}" in result.stderr.splitlines()
    assert "ml.m5.xlage" in result.stderr
    document = json.loads(
        runner.invoke(main, ["build", str(spec), str(broken), "--out", str(tmp_path / "o"), "--format", "json"]).stdout
    )
    assert document["problems"] and [w["pointer"] for w in document["warnings"]] == ["jobs.old-experiment"]


def test_generate_returns_the_warnings_with_the_files(tmp_path: Path) -> None:
    spec, line = _with_old_experiment(tmp_path)
    generated = generate(spec, display="spec.yaml")
    assert [w.format() for w in generated.warnings] == [f"spec.yaml:{line}:3: {WARNING}"]
    assert generate(EXAMPLE).warnings == ()


def test_a_training_job_only_a_model_reads_is_a_lookup_source_not_a_warning(tmp_path: Path) -> None:
    # Only save-model runs: it looks the training job up and reads its output; nothing runs the training job.
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text[: text.index("state_machines:")] + "state_machines:\n  save-model: [model]\n"
    generated = generate(_spec(tmp_path, text))
    # The endpoint config and the endpoint are neither run nor read; the training job is read.
    assert [w.pointer for w in generated.warnings] == ["jobs.endpoint-config", "jobs.endpoint"]
    policy = json.loads(generated.files[SAGEMAKER_POLICY])
    resources = {r for s in policy["Statement"] for r in _list(s["Resource"])}
    # The model reads the artifacts under the training job's output...
    assert "arn:aws:s3:::slytherins-test/sagemaker/big-mart-pipeline/output*" in resources
    # ...but the training job itself does not run: no channel read, no output write.
    assert not any(r.endswith(("/train*", "/validation*")) for r in resources)
    actions = {a for s in policy["Statement"] for a in _list(s["Action"])}
    assert "s3:PutObject" not in actions


def test_a_job_in_a_parallel_no_machine_runs_is_warned_and_its_branches_too(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "state_machines:\n",
        "  both:\n    type: parallel\n    branches: [[old-a], [old-b]]\n"
        + OLD_EXPERIMENT.replace("old-experiment", "old-a")
        + OLD_EXPERIMENT.replace("old-experiment", "old-b").replace("old-bucket", "older-bucket")
        + "state_machines:\n",
    )
    generated = generate(_spec(tmp_path, text))
    assert [w.pointer for w in generated.warnings] == ["jobs.both", "jobs.old-a", "jobs.old-b"]
    assert "old-bucket" not in generated.files[SAGEMAKER_POLICY]
    # Once a machine runs the Parallel, both branches run and are granted.
    running = text.replace("  training: [train]\n", "  training: [train]\n  experiments: [both]\n")
    granted = generate(_spec(tmp_path, running))
    assert granted.warnings == ()
    assert "old-bucket/experiments/train" in granted.files[SAGEMAKER_POLICY]
    assert "older-bucket/experiments/output" in granted.files[SAGEMAKER_POLICY]


def _list(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]
