"""Checks of a whole definition that look across states: workflow type, variable scope, limits, SageMaker names.

Each check yields `Issue`s; `validate` turns them into located findings next to its schema and per-state checks.
The definition may be partly broken (the schema reports that): walk what is walkable, skip what is not.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["DEFINITION_LIMIT", "Issue", "extra_checks"]

Path = tuple[str | int, ...]

DEFINITION_LIMIT = 1_048_576  # bytes of the definition string, a hard Step Functions quota
VARIABLE_NAME_LIMIT = 80
EXPRESS_LIMIT = 300  # seconds: an Express execution (and a Distributed Map's EXPRESS child) runs at most 5 minutes


@dataclass(frozen=True)
class Issue:
    path: Path
    message: str
    hint: str | None
    rule: str
    severity: str = "error"
    leaf: bool = False


def extra_checks(doc: dict[str, Any], *, machine_type: str = "STANDARD") -> list[Issue]:
    """Every cross-state issue of `doc` for a state machine of `machine_type` (STANDARD or EXPRESS)."""
    issues = list(_definition_size(doc))
    timeout = doc.get("TimeoutSeconds")
    if machine_type == "EXPRESS" and isinstance(timeout, int) and timeout > EXPRESS_LIMIT:
        issues.append(
            Issue(
                ("TimeoutSeconds",),
                f"TimeoutSeconds is {timeout}, but an Express execution stops after {EXPRESS_LIMIT} seconds",
                "use a STANDARD workflow for longer runs",
                "express-duration",
                severity="warning",
            )
        )
    scopes = list(_scopes(doc))
    for scope in scopes:
        for name, state in scope.states.items():
            if not isinstance(state, dict):
                continue
            path = (*scope.path, "States", name)
            if scope.express or machine_type == "EXPRESS":
                issues += _express_state(path, state, machine_type == "EXPRESS" and not scope.express)
            issues += _sagemaker_names(path, state, _language(state, scope))
            issues += _advice(path, state)
    issues += _Variables(scopes).check()
    return issues


# ---- scopes -----------------------------------------------------------------------------------------------------


@dataclass
class _Scope:
    path: Path
    states: dict[str, Any]
    start: object
    language: str
    parent: _Scope | None
    owner: str | None  # the Parallel or Map state (in the parent scope) that runs this scope
    distributed: bool  # a Distributed Map's child workflow: it sees no outer variables
    express: bool  # runs as an Express child workflow (a Distributed Map with ExecutionType EXPRESS)


def _language(state: dict[str, Any], scope: _Scope) -> str:
    explicit = state.get("QueryLanguage")
    return explicit if explicit in ("JSONPath", "JSONata") else scope.language


def _scopes(doc: dict[str, Any]) -> Iterator[_Scope]:
    top_language = str(doc["QueryLanguage"]) if doc.get("QueryLanguage") in ("JSONPath", "JSONata") else "JSONPath"

    def walk(
        path: Path, root: Any, language: str, parent: _Scope | None, owner: str | None, **kind: bool
    ) -> Iterator[_Scope]:
        if not isinstance(root, dict) or not isinstance(root.get("States"), dict):
            return
        if root.get("QueryLanguage") in ("JSONPath", "JSONata"):
            language = str(root["QueryLanguage"])
        scope = _Scope(path, root["States"], root.get("StartAt"), language, parent, owner, **kind)
        yield scope
        for name, state in scope.states.items():
            if not isinstance(state, dict):
                continue
            state_path = (*path, "States", name)
            inner_language = _language(state, scope)
            if state.get("Type") == "Parallel":
                branches = state.get("Branches")
                for index, branch in enumerate(branches if isinstance(branches, list) else []):
                    yield from walk(
                        (*state_path, "Branches", index),
                        branch,
                        inner_language,
                        scope,
                        name,
                        distributed=False,
                        express=scope.express,
                    )
            if state.get("Type") == "Map":
                for key in ("ItemProcessor", "Iterator"):
                    processor = state.get(key)
                    config = processor.get("ProcessorConfig") if isinstance(processor, dict) else None
                    config = config if isinstance(config, dict) else {}
                    distributed = config.get("Mode") == "DISTRIBUTED"
                    express = scope.express or (distributed and config.get("ExecutionType") == "EXPRESS")
                    yield from walk(
                        (*state_path, key),
                        processor,
                        inner_language,
                        scope,
                        name,
                        distributed=distributed,
                        express=express,
                    )

    yield from walk((), doc, top_language, None, None, distributed=False, express=False)


# ---- limits ------------------------------------------------------------------------------------------------------


def _definition_size(doc: dict[str, Any]) -> Iterator[Issue]:
    # The compact form is the smallest text of this definition: if even that is too big, AWS will refuse it.
    size = len(json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    if size > DEFINITION_LIMIT:
        yield Issue(
            (),
            f"the definition is {size:,} bytes even without whitespace; Step Functions accepts at most "
            f"{DEFINITION_LIMIT:,} (1 MB)",
            "move large constants out of the definition (S3, parameters), or split it into nested state machines",
            "definition-size",
        )


# ---- Express workflows -------------------------------------------------------------------------------------------

_WAITING_SUFFIX = re.compile(r"\.(sync(:2)?|waitForTaskToken)$")
_ACTIVITY = re.compile(r"arn:[^:]+:states:[^:]*:[^:]*:activity:.+")


def _express_state(path: Path, state: dict[str, Any], top_level_express: bool) -> Iterator[Issue]:
    where = "an Express state machine" if top_level_express else "a Distributed Map whose children run as EXPRESS"
    hint = "use request-response and poll, or run it in a STANDARD workflow"
    resource = state.get("Resource")
    if state.get("Type") == "Task" and isinstance(resource, str):
        suffix = _WAITING_SUFFIX.search(resource)
        if suffix:
            pattern = ".sync" if suffix.group(1).startswith("sync") else ".waitForTaskToken"
            yield Issue(
                (*path, "Resource"),
                f"{where} supports request-response integrations only, not {pattern} ({resource})",
                hint if top_level_express else 'set ProcessorConfig "ExecutionType": "STANDARD", or ' + hint,
                "express-integration",
                leaf=True,
            )
        elif _ACTIVITY.fullmatch(resource):
            yield Issue(
                (*path, "Resource"),
                f"{where} cannot run activities ({resource})",
                "call the worker through a request-response integration, or use a STANDARD workflow",
                "express-integration",
                leaf=True,
            )
    runner = "an Express execution" if top_level_express else "a Distributed Map's EXPRESS child execution"
    for key in ("Seconds", "TimeoutSeconds"):
        value = state.get(key)
        if key == "Seconds" and state.get("Type") != "Wait":
            continue
        if isinstance(value, int) and not isinstance(value, bool) and value > EXPRESS_LIMIT:
            yield Issue(
                (*path, key),
                f"{key} is {value}, but {runner} stops after {EXPRESS_LIMIT} seconds",
                "keep it under 5 minutes, or use a STANDARD workflow",
                "express-duration",
                severity="warning",
                leaf=True,
            )
    # A Distributed Map parent must be a STANDARD workflow, and an EXPRESS child workflow is an Express workflow.
    if state.get("Type") == "Map":
        for key in ("ItemProcessor", "Iterator"):
            processor = state.get(key)
            config = processor.get("ProcessorConfig") if isinstance(processor, dict) else None
            if isinstance(config, dict) and config.get("Mode") == "DISTRIBUTED":
                yield Issue(
                    (*path, key, "ProcessorConfig", "Mode"),
                    f"a Distributed Map cannot run in {where}",
                    'use "Mode": "INLINE", or make the workflow that runs it STANDARD',
                    "express-distributed-map",
                )


# ---- advice: valid ASL that fails or hangs at run time ------------------------------------------------------------

_CALLBACK = re.compile(r".*\.waitForTaskToken")


def _advice(path: Path, state: dict[str, Any]) -> Iterator[Issue]:
    kind = state.get("Type")
    if kind == "Choice" and "Default" not in state and isinstance(state.get("Choices"), list):
        yield Issue(
            path,
            "this Choice state has no 'Default': when no rule matches, the execution fails with States.NoChoiceMatched",
            'add "Default": "<state>" (a Fail state if no match is an error)',
            "choice-without-default",
            severity="warning",
        )
    resource = state.get("Resource")
    waits = isinstance(resource, str) and bool(_CALLBACK.fullmatch(resource) or _ACTIVITY.fullmatch(resource))
    timed = {"TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath"} & set(state)
    if kind == "Task" and waits and not timed:
        yield Issue(
            path,
            "this Task waits for a callback or an activity worker with no TimeoutSeconds or HeartbeatSeconds: "
            "if the answer never comes, the execution waits until its own time limit (a year for Standard)",
            "set TimeoutSeconds (and HeartbeatSeconds for long work)",
            "wait-without-timeout",
            severity="warning",
        )


# ---- SageMaker names ---------------------------------------------------------------------------------------------

_SAGEMAKER_CALL = re.compile(r"arn:[^:]+:states:::(?:aws-sdk:)?sagemaker:(?P<api>[A-Za-z]+)(\..*)?")
_SAGEMAKER_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9])*")
_SAGEMAKER_NAME_FIELDS = {
    "TrainingJobName": 63,
    "ProcessingJobName": 63,
    "TransformJobName": 63,
    "HyperParameterTuningJobName": 32,
    "LabelingJobName": 63,
    "ModelName": 63,
    "EndpointConfigName": 63,
    "EndpointName": 63,
    "CompilationJobName": 63,
    "ModelPackageGroupName": 63,
}


def _sagemaker_names(path: Path, state: dict[str, Any], language: str) -> Iterator[Issue]:
    resource = state.get("Resource")
    if state.get("Type") != "Task" or not isinstance(resource, str):
        return
    call = _SAGEMAKER_CALL.fullmatch(resource)
    if call is None or not call["api"].lower().startswith(("create", "update")):
        return
    key = "Arguments" if language == "JSONata" else "Parameters"
    payload = state.get(key)
    if not isinstance(payload, dict):
        return
    for field_name, limit in _SAGEMAKER_NAME_FIELDS.items():
        field_path = (*path, key, field_name)
        value = payload.get(field_name)
        dynamic = payload.get(field_name + ".$") if language == "JSONPath" else None
        # createModelPackage takes the group's name or its ARN.
        literal = isinstance(value, str) and not value.startswith(("{%", "arn:"))
        if literal and isinstance(value, str):
            if len(value) > limit:
                yield Issue(
                    field_path,
                    f"{field_name} is {len(value)} characters long; SageMaker allows at most {limit}",
                    "shorten the name",
                    "sagemaker-name",
                    leaf=True,
                )
            elif not _SAGEMAKER_NAME.fullmatch(value):
                yield Issue(
                    field_path,
                    f"{field_name} {value!r} is not a SageMaker name: letters and digits, separated by hyphens "
                    "(^[a-zA-Z0-9](-*[a-zA-Z0-9])*$)",
                    "replace other characters with '-'",
                    "sagemaker-name",
                    leaf=True,
                )
        expression = dynamic if isinstance(dynamic, str) else value if isinstance(value, str) else ""
        if "Execution.Name" in expression:
            where = (*path, key, field_name + ".$") if isinstance(dynamic, str) else field_path
            yield Issue(
                where,
                f"{field_name} is built from the execution name, which can be 80 characters; SageMaker allows {limit}",
                "derive the name from a hash of the execution id, e.g. States.Hash($$.Execution.Id, 'MD5')",
                "sagemaker-name-from-execution-name",
                severity="warning",
            )


# ---- variables ---------------------------------------------------------------------------------------------------

_JSONATA_STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|/\*.*?\*/", re.DOTALL)
_JSONATA_VARIABLE = re.compile(r"(?<![\w$])\$(?P<name>[^\W\d]\w*)(?P<call>\s*\()?")
_JSONATA_BOUND = re.compile(r"\$(?P<name>[^\W\d]\w*)\s*:=")
_JSONATA_PARAMETERS = re.compile(r"function\s*\((?P<params>[^)]*)\)")
_JSONPATH_VARIABLE = re.compile(r"(?<![\w$])\$(?P<name>[^\W\d]\w*)")
_INTRINSIC_STRING = re.compile(r"'(?:[^'\\]|\\.)*'")
# Fields whose value is a path (or a reference path) in JSONPath states; validate.py checks their syntax.
PATH_FIELDS = (
    "InputPath",
    "OutputPath",
    "ItemsPath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "SecondsPath",
    "TimestampPath",
    "MaxConcurrencyPath",
    "ToleratedFailureCountPath",
    "ToleratedFailurePercentagePath",
)
# Fields whose string value is a path in JSONPath states (variables may appear at their start).
_JSONPATH_PATH_FIELDS = frozenset({*PATH_FIELDS, "ErrorPath", "CausePath", "Variable"})
# Nested scopes are their own: the walk of a state's reads stops at them.
_NESTED = frozenset({"Branches", "ItemProcessor", "Iterator", "Comment"})


# JSONata 2.0 built-in functions and those Step Functions adds: passed by name (`$map(xs, $string)`) they are
# functions, not workflow variables.
_JSONATA_FUNCTIONS = frozenset(
    [
        "string",
        "length",
        "substring",
        "substringBefore",
        "substringAfter",
        "uppercase",
        "lowercase",
        "trim",
        "pad",
        "contains",
        "split",
        "join",
        "match",
        "replace",
        "eval",
        "base64encode",
        "base64decode",
        "encodeUrlComponent",
        "encodeUrl",
        "decodeUrlComponent",
        "decodeUrl",
        "formatNumber",
        "formatBase",
        "formatInteger",
        "parseInteger",
        "number",
        "abs",
        "floor",
        "ceil",
        "round",
        "power",
        "sqrt",
        "random",
        "sum",
        "max",
        "min",
        "average",
        "count",
        "boolean",
        "not",
        "exists",
        "append",
        "sort",
        "reverse",
        "shuffle",
        "distinct",
        "zip",
        "keys",
        "lookup",
        "spread",
        "merge",
        "sift",
        "each",
        "error",
        "assert",
        "type",
        "now",
        "millis",
        "fromMillis",
        "toMillis",
        "map",
        "filter",
        "single",
        "reduce",
        "partition",
        "range",
        "hash",
        "uuid",
        "parse",
    ]
)


def _jsonata_reads(text: str) -> set[str]:
    if not (text.startswith("{%") and text.endswith("%}")):
        return set()
    body = _JSONATA_STRING.sub("''", text[2:-2])
    bound = {m["name"] for m in _JSONATA_BOUND.finditer(body)}
    for params in _JSONATA_PARAMETERS.finditer(body):
        bound |= {p.strip().removeprefix("$") for p in params["params"].split(",")}
    names = {m["name"] for m in _JSONATA_VARIABLE.finditer(body) if not m["call"]}
    return names - bound - _JSONATA_FUNCTIONS - {"states"}


def _jsonpath_reads(text: str) -> set[str]:
    if text.startswith("States."):
        text = _INTRINSIC_STRING.sub("''", text)
    elif not text.startswith("$"):
        return set()
    return {m["name"] for m in _JSONPATH_VARIABLE.finditer(text)}


def _reads(value: Any, language: str, key: str = "", dynamic: bool = False) -> Iterator[tuple[str, Path]]:
    """(variable, relative path) for every variable a state's fields read, nested scopes excluded."""
    if isinstance(value, dict):
        for child_key, item in value.items():
            if child_key in _NESTED:
                continue
            for name, sub in _reads(item, language, child_key, child_key.endswith(".$")):
                yield name, (child_key, *sub)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            for name, sub in _reads(item, language, key, dynamic):
                yield name, (index, *sub)
    elif isinstance(value, str):
        if language == "JSONata":
            names = _jsonata_reads(value)
        elif dynamic or key in _JSONPATH_PATH_FIELDS or (key.endswith("Path") and key != "ResultPath"):
            names = _jsonpath_reads(value)
        else:
            names = set()
        for name in sorted(names):
            yield name, ()


def _assigns(state: dict[str, Any], language: str) -> Iterator[tuple[str, Path]]:
    blocks: list[tuple[Path, Any]] = [(("Assign",), state.get("Assign"))]
    for key in ("Choices", "Catch"):
        items = state.get(key)
        for index, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict):
                blocks.append(((key, index, "Assign"), item.get("Assign")))
    for path, block in blocks:
        if isinstance(block, dict):
            for key in block:
                name = key.removesuffix(".$") if language == "JSONPath" else key
                yield name, (*path, key)


def _successors(state: dict[str, Any]) -> Iterator[str]:
    if isinstance(state.get("Next"), str):
        yield state["Next"]
    if isinstance(state.get("Default"), str):
        yield state["Default"]
    for key in ("Choices", "Catch"):
        items = state.get(key)
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and isinstance(item.get("Next"), str):
                yield item["Next"]


class _Variables:
    """Where each variable can have a value, scope by scope, and every read or assignment that breaks that."""

    def __init__(self, scopes: list[_Scope]) -> None:
        self.scopes = scopes
        self.assigned_anywhere: set[str] = set()
        # Per scope: variables that may hold a value on entry to each of its states.
        self.available: dict[Path, dict[str, set[str]]] = {}
        self.issues: list[Issue] = []

    def check(self) -> list[Issue]:
        for scope in self.scopes:
            for state in scope.states.values():
                if isinstance(state, dict):
                    self.assigned_anywhere |= {n for n, _ in _assigns(state, _language(state, scope))}
        for scope in self.scopes:  # parents come before their children
            self._check_scope(scope)
        return self.issues

    def _outer_names(self, scope: _Scope) -> set[str]:
        """Variables the enclosing scopes assign anywhere (an inner scope may not assign them)."""
        names: set[str] = set()
        parent = scope.parent
        while parent is not None:
            for state in parent.states.values():
                if isinstance(state, dict):
                    names |= {n for n, _ in _assigns(state, _language(state, parent))}
            parent = parent.parent
        return names

    def _on_entry(self, scope: _Scope) -> set[str]:
        if scope.parent is None or scope.owner is None:
            return set()
        return set(self.available.get(scope.parent.path, {}).get(scope.owner, set()))

    def _check_scope(self, scope: _Scope) -> None:
        outer = self._outer_names(scope)
        inherited = set() if scope.distributed else self._on_entry(scope)
        hidden = self._on_entry(scope) if scope.distributed else set()
        local: dict[str, set[str]] = {}
        for name, state in scope.states.items():
            if not isinstance(state, dict):
                continue
            language = _language(state, scope)
            for variable, sub in _assigns(state, language):
                local.setdefault(name, set()).add(variable)
                if variable in outer and scope.parent is not None:
                    self.issues.append(
                        Issue(
                            (*scope.path, "States", name, *sub),
                            f"'{variable}' belongs to an enclosing scope; a Parallel branch or Map iteration can "
                            "read it but not assign it",
                            "use another name here, and pass results out through the branch's or iteration's Output",
                            "variable-scope",
                        )
                    )
                if len(variable) > VARIABLE_NAME_LIMIT:
                    self.issues.append(
                        Issue(
                            (*scope.path, "States", name, *sub),
                            f"variable name is {len(variable)} characters long; the limit is {VARIABLE_NAME_LIMIT}",
                            "shorten it",
                            "variable-name",
                        )
                    )
        available = self._flow(scope, local, inherited)
        self.available[scope.path] = available
        for name, state in scope.states.items():
            if not isinstance(state, dict):
                continue
            language = _language(state, scope)
            for variable, sub in _reads(state, language):
                if variable in available.get(name, set()):
                    continue
                path = (*scope.path, "States", name, *sub)
                if variable in hidden:
                    message = (
                        f"reads ${variable}, but a Distributed Map's iterations cannot see the variables of "
                        "the workflow that runs them"
                    )
                    hint = "pass the value in through ItemSelector (or BatchInput)"
                    self.issues.append(Issue(path, message, hint, "variable-scope"))
                elif variable not in self.assigned_anywhere:
                    message = f"reads ${variable}, but no state assigns a variable '{variable}'"
                    hint = 'assign it earlier with "Assign", or fix the name'
                    # AWS accepts such a definition; the run fails when it gets here.
                    self.issues.append(Issue(path, message, hint, "undefined-variable", "warning"))
                else:
                    message = (
                        f"reads ${variable}, but no state that runs before this one in its scope can have assigned "
                        "it (an assignment takes effect from the next state on; variables assigned inside a "
                        "Parallel branch or Map iteration stay there)"
                    )
                    hint = "assign it on every path to this state"
                    self.issues.append(Issue(path, message, hint, "variable-before-assignment", "warning"))

    def _flow(self, scope: _Scope, local: dict[str, set[str]], inherited: set[str]) -> dict[str, set[str]]:
        """Variables that may hold a value on entry to each state: a forward may-analysis to a fixed point."""
        states = {n: s for n, s in scope.states.items() if isinstance(s, dict)}
        entry: dict[str, set[str]] = {name: set(inherited) for name in states}
        queue = [n for n in states]
        while queue:
            name = queue.pop()
            out = entry[name] | local.get(name, set())
            for successor in _successors(states[name]):
                if successor in entry and not out <= entry[successor]:
                    entry[successor] |= out
                    queue.append(successor)
        return entry
