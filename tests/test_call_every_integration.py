"""Every service integration, with every pattern it supports, renders from a spec's `call` step, passes the
build's validation, and is granted exactly the statements its reviewed golden file lists (tests/services/).

The golden files are derived from hand-written Tasks; here the same request goes through the whole build,
so the spec, the templates, the validator and IAM derivation are checked together for each row.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from asl_gen import integrations
from asl_gen.build import STEPFUNCTIONS_POLICY, generate
from asl_gen.errors import SpecError
from asl_gen.spec.call import dynamic_values
from asl_gen.spec.paths import paths_in

from .test_services import GOLDEN, LITERALS

PATTERN_WORD = {"": "request-response", ".sync": "sync", ".sync:2": "sync:2", ".waitForTaskToken": "callback"}
SUFFIX = {"": "", ".sync": ".sync", ".sync:2": ".sync2", ".waitForTaskToken": ".waitForTaskToken"}
# A SageMaker Describe/ListTags request has no member to carry a task token, and the spec checks a SageMaker
# call's parameters against the API's request shape: those callbacks are refused (tests/test_call_shapes.py).
CASES = [
    (row.key, pattern)
    for row in integrations.SERVICE_ROWS
    for pattern in sorted(row.patterns)
    if not (row.service == "sagemaker" and pattern == ".waitForTaskToken")
]


TOKEN = {"token.$": "$$.Task.Token"}
# Where a callback hands its task token over, per service: none of these fields changes what IAM grants.
CALLBACK_FIELDS: dict[str, dict[str, Any]] = {
    "lambda:invoke": {"Payload": TOKEN},
    "sns:publish": {"Message": TOKEN},
    "sqs:sendMessage": {"MessageBody": TOKEN},
    "ecs:runTask": {
        "Overrides": {
            "ContainerOverrides": [{"Name": "app", "Environment": [{"Name": "TOKEN", "Value.$": "$$.Task.Token"}]}]
        }
    },
    "events:putEvents": {"Entries": [{**LITERALS["events:putEvents"]["Entries"][0], "Detail": TOKEN}]},
    "states:startExecution": {"Input": TOKEN},
    "apigateway:invoke": {"RequestBody": TOKEN},
}


def _spec(key: str, pattern: str) -> dict[str, Any]:
    parameters: dict[str, Any] = dict(LITERALS[key])
    if pattern == ".waitForTaskToken":
        replaced = CALLBACK_FIELDS.get(key, {"TaskToken.$": "$$.Task.Token"})
        parameters = {k: v for k, v in parameters.items() if k.removesuffix(".$") not in replaced} | replaced
    # The fields the request reads from the state are execution inputs here (nothing runs before the call).
    read = sorted(
        {
            path[2:].split(".")[0]
            for _, value in dynamic_values(parameters)
            for path in paths_in(str(value))
            if path.startswith("$.")
        }
    )
    return {
        "project": "calls",
        "aws": {"region": "us-east-1", "account": "123456789012"},
        "roles": {
            "sagemaker": {"arn": "arn:aws:iam::123456789012:role/calls-sagemaker"},
            "stepfunctions": {"name": "calls-sfn"},
        },
        **({"inputs": dict.fromkeys(read, "string")} if read else {}),
        "jobs": {
            "call": {
                "type": "call",
                "state_name": "Call",
                "resource": key,
                "pattern": PATTERN_WORD[pattern],
                "parameters": parameters,
            }
        },
        "state_machines": {"run": ["call"]},
    }


def _golden(key: str, pattern: str) -> list[dict[str, Any]]:
    record = json.loads((GOLDEN / f"{key.replace(':', '.')}{SUFFIX[pattern]}.json").read_text(encoding="utf-8"))
    return [
        {"Action": s["Action"], "Resource": s["Resource"]} | ({"Condition": s["Condition"]} if "Condition" in s else {})
        for s in record["Statements"]
    ]


@pytest.mark.parametrize(("key", "pattern"), CASES, ids=[f"{k}{p}" for k, p in CASES])
def test_call_step_builds_and_gets_the_golden_statements(key: str, pattern: str, tmp_path: Path) -> None:
    spec = _spec(key, pattern)
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    if not _golden(key, pattern):
        # eks:call and eks:runJob need no IAM statement (Kubernetes RBAC authorises them): alone in a project
        # they would leave the role a policy without statements, which the build refuses.
        with pytest.raises(SpecError, match="without statements"):
            generate(path)
        return
    generated = generate(path)
    definition = json.loads(generated.files["run.asl.json"])
    assert definition["States"]["Call"]["Resource"] == f"arn:aws:states:::{key}{pattern}"
    policy = json.loads(generated.files[STEPFUNCTIONS_POLICY])
    granted = [
        {"Action": s["Action"], "Resource": s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]]}
        | ({"Condition": s["Condition"]} if "Condition" in s else {})
        for s in policy["Statement"]
    ]
    assert granted == _golden(key, pattern)


def test_every_row_is_built() -> None:
    assert {key for key, _ in CASES} == {row.key for row in integrations.SERVICE_ROWS}


def test_a_project_without_sagemaker_jobs_writes_no_sagemaker_role_policy(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(_spec("lambda:invoke", ""), sort_keys=False), encoding="utf-8")
    files = generate(path).files
    assert "iam/sagemaker-policy.json" not in files
    assert "iam/sagemaker-trust-policy.json" not in files
    assert "## iam/sagemaker-policy.json" not in files["iam/POLICIES.md"]
    assert STEPFUNCTIONS_POLICY in files
