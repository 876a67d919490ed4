"""JSONata states in the simulator: Arguments, Output, Assign, Condition, Items and `$states`."""

from __future__ import annotations

import builtins
from typing import Any

import pytest

from asl_gen.errors import UsageError
from asl_gen.simulate import simulate_definition

pytest.importorskip("jsonata")

LAMBDA = "arn:aws:states:::lambda:invoke"


def test_arguments_output_and_assign_with_states_input_result_and_context() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": LAMBDA,
                "Arguments": {
                    "Name": "{% $states.input.name & '-job' %}",
                    "Fixed": 1,
                    "State": "{% $states.context.State.Name %}",
                },
                "Assign": {"score": "{% $states.result.Payload.score %}"},
                "Output": {"label": "{% $states.result.Payload.label %}", "input": "{% $states.input %}"},
                "Next": "Use",
            },
            "Use": {"Type": "Pass", "Output": "{% {'score': $score, 'double': $score * 2} %}", "End": True},
        },
    }
    mocks = {"T": {"0": {"Return": {"Payload": {"score": 4, "label": "ok"}}}}}
    result = simulate_definition(definition, {"name": "n"}, mocks=mocks)
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.calls[0].arguments == {"Name": "n-job", "Fixed": 1, "State": "T"}
    assert result.output == {"score": 4, "double": 8}


def test_choice_condition_and_rule_output() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% $states.input.n > 3 %}", "Output": {"big": True}, "Next": "Done"}],
                "Default": "Done",
                "Output": {"big": False},
            },
            "Done": {"Type": "Succeed"},
        },
    }
    assert simulate_definition(definition, {"n": 5}).output == {"big": True}
    assert simulate_definition(definition, {"n": 1}).output == {"big": False}


def test_map_items_and_item_selector_and_catch_error_output() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "Items": "{% $states.input.values %}",
                "ItemSelector": {"v": "{% $states.context.Map.Item.Value * 10 %}"},
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "T",
                    "States": {
                        "T": {"Type": "Task", "Resource": LAMBDA, "Arguments": "{% $states.input %}", "End": True}
                    },
                },
                "Catch": [
                    {
                        "ErrorEquals": ["States.ALL"],
                        "Output": {"failed": "{% $states.errorOutput.Error %}"},
                        "Next": "Handled",
                    }
                ],
                "End": True,
            },
            "Handled": {"Type": "Succeed"},
        },
    }
    mocks = {"T": {"0": {"Return": 1}, "1": {"Throw": {"Error": "Boom", "Cause": "c"}}}}
    result = simulate_definition(definition, {"values": [1, 2]}, mocks=mocks)
    assert [c.arguments for c in result.calls] == [{"v": 10}, {"v": 20}]
    assert result.output == {"failed": "Boom"}


def test_fail_and_wait_take_expressions() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "W",
        "States": {
            "W": {"Type": "Wait", "Seconds": "{% $states.input.delay %}", "Next": "F"},
            "F": {
                "Type": "Fail",
                "Error": "{% 'Err.' & $states.input.kind %}",
                "Cause": "{% $string($states.input.delay) %}",
            },
        },
    }
    result = simulate_definition(definition, {"delay": 30, "kind": "X"})
    assert (result.error, result.cause, result.elapsed_seconds) == ("Err.X", "30", 30)


def test_step_functions_extra_functions() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Pass",
                "Output": {
                    "parts": "{% $partition([1,2,3], 2) %}",
                    "range": "{% $range(0, 4, 2) %}",
                    "hash": "{% $hash('a', 'MD5') %}",
                    "parsed": "{% $parse('{\"a\": 1}') %}",
                },
                "End": True,
            }
        },
    }
    output = simulate_definition(definition, {}).output
    assert output == {
        "parts": [[1, 2], [3]],
        "range": [0, 2, 4],
        "hash": "0cc175b9c0f1b6a831c399e269772661",
        "parsed": {"a": 1},
    }


def test_a_failing_expression_is_a_query_evaluation_error() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Output": "{% $number('abc') + 'x' %}", "End": True}},
    }
    assert simulate_definition(definition, {}).error == "States.QueryEvaluationError"


def test_a_jsonpath_state_in_a_jsonpath_machine_next_to_a_jsonata_one() -> None:
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $states.input.x + 1 %}", "Next": "B"},
            "B": {"Type": "Pass", "Parameters": {"v.$": "$"}, "End": True},
        },
    }
    assert simulate_definition(definition, {"x": 1}).output == {"v": 2}


def test_without_jsonata_python_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_jsonata(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "jsonata":
            raise ImportError("No module named 'jsonata'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_jsonata)
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Output": "{% 1 %}", "End": True}},
    }
    with pytest.raises(UsageError) as caught:
        simulate_definition(definition, {})
    message = caught.value.problems[0].format()
    assert "jsonata-python" in message
    assert "\n" not in message


def _pass(field_name: str, value: Any) -> dict[str, Any]:
    return {
        "QueryLanguage": "JSONata",
        "StartAt": "E",
        "States": {"E": {"Type": "Pass", field_name: value, "End": True}},
    }


@pytest.mark.parametrize(
    ("field_name", "value", "named"),
    [
        ("Output", {"v": "{% $states.input.missing %}"}, "Output/v"),
        ("Output", "{% $states.input.missing %}", "Output"),
        ("Output", {"list": [1, "{% $states.input.missing %}"]}, "Output/list[1]"),
        ("Assign", {"x": "{% $states.input.missing %}"}, "Assign/x"),
    ],
)
def test_an_expression_that_returns_nothing_fails_the_state(field_name: str, value: Any, named: str) -> None:
    """AWS fails the state with States.QueryEvaluationError, naming the field; it neither drops the key nor
    writes null."""
    result = simulate_definition(_pass(field_name, value), {"present": 1})
    assert (result.status, result.error) == ("FAILED", "States.QueryEvaluationError")
    assert f"specified for the field '{named}' returned nothing (undefined)" in result.cause


def test_an_expression_that_returns_null_keeps_null() -> None:
    result = simulate_definition(_pass("Output", {"v": "{% null %}", "w": "{% $states.input.n %}"}), {"n": None})
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.output == {"v": None, "w": None}


def test_nothing_returned_in_a_task_is_caught_like_any_error() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": LAMBDA,
                "Arguments": {"FunctionName": "f", "Payload": "{% $states.input.missing %}"},
                "Catch": [{"ErrorEquals": ["States.QueryEvaluationError"], "Output": {"caught": True}, "Next": "D"}],
                "End": True,
            },
            "D": {"Type": "Succeed"},
        },
    }
    result = simulate_definition(definition, {}, mocks={"T": {"0": {"Return": {}}}})
    assert (result.status, result.output) == ("SUCCEEDED", {"caught": True})
    assert result.calls == []
