"""Mock files: Step Functions Local's mock-config format, the short per-state form, and their errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from asl_gen.errors import AslGenError, UsageError
from asl_gen.simulate import load_mocks, simulate_definition

DEFINITION = {
    "StartAt": "LambdaState",
    "States": {
        "LambdaState": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Retry": [
                {"ErrorEquals": ["Lambda.ResourceNotReadyException", "Lambda.TimeoutException"], "MaxAttempts": 3}
            ],
            "Next": "SQSState",
        },
        "SQSState": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": True},
    },
}

# The shape of AWS's own example mock config (LambdaSQSIntegration), in YAML.
CONFIG = """\
StateMachines:
  LambdaSQSIntegration:
    TestCases:
      HappyPath:
        LambdaState: MockedLambdaSuccess
        SQSState: MockedSQSSuccess
      RetryPath:
        LambdaState: MockedLambdaRetry
        SQSState: MockedSQSSuccess
      HybridPath:
        LambdaState: MockedLambdaSuccess
MockedResponses:
  MockedLambdaSuccess:
    "0":
      Return:
        StatusCode: 200
        Payload: {StatusCode: 200, body: "Hello from Lambda!"}
  MockedSQSSuccess:
    "0":
      Return: {MD5OfMessageBody: "3bcb", MessageId: "3bcb-8b51"}
  MockedLambdaRetry:
    "0":
      Throw: {Error: Lambda.ResourceNotReadyException, Cause: Lambda resource is not ready.}
    "1-2":
      Throw: {Error: Lambda.TimeoutException, Cause: Lambda timed out.}
    "3":
      Return:
        StatusCode: 200
        Payload: {StatusCode: 200, body: "Hello from Lambda!"}
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "MockConfigFile.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def test_happy_path_case(config: Path) -> None:
    result = simulate_definition(DEFINITION, {}, mocks=config, case="HappyPath")
    assert result.status == "SUCCEEDED"
    assert result.output == {"MD5OfMessageBody": "3bcb", "MessageId": "3bcb-8b51"}


def test_retry_path_case_uses_responses_per_call(config: Path) -> None:
    result = simulate_definition(DEFINITION, {}, mocks=config, case="RetryPath")
    assert result.status == "SUCCEEDED"
    assert [c.state for c in result.calls] == ["LambdaState"] * 4 + ["SQSState"]
    assert result.elapsed_seconds == 1 + 2 + 4


def test_hybrid_path_without_a_mock_for_a_task_names_the_state(config: Path) -> None:
    with pytest.raises(UsageError) as caught:
        simulate_definition(DEFINITION, {}, mocks=config, case="HybridPath")
    message = caught.value.problems[0].format()
    assert "'SQSState'" in message
    assert "no mock" in message
    assert "HybridPath" in message


def test_the_same_config_as_json_text_works(tmp_path: Path) -> None:
    import json

    import yaml

    path = tmp_path / "MockConfigFile.json"
    path.write_text(json.dumps(yaml.safe_load(CONFIG)), encoding="utf-8")
    assert simulate_definition(DEFINITION, {}, mocks=path, case="HappyPath").status == "SUCCEEDED"


def test_a_mapping_of_the_full_document_is_accepted() -> None:
    import yaml

    result = simulate_definition(DEFINITION, {}, mocks=yaml.safe_load(CONFIG), case="RetryPath")
    assert len(result.calls) == 5


def test_calls_past_the_last_key_repeat_the_last_response() -> None:
    mocks = {"LambdaState": {"0": {"Throw": {"Error": "Lambda.TimeoutException"}}}, "SQSState": {"0": {"Return": 1}}}
    result = simulate_definition(DEFINITION, {}, mocks=mocks)
    assert (result.error, len(result.calls)) == ("Lambda.TimeoutException", 4)


def test_short_form_with_one_response_for_every_call() -> None:
    mocks = {"LambdaState": {"Return": 1}, "SQSState": {"Return": 2}}
    assert simulate_definition(DEFINITION, {}, mocks=mocks).output == 2


@pytest.mark.parametrize(
    ("mocks", "case", "fragment"),
    [
        ({"StateMachines": {"A": {"TestCases": {"x": {}, "y": {}}}}, "MockedResponses": {}}, None, "--case"),
        ({"StateMachines": {"A": {"TestCases": {"x": {}}}}, "MockedResponses": {}}, "nope", "no test case 'nope'"),
        ({"StateMachines": {"A": {}, "B": {}}, "MockedResponses": {}}, None, "more than one state machine"),
        (
            {"StateMachines": {"A": {"TestCases": {"x": {"S": "Missing"}}}}, "MockedResponses": {}},
            None,
            "'Missing' is not in MockedResponses",
        ),
        ({"S": {"zero": {"Return": 1}}}, None, "not a call number"),
        ({"S": {"0-1": {"Return": 1}, "1": {"Return": 2}}}, None, "overlaps"),
        ({"S": {"0": {"Return": 1, "Throw": {"Error": "E"}}}}, None, "exactly one of Return and Throw"),
        ({"S": {"0": {"Throw": {"Cause": "no error"}}}}, None, "Error name"),
        ({"S": {"0": {"Return": 1, "Duration": -1}}}, None, "Duration"),
        ({"S": {"0": {"Return": 1, "Delay": 3}}}, None, "unknown field 'Delay'"),
        ({"S": {"0": {"Return": 1}}}, "x", "no TestCases"),
    ],
)
def test_mock_errors_are_one_line_usage_errors(mocks: dict[str, Any], case: str | None, fragment: str) -> None:
    with pytest.raises(UsageError) as caught:
        load_mocks(mocks, case=case)
    message = caught.value.problems[0].format()
    assert fragment in message
    assert "\n" not in message


def test_a_missing_mock_file_is_a_located_error(tmp_path: Path) -> None:
    with pytest.raises(AslGenError) as caught:
        load_mocks(tmp_path / "none.yaml")
    assert caught.value.exit_code == 2
    assert "file not found" in caught.value.problems[0].format()


def test_machine_name_picks_the_machine_among_several() -> None:
    document = {
        "StateMachines": {
            "one": {"TestCases": {"c": {"S": "R1"}}},
            "two": {"TestCases": {"c": {"S": "R2"}}},
        },
        "MockedResponses": {"R1": {"0": {"Return": 1}}, "R2": {"0": {"Return": 2}}},
    }
    response = load_mocks(document, machine_name="two").response("S", 0)
    assert response is not None
    assert response.returns == 2


def test_a_file_named_after_its_key_finds_the_deployed_machine_name() -> None:
    document = {
        "StateMachines": {
            "big-mart-pipeline": {"TestCases": {"c": {"S": "R1"}}},
            "big-mart-training": {"TestCases": {"c": {"S": "R2"}}},
        },
        "MockedResponses": {"R1": {"0": {"Return": 1}}, "R2": {"0": {"Return": 2}}},
    }
    response = load_mocks(document, machine_name="training").response("S", 0)
    assert response is not None
    assert response.returns == 2
    with pytest.raises(UsageError) as caught:
        load_mocks(document, machine_name="deploy")
    assert "big-mart-pipeline, big-mart-training" in caught.value.problems[0].format()
