"""Checks of a whole definition by the workflow that runs it: size, Express limits, run-time advice, SageMaker names.

The definition may be partly broken (the schema reports that): walk what is walkable, skip what is not.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from asl_gen.lint.findings import Issue, Path
from asl_gen.lint.scopes import language_of, workflow_scopes
from asl_gen.lint.variables import check_variables

DEFINITION_LIMIT = 1_048_576  # bytes of the definition string, a hard Step Functions quota
EXPRESS_LIMIT = 300  # seconds: an Express execution (and a Distributed Map's EXPRESS child) runs at most 5 minutes


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
    scopes = list(workflow_scopes(doc))
    for scope in scopes:
        for name, state in scope.states.items():
            if not isinstance(state, dict):
                continue
            path = (*scope.path, "States", name)
            if scope.express or machine_type == "EXPRESS":
                issues += _express_state(path, state, machine_type == "EXPRESS" and not scope.express)
            issues += _sagemaker_names(path, state, language_of(state, scope))
            issues += _advice(path, state)
    issues += check_variables(scopes)
    return issues


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
