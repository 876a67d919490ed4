"""`per_execution: true` on a processing output: each run uploads to `<s3>/<execution name>/`, and every step that
reads the output by reference (a training channel, a processing input, a transform's input, a gate on a report in
it) reads the same run's folder, so that runs at the same time keep their data apart. Run in asl-gen's simulator
(JSONPath and JSONata), in moto's interpreter against moto's S3, and through `asl-gen iam`."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from asl_gen.build import generate
from asl_gen.cli import main
from asl_gen.simulate import simulate_definition

from .test_control_flow import MotoRun, _entered, _failure, moto_run  # noqa: F401 (moto_run is a fixture)
from .test_report_gate_moto import s3  # noqa: F401 (a fixture)
from .test_simulate_report_gate import _report

ROOT = Path(__file__).parent.parent
DATAFLOW = ROOT / "tests" / "cases" / "dataflow" / "spec.yaml"
EVALUATION = "      evaluation: {s3: s3://dataflow-data/evaluation, local_path: /opt/ml/processing/evaluation}\n"
BUCKET = "dataflow-data"


def _dataflow(tmp_path: Path, uri: str = "s3://dataflow-data/evaluation") -> dict[str, Any]:
    """The dataflow case with its evaluation output written per execution (at `uri`)."""
    text = DATAFLOW.read_text(encoding="utf-8")
    assert EVALUATION in text
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        text.replace(
            EVALUATION,
            f'      evaluation: {{s3: "{uri}", local_path: /opt/ml/processing/evaluation, per_execution: true}}\n',
        ),
        encoding="utf-8",
    )
    return {name: json.loads(body) for name, body in generate(spec).files.items() if name.endswith(".asl.json")}


def _gate(definition: dict[str, Any], gate: str, after: str | None) -> dict[str, Any]:
    states = {n: s for n, s in definition["States"].items() if n.startswith((gate, "Notify failure", "Failed"))}
    if after is not None:
        states[after] = {"Type": "Succeed"}
    cut: dict[str, Any] = {"StartAt": gate, "States": states}
    if "QueryLanguage" in definition:
        cut["QueryLanguage"] = definition["QueryLanguage"]
        states[f"{gate}: done"] = {"Type": "Succeed"}
    return cut


def test_two_runs_of_abalone_write_and_read_their_own_folders(simulate: Any) -> None:
    runs = {
        name: simulate(
            "abalone/pipeline",
            input="examples/abalone/input.json",
            mocks="examples/abalone/mocks.yaml",
            case="HappyPath",
            execution_name=name,
        )
        for name in ("run-1", "run-10")
    }
    for name, result in runs.items():
        assert result.status == "SUCCEEDED", (result.error, result.cause)
        written = {
            o["OutputName"]: o["S3Output"]["S3Uri"]
            for state in ("Preprocess", "Evaluate")
            for o in result.calls_to(state)[0].parameters["ProcessingOutputConfig"]["Outputs"]
        }
        assert all(uri.endswith(f"/{name}/") for uri in written.values()), written
        channels = result.calls_to("Train")[0].parameters["InputDataConfig"]
        assert {c["ChannelName"]: c["DataSource"]["S3DataSource"]["S3Uri"] for c in channels} == {
            "train": written["train"],
            "validation": written["validation"],
        }
        transform = result.calls_to("Score Test Split")[0].parameters
        assert transform["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"] == written["test"]
        # The scores too: a transform's output per execution.
        assert transform["TransformOutput"]["S3OutputPath"] == f"s3://abalone-pipeline-data/scores/{name}/"
        gate = result.calls_to("MSE Good Enough")[0].parameters
        assert f"s3://{gate['Bucket']}/{gate['Key']}" == written["evaluation"] + "evaluation.json"
    # A folder ends with '/': run-1's prefix does not also take in run-10's objects.
    first, tenth = (r.calls_to("Train")[0].parameters["InputDataConfig"][0] for r in runs.values())
    assert not tenth["DataSource"]["S3DataSource"]["S3Uri"].startswith(first["DataSource"]["S3DataSource"]["S3Uri"])


def test_the_jsonata_gate_reads_the_report_in_this_runs_folder(tmp_path: Path) -> None:
    pytest.importorskip("jsonata", reason="jsonata-python is not installed")
    definition = _gate(_dataflow(tmp_path)["gate-jsonata.asl.json"], "check-again", None)
    mocks = {"check-again": {"0": {"Return": _report({"metrics": [{"rmse": 1.5}]})}}}
    result = simulate_definition(definition, {}, mocks=mocks, execution_name="run-7")
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.calls_to("check-again")[0].parameters == {
        "Bucket": BUCKET,
        "Key": "evaluation/run-7/reports/summary.json",
    }


def test_a_prefix_with_quotes_and_braces_is_written_out_exactly(tmp_path: Path) -> None:
    machines = _dataflow(tmp_path, "s3://dataflow-data/eval'{x}")
    preprocess_and_evaluate = machines["gate-jsonata.asl.json"]
    assert "{x}" in json.dumps(preprocess_and_evaluate)
    definition = machines["pipeline.asl.json"]
    result = simulate_definition(
        _gate(definition, "MSE Good Enough", "model"),
        {},
        mocks={"MSE Good Enough": {"0": {"Return": _report({"regression_metrics": {"mse": {"value": 1.0}}})}}},
        execution_name="run-2",
    )
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.calls_to("MSE Good Enough")[0].parameters["Key"] == "eval'{x}/run-2/evaluation.json"


@pytest.mark.parametrize(("name", "status"), [("run-7", "SUCCEEDED"), ("run-8", "FAILED")])
def test_moto_reads_the_report_this_run_wrote(
    tmp_path: Path,
    moto_run: MotoRun,  # noqa: F811
    s3: Any,  # noqa: F811
    name: str,
    status: str,
) -> None:
    """The report exists for run-7 only: run-8 finds no object in its own folder, whatever run-7 wrote."""
    s3.put_object(
        Bucket=BUCKET,
        Key="evaluation/run-7/evaluation.json",
        Body=json.dumps({"regression_metrics": {"mse": {"value": 4.25}}}).encode(),
    )
    definition = _gate(_dataflow(tmp_path)["pipeline.asl.json"], "MSE Good Enough", "model")
    client = moto_run.stepfunctions
    arn = client.create_state_machine(
        name="per-execution", definition=json.dumps(definition), roleArn="arn:aws:iam::123456789012:role/sfn"
    )["stateMachineArn"]
    execution = client.start_execution(stateMachineArn=arn, name=name, input="{}")["executionArn"]
    got = "RUNNING"
    for _ in range(600):
        got = client.list_executions(stateMachineArn=arn)["executions"][0]["status"]
        if got != "RUNNING":
            break
        time.sleep(0.1)
    events = client.get_execution_history(executionArn=execution)["events"]
    assert got == status, events
    if status == "FAILED":
        assert _entered(events) == ["MSE Good Enough", "Notify failure", "Failed"]
        assert _failure(events)[0].lower() == "s3.nosuchkeyexception"


def test_the_step_functions_role_reads_reports_in_any_runs_folder_and_no_other_object() -> None:
    policy = json.loads((ROOT / "out" / "abalone" / "iam" / "stepfunctions-policy.json").read_text(encoding="utf-8"))
    reads = [s["Resource"] for s in policy["Statement"] if "s3:GetObject" in s["Action"]]
    assert reads == ["arn:aws:s3:::abalone-pipeline-data/evaluation/*/evaluation.json"]


@pytest.mark.parametrize(
    ("key", "resource"),
    [
        ("States.Format('evaluation/{}/evaluation.json', $$.Execution.Name)", "evaluation/*/evaluation.json"),
        ("States.Format('a\\{b\\}/{}/{}.json', $.x, $.y)", "a{b}/*/*.json"),
        ("States.Format('{}{}/x', $.x, $.y)", "*/x"),
        ("States.Format('x/{}', $.x)", "x/*"),
        # Text between two values with no '/' in it is dropped, so that both languages scope a name alike.
        ("States.Format('job-{}-{}', $.x, $.y)", "job-*"),
        ("$.key", "*"),
        ('{% ("evaluation/" & $states.context.Execution.Name & "/evaluation.json") %}', "evaluation/*/evaluation.json"),
        ('{% ("job-" & $x & "-" & $y) %}', "job-*"),
        ('{% ("job-" & $hash($states.context.Execution.Id, "MD5")) %}', "job-*"),
        ("{% $states.input.key %}", "*"),
    ],
)
def test_iam_scopes_a_built_key_by_its_whole_template(tmp_path: Path, key: str, resource: str) -> None:
    jsonata = key.startswith("{%")
    task: dict[str, Any] = {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject", "End": True}
    if jsonata:
        task["Arguments"] = {"Bucket": "b-data", "Key": key}
    else:
        task["Parameters"] = {"Bucket": "b-data", "Key.$": key}
    definition: dict[str, Any] = {"StartAt": "G", "States": {"G": task}}
    if jsonata:
        definition["QueryLanguage"] = "JSONata"
    path = tmp_path / "m.asl.json"
    path.write_text(json.dumps(definition), encoding="utf-8")
    run = CliRunner().invoke(main, ["iam", str(path), "--region", "us-east-1", "--account", "123456789012"])
    assert run.exit_code == 0, run.output
    policy = json.loads(run.output[: run.output.rindex("}") + 1])
    assert [s["Resource"] for s in policy["Statement"]] == [f"arn:aws:s3:::b-data/{resource}"]
