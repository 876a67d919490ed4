"""`asl-gen validate` accepts what AWS accepts in published definitions, and refuses what AWS refuses.

The shared folder holds 49 definitions of aws-samples/serverless-patterns that deploy (see its SOURCES.md); each
must validate without an error finding. The other cases are the causes found on published samples, each written
down small so that it holds on definitions no folder here has.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from asl_gen.cli import main
from asl_gen.lint import validate_definition
from asl_gen.loader import load_document

REALWORLD = Path(__file__).resolve().parents[1].parent / "shared" / "realworld" / "serverless-patterns"
MANIFEST = REALWORLD / "manifest.tsv"


def _manifest() -> list[dict[str, str]]:
    if not MANIFEST.is_file():
        return []
    with MANIFEST.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


ROWS = _manifest()


@pytest.mark.skipif(not ROWS, reason=f"the shared real-world definitions are not at {REALWORLD}")
@pytest.mark.parametrize("row", ROWS, ids=[row["path"] for row in ROWS])
def test_every_published_definition_validates_clean(row: dict[str, str]) -> None:
    assert row["verdict"] == "valid"
    result = CliRunner().invoke(
        main, ["validate", "--placeholders", "--type", row["type"], "--format", "json", str(REALWORLD / row["path"])]
    )
    errors = [p for p in json.loads(result.stdout)["problems"] if p["severity"] == "error"]
    assert result.exit_code == 0 and not errors, json.dumps(errors, indent=2)


def test_the_manifest_lists_the_49_definitions() -> None:
    if not ROWS:
        pytest.skip(f"the shared real-world definitions are not at {REALWORLD}")
    assert len(ROWS) == 49
    assert all((REALWORLD / row["path"]).is_file() for row in ROWS)


def _pass(**fields: object) -> dict[str, object]:
    return {"StartAt": "A", "States": {"A": {"Type": "Pass", **fields, "End": True}}}


# Paths AWS accepts that a stricter reading of JSONPath refuses (each seen in a published sample that deploys).
ACCEPTED_PATHS = [
    pytest.param("$.[0].body", id="dot before a bracket at the root"),
    pytest.param("$.Snapshots.[0].State", id="dot before a bracket inside"),
    pytest.param("$.[?(@.OU > 0)]", id="dot before a filter"),
    pytest.param("$$.Execution.Name ", id="trailing blank"),
    pytest.param("$.items[?(@.OutputKey == FizzBuzz)].OutputValue", id="bare word in a filter"),
    pytest.param("$.a[?(@.b == 'x' || (@.c < 2 && !@.d))]", id="filter with and, or, not, groups"),
    pytest.param("$.a[?(@.tags anyof ['x', 'y'])]", id="filter with a word operator and a list"),
    pytest.param("$.a[?(@.name =~ /^ab.*$/i)]", id="filter with a regex"),
]


@pytest.mark.parametrize("path", ACCEPTED_PATHS)
def test_paths_aws_accepts_are_valid(path: str) -> None:
    assert validate_definition(_pass(Parameters={"x.$": path})) == []
    assert validate_definition(_pass(InputPath=path)) == []


@pytest.mark.parametrize(
    "call",
    ["States.StringToJson($.[0].body)", "States.Format('{} {}', $.t, $.a)    "],
    ids=["dot before a bracket in an argument", "trailing blanks after the call"],
)
def test_intrinsic_calls_aws_accepts_are_valid(call: str) -> None:
    assert validate_definition(_pass(Parameters={"x.$": call})) == []


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (
            "$.a[?(@.b==)]",
            "the filter at position 3 is not valid: expected a value or a path at position 5 of the filter",
        ),
        ("$.a[?(@.b > 1 &&)]", "the filter at position 3 is not valid: expected a value or a path at position 10"),
        ("$.a[?(@.b > 1]", "the filter at position 3 is not valid: a filter is written [?(expression)]"),
        ("$.a[?((@.b > 1)]", "the filter at position 3 is not valid: expected ')' at position 8 of the filter"),
        ("$.a[?(@.b == 'x)]", "the '[' at position 3 is never closed"),
        ("$.a[?(@.b > 1", "the '[' at position 3 is never closed"),
    ],
    ids=["operator without a value", "and without a comparison", "no closing parenthesis", "unbalanced group",
         "unclosed string", "unclosed bracket"],
)  # fmt: skip
def test_broken_filters_are_found(path: str, message: str) -> None:
    (problem,) = validate_definition(_pass(Parameters={"x.$": path}))
    assert problem.pointer == "$.States.A.Parameters['x.$']"
    assert message in problem.message, problem.message


def test_a_string_where_a_state_should_be_is_one_finding() -> None:
    doc = {"StartAt": "A", "States": {"QueryLanguage": "JSONata", "A": {"Type": "Pass", "End": True}}}
    (problem,) = validate_definition(doc)
    assert problem.pointer == "$.States.QueryLanguage"
    assert problem.message == "'QueryLanguage' must be an object, not a string"


YES_NO = """\
StartAt: Ask
States:
  Ask:
    Type: Choice
    Choices:
      - Variable: $.ok
        BooleanEquals: true
        Next: Yes
    Default: No
  Yes: {Type: Succeed}
  No: {Type: Fail, Error: Refused}
"""


def test_yaml_definitions_are_read_as_yaml_1_2(tmp_path: Path) -> None:
    """`Next: Yes` names the state `Yes:` (the Serverless Framework and AWS's editors read YAML 1.2: js-yaml)."""
    path = tmp_path / "machine.asl.yaml"
    path.write_text(YES_NO, encoding="utf-8")
    located = load_document(path)
    assert located.data["States"]["Ask"]["Default"] == "No"
    assert validate_definition(located.data) == []
    assert CliRunner().invoke(main, ["validate", str(path)]).exit_code == 0


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [
        ('{"StartAt": "A", // note\n "States": {}}', "1:18", "not valid JSON: Expecting property name"),
        ('{"StartAt": "A",\n "States": {},\n}', "3:1", "not valid JSON: Expecting property name"),
        ("{'StartAt': 'A', 'States': {}}", "1:2", "not valid JSON: Expecting property name"),
        ('{StartAt: "A", States: {}}', "1:2", "not valid JSON: Expecting property name"),
    ],
    ids=["comment", "trailing comma", "single quotes", "unquoted keys"],
)
def test_a_json_file_is_read_as_strict_json(text: str, where: str, what: str, tmp_path: Path) -> None:
    path = tmp_path / "machine.asl.json"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--format", "json", str(path)])
    assert result.exit_code == 1
    (problem,) = json.loads(result.stdout)["problems"]
    assert (f"{problem['line']}:{problem['column']}", problem["rule"], problem["severity"]) == (
        where,
        "unreadable-file",
        "error",
    )
    assert problem["message"].startswith(what) and problem["file"] == str(path)


def test_another_suffix_is_read_by_its_content(tmp_path: Path) -> None:
    as_yaml = tmp_path / "machine.asl"
    as_yaml.write_text(YES_NO, encoding="utf-8")
    assert CliRunner().invoke(main, ["validate", str(as_yaml)]).exit_code == 0
    neither = tmp_path / "notes.txt"
    neither.write_text("StartAt: [unclosed\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(neither)])
    assert result.exit_code == 1
    assert "notes.txt:2:1: not valid YAML or JSON" in result.output
