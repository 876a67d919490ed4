"""Intrinsic functions as the simulator evaluates them, results and error names."""

from __future__ import annotations

import base64
import hashlib
import uuid
from typing import Any

import pytest

from asl_gen.simulate import simulate_definition

DATA = {
    "name": "world",
    "n": 3,
    "list": [1, 2, 2, 3, "a", "a", True, 1.0],
    "obj": {"a": 1, "b": {"c": 2}},
    "other": {"b": 3, "d": 4},
    "json": '{"k":[1,2]}',
    "csv": "a,b;;c",
}


def evaluate(expression: str, data: Any = None) -> Any:
    definition = {
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Parameters": {"v.$": expression}, "End": True}},
    }
    result = simulate_definition(definition, DATA if data is None else data)
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    return result.output["v"]


def failure(expression: str) -> tuple[str | None, str | None]:
    definition = {
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Parameters": {"v.$": expression}, "End": True}},
    }
    result = simulate_definition(definition, DATA)
    assert result.status == "FAILED"
    return result.error, result.cause


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("States.Format('Hello, {}! n={}', $.name, $.n)", "Hello, world! n=3"),
        # After JSON decoding one backslash escapes a brace or a quote (the file itself doubles it).
        ("States.Format('literal \\{\\} {}', $.name)", "literal {} world"),
        ("States.Format('it\\'s {}', true)", "it's true"),
        ("States.StringToJson($.json)", {"k": [1, 2]}),
        ("States.JsonToString($.obj)", '{"a":1,"b":{"c":2}}'),
        ("States.Array(1, 'two', $.n, null)", [1, "two", 3, None]),
        ("States.Array()", []),
        ("States.ArrayPartition(States.Array(1,2,3,4,5), 2)", [[1, 2], [3, 4], [5]]),
        ("States.ArrayContains($.list, 'a')", True),
        ("States.ArrayContains($.list, 9)", False),
        ("States.ArrayRange(1, 9, 2)", [1, 3, 5, 7, 9]),
        ("States.ArrayRange(5, 1, -2)", [5, 3, 1]),
        ("States.ArrayGetItem($.list, 4)", "a"),
        ("States.ArrayLength($.list)", 8),
        ("States.ArrayUnique($.list)", [1, 2, 3, "a", True]),
        ("States.Base64Encode($.name)", base64.b64encode(b"world").decode()),
        ("States.Base64Decode('d29ybGQ=')", "world"),
        ("States.Hash($.name, 'SHA-256')", hashlib.sha256(b"world").hexdigest()),
        ("States.Hash($.name, 'MD5')", hashlib.md5(b"world").hexdigest()),
        ("States.JsonMerge($.obj, $.other, false)", {"a": 1, "b": 3, "d": 4}),
        ("States.MathAdd($.n, -5)", -2),
        ("States.StringSplit($.csv, ',;')", ["a", "b", "c"]),
        ("States.ArrayLength(States.ArrayUnique(States.Array(1, 1, 2)))", 2),
    ],
)
def test_intrinsic_values(expression: str, expected: Any) -> None:
    assert evaluate(expression) == expected


def test_math_random_is_in_range_and_repeatable_with_a_seed() -> None:
    first = evaluate("States.MathRandom(1, 1000, 7)")
    assert 1 <= first < 1000
    assert evaluate("States.MathRandom(1, 1000, 7)") == first


def test_math_random_and_uuid_follow_the_simulation_seed() -> None:
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Pass",
                "Parameters": {"r.$": "States.MathRandom(0, 1000000)", "u.$": "States.UUID()"},
                "End": True,
            }
        },
    }
    a = simulate_definition(definition, {}, seed=1).output
    b = simulate_definition(definition, {}, seed=1).output
    c = simulate_definition(definition, {}, seed=2).output
    assert a == b
    assert a != c
    assert uuid.UUID(a["u"]).version == 4


@pytest.mark.parametrize(
    ("expression", "error"),
    [
        ("States.Format('{} {}', $.name)", "States.Runtime"),
        ("States.Format('{}', $.obj)", "States.Runtime"),
        ("States.StringToJson('{nope')", "States.Runtime"),
        ("States.ArrayPartition($.list, 0)", "States.Runtime"),
        ("States.ArrayRange(0, 2000, 1)", "States.Runtime"),
        ("States.ArrayGetItem($.list, 99)", "States.Runtime"),
        ("States.Base64Decode('***')", "States.Runtime"),
        ("States.Hash($.name, 'SHA-3')", "States.Runtime"),
        ("States.JsonMerge($.obj, $.other, true)", "States.Runtime"),
        ("States.MathAdd(2147483647, 1)", "States.Runtime"),
        ("States.MathAdd(1.5, 1)", "States.Runtime"),
        ("States.Nope(1)", "States.Runtime"),
        ("States.ArrayLength($.missing)", "States.Runtime"),
        ("States.UUID(1)", "States.Runtime"),
    ],
)
def test_intrinsic_errors(expression: str, error: str) -> None:
    # AWS reports intrinsic failures as States.Runtime; the cause names the function that failed.
    reported, cause = failure(expression)
    assert reported == error
    assert expression.split("(")[0] in (cause or "")


def test_base64_input_over_10000_characters_is_rejected() -> None:
    assert failure("States.Base64Encode($.long)")[0] == "States.Runtime"  # no such path in DATA
    definition = {
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Parameters": {"v.$": "States.Base64Encode($.long)"}, "End": True}},
    }
    result = simulate_definition(definition, {"long": "x" * 10_001})
    assert result.error == "States.Runtime"


def test_intrinsics_work_in_result_selector_and_fail_state_paths() -> None:
    definition = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "ResultSelector": {"msg.$": "States.Format('got {}', $.Payload)"},
                "Next": "F",
            },
            "F": {"Type": "Fail", "ErrorPath": "States.Format('Custom.{}', 'Error')", "CausePath": "$.msg"},
        },
    }
    result = simulate_definition(definition, {}, mocks={"T": {"0": {"Return": {"Payload": 5}}}})
    assert (result.error, result.cause) == ("Custom.Error", "got 5")
