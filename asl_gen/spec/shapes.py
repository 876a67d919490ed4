"""The request shapes of the SageMaker APIs, and the check of a `call` step's parameters against them.

The shapes come from botocore's service model, compacted once by `tools/sagemaker_shapes.py` into
`schemas/sagemaker-requests.json` (its `source` names the botocore version and the model's SHA-256). The file is
read on the first SageMaker call a spec makes, never at import. Step Functions passes a Task's Parameters to the
API under the API's own member names (PascalCase, as AWS's examples of the optimized integration show:
https://docs.aws.amazon.com/step-functions/latest/dg/connect-sagemaker.html; the aws-sdk integration takes the
same names), so the keys are checked as written.

On top of the shape, members with a known meaning get the spec's own checks and wording: instance types
(`'ml.m5.xlage' is not a SageMaker instance type (did you mean 'ml.m5.xlarge'?)`) and S3 URIs.

Imports: catalog, resources
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, cast

from asl_gen import catalog
from asl_gen.resources import load_schema
from asl_gen.spec.base import s3_uri_problem, show

SHAPES_FILE = "sagemaker-requests.json"
# Enum values and members listed in a hint when nothing is close enough to suggest.
LISTED = 8
_UNICODE_CLASSES = {r"\p{L}": r"\w", r"\p{N}": r"\w", r"\p{M}": r"\w", r"\p{Alnum}": r"\w", r"\p{Z}": r"\s"}
# The patterns of S3 URI members: `(https|s3)://([^/]+)/?(.*)` and the like.
_S3_PATTERN = re.compile(r"s3\)?://")

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class ShapeProblem:
    """A mistake in a request: where (below the parameters), what, and how to fix it."""

    path: Path
    message: str
    hint: str | None = None
    # Whether the mistake is the key itself (located at the key, not at its value).
    key: bool = False


def shapes() -> Mapping[str, Any]:
    """The whole shapes document (loaded once, on first use)."""
    return load_schema(SHAPES_FILE)


def operation(api: str) -> str:
    """The SageMaker operation a Step Functions resource names: createTrainingJob -> CreateTrainingJob."""
    return api[:1].upper() + api[1:]


def sagemaker_api(resource: str) -> str | None:
    """The API of `sagemaker:<api>` or `aws-sdk:sagemaker:<api>`, else None."""
    parts = resource.split(":")
    if parts[:-1] in (["sagemaker"], ["aws-sdk", "sagemaker"]):
        return parts[-1]
    return None


def known_operation(api: str) -> bool:
    return operation(api) in shapes()["operations"]


def suggest_api(api: str) -> str | None:
    """The SageMaker API closest to `api`, spelt as a resource spells it (lower camel case)."""
    match = catalog.suggest(operation(api), shapes()["operations"])
    return None if match is None else match[:1].lower() + match[1:]


def required_parameters(api: str) -> tuple[str, ...]:
    """The members the request of `api` must carry."""
    name = shapes()["operations"][operation(api)]
    return tuple(shapes()["shapes"][name].get("required", ()))


def left_out(required: Iterable[str], given: Mapping[str, Any]) -> list[str]:
    """The members of `required` that `given` carries neither as written (`Member`) nor from the state (`Member.$`)."""
    return [m for m in required if m not in given and f"{m}.$" not in given]


def missing_message(owner: str, noun: str, missing: list[str], where: str = "") -> tuple[str, str]:
    """The message and hint of members `owner` needs and was not given (`noun`: what a member is called; `where`:
    where the hint says to add the first one)."""
    listed = ", ".join(repr(m) for m in missing)
    return (
        f"{owner} needs the {noun}{'s' if len(missing) > 1 else ''} {listed}",
        f"add {missing[0]}: ...{where}, or {missing[0]}.$: $.path to take it from the state",
    )


def check_request(api: str, parameters: Mapping[str, Any]) -> Iterator[ShapeProblem]:
    """Every place where `parameters` break the request shape of SageMaker's `api` (missing top-level members
    aside: `required_parameters` gives those, so the caller words them as for any integration)."""
    op = operation(api)
    name = shapes()["operations"][op]
    yield from _structure(op, name, dict(parameters), (), top=True)


@functools.cache
def _pattern(text: str) -> re.Pattern[str] | None:
    # botocore writes the Java patterns of the service model. Unicode classes become the nearest wider Python
    # class (\p{L} and \p{N} -> \w, \p{Z} -> \s): a check may pass more, never refuse what SageMaker takes. The
    # few Python still cannot read (\p{P}, surrogate ranges) are left unchecked rather than guessed at.
    for java, python in _UNICODE_CLASSES.items():
        text = text.replace(java, python)
    try:
        return None if "\\p{" in text else re.compile(text)
    except re.error:
        return None


def _shape(name: str) -> dict[str, Any]:
    return cast(dict[str, Any], shapes()["shapes"][name])


def _structure(op: str, name: str, value: dict[str, Any], path: Path, *, top: bool = False) -> Iterator[ShapeProblem]:
    shape = _shape(name)
    members: dict[str, str] = shape.get("members", {})
    owner = op if top else f"{name} of {op}"
    for key, item in value.items():
        member = key[:-2] if key.endswith(".$") else key
        if member not in members:
            hint = catalog.suggest(member, members)
            yield ShapeProblem(
                (*path, key),
                f"unknown {'parameter' if top else 'field'} {member!r} of {owner}",
                f"did you mean {hint!r}?" if hint else _listing("its fields are", sorted(members)),
                key=True,
            )
        elif not key.endswith(".$"):
            yield from _value(op, member, members[member], item, (*path, key))
    if not top:
        missing = left_out(shape.get("required", ()), value)
        if missing:
            yield ShapeProblem(path, *missing_message(f"{name} of {op}", "field", missing))


def _value(op: str, member: str, name: str, value: Any, path: Path) -> Iterator[ShapeProblem]:
    shape = _shape(name)
    kind = shape["type"]
    if kind == "structure":
        if not isinstance(value, dict):
            yield ShapeProblem(path, f"expected a mapping ({name}), got {show(value)}")
        else:
            yield from _structure(op, name, value, path)
    elif kind == "list":
        if not isinstance(value, list):
            yield ShapeProblem(path, f"expected a list ({name}), got {show(value)}")
            return
        yield from _size(name, shape, len(value), "item", path)
        for index, item in enumerate(value):
            yield from _value(op, member, shape["member"], item, (*path, index))
    elif kind == "map":
        if not isinstance(value, dict):
            yield ShapeProblem(path, f"expected a mapping ({name}), got {show(value)}")
            return
        yield from _size(name, shape, len(value), "entry", path)
        for key, item in value.items():
            if key.endswith(".$"):
                continue
            yield from _value(op, member, shape["key"], key, (*path, key))
            yield from _value(op, member, shape["value"], item, (*path, key))
    elif kind == "string":
        yield from _string(op, member, name, shape, value, path)
    elif kind in ("integer", "long", "float", "double"):
        whole = kind in ("integer", "long")
        if isinstance(value, bool) or not isinstance(value, int if whole else (int, float)):
            yield ShapeProblem(path, f"expected {'an integer' if whole else 'a number'}, got {show(value)}")
        elif "min" in shape and value < shape["min"]:
            yield ShapeProblem(path, f"{value} is below {shape['min']}, the smallest {member} {op} takes")
        elif "max" in shape and value > shape["max"]:
            yield ShapeProblem(path, f"{value} is above {shape['max']}, the largest {member} {op} takes")
    elif kind == "boolean":
        if not isinstance(value, bool):
            yield ShapeProblem(path, f"expected true or false, got {show(value)}")
    elif kind == "timestamp":
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            yield ShapeProblem(path, f"expected a timestamp (ISO 8601 text or epoch seconds), got {show(value)}")
    elif not isinstance(value, str):  # blob: base64 text
        yield ShapeProblem(path, f"expected a string, got {show(value)}")


def _size(name: str, shape: dict[str, Any], count: int, unit: str, path: Path) -> Iterator[ShapeProblem]:
    if "min" in shape and count < shape["min"]:
        yield ShapeProblem(path, f"{name} takes at least {shape['min']} {unit}{'s' * (shape['min'] != 1)}, not {count}")
    elif "max" in shape and count > shape["max"]:
        yield ShapeProblem(path, f"{name} takes at most {shape['max']} {unit}{'s' * (shape['max'] != 1)}, not {count}")


def _string(op: str, member: str, name: str, shape: dict[str, Any], value: Any, path: Path) -> Iterator[ShapeProblem]:
    if not isinstance(value, str):
        yield ShapeProblem(path, f"expected a string, got {show(value)}")
        return
    enum: list[str] | None = shape.get("enum")
    if enum is not None and value not in enum:
        hint = catalog.suggest(value, enum)
        suggestion = f"did you mean {hint!r}?" if hint else _listing("one of", enum)
        if member.endswith("InstanceType") and value not in catalog.INSTANCE_TYPES:
            yield ShapeProblem(path, f"{value!r} is not a SageMaker instance type", suggestion)
        elif member.endswith("InstanceType"):
            yield ShapeProblem(path, f"{member} of {op} cannot be {value!r}", suggestion)
        else:
            yield ShapeProblem(path, f"{value!r} is not a value of {name}", suggestion)
        return
    pattern = shape.get("pattern", "")
    if _S3_PATTERN.search(pattern) and not value.startswith("https://"):
        wrong = s3_uri_problem(value)
        if wrong is not None:
            yield ShapeProblem(path, wrong)
            return
    if "min" in shape and len(value) < shape["min"]:
        yield ShapeProblem(path, f"{show(value)} is shorter than {shape['min']} characters, the least {name} takes")
    elif "max" in shape and len(value) > shape["max"]:
        shown = show(value) if len(value) <= 40 else repr(value[:37] + "...")
        yield ShapeProblem(path, f"{shown} is longer than {shape['max']} characters, the most {name} takes")
    elif pattern and (compiled := _pattern(pattern)) is not None and not compiled.fullmatch(value):
        yield ShapeProblem(path, f"{value!r} is not a valid {name}", f"it must match {pattern}")


def _listing(lead: str, items: list[str]) -> str:
    shown = ", ".join(items[:LISTED])
    return f"{lead} {shown}" + (f" and {len(items) - LISTED} more" if len(items) > LISTED else "")
