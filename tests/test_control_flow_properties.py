"""Any state machine composed from control-flow steps either builds into definitions the judges accept (our
validator, moto's parser, statelint for JSONPath), or fails with located spec errors: never invalid output, never
an internal error.

Hypothesis composes machines from the jobs of `tests/cases/control-flow`: which steps, in which order, in which
query language, with which retry policy, catches and failure notification.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from asl_gen.build import generate
from asl_gen.errors import SpecError
from asl_gen.lint import validate_definition

from . import test_judges as judges
from .judge_bugs import for_moto

CASE = Path(__file__).parent / "cases" / "control-flow" / "spec.yaml"
BASE: dict[str, Any] = yaml.safe_load(CASE.read_text(encoding="utf-8"))
# The step types of issue 15 beside them: a processing step whose outputs a training job, a report gate and a
# transform read, a tuning job with its gate and best model, and a map of transforms over a list of batches. In any
# order, each reference to an earlier step is either satisfied or a located spec error.
BASE["jobs"] |= yaml.safe_load(
    """\
preprocess:
  type: processing
  name: {prefix: cf-preprocess}
  image: {framework: sklearn, version: "1.2-1"}
  instance: {type: ml.m5.xlarge}
  code: s3://cf-data/code/preprocess.py
  inputs: {raw: {s3: s3://cf-data/raw}}
  outputs:
    train: {s3: s3://cf-data/splits/train}
    evaluation: {s3: s3://cf-data/evaluation}
train-split:
  type: training
  name: {prefix: cf-train-split}
  algorithm: {name: xgboost, version: "1.7-1"}
  instance: {type: ml.m5.xlarge}
  channels: {train: {s3: {from: preprocess, output: train}}}
  output: s3://cf-data/split-models
check-report:
  type: quality-gate
  report: {from: preprocess, output: evaluation, file: metrics/evaluation.json}
  value: regression.mse
  lt: 4.5
tune:
  type: tuning
  name: {prefix: cf-tune}
  training:
    algorithm: {name: xgboost, version: "1.7-1"}
    instance: {type: ml.m5.xlarge}
    channels: {train: {s3: {from: preprocess, output: train}}, validation: {s3: s3://cf-data/validation}}
    output: s3://cf-data/tuning
  ranges: {eta: {continuous: [0.1, 0.5]}, max_depth: {integer: [3, 10]}}
  objective: {metric: "validation:auc", type: Maximize}
  max_jobs: 4
tune-gate:
  type: quality-gate
  tuning: tune
  ge: 0.8
best-model:
  type: model
  name: {prefix: cf-best-model}
  from: tune
score-each:
  type: map
  items: {input: Batches}
  max_concurrency: 2
  steps: [score-batch]
score-batch:
  type: transform
  name: {prefix: cf-score-batch}
  model: best-model
  input: {s3: {item: true}, content_type: text/csv, split_type: Line}
  output: {s3: s3://cf-data/batch-scores}
  instance: {type: ml.m5.large}
"""
)
# Jobs that make sense as top-level steps; the branch and map bodies come with their Parallel and Map.
STEPS = [
    "candidates",
    "train-a",
    "gate",
    "cool-down",
    "model",
    "endpoint-config",
    "endpoint",
    "register",
    "fan-out",
    "score",
    "preprocess",
    "train-split",
    "check-report",
    "tune",
    "tune-gate",
    "best-model",
    "score-each",
]
RETRY = st.one_of(
    st.none(),
    st.sampled_from(["sagemaker", "none"]),
    st.lists(
        st.fixed_dictionaries(
            {
                "errors": st.lists(
                    st.sampled_from(["States.TaskFailed", "ThrottlingException", "X.Y"]),
                    min_size=1,
                    max_size=2,
                    unique=True,
                )
            },
            optional={
                "interval_seconds": st.integers(1, 60),
                "max_attempts": st.integers(0, 5),
                "backoff_rate": st.floats(1.0, 3.0),
                "max_delay_seconds": st.integers(1, 600),
                "jitter": st.sampled_from(["FULL", "NONE"]),
            },
        ),
        min_size=1,
        max_size=3,
    ),
)


@st.composite
def machines(draw: st.DrawFn) -> dict[str, Any]:
    steps = draw(st.lists(st.sampled_from(STEPS), min_size=1, max_size=6, unique=True))
    machine: dict[str, Any] = {"steps": steps}
    if draw(st.booleans()):
        machine["query_language"] = draw(st.sampled_from(["JSONPath", "JSONata"]))
    retry = draw(RETRY)
    if retry is not None:
        machine["retry"] = retry
    if draw(st.booleans()):
        machine["on_failure"] = {"notify": "arn:aws:sns:eu-west-1:210987654321:cf-alerts"}
    return machine


@st.composite
def specs(draw: st.DrawFn) -> dict[str, Any]:
    spec = json.loads(json.dumps(BASE))
    spec["state_machines"] = {"flow": draw(machines())}
    # The gate's catch goes to a step that may or may not be beside it.
    spec["jobs"]["gate"]["catch"] = [{"errors": ["States.TaskFailed"], "next": draw(st.sampled_from(STEPS))}]
    spec["jobs"]["model"]["retry"] = draw(RETRY)
    if spec["jobs"]["model"]["retry"] is None:
        del spec["jobs"]["model"]["retry"]
    return spec


# derandomize and no database: the same 60 machines on every run, whatever ran before (issue 14).
@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(spec=specs())
def test_composed_machines_build_valid_or_fail_with_located_spec_errors(spec: dict[str, Any], tmp_path: Path) -> None:
    pytest.importorskip("moto.stepfunctions.parser.asl.parse.asl_parser", reason="moto[stepfunctions] is not installed")
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    try:
        generated = generate(path)
    except SpecError as exc:
        event("spec error")
        assert exc.problems
        for problem in exc.problems:
            assert problem.line is not None and problem.pointer, problem
        return
    event("built")
    definition_text = generated.files["flow.asl.json"]
    definition = json.loads(definition_text)
    assert validate_definition(definition, source="flow.asl.json") == []
    judges._moto_validate(for_moto(definition_text))  # moto's keyword strings: tests/judge_bugs.py
    if "QueryLanguage" not in definition:
        file = judges._write(tmp_path, "flow.asl.json", definition_text)
        run = judges._run([judges._tool("statelint"), str(file)])
        assert (run.returncode, run.output) == (0, ""), run.output
