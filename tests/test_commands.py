"""The command line's newer parts: graph, init, schema, JSON and human output, verbosity, colour, progress, start-up."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from asl_gen.cli import console, main

from .conftest import EXAMPLE, REPO

HEAVY = ("pydantic", "jsonschema", "jinja2", "yaml")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _spec_copy(tmp_path: Path, project: str) -> Path:
    spec = tmp_path / f"{project}.yaml"
    spec.write_text(EXAMPLE.read_text().replace("project: big-mart", f"project: {project}"))
    return spec


# --- graph ---------------------------------------------------------------------------------------------------


def test_graph_of_a_machine_key_draws_the_generated_definition(runner: CliRunner) -> None:
    result = runner.invoke(main, ["graph", "pipeline", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "flowchart TD"
    assert '    s1["Training Step<br/>sagemaker:createTrainingJob.sync"]' in lines
    assert "    s4 --> stop0" in lines
    assert result.stderr == ""


def test_graph_of_a_machine_key_uses_the_project_settings(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = runner.invoke(main, ["graph", "deploy", "--format", "dot"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith('digraph "big-mart-deploy" {')


def test_graph_of_a_file_draws_a_hand_written_definition(runner: CliRunner) -> None:
    source = REPO / "tests" / "graphs" / "deploy-and-wait.asl.json"
    result = runner.invoke(main, ["graph", str(source)])
    assert result.exit_code == 0, result.output
    assert result.stdout == (REPO / "tests" / "graphs" / "expected" / "deploy-and-wait.mmd").read_text()


def test_graph_json_gives_nodes_and_edges(runner: CliRunner) -> None:
    result = runner.invoke(main, ["graph", "training", str(EXAMPLE), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["problems"] == [] and data["name"] == "big-mart-training"
    assert [n["name"] for n in data["nodes"]] == ["Training Step"]


def test_graph_of_an_unknown_machine_suggests_one(runner: CliRunner) -> None:
    result = runner.invoke(main, ["graph", "pipelin", str(EXAMPLE)])
    assert result.exit_code == 2
    assert "no state machine 'pipelin' and no such file (did you mean 'pipeline'?)" in result.stderr
    assert result.stdout == ""


def test_graph_refuses_an_invalid_file_with_located_findings(runner: CliRunner, tmp_path: Path) -> None:
    broken = tmp_path / "broken.asl.json"
    broken.write_text('{"StartAt": "Missing", "States": {"A": {"Type": "Succeed"}}}')
    text = runner.invoke(main, ["graph", str(broken)])
    assert text.exit_code == 1 and text.stdout == ""
    assert "broken.asl.json" in text.stderr and "Missing" in text.stderr
    data = runner.invoke(main, ["graph", str(broken), "--format", "json"])
    assert data.exit_code == 1
    assert json.loads(data.stdout)["problems"][0]["file"].endswith("broken.asl.json")


def test_graph_of_a_missing_file_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["graph", str(tmp_path / "nope.asl.json")])
    assert result.exit_code == 2
    assert "file not found" in result.stderr


# --- JSON on stdout, people on stderr ------------------------------------------------------------------------


def test_json_build_and_check_print_one_document_on_stdout_and_nothing_else(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    built = runner.invoke(main, ["build", str(EXAMPLE), "--out", str(out), "--format", "json"])
    assert built.exit_code == 0 and built.stderr == ""
    assert len(json.loads(built.stdout)["projects"]["big-mart"]["written"]) == 20
    checked = runner.invoke(main, ["check", str(EXAMPLE), "--out", str(out), "--format", "json"])
    assert checked.exit_code == 0 and checked.stderr == ""
    assert json.loads(checked.stdout) == {"problems": [], "warnings": [], "details": [], "projects": ["big-mart"]}


def test_json_check_of_stale_output_gives_problems_and_diffs(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert runner.invoke(main, ["build", str(EXAMPLE), "--out", str(out)]).exit_code == 0
    target = out / "big-mart" / "deploy.asl.json"
    target.write_text(target.read_text().replace("Create Endpoint", "Create Endpoint!"))
    result = runner.invoke(main, ["check", str(EXAMPLE), "--out", str(out), "--format", "json"])
    assert result.exit_code == 1 and result.stderr == ""
    data = json.loads(result.stdout)
    assert [p["message"] for p in data["problems"]] == ["out of date: build would write different content"]
    assert '+  "StartAt": "Create Endpoint",' in data["details"][0]


def test_json_spec_error_exits_2_with_problems_on_stdout(runner: CliRunner, tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(EXAMPLE.read_text().replace("ml.m5.xlarge", "ml.m5.xl"))
    result = runner.invoke(main, ["build", str(spec), "--out", str(tmp_path / "out"), "--format", "json"])
    assert result.exit_code == 2 and result.stderr == ""
    [problem] = json.loads(result.stdout)["problems"]
    assert (problem["line"], problem["column"], problem["pointer"]) == (22, 22, "jobs.train.instance.type")


def test_json_internal_error_exits_3_and_stays_parseable(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import asl_gen.build

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(asl_gen.build, "write_projects", explode)
    result = runner.invoke(main, ["build", str(EXAMPLE), "--out", str(tmp_path / "out"), "--format", "json"])
    assert result.exit_code == 3
    assert json.loads(result.stdout)["problems"][0]["message"] == "internal error: RuntimeError: boom"
    assert "Traceback" not in result.output


def test_text_output_goes_to_stderr_and_leaves_stdout_empty(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["build", str(EXAMPLE), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "big-mart: 20 written, 0 unchanged, 0 removed\n"


# --- verbosity -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [["-q", "build"], ["build", "--quiet"]], ids=["before", "after"])
def test_quiet_prints_nothing_on_success_but_still_prints_problems(
    runner: CliRunner, tmp_path: Path, args: list[str]
) -> None:
    quiet = runner.invoke(main, [*args, str(EXAMPLE), "--out", str(tmp_path / "out")])
    assert quiet.exit_code == 0 and quiet.output == ""
    spec = tmp_path / "spec.yaml"
    spec.write_text(EXAMPLE.read_text().replace("ml.m5.xlarge", "ml.m5.xl"))
    failed = runner.invoke(main, [*args, str(spec), "--out", str(tmp_path / "other")])
    assert failed.exit_code == 2
    assert "is not a SageMaker instance type" in failed.stderr


def test_verbose_lists_every_file_and_the_time(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["-v", "build", str(EXAMPLE), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0
    assert "  written  big-mart/pipeline.asl.json" in result.stderr
    assert "  written  big-mart/iam/stepfunctions-policy.json" in result.stderr
    assert result.stderr.splitlines()[-1].startswith("done in ")


# --- colour and progress -------------------------------------------------------------------------------------


def _stale_check(runner: CliRunner, tmp_path: Path, env: dict[str, str]) -> str:
    out = tmp_path / "out"
    runner.invoke(main, ["build", str(EXAMPLE), "--out", str(out)])
    (out / "big-mart" / "deploy.asl.json").write_text("{}\n")
    result = runner.invoke(main, ["check", str(EXAMPLE), "--out", str(out)], env=env)
    assert result.exit_code == 1
    return result.stderr


def test_colour_only_at_a_terminal(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "\x1b[" not in _stale_check(runner, tmp_path, {"NO_COLOR": ""})
    monkeypatch.setattr(console, "_is_terminal", lambda: True)
    coloured = _stale_check(runner, tmp_path, {"NO_COLOR": ""})
    assert "\x1b[1m" in coloured and "\x1b[31m" in coloured  # bold locations, red removals / summary


def test_no_color_wins_even_at_a_terminal(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(console, "_is_terminal", lambda: True)
    assert "\x1b[" not in _stale_check(runner, tmp_path, {"NO_COLOR": "1"})


def _build_two(runner: CliRunner, tmp_path: Path, env: dict[str, str]) -> str:
    specs = [str(_spec_copy(tmp_path, name)) for name in ("one", "two")]
    result = runner.invoke(main, ["build", *specs, "--out", str(tmp_path / "out")], env=env)
    assert result.exit_code == 0, result.output
    return result.stderr


def test_progress_bar_at_a_terminal_when_building_several_specs(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(console, "_is_terminal", lambda: True)
    assert "building" in _build_two(runner, tmp_path, {"CI": ""})


def test_no_progress_bar_in_ci_or_without_a_terminal(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "building" not in _build_two(runner, tmp_path, {"CI": ""})
    monkeypatch.setattr(console, "_is_terminal", lambda: True)
    assert "building" not in _build_two(runner, tmp_path, {"CI": "true"})


# --- init ----------------------------------------------------------------------------------------------------


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_init_scaffolds_a_project_whose_build_and_check_pass(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "Demand Forecast"
    result = runner.invoke(main, ["init", str(project)])
    assert result.exit_code == 0, result.output
    assert sorted(_tree(project)) == [
        ".github/workflows/asl-gen.yml",
        ".gitlab-ci.yml",
        ".pre-commit-config.yaml",
        "asl-gen.yaml",
        "input.json",
        "mocks.yaml",
        "pytest.ini",
        "spec.schema.json",
        "spec.yaml",
        "tests/test_pipeline.py",
    ]
    spec = (project / "spec.yaml").read_text()
    assert spec.startswith("# yaml-language-server: $schema=spec.schema.json\n")
    assert "project: demand-forecast\n" in spec
    assert "asl-gen check" in (project / ".github" / "workflows" / "asl-gen.yml").read_text()
    assert "id: asl-gen-check" in (project / ".pre-commit-config.yaml").read_text()
    assert (project / "spec.schema.json").read_text() == (REPO / "schemas" / "spec.schema.json").read_text()
    monkeypatch.chdir(project)
    built = runner.invoke(main, ["build"])
    assert built.exit_code == 0, built.output
    assert (project / "out" / "demand-forecast" / "pipeline.asl.json").is_file()
    checked = runner.invoke(main, ["check"])
    assert checked.exit_code == 0, checked.output


def test_init_refuses_to_overwrite_and_writes_nothing(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "asl-gen.yaml").write_text("specs: [mine.yaml]\n")
    before = _tree(tmp_path)
    result = runner.invoke(main, ["init", str(tmp_path)])
    assert result.exit_code == 2
    assert "asl-gen.yaml: already exists; asl-gen init does not overwrite files" in result.stderr
    assert "pass --force to overwrite" in result.stderr
    assert _tree(tmp_path) == before


def test_init_force_overwrites(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "asl-gen.yaml").write_text("specs: [mine.yaml]\n")
    result = runner.invoke(main, ["init", str(tmp_path), "--force"])
    assert result.exit_code == 0, result.output
    assert "specs: [spec.yaml]" in (tmp_path / "asl-gen.yaml").read_text()


def test_init_json_lists_what_it_created(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["init", str(tmp_path / "p"), "--format", "json"])
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)["created"]) == 10


# --- schema --------------------------------------------------------------------------------------------------


def test_schema_command_prints_the_committed_schema(runner: CliRunner, tmp_path: Path) -> None:
    committed = (REPO / "schemas" / "spec.schema.json").read_text()
    printed = runner.invoke(main, ["schema"])
    assert printed.exit_code == 0 and printed.stdout == committed
    written = runner.invoke(main, ["schema", "--out", str(tmp_path / "s.json")])
    assert written.exit_code == 0 and (tmp_path / "s.json").read_text() == committed


# --- start-up ------------------------------------------------------------------------------------------------


def _imported(code: str) -> set[str]:
    """Top-level packages a fresh interpreter imports running `code` (from -X importtime, which lists them all)."""
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, cwd=REPO, check=False
    )
    assert run.returncode == 0, run.stderr[-2000:]
    names = set()
    for line in run.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


def _as_console_script(*args: str) -> str:
    # What the installed `asl-gen` script does.
    return f"import sys; sys.argv = ['asl-gen', *{list(args)!r}]; from asl_gen.cli import main; sys.exit(main())"


def test_version_imports_neither_click_nor_any_heavy_dependency() -> None:
    imported = _imported(_as_console_script("--version"))
    assert "asl_gen" in imported
    assert imported.isdisjoint({"click", *HEAVY})


@pytest.mark.parametrize("command", ["", "build", "check", "validate", "graph", "init", "schema"])
def test_help_of_every_command_imports_no_heavy_dependency(command: str) -> None:
    args = [command, "--help"] if command else ["--help"]
    imported = _imported(_as_console_script(*args))
    assert "click" in imported
    assert imported.isdisjoint(HEAVY), sorted(imported & set(HEAVY))


@pytest.mark.parametrize(("given", "seen"), [(None, "__all__"), ("logfire", "logfire")])
def test_the_command_line_asks_pydantic_for_no_plugins_unless_the_environment_says(
    given: str | None, seen: str
) -> None:
    code = (
        "import os, sys; sys.argv = ['asl-gen', '--help']; from asl_gen.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(os.environ.get('PYDANTIC_DISABLE_PLUGINS'))"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    if given is not None:
        env["PYDANTIC_DISABLE_PLUGINS"] = given
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, env=env, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.splitlines()[-1] == seen


def test_coloured_problem_lines_carry_the_same_text_as_plain_ones(capsys: pytest.CaptureFixture[str]) -> None:
    from asl_gen.errors import Problem

    problems = [Problem("bad", file="spec.yaml", line=3, column=4, hint="fix"), Problem("odd", file="a\x1b[31mb")]
    console.Console(color=True).problems(problems)
    coloured = capsys.readouterr().err
    console.Console(color=False).problems(problems)
    plain = capsys.readouterr().err
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain
    assert plain.splitlines()[:2] == [p.format() for p in problems]
