"""Differential test: every machine in tests/simulate_corpus/ runs through asl-gen's interpreter and moto's.

Each case must end with the same status, the same output (on success) and the same error name (on failure)
in both, having entered the same states (in the same order where nothing runs concurrently) and invoked its
tasks as many times (retries included), unless it is listed in ``simulate_corpus/known-differences.yaml``
with a reason; a listed case must still differ, so a fix on either side forces the list to shrink. The
figures (cases, agreed, known differences) are printed at the end of the module's run, and
``python bench/differential.py`` prints them with the list of differences.

Corpus format, one JSON file per case named ``<case id>.json``::

    {"description": "...", "covers": ["Pass", "States.Format", ...], "definition": {...}, "input": ...,
     "mocks": {Step Functions Local mock config}, "case": "test case name",   # only for Task states
     "compare_cause": true,                                                   # optional: causes must match
     "slow": true}                                                            # optional: moto sleeps >= 1 s

Task cases use services moto answers in-process (sts through ``aws-sdk``, DynamoDB on a table that does not
exist); their mocks give our interpreter what moto's service returns, so the comparison is of the data flow
and error handling around the task, not of the service.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.moto_sfn import MotoRun, moto_step_functions, run_machine

CORPUS = Path(__file__).resolve().parent / "simulate_corpus"
KNOWN_DIFFERENCES = CORPUS / "known-differences.yaml"
# asl-gen's interpreter names every execution this; moto's runs take the same name so that
# $$.Execution.Name and the ids built from it can be compared.
EXECUTION_NAME = "simulation"
WRONG_SIDES = {"moto", "ours", "unclear"}

STATE_TYPES = ("Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")
INTRINSICS = (
    "States.Format",
    "States.StringToJson",
    "States.JsonToString",
    "States.Array",
    "States.ArrayPartition",
    "States.ArrayContains",
    "States.ArrayRange",
    "States.ArrayGetItem",
    "States.ArrayLength",
    "States.ArrayUnique",
    "States.Base64Encode",
    "States.Base64Decode",
    "States.Hash",
    "States.JsonMerge",
    "States.MathRandom",
    "States.MathAdd",
    "States.StringSplit",
    "States.UUID",
)
CHOICE_FAMILIES = {
    "Choice.String": ("StringEquals", "StringLessThan", "StringGreaterThan", "StringLessThanEquals",
                      "StringGreaterThanEquals"),
    "Choice.StringMatches": ("StringMatches",),
    "Choice.Numeric": ("NumericEquals", "NumericLessThan", "NumericGreaterThan", "NumericLessThanEquals",
                       "NumericGreaterThanEquals"),
    "Choice.Boolean": ("BooleanEquals",),
    "Choice.Timestamp": ("TimestampEquals", "TimestampLessThan", "TimestampGreaterThan",
                         "TimestampLessThanEquals", "TimestampGreaterThanEquals"),
    "Choice.TypeTests": ("IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"),
}  # fmt: skip
# A tag naming a field is only true of a case whose definition uses that field somewhere.
FIELD_TAGS = {
    "InputPath": "InputPath",
    "OutputPath": "OutputPath",
    "Parameters": "Parameters",
    "ResultSelector": "ResultSelector",
    "ResultPath": "ResultPath",
    "Retry": "Retry",
    "Catch": "Catch",
    "Assign": "Assign",
    "And": "And",
    "Or": "Or",
    "Not": "Not",
    "Wait.Seconds": "Seconds",
    "Wait.SecondsPath": "SecondsPath",
    "Wait.Timestamp": "Timestamp",
    "Wait.TimestampPath": "TimestampPath",
    "Fail.Error": "Error",
    "Fail.Cause": "Cause",
    "Fail.ErrorPath": "ErrorPath",
    "Fail.CausePath": "CausePath",
    "Pass.Result": "Result",
    "Map.ItemsPath": "ItemsPath",
    "Map.ItemSelector": "ItemSelector",
    "Map.Parameters": "Parameters",
    "Map.MaxConcurrency": "MaxConcurrency",
    "Map.ToleratedFailurePercentage": "ToleratedFailurePercentage",
    "Map.ToleratedFailureCount": "ToleratedFailureCount",
    "Choice.Default": "Default",
    "JSONata.Output": "Output",
    "JSONata.Arguments": "Arguments",
    "JSONata.Condition": "Condition",
    "JSONata.Items": "Items",
}
# What the corpus as a whole must exercise (issue 6, part 5).
REQUIRED_TAGS = (
    *STATE_TYPES,
    *INTRINSICS,
    *CHOICE_FAMILIES,
    "Choice.Path",
    "And",
    "Or",
    "Not",
    "Wait.Seconds",
    "Wait.SecondsPath",
    "Wait.Timestamp",
    "Wait.TimestampPath",
    "Fail.Error",
    "Fail.Cause",
    "Fail.ErrorPath",
    "Fail.CausePath",
    "InputPath",
    "Parameters",
    "ResultSelector",
    "ResultPath",
    "ResultPath.null",
    "OutputPath",
    "ContextObject",
    "Map.ItemsPath",
    "Map.ItemSelector",
    "Map.Parameters",
    "Map.MaxConcurrency",
    "Map.ToleratedFailurePercentage",
    "Retry",
    "Catch",
    "Variables",
    "JSONata",
    "JSONata.Output",
    "JSONata.Arguments",
    "JSONata.Condition",
    "error.States.NoChoiceMatched",
    "error.States.ResultPathMatchFailure",
    "error.intrinsic",
)
MINIMUM_CASES = 60


@dataclass(frozen=True)
class Case:
    id: str
    description: str
    covers: tuple[str, ...]
    definition: dict[str, Any]
    input: Any
    mocks: dict[str, Any] | None
    mock_case: str | None
    compare_cause: bool
    slow: bool


@dataclass(frozen=True)
class Outcome:
    """What the comparison looks at: status, then output (success) or error name (failure), cause on request."""

    status: str
    output: str | None = None
    error: str | None = None
    cause: str | None = None
    # The states entered (in order where the run is sequential, sorted where branches interleave) and the
    # number of task invocations, retries included.
    path: tuple[str, ...] = ()
    task_attempts: int = 0

    def describe(self) -> str:
        if self.status == "SUCCEEDED":
            text = f"SUCCEEDED {self.output}"
        else:
            text = f"{self.status} {self.error}"
            text = text if self.cause is None else f"{text} ({self.cause})"
        return f"{text}; path {list(self.path)}; task attempts {self.task_attempts}"


def load_case(path: Path) -> Case:
    data = json.loads(path.read_text(encoding="utf-8"))
    unknown = set(data) - {"description", "covers", "definition", "input", "mocks", "case", "compare_cause", "slow"}
    assert not unknown, f"{path.name}: unknown keys {sorted(unknown)}"
    return Case(
        id=path.stem,
        description=data["description"],
        covers=tuple(data["covers"]),
        definition=data["definition"],
        input=data["input"],
        mocks=data.get("mocks"),
        mock_case=data.get("case"),
        compare_cause=bool(data.get("compare_cause", False)),
        slow=bool(data.get("slow", False)),
    )


def load_corpus() -> list[Case]:
    return [load_case(path) for path in sorted(CORPUS.glob("*.json"))]


def load_known_differences() -> dict[str, dict[str, str]]:
    data = yaml.safe_load(KNOWN_DIFFERENCES.read_text(encoding="utf-8")) or {}
    assert isinstance(data, dict), f"{KNOWN_DIFFERENCES.name}: expected a mapping of case id to reason"
    return data


CASES = load_corpus()
KNOWN = load_known_differences()


def _canonical(value: Any) -> str:
    # sort_keys: key order is not part of a JSON object's value; floats keep their spelling (1 vs 1.0 differ).
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def outcome_of(
    status: str,
    output: Any,
    error: str | None,
    cause: str | None,
    case: Case,
    path: Sequence[str] = (),
    task_attempts: int = 0,
) -> Outcome:
    # Parallel branches and Map iterations run concurrently: their states interleave in any order, and when
    # one fails, how far the others got before being stopped is a matter of timing (in AWS too).
    if not _runs_branches(case):
        steps = tuple(path)
    elif status == "SUCCEEDED":
        steps = tuple(sorted(path))
    else:
        steps = ()
    if status == "SUCCEEDED":
        return Outcome(status, output=_canonical(output), path=steps, task_attempts=task_attempts)
    return Outcome(
        status, error=error, cause=cause if case.compare_cause else None, path=steps, task_attempts=task_attempts
    )


def _runs_branches(case: Case) -> bool:
    return bool({"Parallel", "Map"} & _uses(case)[1])


def moto_outcome(run: MotoRun, case: Case) -> Outcome:
    if run.status in ("INVALID", "STUCK"):
        return Outcome(run.status, error="moto", cause=run.cause)
    return outcome_of(run.status, run.output, run.error, run.cause, case, run.entered, run.task_attempts)


def our_outcome(case: Case) -> Outcome:
    from asl_gen.errors import AslGenError
    from asl_gen.simulate import simulate_definition

    try:
        result = simulate_definition(
            case.definition, case.input, mocks=case.mocks, case=case.mock_case, machine_name=case.id
        )
    except AslGenError as exc:
        # The interpreter refused the run (e.g. a feature it does not support): a difference, not a crash.
        return Outcome("REFUSED", error=type(exc).__name__, cause=str(exc))
    return outcome_of(result.status, result.output, result.error, result.cause, case, result.path, len(result.calls))


def _walk(node: Any) -> Iterator[tuple[str | None, Any]]:
    """Every (key, value) pair in a definition, at any depth; list items come with key None."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield None, item
            yield from _walk(item)


def _uses(case: Case) -> tuple[set[str], set[str], str]:
    keys = {key for key, _ in _walk(case.definition) if key is not None}
    state_types = {value for key, value in _walk(case.definition) if key == "Type" and isinstance(value, str)}
    return keys, state_types, json.dumps(case.definition)


def _tag_is_true(tag: str, case: Case) -> bool | None:
    """Whether the definition shows what the tag claims; None for tags no simple look can check."""
    keys, state_types, text = _uses(case)
    bare_keys = {key.removesuffix(".$") for key in keys}
    if tag in STATE_TYPES:
        return tag in state_types
    if tag in INTRINSICS:
        return re.search(re.escape(tag) + r"\(", text) is not None
    if tag in CHOICE_FAMILIES:
        return any(op in keys or f"{op}Path" in keys for op in CHOICE_FAMILIES[tag])
    if tag == "Choice.Path":
        return any(key.endswith("Path") and key.startswith(("String", "Numeric", "Boolean", "Timestamp"))
                   for key in keys)  # fmt: skip
    if tag in FIELD_TAGS:
        return FIELD_TAGS[tag] in bare_keys
    if tag in ("ResultPath.null", "InputPath.null", "OutputPath.null"):
        field_name = tag.removesuffix(".null")
        return any(key == field_name and value is None for key, value in _walk(case.definition))
    if tag == "ContextObject":
        return "$$." in text
    if tag == "JSONata":
        return "{%" in text
    if tag == "Variables":
        return "Assign" in keys
    if tag == "Map.Distributed":
        return '"DISTRIBUTED"' in text
    if tag in ("Parallel.nested", "Map.nested"):
        kind = tag.split(".")[0]
        return text.count(f'"Type": "{kind}"') >= 2
    return None


# ---- the corpus itself ------------------------------------------------------------------------------------


def test_corpus_is_large_enough_and_ids_are_unique() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) >= MINIMUM_CASES, f"{len(ids)} cases; the corpus needs at least {MINIMUM_CASES}"
    assert len(set(ids)) == len(ids)


def test_corpus_covers_the_language() -> None:
    covered = {tag for case in CASES for tag in case.covers}
    missing = [tag for tag in REQUIRED_TAGS if tag not in covered]
    assert not missing, f"no corpus case covers {missing}"


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case_covers_what_it_claims(case: Case) -> None:
    assert case.description, "every case says what it shows"
    assert case.covers, "every case lists what it covers"
    false = [tag for tag in case.covers if _tag_is_true(tag, case) is False]
    assert not false, f"{case.id} claims {false} but its definition does not use them"
    if "Task" in _uses(case)[1]:
        assert case.mocks is not None and case.mock_case, "a Task case carries mocks for our interpreter"


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case_passes_asl_gen_validation(case: Case) -> None:
    # Every machine is one AWS would accept, so that a difference is about running it, not about loading it.
    from asl_gen.lint import validate_definition

    problems = validate_definition(case.definition, source=f"{case.id}.json")
    assert not problems, [str(problem) for problem in problems]


def test_known_differences_name_corpus_cases_with_reasons() -> None:
    ids = {case.id for case in CASES}
    for case_id, entry in KNOWN.items():
        assert case_id in ids, f"known-differences.yaml names {case_id!r}, which is not in the corpus"
        assert isinstance(entry, dict) and entry.get("reason"), f"{case_id}: give a reason"
        assert entry.get("wrong") in WRONG_SIDES, f"{case_id}: wrong must be one of {sorted(WRONG_SIDES)}"


def test_outcomes_tell_apart_what_json_tells_apart() -> None:
    case = Case("c", "d", ("Pass",), {}, {}, None, None, compare_cause=False, slow=False)
    with_cause = Case("c", "d", ("Fail",), {}, {}, None, None, compare_cause=True, slow=False)

    def succeeded(output: Any) -> Outcome:
        return outcome_of("SUCCEEDED", output, None, None, case)

    assert succeeded({"a": 1, "b": 2}) == succeeded({"b": 2, "a": 1})
    assert succeeded({"n": 1}) != succeeded({"n": 1.0})
    assert succeeded([True]) != succeeded([1])
    assert succeeded("123") != succeeded(123)
    assert succeeded(None) != succeeded({})
    failed = outcome_of("FAILED", None, "States.Runtime", "one cause", case)
    assert failed == outcome_of("FAILED", None, "States.Runtime", "another cause", case)
    assert failed != outcome_of("FAILED", None, "States.TaskFailed", "one cause", case)
    assert outcome_of("FAILED", None, "E", "one", with_cause) != outcome_of("FAILED", None, "E", "two", with_cause)
    assert outcome_of("SUCCEEDED", 1, None, None, case, ["A", "B"]) != outcome_of(
        "SUCCEEDED", 1, None, None, case, ["B", "A"]
    )
    assert outcome_of("SUCCEEDED", 1, None, None, case, task_attempts=1) != outcome_of(
        "SUCCEEDED", 1, None, None, case, task_attempts=2
    )


# ---- moto and ours ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def moto_run() -> Iterator[Callable[[Case], MotoRun]]:
    """Each case's run in moto, made when a test first asks for it, so that -k runs only the selected cases."""
    runs: dict[str, MotoRun] = {}
    with moto_step_functions() as client:

        def run(case: Case) -> MotoRun:
            if case.id not in runs:
                runs[case.id] = run_machine(client, case.id, case.definition, case.input, execution_name=EXECUTION_NAME)
            return runs[case.id]

        yield run


@dataclass
class Tally:
    agreed: list[str]
    known: list[str]
    disagreed: list[str]


@pytest.fixture(scope="module")
def tally(request: pytest.FixtureRequest) -> Iterator[Tally]:
    counts = Tally([], [], [])
    yield counts
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None or not (counts.agreed or counts.known or counts.disagreed):
        return
    ran = len(counts.agreed) + len(counts.known) + len(counts.disagreed)
    # Fixture teardown runs under output capture; the figures are for the person reading the run.
    with capture.global_and_fixture_disabled():
        reporter.write_line("")
        reporter.write_line(
            f"differential corpus: {ran} of {len(CASES)} cases compared, {len(counts.agreed)} agreed with moto, "
            f"{len(counts.known)} known differences, {len(counts.disagreed)} unexpected differences"
        )


# A slow case makes moto sleep a second or more in real time (a Wait, a Retry interval); -m "not slow" skips it.
@pytest.mark.parametrize(
    "case", [pytest.param(case, id=case.id, marks=[pytest.mark.slow] if case.slow else []) for case in CASES]
)
def test_interpreter_agrees_with_moto(case: Case, moto_run: Callable[[Case], MotoRun], tally: Tally) -> None:
    pytest.importorskip("asl_gen.simulate", reason="the interpreter (branch simulate) is not merged yet")
    run = moto_run(case)
    assert run.status != "STUCK", f"{case.id}: moto never finished"
    theirs = moto_outcome(run, case)
    ours = our_outcome(case)
    if case.id in KNOWN:
        tally.known.append(case.id)
        assert ours != theirs, (
            f"{case.id} now agrees with moto ({ours.describe()}); remove it from known-differences.yaml "
            f"(it said: {KNOWN[case.id]['reason']})"
        )
        return
    if ours == theirs:
        tally.agreed.append(case.id)
        return
    tally.disagreed.append(case.id)
    pytest.fail(f"{case.id}: {case.description}\n  ours: {ours.describe()}\n  moto: {theirs.describe()}")
