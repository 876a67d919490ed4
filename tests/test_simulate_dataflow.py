"""The JSONPath data flow of the simulator: InputPath → Parameters → ResultSelector → ResultPath → OutputPath."""

from __future__ import annotations

from typing import Any

import pytest

from asl_gen.simulate import simulate_definition


def task(**fields: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True, **fields}


def one(state: dict[str, Any]) -> dict[str, Any]:
    return {"StartAt": "S", "States": {"S": state}}


RESULT = {"Payload": {"score": 0.9, "label": "good"}, "StatusCode": 200}
MOCKS = {"S": {"0": {"Return": RESULT}}}
INPUT = {"job": {"name": "j1", "size": 3}, "keep": True}


def test_default_result_path_replaces_the_input_with_the_result() -> None:
    result = simulate_definition(one(task()), INPUT, mocks=MOCKS)
    assert result.status == "SUCCEEDED"
    assert result.output == RESULT


def test_input_path_selects_what_parameters_see() -> None:
    state = task(InputPath="$.job", Parameters={"Name.$": "$.name", "Fixed": 1})
    result = simulate_definition(one(state), INPUT, mocks=MOCKS)
    assert result.calls[0].parameters == {"Name": "j1", "Fixed": 1}


def test_parameters_reach_into_lists_and_nested_objects() -> None:
    state = task(Parameters={"Items": [{"N.$": "$.job.size"}, "plain"], "Deep": {"K.$": "$.keep"}})
    result = simulate_definition(one(state), INPUT, mocks=MOCKS)
    assert result.calls[0].parameters == {"Items": [{"N": 3}, "plain"], "Deep": {"K": True}}


def test_result_selector_then_result_path_merge_into_the_raw_input() -> None:
    state = task(InputPath="$.job", ResultSelector={"Score.$": "$.Payload.score"}, ResultPath="$.out.model")
    result = simulate_definition(one(state), INPUT, mocks=MOCKS)
    # ResultPath writes into the state's raw input, not into what InputPath selected.
    assert result.output == {**INPUT, "out": {"model": {"Score": 0.9}}}


def test_result_path_null_keeps_the_input_and_discards_the_result() -> None:
    result = simulate_definition(one(task(ResultPath=None)), INPUT, mocks=MOCKS)
    assert result.output == INPUT


def test_output_path_picks_part_of_the_combined_output() -> None:
    result = simulate_definition(one(task(ResultPath="$.r", OutputPath="$.r.Payload.label")), INPUT, mocks=MOCKS)
    assert result.output == "good"


def test_input_path_null_gives_an_empty_object() -> None:
    state = {"Type": "Pass", "InputPath": None, "End": True}
    assert simulate_definition(one(state), INPUT).output == {}


def test_output_path_null_gives_an_empty_object() -> None:
    state = {"Type": "Pass", "OutputPath": None, "End": True}
    assert simulate_definition(one(state), INPUT).output == {}


def test_a_missing_parameter_path_fails_with_states_runtime() -> None:
    result = simulate_definition(one(task(Parameters={"X.$": "$.nope"})), INPUT, mocks=MOCKS)
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
    assert "$.nope" in (result.cause or "")
    assert result.calls == []


def test_result_path_through_a_string_fails_with_result_path_match_failure() -> None:
    result = simulate_definition(one(task(ResultPath="$.keep.inner")), {"keep": "text"}, mocks=MOCKS)
    assert result.error == "States.ResultPathMatchFailure"


def test_context_object_gives_execution_state_and_task_fields() -> None:
    state = task(
        Parameters={
            "Input.$": "$$.Execution.Input.job.name",
            "State.$": "$$.State.Name",
            "Machine.$": "$$.StateMachine.Name",
            "Retry.$": "$$.State.RetryCount",
            "Token.$": "$$.Task.Token",
            "Start.$": "$$.Execution.StartTime",
        }
    )
    result = simulate_definition(one(state), INPUT, mocks=MOCKS, machine_name="demo")
    params = result.calls[0].parameters
    assert params["Input"] == "j1"
    assert params["State"] == "S"
    assert params["Machine"] == "demo"
    assert params["Retry"] == 0
    assert params["Token"]
    assert params["Start"].endswith("Z")


def test_pass_result_parameters_and_result_path() -> None:
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Result": {"x": 1}, "ResultPath": "$.a", "Next": "B"},
            "B": {"Type": "Pass", "Parameters": {"sum.$": "States.MathAdd($.a.x, 41)"}, "End": True},
        },
    }
    result = simulate_definition(definition, {"y": 2})
    assert result.path == ["A", "B"]
    assert result.output == {"sum": 42}


def test_wildcard_and_filter_paths_give_lists() -> None:
    data = {"items": [{"n": 1, "ok": True}, {"n": 2, "ok": False}, {"n": 3, "ok": True}]}
    state = {
        "Type": "Pass",
        "Parameters": {"all.$": "$.items[*].n", "ok.$": "$.items[?(@.ok == true)].n", "deep.$": "$..n"},
        "End": True,
    }
    assert simulate_definition(one(state), data).output == {"all": [1, 2, 3], "ok": [1, 3], "deep": [1, 2, 3]}


def test_variables_are_assigned_after_the_state_and_read_later() -> None:
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Assign": {"x": 1, "y.$": "$.v"}, "Next": "B"},
            "B": {"Type": "Pass", "Assign": {"x.$": "$y", "y.$": "$x"}, "Next": "C"},
            "C": {"Type": "Pass", "Parameters": {"x.$": "$x", "y.$": "$y"}, "End": True},
        },
    }
    # B swaps: both sides read the values B was entered with.
    assert simulate_definition(definition, {"v": 2}).output == {"x": 2, "y": 1}


def test_task_assign_reads_the_selected_result() -> None:
    state = task(ResultSelector={"s.$": "$.Payload.score"}, Assign={"score.$": "$.s"}, Next="B")
    del state["End"]
    definition = {
        "StartAt": "S",
        "States": {"S": state, "B": {"Type": "Pass", "Parameters": {"v.$": "$score"}, "End": True}},
    }
    assert simulate_definition(definition, {}, mocks=MOCKS).output == {"v": 0.9}


def test_an_unassigned_variable_fails_with_states_runtime() -> None:
    state = {"Type": "Pass", "Parameters": {"v.$": "$nothing"}, "End": True}
    assert simulate_definition(one(state), {}).error == "States.Runtime"


@pytest.mark.parametrize("size", [300 * 1024])
def test_an_output_over_256_kib_fails_with_data_limit_exceeded(size: int) -> None:
    mocks = {"S": {"0": {"Return": {"blob": "x" * size}}}}
    result = simulate_definition(one(task()), {}, mocks=mocks)
    assert (result.status, result.error) == ("FAILED", "States.DataLimitExceeded")


def test_data_limit_is_not_caught_by_states_all() -> None:
    state = task(Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Caught"}], Next="Done")
    del state["End"]
    definition = {
        "StartAt": "S",
        "States": {"S": state, "Caught": {"Type": "Succeed"}, "Done": {"Type": "Succeed"}},
    }
    result = simulate_definition(definition, {}, mocks={"S": {"0": {"Return": "y" * (257 * 1024)}}})
    assert result.error == "States.DataLimitExceeded"
    assert result.path == ["S"]


def branch(name: str, state: dict[str, Any]) -> dict[str, Any]:
    return {"StartAt": name, "States": {name: state}}


def test_sibling_branches_cannot_read_each_others_variables_and_nothing_leaks_out() -> None:
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    branch("Set", {"Type": "Pass", "Assign": {"inner": 1}, "End": True}),
                    branch("Read", {"Type": "Wait", "Seconds": 1, "End": True}),
                ],
                "Next": "After",
            },
            "After": {"Type": "Pass", "Parameters": {"v.$": "$inner"}, "End": True},
        },
    }
    result = simulate_definition(definition, {})
    # The branch's variable is gone once the branch ends: only Output carries data out of a scope.
    assert (result.error, result.path[-1]) == ("States.Runtime", "After")


def test_a_catcher_on_a_parallel_assigns_in_the_outer_scope() -> None:
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [branch("F", {"Type": "Fail", "Error": "Boom", "Cause": "c"})],
                "Catch": [{"ErrorEquals": ["Boom"], "Assign": {"failed.$": "$.Error"}, "Next": "After"}],
                "End": True,
            },
            "After": {"Type": "Pass", "Parameters": {"v.$": "$failed"}, "End": True},
        },
    }
    assert simulate_definition(definition, {}).output == {"v": "Boom"}


def test_map_iterations_each_get_their_own_variables() -> None:
    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "Set",
                    "States": {
                        "Set": {"Type": "Pass", "Assign": {"mine.$": "$"}, "Next": "Get"},
                        "Get": {"Type": "Pass", "Parameters": {"v.$": "$mine"}, "End": True},
                    },
                },
                "End": True,
            }
        },
    }
    assert simulate_definition(definition, ["a", "b"]).output == [{"v": "a"}, {"v": "b"}]


def test_length_function_of_step_functions_jsonpath() -> None:
    state = {"Type": "Pass", "Parameters": {"n.$": "$.items.length()", "k.$": "$.obj.length()"}, "End": True}
    assert simulate_definition(one(state), {"items": [1, 2, 3], "obj": {"a": 1}}).output == {"n": 3, "k": 1}


@pytest.mark.parametrize("path", ["$.items[-1]", "$['items'][2]", '$["items"][2]'])
def test_negative_indexes_and_quoted_names(path: str) -> None:
    state = {"Type": "Pass", "Parameters": {"v.$": path}, "End": True}
    assert simulate_definition(one(state), {"items": [1, 2, 3]}).output == {"v": 3}
