"""Every state type in the simulator: Choice (each operator), Wait, Succeed, Fail, Parallel, Map, and JSONata."""

from __future__ import annotations

from typing import Any

import pytest

from asl_gen.errors import UsageError
from asl_gen.simulate import simulate_definition

LAMBDA = "arn:aws:states:::lambda:invoke"


def choice(rule: dict[str, Any]) -> dict[str, Any]:
    return {
        "StartAt": "C",
        "States": {
            "C": {"Type": "Choice", "Choices": [{**rule, "Next": "Yes"}], "Default": "No"},
            "Yes": {"Type": "Succeed"},
            "No": {"Type": "Succeed"},
        },
    }


DATA = {
    "s": "report-2024.csv",
    "n": 5,
    "f": 2.5,
    "b": True,
    "z": None,
    "t": "2025-03-01T12:00:00Z",
    "t2": "2025-03-01T13:00:00+01:00",
    "other": 5,
    "word": "apple",
}


@pytest.mark.parametrize(
    ("rule", "taken"),
    [
        ({"Variable": "$.s", "StringEquals": "report-2024.csv"}, "Yes"),
        ({"Variable": "$.s", "StringEquals": "x"}, "No"),
        ({"Variable": "$.word", "StringLessThan": "banana"}, "Yes"),
        ({"Variable": "$.word", "StringGreaterThan": "banana"}, "No"),
        ({"Variable": "$.word", "StringLessThanEquals": "apple"}, "Yes"),
        ({"Variable": "$.word", "StringGreaterThanEquals": "apple"}, "Yes"),
        ({"Variable": "$.s", "StringMatches": "report-*.csv"}, "Yes"),
        ({"Variable": "$.s", "StringMatches": "report-\\*.csv"}, "No"),
        ({"Variable": "$.n", "NumericEquals": 5}, "Yes"),
        ({"Variable": "$.n", "NumericEquals": 5.0}, "Yes"),
        ({"Variable": "$.f", "NumericLessThan": 3}, "Yes"),
        ({"Variable": "$.f", "NumericGreaterThan": 3}, "No"),
        ({"Variable": "$.n", "NumericLessThanEquals": 5}, "Yes"),
        ({"Variable": "$.n", "NumericGreaterThanEquals": 6}, "No"),
        ({"Variable": "$.s", "NumericEquals": 5}, "No"),
        ({"Variable": "$.b", "BooleanEquals": True}, "Yes"),
        ({"Variable": "$.n", "BooleanEquals": True}, "No"),
        ({"Variable": "$.t", "TimestampEquals": "2025-03-01T12:00:00Z"}, "Yes"),
        ({"Variable": "$.t", "TimestampEqualsPath": "$.t2"}, "Yes"),
        ({"Variable": "$.t", "TimestampLessThan": "2025-03-01T12:00:01Z"}, "Yes"),
        ({"Variable": "$.t", "TimestampGreaterThan": "2025-03-01T12:00:01Z"}, "No"),
        ({"Variable": "$.t", "TimestampLessThanEquals": "2025-03-01T12:00:00Z"}, "Yes"),
        ({"Variable": "$.t", "TimestampGreaterThanEquals": "2026-01-01T00:00:00Z"}, "No"),
        ({"Variable": "$.n", "NumericEqualsPath": "$.other"}, "Yes"),
        ({"Variable": "$.n", "NumericLessThanPath": "$.other"}, "No"),
        ({"Variable": "$.n", "NumericGreaterThanPath": "$.f"}, "Yes"),
        ({"Variable": "$.n", "NumericLessThanEqualsPath": "$.other"}, "Yes"),
        ({"Variable": "$.n", "NumericGreaterThanEqualsPath": "$.other"}, "Yes"),
        ({"Variable": "$.word", "StringEqualsPath": "$.word"}, "Yes"),
        ({"Variable": "$.word", "StringLessThanPath": "$.s"}, "Yes"),
        ({"Variable": "$.word", "StringGreaterThanPath": "$.s"}, "No"),
        ({"Variable": "$.word", "StringLessThanEqualsPath": "$.word"}, "Yes"),
        ({"Variable": "$.word", "StringGreaterThanEqualsPath": "$.s"}, "No"),
        ({"Variable": "$.b", "BooleanEqualsPath": "$.b"}, "Yes"),
        ({"Variable": "$.t", "TimestampLessThanPath": "$.t2"}, "No"),
        ({"Variable": "$.t", "TimestampGreaterThanPath": "$.t2"}, "No"),
        ({"Variable": "$.t", "TimestampLessThanEqualsPath": "$.t2"}, "Yes"),
        ({"Variable": "$.t", "TimestampGreaterThanEqualsPath": "$.t2"}, "Yes"),
        ({"Variable": "$.z", "IsNull": True}, "Yes"),
        ({"Variable": "$.n", "IsNull": True}, "No"),
        ({"Variable": "$.missing", "IsPresent": False}, "Yes"),
        ({"Variable": "$.n", "IsPresent": True}, "Yes"),
        ({"Variable": "$.n", "IsNumeric": True}, "Yes"),
        ({"Variable": "$.b", "IsNumeric": True}, "No"),
        ({"Variable": "$.s", "IsString": True}, "Yes"),
        ({"Variable": "$.b", "IsBoolean": True}, "Yes"),
        ({"Variable": "$.t", "IsTimestamp": True}, "Yes"),
        ({"Variable": "$.s", "IsTimestamp": True}, "No"),
        ({"And": [{"Variable": "$.n", "NumericEquals": 5}, {"Variable": "$.b", "BooleanEquals": True}]}, "Yes"),
        ({"And": [{"Variable": "$.n", "NumericEquals": 5}, {"Variable": "$.b", "BooleanEquals": False}]}, "No"),
        ({"Or": [{"Variable": "$.n", "NumericEquals": 4}, {"Variable": "$.b", "BooleanEquals": True}]}, "Yes"),
        ({"Not": {"Variable": "$.n", "NumericEquals": 4}}, "Yes"),
    ],
)
def test_choice_operators(rule: dict[str, Any], taken: str) -> None:
    result = simulate_definition(choice(rule), DATA)
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.path == ["C", taken]


def test_choice_on_a_missing_variable_fails_with_states_runtime() -> None:
    result = simulate_definition(choice({"Variable": "$.missing", "NumericEquals": 1}), DATA)
    assert result.error == "States.Runtime"


def test_choice_without_default_and_no_match_fails_with_states_runtime() -> None:
    definition = choice({"Variable": "$.n", "NumericEquals": 1})
    del definition["States"]["C"]["Default"]
    result = simulate_definition(definition, DATA)
    assert (result.status, result.error, result.path) == ("FAILED", "States.Runtime", ["C"])


def test_choice_rule_assign_applies_only_for_the_matched_rule() -> None:
    definition = {
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.n", "NumericGreaterThan": 1, "Next": "Out", "Assign": {"big": True}}],
                "Default": "Out",
                "Assign": {"big": False},
            },
            "Out": {"Type": "Pass", "Parameters": {"big.$": "$big"}, "End": True},
        },
    }
    assert simulate_definition(definition, {"n": 5}).output == {"big": True}
    assert simulate_definition(definition, {"n": 0}).output == {"big": False}


def test_wait_seconds_and_seconds_path_advance_the_virtual_clock() -> None:
    definition = {
        "StartAt": "W1",
        "States": {
            "W1": {"Type": "Wait", "Seconds": 3600, "Next": "W2"},
            "W2": {"Type": "Wait", "SecondsPath": "$.delay", "Next": "Done"},
            "Done": {"Type": "Pass", "Parameters": {"at.$": "$$.State.EnteredTime"}, "End": True},
        },
    }
    result = simulate_definition(definition, {"delay": 90})
    assert result.elapsed_seconds == 3690
    assert result.output == {"at": "2025-01-01T01:01:30.000Z"}


def test_wait_timestamp_waits_until_then_and_not_for_a_past_time() -> None:
    definition = {
        "StartAt": "W",
        "States": {
            "W": {"Type": "Wait", "TimestampPath": "$.until", "Next": "Again"},
            "Again": {"Type": "Wait", "Timestamp": "2024-01-01T00:00:00Z", "End": True},
        },
    }
    result = simulate_definition(definition, {"until": "2025-01-02T00:00:00Z"})
    assert result.elapsed_seconds == 86400


def test_wait_with_a_bad_timestamp_fails() -> None:
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "TimestampPath": "$.t", "End": True}}}
    assert simulate_definition(definition, {"t": "yesterday"}).error == "States.Runtime"


def test_succeed_applies_input_and_output_path() -> None:
    definition = {"StartAt": "S", "States": {"S": {"Type": "Succeed", "InputPath": "$.a", "OutputPath": "$.b"}}}
    assert simulate_definition(definition, {"a": {"b": 7}}).output == 7


def test_fail_state_error_and_cause() -> None:
    definition = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Custom.Bad", "Cause": "because"}}}
    result = simulate_definition(definition, {})
    assert (result.status, result.error, result.cause, result.output) == ("FAILED", "Custom.Bad", "because", None)


def test_parallel_outputs_each_branch_in_order_and_takes_the_slowest_branch_time() -> None:
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "Slow", "States": {"Slow": {"Type": "Wait", "Seconds": 50, "End": True}}},
                    {
                        "StartAt": "Fast",
                        "States": {"Fast": {"Type": "Pass", "Parameters": {"v.$": "$.x"}, "End": True}},
                    },
                ],
                "ResultPath": "$.branches",
                "End": True,
            }
        },
    }
    result = simulate_definition(definition, {"x": 1})
    assert result.output == {"x": 1, "branches": [{"x": 1}, {"v": 1}]}
    assert result.elapsed_seconds == 50
    assert result.path == ["P", "Slow", "Fast"]


def test_parallel_branch_failure_fails_the_state_and_catch_sees_the_branch_error() -> None:
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [{"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Branch.Boom"}}}],
                "Catch": [{"ErrorEquals": ["Branch.Boom"], "ResultPath": "$.error", "Next": "Handled"}],
                "End": True,
            },
            "Handled": {"Type": "Succeed"},
        },
    }
    result = simulate_definition(definition, {"x": 1})
    assert result.path == ["P", "F", "Handled"]
    assert result.output == {"x": 1, "error": {"Error": "Branch.Boom", "Cause": None}}


def test_branches_read_outer_variables() -> None:
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Assign": {"outer": 5}, "Next": "P"},
            "P": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "B", "States": {"B": {"Type": "Pass", "Parameters": {"o.$": "$outer"}, "End": True}}}
                ],
                "End": True,
            },
        },
    }
    assert simulate_definition(definition, {}).output == [{"o": 5}]


def map_state(**fields: Any) -> dict[str, Any]:
    return {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "Double",
                    "States": {
                        "Double": {
                            "Type": "Task",
                            "Resource": LAMBDA,
                            "Parameters": {"n.$": "$.n", "i.$": "$.i"},
                            "ResultSelector": {"n.$": "$.Payload"},
                            "End": True,
                        }
                    },
                },
                "End": True,
                **fields,
            }
        },
    }


def test_inline_map_runs_each_item_with_item_selector_and_context() -> None:
    definition = map_state(ItemsPath="$.items", ItemSelector={"n.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index"})
    mocks = {
        "Double": {"0": {"Return": {"Payload": 2}}, "1": {"Return": {"Payload": 4}}, "2": {"Return": {"Payload": 6}}}
    }
    result = simulate_definition(definition, {"items": [1, 2, 3]}, mocks=mocks)
    assert result.output == [{"n": 2}, {"n": 4}, {"n": 6}]
    assert [c.parameters for c in result.calls] == [{"n": 1, "i": 0}, {"n": 2, "i": 1}, {"n": 3, "i": 2}]


def test_map_concurrency_decides_the_virtual_time() -> None:
    mocks = {"Double": {"0": {"Return": {"Payload": 0}, "Duration": 10}}}
    items = {"items": [{"n": i, "i": i} for i in range(4)]}
    serial = simulate_definition(map_state(ItemsPath="$.items", MaxConcurrency=1), items, mocks=mocks)
    two = simulate_definition(map_state(ItemsPath="$.items", MaxConcurrency=2), items, mocks=mocks)
    unlimited = simulate_definition(map_state(ItemsPath="$.items"), items, mocks=mocks)
    assert (serial.elapsed_seconds, two.elapsed_seconds, unlimited.elapsed_seconds) == (40, 20, 10)


def test_map_over_something_not_an_array_fails() -> None:
    result = simulate_definition(map_state(ItemsPath="$.items"), {"items": {"not": "an array"}})
    assert result.error == "States.QueryEvaluationError"


def test_an_inline_map_iteration_failure_fails_the_map() -> None:
    mocks = {"Double": {"0": {"Return": {"Payload": 1}}, "1": {"Throw": {"Error": "Lambda.Unknown", "Cause": "x"}}}}
    result = simulate_definition(map_state(), [{"n": 1, "i": 0}, {"n": 2, "i": 1}], mocks=mocks)
    assert (result.status, result.error) == ("FAILED", "Lambda.Unknown")


def distributed(**fields: Any) -> dict[str, Any]:
    definition = map_state(**fields)
    definition["States"]["M"]["ItemProcessor"]["ProcessorConfig"] = {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
    return definition


def test_distributed_map_reads_items_from_the_reader_mock() -> None:
    definition = distributed(
        ItemReader={
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
            "Parameters": {"Bucket": "b", "Key.$": "$.key"},
        },
        ItemSelector={"n.$": "$$.Map.Item.Value.n", "i.$": "$$.Map.Item.Index"},
    )
    mocks = {"M": {"0": {"Return": "n\n1\n2\n"}}, "Double": {"0": {"Return": {"Payload": "done"}}}}
    result = simulate_definition(definition, {"key": "items.csv"}, mocks=mocks)
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.calls[0].parameters == {"Bucket": "b", "Key": "items.csv"}
    assert [c.parameters for c in result.calls[1:]] == [{"n": "1", "i": 0}, {"n": "2", "i": 1}]


def test_distributed_map_children_cannot_see_outer_variables() -> None:
    definition = distributed(ItemSelector={"n.$": "$outer", "i": 0})
    definition["States"] = {
        "A": {"Type": "Pass", "Assign": {"outer": 1}, "Next": "M"},
        "M": definition["States"]["M"],
    }
    definition["StartAt"] = "A"
    definition["States"]["M"]["ItemProcessor"]["States"]["Double"]["Parameters"] = {"n.$": "$outer"}
    mocks = {"Double": {"0": {"Return": {"Payload": 0}}}}
    result = simulate_definition(definition, [1], mocks=mocks)
    # The ItemSelector runs in the parent and may read it; the child state may not, and a failed child
    # fails a distributed Map (no failures tolerated) as a whole.
    assert result.error == "States.ExceedToleratedFailureThreshold"
    assert "States.Runtime" in (result.cause or "")
    assert "$outer" in (result.cause or "")


def test_distributed_map_tolerates_failures_up_to_the_threshold() -> None:
    mocks = {"Double": {"0": {"Throw": {"Error": "Boom"}}, "1-3": {"Return": {"Payload": 1}}}}
    items = [{"n": i, "i": i} for i in range(4)]
    tolerated = simulate_definition(distributed(ToleratedFailureCount=1), items, mocks=mocks)
    assert tolerated.status == "SUCCEEDED"
    assert tolerated.output[0] == {"Error": "Boom", "Cause": None}
    strict = simulate_definition(distributed(ToleratedFailurePercentage=10), items, mocks=mocks)
    assert strict.error == "States.ExceedToleratedFailureThreshold"


def test_item_batcher_groups_items() -> None:
    definition = distributed(ItemBatcher={"MaxItemsPerBatch": 2, "BatchInput": {"tag": "t"}})
    definition["States"]["M"]["ItemProcessor"]["States"]["Double"]["Parameters"] = {"items.$": "$.Items"}
    result = simulate_definition(definition, [1, 2, 3], mocks={"Double": {"0": {"Return": {"Payload": 0}}}})
    assert [c.parameters for c in result.calls] == [{"items": [1, 2]}, {"items": [3]}]


def test_legacy_iterator_and_parameters_still_run() -> None:
    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "Parameters": {"v.$": "$$.Map.Item.Value"},
                "Iterator": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                "End": True,
            }
        },
    }
    assert simulate_definition(definition, ["a", "b"]).output == [{"v": "a"}, {"v": "b"}]


def test_the_trace_lists_states_in_the_order_entered_with_their_virtual_times() -> None:
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 5, "End": True}}}],
                "Next": "After",
            },
            "After": {"Type": "Pass", "End": True},
        },
    }
    result = simulate_definition(definition, {"a": 1})
    assert [(s.state, s.entered, s.left) for s in result.trace] == [("P", 0, 5), ("W", 0, 5), ("After", 5, 5)]
    assert result.trace[0].output == [{"a": 1}]


def test_a_distributed_map_reader_without_a_mock_names_the_map() -> None:
    definition = distributed(ItemReader={"Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Bucket": "b"}})
    with pytest.raises(UsageError) as caught:
        simulate_definition(definition, {})
    assert "ItemReader of Map state 'M'" in caught.value.problems[0].format()


def test_a_fail_state_without_error_fails_with_no_error_name_and_states_all_catches_it() -> None:
    bare = {"StartAt": "F", "States": {"F": {"Type": "Fail"}}}
    result = simulate_definition(bare, {})
    assert (result.status, result.error, result.cause) == ("FAILED", None, None)
    caught = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [bare],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}],
                "End": True,
            },
            "Done": {"Type": "Succeed"},
        },
    }
    assert simulate_definition(caught, {}).path == ["P", "F", "Done"]


def test_a_map_with_a_result_writer_returns_where_the_results_went() -> None:
    definition = distributed(
        ResultWriter={"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "out", "Prefix": "runs"}},
        ItemsPath="$.items",
        ResultPath="$.written",
    )
    items = {"items": [{"n": 1, "i": 0}]}
    result = simulate_definition(definition, items, mocks={"Double": {"Return": {"Payload": 1}}})
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    details = result.output["written"]["ResultWriterDetails"]
    assert details["Bucket"] == "out"
    assert details["Key"].startswith("runs/") and details["Key"].endswith("/manifest.json")


@pytest.mark.parametrize(
    ("stamp", "is_timestamp"),
    [
        ("2025-01-01T00:00:00Z", True),
        ("2025-01-01T00:00:00.5Z", True),
        ("2025-01-01T01:00:00.123456789+01:00", True),
        ("2025-01-01t00:00:00z", False),
        ("2025-01-01T00:00:00", False),
        ("2025-02-30T00:00:00Z", False),
    ],
)
def test_is_timestamp_follows_rfc_3339_with_uppercase_t_and_z(stamp: str, is_timestamp: bool) -> None:
    result = simulate_definition(choice({"Variable": "$.t", "IsTimestamp": True}), {"t": stamp})
    assert result.path[-1] == ("Yes" if is_timestamp else "No")


@pytest.mark.parametrize(
    "state",
    [
        {"Type": "Choice", "Choices": "not a list", "Default": "X"},
        {
            "Type": "Task",
            "Resource": "r",
            "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": "many"}],
            "End": True,
        },
        {"Type": "Parallel", "Branches": [{"States": {}}], "End": True},
        {"Type": "Nope", "End": True},
    ],
)
def test_a_malformed_definition_is_a_located_validation_failure_not_a_traceback(state: dict[str, Any]) -> None:
    from asl_gen.errors import ValidationFailure

    mocks = {"S": {"Throw": {"Error": "E"}}}
    with pytest.raises(ValidationFailure) as caught:
        simulate_definition({"StartAt": "S", "States": {"S": state}}, {}, mocks=mocks)
    message = caught.value.problems[0].format()
    assert "$.States.S" in message
