"""Diagrams of ASL definitions: every state and transition drawn, any state name safe, Mermaid and DOT golden."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from asl_gen.graph import build_graph, describe_rule, dot_text, markdown, mermaid_text, to_data, to_dot, to_mermaid

GRAPHS = Path(__file__).parent / "graphs"
INPUTS = sorted(GRAPHS.glob("*.asl.json"))
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "conformance" / "asl" / "valid"
HOSTILE = [
    'a "quoted" name',
    "hash # and ; semicolon",
    "pipe | bar",
    "[square] {curly} (round)",
    "<b>html</b> & amp",
    "`back` ticks ```",
    "%% not a comment",
    "end",
    "subgraph",
    "o",
    "x",
    "--> arrow",
    "back\\slash \\N \\G",
    "new\nline",
    "ünïcödé 名前 🚀",
    "#quot; entity",
    ":::class",
    "",
    " ",
]


def _definition(name: str) -> dict[str, Any]:
    return json.loads((GRAPHS / name).read_text(encoding="utf-8"))


def _hostile_definition() -> dict[str, Any]:
    states: dict[str, Any] = {}
    for index, name in enumerate(HOSTILE):
        states[name] = {"Type": "Pass", "Next": HOSTILE[index + 1]} if index + 1 < len(HOSTILE) else {"Type": "Succeed"}
    return {"StartAt": HOSTILE[0], "States": states}


def _states(scope: Any) -> list[str]:
    """Every state name in a definition, nested scopes included."""
    names: list[str] = []
    for name, state in scope.get("States", {}).items():
        names.append(name)
        for branch in state.get("Branches", []):
            names += _states(branch)
        processor = state.get("ItemProcessor", state.get("Iterator"))
        if processor:
            names += _states(processor)
    return names


def _transitions(scope: Any) -> int:
    """How many arrows a definition implies: start, Next, End, Choice rules, Default, Catch."""
    count = 1
    for state in scope.get("States", {}).values():
        count += sum(1 for rule in state.get("Choices", []) if "Next" in rule)
        count += "Default" in state
        count += "Next" in state and state.get("Type") != "Choice"
        count += "Next" not in state and (state.get("End") is True or state.get("Type") in ("Succeed", "Fail"))
        count += len(state.get("Catch", []))
        for branch in state.get("Branches", []):
            count += _transitions(branch)
        processor = state.get("ItemProcessor", state.get("Iterator"))
        if processor:
            count += _transitions(processor)
    return count


def _corpus() -> list[Path]:
    return sorted(CORPUS.glob("*.json")) if CORPUS.is_dir() else []


@pytest.mark.parametrize("source", INPUTS, ids=[p.name for p in INPUTS])
@pytest.mark.parametrize("fmt", ["mmd", "dot"])
def test_diagram_matches_golden_file(source: Path, fmt: str, update_golden: bool) -> None:
    definition = json.loads(source.read_text(encoding="utf-8"))
    name = source.name.removesuffix(".asl.json")
    text = to_mermaid(definition) if fmt == "mmd" else to_dot(definition, name)
    golden = GRAPHS / "expected" / f"{name}.{fmt}"
    if update_golden:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8"), f"{golden.name} differs (rerun with --update-golden)"


@pytest.mark.parametrize("source", INPUTS + _corpus(), ids=lambda p: p.name)
def test_every_state_is_drawn_once_and_every_transition_is_an_edge(source: Path) -> None:
    definition = json.loads(source.read_text(encoding="utf-8"))
    data = to_data(definition)
    drawn = [n["name"] for n in data["nodes"] if n["type"] != "Missing"]
    assert sorted(drawn) == sorted(_states(definition))
    assert len(data["edges"]) == _transitions(definition)
    ids = {n["id"] for n in data["nodes"]}
    markers = {e["from"] for e in data["edges"] if e["kind"] == "start"} | {
        e["to"] for e in data["edges"] if e["kind"] == "end"
    }
    assert {e["from"] for e in data["edges"]} | {e["to"] for e in data["edges"]} <= ids | markers


def test_catch_edges_are_dashed_and_name_their_errors() -> None:
    text = to_mermaid(_definition("deploy-and-wait.asl.json"))
    assert 's1 -.->|"SageMaker.AmazonSageMakerException, States.Timeout"| s7' in text
    assert 's5 -.->|"States.ALL"| s7' in text
    dot = to_dot(_definition("deploy-and-wait.asl.json"))
    assert 's1 -> s7 [style=dashed, label="SageMaker.AmazonSageMakerException, States.Timeout"];' in dot


def test_choice_rules_label_their_edges_and_default_is_labelled() -> None:
    edges = to_data(_definition("deploy-and-wait.asl.json"))["edges"]
    labels = [e["label"] for e in edges if e["from"] == "s4"]
    assert labels == [
        '$.endpoint.Status == "InService"',
        '$.endpoint.Status == "Creating" or (not ($.endpoint.Status is present))',
        "Default",
    ]


def test_parallel_branches_and_map_processors_are_nested_boxes() -> None:
    data = to_data(_definition("deploy-and-wait.asl.json"))
    parent = {n["name"]: n["parent"] for n in data["nodes"]}
    ids = {n["name"]: n["id"] for n in data["nodes"]}
    assert parent["Score each #item"] == ids["Score | in parallel"]
    assert parent["Invoke <endpoint>"] == ids["Score each #item"]
    text = to_mermaid(_definition("deploy-and-wait.asl.json"))
    assert 'subgraph s5["Score #124; in parallel (Parallel)"]' in text
    assert 'subgraph branch1["Branch 1"]' in text
    assert 'subgraph s8["Score each #35;item (Map)"]' in text
    dot = to_dot(_definition("deploy-and-wait.asl.json"))
    assert "subgraph cluster_s5 {" in dot and "subgraph cluster_s8 {" in dot
    assert "s4 -> start1 [lhead=cluster_s5" in dot


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"Variable": "$.n", "NumericGreaterThanEquals": 3}, "$.n >= 3"),
        ({"Variable": "$.n", "NumericLessThanPath": "$.max"}, "$.n < $.max"),
        ({"Variable": "$.s", "StringMatches": "log-*"}, '$.s matches "log-*"'),
        ({"Variable": "$.b", "BooleanEquals": False}, "$.b == false"),
        ({"Variable": "$.t", "IsNull": False}, "$.t is not null"),
        ({"Variable": "$.t", "TimestampLessThan": "2024-01-01T00:00:00Z"}, '$.t < "2024-01-01T00:00:00Z"'),
        (
            {"And": [{"Variable": "$.a", "IsPresent": True}, {"Or": [{"Variable": "$.b", "NumericEquals": 1}]}]},
            "$.a is present and ($.b == 1)",
        ),
        ({"Condition": "{% $states.input.n > 1 %}"}, "{% $states.input.n > 1 %}"),
    ],
)
def test_choice_rule_descriptions(rule: dict[str, Any], expected: str) -> None:
    assert describe_rule(rule) == expected


def _unescape_mermaid(label: str) -> str:
    return re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), label)


def test_any_state_name_is_safe_in_mermaid_and_comes_back_verbatim() -> None:
    text = to_mermaid(_hostile_definition())
    labels = re.findall(r'^\s+s\d+[(\[{]+"([^"]*)"[)\]}]+', text, flags=re.MULTILINE)
    decoded = [_unescape_mermaid(label) for label in labels]
    assert decoded == [name or "\u00a0" for name in HOSTILE]
    for label in labels:
        assert not set(label) & set('"|`<>[]{}%\n\\'), label
    # Ids are generated, so no name can become a keyword (`end`, `subgraph`) or an arrow.
    assert all(
        re.fullmatch(r"\s+(s\d+[(\[{].*|start\d+.*|stop\d+.*|\S+ -\.?->(\|.*\|)? \S+|classDef .*)", line)
        for line in text.splitlines()[1:]
    )


def _unescape_dot(literal: str) -> str:
    assert literal.startswith('"') and literal.endswith('"')
    return re.sub(r"\\(.)", lambda m: {"n": "\n"}.get(m.group(1), m.group(1)), literal[1:-1])


def test_any_state_name_is_safe_in_dot_and_comes_back_verbatim() -> None:
    text = to_dot(_hostile_definition(), 'a "machine" \\ name')
    labels = re.findall(r'^\s+s\d+ \[label=("(?:[^"\\]|\\.)*")', text, flags=re.MULTILINE)
    assert [_unescape_dot(label) for label in labels] == HOSTILE
    assert text.startswith('digraph "a \\"machine\\" \\\\ name" {')
    assert dot_text("tab\there") == '"tab\\\\x09here"'


def test_escaping_keeps_plain_words_readable() -> None:
    assert mermaid_text("Train model-v2: step 1/3 (fast), ok?") == "Train model-v2: step 1/3 (fast), ok?"
    assert mermaid_text("$.status == 'done'") == "$.status == 'done'"


def test_missing_targets_are_drawn_not_dropped() -> None:
    definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}}
    data = to_data(definition)
    assert [(n["name"], n["type"]) for n in data["nodes"]] == [("A", "Pass"), ("Nowhere", "Missing")]
    assert "missing stroke-dasharray" in to_mermaid(definition)


def test_markdown_page_keeps_the_diagram_fenced_whatever_the_comment() -> None:
    definition = {"Comment": "```\n# not a heading <script>", "StartAt": "A", "States": {"A": {"Type": "Succeed"}}}
    page = markdown(definition, "proj-machine", "machine.asl.json")
    assert page.count("```") == 2
    assert "\\`\\`\\` \\# not a heading \\<script\\>" in page
    assert page.splitlines()[0] == "# proj-machine"


def test_graph_of_an_empty_or_odd_document_does_not_crash() -> None:
    for document in ({}, {"States": []}, {"StartAt": 3, "States": {"A": "not a state"}}):
        build_graph(document)
        to_mermaid(document)
        to_dot(document)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz (dot) is not installed")
@pytest.mark.parametrize("source", INPUTS, ids=[p.name for p in INPUTS])
def test_graphviz_renders_the_dot_output(source: Path, tmp_path: Path) -> None:
    text = to_dot(json.loads(source.read_text(encoding="utf-8")), source.name)
    run = subprocess.run(["dot", "-Tsvg"], input=text, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert "<svg" in run.stdout


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz (dot) is not installed")
def test_graphviz_shows_hostile_names_verbatim() -> None:
    run = subprocess.run(
        ["dot", "-Tsvg"], input=to_dot(_hostile_definition()), capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    assert "back\\slash \\N \\G" in run.stdout
    assert "a &quot;quoted&quot; name" in run.stdout or 'a "quoted" name' in run.stdout
