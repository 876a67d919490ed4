"""Retry, Catch, timeouts and the virtual clock in the simulator."""

from __future__ import annotations

from typing import Any

import pytest

from asl_gen.simulate import simulate_definition

LAMBDA = "arn:aws:states:::lambda:invoke"


def machine(task: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {
        "StartAt": "T",
        "States": {
            "T": {"Type": "Task", "Resource": LAMBDA, "Next": "Done", **task},
            "Done": {"Type": "Succeed"},
            "Caught": {"Type": "Pass", "End": True},
        },
        **top,
    }


def throws(error: str, times: int, then: Any = "ok") -> dict[str, Any]:
    responses: dict[str, Any] = {f"0-{times - 1}": {"Throw": {"Error": error, "Cause": "mocked"}}}
    responses[str(times)] = {"Return": then}
    return {"T": responses}


def test_retry_backs_off_on_the_virtual_clock_then_succeeds() -> None:
    retry = [{"ErrorEquals": ["Throttled"], "IntervalSeconds": 2, "BackoffRate": 3, "MaxAttempts": 3}]
    result = simulate_definition(machine({"Retry": retry}), {}, mocks=throws("Throttled", 3))
    assert result.status == "SUCCEEDED"
    assert [c.attempt for c in result.calls] == [0, 1, 2, 3]
    assert result.elapsed_seconds == 2 + 6 + 18


def test_retry_gives_up_after_max_attempts() -> None:
    retry = [{"ErrorEquals": ["Throttled"], "MaxAttempts": 2}]
    result = simulate_definition(machine({"Retry": retry}), {}, mocks=throws("Throttled", 5))
    assert (result.status, result.error) == ("FAILED", "Throttled")
    assert len(result.calls) == 3


def test_max_attempts_zero_never_retries() -> None:
    retry = [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 0}]
    result = simulate_definition(machine({"Retry": retry}), {}, mocks=throws("Throttled", 1))
    assert len(result.calls) == 1
    assert result.error == "Throttled"


def test_max_delay_caps_the_backoff() -> None:
    retry = [{"ErrorEquals": ["E"], "IntervalSeconds": 10, "BackoffRate": 10, "MaxAttempts": 3, "MaxDelaySeconds": 50}]
    result = simulate_definition(machine({"Retry": retry}), {}, mocks=throws("E", 3))
    assert result.elapsed_seconds == 10 + 50 + 50


def test_full_jitter_is_deterministic_for_a_seed_and_below_the_interval() -> None:
    retry = [{"ErrorEquals": ["E"], "IntervalSeconds": 100, "MaxAttempts": 1, "JitterStrategy": "FULL"}]
    first = simulate_definition(machine({"Retry": retry}), {}, mocks=throws("E", 1), seed=3)
    again = simulate_definition(machine({"Retry": retry}), {}, mocks=throws("E", 1), seed=3)
    other = simulate_definition(machine({"Retry": retry}), {}, mocks=throws("E", 1), seed=4)
    assert 0 <= first.elapsed_seconds < 100
    assert first.elapsed_seconds == again.elapsed_seconds
    assert first.elapsed_seconds != other.elapsed_seconds


def test_each_retrier_keeps_its_own_count_and_the_first_match_decides() -> None:
    retry = [
        {"ErrorEquals": ["A"], "MaxAttempts": 1, "IntervalSeconds": 1},
        {"ErrorEquals": ["States.ALL"], "MaxAttempts": 5, "IntervalSeconds": 1},
    ]
    mocks = {"T": {"0-1": {"Throw": {"Error": "A"}}, "2": {"Return": 1}}}
    result = simulate_definition(machine({"Retry": retry}), {}, mocks=mocks)
    # The second A matches the exhausted first retrier: no more retries, although States.ALL has some left.
    assert (result.error, len(result.calls)) == ("A", 2)


def test_catch_routes_to_its_next_with_the_error_output_at_result_path() -> None:
    catch = [{"ErrorEquals": ["Lambda.Unknown"], "ResultPath": "$.err", "Next": "Caught"}]
    result = simulate_definition(machine({"Catch": catch}), {"in": 1}, mocks=throws("Lambda.Unknown", 1))
    assert result.status == "SUCCEEDED"
    assert result.path == ["T", "Caught"]
    assert result.output == {"in": 1, "err": {"Error": "Lambda.Unknown", "Cause": "mocked"}}


def test_catch_default_result_path_replaces_the_input() -> None:
    catch = [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]
    result = simulate_definition(machine({"Catch": catch}), {"in": 1}, mocks=throws("X", 1))
    assert result.output == {"Error": "X", "Cause": "mocked"}


def test_retry_runs_before_catch() -> None:
    task = {
        "Retry": [{"ErrorEquals": ["X"], "MaxAttempts": 1}],
        "Catch": [{"ErrorEquals": ["X"], "Next": "Caught"}],
    }
    result = simulate_definition(machine(task), {}, mocks=throws("X", 5))
    assert len(result.calls) == 2
    assert result.path == ["T", "Caught"]


@pytest.mark.parametrize(
    ("equals", "error", "caught"),
    [
        (["States.ALL"], "Anything", True),
        (["States.TaskFailed"], "Lambda.Unknown", True),
        (["States.TaskFailed"], "States.Timeout", False),
        (["States.ALL"], "States.Timeout", True),
        (["Other"], "Anything", False),
        (["States.ALL"], "States.Runtime", False),
        (["States.Runtime"], "States.Runtime", False),
    ],
)
def test_error_name_matching(equals: list[str], error: str, caught: bool) -> None:
    catch = [{"ErrorEquals": equals, "Next": "Caught"}]
    result = simulate_definition(machine({"Catch": catch}), {}, mocks=throws(error, 1))
    assert (result.path == ["T", "Caught"]) is caught


def test_states_runtime_from_a_bad_path_is_not_caught_by_states_all() -> None:
    task = {"Parameters": {"x.$": "$.missing"}, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]}
    result = simulate_definition(machine(task), {}, mocks=throws("X", 1))
    assert (result.status, result.error, result.path) == ("FAILED", "States.Runtime", ["T"])


def test_result_path_match_failure_is_caught_by_its_name() -> None:
    task = {"ResultPath": "$.s.x", "Catch": [{"ErrorEquals": ["States.ResultPathMatchFailure"], "Next": "Caught"}]}
    result = simulate_definition(machine(task), {"s": "text"}, mocks={"T": {"0": {"Return": 1}}})
    assert result.path == ["T", "Caught"]


def test_task_timeout_on_the_virtual_clock() -> None:
    catch = [{"ErrorEquals": ["States.Timeout"], "Next": "Caught"}]
    mocks = {"T": {"0": {"Return": "late", "Duration": 500}}}
    result = simulate_definition(machine({"TimeoutSeconds": 60, "Catch": catch}), {}, mocks=mocks)
    assert result.path == ["T", "Caught"]
    assert result.elapsed_seconds == 60


def test_timeout_seconds_path_reads_the_input() -> None:
    mocks = {"T": {"0": {"Return": "ok", "Duration": 30}}}
    short = simulate_definition(machine({"TimeoutSecondsPath": "$.limit"}), {"limit": 10}, mocks=mocks)
    long = simulate_definition(machine({"TimeoutSecondsPath": "$.limit"}), {"limit": 100}, mocks=mocks)
    assert (short.error, long.status) == ("States.Timeout", "SUCCEEDED")


def test_heartbeat_timeout() -> None:
    mocks = {"T": {"0": {"Return": "ok", "Duration": 300}}}
    result = simulate_definition(machine({"TimeoutSeconds": 600, "HeartbeatSeconds": 120}), {}, mocks=mocks)
    assert (result.error, result.elapsed_seconds) == ("States.HeartbeatTimeout", 120)


def test_execution_timeout_gives_timed_out() -> None:
    definition = {
        "StartAt": "W",
        "TimeoutSeconds": 100,
        "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}},
    }
    result = simulate_definition(definition, {})
    assert (result.status, result.error, result.elapsed_seconds) == ("TIMED_OUT", "States.Timeout", 100)


def test_a_loop_waiting_for_a_status_ends_when_the_mock_says_so() -> None:
    definition = {
        "StartAt": "Describe",
        "States": {
            "Describe": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:sagemaker:describeEndpoint",
                "Next": "Ready?",
            },
            "Ready?": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.EndpointStatus", "StringEquals": "InService", "Next": "Done"}],
                "Default": "Wait",
            },
            "Wait": {"Type": "Wait", "Seconds": 60, "Next": "Describe"},
            "Done": {"Type": "Succeed"},
        },
    }
    mocks = {
        "Describe": {
            "0-2": {"Return": {"EndpointStatus": "Creating"}},
            "3": {"Return": {"EndpointStatus": "InService"}},
        }
    }
    result = simulate_definition(definition, {}, mocks=mocks)
    assert result.status == "SUCCEEDED"
    assert result.path.count("Wait") == 3
    assert result.elapsed_seconds == 180


def test_a_loop_that_never_ends_is_stopped() -> None:
    definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "A"}}}
    result = simulate_definition(definition, {})
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
