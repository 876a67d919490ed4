"""The spec's JSON Schema: generated from the models, documented field by field, committed, and true to them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from asl_gen.spec.schema import spec_schema, spec_schema_text

from .conftest import EXAMPLE, REPO

COMMITTED = REPO / "schemas" / "spec.schema.json"
SPECS = [EXAMPLE, *sorted((REPO / "tests" / "cases").glob("*/spec.yaml")), REPO / "templates" / "init" / "spec.yaml"]


def _properties(node: Any, where: str = "$") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every property declaration anywhere in the schema, with a readable location."""
    if isinstance(node, dict):
        for name, declaration in (node.get("properties") or {}).items():
            yield f"{where}.{name}", declaration
        for key, value in node.items():
            yield from _properties(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _properties(value, f"{where}[{index}]")


def test_every_property_has_a_description_and_examples() -> None:
    found = list(_properties(spec_schema()))
    assert len(found) > 50
    undocumented = [where for where, declaration in found if not declaration.get("description")]
    without_examples = [where for where, declaration in found if not declaration.get("examples")]
    assert undocumented == []
    assert without_examples == []


def test_committed_schema_is_what_the_models_generate() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == spec_schema_text(), "run: asl-gen schema --out " + str(
        COMMITTED.relative_to(REPO)
    )


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(spec_schema())


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: str(p.relative_to(REPO)))
def test_schema_accepts_every_spec_asl_gen_accepts(spec: Path) -> None:
    data = yaml.safe_load(spec.read_text(encoding="utf-8"))
    errors = sorted(Draft202012Validator(spec_schema()).iter_errors(data), key=str)
    assert errors == [], [e.message for e in errors]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("  region: us-east-1", "  regoin: us-east-1"),
        ("project: big-mart", "project: Big_Mart"),
        ("type: training", "type: trainig"),
        ('account: "123456789012"', "account: 123456789012"),
        ("count: 1, volume_gb: 30", "count: 0, volume_gb: 30"),
        ("  training: [train]", "  training: []"),
        ("name: {input: ModelName}\n  endpoint-config", "name: {input: ModelName, prefix: m}\n  endpoint-config"),
    ],
)
def test_schema_rejects_what_an_editor_should_underline(old: str, new: str) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert old in text
    data = yaml.safe_load(text.replace(old, new, 1))
    assert not Draft202012Validator(spec_schema()).is_valid(data)


@pytest.mark.parametrize("spec", [EXAMPLE, REPO / "templates" / "init" / "spec.yaml"], ids=["example", "init"])
def test_specs_tell_editors_where_the_schema_is(spec: Path) -> None:
    first = spec.read_text(encoding="utf-8").splitlines()[0]
    match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert match, first
    if spec == EXAMPLE:
        assert (spec.parent / match.group(1)).resolve() == COMMITTED
    else:
        assert match.group(1) == "spec.schema.json"  # asl-gen init writes it beside the spec
