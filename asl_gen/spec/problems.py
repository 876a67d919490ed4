"""Rewriting Pydantic's validation errors into `Problem`s a person reads: located at the line and column of the
field at fault, in words of the spec (not of the models), with a hint, and each said once."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Annotated, Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from asl_gen import catalog
from asl_gen.errors import Problem
from asl_gen.loader import Located
from asl_gen.spec.base import show
from asl_gen.spec.jobs import JOB_MODELS, JOB_TYPES
from asl_gen.spec.project import Spec

_TYPE_WORDS = {
    "string_type": "a string",
    "int_type": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "dict_type": "a mapping",
    "list_type": "a list",
    "model_type": "a mapping",
}


def pydantic_problems(exc: ValidationError, located: Located) -> Iterator[Problem]:
    """Each error of `exc` as a located problem, union noise and doubled reports left out."""
    seen: set[tuple[str, str]] = set()
    found: list[tuple[str, tuple[str | int, ...], Problem]] = []
    for error in exc.errors(include_url=False):
        path = _data_path(error["loc"], located.data)
        if error["type"] == "union_tag_invalid":
            path = (*path, "type")
        pointer = ".".join(str(p) for p in path)
        message, hint = _describe(error, path, located.data)
        if (pointer, message) in seen:
            continue
        seen.add((pointer, message))
        position = located.position(path, key=error["type"] == "extra_forbidden")
        line, column = position if position else (None, None)
        found.append(
            (
                str(error["type"]),
                path,
                Problem(message, file=located.file, line=line, column=column, pointer=pointer, hint=hint),
            )
        )
    found = _merge_type_errors(_drop_union_noise(found, located.data))
    # A misspelt key shows up twice: as an unknown field and as a missing one. Report it once.
    misspelt = {
        (*path[:-1], match.group(1))
        for kind, path, problem in found
        if kind == "extra_forbidden" and (match := re.match(r"did you mean '(.*)'\?", problem.hint or ""))
    }
    for kind, path, problem in found:
        if not (kind == "missing" and path in misspelt):
            yield problem


# Location parts Pydantic adds that are not keys of the user's data: union members and validator names.
_TAG_PARTS = {"str", "int", "float", "bool", *JOB_TYPES}


def _is_tag(part: str) -> bool:
    return part in _TAG_PARTS or part.startswith("function-") or "[" in part or part[:1].isupper()


def _drop_union_noise(
    found: list[tuple[str, tuple[str | int, ...], Problem]], data: Any
) -> list[tuple[str, tuple[str | int, ...], Problem]]:
    """A value that fits one member of a union (`retry: sagemaker` or a list of rules) is judged by that member.

    Pydantic reports every member's complaint: a list is "not 'sagemaker' or 'none'", a misspelt preset is "not
    a list". Once the value's own kind of member has spoken (or an error inside it), the others are noise.
    """
    by_path: dict[tuple[str | int, ...], set[str]] = {}
    for kind, path, _ in found:
        by_path.setdefault(path, set()).add(kind)
    inner = {path[:n] for _, path, _ in found for n in range(len(path))}
    kept = []
    for kind, path, problem in found:
        try:
            value = _lookup(data, path)
        except (KeyError, IndexError, TypeError):
            kept.append((kind, path, problem))
            continue
        others = by_path[path] - {kind}
        if kind == "literal_error" and isinstance(value, list | dict) and (others or path in inner):
            continue
        shapes = [_TYPE_WORDS[k] for k in ("list_type", "dict_type", "model_type") if k in others]
        if not isinstance(value, str | list | dict) and kind == "literal_error" and shapes:
            # Neither a preset nor a list: one message naming both, not one per member of the union.
            message = re.sub(r"expected (.*) or ('[^']*')$", r"expected \1, \2", problem.message)
            kept.append((kind, path, replace(problem, message=f"{message} or {shapes[0]}")))
            continue
        if (
            kind in ("list_type", "dict_type", "model_type")
            and not isinstance(value, str | list | dict)
            and "literal_error" in others
        ):
            continue
        if (
            kind in ("list_type", "dict_type", "model_type")
            and isinstance(value, str | list)
            and ("literal_error" in others or (isinstance(value, list) and others - set(_TYPE_WORDS)))
        ):
            continue
        kept.append((kind, path, problem))
    return kept


def _merge_type_errors(
    found: list[tuple[str, tuple[str | int, ...], Problem]],
) -> list[tuple[str, tuple[str | int, ...], Problem]]:
    """A value that matches no member of a union gives one error per member; say it once."""
    expected: dict[tuple[str | int, ...], list[str]] = {}
    for kind, path, _ in found:
        if kind in _TYPE_WORDS:
            expected.setdefault(path, []).append(_TYPE_WORDS[kind])
    merged: list[tuple[str, tuple[str | int, ...], Problem]] = []
    done: set[tuple[str | int, ...]] = set()
    for kind, path, problem in found:
        words = expected.get(path, [])
        if kind not in _TYPE_WORDS or len(words) < 2:
            merged.append((kind, path, problem))
            continue
        if path in done:
            continue
        done.add(path)
        got = problem.message.rsplit(", got ", 1)[-1]
        if "a number" in words:
            words = [w for w in words if w != "a whole number"]
        alternatives = sorted(set(words), key=list(_TYPE_WORDS.values()).index)
        alternatives = [w.replace("true or false", "true/false") for w in alternatives]
        text = ", ".join(alternatives[:-1]) + f" or {alternatives[-1]}"
        merged.append((kind, path, replace(problem, message=f"expected {text}, got {got}")))
    return merged


def _data_path(loc: tuple[int | str, ...], data: Any) -> tuple[str | int, ...]:
    """Map a Pydantic location onto the user's data, dropping union tags and validator names."""
    path: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str) and ("from" if part == "from_" else part) in node:
            key = "from" if part == "from_" else part
            path.append(key)
            node = node[key]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
        elif isinstance(part, str) and _is_tag(part) and (part not in JOB_TYPES or _is_type_of(node, part)):
            # A job type is the union tag of the job of that type; otherwise it is a field (a gate's training).
            continue
        elif isinstance(node, str) and isinstance(part, str):
            # A value written as a string that its model keeps in a field of its own (a transform's `s3:
            # s3://...` in DataLocation.s3): the mistake is the string the user wrote, at its own path.
            continue
        else:
            path.append("from" if part == "from_" else part)
            node = None
    return tuple(path)


def _is_type_of(node: Any, part: str) -> bool:
    return not isinstance(node, dict) or node.get("type", part) == part


def _lookup(data: Any, path: tuple[str | int, ...]) -> Any:
    node = data
    for part in path:
        node = node[part]
    return node


_FIELD_HINTS = {
    "account": 'quote it: account: "123456789012"',
    "version": 'quote it: version: "1.7-1"',
}


def _describe(error: Mapping[str, Any], path: tuple[str | int, ...], data: Any) -> tuple[str, str | None]:
    kind = str(error["type"])
    field = str(path[-1]) if path else ""
    got = error.get("input")
    if kind == "extra_forbidden":
        allowed = _allowed_fields(path[:-1], data)
        hint = catalog.suggest(field, allowed) if allowed else None
        message = f"unknown field {field!r}"
        if hint:
            return message, f"did you mean {hint!r}?"
        if allowed:
            return message, "allowed here: " + ", ".join(sorted(allowed))
        return message, "remove it"
    if kind == "missing":
        return f"required field {field!r} is missing", f"add {field}: ..."
    if kind == "union_tag_invalid":
        tag = str(error.get("ctx", {}).get("tag", got))
        hint = catalog.suggest(tag, JOB_TYPES)
        return (
            f"{tag!r} is not a job type",
            f"did you mean {hint!r}?" if hint else "use one of: " + ", ".join(JOB_TYPES),
        )
    if kind == "union_tag_not_found":
        return "the job has no 'type'", "add type: one of " + ", ".join(JOB_TYPES)
    if kind in _TYPE_WORDS:
        return f"expected {_TYPE_WORDS[kind]}, got {show(got)}", _FIELD_HINTS.get(field)
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        choices = re.findall(r"'([^']*)'", str(expected))
        hint = catalog.suggest(str(got), choices) if isinstance(got, str) else None
        return (
            f"{show(got)} is not allowed; expected {expected}",
            f"did you mean {hint!r}?" if hint else None,
        )
    if kind == "string_pattern_mismatch":
        return f"{show(got)} is not valid here", _pattern_hint(path)
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        return f"{show(got)} is out of range: {error['msg'].lower()}", None
    if kind == "string_too_short" and error.get("ctx", {}).get("min_length") == 1:
        return "must not be empty", "remove the field or give it a value"
    if kind in {"too_short", "too_long", "string_too_short", "string_too_long"}:
        return str(error["msg"]).replace("Value should", "should"), None
    if kind == "value_error":
        message = str(error["msg"]).removeprefix("Value error, ")
        hint_match = re.search(r" \((did you mean [^)]*|write it as [^)]*|leave [^)]*)\)$", message)
        if hint_match:
            return message[: hint_match.start()], hint_match.group(1)
        return message, None
    return str(error["msg"]), None


def _pattern_hint(path: tuple[str | int, ...]) -> str:
    parents = [p for p in path if isinstance(p, str)]
    if "state_name" in parents:
        return "state names are 1-80 characters with no control characters"
    if "metric" in parents:
        return "a metric name such as validation:rmse, without quotes, backslashes, braces or control characters"
    if "group" in parents:
        return (
            "a model package group name: 1-63 letters, digits and hyphens, starting and ending with a letter or digit"
        )
    if "response_types" in parents:
        return "a MIME type such as text/csv"
    if "content_types" in parents:
        return "a MIME type such as text/csv, without control characters"
    if "report" in parents and parents[-1] == "file":
        return (
            "a path below the output's prefix such as evaluation.json, without '*', '?', '$', '//' or control "
            "characters"
        )
    if "report" in parents and parents[-1] == "output":
        return "an output name: a letter, then letters, digits, '_' and '-'"
    if parents[:1] == ["jobs"] and parents[-1] == "value":
        return (
            "a dotted path into the JSON such as regression_metrics.mse.value (names of letters, digits and '_'; "
            "[0] for a list item)"
        )
    if parents[:1] == ["project"]:
        return "use lowercase letters, digits and single hyphens, at most 40 characters"
    if "errors" in parents and ("retry" in parents or "catch" in parents):
        return (
            "an error name such as States.TaskFailed or SageMaker.AmazonSageMakerException, "
            "without control characters or '*'"
        )
    if parents[:1] in (["jobs"], ["state_machines"]) or "steps" in parents or "model" in parents:
        return "keys are lowercase letters, digits and single hyphens, starting with a letter"
    if "account" in parents:
        return "an account id is 12 digits, quoted"
    if "inputs" in parents:
        return "input names are letters, digits and '_', starting with a letter"
    if "channels" in parents:
        return "channel names are 1-64 of letters, digits, '.', '-' and '_'"
    if "environment" in parents:
        return "environment variable names are letters, digits and '_', not starting with a digit"
    return "see the spec reference: docs/reference/spec.md"


def _allowed_fields(path: tuple[str | int, ...], data: Any) -> list[str]:
    model = _model_at(path, data)
    if model is None:
        return []
    return [f.alias or name for name, f in model.model_fields.items()]


def _model_at(path: tuple[str | int, ...], data: Any) -> type[BaseModel] | None:
    if path[:1] == ("jobs",):
        if len(path) < 2:
            return None
        # A job's model depends on its type, which the data says.
        job = _lookup(data, path[:2])
        kind = job.get("type") if isinstance(job, dict) else None
        model = JOB_MODELS.get(str(kind))
        return _descend(model, path[2:]) if model else None
    return _descend(Spec, path)


def _descend(model: type[BaseModel] | None, rest: tuple[str | int, ...]) -> type[BaseModel] | None:
    user_key = False
    for part in rest:
        if user_key:
            # The key of a mapping the user names (a state machine, a channel): the model is its value's.
            user_key = False
            continue
        if model is None or isinstance(part, int):
            continue
        fields = {f.alias or n: f for n, f in model.model_fields.items()}
        field = fields.get(part)
        if field is None:
            return None
        model = _model_in(field.annotation)
        user_key = model is not None and _is_mapping(field.annotation)
    return model


def _is_mapping(annotation: Any) -> bool:
    """Whether a field holds a mapping from user keys to values (`dict[Key, StateMachine]`, maybe Annotated)."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return get_origin(annotation) is dict


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None
