"""The JSON Schema of the spec, generated from the Pydantic models, for editors and other tools."""

from __future__ import annotations

import json
from typing import Any

from asl_gen.spec.project import Spec

SCHEMA_ID = "https://github.com/asl-gen/asl-gen/blob/main/schemas/spec.schema.json"


def spec_schema() -> dict[str, Any]:
    """`Spec.model_json_schema()` (field names as written in YAML, `from` included) with the draft and an id."""
    generated = Spec.model_json_schema(by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "asl-gen spec",
        **{k: v for k, v in generated.items() if k != "title"},
    }


def spec_schema_text() -> str:
    """The schema as asl-gen writes it: 2-space JSON, keys in model order, a final newline."""
    return json.dumps(spec_schema(), indent=2, ensure_ascii=False) + "\n"
