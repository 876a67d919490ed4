"""Mistakes in data flow between steps (processing outputs read by reference, the quality gate on a JSON report,
S3 locations from the execution input): one located line each, exit 2, nothing written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from asl_gen.cli import main

from .spec_mistakes import refused

SPEC = Path(__file__).parent / "cases" / "dataflow" / "spec.yaml"

# (what the user got wrong, text replaced in the case's spec, replacement, the exact message expected[, another
# replacement])
MISTAKES: list[tuple[Any, ...]] = [
    (
        "reference to a missing step",
        "train: {s3: {from: preprocess, output: train}",
        "train: {s3: {from: preprocesss, output: train}",
        "spec.yaml:33:26: jobs.train.channels.train.s3.from: no job named 'preprocesss' (did you mean 'preprocess'?)",
    ),
    (
        "reference to a step that is not a processing step",
        "test: {s3: {from: preprocess, output: test}}",
        "test: {s3: {from: train, output: test}}",
        "spec.yaml:42:25: jobs.evaluate.inputs.test.s3.from: job 'train' is of type training, not processing (only "
        "a processing step's outputs can be read by name; write an S3 URI for other data)",
    ),
    (
        "reference to a missing output",
        "validation: {s3: {from: preprocess, output: validation}",
        "validation: {s3: {from: preprocess, output: validaton}",
        "spec.yaml:34:51: jobs.train.channels.validation.s3.output: processing step 'preprocess' has no output named "
        "'validaton' (did you mean 'validation'?)",
    ),
    (
        "reference to a step that runs later",
        "    steps: [preprocess, train, evaluate, check-mse, model]",
        "    steps: [train, preprocess, evaluate, check-mse, model]",
        "spec.yaml:33:26: jobs.train.channels.train.s3.from: step 'train' reads output 'train' of processing step "
        "'preprocess', which does not run before it in state machine 'pipeline' (run 'preprocess' before 'train' "
        "in state machine 'pipeline')",
    ),
    (
        "reference to a step of another state machine",
        "    steps: [preprocess, evaluate, check-again]",
        "    steps: [evaluate, check-again]",
        "spec.yaml:42:25: jobs.evaluate.inputs.test.s3.from: step 'evaluate' reads output 'test' of processing step "
        "'preprocess', which does not run in state machine 'gate-jsonata' (add 'preprocess' to state machine "
        "'gate-jsonata' before 'evaluate')",
    ),
    (
        "reference to a step in a sibling branch",
        "    steps: [preprocess, train, evaluate, check-mse, model]",
        "    steps: [both, evaluate, check-mse, model]",
        "spec.yaml:33:26: jobs.train.channels.train.s3.from: step 'train' reads output 'train' of processing step "
        "'preprocess', which does not run before it in state machine 'pipeline' (run 'preprocess' before 'train' "
        "in state machine 'pipeline')",
        ("  model:\n", "  both:\n    type: parallel\n    branches: [[preprocess], [train]]\n  model:\n"),
    ),
    (
        "report of a step that runs later",
        "    steps: [preprocess, train, evaluate, check-mse, model]",
        "    steps: [preprocess, train, check-mse, evaluate, model]",
        "spec.yaml:48:20: jobs.check-mse.report.from: step 'check-mse' reads output 'evaluation' of processing step "
        "'evaluate', which does not run before it in state machine 'pipeline' (run 'evaluate' before 'check-mse' "
        "in state machine 'pipeline')",
    ),
    (
        "report of a missing output",
        "report: {from: evaluate, output: evaluation, file: evaluation.json}",
        "report: {from: evaluate, output: evaluations, file: evaluation.json}",
        "spec.yaml:48:38: jobs.check-mse.report.output: processing step 'evaluate' has no output named 'evaluations' "
        "(did you mean 'evaluation'?)",
    ),
    (
        "report of a training job",
        "report: {from: evaluate, output: evaluation, file: evaluation.json}",
        "report: {from: train, output: evaluation, file: evaluation.json}",
        "spec.yaml:48:20: jobs.check-mse.report.from: job 'train' is of type training, not processing (only a "
        "processing step's outputs can be read by name; write an S3 URI for other data)",
    ),
    (
        "report and training both given",
        "    value: regression_metrics.mse.value\n",
        "    value: regression_metrics.mse.value\n    training: train\n",
        "spec.yaml:46:5: jobs.check-mse: give exactly one of training (a training job's final metric), tuning "
        "(a tuning job's best objective value) or report (a JSON report a processing step wrote), not training and "
        "report together",
    ),
    (
        "report with a metric name",
        "    value: regression_metrics.mse.value\n",
        "    metric: validation:mse\n",
        "spec.yaml:46:5: jobs.check-mse: metric goes with training or tuning; a gate on report names its value "
        "with value",
    ),
    (
        "value without a report",
        "    report: {from: evaluate, output: evaluation, file: evaluation.json}\n",
        "",
        "spec.yaml:46:5: jobs.check-mse.report: required field 'report' is missing: value names a number in a JSON "
        "report (add report: {from: <processing step>, output: <output name>, file: <file in it>})",
    ),
    (
        "metric without a training job",
        "    report: {from: evaluate, output: evaluation, file: evaluation.json}\n"
        "    value: regression_metrics.mse.value\n",
        "    metric: validation:rmse\n",
        "spec.yaml:46:5: jobs.check-mse.training: required field 'training' is missing: metric names a training "
        "job's final metric (add training: <training step>, or tuning: <tuning step> for its best job)",
    ),
    (
        "training without a metric",
        "    report: {from: evaluate, output: evaluation, file: evaluation.json}\n"
        "    value: regression_metrics.mse.value\n",
        "    training: train\n",
        "spec.yaml:46:5: jobs.check-mse.metric: required field 'metric' is missing: a gate on training reads a final "
        "metric (add metric: validation:rmse)",
    ),
    (
        "report without a value",
        "    value: regression_metrics.mse.value\n",
        "",
        "spec.yaml:46:5: jobs.check-mse.value: required field 'value' is missing: a gate on report reads a number in "
        "it (add value: regression_metrics.mse.value)",
    ),
    (
        "value not a dotted path",
        "    value: regression_metrics.mse.value\n",
        "    value: $.regression_metrics.mse.value\n",
        "spec.yaml:49:12: jobs.check-mse.value: '$.regression_metrics.mse.value' is not valid here (a dotted path into "
        "the JSON such as regression_metrics.mse.value (names of letters, digits and '_'; [0] for a list item))",
    ),
    (
        "report file climbing out of the output",
        "file: evaluation.json}",
        "file: ../evaluation.json}",
        "spec.yaml:48:56: jobs.check-mse.report.file: '../evaluation.json' must be a plain path below the output "
        "(no '.' or '..')",
    ),
    (
        "report file with a wildcard",
        "file: evaluation.json}",
        "file: '*.json'}",
        "spec.yaml:48:56: jobs.check-mse.report.file: '*.json' is not valid here",
    ),
    (
        "report without a file",
        ", file: evaluation.json}",
        "}",
        "spec.yaml:48:13: jobs.check-mse.report.file: required field 'file' is missing (add file: ...)",
    ),
    (
        "location with from but no output",
        "train: {s3: {from: preprocess, output: train}",
        "train: {s3: {from: preprocess}",
        "spec.yaml:33:19: jobs.train.channels.train.s3: {from: preprocess} names processing step 'preprocess' without "
        "an output (add output: one of its outputs ('train', 'validation', 'test'))",
    ),
    (
        "location with a misspelt field",
        "train: {s3: {from: preprocess, output: train}",
        "train: {s3: {from: preprocess, ouptut: train}",
        "spec.yaml:33:19: jobs.train.channels.train.s3: unknown field 'ouptut': give the location as an s3:// URI, "
        "{from: <processing step>, output: <output name>}, {from: <training or tuning step>} or {input: InputName}",
    ),
    (
        "location not an S3 URI",
        "train: {s3: {from: preprocess, output: train}",
        "train: {s3: s3//dataflow-data/train",
        "spec.yaml:33:19: jobs.train.channels.train.s3: 's3//dataflow-data/train' is not an S3 URI (write it as "
        "s3://bucket/prefix)",
    ),
    (
        "location from an undeclared input",
        "model_data: {input: ModelData}",
        "model_data: {input: ModelDat}",
        "spec.yaml:59:25: jobs.model.model_data.input: input 'ModelDat' is not declared (declare it under inputs: "
        "{ModelDat: string}, an S3 URI)",
    ),
    (
        "location from an input of another type",
        "  ModelData: string",
        "  ModelData: list",
        "spec.yaml:59:25: jobs.model.model_data.input: input 'ModelData' is declared list, not string (declare it "
        "under inputs: {ModelData: string}, an S3 URI)",
    ),
    (
        "location with input and from",
        "model_data: {input: ModelData}",
        "model_data: {input: ModelData, from: evaluate}",
        "spec.yaml:59:17: jobs.model.model_data: give the location as an s3:// URI, {from: <processing step>, "
        "output: <output name>}, {from: <training or tuning step>} or {input: InputName}, not input together with "
        "from or output",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "expected", "also"), [(*m[1:4], m[4:]) for m in MISTAKES], ids=[m[0] for m in MISTAKES]
)
def test_dataflow_mistake_gives_one_located_line(
    old: str,
    new: str,
    expected: str,
    also: tuple[tuple[str, str], ...],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lines = refused(SPEC, [(old, new), *also], tmp_path, monkeypatch)
    assert len(lines) == 1 and lines[0].startswith(expected), "\n".join(lines)


def test_a_branch_and_a_map_body_read_what_ran_before_their_parallel_or_map(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = SPEC.read_text().replace(
        "    steps: [preprocess, train, evaluate, check-mse, model]",
        "    steps: [preprocess, both, each, check-mse, model]",
    )
    text = text.replace(
        "  model:\n",
        "  both:\n    type: parallel\n    branches: [[train], [evaluate]]\n"
        "  each:\n    type: map\n    items: [a, b]\n    steps: [check-again]\n  model:\n",
        1,
    )
    (tmp_path / "spec.yaml").write_text(text)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "spec.yaml", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output


# A tuning step's channels are data locations too (found by the properties: an undeclared input there was an
# internal error, a missing processing step an assertion, and the order of a processing step it reads unchecked).
TUNE = """\
  tune:
    type: tuning
    training:
      algorithm: {name: xgboost, version: "1.7-1"}
      instance: {type: ml.m5.xlarge}
      channels: {train: {s3: CHANNEL}}
      output: s3://dataflow-data/tuning
    ranges: {eta: {continuous: [0.1, 0.5]}}
    objective: {metric: "train:auc", type: Maximize}
    max_jobs: 2
"""
TUNING_MISTAKES = [
    (
        "{input: TrainData}",
        "[preprocess, tune]",
        "jobs.tune.training.channels.train.s3.input: input 'TrainData' is not declared (declare it under inputs: "
        "{TrainData: string}, an S3 URI)",
    ),
    (
        "{from: preprocesss, output: train}",
        "[preprocess, tune]",
        "jobs.tune.training.channels.train.s3.from: no job named 'preprocesss' (did you mean 'preprocess'?)",
    ),
    (
        "{from: preprocess, output: train}",
        "[tune, preprocess]",
        "jobs.tune.training.channels.train.s3.from: step 'tune' reads output 'train' of processing step "
        "'preprocess', which does not run before it in state machine 'tuned'",
    ),
]


@pytest.mark.parametrize(("channel", "steps", "expected"), TUNING_MISTAKES, ids=["input", "missing step", "order"])
def test_a_tuning_channel_is_checked_as_a_data_location(
    channel: str, steps: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = SPEC.read_text().replace("  model:\n", TUNE.replace("CHANNEL", channel) + "  model:\n", 1)
    text += f"  tuned:\n    steps: {steps}\n"
    (tmp_path / "spec.yaml").write_text(text)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "spec.yaml", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    assert len(lines) == 2 and expected in lines[0], result.output
    # And read in order, it builds: the channel is the processing output's URI.
    good = text.replace(f"steps: {steps}", "steps: [preprocess, tune]").replace(
        channel, "{from: preprocess, output: train}"
    )
    (tmp_path / "spec.yaml").write_text(good)
    result = CliRunner().invoke(main, ["build", "spec.yaml", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
