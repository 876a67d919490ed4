"""Mistakes in the data references the abalone example uses: a training step's model artifacts read as processing
input ({from: train}) and a processing output scored by a transform ({from: preprocess, output: test}). One
located line each, exit 2, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from asl_gen.cli import main

from .conftest import REPO
from .spec_mistakes import refused

SPEC = REPO / "examples" / "abalone" / "spec.yaml"
MODEL_INPUT = "model: {s3: {from: train}, local_path: /opt/ml/processing/model}"
SCORED = "      s3: {from: preprocess, output: test}\n      content_type: text/csv"
STEPS = "    steps: [preprocess, train, evaluate, check-mse, register, model, score-test]"

# (what the user got wrong, text replaced in the example's spec, replacement, the exact message expected)
MISTAKES: list[tuple[str, str, str, str]] = [
    (
        "model artifacts of a missing step",
        MODEL_INPUT,
        MODEL_INPUT.replace("from: train", "from: trian"),
        "spec.yaml:70:26: jobs.evaluate.inputs.model.s3.from: no job named 'trian' (did you mean 'train'?)",
    ),
    (
        "model artifacts of a step that is not a training or tuning step",
        MODEL_INPUT,
        MODEL_INPUT.replace("from: train", "from: model"),
        "spec.yaml:70:26: jobs.evaluate.inputs.model.s3.from: job 'model' is of type model, not training, tuning or "
        "processing ({from: <step>} alone reads the model artifacts of a training or tuning step; a processing "
        "step's output is named with output: too)",
    ),
    (
        "model artifacts of a step that runs later",
        STEPS,
        "    steps: [preprocess, evaluate, train, check-mse, register, model, score-test]",
        "spec.yaml:70:26: jobs.evaluate.inputs.model.s3.from: step 'evaluate' reads the model artifacts of 'train', "
        "which does not run before it in state machine 'pipeline' (run 'train' before 'evaluate' in state machine "
        "'pipeline', outside any map: the artifacts' location is known only from its result)",
    ),
    (
        "transform input: a missing output",
        SCORED,
        SCORED.replace("output: test", "output: tset"),
        "spec.yaml:110:38: jobs.score-test.input.s3.output: processing step 'preprocess' has no output named 'tset' "
        "(did you mean 'test'?)",
    ),
    (
        "transform input: an output of a step that is not a processing step",
        SCORED,
        SCORED.replace("from: preprocess", "from: train"),
        "spec.yaml:110:18: jobs.score-test.input.s3.from: job 'train' is of type training, not processing (only a "
        "processing step's outputs can be read by name; write an S3 URI for other data)",
    ),
    (
        "transform input: a processing step without an output",
        SCORED,
        SCORED.replace("from: preprocess, output: test", "from: preprocess"),
        "spec.yaml:110:11: jobs.score-test.input.s3: give the location as an s3:// URI, {input: InputName}, {from: "
        "<processing step>, output: <output name>} or, inside a map, {item: true}",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), [m[1:] for m in MISTAKES], ids=[m[0] for m in MISTAKES])
def test_abalone_mistake_gives_one_located_line(
    old: str, new: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert refused(SPEC, [(old, new)], tmp_path, monkeypatch) == [expected]


def test_a_transform_reads_a_processing_output_only_after_its_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = SPEC.read_text(encoding="utf-8").replace(
        STEPS, "    steps: [train, evaluate, check-mse, register, model, score-test, preprocess]"
    )
    (tmp_path / "spec.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "spec.yaml", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert (
        "spec.yaml:110:18: jobs.score-test.input.s3.from: step 'score-test' reads output 'test' of processing step "
        "'preprocess', which does not run before it in state machine 'pipeline' (run 'preprocess' before "
        "'score-test' in state machine 'pipeline')"
    ) in result.output.splitlines()
