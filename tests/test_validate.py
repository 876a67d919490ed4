"""The validation stage: schema findings, semantic rules, and the shape of what callers get back."""

from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from asl_gen.errors import Problem
from asl_gen.lint import (
    ACTIONS_WITHOUT_RESOURCES,
    validate_definition,
    validate_document,
    validate_policy,
)

# --------------------------------------------------------------------------------------------------------------
# Fixtures: the kind of machine asl-gen renders, and a JSONata one
# --------------------------------------------------------------------------------------------------------------


def training_machine(partition: str = "aws") -> dict[str, Any]:
    """A JSONPath machine shaped like asl-gen's own output."""
    return {
        "Comment": "Train, then describe the job",
        "StartAt": "Train",
        "States": {
            "Train": {
                "Type": "Task",
                "Comment": "Run the training job and wait for it",
                "Resource": f"arn:{partition}:states:::sagemaker:createTrainingJob.sync",
                "Parameters": {
                    "TrainingJobName.$": "States.Format('big-mart-{}', States.Hash($$.Execution.Id, 'MD5'))",
                    "AlgorithmSpecification": {"TrainingImage": "image:1", "TrainingInputMode": "File"},
                    "InputDataConfig": [
                        {
                            "ChannelName": "train",
                            "DataSource": {"S3DataSource": {"S3Uri.$": "$$.Execution.Input.TrainUri"}},
                        }
                    ],
                    "RoleArn": f"arn:{partition}:iam::123456789012:role/sagemaker",
                    "Tags": [{"Key": "project", "Value": "big-mart"}],
                },
                "ResultSelector": {"ModelArtifacts.$": "$.ModelArtifacts", "TrainingJobName.$": "$.TrainingJobName"},
                "ResultPath": "$.train",
                "Next": "Describe",
            },
            "Describe": {
                "Type": "Task",
                "Resource": f"arn:{partition}:states:::aws-sdk:sagemaker:describeTrainingJob",
                "Parameters": {"TrainingJobName.$": "$.train.TrainingJobName"},
                "ResultPath": "$.description",
                "End": True,
            },
        },
    }


def jsonata_machine() -> dict[str, Any]:
    return {
        "QueryLanguage": "JSONata",
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Arguments": {"FunctionName": "score", "Payload": "{% $states.input %}"},
                "Output": "{% $states.result.Payload %}",
                "Assign": {"total": "{% $states.result.Payload.total %}"},
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed", "Output": "{% $states.errorOutput %}"}],
                "Next": "Big?",
            },
            "Big?": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% $total > 10 %}", "Next": "Done"}],
                "Default": "Pause",
            },
            "Pause": {"Type": "Wait", "Seconds": "{% $total %}", "Next": "Done"},
            "Done": {"Type": "Succeed", "Output": {"total": "{% $total %}"}},
            "Failed": {"Type": "Fail", "Error": "{% 'Scoring' %}", "Cause": "the scorer failed"},
        },
    }


def pass_machine(**states: dict[str, Any]) -> dict[str, Any]:
    """A one-scope machine starting at the first given state."""
    return {"StartAt": next(iter(states)), "States": states}


def at(problems: list[Problem], pointer: str) -> list[Problem]:
    return [p for p in problems if p.pointer == pointer]


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, "\n".join(p.format() for p in problems)
    return problems[0]


# --------------------------------------------------------------------------------------------------------------
# Valid machines
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("partition", ["aws", "aws-cn", "aws-us-gov", "${Partition}"])
def test_a_machine_shaped_like_asl_gen_output_is_valid_in_every_partition(partition: str) -> None:
    assert validate_definition(training_machine(partition)) == []


def test_a_minimal_jsonata_machine_is_valid() -> None:
    assert validate_definition(jsonata_machine()) == []


def test_a_jsonpath_machine_may_contain_jsonata_states() -> None:
    doc = training_machine()
    doc["States"]["Describe"] = {
        "Type": "Pass",
        "QueryLanguage": "JSONata",
        "Output": {"job": "{% $states.input.train.TrainingJobName %}"},
        "End": True,
    }
    assert validate_definition(doc) == []


def test_nested_parallel_and_maps_with_every_feature_are_valid() -> None:
    doc = {
        "StartAt": "Fan out",
        "TimeoutSeconds": 3600,
        "Version": "1.0",
        "States": {
            "Fan out": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "Wait a bit", "States": {"Wait a bit": {"Type": "Wait", "Seconds": 5, "End": True}}},
                    {
                        "StartAt": "Each item",
                        "States": {
                            "Each item": {
                                "Type": "Map",
                                "ItemsPath": "$.items",
                                "ItemSelector": {"item.$": "$$.Map.Item.Value"},
                                "MaxConcurrency": 4,
                                "ItemProcessor": {
                                    "ProcessorConfig": {"Mode": "INLINE"},
                                    "StartAt": "Check",
                                    "States": {
                                        "Check": {
                                            "Type": "Choice",
                                            "Choices": [
                                                {
                                                    "And": [
                                                        {"Variable": "$.item.size", "NumericGreaterThan": 10},
                                                        {"Not": {"Variable": "$.item.tag", "StringMatches": "tmp-*"}},
                                                    ],
                                                    "Next": "Keep",
                                                }
                                            ],
                                            "Default": "Drop",
                                        },
                                        "Keep": {"Type": "Pass", "End": True},
                                        "Drop": {"Type": "Succeed"},
                                    },
                                },
                                "End": True,
                            }
                        },
                    },
                ],
                "ResultSelector": {"count.$": "States.ArrayLength($)"},
                "Retry": [
                    {"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 2, "MaxAttempts": 3, "BackoffRate": 2},
                    {"ErrorEquals": ["States.ALL"], "MaxDelaySeconds": 60, "JitterStrategy": "FULL"},
                ],
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Report"}],
                "Next": "Report",
            },
            "Report": {"Type": "Fail", "ErrorPath": "States.Format('failed: {}', $.error.Error)"},
        },
    }
    assert validate_definition(doc) == []


def test_a_distributed_map_with_reader_batcher_and_writer_is_valid() -> None:
    doc = pass_machine(
        Shards={
            "Type": "Map",
            "ItemReader": {
                "Resource": "arn:aws:states:::s3:getObject",
                "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "MaxItems": 1000},
                "Parameters": {"Bucket": "data", "Key.$": "$.key"},
            },
            "ItemBatcher": {"MaxItemsPerBatch": 50, "BatchInput": {"run.$": "$$.Execution.Name"}},
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                "StartAt": "Score",
                "States": {"Score": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}},
            },
            "ResultWriter": {
                "Resource": "arn:aws:states:::s3:putObject",
                "Parameters": {"Bucket": "results", "Prefix": "runs"},
            },
            "ToleratedFailurePercentage": 5,
            "Label": "shards",
            "End": True,
        }
    )
    assert validate_definition(doc) == []


# --------------------------------------------------------------------------------------------------------------
# Schema findings: one readable problem per mistake
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "pointer", "message"),
    [
        (
            lambda s: s.__setitem__("Nxt", s.pop("Next")),
            "$.States.Train.Nxt",
            "unknown field 'Nxt' in a Task state (did you mean 'Next'?)",
        ),
        (
            lambda s: s.__setitem__("Resorce", s.pop("Resource")),
            "$.States.Train.Resorce",
            "unknown field 'Resorce' in a Task state (did you mean 'Resource'?)",
        ),
        (
            lambda s: s.__setitem__("Parameter", s.pop("Parameters")),
            "$.States.Train.Parameter",
            "unknown field 'Parameter' in a Task state (did you mean 'Parameters'?)",
        ),
        (
            lambda s: s.__setitem__("Type", "Tsk"),
            "$.States.Train.Type",
            "unknown state Type 'Tsk' (did you mean 'Task'?)",
        ),
        (
            lambda s: s.__setitem__("Typ", s.pop("Type")),
            "$.States.Train",
            "a state is missing 'Type' (found 'Typ': did you mean 'Type'?)",
        ),
        (
            lambda s: s.__setitem__("Retry", [{"ErrorEqual": ["States.ALL"]}]),
            "$.States.Train.Retry[0].ErrorEqual",
            "unknown field 'ErrorEqual' in a retrier (did you mean 'ErrorEquals'?)",
        ),
        (
            lambda s: s.__setitem__("Retry", [{"ErrorEquals": ["States.ALL"], "JitterStrategy": "full"}]),
            "$.States.Train.Retry[0].JitterStrategy",
            "'JitterStrategy' is 'full', not one of FULL, NONE (did you mean 'FULL'?)",
        ),
        (
            lambda s: s.__setitem__("Credentials", {"roleArn": "arn:aws:iam::123456789012:role/x"}),
            "$.States.Train.Credentials.roleArn",
            "unknown field 'roleArn' in Credentials (did you mean 'RoleArn'?)",
        ),
    ],
)
def test_a_single_typo_yields_one_clear_problem(edit: Any, pointer: str, message: str) -> None:
    doc = training_machine()
    edit(doc["States"]["Train"])
    problem = only(validate_definition(doc))
    assert problem.pointer == pointer
    assert problem.message == message


def test_an_unknown_top_level_field_is_reported_with_a_suggestion() -> None:
    doc = training_machine()
    doc["Coment"] = "typo"
    problem = only(validate_definition(doc))
    assert problem.pointer == "$.Coment"
    assert problem.message == "unknown field 'Coment' in the state machine (did you mean 'Comment'?)"


def test_a_field_of_another_state_type_names_the_types_that_allow_it() -> None:
    problem = only(validate_definition(pass_machine(P={"Type": "Pass", "ResultSelector": {}, "End": True})))
    assert problem.pointer == "$.States.P.ResultSelector"
    assert problem.message == "'ResultSelector' is not allowed in a Pass state"
    assert problem.hint == "it is only valid in Task, Parallel, Map states"


def test_next_and_end_together_are_rejected() -> None:
    problem = only(validate_definition(pass_machine(P={"Type": "Pass", "Next": "P", "End": True})))
    assert problem.pointer == "$.States.P"
    assert problem.message == "a Pass state cannot have both 'Next' and 'End'"


def test_a_state_without_next_or_end_is_one_problem() -> None:
    problem = only(validate_definition(pass_machine(P={"Type": "Pass"})))
    assert (problem.pointer, problem.message) == ("$.States.P", "a Pass state needs 'Next' or 'End'")


def test_end_false_is_rejected() -> None:
    problem = only(validate_definition(pass_machine(P={"Type": "Pass", "End": False})))
    assert (problem.pointer, problem.message) == ("$.States.P.End", "'End' must be true")


def test_a_choice_state_cannot_have_next() -> None:
    doc = pass_machine(
        C={"Type": "Choice", "Choices": [{"Variable": "$.x", "IsNull": True, "Next": "S"}], "Next": "S"},
        S={"Type": "Succeed"},
    )
    problem = only(validate_definition(doc))
    assert (problem.pointer, problem.message) == ("$.States.C.Next", "a Choice state cannot have 'Next'")


def test_a_succeed_state_takes_no_next() -> None:
    doc = pass_machine(P={"Type": "Pass", "Next": "S"}, S={"Type": "Succeed", "Next": "P"})
    problem = only(validate_definition(doc))
    assert problem.pointer == "$.States.S.Next"
    assert problem.message == "a Succeed state ends the execution and takes no 'Next'"


@pytest.mark.parametrize(
    ("state", "pointer", "message"),
    [
        (
            {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "TimeoutSeconds": 5,
                "TimeoutSecondsPath": "$.t",
                "End": True,
            },
            "$.States.X",
            "a Task state cannot have both 'TimeoutSeconds' and 'TimeoutSecondsPath'",
        ),
        (
            {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "HeartbeatSeconds": 5,
                "HeartbeatSecondsPath": "$.t",
                "End": True,
            },
            "$.States.X",
            "a Task state cannot have both 'HeartbeatSeconds' and 'HeartbeatSecondsPath'",
        ),
        (
            {"Type": "Fail", "Error": "E", "ErrorPath": "$.e"},
            "$.States.X",
            "a Fail state cannot have both 'Error' and 'ErrorPath'",
        ),
        (
            {"Type": "Fail", "Cause": "C", "CausePath": "$.c"},
            "$.States.X",
            "a Fail state cannot have both 'Cause' and 'CausePath'",
        ),
        (
            {
                "Type": "Map",
                "MaxConcurrency": 2,
                "MaxConcurrencyPath": "$.n",
                "End": True,
                "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}},
            },
            "$.States.X",
            "a Map state cannot have both 'MaxConcurrency' and 'MaxConcurrencyPath'",
        ),
        (
            {
                "Type": "Map",
                "ToleratedFailureCount": 2,
                "ToleratedFailureCountPath": "$.n",
                "End": True,
                "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}},
            },
            "$.States.X",
            "a Map state cannot have both 'ToleratedFailureCount' and 'ToleratedFailureCountPath'",
        ),
        (
            {"Type": "Wait", "Seconds": 1, "SecondsPath": "$.s", "End": True},
            "$.States.X",
            "a Wait state can have only one of 'Seconds', 'Timestamp', 'SecondsPath' or 'TimestampPath'",
        ),
        (
            {"Type": "Wait", "End": True},
            "$.States.X",
            "a Wait state needs one of 'Seconds', 'Timestamp', 'SecondsPath' or 'TimestampPath'",
        ),
        (
            {"Type": "Wait", "Timestamp": "2016-03-14 01:59:00", "End": True},
            "$.States.X.Timestamp",
            "'Timestamp' must be an RFC 3339 timestamp such as 2016-03-14T01:59:00Z or a JSONata expression",
        ),
    ],
)
def test_mutually_exclusive_and_required_fields_are_reported(state: dict[str, Any], pointer: str, message: str) -> None:
    problem = only(validate_definition(pass_machine(X=state)))
    assert problem.pointer == pointer
    assert problem.message.startswith(message)


@pytest.mark.parametrize(
    ("retrier", "field", "message"),
    [
        ({"IntervalSeconds": 0}, "IntervalSeconds", "'IntervalSeconds' must be at least 1, not 0"),
        ({"MaxAttempts": -1}, "MaxAttempts", "'MaxAttempts' must be at least 0, not -1"),
        ({"MaxAttempts": 100000000}, "MaxAttempts", "'MaxAttempts' must be at most 99999999, not 100000000"),
        ({"BackoffRate": 0.5}, "BackoffRate", "'BackoffRate' must be at least 1, not 0.5"),
        ({"MaxDelaySeconds": 0}, "MaxDelaySeconds", "'MaxDelaySeconds' must be at least 1, not 0"),
        ({"MaxDelaySeconds": 31622401}, "MaxDelaySeconds", "'MaxDelaySeconds' must be at most 31622400, not 31622401"),
        ({"JitterStrategy": "PARTIAL"}, "JitterStrategy", "'JitterStrategy' is 'PARTIAL', not one of FULL, NONE"),
    ],
)
def test_retrier_bounds_are_enforced(retrier: dict[str, Any], field: str, message: str) -> None:
    doc = training_machine()
    doc["States"]["Train"]["Retry"] = [{"ErrorEquals": ["States.Timeout"], **retrier}]
    problem = only(validate_definition(doc))
    assert problem.pointer == f"$.States.Train.Retry[0].{field}"
    assert problem.message == message


def test_an_empty_error_equals_is_rejected() -> None:
    doc = training_machine()
    doc["States"]["Train"]["Catch"] = [{"ErrorEquals": [], "Next": "Describe"}]
    problem = only(validate_definition(doc))
    assert problem.pointer == "$.States.Train.Catch[0].ErrorEquals"
    assert problem.message == "'ErrorEquals' must not be empty"


def test_a_map_needs_an_item_processor_or_an_iterator() -> None:
    problem = only(validate_definition(pass_machine(M={"Type": "Map", "End": True})))
    assert problem.pointer == "$.States.M"
    assert problem.message == "a Map state needs one of 'ItemProcessor' or 'Iterator'"


def test_a_distributed_map_needs_an_execution_type_and_a_valid_label() -> None:
    doc = pass_machine(
        M={
            "Type": "Map",
            "Label": "not ok",
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED"},
                "StartAt": "I",
                "States": {"I": {"Type": "Succeed"}},
            },
            "End": True,
        }
    )
    problems = validate_definition(doc)
    assert only(at(problems, "$.States.M.ItemProcessor.ProcessorConfig")).message == (
        "a ProcessorConfig is missing 'ExecutionType'"
    )
    assert only(at(problems, "$.States.M.Label")).message.startswith("'Label' must be at most 40 characters, without")


def test_tolerated_failure_percentage_is_at_most_100() -> None:
    doc = pass_machine(
        M={
            "Type": "Map",
            "ToleratedFailurePercentage": 105,
            "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}},
            "End": True,
        }
    )
    problem = only(validate_definition(doc))
    assert problem.message == "'ToleratedFailurePercentage' must be at most 100, not 105"


def test_a_number_or_jsonata_field_names_both_alternatives() -> None:
    doc = training_machine()
    doc["States"]["Train"]["TimeoutSeconds"] = "soon"
    problem = only(validate_definition(doc))
    assert problem.message == (
        "'TimeoutSeconds' must be a whole number of seconds from 1 to 99999999 or a JSONata expression "
        "\"{% … %}\", not 'soon'"
    )


# --------------------------------------------------------------------------------------------------------------
# Transitions, scopes and names
# --------------------------------------------------------------------------------------------------------------


def test_start_at_must_name_a_state_in_its_scope() -> None:
    doc = training_machine()
    doc["StartAt"] = "Trian"
    problem = only(validate_definition(doc))
    assert problem.pointer == "$.StartAt"
    assert problem.message == "StartAt 'Trian' is not a state in the top level (did you mean 'Train'?)"


def test_next_must_name_an_existing_state() -> None:
    doc = training_machine()
    doc["States"]["Train"]["Next"] = "Describ"
    problem = only(validate_definition(doc))
    assert problem.pointer == "$.States.Train.Next"
    assert problem.message == "Next state 'Describ' is not a state in the top level (did you mean 'Describe'?)"


def test_default_and_catch_targets_must_exist() -> None:
    doc = pass_machine(
        C={"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "T"}], "Default": "Nowhere"},
        T={
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Gone"}],
            "End": True,
        },
    )
    problems = validate_definition(doc)
    assert only(at(problems, "$.States.C.Default")).message == "Default state 'Nowhere' is not a state in the top level"
    catch_problem = only(at(problems, "$.States.T.Catch[0].Next"))
    assert catch_problem.message == "Catch target 'Gone' is not a state in the top level"


def test_a_transition_cannot_leave_a_parallel_branch() -> None:
    doc = pass_machine(
        P={
            "Type": "Parallel",
            "Branches": [{"StartAt": "Inner", "States": {"Inner": {"Type": "Pass", "Next": "After"}}}],
            "Next": "After",
        },
        After={"Type": "Succeed"},
    )
    problem = only(validate_definition(doc))
    assert problem.pointer == "$.States.P.Branches[0].States.Inner.Next"
    assert problem.message == ("Next state 'After' is not in this Parallel branch; it is defined at $.States.After")


def test_a_transition_cannot_enter_a_map_processor() -> None:
    doc = pass_machine(
        Go={"Type": "Pass", "Next": "Inner"},
        M={"Type": "Map", "ItemProcessor": {"StartAt": "Inner", "States": {"Inner": {"Type": "Succeed"}}}, "End": True},
    )
    problems = validate_definition(doc)
    assert only(at(problems, "$.States.Go.Next")).message == (
        "Next state 'Inner' is not in the top level; it is defined at $.States.M.ItemProcessor.States.Inner"
    )


def test_every_state_must_be_reachable_from_start_at() -> None:
    doc = training_machine()
    doc["States"]["Orphan"] = {"Type": "Succeed"}
    problem = only(validate_definition(doc))
    assert (problem.pointer, problem.message) == ("$.States.Orphan", "state 'Orphan' is unreachable from 'Train'")


def test_unreachable_states_inside_a_branch_are_found() -> None:
    doc = pass_machine(
        P={
            "Type": "Parallel",
            "Branches": [{"StartAt": "A", "States": {"A": {"Type": "Succeed"}, "B": {"Type": "Succeed"}}}],
            "End": True,
        }
    )
    problem = only(validate_definition(doc))
    assert problem.pointer == "$.States.P.Branches[0].States.B"
    assert problem.message == "state 'B' is unreachable from 'A'"


def test_a_scope_needs_a_terminal_state() -> None:
    doc = pass_machine(A={"Type": "Pass", "Next": "B"}, B={"Type": "Pass", "Next": "A"})
    problem = only(validate_definition(doc))
    assert problem.pointer == "$.States"
    assert problem.message == "The top level has no terminal state, so it can never finish"


def test_state_names_are_limited_to_80_characters() -> None:
    name = "N" * 81
    problem = only(validate_definition(pass_machine(**{name: {"Type": "Succeed"}})))
    assert problem.pointer == f"$.States.{name}"
    assert problem.message == "state name is 81 characters long; the limit is 80"


def test_state_names_are_unique_across_nested_scopes() -> None:
    doc = pass_machine(
        M={
            "Type": "Map",
            "Iterator": {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}},
            "Next": "Done",
        },
        Done={"Type": "Succeed"},
    )
    problem = only(validate_definition(doc))
    assert problem.pointer == "$.States.M.Iterator.States.Done"
    assert problem.message == "state name 'Done' is already used at $.States.Done"


def test_names_that_are_not_identifiers_use_the_bracket_pointer_form() -> None:
    doc = pass_machine(**{"Wait it's 20s": {"Type": "Wait", "Seconds": -1, "End": True}})
    problem = only(validate_definition(doc))
    assert problem.pointer == "$.States['Wait it\\'s 20s'].Seconds"


# --------------------------------------------------------------------------------------------------------------
# Choice rules
# --------------------------------------------------------------------------------------------------------------


def choice(*rules: dict[str, Any]) -> dict[str, Any]:
    return pass_machine(C={"Type": "Choice", "Choices": list(rules), "Default": "S"}, S={"Type": "Succeed"})


def test_a_top_level_choice_rule_needs_next() -> None:
    problem = only(validate_definition(choice({"Variable": "$.x", "IsNull": True})))
    assert (problem.pointer, problem.message) == ("$.States.C.Choices[0]", "a Choice rule is missing 'Next'")


def test_a_nested_choice_rule_must_not_have_next() -> None:
    doc = choice({"Or": [{"Variable": "$.x", "IsNull": True, "Next": "S"}], "Next": "S"})
    problem = only(validate_definition(doc))
    assert problem.pointer == "$.States.C.Choices[0].Or[0].Next"
    assert problem.message == "a nested Choice rule (inside And/Or/Not) must not have 'Next'"


def test_a_choice_rule_uses_exactly_one_operator() -> None:
    doc = choice({"Variable": "$.x", "StringEquals": "a", "IsNull": False, "Next": "S"})
    problem = only(validate_definition(doc))
    assert problem.pointer == "$.States.C.Choices[0]"
    assert problem.message == "a Choice rule must use exactly one operator, not 'StringEquals' and 'IsNull'"


def test_a_comparison_needs_a_variable() -> None:
    problem = only(validate_definition(choice({"NumericEquals": 1, "Next": "S"})))
    assert problem.message == "a Choice rule with 'NumericEquals' needs 'Variable' (the path to compare)"


def test_a_choice_variable_must_be_a_path_not_an_intrinsic() -> None:
    doc = choice({"Variable": "States.ArrayLength($.x)", "NumericEquals": 1, "Next": "S"})
    problem = only(validate_definition(doc))
    assert problem.pointer == "$.States.C.Choices[0].Variable"
    assert problem.message.startswith("'Variable' is not a valid path")


def test_a_path_operator_takes_a_path() -> None:
    problem = only(validate_definition(choice({"Variable": "$.x", "StringEqualsPath": "y", "Next": "S"})))
    assert problem.pointer == "$.States.C.Choices[0].StringEqualsPath"


# --------------------------------------------------------------------------------------------------------------
# Error names in Retry and Catch
# --------------------------------------------------------------------------------------------------------------


def test_states_all_must_be_alone_in_its_error_equals() -> None:
    doc = training_machine()
    doc["States"]["Train"]["Retry"] = [{"ErrorEquals": ["States.ALL", "Custom"]}]
    problem = only(validate_definition(doc))
    assert problem.pointer == "$.States.Train.Retry[0].ErrorEquals[0]"
    assert problem.message == "'States.ALL' must be the only name in its ErrorEquals"


def test_states_all_must_be_in_the_last_catcher() -> None:
    doc = training_machine()
    doc["States"]["Train"]["Catch"] = [
        {"ErrorEquals": ["States.ALL"], "Next": "Describe"},
        {"ErrorEquals": ["States.Timeout"], "Next": "Describe"},
    ]
    problem = only(validate_definition(doc))
    assert problem.pointer == "$.States.Train.Catch[0].ErrorEquals[0]"
    assert problem.message == "the catcher with 'States.ALL' must be the last one in 'Catch'"


def test_a_states_error_no_fail_state_raises_is_a_warning_with_a_did_you_mean() -> None:
    doc = training_machine()
    doc["States"]["Train"]["Retry"] = [{"ErrorEquals": ["States.TaskFailedId"]}]
    assert validate_definition(doc) == []  # AWS creates the machine: not an error
    (problem,) = validate_definition(doc, warnings=True)
    assert (problem.pointer, problem.rule, problem.severity) == (
        "$.States.Train.Retry[0].ErrorEquals[0]",
        "custom-states-error",
        "warning",
    )
    assert problem.message == (
        "'States.TaskFailedId' is not one of Step Functions' errors and no Fail state here raises it "
        "(did you mean 'States.TaskFailed'?)"
    )


def test_a_states_error_a_fail_state_raises_may_be_caught() -> None:
    """A published sample (a quorum of parallel branches) raises `States.QuorumMet` from a Fail state inside a
    branch and catches it on the Parallel; it deploys, so it is valid and deserves no warning either."""
    doc = {
        "StartAt": "Vote",
        "States": {
            "Vote": {
                "Type": "Parallel",
                "Branches": [{"StartAt": "Met", "States": {"Met": {"Type": "Fail", "Error": "States.QuorumMet"}}}],
                "Catch": [{"ErrorEquals": ["States.QuorumMet"], "Next": "Done"}],
                "End": True,
            },
            "Done": {"Type": "Succeed"},
        },
    }
    assert validate_definition(doc, warnings=True) == []


@pytest.mark.parametrize("name", ["States.TaskFailed", "States.Http.Socket", "States.Http.StatusCode.404", "Lambda.X"])
def test_built_in_and_user_error_names_are_accepted(name: str) -> None:
    doc = training_machine()
    doc["States"]["Train"]["Retry"] = [{"ErrorEquals": [name]}]
    assert validate_definition(doc) == []


# --------------------------------------------------------------------------------------------------------------
# Query languages
# --------------------------------------------------------------------------------------------------------------


def test_a_jsonata_machine_cannot_contain_a_jsonpath_state() -> None:
    doc = jsonata_machine()
    doc["States"]["Pause"]["QueryLanguage"] = "JSONPath"
    doc["States"]["Pause"]["Seconds"] = 5
    problem = only(validate_definition(doc))
    assert problem.pointer == "$.States.Pause.QueryLanguage"
    assert problem.message == "a state machine whose top-level QueryLanguage is JSONata cannot contain JSONPath states"


def test_a_state_inheriting_jsonata_cannot_use_jsonpath_fields() -> None:
    doc = jsonata_machine()
    doc["States"]["Call"]["Parameters"] = doc["States"]["Call"].pop("Arguments")
    problem = only(validate_definition(doc))
    assert problem.pointer == "$.States.Call.Parameters"
    assert problem.message == (
        "'Parameters' is a JSONPath field, but this state uses JSONata (from the top-level QueryLanguage)"
    )
    assert problem.hint == "use 'Arguments'"


def test_a_state_declaring_jsonata_cannot_use_jsonpath_fields() -> None:
    doc = training_machine()
    doc["States"]["Describe"] = {"Type": "Pass", "QueryLanguage": "JSONata", "ResultPath": "$.x", "End": True}
    problem = only(validate_definition(doc))
    assert problem.pointer == "$.States.Describe.ResultPath"
    assert problem.message == "'ResultPath' is a JSONPath field, but this state uses JSONata"


def test_a_jsonpath_state_cannot_use_jsonata_fields() -> None:
    doc = training_machine()
    doc["States"]["Describe"]["Output"] = {"x": 1}
    problem = only(validate_definition(doc))
    assert problem.pointer == "$.States.Describe.Output"
    assert problem.message == ("'Output' is a JSONata field, but this state uses JSONPath (the default query language)")


def test_a_jsonata_catcher_cannot_use_result_path() -> None:
    doc = jsonata_machine()
    doc["States"]["Call"]["Catch"][0]["ResultPath"] = "$.error"
    problem = only(validate_definition(doc))
    assert problem.pointer == "$.States.Call.Catch[0].ResultPath"


def test_a_jsonata_choice_rule_uses_condition_not_variable() -> None:
    doc = jsonata_machine()
    doc["States"]["Big?"]["Choices"] = [{"Variable": "$.total", "NumericGreaterThan": 10, "Next": "Done"}]
    problem = only(validate_definition(doc))
    assert problem.pointer == "$.States['Big?'].Choices[0].Variable"
    assert problem.message.startswith("'Variable' and 'NumericGreaterThan' belong to JSONPath Choice rules")


def test_a_jsonata_expression_in_a_jsonpath_state_is_not_evaluated() -> None:
    doc = training_machine()
    doc["States"]["Train"]["TimeoutSeconds"] = "{% 3600 %}"
    problem = only(validate_definition(doc))
    assert problem.pointer == "$.States.Train.TimeoutSeconds"
    assert problem.message == "'TimeoutSeconds' holds a JSONata expression, but this state uses JSONPath"


def test_dollar_keys_belong_to_jsonpath() -> None:
    doc = jsonata_machine()
    doc["States"]["Call"]["Arguments"]["Payload.$"] = "$.x"
    problem = only(validate_definition(doc))
    assert problem.pointer == "$.States.Call.Arguments['Payload.$']"
    assert "keys ending in '.$' belong to JSONPath" in problem.message


# --------------------------------------------------------------------------------------------------------------
# Paths, payload templates and intrinsic functions (JSONPath)
# --------------------------------------------------------------------------------------------------------------


def test_a_key_and_its_dollar_twin_cannot_both_be_set() -> None:
    doc = training_machine()
    doc["States"]["Train"]["Parameters"]["RoleArn.$"] = "$.role"
    problem = only(validate_definition(doc))
    assert problem.pointer == "$.States.Train.Parameters['RoleArn.$']"
    assert problem.message.startswith("'RoleArn' and 'RoleArn.$' are both set")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (23, "'X.$' must be a string holding a path or an intrinsic function, not integer"),
        ("23", "'X.$' must be a path starting with '$' or an intrinsic function like States.Format(…), not '23'"),
        (" States.UUID()", "'X.$' must be a path starting with '$'"),
        ("$$23", "'X.$' is not a valid path: unexpected '2' at position 2"),
        ("$...x", "'X.$' is not a valid path: '..' at position 1 must be followed by a field name, '*' or '['"),
        ("$.a[", "'X.$' is not a valid path: the '[' at position 3 is never closed"),
    ],
)
def test_a_dollar_value_must_be_a_path_or_an_intrinsic(value: object, message: str) -> None:
    doc = training_machine()
    doc["States"]["Train"]["ResultSelector"]["X.$"] = value
    problem = only(validate_definition(doc))
    assert problem.pointer == "$.States.Train.ResultSelector['X.$']"
    assert problem.message.startswith(message)


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("$.a..b", "a Reference Path cannot use '..' (deep scan)"),
        ("$total", "a Reference Path cannot use a variable"),
        ("$$.Execution", "a Reference Path cannot point into the context object ('$$')"),
        ("$.items[*]", "a Reference Path allows only [index] and ['name'] in brackets"),
        ("result", "it must start with '$' (the state input)"),
    ],
)
def test_result_path_must_be_a_reference_path(path: str, reason: str) -> None:
    doc = training_machine()
    doc["States"]["Train"]["ResultPath"] = path
    problem = only(validate_definition(doc))
    assert problem.pointer == "$.States.Train.ResultPath"
    assert problem.message.startswith(f"'ResultPath' is not a valid Reference Path: {reason}")


@pytest.mark.parametrize("path", ["$", "$$", "$.a-b.c[0]", "$.books[-2]", "$[(@.length-1)].bar", "$..x", "$v.y", None])
def test_input_path_accepts_paths_context_variables_and_null(path: str | None) -> None:
    doc = training_machine()
    doc["States"]["Train"]["InputPath"] = path
    assert validate_definition(doc) == []


def test_input_path_rejects_an_intrinsic() -> None:
    doc = training_machine()
    doc["States"]["Train"]["InputPath"] = "States.Format('{}', $.a)"
    problem = only(validate_definition(doc))
    assert problem.pointer == "$.States.Train.InputPath"
    assert problem.hint is not None and "intrinsic functions are allowed only in" in problem.hint


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("States.Formt('x')", "States.Formt is not an intrinsic function (did you mean 'Format'?)"),
        ("States.ArrayLength($.a, 1)", "States.ArrayLength takes 1 argument, not 2"),
        ("States.UUID($.a)", "States.UUID takes 0 arguments, not 1"),
        ("States.MathRandom(1)", "States.MathRandom takes 2 to 3 arguments, not 1"),
        ("States.Format('{} and {}', $.a)", "the States.Format template has 2 '{}' placeholder(s) but 1 value(s)"),
        ("States.MathAdd(1, '-1')", "argument 2 of States.MathAdd must be a number or a path, not string"),
        ("States.JsonMerge($.a, $.b, true)", "States.JsonMerge supports only a shallow merge"),
        ("States.Hash($.a, 'SHA-2')", "States.Hash algorithm 'SHA-2' is not one of MD5, SHA-1, SHA-256"),
        ("States.Format('{}', $.a", "expected ',' or ')' at position 23"),
        ("States.Format('x') x", "unexpected text after the closing ')'"),
        ("States.Format('{}', " * 11 + "1" + ")" * 11, "intrinsic functions nest deeper than 10 levels"),
    ],
)
def test_intrinsic_functions_are_checked(expression: str, message: str) -> None:
    doc = training_machine()
    doc["States"]["Train"]["Parameters"]["X.$"] = expression
    problem = only(validate_definition(doc))
    assert problem.pointer == "$.States.Train.Parameters['X.$']"
    assert message in problem.message


@pytest.mark.parametrize(
    "expression",
    [
        "States.Format('Welcome to {} {}\\'s playlist.', $.firstName, $.lastName)",
        "States.Array('Foo', 2020, $.someJson, null)",
        "States.ArrayGetItem($.records[?(@.key == 'a, b')].value, 0)",
        "States.MathAdd(States.ArrayLength($$.Execution.Input.machines),-1)",
        "States.JsonMerge($.a, $.b, false)",
        "States.Hash($.data, 'SHA-256')",
        "States.UUID()",
        "States.Format('{}-{}', $total, $$.Execution.Name)",
    ],
)
def test_valid_intrinsic_functions_pass(expression: str) -> None:
    doc = training_machine()
    doc["States"]["Train"]["Parameters"]["X.$"] = expression
    assert validate_definition(doc) == []


def test_fail_error_path_takes_only_string_returning_intrinsics() -> None:
    doc = pass_machine(F={"Type": "Fail", "ErrorPath": "States.ArrayLength($.a)", "CausePath": "States.UUID()"})
    problem = only(validate_definition(doc))
    assert problem.pointer == "$.States.F.ErrorPath"
    assert "States.ArrayLength does not return a string" in problem.message


# --------------------------------------------------------------------------------------------------------------
# JSONata expressions
# --------------------------------------------------------------------------------------------------------------


def with_payload(expression: str) -> dict[str, Any]:
    doc = jsonata_machine()
    doc["States"]["Call"]["Arguments"]["Payload"] = expression
    return doc


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("{% 10 + * 2 %}", "'Payload' is not valid JSONata: syntax error: unexpected '2' at position 8"),
        ("{% $sum($states.input.n %}", "'Payload' is not valid JSONata: expected ')' before the end"),
        ("{% 420. %}", "'Payload' is not valid JSONata: unexpected end of expression"),
        ("{% $.store.book[?(@.price < 10)] %}", "'Payload' is not valid JSONata: '?' at position"),
        ("{% $states.input %", "'Payload' looks like JSONata but is not one whole \"{% <expression> %}\" string"),
        ("10 %}", "'Payload' looks like JSONata but is not one whole"),
        ("{% orderId %}", "'Payload' reads the field name 'orderId' from the JSONata input"),
        ("{% $ %}", "'Payload' reads '$' from the JSONata input"),
        ("{% $states.result %}", "'Payload' reads $states.result, which exists only in the Output and Assign"),
        ("{% $states.errorOutput %}", "'Payload' reads $states.errorOutput, which exists only in a catcher's"),
        ("{% $states.inputs %}", "'Payload' reads $states.inputs, which does not exist"),
        ("{% $eval('1') %}", "'Payload' calls $eval, which Step Functions does not offer (use $parse)"),
    ],
)
def test_jsonata_expressions_are_parsed_and_placed(expression: str, message: str) -> None:
    problem = only(validate_definition(with_payload(expression)))
    assert problem.pointer == "$.States.Call.Arguments.Payload"
    assert problem.message.startswith(message)


@pytest.mark.parametrize(
    "expression",
    [
        "{% $states.input.items[price > 10].{'name': name, 'total': price * qty} %}",
        "{% $map($states.input.items, function($v, $i) { $v.price * 2 }) ~> $sum() %}",
        "{% $states.input.items^(>price, name)[0] %}",
        "{% ($x := 1; $y := $x + 2; [1..$y]) %}",
        "{% $states.input.a ?? 'fallback' %}",
        "{% $exists($states.input.b) ? $states.input.b : {} %}",
        "{% $match($states.input.email, /^[a-z.]+@[a-z]+\\.com$/i) %}",
        "{% /* a comment */ $states.context.Execution.Id & '-' & $uuid() %}",
        "{% $states.input.`odd name` in ['a', \"b\"] and $not(false) %}",
        "{%10%}",
    ],
)
def test_valid_jsonata_expressions_pass(expression: str) -> None:
    assert validate_definition(with_payload(expression)) == []


def test_comments_and_labels_are_not_parsed_as_jsonata() -> None:
    doc = jsonata_machine()
    doc["States"]["Call"]["Comment"] = "{% not an expression"
    assert validate_definition(doc) == []


def test_resource_must_be_a_constant() -> None:
    doc = jsonata_machine()
    doc["States"]["Call"]["Resource"] = "{% 'arn:aws:states:::lambda:invoke' %}"
    problem = only(validate_definition(doc))
    assert problem.message == "'Resource' must be a constant ARN; JSONata is not evaluated there"


# --------------------------------------------------------------------------------------------------------------
# Task resources
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource", "message"),
    [
        ("foo:bar", "Resource 'foo:bar' is not an ARN"),
        ("${lambdaArn}", "Resource '${lambdaArn}' is not an ARN"),
        ("arn:azure:states:::lambda:invoke", "Resource 'arn:azure:states:::lambda:invoke' has an unknown partition"),
        (
            "arn:aws:states:::aws-sdk:sagemaker:describeTrainingJob.sync",
            "AWS SDK integrations support only request-response and .waitForTaskToken, not .sync",
        ),
        ("arn:aws:states:::sagemaker", "is not a service integration like"),
        ("arn:aws:lambda:us-east-1:123456789012:function:fn:", "is not a Lambda function ARN"),
    ],
)
def test_task_resources_must_be_arns(resource: str, message: str) -> None:
    doc = training_machine()
    doc["States"]["Train"]["Resource"] = resource
    problem = only(validate_definition(doc))
    assert problem.pointer == "$.States.Train.Resource"
    assert message in problem.message


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:lambda:us-east-1:123456789012:function:fn:$LATEST",
        "arn:aws:states:us-east-1:123456789012:activity:review",
        "arn:aws:states:::states:startExecution.sync:2",
        "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "arn:aws:states:::http:invoke",
    ],
)
def test_other_resource_forms_are_accepted(resource: str) -> None:
    doc = training_machine()
    doc["States"]["Train"]["Resource"] = resource
    assert validate_definition(doc) == []


# --------------------------------------------------------------------------------------------------------------
# What callers get back
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("doc", [None, 42, "text", [1, 2], {"States": []}, {"StartAt": 1, "States": {"A": 7}}])
def test_validation_never_raises_on_malformed_input(doc: object) -> None:
    assert validate_definition(doc)
    assert validate_document(doc)


def test_problems_carry_the_source_and_are_sorted() -> None:
    doc = pass_machine(B={"Type": "Pass", "Nxt": "A"}, A={"Type": "Wait", "End": True})
    problems = validate_definition(doc, source="flow.asl.json")
    assert problems == sorted(problems, key=lambda p: (p.pointer, p.message))
    assert {p.file for p in problems} == {"flow.asl.json"}
    assert validate_definition(copy.deepcopy(doc), source="flow.asl.json") == problems


def test_line_and_column_come_from_the_nearest_located_pointer() -> None:
    doc = pass_machine(A={"Type": "Pass", "Nxt": "B"})
    lines = {"$": (1, 1), "$.States.A": (3, 5)}
    problem = only(validate_definition(doc, source="x.asl.json", lines=lines))
    assert (problem.line, problem.column) == (3, 5)
    assert problem.format().startswith("x.asl.json:3:5: $.States.A.Nxt: unknown field 'Nxt'")


def test_validate_document_detects_the_kind_of_document() -> None:
    assert validate_document(training_machine()) == []
    assert validate_document(trust_policy()) == []
    problem = only(validate_document({"Resources": {}}, source="x.json"))
    assert problem.pointer == "$"
    assert problem.message == (
        "the document is neither an ASL state machine (no 'States') nor an IAM policy (no 'Statement')"
    )


# --------------------------------------------------------------------------------------------------------------
# IAM policies
# --------------------------------------------------------------------------------------------------------------


def identity_policy() -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "TrainingJobs",
                "Effect": "Allow",
                "Action": ["sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob", "sagemaker:AddTags"],
                "Resource": "arn:${Partition}:sagemaker:${Region}:${Account}:training-job/big-mart-*",
            },
            {"Sid": "ListTags", "Effect": "Allow", "Action": "sagemaker:ListTags", "Resource": "*"},
            {
                "Sid": "PassRole",
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": "arn:aws:iam::123456789012:role/sagemaker",
                "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
            },
        ],
    }


def trust_policy() -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": {
            "Effect": "Allow",
            "Principal": {"Service": "states.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": "123456789012"},
                "ArnLike": {"aws:SourceArn": "arn:aws:states:us-east-1:123456789012:stateMachine:*"},
            },
        },
    }


def test_identity_and_trust_policies_pass() -> None:
    assert validate_policy(identity_policy()) == []
    assert validate_policy(trust_policy()) == []


def test_the_policy_version_must_be_2012_10_17() -> None:
    doc = identity_policy()
    doc["Version"] = "2008-10-17"
    problem = only(validate_policy(doc))
    assert (problem.pointer, problem.message) == ("$.Version", "'Version' must be \"2012-10-17\", not '2008-10-17'")


def test_a_policy_needs_statements() -> None:
    problem = only(validate_policy({"Version": "2012-10-17", "Statement": []}))
    assert (problem.pointer, problem.message) == ("$.Statement", "'Statement' must not be empty")


def test_sids_are_alphanumeric_and_unique() -> None:
    doc = identity_policy()
    doc["Statement"][1]["Sid"] = "TrainingJobs"
    doc["Statement"][2]["Sid"] = "Pass-Role"
    problems = validate_policy(doc)
    assert only(at(problems, "$.Statement[1].Sid")).message == "Sid 'TrainingJobs' is already used at $.Statement[0]"
    assert only(at(problems, "$.Statement[2].Sid")).message == "'Sid' must be letters and digits only, not 'Pass-Role'"


@pytest.mark.parametrize("action", ["*", "sagemaker:*"])
def test_full_wildcard_actions_are_rejected(action: str) -> None:
    doc = identity_policy()
    doc["Statement"][0]["Action"] = [action]
    problem = only(validate_policy(doc))
    assert problem.pointer == "$.Statement[0].Action[0]"
    assert problem.message.startswith(f"Action '{action}' allows every action")


def test_resource_star_is_reported_for_actions_with_resource_types() -> None:
    doc = identity_policy()
    doc["Statement"][1]["Action"] = ["sagemaker:ListTags", "sagemaker:CreateModel", "ecr:GetAuthorizationToken"]
    problem = only(validate_policy(doc))
    assert problem.pointer == "$.Statement[1].Resource"
    assert problem.message == (
        "Resource '*' grants sagemaker:CreateModel on every resource, but this action supports resource-level "
        "permissions"
    )


def test_resource_star_is_fine_for_actions_without_resource_types() -> None:
    doc = identity_policy()
    doc["Statement"][1]["Action"] = sorted(ACTIONS_WITHOUT_RESOURCES)
    assert validate_policy(doc) == []


def test_a_deny_statement_may_use_wildcards() -> None:
    doc = identity_policy()
    doc["Statement"].append({"Effect": "Deny", "Action": "*", "Resource": "*"})
    assert validate_policy(doc) == []


@pytest.mark.parametrize(
    ("edit", "pointer", "message"),
    [
        (lambda s: s.pop("Action"), "$.Statement[0]", "a statement needs one of 'Action' or 'NotAction'"),
        (
            lambda s: s.__setitem__("NotAction", "s3:GetObject"),
            "$.Statement[0]",
            "a statement can have only one of 'Action' or 'NotAction'",
        ),
        (
            lambda s: s.__setitem__("Actions", s.pop("Action")),
            "$.Statement[0].Actions",
            "unknown field 'Actions' in a statement (did you mean 'Action'?)",
        ),
        (
            lambda s: s.__setitem__("Action", "sagemaker CreateModel"),
            "$.Statement[0].Action",
            "'Action' must be an action such as \"sagemaker:CreateTrainingJob\"",
        ),
        (
            lambda s: s.__setitem__("Resource", "training-job/x"),
            "$.Statement[0].Resource",
            "'Resource' must be \"*\" or an ARN arn:partition:service:region:account:resource, not",
        ),
        (lambda s: s.__setitem__("Effect", "allow"), "$.Statement[0].Effect", "'Effect' is 'allow', not one of"),
        (lambda s: s.pop("Resource"), "$.Statement[0]", "a statement of an identity policy needs 'Resource'"),
    ],
)
def test_statement_grammar_is_enforced(edit: Any, pointer: str, message: str) -> None:
    doc = identity_policy()
    edit(doc["Statement"][0])
    problem = only(validate_policy(doc))
    assert problem.pointer == pointer
    assert problem.message.startswith(message)


def test_a_trust_policy_principal_has_known_keys_only() -> None:
    doc = trust_policy()
    doc["Statement"]["Principal"] = {"Servce": "states.amazonaws.com"}
    problem = only(validate_policy(doc))
    assert problem.pointer == "$.Statement.Principal.Servce"
    assert problem.message == "unknown field 'Servce' in a Principal (did you mean 'Service'?)"


@pytest.mark.skipif(importlib.util.find_spec("parliament") is None, reason="parliament (test extra) is not installed")
def test_actions_without_resources_have_no_resource_types_in_the_aws_reference() -> None:
    import parliament

    data = json.loads((Path(parliament.__file__).parent / "iam_definition.json").read_text(encoding="utf-8"))
    resource_types = {
        f"{service['prefix']}:{privilege['privilege']}".lower(): [
            r["resource_type"] for r in privilege["resource_types"] if r["resource_type"]
        ]
        for service in data
        for privilege in service["privileges"]
    }
    # Documented exception: AWS and CDK grant ListTags on "*" for every SageMaker integration.
    scoped = {
        action: resource_types.get(action.lower())
        for action in ACTIONS_WITHOUT_RESOURCES - {"sagemaker:ListTags"}
        if resource_types.get(action.lower()) != []
    }
    assert scoped == {}
