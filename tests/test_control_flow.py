"""Control flow in the spec: quality gates, retry and catch policies, the failure notification, Parallel and Map
steps, raw ASL states and JSONata machines.

Each is checked as spec errors (one located line each), as rendered states, as IAM, by the external judges, and
by running the generated states in moto's Step Functions interpreter (which evaluates JSONPath and JSONata).
"""

from __future__ import annotations

import functools
import itertools
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from asl_gen import jsonata
from asl_gen.build import STEPFUNCTIONS_POLICY, Generated, generate
from asl_gen.cli import main
from asl_gen.lint import validate_definition

from . import test_judges as judges
from .localaws import run_to_end

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "evaluate-deploy" / "spec.yaml"
CASE = Path(__file__).parent / "cases" / "control-flow" / "spec.yaml"
TOPIC = "arn:aws:sns:us-east-1:123456789012:evaluate-deploy-alerts"


@functools.cache
def _example() -> Generated:
    return generate(EXAMPLE)


@functools.cache
def _case() -> Generated:
    return generate(CASE)


def _definition(generated: Generated, machine: str) -> dict[str, Any]:
    return json.loads(generated.files[f"{machine}.asl.json"])


def _all_definitions() -> list[tuple[str, str]]:
    return [
        (name, path)
        for name, generated in (("example", _example()), ("case", _case()))
        for path in sorted(generated.files)
        if path.endswith(".asl.json")
    ]


def _text(name: str, path: str) -> str:
    return (_example() if name == "example" else _case()).files[path]


# --- spec errors ---------------------------------------------------------------------------------------------

# (what the user got wrong, text replaced in the example, replacement, the message expected)
MISTAKES = [
    (
        "two thresholds",
        "    lt: 1200",
        "    lt: 1200\n    gt: 3",
        "spec.yaml:33:5: jobs.good-enough: give exactly one threshold: lt, le, gt or ge (e.g. lt: 1.5 passes a "
        "metric below 1.5), not lt and gt together",
    ),
    (
        "no threshold",
        "    lt: 1200\n",
        "",
        "spec.yaml:33:5: jobs.good-enough: give exactly one threshold: lt, le, gt or ge",
    ),
    (
        "threshold not a number",
        "    lt: 1200",
        "    lt: high",
        "spec.yaml:37:9: jobs.good-enough.lt: expected a number",
    ),
    (
        "gate on a model",
        "    training: train\n",
        "    training: model\n",
        "spec.yaml:35:15: jobs.good-enough.training: job 'model' is of type model, not training",
    ),
    (
        "gate on a missing job",
        "    training: train\n",
        "    training: trian\n",
        "spec.yaml:35:15: jobs.good-enough.training: no job named 'trian' (did you mean 'train'?)",
    ),
    (
        "metric with braces",
        "    metric: validation:rmse",
        '    metric: "validation:{rmse}"',
        "spec.yaml:36:13: jobs.good-enough.metric: 'validation:{rmse}' is not valid here (a metric name",
    ),
    (
        "misspelt retry preset",
        "    retry: sagemaker",
        "    retry: sagemakr",
        "spec.yaml:75:12: state_machines.pipeline.retry: 'sagemakr' is not allowed; expected 'sagemaker' or 'none' "
        "(did you mean 'sagemaker'?)",
    ),
    (
        "States.ALL with others",
        "    retry: sagemaker",
        "    retry: [{errors: [States.ALL, ThrottlingException]}]",
        "spec.yaml:75:13: state_machines.pipeline.retry.0: States.ALL matches every error: list it alone in its rule",
    ),
    (
        "States.ALL not last",
        "    retry: sagemaker",
        "    retry: [{errors: [States.ALL]}, {errors: [ThrottlingException]}]",
        "spec.yaml:75:12: state_machines.pipeline.retry: a rule on States.ALL must be the last one",
    ),
    (
        "backoff below 1",
        "    retry: sagemaker",
        "    retry: [{errors: [X], backoff_rate: 0.5}]",
        "spec.yaml:75:41: state_machines.pipeline.retry.0.backoff_rate: 0.5 is out of range",
    ),
    (
        "unknown jitter",
        "    retry: sagemaker",
        "    retry: [{errors: [X], jitter: PARTIAL}]",
        "spec.yaml:75:35: state_machines.pipeline.retry.0.jitter: 'PARTIAL' is not allowed; expected 'FULL' or 'NONE'",
    ),
    (
        "zero max delay",
        "    retry: sagemaker",
        "    retry: [{errors: [X], max_delay_seconds: 0}]",
        "spec.yaml:75:46: state_machines.pipeline.retry.0.max_delay_seconds: 0 is out of range",
    ),
    (
        "no errors to retry",
        "    retry: sagemaker",
        "    retry: [{errors: []}]",
        "spec.yaml:75:22: state_machines.pipeline.retry.0.errors: List should have at least 1 item",
    ),
    (
        "misspelt retry field",
        "    retry: sagemaker",
        "    retry: [{error: [X]}]",
        "spec.yaml:75:14: state_machines.pipeline.retry.0.error: unknown field 'error' (did you mean 'errors'?)",
    ),
    (
        "misspelt notify",
        "      notify: arn:aws:sns:us-east-1:123456789012:evaluate-deploy-alerts",
        "      notfy: arn:aws:sns:us-east-1:123456789012:evaluate-deploy-alerts",
        "spec.yaml:77:7: state_machines.pipeline.on_failure.notfy: unknown field 'notfy' (did you mean 'notify'?)",
    ),
    (
        "branch naming a missing job",
        "  score:\n",
        "  both:\n    type: parallel\n    branches: [[model], [modle]]\n  score:\n",
        "spec.yaml:59:26: jobs.both.branches.1.0: no job named 'modle' (did you mean 'model'?)",
    ),
    (
        "parallel without branches",
        "  score:\n",
        "  both:\n    type: parallel\n    branches: []\n  score:\n",
        "spec.yaml:59:15: jobs.both.branches: List should have at least 1 item",
    ),
    (
        "raw state not a mapping",
        "  score:\n",
        "  pause:\n    type: asl\n    states: {Pause: 5}\n  score:\n",
        "spec.yaml:59:21: jobs.pause.states.Pause: expected a mapping, got 5",
    ),
    (
        "topic not an ARN",
        "      notify: arn:aws:sns:us-east-1:123456789012:evaluate-deploy-alerts",
        "      notify: evaluate-deploy-alerts",
        "spec.yaml:77:15: state_machines.pipeline.on_failure.notify: 'evaluate-deploy-alerts' is not an SNS topic ARN",
    ),
    (
        "undeclared items input",
        "    items: {input: Batches}",
        "    items: {input: Batchez}",
        "spec.yaml:60:20: jobs.score.items.input: input 'Batchez' is not declared (declare it under inputs: "
        "{Batchez: list})",
    ),
    (
        "items input of another type",
        "    items: {input: Batches}",
        "    items: {input: ModelName}",
        "spec.yaml:60:20: jobs.score.items.input: input 'ModelName' is declared string, not list",
    ),
    ("empty items", "    items: {input: Batches}", "    items: []", "spec.yaml:60:12: jobs.score.items: List should"),
    (
        "items neither list nor input",
        "    items: {input: Batches}",
        "    items: 3",
        "spec.yaml:60:12: jobs.score.items: expected a mapping or a list, got 3",
    ),
    (
        "map inside itself",
        "    steps: [transform]",
        "    steps: [score]",
        "spec.yaml:62:13: jobs.score.steps.0: map 'score' would run inside itself",
    ),
    (
        "misspelt map step",
        "    steps: [transform]",
        "    steps: [transfrom]",
        "spec.yaml:62:13: jobs.score.steps.0: no job named 'transfrom' (did you mean 'transform'?)",
    ),
    (
        "job both in the machine and in a map",
        "    steps: [transform]",
        "    steps: [endpoint, transform]",
        "spec.yaml:73:5: state_machines.pipeline: job 'endpoint' runs more than once in state machine 'pipeline'",
    ),
    (
        "too much concurrency",
        "    max_concurrency: 2",
        "    max_concurrency: 41",
        "spec.yaml:61:22: jobs.score.max_concurrency: an inline map runs at most 40 items at once; use mode: "
        "distributed for more",
    ),
    (
        "tolerated failures of an inline map",
        "    max_concurrency: 2",
        "    max_concurrency: 2\n    tolerated_failures: 5",
        "spec.yaml:62:25: jobs.score.tolerated_failures: tolerated_failures is for mode: distributed",
    ),
    (
        "too much concurrency even for a distributed map",
        "    max_concurrency: 2",
        "    max_concurrency: 10001\n    mode: distributed",
        "spec.yaml:61:22: jobs.score.max_concurrency: 10001 is out of range",
    ),
    (
        "catch to a step elsewhere",
        "    name: {input: ModelName}\n  endpoint-config:",
        "    name: {input: ModelName}\n    catch: [{errors: [States.ALL], next: transform}]\n  endpoint-config:",
        "spec.yaml:43:42: jobs.model.catch.0.next: 'transform' is not a step next to 'model' in state machine "
        "'pipeline'",
    ),
    (
        "catch to itself",
        "    name: {input: ModelName}\n  endpoint-config:",
        "    name: {input: ModelName}\n    catch: [{errors: [States.ALL], next: model}]\n  endpoint-config:",
        "spec.yaml:43:42: jobs.model.catch.0.next: step 'model' would catch its errors by running itself again",
    ),
    (
        "misspelt query language",
        "    retry: sagemaker",
        "    retry: sagemaker\n    query_language: JSONata2",
        "spec.yaml:76:21: state_machines.pipeline.query_language: 'JSONata2' is not allowed; expected 'JSONPath' or "
        "'JSONata' (did you mean 'JSONata'?)",
    ),
    (
        "raw state without a type",
        "  score:\n",
        "  pause:\n    type: asl\n    states: {Pause: {Seconds: 5}}\n  score:\n",
        "spec.yaml:59:13: jobs.pause.states: state 'Pause' needs a Type",
    ),
    (
        "input named Error with catches",
        "  Batches: list",
        "  Batches: list\n  Error: string",
        "spec.yaml:19:10: inputs.Error: input 'Error' would be overwritten: caught errors are kept under $.Error",
    ),
]
# Mistakes in a call that only a JSONata machine makes: edits of the control-flow case, whose flow-jsonata machine
# runs a createTransformJob call in a map (the example's transform is a `transform` step, which has no paths).
JSONATA_MISTAKES = [
    (
        "intrinsic without a JSONata translation",
        "      ModelName.$: $$.Execution.Input.ModelName\n",
        "      ModelName.$: States.ArrayUnique($.names)\n",
        "spec.yaml:103:20: jobs.transform.parameters.ModelName.$: state machine 'flow-jsonata' is JSONata, and "
        "'States.ArrayUnique($.names)': States.ArrayUnique has no JSONata translation in asl-gen",
    ),
    (
        "filter without a JSONata translation",
        "S3Uri.$: $.item}",
        'S3Uri.$: "$.item[?(@.x)]"}',
        "spec.yaml:105:68: jobs.transform.parameters.TransformInput.DataSource.S3DataSource.S3Uri.$: state "
        "machine 'flow-jsonata' is JSONata, and '$.item[?(@.x)]' uses JSONPath that has no JSONata translation here",
    ),
]


def _build_example_variant(tmp_path: Path, old: str, new: str, *extra: tuple[str, str], spec: Path = EXAMPLE) -> Any:
    text = spec.read_text()
    for before, after in ((old, new), *extra):
        assert before in text, f"the example no longer contains {before!r}; update the table"
        text = text.replace(before, after, 1)
    (tmp_path / "spec.yaml").write_text(text)
    return CliRunner().invoke(main, ["build", "spec.yaml", "--out", str(tmp_path / "out")])


@pytest.mark.parametrize(
    ("old", "new", "expected", "jsonata_machine"),
    [(*m[1:], False) for m in MISTAKES] + [(*m[1:], True) for m in JSONATA_MISTAKES],
    ids=[m[0] for m in MISTAKES + JSONATA_MISTAKES],
)
def test_control_flow_mistake_gives_one_located_line(
    old: str, new: str, expected: str, jsonata_machine: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = _build_example_variant(tmp_path, old, new, spec=CASE if jsonata_machine else EXAMPLE)
    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    assert lines[-1].endswith("found")
    assert any(line.startswith(expected) for line in lines[:-1]), "\n".join(lines)
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def _position(text: str, marker: str, within: str) -> str:
    """`line:column` (1-based) of `within` inside the first line holding `marker`."""
    for number, line in enumerate(text.splitlines(), 1):
        if marker in line:
            return f"{number}:{line.index(within, line.index(marker)) + 1}"
    raise AssertionError(f"{marker!r} is not in the spec")


PAUSE_BEFORE_GATE = ("    steps: [train, good-enough,", "    steps: [train, pause, good-enough,")


@pytest.mark.parametrize(
    ("states", "marker", "within", "pointer", "says"),
    [
        (
            "    states: {Pause: {Type: Wait, Seconds: 5, Next: Nowhere}}\n",
            "Next: Nowhere",
            "Nowhere",
            "jobs.pause.states.Pause.Next",
            "Next state 'Nowhere' is not a state in the top level",
        ),
        (
            "    states:\n      Pause:\n        Type: Wait\n        Seconds: 5\n        TimeoutSeconds: 9\n",
            "TimeoutSeconds: 9",
            "9",
            "jobs.pause.states.Pause.TimeoutSeconds",
            "'TimeoutSeconds' is not allowed in a Wait state",
        ),
        (
            # An End before the next step cuts off every generated state after it: one finding, at the End.
            "    states:\n      Pause:\n        Type: Wait\n        Seconds: 5\n        End: true\n",
            "End: true",
            "true",
            "jobs.pause.states.Pause.End",
            # The gate's states, the loops `retry: sagemaker` adds to its call and to the later SageMaker calls.
            "state 'Pause' ends here and cuts off 41 generated states of state machine 'pipeline': "
            "'Good Enough', 'Good Enough: transient?', 'Good Enough: back off' and 38 more",
        ),
    ],
    ids=["next-nowhere", "field-not-allowed", "end-too-early"],
)
def test_raw_state_mistake_is_one_spec_error_at_its_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, states: str, marker: str, within: str, pointer: str, says: str
) -> None:
    """The user's ASL broke the machine: exit 2 and one line at the field of the spec that did it, not one line
    for each generated state that the mistake left unreachable."""
    monkeypatch.chdir(tmp_path)
    result = _build_example_variant(
        tmp_path, *PAUSE_BEFORE_GATE, ("  score:\n", f"  pause:\n    type: asl\n{states}  score:\n")
    )
    assert result.exit_code == 2, result.output
    location = _position((tmp_path / "spec.yaml").read_text(), marker, within)
    [line, summary] = result.output.splitlines()
    assert line.startswith(f"spec.yaml:{location}: {pointer}: "), line
    assert says in line
    assert summary == "1 problem found"
    assert not (tmp_path / "out").exists()


def test_raw_state_inside_a_parallel_branch_is_located_in_the_spec(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A raw step in a branch lands in the Parallel's Branches; its mistake is still found in the spec."""
    monkeypatch.chdir(tmp_path)
    text = CASE.read_text().replace("branches: [[train-a], [train-b]]", "branches: [[train-a], [settle, train-b]]", 1)
    text = text.replace(
        "  cool-down:\n",
        "  settle:\n    type: asl\n    states:\n      Settle:\n        Type: Wait\n        Seconds: -1\n  cool-down:\n",
        1,
    )
    (tmp_path / "spec.yaml").write_text(text)
    result = CliRunner().invoke(main, ["build", "spec.yaml", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    location = _position(text, "Seconds: -1", "-1")
    [line, summary] = result.output.splitlines()
    assert line == (
        f"spec.yaml:{location}: jobs.settle.states.Settle.Seconds: state machines 'flow-jsonpath' and "
        "'flow-jsonata' are not valid with this ASL: 'Seconds' must be at least 0, not -1"
    )
    assert summary == "1 problem found"
    assert not (tmp_path / "out").exists()


def test_project_of_raw_states_only_is_refused_not_given_an_empty_policy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    text = CASE.read_text()
    machines = text[text.index("state_machines:") :]
    text = text.replace(
        machines,
        "state_machines:\n  rest:\n    steps: [cool-down]\n"
        "    on_failure: {notify: arn:aws:sns:eu-west-1:210987654321:cf-alerts}\n",
    )
    (tmp_path / "spec.yaml").write_text(text)
    result = CliRunner().invoke(main, ["build", "spec.yaml", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert "state_machines: no state machine of the project calls an AWS service" in result.output
    assert not (tmp_path / "out").exists()


# --- what is rendered ----------------------------------------------------------------------------------------


def test_step_failures_go_through_the_notification_too() -> None:
    states = _definition(_example(), "pipeline")["States"]
    failed = states["Good Enough: failed"]
    assert failed["Type"] == "Pass" and failed["ResultPath"] == "$.Error" and failed["Next"] == "Notify failure"
    assert failed["Parameters"]["Error"] == "QualityGate.Failed"
    assert states["Deploy: lookup failed"]["Parameters"] == {
        "Error.$": "$.endpoint.Error",
        "Cause.$": "$.endpoint.Cause",
    }
    # Only the notification's final state fails the run.
    assert [name for name, state in states.items() if state["Type"] == "Fail"] == ["Failed"]


def test_example_runs_the_steps_in_order_and_every_call_can_notify() -> None:
    states = _definition(_example(), "pipeline")["States"]
    chain = ["Train", "Good Enough", "Good Enough: any metrics?", "Good Enough: find metric", "Good Enough: passes?"]
    for state, following in itertools.pairwise(chain):
        # A Choice's way on when no rule matches is its Default.
        assert states[state].get("Next", states[state].get("Default")) == following
    assert states["Good Enough: any metrics?"]["Choices"][0]["Next"] == "Good Enough: no metric"
    passes = states["Good Enough: passes?"]
    assert [rule["Next"] for rule in passes["Choices"]] == ["Good Enough: no metric", "Save Model"]
    assert passes["Choices"][1]["NumericLessThan"] == 1200
    assert passes["Default"] == "Good Enough: failed"
    assert states["Score Batches"]["End"] is True
    # Every top-level Task, Parallel and Map ends its Catch list with the notification.
    for name, state in states.items():
        if state["Type"] in ("Task", "Map", "Parallel") and name != "Notify failure" and ":" not in name:
            assert state["Catch"][-1] == {
                "ErrorEquals": ["States.ALL"],
                "ResultPath": "$.Error",
                "Next": "Notify failure",
            }
    notify = states["Notify failure"]
    assert notify["Parameters"]["TopicArn"] == TOPIC
    assert "$.Error.Error" in notify["Parameters"]["Message.$"] and "$.Error.Cause" in notify["Parameters"]["Message.$"]
    assert notify["Catch"][0]["Next"] == notify["Next"] == "Failed"
    assert states["Failed"] == {
        "Type": "Fail",
        "Comment": "Fail with the error that stopped the run",
        "ErrorPath": "$.Error.Error",
        "CausePath": "$.Error.Cause",
    }


def test_sagemaker_retry_preset_covers_throttling_and_quotas_with_every_retry_field() -> None:
    states = _definition(_example(), "pipeline")["States"]
    train, again = states["Train"], states["Train: again"]
    # The first call retries a full quota only; throttling and 5xx errors go through `Train: transient?` to the
    # copy, which retries them (tests/test_retry_transient.py runs the loop).
    assert [rule["ErrorEquals"] for rule in train["Retry"]] == [["SageMaker.ResourceLimitExceededException"]]
    rules = {tuple(rule["ErrorEquals"]): rule for rule in again["Retry"]}
    service = rules["SageMaker.AmazonSageMakerException", "SageMaker.SageMakerException"]
    assert (service["IntervalSeconds"], service["MaxAttempts"], service["MaxDelaySeconds"]) == (10, 3, 60)
    # A full job quota frees up in minutes: a few slow retries.
    quota = rules["SageMaker.ResourceLimitExceededException",]
    assert (quota["IntervalSeconds"], quota["MaxAttempts"], quota["MaxDelaySeconds"]) == (60, 3, 600)
    assert train["Retry"] == [quota]
    # Nothing a retry cannot fix: a failed job, a name in use, a missing resource, an error no service raises.
    errors = {e for state in (train, again) for rule in state["Retry"] for e in rule["ErrorEquals"]}
    for never in (
        "States.TaskFailed",
        "States.ALL",
        "SageMaker.ResourceInUseException",
        "SageMaker.ResourceNotFoundException",
        "ThrottlingException",
    ):
        assert never not in errors
    for rule in again["Retry"]:
        assert set(rule) == {
            "ErrorEquals",
            "IntervalSeconds",
            "MaxAttempts",
            "BackoffRate",
            "MaxDelaySeconds",
            "JitterStrategy",
        }
        assert rule["JitterStrategy"] == "FULL"


def test_step_retry_overrides_the_machine_default() -> None:
    branches = _definition(_case(), "flow-jsonpath")["States"]["Train Candidates"]["Branches"]
    train_a, train_b = branches[0]["States"]["train-a"], branches[1]["States"]["train-b"]
    assert train_a["Retry"] == [
        {
            "ErrorEquals": ["SageMaker.AmazonSageMakerException"],
            "IntervalSeconds": 10,
            "MaxAttempts": 2,
            "BackoffRate": 1.5,
            "MaxDelaySeconds": 60,
            "JitterStrategy": "FULL",
        }
    ]
    assert "Retry" not in train_b  # retry: none
    # Inside a branch nothing can catch into the top-level handler: the Parallel does.
    assert "Catch" not in train_a


def test_parallel_and_map_states_are_retried_by_their_own_rules_only() -> None:
    example = _definition(_example(), "pipeline")["States"]
    assert "Retry" not in example["Score Batches"]
    processor = example["Score Batches"]["ItemProcessor"]["States"]
    assert processor["Transform Batch: again"]["Retry"][0]["MaxAttempts"] == 3
    case = _definition(_case(), "flow-jsonpath")["States"]
    assert case["Train Candidates"]["Retry"] == [
        {"ErrorEquals": ["States.BranchFailed"], "IntervalSeconds": 1, "MaxAttempts": 1, "BackoffRate": 2.0}
    ]


def test_parallel_results_land_under_its_key_and_later_steps_read_them() -> None:
    states = _definition(_case(), "flow-jsonpath")["States"]
    parallel = states["Train Candidates"]
    assert parallel["ResultSelector"] == {"train_a.$": "$[0].train_a", "train_b.$": "$[1].train_b"}
    assert parallel["ResultPath"] == "$.candidates"
    assert states["model"]["Parameters"]["PrimaryContainer"]["ModelDataUrl.$"] == "$.candidates.train_a.ModelDataUrl"


def test_user_catch_goes_first_then_the_notification() -> None:
    states = _definition(_case(), "flow-jsonpath")["States"]
    # `retry: sagemaker` comes before any catch, as a Retry does: its loop first, then the step's own catch.
    assert [(c["ErrorEquals"], c["Next"]) for c in states["gate"]["Catch"]] == [
        (["SageMaker.AmazonSageMakerException", "SageMaker.SageMakerException"], "gate: transient?"),
        (["States.TaskFailed"], "Cool Down"),
        (["States.ALL"], "Notify failure"),
    ]
    assert [(c["ErrorEquals"], c["Next"]) for c in states["gate: again"]["Catch"]] == [
        (["States.TaskFailed"], "Cool Down"),
        (["States.ALL"], "Notify failure"),
    ]
    # A request SageMaker refused goes where the step's catch sends it, with the error where that catch puts it.
    assert states["gate: refused"]["Next"] == "Cool Down" and states["gate: refused"]["ResultPath"] == "$.Error"


def test_raw_states_are_placed_as_written_and_go_on_to_the_next_step() -> None:
    states = _definition(_case(), "flow-jsonpath")["States"]
    assert states["Cool Down"] == {"Type": "Wait", "Seconds": 5, "Next": "Announce"}
    assert states["Announce"]["Next"] == "model"


def test_map_over_written_items_puts_them_in_the_state_first() -> None:
    states = _definition(_case(), "flow-jsonpath")["States"]
    assert states["fan-out: items"]["Result"] == {"Items": ["first", "second", "{% not an expression %}"]}
    assert states["fan-out: items"]["Next"] == "fan-out"
    fan_out = states["fan-out"]
    assert fan_out["ItemsPath"] == "$.fan_out.Items"
    assert fan_out["ItemSelector"] == {"item.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index"}
    assert fan_out["MaxConcurrency"] == 3
    assert fan_out["ItemProcessor"]["ProcessorConfig"] == {"Mode": "INLINE"}


def test_distributed_map_runs_standard_children_and_may_start_them() -> None:
    score = _definition(_case(), "flow-jsonpath")["States"]["score"]
    assert score["ItemProcessor"]["ProcessorConfig"] == {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
    assert score["MaxConcurrency"] == 100
    assert score["ToleratedFailureCount"] == 5
    grants = _grants(_case())
    assert grants["states:StartExecution"] == {
        "arn:aws:states:eu-west-1:210987654321:stateMachine:control-flow-flow-jsonata",
        "arn:aws:states:eu-west-1:210987654321:stateMachine:control-flow-flow-jsonpath",
    }


def test_jsonata_machine_uses_only_jsonata_fields() -> None:
    definition = _definition(_case(), "flow-jsonata")
    assert definition["QueryLanguage"] == "JSONata"
    jsonpath_only = {"Parameters", "ResultSelector", "ResultPath", "ItemsPath", "ErrorPath", "CausePath", "InputPath"}

    def walk(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            for key, value in node.items():
                yield key
                yield from walk(value)
        elif isinstance(node, list):
            for item in node:
                yield from walk(item)

    keys = set(walk(definition["States"]))
    assert not keys & jsonpath_only
    assert not [k for k in keys if k.endswith(".$")]
    states = definition["States"]
    assert states["fan-out: items"]["Output"] == (
        '{% $merge([$states.input, {"fan_out": {"Items": ["first", "second", "{% not an expression %}"]}}]) %}'
    )
    assert states["model"]["Arguments"]["PrimaryContainer"]["ModelDataUrl"] == (
        "{% $states.input.candidates.train_a.ModelDataUrl %}"
    )
    assert states["Failed"]["Error"] == "{% $states.input.Error.Error %}"


def test_jsonpath_output_of_existing_specs_has_no_query_language() -> None:
    assert "QueryLanguage" not in _definition(_case(), "flow-jsonpath")
    assert "QueryLanguage" not in _definition(_example(), "pipeline")


# --- IAM -----------------------------------------------------------------------------------------------------


def _grants(generated: Generated) -> dict[str, set[str]]:
    grants: dict[str, set[str]] = {}
    for statement in json.loads(generated.files[STEPFUNCTIONS_POLICY])["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        for action in actions:
            grants.setdefault(action, set()).update(resources)
    return grants


def test_example_policy_publishes_to_the_topic_only_and_reads_the_training_job() -> None:
    grants = _grants(_example())
    assert grants["sns:Publish"] == {TOPIC}
    assert grants["sagemaker:DescribeTrainingJob"] == {
        "arn:aws:sagemaker:us-east-1:123456789012:training-job/evaluate-deploy-train-*"
    }
    assert (
        "arn:aws:sagemaker:us-east-1:123456789012:transform-job/evaluate-deploy-score-*"
        in grants["sagemaker:CreateTransformJob"]
    )


def test_sagemaker_role_may_write_the_scores_of_the_transform_jobs() -> None:
    statements = json.loads(_example().files["iam/sagemaker-policy.json"])["Statement"]
    writes = next(s for s in statements if s["Sid"] == "WriteOutput")
    assert "arn:aws:s3:::evaluate-deploy-data/scores*" in writes["Resource"]
    # The batches come from the execution input; the spec names their prefix under roles.sagemaker.reads.
    reads = next(s for s in statements if s["Sid"] == "ReadData")
    assert "arn:aws:s3:::evaluate-deploy-data/batches/*" in reads["Resource"]
    listing = next(s for s in statements if s["Sid"] == "ListData")
    assert "batches/*" in listing["Condition"]["StringLike"]["s3:prefix"]


@pytest.mark.parametrize(
    ("role", "sid", "resource"),
    [
        ("reads: [s3://other-bucket/in/]", "ReadData", "arn:aws:s3:::other-bucket/in/*"),
        ("writes: [s3://other-bucket/out/]", "WriteOutput", "arn:aws:s3:::other-bucket/out/*"),
    ],
)
def test_sagemaker_role_gets_the_locations_the_spec_names_and_no_more(
    tmp_path: Path, role: str, sid: str, resource: str
) -> None:
    text = EXAMPLE.read_text()
    reads = "    reads: [s3://evaluate-deploy-data/batches/]"
    assert reads in text
    (tmp_path / "spec.yaml").write_text(text.replace(reads, f"    {role}"))
    statements = json.loads(generate(tmp_path / "spec.yaml").files["iam/sagemaker-policy.json"])["Statement"]
    granted = {r for s in statements for r in ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"])}
    assert resource in next(s for s in statements if s["Sid"] == sid)["Resource"]
    assert not any("batches" in r for r in granted)
    if sid == "ReadData":
        assert {
            "Sid": "ListData2",
            "Effect": "Allow",
            "Action": ["s3:ListBucket"],
            "Resource": "arn:aws:s3:::other-bucket",
            "Condition": {"StringLike": {"s3:prefix": ["in/*"]}},
        } in statements


def test_sagemaker_role_reads_must_be_s3_uris(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = _build_example_variant(
        tmp_path, "reads: [s3://evaluate-deploy-data/batches/]", "reads: [evaluate-deploy-data/batches/]"
    )
    assert result.exit_code == 2, result.output
    [line, summary] = result.output.splitlines()
    assert line.startswith("spec.yaml:12:13: roles.sagemaker.reads.0: "), line
    assert "s3://" in line and summary == "1 problem found"


def test_jsonata_and_jsonpath_machines_need_the_same_permissions(tmp_path: Path) -> None:
    text = CASE.read_text()
    jsonpath_only, _, rest = text.partition("  flow-jsonata:\n")
    jsonata_only = text.replace(text[text.index("  flow-jsonpath:\n") : text.index("  flow-jsonata:\n")], "")
    policies = []
    for name, spec_text in (("jsonpath", jsonpath_only), ("jsonata", jsonata_only)):
        (tmp_path / f"{name}.yaml").write_text(spec_text)
        policy = generate(tmp_path / f"{name}.yaml").files[STEPFUNCTIONS_POLICY]
        policies.append(policy.replace(f"flow-{name}", "flow-MACHINE"))
    assert rest  # the case has the JSONata machine after the JSONPath one
    assert policies[0] == policies[1]


# --- the judges ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "path"), _all_definitions())
def test_our_validator_and_moto_accept_definition(source: str, path: str) -> None:
    text = _text(source, path)
    assert validate_definition(json.loads(text), source=path) == []
    judges._moto_validate(text)


@pytest.mark.parametrize(("source", "path"), _all_definitions())
def test_statelint_and_asl_validator_accept_definition(source: str, path: str, tmp_path: Path) -> None:
    text = _text(source, path)
    file = judges._write(tmp_path, "definition.asl.json", text)
    if "QueryLanguage" not in json.loads(text):
        # statelint predates JSONata: it judges JSONPath machines only.
        run = judges._run([judges._tool("statelint"), str(file)])
        assert (run.returncode, run.output) == (0, ""), run.output
    run = judges._run([judges._asl_validator(), "--json-path", str(file)])
    assert run.returncode == 0, run.output


# --- running the states in moto ------------------------------------------------------------------------------


class MotoRun:
    """moto's Step Functions interpreter, with moto's SNS and SQS to see what a notification says."""

    def __init__(self) -> None:
        import boto3

        self.stepfunctions = boto3.client("stepfunctions", region_name="us-east-1")
        self.sns = boto3.client("sns", region_name="us-east-1")
        self.sqs = boto3.client("sqs", region_name="us-east-1")

    def run(self, definition: dict[str, Any], execution_input: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        return run_to_end(self.stepfunctions, json.dumps(definition), execution_input)


@pytest.fixture
def moto_run(monkeypatch: pytest.MonkeyPatch) -> Iterator[MotoRun]:
    pytest.importorskip("boto3", reason="boto3 (with moto) is not installed")
    moto = pytest.importorskip("moto", reason="moto[stepfunctions] is not installed")
    pytest.importorskip("moto.stepfunctions.parser.models", reason="moto[stepfunctions] is not installed")
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "123456789012")
    _evaluate_jsonata_with_jsonata_python(monkeypatch)
    with moto.mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        yield MotoRun()


def _evaluate_jsonata_with_jsonata_python(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto's interpreter parses JSONata states but leaves evaluation to LocalStack's Java engine, which it lacks
    (`_eval_jsonata` is None). jsonata-python evaluates the expressions moto composes (`$states` bound in them)."""
    try:
        import jsonata as jsonata_python
        from moto.stepfunctions.parser.asl.jsonata import jsonata as moto_jsonata
    except ImportError:
        return
    monkeypatch.setattr(
        moto_jsonata, "_eval_jsonata", lambda expression: jsonata_python.Jsonata(expression).evaluate(None)
    )


def _entered(events: list[dict[str, Any]]) -> list[str]:
    return [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]


def _failure(events: list[dict[str, Any]]) -> tuple[str, str]:
    details = next(e["executionFailedEventDetails"] for e in events if e["type"] == "ExecutionFailed")
    return details["error"], details.get("cause", "")


def _gate_only(definition: dict[str, Any]) -> dict[str, Any]:
    """The example's gate from the metric search on, with the deployment replaced by a Succeed state and the
    failure notification kept: a gate that is not passed is reported like any other failure."""
    keep = ("Good Enough:", "Notify failure", "Failed")
    states = {name: state for name, state in definition["States"].items() if name.startswith(keep)}
    states["Save Model"] = {"Type": "Succeed"}
    gate: dict[str, Any] = {"StartAt": "Good Enough: any metrics?", "States": states}
    if "QueryLanguage" in definition:
        gate["QueryLanguage"] = definition["QueryLanguage"]
    return gate


def _in_jsonata(tmp_path: Path, spec: Path, machine: str) -> dict[str, Any]:
    text = spec.read_text().replace("    retry: sagemaker", "    retry: sagemaker\n    query_language: JSONata", 1)
    (tmp_path / "spec.yaml").write_text(text)
    return _definition(generate(tmp_path / "spec.yaml"), machine)


@pytest.mark.parametrize("language", ["JSONPath", "JSONata"])
@pytest.mark.parametrize(
    ("metrics", "status", "error", "cause"),
    [
        (
            [{"MetricName": "train:rmse", "Value": 5000.0}, {"MetricName": "validation:rmse", "Value": 1100.5}],
            "SUCCEEDED",
            None,
            None,
        ),
        (
            [{"MetricName": "validation:rmse", "Value": 1300.25}],
            "FAILED",
            "QualityGate.Failed",
            "validation:rmse is 1300.25; the quality gate needs it below 1200",
        ),
        (
            [{"MetricName": "train:rmse", "Value": 5.0}],
            "FAILED",
            "QualityGate.NoMetric",
            "Training job 'train' reported no final value of validation:rmse",
        ),
        ([], "FAILED", "QualityGate.NoMetric", "Training job 'train' reported no final value of validation:rmse"),
        # SageMaker leaves the list out of the description when the job reported nothing.
        (None, "FAILED", "QualityGate.NoMetric", "Training job 'train' reported no final value of validation:rmse"),
    ],
    ids=["passes", "misses", "other-metric-only", "empty-list", "no-list"],
)
def test_gate_decides_in_moto(
    moto_run: MotoRun,
    tmp_path: Path,
    language: str,
    metrics: list[dict[str, Any]] | None,
    status: str,
    error: str | None,
    cause: str | None,
) -> None:
    definition = (
        _definition(_example(), "pipeline") if language == "JSONPath" else _in_jsonata(tmp_path, EXAMPLE, "pipeline")
    )
    moto_run.sns.create_topic(Name="evaluate-deploy-alerts")
    description: dict[str, Any] = {"TrainingJobName": "evaluate-deploy-train-0", "TrainingJobStatus": "Completed"}
    if metrics is not None:
        description["FinalMetricDataList"] = metrics
    got, events = moto_run.run(_gate_only(definition), {"good_enough": description})
    assert got == status, events
    if error is not None:
        assert _entered(events)[-2:] == ["Notify failure", "Failed"]
        failed_error, failed_cause = _failure(events)
        assert failed_error == error
        assert failed_cause.startswith(str(cause))
    else:
        assert _entered(events)[-1] == "Save Model"


NOTIFY_SPEC = """
project: notify
aws: {region: us-east-1, account: "123456789012"}
roles:
  sagemaker: {arn: "arn:aws:iam::123456789012:role/sm"}
  stepfunctions: {name: sfn}
jobs:
  read:
    type: call
    resource: aws-sdk:sqs:receiveMessage
    parameters: {QueueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/missing-queue"}
state_machines:
  flow:
    steps: [read]
    retry: none
    on_failure: {notify: "arn:aws:sns:us-east-1:123456789012:alerts"}
"""


@pytest.mark.parametrize("language", ["JSONPath", "JSONata"])
def test_failure_is_published_then_the_run_fails_with_it(moto_run: MotoRun, tmp_path: Path, language: str) -> None:
    text = NOTIFY_SPEC.replace(
        "    retry: none",
        "    retry: none\n    query_language: JSONata" if language == "JSONata" else "    retry: none",
    )
    (tmp_path / "spec.yaml").write_text(text)
    definition = _definition(generate(tmp_path / "spec.yaml"), "flow")
    topic = moto_run.sns.create_topic(Name="alerts")["TopicArn"]
    queue = moto_run.sqs.create_queue(QueueName="inbox")["QueueUrl"]
    queue_arn = moto_run.sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    moto_run.sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"}
    )
    status, events = moto_run.run(definition, {})
    assert status == "FAILED"
    assert _entered(events) == ["read", "Notify failure", "Failed"]
    error, cause = _failure(events)
    # moto spells the service in lower case; AWS says SQS.QueueDoesNotExistException. The name is what matters.
    assert error.lower() == "sqs.queuedoesnotexistexception", error
    assert "does not exist" in cause
    messages = moto_run.sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 1
    body = messages[0]["Body"]
    assert error in body and "failed with" in body


@pytest.mark.parametrize("language", ["JSONPath", "JSONata"])
def test_retry_rules_of_the_spec_are_followed_before_the_notification(
    moto_run: MotoRun, tmp_path: Path, language: str
) -> None:
    # moto names the missing queue's error in lower case ('sqs.'); AWS would say 'SQS.'. The rule names moto's.
    retry = (
        "    retry: [{errors: [sqs.QueueDoesNotExistException], interval_seconds: 1, max_attempts: 2, "
        "backoff_rate: 1.0, max_delay_seconds: 1, jitter: NONE}]"
    )
    text = NOTIFY_SPEC.replace(
        "    retry: none", retry + ("\n    query_language: JSONata" if language == "JSONata" else "")
    )
    (tmp_path / "spec.yaml").write_text(text)
    definition = _definition(generate(tmp_path / "spec.yaml"), "flow")
    moto_run.sns.create_topic(Name="alerts")
    status, events = moto_run.run(definition, {})
    assert status == "FAILED"
    # The call ran three times (two retries), then the failure was published and the run failed with it.
    calls = [e["taskScheduledEventDetails"]["resource"] for e in events if e["type"] == "TaskScheduled"]
    assert calls == ["receiveMessage", "receiveMessage", "receiveMessage", "publish"]
    assert _entered(events) == ["read", "Notify failure", "Failed"]


# --- the JSONata translation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("jsonpath", "expected"),
    [
        ("$", "$states.input"),
        ("$.a.b[2].c", "$states.input.a.b[2].c"),
        ("$.with-hyphen", "$states.input.`with-hyphen`"),
        ("$$.Execution.Input.Name", "$states.context.Execution.Input.Name"),
        ("$$.Map.Item.Value", "$states.context.Map.Item.Value"),
        ("States.Format('a-{}-{}', $.x, $.y)", '("a-" & $states.input.x & "-" & $states.input.y)'),
        ("States.Format('{}', $.x)", "($states.input.x)"),
        ("States.Format('it\\'s {}', $.x)", '("it\'s " & $states.input.x)'),
        ("States.Hash($$.Execution.Id, 'MD5')", '$hash($states.context.Execution.Id, "MD5")'),
        ("States.MathAdd($.n, 1)", "($states.input.n + 1)"),
        ("States.ArrayGetItem($.list, 0)", "$states.input.list[0]"),
        ("States.JsonToString($.doc)", "$string($states.input.doc)"),
        ("States.Array($.a, 'b', 3)", '[$states.input.a, "b", 3]'),
    ],
)
def test_jsonpath_values_translate_to_jsonata(jsonpath: str, expected: str) -> None:
    assert jsonata.expression(jsonpath) == expected


@pytest.mark.parametrize(
    "jsonpath", ["$.a[?(@.b == 1)]", "States.ArrayUnique($.a)", "States.Format('{} {}', $.a)", "States.Format($.a)"]
)
def test_untranslatable_values_are_refused(jsonpath: str) -> None:
    with pytest.raises(jsonata.TranslationError):
        jsonata.expression(jsonpath)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"Variable": "$.s", "StringEquals": "InService"}, '$states.input.s = "InService"'),
        ({"Variable": "$.n", "NumericLessThanEquals": 2.5}, "$states.input.n <= 2.5"),
        ({"Variable": "$.a", "StringEqualsPath": "$.b"}, "$states.input.a = $states.input.b"),
        (
            {"Variable": "$.c", "StringMatches": "*not found/x\\*y*"},
            "$contains($states.input.c, /^[\\s\\S]*not found\\/x\\*y[\\s\\S]*$/)",
        ),
        ({"Not": {"Variable": "$.v[0]", "IsPresent": True}}, "$not($exists($states.input.v[0]))"),
        (
            {"Or": [{"Variable": "$.s", "StringEquals": "A"}, {"Variable": "$.s", "StringEquals": "B"}]},
            '($states.input.s = "A" or $states.input.s = "B")',
        ),
    ],
)
def test_choice_rules_translate_to_conditions(rule: dict[str, Any], expected: str) -> None:
    assert jsonata.condition(rule) == expected


def test_result_path_becomes_a_merge_into_the_state() -> None:
    assert jsonata.assign(None, "$states.result") == "$states.input"
    assert jsonata.assign("$", "$states.result") == "$states.result"
    assert jsonata.assign("$.a.b", "1") == '$merge([$states.input, {"a": $merge([$states.input.a, {"b": 1}])}])'


def test_a_generated_state_finding_is_not_blamed_on_a_raw_step(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With a raw step in the machine, a finding in a state asl-gen generated (here a template override names the
    endpoint with 71 characters) is reported at the step that generated it, not at the raw step's states."""
    monkeypatch.chdir(tmp_path)
    overrides = tmp_path / "templates" / "sagemaker"
    overrides.mkdir(parents=True)
    long_name = "-".join(["evaluate-deploy"] * 4) + "-x"
    (overrides / "create-endpoint.json.j2").write_text(
        '{"EndpointName": '
        + json.dumps(long_name)
        + ', {{ field("EndpointConfigName", job.config_name) }}}\n'.replace(
            "{{ field", '{% from "macros.j2" import field %}{{ field'
        ),
        encoding="utf-8",
    )
    text = EXAMPLE.read_text()
    for before, after in (
        PAUSE_BEFORE_GATE,
        ("  score:\n", "  pause:\n    type: asl\n    states: {Pause: {Type: Wait, Seconds: 5}}\n  score:\n"),
    ):
        text = text.replace(before, after, 1)
    (tmp_path / "spec.yaml").write_text(text)
    result = CliRunner().invoke(
        main, ["build", "spec.yaml", "--out", str(tmp_path / "out"), "--templates", str(tmp_path / "templates")]
    )
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    endpoint = _position(text, "  endpoint:", "endpoint")
    assert any(
        line.startswith(
            f"spec.yaml:{endpoint}: jobs.endpoint: the state machine 'pipeline' asl-gen makes of "
            "this step is not valid: "
        )
        and "EndpointName is 65 characters long" in line
        for line in lines
    ), result.output
    assert not any("jobs.pause" in line for line in lines), result.output
    assert not (tmp_path / "out").exists()
