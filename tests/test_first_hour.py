"""A newcomer's first hour: `asl-gen init` gives a project whose build, simulation and tests pass at once; the
execution input is checked against the machine's input schema; `input=` takes a file; `project/machine` works on
the command line as in the fixture."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from asl_gen.cli import main
from asl_gen.errors import UsageError

from .conftest import REPO

INPUT = REPO / "examples" / "big-mart" / "input.json"
MOCKS = REPO / "examples" / "big-mart" / "mocks.yaml"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


# --- init ----------------------------------------------------------------------------------------------------


def test_an_init_project_builds_simulates_and_tests_green_at_once(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "churn-model"
    assert runner.invoke(main, ["init", str(project)]).exit_code == 0
    monkeypatch.chdir(project)
    built = runner.invoke(main, ["build"])
    assert built.exit_code == 0, built.output
    checked = runner.invoke(main, ["check"])
    assert checked.exit_code == 0, checked.output
    for case, code, status in (("HappyPath", 0, "SUCCEEDED"), ("TrainingFails", 1, "FAILED")):
        simulated = runner.invoke(
            main, ["simulate", "pipeline", "--input", "input.json", "--mocks", "mocks.yaml", "--case", case]
        )
        assert simulated.exit_code == code, simulated.output
        assert f"status: {status}" in simulated.stdout
    # The generated test, run as a user runs it: pytest in the project, the plugin from its entry point.
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q"],
        capture_output=True,
        text=True,
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "2 passed" in completed.stdout


def test_init_writes_valid_ci_files_and_says_what_happens_to_existing_files(runner: CliRunner, tmp_path: Path) -> None:
    tmp_path = tmp_path / "fraud"
    assert runner.invoke(main, ["init", str(tmp_path)]).exit_code == 0
    github = yaml.safe_load((tmp_path / ".github" / "workflows" / "asl-gen.yml").read_text())
    steps = [step.get("run", "") for step in github["jobs"]["check"]["steps"]]
    gitlab = yaml.safe_load((tmp_path / ".gitlab-ci.yml").read_text())
    for commands in (steps, gitlab["asl-gen"]["script"]):
        assert "asl-gen check" in commands
        assert "python -m pytest" in commands
        assert any(command.startswith("asl-gen simulate pipeline") for command in commands)
    mocks = yaml.safe_load((tmp_path / "mocks.yaml").read_text())
    assert set(mocks["StateMachines"]["fraud-pipeline"]["TestCases"]) >= {"HappyPath"}
    help_text = runner.invoke(main, ["init", "--help"]).output
    assert "then nothing is written at all" not in help_text
    assert "--force overwrites them" in " ".join(help_text.split())


# --- the execution input against the machine's input schema ------------------------------------------------------


def test_simulate_refuses_an_input_without_a_required_field_before_running(runner: CliRunner, tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text("{}")
    result = runner.invoke(
        main,
        [
            "simulate",
            "out/big-mart/pipeline.asl.json",
            "--input",
            str(empty),
            "--mocks",
            str(MOCKS),
            "--case",
            "HappyPath",
        ],
    )
    assert result.exit_code == 2
    assert "missing required field 'TrainingJobName' (see out/big-mart/inputs/pipeline.schema.json)" in result.stderr
    assert "path:" not in result.stdout


def test_simulate_of_a_spec_key_checks_the_generated_schema(runner: CliRunner) -> None:
    result = runner.invoke(
        main,
        [
            "simulate",
            "big-mart/pipeline",
            "--input",
            '{"TrainingJobName": 5, "ModelName": "m", "EndpointName": "e"}',
            "--mocks",
            str(MOCKS),
            "--case",
            "HappyPath",
        ],
    )
    assert result.exit_code == 2
    assert (
        "--input: $.TrainingJobName: must be of type string, not 5 "
        "(see out/big-mart/inputs/pipeline.schema.json, generated from examples/big-mart/spec.yaml)"
    ) in result.stderr


def test_a_hand_written_file_has_no_schema_and_is_not_checked(runner: CliRunner, tmp_path: Path) -> None:
    machine = tmp_path / "flow.asl.json"
    machine.write_text(json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))
    result = runner.invoke(main, ["simulate", str(machine)])
    assert result.exit_code == 0, result.output


def test_the_fixture_checks_the_input_against_the_schema(simulate: Any) -> None:
    with pytest.raises(UsageError) as raised:
        simulate("big-mart/pipeline", input={}, mocks=str(MOCKS), case="HappyPath")
    assert "input: missing required field 'EndpointName' (see " in str(raised.value)
    assert "inputs/pipeline.schema.json" in str(raised.value)


# --- the fixture's input= --------------------------------------------------------------------------------------


@pytest.mark.parametrize("given", [INPUT, "examples/big-mart/input.json", Path("examples/big-mart/input.json")])
def test_the_fixture_takes_an_input_file_as_the_cli_does(simulate: Any, given: Any) -> None:
    result = simulate("big-mart/pipeline", input=given, mocks=MOCKS, case="HappyPath")
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.output["TrainingJobName"] == "big-mart-train-1"


def test_the_fixture_says_what_input_takes_when_the_file_is_missing(simulate: Any) -> None:
    with pytest.raises(UsageError) as raised:
        simulate("big-mart/pipeline", input="no-such-input.json", mocks=MOCKS, case="HappyPath")
    message = str(raised.value)
    assert "input='no-such-input.json': no such file" in message
    assert "as data (a dict), or a JSON/YAML file as a pathlib.Path" in message


# --- project/machine on the command line ---------------------------------------------------------------------


def test_graph_takes_project_slash_machine_as_the_fixture_does(runner: CliRunner) -> None:
    result = runner.invoke(main, ["graph", "big-mart/pipeline"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("flowchart TD")
    assert "Training Step" in result.stdout


def test_an_ambiguous_key_names_the_specs_and_suggests_project_slash_machine(runner: CliRunner) -> None:
    result = runner.invoke(main, ["graph", "pipeline"])
    assert result.exit_code == 2
    [line, _] = result.stderr.splitlines()
    assert line.startswith("<input>: more than one spec has a state machine 'pipeline': ")
    for project in ("big-mart", "evaluate-deploy"):
        assert f"{project} (examples/{project}/spec.yaml)" in line
        assert f"{project}/pipeline" in line.partition("(name the project too: ")[2]


def test_simulate_takes_project_slash_machine(runner: CliRunner) -> None:
    result = runner.invoke(
        main,
        [
            "simulate",
            "evaluate-deploy/pipeline",
            "--input",
            str(REPO / "examples" / "evaluate-deploy" / "input.json"),
            "--mocks",
            str(REPO / "examples" / "evaluate-deploy" / "mocks.yaml"),
            "--case",
            "NewEndpoint",
        ],
    )
    assert "more than one spec" not in result.stderr
    assert result.exit_code == 0, result.output
    assert "status: SUCCEEDED" in result.stdout


def test_an_unknown_project_lists_the_known_keys(runner: CliRunner) -> None:
    result = runner.invoke(main, ["graph", "nope/pipeline"])
    assert result.exit_code == 2
    assert "no state machine 'nope/pipeline' and no such file" in result.stderr
