"""`asl-gen simulate` end to end through click's runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from asl_gen.cli import main

from .conftest import EXAMPLE, REPO

PIPELINE = REPO / "out" / "big-mart" / "pipeline.asl.json"
MOCKS = REPO / "examples" / "big-mart" / "mocks.yaml"
INPUT = REPO / "examples" / "big-mart" / "input.json"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def simulate(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(main, ["simulate", *args])
    return result.exit_code, result.stdout, result.stderr


def test_happy_path_prints_the_path_and_output_and_exits_0(runner: CliRunner) -> None:
    code, out, _ = simulate(runner, str(PIPELINE), "--input", str(INPUT), "--mocks", str(MOCKS), "--case", "HappyPath")
    assert code == 0
    assert "path: Training Step -> Save Model -> Create Endpoint Config -> Create Endpoint" in out
    assert "status: SUCCEEDED" in out
    assert "model.tar.gz" in out


def test_a_failed_run_prints_error_and_cause_and_exits_1(runner: CliRunner) -> None:
    code, out, _ = simulate(
        runner, str(PIPELINE), "--input", str(INPUT), "--mocks", str(MOCKS), "--case", "TrainingFails"
    )
    assert code == 1
    assert "status: FAILED" in out
    assert "error: States.TaskFailed" in out
    assert "AlgorithmError" in out


def test_trace_shows_each_state_input_and_output(runner: CliRunner) -> None:
    code, out, _ = simulate(
        runner, str(PIPELINE), "--input", str(INPUT), "--mocks", str(MOCKS), "--case", "HappyPath", "--trace"
    )
    assert code == 0
    assert out.count("    input:  ") == 4
    assert out.count("    output: ") == 4


def test_json_format_is_one_document(runner: CliRunner) -> None:
    code, out, _ = simulate(
        runner,
        str(PIPELINE),
        "--input",
        INPUT.read_text(encoding="utf-8"),
        "--mocks",
        str(MOCKS),
        "--case",
        "HappyPath",
        "--format",
        "json",
        "--trace",
    )
    document = json.loads(out)
    assert code == 0
    assert document["status"] == "SUCCEEDED"
    assert document["calls"][1]["parameters"]["PrimaryContainer"]["ModelDataUrl"].endswith("model.tar.gz")
    assert [step["state"] for step in document["trace"]] == document["path"]


def test_mermaid_draws_the_path_taken(runner: CliRunner) -> None:
    code, out, _ = simulate(
        runner, str(PIPELINE), "--input", str(INPUT), "--mocks", str(MOCKS), "--case", "TrainingFails", "--mermaid"
    )
    assert code == 1
    assert out.startswith("flowchart TD")
    assert "FAILED: States.TaskFailed" in out


def test_a_machine_key_of_a_spec_works(runner: CliRunner) -> None:
    code, out, _ = simulate(
        runner, "pipeline", str(EXAMPLE), "--input", str(INPUT), "--mocks", str(MOCKS), "--case", "HappyPath"
    )
    assert code == 0, out
    assert "status: SUCCEEDED" in out


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--input", "{not json"], "--input: not JSON"),
        (["--input", str(INPUT), "--mocks", "no-such-mocks.yaml"], "file not found"),
        (["--input", str(INPUT)], "has no mock"),
        (["--input", str(INPUT), "--mocks", str(MOCKS)], "more than one test case"),
        (["--input", str(INPUT), "--mocks", str(MOCKS), "--case", "Nope"], "no test case 'Nope'"),
    ],
)
def test_user_errors_are_one_line_and_exit_2(runner: CliRunner, args: list[str], fragment: str) -> None:
    code, out, err = simulate(runner, str(PIPELINE), *args)
    assert code == 2
    assert fragment in err
    assert "Traceback" not in err
    assert out == ""


def test_an_invalid_definition_is_a_validation_failure(runner: CliRunner, tmp_path: Path) -> None:
    broken = tmp_path / "broken.asl.json"
    broken.write_text('{"StartAt": "Nowhere", "States": {"A": {"Type": "Succeed"}}}', encoding="utf-8")
    code, _, err = simulate(runner, str(broken))
    assert code == 1
    assert "Nowhere" in err
