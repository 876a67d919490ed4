# ruff: noqa: E501  (the expected messages are kept whole, one per line, to be read and grepped)
"""The tuning step's mistakes: each gives one located line, exit 2, nothing written.

The base spec is the golden case tests/cases/tuning/spec.yaml; each row replaces text in it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from asl_gen.cli import main

from .spec_mistakes import refused

BASE = Path(__file__).parent / "cases" / "tuning" / "spec.yaml"

# (what the user got wrong, the replacements made in the base spec, the exact first line of the output)
MISTAKES: list[tuple[str, list[tuple[str, str]], str]] = [
    (
        "tuning name over 32 characters",
        [("name: abalone-grid\n", "name: abalone-grid-search-over-max-depth-values\n")],
        "spec.yaml:48:11: jobs.tune-grid.name: 'abalone-grid-search-over-max-depth-values' is 41 characters; a tuning job's name has at most 32",
    ),
    (
        "tuning name prefix over 23 characters",
        [("name: {prefix: abalone-tune}", "name: {prefix: abalone-tune-xgboost-nightly}")],
        "spec.yaml:13:11: jobs.tune.name: prefix 'abalone-tune-xgboost-nightly' is 28 characters; a tuning job's prefix has at most 23 (asl-gen appends '-' and 8 characters; tuning job names stop at 32)",
    ),
    (
        "default tuning name prefix too long",
        [("project: abalone\n", "project: abalone-nightly-retrain\n"), ("    name: {prefix: abalone-tune}\n", "")],
        "spec.yaml:12:5: jobs.tune: the default name prefix 'abalone-nightly-retrain-tune' is longer than 23 characters (tuning job names stop at 32) (give the job a name (a string, {input: X} or {prefix: short-prefix}))",
    ),
    (
        "range min not below max",
        [("continuous: [0.1, 0.5]", "continuous: [0.5, 0.1]")],
        "spec.yaml:23:12: jobs.tune.ranges.eta: the range's min 0.5 is not below its max 0.1 (write [min, max])",
    ),
    (
        "integer range min equals max",
        [("integer: [3, 10]", "integer: [3, 3]")],
        "spec.yaml:24:18: jobs.tune.ranges.max_depth: the range's min 3 is not below its max 3 (write [min, max])",
    ),
    (
        "scaling on a categorical range",
        [("booster: {categorical: [gbtree, dart]}", "booster: {categorical: [gbtree, dart], scaling: Linear}")],
        "spec.yaml:25:16: jobs.tune.ranges.booster: scaling is for continuous and integer ranges; a categorical range has no scale",
    ),
    (
        "logarithmic scaling from 0",
        [("continuous: [0.1, 0.5], scaling: Logarithmic", "continuous: [0, 0.5], scaling: Logarithmic")],
        "spec.yaml:23:12: jobs.tune.ranges.eta: Logarithmic scaling needs a range above 0, and min is 0",
    ),
    (
        "reverse logarithmic on an integer range",
        [("integer: [3, 10]}", "integer: [3, 10], scaling: ReverseLogarithmic}")],
        "spec.yaml:24:18: jobs.tune.ranges.max_depth: ReverseLogarithmic scaling is for continuous ranges within 0 <= x < 1",
    ),
    (
        "two kinds in one range",
        [("max_depth: {integer: [3, 10]}", "max_depth: {integer: [3, 10], continuous: [3, 10]}")],
        "spec.yaml:24:18: jobs.tune.ranges.max_depth: give exactly one of continuous: [min, max], integer: [min, max] or categorical: [values], not continuous and integer together",
    ),
    (
        "categorical value twice",
        [("[gbtree, dart]", "[gbtree, dart, gbtree]")],
        "spec.yaml:25:16: jobs.tune.ranges.booster: the categorical value 'gbtree' is listed twice (list each value once)",
    ),
    (
        "more than 30 categorical values",
        [
            (
                "[gbtree, dart]",
                "[v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, v12, v13, v14, v15, v16, v17, v18, v19, v20, v21, v22, v23, v24, v25, v26, v27, v28, v29, v30]",
            )
        ],
        "spec.yaml:25:30: jobs.tune.ranges.booster.categorical: List should have at most 30 items after validation, not 31",
    ),
    (
        "hyperparameter both static and tuned",
        [
            (
                'hyperparameters: {objective: "binary:logistic", num_round: 100}',
                'hyperparameters: {objective: "binary:logistic", num_round: 100, eta: 0.2}',
            )
        ],
        "spec.yaml:23:12: jobs.tune.ranges.eta: hyperparameter 'eta' is both static (training.hyperparameters) and tuned (ranges) (keep it in one place: remove it from training.hyperparameters to tune it)",
    ),
    (
        "more parallel jobs than jobs",
        [("max_parallel_jobs: 4", "max_parallel_jobs: 40")],
        "spec.yaml:29:24: jobs.tune.max_parallel_jobs: max_parallel_jobs 40 is more than max_jobs 20 (run at most 20 at once)",
    ),
    (
        "no max_jobs for Bayesian",
        [("    max_jobs: 20\n", "")],
        "spec.yaml:27:15: jobs.tune.strategy: the Bayesian strategy needs max_jobs: how many training jobs it may run at most (add max_jobs, e.g. max_jobs: 20)",
    ),
    (
        "Grid with a numeric range",
        [("max_depth: {categorical: [3, 5, 7]}", "max_depth: {integer: [3, 7]}")],
        "spec.yaml:56:18: jobs.tune-grid.ranges.max_depth: the Grid strategy searches categorical ranges only, and 'max_depth' is integer (list the values to try as categorical: [...], or use strategy Bayesian or Random)",
    ),
    (
        "Grid with max_jobs",
        [("    strategy: Grid\n", "    strategy: Grid\n    max_jobs: 10\n")],
        "spec.yaml:59:15: jobs.tune-grid.max_jobs: the Grid strategy runs every combination of the categorical values, so it takes no max_jobs (leave out max_jobs)",
    ),
    (
        "Hyperband with early stopping",
        [("    strategy: Bayesian\n", "    strategy: Hyperband\n")],
        "spec.yaml:30:21: jobs.tune.early_stopping: Hyperband stops training jobs early by itself; SageMaker refuses early_stopping Auto with it (leave out early_stopping, or write early_stopping: Off)",
    ),
    (
        "objective metric of no channel",
        [('metric: "validation:auc"', 'metric: "test:auc"')],
        "spec.yaml:26:25: jobs.tune.objective.metric: 'test:auc' is not a metric of a channel the training definition has (train, validation) (a built-in algorithm reports '<channel>:<metric>', e.g. validation:auc for a validation channel)",
    ),
    (
        "objective metric not channel:metric",
        [('metric: "validation:auc"', 'metric: "auc"')],
        "spec.yaml:26:25: jobs.tune.objective.metric: 'auc' is not a metric of a channel the training definition has (train, validation) (a built-in algorithm reports '<channel>:<metric>', e.g. validation:auc for a validation channel)",
    ),
    (
        "objective type misspelt",
        [("type: Maximize", "type: Maximise")],
        "spec.yaml:26:49: jobs.tune.objective.type: 'Maximise' is not allowed; expected 'Maximize' or 'Minimize' (did you mean 'Maximize'?)",
    ),
    (
        "strategy misspelt",
        [("strategy: Bayesian", "strategy: Bayes")],
        "spec.yaml:27:15: jobs.tune.strategy: 'Bayes' is not allowed; expected 'Bayesian', 'Random', 'Hyperband' or 'Grid' (did you mean 'Bayesian'?)",
    ),
    (
        "warm start with six parents",
        [("parents: [abalone-tune-2024]", "parents: [a1, a2, a3, a4, a5, a6]")],
        "spec.yaml:31:60: jobs.tune.warm_start.parents: List should have at most 5 items after validation, not 6",
    ),
    (
        "warm start parent name too long",
        [("parents: [abalone-tune-2024]", "parents: [abalone-tune-2024-with-a-much-longer-name]")],
        "spec.yaml:31:61: jobs.tune.warm_start.parents.0: String should have at most 32 characters",
    ),
    (
        "unknown field in the training definition",
        [("      output: s3://abalone-data/tuning\n", "      output: s3://abalone-data/tuning\n      outptu: x\n")],
        "spec.yaml:21:7: jobs.tune.training.outptu: unknown field 'outptu' (did you mean 'output'?)",
    ),
    (
        "gate metric not the tuning objective",
        [('    metric: "validation:rmse"\n    lt: 2.5', '    metric: "validation:mse"\n    lt: 2.5')],
        "spec.yaml:64:13: jobs.grid-gate.metric: tuning job 'tune-grid' optimises 'validation:rmse', not 'validation:mse'; the gate reads the best training job's objective value (leave out metric, or write metric: validation:rmse)",
    ),
    (
        "gate on training and tuning",
        [("    tuning: tune\n    ge: 0.9", "    tuning: tune\n    training: tune\n    ge: 0.9")],
        "spec.yaml:34:5: jobs.good-enough: give exactly one of training (a training job's final metric), tuning (a tuning job's best objective value) or report (a JSON report a processing step wrote), not training and tuning together",
    ),
    (
        "gate with neither training nor tuning",
        [("    tuning: tune\n    ge: 0.9", "    ge: 0.9")],
        "spec.yaml:34:5: jobs.good-enough: give exactly one of training (a training job's final metric), tuning (a tuning job's best objective value) or report (a JSON report a processing step wrote)",
    ),
    (
        "model from a tuning job inside a map",
        [
            ("state_machines:\n", "  each: {type: map, items: [a], steps: [model]}\nstate_machines:\n"),
            ("steps: [tune, good-enough, model, register]", "steps: [tune, good-enough, each]"),
        ],
        "spec.yaml:39:5: jobs.model: step 'model' needs tuning job 'tune', which does not run before it in state machine 'pipeline' (inside map 'each', whose steps see only their item) (run 'tune' before 'model', outside any map: its best training job is known only from its result)",
    ),
    (
        "gate tuning names a model",
        [("    tuning: tune\n    ge: 0.9", "    tuning: model\n    ge: 0.9")],
        "spec.yaml:36:13: jobs.good-enough.tuning: job 'model' is of type model, not tuning (name a job of type tuning)",
    ),
    (
        "model from a tuning job that runs later",
        [("steps: [tune, good-enough, model, register]", "steps: [model, tune, good-enough, register]")],
        "spec.yaml:72:13: state_machines.pipeline.steps.0: step 'model' needs tuning job 'tune', which does not run before it in state machine 'pipeline' (run 'tune' before 'model', outside any map: its best training job is known only from its result)",
    ),
    (
        "model from a tuning job in no step of the machine",
        [("steps: [tune-grid, grid-gate, grid-model]", "steps: [tune-grid, grid-gate, grid-model, register]")],
        "spec.yaml:75:47: state_machines.grid.steps.3: step 'register' needs tuning job 'tune', which does not run before it in state machine 'grid' (run 'tune' before 'register', outside any map: its best training job is known only from its result)",
    ),
    (
        "model from an endpoint-less wrong type",
        [("    from: tune\n  register", "    from: good-enough\n  register")],
        "spec.yaml:41:11: jobs.model.from: job 'good-enough' is of type quality-gate, not training or tuning (name a job of type training or tuning)",
    ),
]


@pytest.mark.parametrize(("pairs", "expected"), [m[1:] for m in MISTAKES], ids=[m[0] for m in MISTAKES])
def test_tuning_mistake_gives_one_located_line(
    pairs: list[tuple[str, str]], expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = refused(BASE, pairs, tmp_path, monkeypatch)
    assert lines[0] == expected, "\n".join(lines)


def test_the_base_spec_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "spec.yaml").write_text(BASE.read_text())
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "spec.yaml", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
