"""`retry: sagemaker` retries throttling and SageMaker's internal errors, not a request SageMaker refused.

Both come as `SageMaker.AmazonSageMakerException` (`asl_gen/plan/policy.py` says why), so the call catches that
name into a Choice on the cause (tests/cases/retries). Run here in asl-gen's simulator and in moto's interpreter.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest

from asl_gen.build import generate
from asl_gen.errors import Problem, SpecError
from asl_gen.simulate import SimulationResult, simulate_definition

CASE = Path(__file__).parent / "cases" / "retries" / "spec.yaml"
THROTTLED = {
    "Error": "SageMaker.AmazonSageMakerException",
    "Cause": "Rate exceeded (Service: AmazonSageMaker; Status Code: 400; Error Code: ThrottlingException; "
    "Request ID: 5d8e0c3e-0000-4000-8000-000000000000; Proxy: null)",
}
UNAVAILABLE = {
    "Error": "SageMaker.AmazonSageMakerException",
    "Cause": "Service Unavailable (Service: AmazonSageMaker; Status Code: 503; Error Code: ServiceUnavailable; "
    "Request ID: 5d8e0c3e-0000-4000-8000-000000000001; Proxy: null)",
}
REFUSED = {
    "Error": "SageMaker.AmazonSageMakerException",
    "Cause": "1 validation error detected: Value 'ml.m5.xlage' at 'resourceConfig.instanceType' failed to satisfy "
    "constraint (Service: AmazonSageMaker; Status Code: 400; Error Code: ValidationException; Request ID: "
    "5d8e0c3e-0000-4000-8000-000000000002; Proxy: null)",
}
TRAINED = {
    "TrainingJobName": "retries-train-1",
    "TrainingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:training-job/retries-train-1",
    "TrainingJobStatus": "Completed",
    "ModelArtifacts": {"S3ModelArtifacts": "s3://retries-data/models/retries-train-1/output/model.tar.gz"},
}
MODEL = {"ModelArn": "arn:aws:sagemaker:us-east-1:123456789012:model/retries-model-1"}


@functools.cache
def _definition(machine: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(generate(CASE).files[f"{machine}.asl.json"])
    return loaded


def _run(machine: str, train: list[dict[str, Any]]) -> SimulationResult:
    """Run `machine` with the training call answering `train` in turn (an error dict is thrown)."""

    def answer(response: dict[str, Any]) -> dict[str, Any]:
        return {"Throw": response} if set(response) == {"Error", "Cause"} else {"Return": response}

    calls = {str(i): answer(r) for i, r in enumerate(train)}
    mocks: dict[str, Any] = {
        "Train": {"0": calls.pop("0")},
        "model": {"0": {"Return": MODEL}},
        "Model Caught": {"0": {"Return": MODEL}},
        "Notify failure": {"0": {"Return": {"MessageId": "m-1"}}},
        "fallback": {"0": {"Return": {"MessageId": "m-2"}}},
    }
    if calls:
        mocks["Train: again"] = {str(int(i) - 1): a for i, a in calls.items()}
    return simulate_definition(_definition(machine), {}, mocks=mocks)


def _training_calls(result: SimulationResult) -> int:
    return len(result.calls_to("Train")) + len(result.calls_to("Train: again"))


@pytest.mark.parametrize("machine", ["notified", "notified-jsonata"])
@pytest.mark.parametrize("error", [THROTTLED, UNAVAILABLE], ids=["throttled", "503"])
def test_a_throttled_or_unavailable_call_waits_and_is_made_again(machine: str, error: dict[str, str]) -> None:
    result = _run(machine, [error, TRAINED])
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.path == ["Train", "Train: transient?", "Train: back off", "Train: again", "model"]
    assert _training_calls(result) == 2
    # The same request both times: the throttled call started no job, so its name is free.
    assert result.calls_to("Train")[0].parameters == result.calls_to("Train: again")[0].parameters
    # The error was kept in the call's own slot, which the result then replaced: no trace of it is left.
    assert result.output["train"]["ModelDataUrl"] == TRAINED["ModelArtifacts"]["S3ModelArtifacts"]
    assert "Error" not in result.output and "Cause" not in json.dumps(result.output)
    assert result.elapsed_seconds >= 5


@pytest.mark.parametrize("machine", ["notified", "notified-jsonata"])
def test_a_refused_request_is_not_retried_and_the_notification_reports_its_own_error(machine: str) -> None:
    result = _run(machine, [REFUSED])
    assert (result.status, result.error, result.cause) == ("FAILED", REFUSED["Error"], REFUSED["Cause"])
    assert result.path == ["Train", "Train: transient?", "Train: refused", "Notify failure", "Failed"]
    assert _training_calls(result) == 1
    message = result.calls_to("Notify failure")[0].parameters["Message"]
    assert REFUSED["Error"] in message and "ValidationException" in message


def test_throttling_again_on_the_second_call_is_retried_by_its_rule_then_fails_with_its_error() -> None:
    result = _run("notified", [THROTTLED] * 6)
    assert (result.status, result.error, result.cause) == ("FAILED", THROTTLED["Error"], THROTTLED["Cause"])
    # The first call, then the copy and its 3 retries: 5 attempts, as botocore's standard mode makes.
    assert _training_calls(result) == 5
    assert result.path[-2:] == ["Notify failure", "Failed"]


def test_without_a_handler_a_refused_request_fails_the_run_with_its_own_error_and_cause() -> None:
    result = _run("bare", [REFUSED])
    assert (result.status, result.error, result.cause) == ("FAILED", REFUSED["Error"], REFUSED["Cause"])
    assert result.path == ["Train", "Train: transient?", "Train: refused"]
    assert _definition("bare")["States"]["Train: refused"]["Type"] == "Fail"


def test_a_refused_request_goes_to_the_steps_own_catch_with_the_error_under_error() -> None:
    refused_model = {"Model Caught": {"0": {"Throw": REFUSED}}}
    result = simulate_definition(
        _definition("caught"),
        {},
        mocks={
            "Train": {"0": {"Return": TRAINED}},
            **refused_model,
            "fallback": {"0": {"Return": {"MessageId": "m-2"}}},
        },
    )
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.path == ["Train", "Model Caught", "Model Caught: transient?", "Model Caught: refused", "fallback"]
    assert result.output["Error"] == REFUSED
    assert len(result.calls_to("Model Caught")) == 1


def test_the_rules_each_call_gets() -> None:
    states = _definition("notified")["States"]
    train, again = states["Train"], states["Train: again"]
    # The first call retries only a full quota; SageMaker's base exception goes to the Choice, in the call's slot.
    assert [r["ErrorEquals"] for r in train["Retry"]] == [["SageMaker.ResourceLimitExceededException"]]
    assert train["Catch"][0] == {
        "ErrorEquals": ["SageMaker.AmazonSageMakerException", "SageMaker.SageMakerException"],
        "ResultPath": "$.train",
        "Next": "Train: transient?",
    }
    assert train["Catch"][-1]["Next"] == again["Catch"][-1]["Next"] == "Notify failure"
    service = again["Retry"][0]
    assert service["ErrorEquals"] == ["SageMaker.AmazonSageMakerException", "SageMaker.SageMakerException"]
    assert (service["IntervalSeconds"], service["MaxAttempts"], service["MaxDelaySeconds"]) == (10, 3, 60)
    assert service["JitterStrategy"] == "FULL"
    assert {k: v for k, v in train.items() if k not in ("Comment", "Retry", "Catch")} == {
        k: v for k, v in again.items() if k not in ("Comment", "Retry", "Catch")
    }
    # Nothing a retry cannot fix is retried by either call.
    errors = {e for state in (train, again) for rule in state["Retry"] for e in rule["ErrorEquals"]}
    assert not errors & {"States.TaskFailed", "States.ALL", "SageMaker.ResourceInUseException"}
    # The lookup of the model's call has the same loop; a call that is not SageMaker's has none.
    assert "model: transient?" in states and "Notify failure: transient?" not in states


def test_the_steps_own_retry_rules_get_no_loop(tmp_path: Path) -> None:
    spec = CASE.read_text(encoding="utf-8").replace(
        "    output: s3://retries-data/models\n",
        "    output: s3://retries-data/models\n    retry:\n      - errors: [SageMaker.AmazonSageMakerException]\n",
        1,
    )
    assert spec != CASE.read_text(encoding="utf-8")
    own = tmp_path / "spec.yaml"
    own.write_text(spec, encoding="utf-8")
    states = json.loads(generate(own).files["notified.asl.json"])["States"]
    assert "Train: transient?" not in states and "model: transient?" in states
    assert states["Train"]["Retry"][0]["ErrorEquals"] == ["SageMaker.AmazonSageMakerException"]


def _build(tmp_path: Path, text: str, machine: str) -> tuple[dict[str, Any], Problem | None]:
    """The states of `machine` built from the spec `text`, or the one problem the spec is refused with."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    try:
        files = generate(spec).files
    except SpecError as error:
        [problem] = error.problems
        return {}, problem
    states: dict[str, Any] = json.loads(files[f"{machine}.asl.json"])["States"]
    return states, None


@pytest.mark.parametrize(
    ("retry", "length", "refused"),
    [("sagemaker", 69, True), ("sagemaker", 68, False), ("none", 80, False)],
    ids=["69-with-preset", "68-with-preset", "80-without"],
)
def test_the_loops_state_names_count_in_the_state_name_limit(
    tmp_path: Path, retry: str, length: int, refused: bool
) -> None:
    name = "T" * length
    text = CASE.read_text(encoding="utf-8").replace("state_name: Train", f"state_name: {name}", 1)
    text = text.replace("    retry: sagemaker\n", f"    retry: {retry}\n")
    states, problem = _build(tmp_path, text, "notified")
    if not refused:
        assert max(map(len, states)) <= 80 and (f"{name}: transient?" in states) == (retry == "sagemaker")
        return
    assert problem is not None and problem.pointer == "jobs.train.state_name" and problem.line is not None
    assert f"'{name}: transient?', 81 characters" in problem.message
    assert problem.hint == "give the job a state_name of at most 68 characters"


@pytest.mark.parametrize(("length", "refused"), [(61, True), (60, False)])
def test_a_lookups_loop_names_count_in_the_limit_too(tmp_path: Path, length: int, refused: bool) -> None:
    # A model step in a machine that did not run the training job looks the job up: `Look up <state name>`, and
    # with `retry: sagemaker` that call's loop adds `Look up <state name>: transient?`.
    name = "T" * length
    text = CASE.read_text(encoding="utf-8").replace("state_name: Train", f"state_name: {name}\n    name: fixed-job", 1)
    text += "  lookup:\n    steps: [model]\n    retry: sagemaker\n"
    states, problem = _build(tmp_path, text, "lookup")
    if not refused:
        assert f"Look up {name}: transient?" in states and max(map(len, states)) == 80
        return
    assert problem is not None and problem.pointer == "state_machines.lookup.steps.0" and problem.line is not None
    assert f"'Look up {name}: transient?', 81 characters" in problem.message
    assert problem.hint == "give job 'train' a state_name of at most 60 characters"
