"""IAM is derived from the definitions: scopes follow the names, unknown calls are errors, statements merge."""

from __future__ import annotations

import json
from typing import Any

import pytest

from asl_gen.errors import ValidationFailure
from asl_gen.iam import Statement, consolidate, state_machine_statements
from asl_gen.plan import Target

TARGET = Target("aws", "us-east-1", "123456789012")
ROLE = "arn:aws:iam::123456789012:role/sm"


def _machine(*tasks: dict[str, Any]) -> dict[str, Any]:
    states = {}
    for index, task in enumerate(tasks):
        state = {"Type": "Task", **task}
        if index + 1 < len(tasks):
            state["Next"] = f"S{index + 1}"
        else:
            state["End"] = True
        states[f"S{index}"] = state
    return {"StartAt": "S0", "States": states}


def _training(name_key: str, name_value: str, pattern: str = ".sync") -> dict[str, Any]:
    return {
        "Resource": f"arn:aws:states:::sagemaker:createTrainingJob{pattern}",
        "Parameters": {name_key: name_value, "RoleArn": ROLE},
    }


def _by_action(statements: list[Statement]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for statement in statements:
        for action in statement.actions:
            found.setdefault(action, []).extend(statement.resources)
    return found


def test_literal_name_scopes_to_the_exact_lowercased_arn() -> None:
    statements = state_machine_statements({"m": _machine(_training("TrainingJobName", "BigMart-Train"))}, TARGET)
    assert _by_action(statements)["sagemaker:CreateTrainingJob"] == [
        "arn:aws:sagemaker:us-east-1:123456789012:training-job/bigmart-train"
    ]


def test_input_name_scopes_to_the_resource_type() -> None:
    task = _training("TrainingJobName.$", "$$.Execution.Input.TrainingJobName")
    statements = state_machine_statements({"m": _machine(task)}, TARGET)
    assert _by_action(statements)["sagemaker:DescribeTrainingJob"] == [
        "arn:aws:sagemaker:us-east-1:123456789012:training-job/*"
    ]


def test_generated_name_scopes_to_its_prefix() -> None:
    task = _training("TrainingJobName.$", "States.Format('Churn-{}', States.Hash($$.Execution.Id, 'MD5'))")
    statements = state_machine_statements({"m": _machine(task)}, TARGET)
    assert _by_action(statements)["sagemaker:StopTrainingJob"] == [
        "arn:aws:sagemaker:us-east-1:123456789012:training-job/churn-*"
    ]


def test_sync_training_gets_describe_stop_addtags_and_its_events_rule() -> None:
    statements = state_machine_statements({"m": _machine(_training("TrainingJobName", "t"))}, TARGET)
    actions = _by_action(statements)
    for action in ("sagemaker:DescribeTrainingJob", "sagemaker:StopTrainingJob", "sagemaker:AddTags"):
        assert action in actions
    assert actions["events:PutRule"] == [
        "arn:aws:events:us-east-1:123456789012:rule/StepFunctionsGetEventsForSageMakerTrainingJobsRule"
    ]
    # ListTags takes a ResourceArn, so it is scoped like the job it reads.
    assert actions["sagemaker:ListTags"] == ["arn:aws:sagemaker:us-east-1:123456789012:training-job/t"]


def test_request_response_training_gets_no_sync_extras() -> None:
    statements = state_machine_statements({"m": _machine(_training("TrainingJobName", "t", ""))}, TARGET)
    actions = _by_action(statements)
    assert "sagemaker:DescribeTrainingJob" not in actions
    assert "events:PutRule" not in actions


def test_pass_role_only_on_the_passed_role_with_the_service_condition() -> None:
    statements = state_machine_statements({"m": _machine(_training("TrainingJobName", "t"))}, TARGET)
    (pass_role,) = [s for s in statements if s.actions == ("iam:PassRole",)]
    assert pass_role.resources == (ROLE,)
    assert pass_role.condition == {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}


def test_tasks_inside_parallel_and_map_are_found() -> None:
    inner = _machine(
        {
            "Resource": "arn:aws:states:::sagemaker:createModel",
            "Parameters": {"ModelName": "m1", "ExecutionRoleArn": ROLE},
        }
    )
    definition = {
        "StartAt": "P",
        "States": {
            "P": {"Type": "Parallel", "Branches": [inner], "Next": "M"},
            "M": {
                "Type": "Map",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    **_machine(
                        {
                            "Resource": "arn:aws:states:::sagemaker:createEndpointConfig",
                            "Parameters": {"EndpointConfigName": "c1", "ProductionVariants": []},
                        }
                    ),
                },
                "End": True,
            },
        },
    }
    actions = _by_action(state_machine_statements({"m": definition}, TARGET))
    assert actions["sagemaker:CreateModel"] == ["arn:aws:sagemaker:us-east-1:123456789012:model/m1"]
    assert actions["sagemaker:CreateEndpointConfig"] == ["arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/c1"]


def test_unknown_resource_is_an_error_not_a_silent_skip() -> None:
    task = {"Resource": "arn:aws:states:::sagemaker:createAlgorithm", "Parameters": {}}
    with pytest.raises(ValidationFailure) as error:
        state_machine_statements({"m.asl.json": _machine(task)}, TARGET)
    (problem,) = error.value.problems
    assert problem.pointer == "$.States.S0.Resource"
    assert "no IAM mapping" in problem.message


def test_unsupported_pattern_is_an_error() -> None:
    task = {"Resource": "arn:aws:states:::sagemaker:createModel.sync", "Parameters": {"ModelName": "m"}}
    with pytest.raises(ValidationFailure, match=r"does not support \.sync"):
        state_machine_statements({"m": _machine(task)}, TARGET)


def test_wider_resource_absorbs_narrower_and_actions_sharing_resources_merge() -> None:
    machines = {
        "a": _machine(_training("TrainingJobName", "exact")),
        "b": _machine(_training("TrainingJobName.$", "$.name")),
    }
    statements = state_machine_statements(machines, TARGET)
    training = [s for s in statements if "sagemaker:CreateTrainingJob" in s.actions]
    assert len(training) == 1
    assert training[0].resources == ("arn:aws:sagemaker:us-east-1:123456789012:training-job/*",)
    assert set(training[0].actions) == {
        "sagemaker:AddTags",
        "sagemaker:CreateTrainingJob",
        "sagemaker:DescribeTrainingJob",
        "sagemaker:ListTags",
        "sagemaker:StopTrainingJob",
    }


def test_statement_order_and_sids_are_stable() -> None:
    machines = {"m": _machine(_training("TrainingJobName", "t"))}
    first = state_machine_statements(machines, TARGET)
    second = state_machine_statements(dict(reversed(list(machines.items()))), TARGET)
    assert first == second
    sids = [s.sid for s in first]
    assert sids == sorted(sids) and len(set(sids)) == len(sids)


def test_consolidate_never_leaves_a_covered_resource() -> None:
    from asl_gen.iam import Need

    needs = [Need("s3:GetObject", "arn:aws:s3:::b/data/*", ""), Need("s3:GetObject", "arn:aws:s3:::b/data/x", "")]
    (statement,) = consolidate(needs)
    assert statement.resources == ("arn:aws:s3:::b/data/*",)
    assert json.dumps(statement.resources)
