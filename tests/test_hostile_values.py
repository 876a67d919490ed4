"""Hostile strings in every user-supplied string field: written intact and correctly escaped, or refused cleanly.

Each run puts one hostile value into one field of the example spec (written as YAML or JSON), builds it in
process and checks: exit 0 or 2, never 3 or a traceback; a refusal is one located line per problem plus the
"N problems found" line, and nothing is written; a success writes only under out/<project>/, every file is
strict JSON listed in the manifest, the value reads back exactly where the field lands, IAM strings hold no
control characters, and `asl-gen check` passes at once.

Two suites: a fixed corpus tried in every field (deterministic), and hypothesis drawing further values,
mostly near-valid ones (a valid value with a hostile fragment inside), with `derandomize=True` so CI sees
the same examples on every run and no example database is written: 30 of them in the fast suite, 150 in the
slow step (`python -m pytest -m slow`).
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asl_gen.cli import main
from asl_gen.write import MANIFEST

from .conftest import EXAMPLE
from .figures import report

Spec = dict[str, Any]
Docs = dict[str, Any]


def _base() -> Spec:
    """The example, plus the optional string fields it leaves out, so that every kind of field is there."""
    spec: Spec = yaml.safe_load(EXAMPLE.read_text())
    train = spec["jobs"]["train"]
    train["comment"] = "Train the model"
    train["environment"] = {"MODE": "train"}
    spec["jobs"]["model"]["environment"] = {"MODE": "serve"}
    spec["jobs"]["endpoint-config"]["tags"] = {"team": "ml"}
    return spec


BASE = _base()
VALID_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:1.0"
VALID_MODEL_DATA = "s3://slytherins-test/models/model.tar.gz"


# ---------------------------------------------------------------------------------------------------------
# Where a value goes in, and where it must come out


def _task(docs: Docs, machine: str, action: str) -> dict[str, Any]:
    """The state of `machine` whose Resource calls `action` (state names themselves may be under test)."""
    for state in docs[f"{machine}.asl.json"]["States"].values():
        if state.get("Resource", "").split(":")[-1].removesuffix(".sync") == action:
            return dict(state)
    raise AssertionError(f"no {action} state in {machine}")


def _params(docs: Docs, machine: str, action: str) -> dict[str, Any]:
    return dict(_task(docs, machine, action)["Parameters"])


def _trust(docs: Docs) -> dict[str, Any]:
    return dict(docs["iam/stepfunctions-trust-policy.json"]["Statement"][0]["Condition"])


def _rename(mapping: dict[str, Any], old: str, new: str) -> None:
    """Rename a key in place, keeping the order of the others."""
    items = [(new if k == old else k, v) for k, v in mapping.items()]
    mapping.clear()
    mapping.update(items)


def _rename_job(spec: Spec, new: str) -> None:
    _rename(spec["jobs"], "train", new)
    spec["jobs"]["model"]["from"] = new
    spec["state_machines"]["training"] = [new]
    spec["state_machines"]["pipeline"]["steps"][0] = new


def _rename_input(spec: Spec, new: str) -> None:
    _rename(spec["inputs"], "TrainingJobName", new)
    spec["jobs"]["train"]["name"] = {"input": new}


def _model_from_data(spec: Spec, model_data: str, image: str) -> None:
    model = spec["jobs"]["model"]
    del model["from"]
    model["model_data"] = model_data
    model["image"] = image


def _name_from_new_input(spec: Spec, value: str) -> None:
    spec["inputs"][value] = "string"
    spec["jobs"]["endpoint"]["name"] = {"input": value}


def _image(spec: Spec, value: str) -> None:
    del spec["jobs"]["train"]["algorithm"]
    spec["jobs"]["train"]["image"] = value


def _set(*path: str | int) -> Callable[[Spec, str], None]:
    def inject(spec: Spec, value: str) -> None:
        node: Any = spec
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return inject


def _channel(docs: Docs) -> dict[str, Any]:
    return dict(_params(docs, "training", "createTrainingJob")["InputDataConfig"][0])


@dataclass(frozen=True)
class Field:
    """One user-supplied string: how to put a value there, its valid value, and where it lands when accepted.

    `lands` is None for fields whose accepted values are closed sets (regions, types, references) or that
    reach no generated file (the Step Functions role's name only names the role the policies are for).
    `free_text` fields may hold any character; every other field names or addresses something, and a control
    character there can only be a mistake or an attack.
    """

    name: str
    inject: Callable[[Spec, str], None]
    valid: str
    lands: Callable[[Docs, str], bool] | None
    free_text: bool = False


FIELDS = [
    Field(
        "project",
        _set("project"),
        "big-mart",
        lambda d, v: f":stateMachine:{v}-pipeline" in _trust(d)["ArnLike"]["aws:SourceArn"][-1],
    ),
    Field(
        "aws.region",
        _set("aws", "region"),
        "us-east-1",
        lambda d, v: f":states:{v}:" in _trust(d)["ArnLike"]["aws:SourceArn"][0],
    ),
    Field(
        "aws.account",
        _set("aws", "account"),
        "123456789012",
        lambda d, v: _trust(d)["StringEquals"]["aws:SourceAccount"] == v,
    ),
    Field("aws.partition", _set("aws", "partition"), "aws", None),
    Field(
        "roles.sagemaker.arn",
        _set("roles", "sagemaker", "arn"),
        "arn:aws:iam::123456789012:role/big-mart-sagemaker",
        lambda d, v: _params(d, "training", "createTrainingJob")["RoleArn"] == v,
    ),
    Field("roles.stepfunctions.name", _set("roles", "stepfunctions", "name"), "big-mart-step-functions", None),
    Field(
        "inputs key",
        _rename_input,
        "TrainingJobName",
        lambda d, v: (
            _params(d, "training", "createTrainingJob")["TrainingJobName.$"] == f"$$.Execution.Input.{v}"
            and v in d["inputs/training.schema.json"]["properties"]
        ),
    ),
    Field("inputs type", _set("inputs", "ModelName"), "string", None),
    Field(
        "jobs key",
        _rename_job,
        "train",
        lambda d, v: _task(d, "training", "createTrainingJob")["ResultPath"] == f"$.{v.replace('-', '_')}",
    ),
    Field("job type", _set("jobs", "endpoint", "type"), "endpoint", None),
    Field(
        "state machine key",
        lambda s, v: _rename(s["state_machines"], "training", v),
        "training",
        lambda d, v: f"{v}.asl.json" in d,
    ),
    Field("state machine step", _set("state_machines", "training", 0), "train", None),
    Field(
        "literal name",
        _set("jobs", "train", "name"),
        "churn-train-v1",
        lambda d, v: _params(d, "training", "createTrainingJob")["TrainingJobName"] == v,
    ),
    Field(
        "name prefix",
        lambda s, v: s["jobs"]["endpoint"].update(name={"prefix": v}),
        "churn-endpoint",
        lambda d, v: _params(d, "deploy", "createEndpoint")["EndpointName.$"].startswith(f"States.Format('{v}-{{}}'"),
    ),
    Field(
        "name input",
        _name_from_new_input,
        "DeployedName",
        lambda d, v: _params(d, "deploy", "createEndpoint")["EndpointName.$"] == f"$$.Execution.Input.{v}",
    ),
    Field(
        "state_name",
        _set("jobs", "train", "state_name"),
        "Training Step",
        lambda d, v: d["training.asl.json"]["StartAt"] == v and v in d["training.asl.json"]["States"],
    ),
    Field(
        "job comment",
        _set("jobs", "train", "comment"),
        "Train the model",
        # An empty comment counts as none: the state gets asl-gen's default comment instead.
        lambda d, v: _task(d, "training", "createTrainingJob")["Comment"] == v if v else True,
        free_text=True,
    ),
    Field(
        "state machine comment",
        _set("state_machines", "pipeline", "comment"),
        "Train and deploy",
        lambda d, v: d["pipeline.asl.json"]["Comment"] == v if v else True,
        free_text=True,
    ),
    Field(
        "tag key",
        lambda s, v: s["jobs"]["train"].update(tags={v: "big-mart"}),
        "project",
        lambda d, v: {"Key": v, "Value": "big-mart"} in _params(d, "training", "createTrainingJob")["Tags"],
    ),
    Field(
        "tag value",
        _set("jobs", "train", "tags", "project"),
        "big-mart",
        lambda d, v: {"Key": "project", "Value": v} in _params(d, "training", "createTrainingJob")["Tags"],
    ),
    Field(
        "endpoint-config tag value",
        _set("jobs", "endpoint-config", "tags", "team"),
        "ml",
        lambda d, v: {"Key": "team", "Value": v} in _params(d, "configure-endpoint", "createEndpointConfig")["Tags"],
    ),
    Field(
        "environment key",
        lambda s, v: s["jobs"]["train"]["environment"].update({v: "1"}),
        "LOG_LEVEL",
        lambda d, v: _params(d, "training", "createTrainingJob")["Environment"][v] == "1",
    ),
    Field(
        "environment value",
        _set("jobs", "train", "environment", "MODE"),
        "train",
        lambda d, v: _params(d, "training", "createTrainingJob")["Environment"]["MODE"] == v,
        free_text=True,
    ),
    Field(
        "model environment value",
        _set("jobs", "model", "environment", "MODE"),
        "serve",
        lambda d, v: _params(d, "save-model", "createModel")["PrimaryContainer"]["Environment"]["MODE"] == v,
        free_text=True,
    ),
    Field(
        "hyperparameter key",
        lambda s, v: s["jobs"]["train"]["hyperparameters"].update({v: "1"}),
        "max_depth",
        lambda d, v: _params(d, "training", "createTrainingJob")["HyperParameters"][v] == "1",
        free_text=True,
    ),
    Field(
        "hyperparameter value",
        _set("jobs", "train", "hyperparameters", "objective"),
        "reg:squarederror",
        lambda d, v: _params(d, "training", "createTrainingJob")["HyperParameters"]["objective"] == v,
        free_text=True,
    ),
    Field(
        "channel name",
        lambda s, v: _rename(s["jobs"]["train"]["channels"], "train", v),
        "train",
        lambda d, v: _channel(d)["ChannelName"] == v,
    ),
    Field(
        "channel S3 URI",
        _set("jobs", "train", "channels", "train", "s3"),
        "s3://slytherins-test/sagemaker/big-mart-pipeline/train",
        lambda d, v: _channel(d)["DataSource"]["S3DataSource"]["S3Uri"] == v,
    ),
    Field(
        "channel content type",
        _set("jobs", "train", "channels", "train", "content_type"),
        "text/csv",
        lambda d, v: _channel(d)["ContentType"] == v,
        free_text=True,
    ),
    Field("channel compression", _set("jobs", "train", "channels", "train", "compression"), "Gzip", None),
    Field("channel data type", _set("jobs", "train", "channels", "train", "data_type"), "S3Prefix", None),
    Field(
        "output S3 URI",
        _set("jobs", "train", "output"),
        "s3://slytherins-test/sagemaker/big-mart-pipeline/output",
        lambda d, v: _params(d, "training", "createTrainingJob")["OutputDataConfig"]["S3OutputPath"] == v,
    ),
    Field(
        "training image",
        _image,
        VALID_IMAGE,
        lambda d, v: _params(d, "training", "createTrainingJob")["AlgorithmSpecification"]["TrainingImage"] == v,
    ),
    Field("algorithm name", _set("jobs", "train", "algorithm", "name"), "xgboost", None),
    Field("algorithm version", _set("jobs", "train", "algorithm", "version"), "1.7-1", None),
    Field("input mode", _set("jobs", "train", "input_mode"), "File", None),
    Field("instance type", _set("jobs", "train", "instance", "type"), "ml.m5.xlarge", None),
    Field("model from", _set("jobs", "model", "from"), "train", None),
    Field(
        "model data",
        lambda s, v: _model_from_data(s, v, VALID_IMAGE),
        VALID_MODEL_DATA,
        lambda d, v: _params(d, "save-model", "createModel")["PrimaryContainer"]["ModelDataUrl"] == v,
    ),
    Field(
        "model image",
        lambda s, v: _model_from_data(s, VALID_MODEL_DATA, v),
        VALID_IMAGE,
        lambda d, v: _params(d, "save-model", "createModel")["PrimaryContainer"]["Image"] == v,
    ),
    Field(
        "variant name",
        _set("jobs", "endpoint-config", "variants", 0, "name"),
        "AllTraffic",
        lambda d, v: (
            _params(d, "configure-endpoint", "createEndpointConfig")["ProductionVariants"][0]["VariantName"] == v
        ),
    ),
    Field("variant model", _set("jobs", "endpoint-config", "variants", 0, "model"), "model", None),
    Field("endpoint config", _set("jobs", "endpoint", "config"), "endpoint-config", None),
]
FIELD_NAMES = [f.name for f in FIELDS]
assert len(set(FIELD_NAMES)) == len(FIELD_NAMES)

# ---------------------------------------------------------------------------------------------------------
# The hostile values

CORPUS = [
    'say "hi", it\'s',
    "back\\slash\\ \\u0000 \\n as text",
    "{{ 7 * 7 }}",
    "{% if true %}x{% endif %}{# comment #}",
    "${AWS::Region} ${aws:username}",
    "$.States $$.Execution.Input.Name States.Format('{}', $.x)",
    '", "Resource": "*", "x": "}]}',
    "line\nbreak\r\n",
    "tab\tcontrol\x01\x1b[31mred\x7f",
    "nul\x00byte",
    "next\x85line\u2028sep\u2029par",
    "rtl \u202eevil\u202c \u200f \u2066x\u2069 zero\u200bwidth\ufeffbom",
    "look-alikes \u0430\u0455 \uff53\uff13 \u212a",  # Cyrillic a s, fullwidth s 3, Kelvin sign
    "\U0001f680 astral e\u0301",
    "../../etc/passwd",
    "/etc/passwd",
    "C:\\Windows\\system32 \\\\server\\share",
    "*?",
    "<script>&amp;",
    " ",
    "",
    "x" * 5000,
]

# Fragments for near-valid values: most fields are strict, so a value that is valid but for one fragment
# reaches further into the pipeline than a random string does.
FRAGMENTS = [
    "\n",
    "\r",
    "\t",
    "\x00",
    "\x7f",
    "\x85",
    "\u2028",
    "\u202e",
    "\u200b",
    "\ufeff",
    '"',
    "'",
    "\\",
    "{{",
    "}}",
    "{%",
    "%}",
    "${",
    "}",
    "$",
    "*",
    "?",
    "/",
    "../",
    " ",
    "-",
    "_",
    ".",
    ":",
    "@",
    "\u0430",
    "\u0131",
    "\u017f",
    "\u212a",  # Kelvin sign: lowercases to a Latin k
    "A",
]


@st.composite
def _near_valid(draw: st.DrawFn, valid: str) -> str:
    text = valid
    for _ in range(draw(st.integers(1, 3))):
        fragment = draw(st.sampled_from(FRAGMENTS))
        where = draw(st.integers(0, len(text)))
        text = text[:where] + fragment + text[where:]
    return text


def _values(valid: str) -> st.SearchStrategy[str]:
    fragment = st.sampled_from(FRAGMENTS)
    return st.one_of(
        # The edges first: a validator anchored with Python's `$` lets a final newline through.
        fragment.map(lambda f: valid + f),
        fragment.map(lambda f: f + valid),
        _near_valid(valid),
        st.sampled_from(CORPUS),
        st.lists(fragment | st.text(max_size=4), max_size=6).map("".join),
        st.integers(1, 300).map(lambda n: valid + "x" * n),
        st.text(min_size=1, max_size=30),
    )


CASES = st.sampled_from(FIELDS).flatmap(
    lambda f: st.tuples(st.just(f), _values(f.valid), st.sampled_from(["yaml", "yaml-ascii", "json", "json-ascii"]))
)

# ---------------------------------------------------------------------------------------------------------
# One run and its checks

# libyaml when present: the harness writes and re-reads a spec per run, and the pure-Python codec is slow.
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PROBLEMS_FOUND = re.compile(r"^(\d+) problems? found$")
# Unicode's control characters (category Cc): C0, DEL and C1.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _spec_text(spec: Spec, form: str) -> str:
    if form.startswith("json"):
        return json.dumps(spec, ensure_ascii=form == "json-ascii", indent=1)
    return yaml.dump(spec, Dumper=_Dumper, allow_unicode=form == "yaml", sort_keys=False, width=1_000_000)


def _strict_json(path: Path) -> Any:
    def refuse(name: str) -> Any:
        raise AssertionError(f"{path.name}: {name} is not JSON")

    return json.loads(path.read_bytes().decode("utf-8"), parse_constant=refuse)


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


@dataclass
class Outcome:
    code: int
    output: str


def run_case(field: Field, value: str, form: str, *, check: bool = True) -> Outcome:
    """Build the example with `value` in `field`, check every promise, and return what happened.

    `check=False` skips running `asl-gen check` after a successful build (it costs as much as the build).
    """
    spec = copy.deepcopy(BASE)
    field.inject(spec, value)
    text = _spec_text(spec, form)
    # The harness's own premise, judged by each format's reference reader: the file holds exactly this value.
    meant = json.loads(text) if form.startswith("json") else yaml.load(text, Loader=_Loader)
    assert meant == spec, "the spec file does not hold the value the test meant to write"
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        spec_path = root / ("spec.json" if form.startswith("json") else "spec.yaml")
        spec_path.write_text(text, encoding="utf-8")
        out = root / "out"
        result = CliRunner().invoke(main, ["build", str(spec_path), "--out", str(out)])
        assert "Traceback" not in result.output
        assert result.exit_code in (0, 2), f"exit {result.exit_code}:\n{result.output}"
        if result.exit_code != 0:
            if result.exit_code == 2:
                _assert_clean_refusal(result.output, os.path.relpath(spec_path))
            assert not out.exists(), "a refused build created out/"
        else:
            _assert_written_intact(field, value, spec, out)
            assert sorted(p.name for p in root.iterdir()) == sorted([spec_path.name, "out"])
            if check:
                checked = CliRunner().invoke(main, ["check", str(spec_path), "--out", str(out)])
                assert checked.exit_code == 0, checked.output
        return Outcome(result.exit_code, result.output)


def _assert_clean_refusal(output: str, display: str) -> None:
    lines = output.splitlines()
    assert lines, "exit 2 without a message"
    summary = _PROBLEMS_FOUND.match(lines[-1])
    assert summary, f"last line is not the summary: {lines[-1]!r}"
    assert int(summary.group(1)) == len(lines) - 1 >= 1, output
    for line in lines[:-1]:
        assert re.match(rf"{re.escape(display)}:\d+:\d+: \S", line), f"not one located line: {line!r}"


def _assert_written_intact(field: Field, value: str, spec: Spec, out: Path) -> None:
    entries = sorted(out.iterdir())
    assert [e.name for e in entries] == [spec["project"]], f"out/ holds {entries}"
    project_dir = entries[0]
    assert not project_dir.is_symlink() and project_dir.is_dir()
    files: dict[str, Path] = {}
    for folder, dirs, names in os.walk(project_dir):
        for name in [*dirs, *names]:
            assert not Path(folder, name).is_symlink()
        for name in names:
            files[Path(folder, name).relative_to(project_dir).as_posix()] = Path(folder, name)
    manifest = _strict_json(files[MANIFEST])
    assert set(files) == {*manifest["files"], MANIFEST}
    docs: Docs = {}
    for relative, path in files.items():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == manifest["files"].get(relative, "") or (
            relative == MANIFEST
        )
        if relative.endswith(".json") and relative != MANIFEST:
            docs[relative] = _strict_json(path)
    if field.lands is not None:
        assert field.lands(docs, value), f"{field.name}: {value!r} is not in the output as given"
    if not field.free_text:
        assert not _CONTROL.search(value), f"{field.name} accepted a control character: {value!r}"
    for name, document in docs.items():
        if name.startswith("iam/"):
            for text in _strings(document):
                assert not _CONTROL.search(text), f"{name}: control character in {text!r}"


# ---------------------------------------------------------------------------------------------------------
# The suites


def test_the_base_spec_with_every_optional_field_builds() -> None:
    outcome = run_case(FIELDS[0], BASE["project"], "yaml")
    assert outcome.code == 0, outcome.output


@pytest.mark.parametrize("field", FIELDS, ids=FIELD_NAMES)
def test_each_valid_value_lands_where_the_field_says(field: Field) -> None:
    # Proves each `lands` check can pass, so its silence on hostile values means something. (`check` after a
    # build is the hypothesis runs' job; here it would only add time.)
    outcome = run_case(field, field.valid, "yaml", check=False)
    assert outcome.code == 0, outcome.output


_TRIED: Counter[str] = Counter()


def _kind(outcome: Outcome) -> str:
    return "written intact" if outcome.code == 0 else "refused"


def _figures(tried: Counter[str]) -> str:
    return ", ".join(f"{count} {kind}" for kind, count in sorted(tried.items()))


@pytest.mark.parametrize("field", FIELDS, ids=FIELD_NAMES)
def test_every_corpus_value_in_this_field_is_written_intact_or_refused(field: Field) -> None:
    # Everything but `asl-gen check` after each success, which the valid-value and hypothesis runs cover:
    # with it this test alone would take most of a minute.
    for index, value in enumerate(CORPUS):
        form = ["yaml", "json", "yaml-ascii", "json-ascii"][index % 4]
        _TRIED[_kind(run_case(field, value, form, check=False))] += 1


def test_a_few_hypothesis_values_are_written_intact_or_refused() -> None:
    """The fast suite's share of the loop below: 30 draws, each with every check of a run."""
    tried: Counter[str] = Counter()

    @settings(max_examples=30, derandomize=True, database=None, deadline=None)
    @given(CASES)
    def run(case: tuple[Field, str, str]) -> None:
        tried[_kind(run_case(*case))] += 1

    run()
    assert sum(tried.values()) == 30


# The long loop, for the slow step (.ci/run). Its draws follow from its source (derandomize), so editing the
# function below draws other values.
@pytest.mark.slow
def test_hypothesis_values_are_written_intact_or_refused(pytestconfig: pytest.Config) -> None:
    tried: Counter[str] = Counter()
    fields: set[str] = set()

    # derandomize: the same examples on every run, so CI is reproducible; database=None: no .hypothesis/.
    @settings(
        max_examples=150,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(CASES)
    def run(case: tuple[Field, str, str]) -> None:
        field, value, form = case
        tried[_kind(run_case(field, value, form))] += 1
        fields.add(field.name)

    run()
    report(
        pytestconfig,
        f"hostile values: corpus {sum(_TRIED.values())} runs ({len(CORPUS)} values x {len(FIELDS)} fields: "
        f"{_figures(_TRIED)}); hypothesis {sum(tried.values())} runs over {len(fields)} fields "
        f"({_figures(tried)}); no exit 3, no traceback, nothing outside out/<project>/",
    )


# ---------------------------------------------------------------------------------------------------------
# Values that once slipped through the spec models: a final newline after a valid name or address (Python's `$`),
# a C1 control character in a state name, a state name too long for the look-up state built from it.

NEWLINE_CASES = [
    ("literal name", "churn-train-v1\n"),
    ("name prefix", "churn-endpoint\n"),
    ("roles.sagemaker.arn", "arn:aws:iam::123456789012:role/big-mart-sagemaker\n"),
    ("roles.stepfunctions.name", "big-mart-step-functions\n"),
    ("channel S3 URI", "s3://slytherins-test/sagemaker/big-mart-pipeline/train\n"),
    ("output S3 URI", "s3://slytherins-test\n"),
    ("training image", VALID_IMAGE + "\n"),
    ("model data", VALID_MODEL_DATA + "\n"),
    ("model image", VALID_IMAGE + "\n"),
]


@pytest.mark.parametrize(("name", "value"), NEWLINE_CASES, ids=[c[0] for c in NEWLINE_CASES])
def test_a_final_newline_is_refused_where_names_and_addresses_go(name: str, value: str) -> None:
    field = FIELDS[FIELD_NAMES.index(name)]
    assert run_case(field, value, "yaml").code == 2


def test_a_state_name_with_a_c1_control_character_is_a_spec_error() -> None:
    field = FIELDS[FIELD_NAMES.index("state_name")]
    assert run_case(field, "Train\x85ing", "yaml").code == 2


def test_a_state_name_too_long_for_its_look_up_state_is_a_spec_error() -> None:
    field = FIELDS[FIELD_NAMES.index("state_name")]
    outcome = run_case(field, "x" * 80, "yaml")
    assert outcome.code == 2
    assert "would be named 'Look up xxx" in outcome.output


def test_a_c1_control_character_in_an_s3_uri_is_a_spec_error() -> None:
    # Found by the hypothesis loop when its draws changed: U+0085 in a key was written into the IAM policy.
    field = FIELDS[FIELD_NAMES.index("channel S3 URI")]
    assert run_case(field, "s3://slytherins-test/\x85sagemaker/big-mart-pipeline/train", "yaml").code == 2
