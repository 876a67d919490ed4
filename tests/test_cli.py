"""The command line, end to end through click's runner, always writing under tmp_path."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from asl_gen import __version__
from asl_gen.cli import main

from .conftest import EXAMPLE


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def built(runner: CliRunner, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    result = runner.invoke(main, ["build", str(EXAMPLE), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_build_writes_every_document_of_the_example(built: Path) -> None:
    files = set(_tree(built / "big-mart"))
    machines = ["training", "save-model", "configure-endpoint", "deploy", "pipeline"]
    assert {f"{m}.asl.json" for m in machines} <= files
    assert {f"inputs/{m}.schema.json" for m in machines} <= files
    assert {
        "iam/stepfunctions-policy.json",
        "iam/stepfunctions-trust-policy.json",
        "iam/sagemaker-policy.json",
        "iam/sagemaker-trust-policy.json",
        "iam/POLICIES.md",
        ".asl-gen-manifest.json",
    } <= files
    assert len(files) == 20


def test_second_build_changes_nothing(runner: CliRunner, built: Path) -> None:
    before = _tree(built)
    result = runner.invoke(main, ["build", str(EXAMPLE), "--out", str(built)])
    assert result.exit_code == 0
    assert "0 written, 20 unchanged, 0 removed" in result.output
    assert _tree(built) == before


def test_check_passes_on_fresh_output(runner: CliRunner, built: Path) -> None:
    result = runner.invoke(main, ["check", str(EXAMPLE), "--out", str(built)])
    assert result.exit_code == 0, result.output
    assert "up to date: big-mart" in result.output


def test_check_fails_with_a_diff_when_a_file_was_edited(runner: CliRunner, built: Path) -> None:
    target = built / "big-mart" / "pipeline.asl.json"
    target.write_text(target.read_text().replace("ml.m5.xlarge", "ml.m5.2xlarge"))
    result = runner.invoke(main, ["check", str(EXAMPLE), "--out", str(built)])
    assert result.exit_code == 1
    assert "pipeline.asl.json: out of date" in result.output
    assert '-          "InstanceType": "ml.m5.2xlarge",' in result.output
    assert '+          "InstanceType": "ml.m5.xlarge",' in result.output


def test_check_fails_when_a_file_is_missing(runner: CliRunner, built: Path) -> None:
    (built / "big-mart" / "iam" / "sagemaker-policy.json").unlink()
    result = runner.invoke(main, ["check", str(EXAMPLE), "--out", str(built)])
    assert result.exit_code == 1
    assert "sagemaker-policy.json: missing" in result.output


def test_build_removes_files_it_no_longer_produces_and_keeps_foreign_ones(
    runner: CliRunner, built: Path, tmp_path: Path
) -> None:
    foreign = built / "big-mart" / "NOTES.md"
    foreign.write_text("mine")
    spec = tmp_path / "spec.yaml"
    spec.write_text(EXAMPLE.read_text().replace("  deploy: [endpoint]\n", ""))
    check = runner.invoke(main, ["check", str(spec), "--out", str(built)])
    assert check.exit_code == 1
    assert "deploy.asl.json: stale" in check.output
    result = runner.invoke(main, ["build", str(spec), "--out", str(built)])
    assert result.exit_code == 0, result.output
    assert "2 removed" in result.output
    assert not (built / "big-mart" / "deploy.asl.json").exists()
    assert not (built / "big-mart" / "inputs" / "deploy.schema.json").exists()
    assert foreign.read_text() == "mine"


def test_failed_build_leaves_out_exactly_as_it_was(runner: CliRunner, built: Path, tmp_path: Path) -> None:
    before = _tree(built)
    spec = tmp_path / "spec.yaml"
    spec.write_text(EXAMPLE.read_text().replace("ml.m5.large", "ml.m5.lrge"))
    result = runner.invoke(main, ["build", str(spec), "--out", str(built)])
    assert result.exit_code == 2
    assert _tree(built) == before


def test_one_bad_spec_stops_every_spec_from_being_written(runner: CliRunner, tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(EXAMPLE.read_text().replace("project: big-mart", "project: other"))
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE.read_text().replace("ml.m5.large", "ml.m5.lrge"))
    out = tmp_path / "out"
    result = runner.invoke(main, ["build", str(good), str(bad), "--out", str(out)])
    assert result.exit_code == 2
    assert not out.exists()


def test_build_replaces_a_link_at_its_own_path_without_following_it(
    runner: CliRunner, built: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text("precious")
    target = built / "big-mart" / "deploy.asl.json"
    target.unlink()
    target.symlink_to(elsewhere)
    result = runner.invoke(main, ["build", str(EXAMPLE), "--out", str(built)])
    assert result.exit_code == 0, result.output
    assert elsewhere.read_text() == "precious"
    assert not target.is_symlink() and json.loads(target.read_text())["StartAt"] == "Create Endpoint"


def test_build_carries_foreign_files_folders_and_links_over_untouched(
    runner: CliRunner, built: Path, tmp_path: Path
) -> None:
    project = built / "big-mart"
    (project / "docs").mkdir()
    (project / "docs" / "notes.md").write_text("mine")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("keep")
    (project / "link-to-outside").symlink_to(outside)
    spec = tmp_path / "spec.yaml"
    spec.write_text(EXAMPLE.read_text().replace("ml.m5.large", "ml.m5.2xlarge"))
    result = runner.invoke(main, ["build", str(spec), "--out", str(built)])
    assert result.exit_code == 0, result.output
    assert (project / "docs" / "notes.md").read_text() == "mine"
    assert (project / "link-to-outside").is_symlink()
    assert os.readlink(project / "link-to-outside") == str(outside)
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]
    assert [p.name for p in built.iterdir()] == ["big-mart"]


def test_build_refuses_a_project_folder_that_is_a_link(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (out / "big-mart").symlink_to(elsewhere)
    result = runner.invoke(main, ["build", str(EXAMPLE), "--out", str(out)])
    assert result.exit_code == 2
    assert "symbolic link" in result.output
    assert list(elsewhere.iterdir()) == []


def test_build_without_spec_uses_project_settings(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "proj"
    (project / "specs").mkdir(parents=True)
    shutil.copy(EXAMPLE, project / "specs" / "pipeline.yaml")
    (project / "pyproject.toml").write_text('[tool.asl-gen]\nspecs = ["specs/pipeline.yaml"]\nout = "generated"\n')
    monkeypatch.chdir(project)
    result = runner.invoke(main, ["build"])
    assert result.exit_code == 0, result.output
    assert (project / "generated" / "big-mart" / "pipeline.asl.json").is_file()
    assert runner.invoke(main, ["check"]).exit_code == 0


def test_build_without_spec_or_settings_is_a_usage_error(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["build"])
    assert result.exit_code == 2
    assert "no spec given" in result.output


def test_validate_accepts_generated_files(runner: CliRunner, built: Path) -> None:
    files = [
        str(p)
        for p in sorted((built / "big-mart").rglob("*.json"))
        # Inputs are JSON Schemas and targets are Terraform/CloudFormation: validate reads ASL and IAM only.
        if not {"inputs", "terraform", "cloudformation"} & set(p.parts) and not p.name.startswith(".")
    ]
    result = runner.invoke(main, ["validate", *files])
    assert result.exit_code == 0, result.output
    assert f"{len(files)} files valid" in result.output


def test_validate_reports_located_problems_in_a_hand_written_file(runner: CliRunner, tmp_path: Path) -> None:
    broken = tmp_path / "broken.asl.json"
    broken.write_text('{\n  "StartAt": "A",\n  "States": {\n    "A": {"Type": "Pass", "Next": "B"}\n  }\n}\n')
    result = runner.invoke(main, ["validate", str(broken)])
    assert result.exit_code == 1
    assert result.output.splitlines()[0].endswith(
        "broken.asl.json:4:27: $.States.A.Next: Next state 'B' is not a state in the top level"
    )


def test_validate_json_format_gives_findings_as_data(runner: CliRunner, tmp_path: Path) -> None:
    broken = tmp_path / "broken.asl.json"
    broken.write_text('{"StartAt": "Missing", "States": {"A": {"Type": "Succeed"}}}')
    result = runner.invoke(main, ["validate", "--format", "json", str(broken)])
    assert result.exit_code == 1
    findings = json.loads(result.stdout)["problems"]
    assert findings and all(f["file"].endswith("broken.asl.json") for f in findings)


def test_version_and_help(runner: CliRunner) -> None:
    assert runner.invoke(main, ["--version"]).output.strip() == f"asl-gen {__version__}"
    help_text = runner.invoke(main, ["--help"]).output
    assert "Exit codes" in help_text and "asl-gen build" in help_text


def test_template_override_changes_output(runner: CliRunner, tmp_path: Path) -> None:
    from asl_gen.resources import data_dir

    override = tmp_path / "templates"
    override.mkdir()
    original = (data_dir("templates") / "state-machine.asl.json.j2").read_text()
    (override / "state-machine.asl.json.j2").write_text(
        original.replace(
            '"Comment": {{ machine.comment | tojson }}', '"Comment": {{ ("[team] " ~ machine.comment) | tojson }}'
        )
    )
    out = tmp_path / "out"
    result = runner.invoke(main, ["build", str(EXAMPLE), "--out", str(out), "--templates", str(override)])
    assert result.exit_code == 0, result.output
    definition = json.loads((out / "big-mart" / "pipeline.asl.json").read_text())
    assert definition["Comment"].startswith("[team] ")


def test_broken_template_override_names_the_template(runner: CliRunner, tmp_path: Path) -> None:
    override = tmp_path / "templates"
    (override / "sagemaker").mkdir(parents=True)
    (override / "sagemaker" / "create-endpoint.json.j2").write_text('{\n  "EndpointName": {{ job.nam | tojson }}\n}\n')
    out = tmp_path / "out"
    result = runner.invoke(main, ["build", str(EXAMPLE), "--out", str(out), "--templates", str(override)])
    assert result.exit_code == 2
    assert "create-endpoint.json.j2" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_internal_errors_exit_3_without_traceback(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import asl_gen.build

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(asl_gen.build, "write_projects", explode)
    result = runner.invoke(main, ["build", str(EXAMPLE), "--out", str(tmp_path / "out")])
    assert result.exit_code == 3
    assert "internal error: RuntimeError: boom" in result.output
    assert "Traceback" not in result.output
