"""Deployment flows: wait until an endpoint is InService, deploy or update, register a model package version,
call any known service. Each is checked as rendered states, as IAM (exact actions and ARNs), as spec errors, by
the external judges, and by running it in moto's Step Functions interpreter against moto's SageMaker.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from asl_gen.build import STEPFUNCTIONS_POLICY, Generated, generate
from asl_gen.cli import main
from asl_gen.lint import validate_definition
from asl_gen.plan import (
    ChoiceRule,
    ChoiceState,
    Goto,
    PassState,
    StepPlan,
    SucceedState,
    TaskState,
    WaitState,
    link,
)

from . import test_judges as judges
from .localaws import run_to_end

CASE = Path(__file__).parent / "cases" / "deploy-flows" / "spec.yaml"
SM = "arn:aws:sagemaker:eu-west-1:123456789012"


@functools.cache
def _case() -> Generated:
    return generate(CASE)


def _definition(machine: str, generated: Generated | None = None) -> dict[str, Any]:
    return json.loads((generated or _case()).files[f"{machine}.asl.json"])


def _build(tmp_path: Path, text: str) -> Generated:
    spec = tmp_path / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    return generate(spec)


def _grants(generated: Generated) -> dict[str, set[str]]:
    grants: dict[str, set[str]] = {}
    for statement in json.loads(generated.files[STEPFUNCTIONS_POLICY])["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        for action in actions:
            grants.setdefault(action, set()).update(resources)
    return grants


def _walk(states: dict[str, Any], start: str, limit: int = 20) -> list[str]:
    """The chain of states from `start` following Next, stopping at a Choice, a terminal or a state seen."""
    chain = [start]
    while "Next" in states[chain[-1]] and len(chain) < limit:
        target = states[chain[-1]]["Next"]
        if target in chain:
            chain.append(target)
            break
        chain.append(target)
    return chain


# --- the wait loop ----------------------------------------------------------------------------------------------


def test_wait_loop_is_wait_count_describe_choice_and_back() -> None:
    states = _definition("launch")["States"]
    assert _walk(states, "new-endpoint") == [
        "new-endpoint",
        "new-endpoint: wait",
        "new-endpoint: count",
        "new-endpoint: status",
        "new-endpoint: in service?",
    ]
    assert [states[name]["Type"] for name in _walk(states, "new-endpoint")] == [
        "Task",
        "Wait",
        "Pass",
        "Task",
        "Choice",
    ]
    assert states["new-endpoint: wait"]["Seconds"] == 30
    describe = states["new-endpoint: status"]
    assert describe["Resource"] == "arn:aws:states:::aws-sdk:sagemaker:describeEndpoint"
    assert describe["Parameters"] == {"EndpointName.$": "$$.Execution.Input.EndpointName"}
    assert describe["ResultPath"] == "$.new_endpoint.Status"
    assert describe["Retry"] == [
        {"ErrorEquals": ["SageMaker.SageMakerException"], "IntervalSeconds": 5, "MaxAttempts": 4, "BackoffRate": 2.0}
    ]
    choice = states["new-endpoint: in service?"]
    assert choice["Default"] == "new-endpoint: wait"
    assert choice["Choices"] == [
        {"Variable": "$.new_endpoint.Status.EndpointStatus", "StringEquals": "InService", "Next": "new-endpoint: done"},
        {
            "Or": [
                {"Variable": "$.new_endpoint.Status.EndpointStatus", "StringEquals": "Failed"},
                {"Variable": "$.new_endpoint.Status.EndpointStatus", "StringEquals": "UpdateRollbackFailed"},
            ],
            "Next": "new-endpoint: failed",
        },
        {"Variable": "$.new_endpoint.Polls.Count", "NumericGreaterThanEquals": 120, "Next": "new-endpoint: timed out"},
    ]
    assert states["new-endpoint: failed"] == {
        "Type": "Fail",
        "Comment": "Endpoint 'new-endpoint' failed; the cause is SageMaker's FailureReason",
        "Error": "Endpoint.Failed",
        "CausePath": "$.new_endpoint.Status.FailureReason",
    }
    assert states["new-endpoint: timed out"]["Error"] == "Endpoint.Timeout"
    # A Choice cannot end a machine: the loop that ends one leaves through a Succeed state.
    assert states["new-endpoint: done"]["Type"] == "Succeed"


def test_wait_loop_counts_from_zero_in_the_result_slot_and_is_bounded_by_max_polls() -> None:
    states = _definition("deploy")["States"]
    for task in ("Deploy: create", "Deploy: update"):
        assert states[task]["ResultPath"] == "$.live_endpoint"
        assert states[task]["ResultSelector"]["Polls"] == {"Count": 0}
        assert states[task]["Next"] == "Deploy: wait"
    count = states["Deploy: count"]
    assert count["Parameters"] == {"Count.$": "States.MathAdd($.live_endpoint.Polls.Count, 1)"}
    assert count["ResultPath"] == "$.live_endpoint.Polls"
    bound = [r for r in states["Deploy: in service?"]["Choices"] if "NumericGreaterThanEquals" in r]
    assert bound == [
        {"Variable": "$.live_endpoint.Polls.Count", "NumericGreaterThanEquals": 45, "Next": "Deploy: timed out"}
    ]
    assert states["Deploy: wait"]["Seconds"] == 60


def test_wait_loop_in_the_middle_continues_with_the_next_step_and_keeps_other_results() -> None:
    states = _definition("deploy")["States"]
    first = states["Deploy: in service?"]["Choices"][0]
    assert first["Next"] == "Notify Team"
    # Every state of the step writes under its own slot, so the training and model results stay in the input.
    written = {s.get("ResultPath") for name, s in states.items() if name.startswith("Deploy")} - {None}
    assert all(path.startswith("$.live_endpoint") for path in written)


def test_an_update_that_rolls_back_is_a_failure() -> None:
    states = _definition("deploy")["States"]
    first, second = states["Deploy: in service?"]["Choices"][:2]
    assert first["And"][1] == {
        "Variable": "$.live_endpoint.Status.EndpointConfigName",
        "StringEqualsPath": "$.live_endpoint.EndpointConfigName",
    }
    assert states["Deploy: update"]["ResultSelector"]["EndpointConfigName.$"] == "$$.Execution.Input.ModelName"
    assert second == {
        "Variable": "$.live_endpoint.Status.EndpointStatus",
        "StringEquals": "InService",
        "Next": "Deploy: rolled back",
    }
    assert states["Deploy: rolled back"]["Error"] == "Endpoint.RolledBack"


# --- deploy or update -----------------------------------------------------------------------------------------


def test_deploy_or_update_looks_the_endpoint_up_and_branches() -> None:
    states = _definition("deploy")["States"]
    lookup = states["Deploy"]
    assert lookup["Resource"] == "arn:aws:states:::aws-sdk:sagemaker:describeEndpoint"
    assert lookup["Next"] == "Deploy: update"
    assert lookup["Catch"] == [
        {"ErrorEquals": ["SageMaker.SageMakerException"], "ResultPath": "$.live_endpoint", "Next": "Deploy: not found?"}
    ]
    assert states["Deploy: not found?"]["Choices"] == [
        {"Variable": "$.live_endpoint.Cause", "StringMatches": "*Could not find endpoint*", "Next": "Deploy: create"}
    ]
    assert states["Deploy: not found?"]["Default"] == "Deploy: lookup failed"
    assert states["Deploy: lookup failed"] == {
        "Type": "Fail",
        "Comment": "Describing endpoint 'live-endpoint' failed for another reason than its absence",
        "ErrorPath": "$.live_endpoint.Error",
        "CausePath": "$.live_endpoint.Cause",
    }
    assert states["Deploy: create"]["Resource"] == "arn:aws:states:::sagemaker:createEndpoint"
    assert states["Deploy: update"]["Resource"] == "arn:aws:states:::sagemaker:updateEndpoint"
    assert states["Deploy: update"]["Parameters"] == {
        "EndpointName": "churn-live",
        "EndpointConfigName.$": "$$.Execution.Input.ModelName",
    }


def test_an_endpoint_without_the_new_options_is_still_one_create_task(tmp_path: Path) -> None:
    text = CASE.read_text().replace("    if_exists: update\n    wait: {poll_seconds: 60, max_polls: 45}\n", "")
    states = _definition("deploy", _build(tmp_path, text))["States"]
    assert not [name for name in states if name.startswith("Deploy:")]
    assert states["Deploy"]["Resource"] == "arn:aws:states:::sagemaker:createEndpoint"
    assert states["Deploy"]["ResultSelector"] == {"EndpointArn.$": "$.EndpointArn"}
    assert states["Deploy"]["Next"] == "Notify Team"


def test_deploy_or_update_without_wait_joins_the_next_step_from_both_branches(tmp_path: Path) -> None:
    text = CASE.read_text().replace("    wait: {poll_seconds: 60, max_polls: 45}\n", "")
    states = _definition("deploy", _build(tmp_path, text))["States"]
    assert states["Deploy: create"]["Next"] == states["Deploy: update"]["Next"] == "Notify Team"
    assert "Polls" not in states["Deploy: update"]["ResultSelector"]


# --- model registry -------------------------------------------------------------------------------------------


def test_model_package_registers_the_training_artifacts_with_its_approval() -> None:
    states = _definition("register")["States"]
    # The training ran in another machine: its artifacts are looked up first, as for a model.
    assert _walk(states, "Look up train") == ["Look up train", "Register Model", "Smoke Test"]
    register = states["Register Model"]
    assert register["Resource"] == "arn:aws:states:::aws-sdk:sagemaker:createModelPackage"
    parameters = register["Parameters"]
    assert parameters["ModelPackageGroupName"] == "churn-models"
    assert parameters["ModelApprovalStatus"] == "Approved"
    assert "Tags" not in parameters
    container = parameters["InferenceSpecification"]["Containers"][0]
    assert container["ModelDataUrl.$"] == "$.train.ModelDataUrl"
    assert container["Image"].endswith("/sagemaker-xgboost:1.7-1")
    assert parameters["InferenceSpecification"]["SupportedRealtimeInferenceInstanceTypes"] == [
        "ml.m5.large",
        "ml.m5.xlarge",
    ]
    assert register["ResultSelector"] == {"ModelPackageArn.$": "$.ModelPackageArn"}


def test_model_package_approval_defaults_to_pending_manual_approval(tmp_path: Path) -> None:
    text = CASE.read_text().replace("    approval: Approved\n", "")
    parameters = _definition("register", _build(tmp_path, text))["States"]["Register Model"]["Parameters"]
    assert parameters["ModelApprovalStatus"] == "PendingManualApproval"


# --- generic calls --------------------------------------------------------------------------------------------


def test_call_steps_render_their_parameters_as_written() -> None:
    notify = _definition("deploy")["States"]["Notify Team"]
    assert notify["Resource"] == "arn:aws:states:::sns:publish"
    assert notify["Parameters"] == {
        "TopicArn": "arn:aws:sns:eu-west-1:123456789012:churn-deployments",
        "Subject": "Churn model deployed",
        "Message.$": "States.Format('Endpoint churn-live now serves {}', $$.Execution.Input.ModelName)",
    }
    assert notify["ResultPath"] is None
    assert notify["End"] is True
    smoke = _definition("register")["States"]["Smoke Test"]
    assert smoke["Resource"] == "arn:aws:states:::lambda:invoke"
    assert smoke["Parameters"]["Payload"] == {"endpoint": "churn-live", "model_package.$": "$.register.ModelPackageArn"}
    assert smoke["ResultSelector"] == {"Verdict.$": "$.Payload.verdict"}
    assert smoke["ResultPath"] == "$.score"


def test_callback_and_sdk_calls_get_their_pattern_timeouts_and_credentials() -> None:
    states = _definition("release")["States"]
    approve = states["Ask For Approval"]
    assert approve["Resource"] == "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
    assert (approve["TimeoutSeconds"], approve["HeartbeatSeconds"]) == (86400, 3600)
    tag = states["Tag Report"]
    assert tag["Resource"] == "arn:aws:states:::aws-sdk:s3:putObjectTagging"
    assert tag["Credentials"] == {"RoleArn": "arn:aws:iam::123456789012:role/churn-report-tagger"}


def test_inputs_a_call_reads_are_in_the_machines_input_schema() -> None:
    schema = json.loads(_case().files["inputs/release.schema.json"])
    assert schema["required"] == ["ModelName", "ReportKey"]
    assert schema["properties"]["ReportKey"] == {"type": "string", "description": "Read by archive (call)"}


# --- linking steps --------------------------------------------------------------------------------------------


def _task(name: str, next: str | Goto | None = Goto.NEXT_STEP) -> TaskState:
    return TaskState(name, "c", "arn:aws:states:::sns:publish", "t", {}, None, None, next=next)


def test_link_points_each_step_at_the_next_and_ends_the_last() -> None:
    loop = StepPlan(
        "b",
        (
            WaitState("b", "c", 1, next="b: check"),
            ChoiceState("b: check", "c", (ChoiceRule({"Variable": "$.x", "IsPresent": True}, Goto.NEXT_STEP),), "b"),
        ),
    )
    linked = link([StepPlan("a", (_task("a"),)), loop, StepPlan("c", (PassState("c", "c", {}, None),))])
    assert [(s.name, getattr(s, "next", None)) for s in linked] == [
        ("a", "b"),
        ("b", "b: check"),
        ("b: check", None),
        ("c", None),
    ]
    choice = linked[2]
    assert isinstance(choice, ChoiceState) and choice.rules[0].next == "c"


def test_link_ends_a_choice_at_the_end_of_the_machine_in_a_succeed_state() -> None:
    choice = ChoiceState("a", "c", (ChoiceRule({"Variable": "$.x", "IsPresent": True}, Goto.NEXT_STEP),), "a: no")
    linked = link([StepPlan("a", (choice, _task("a: no")))])
    assert [s.name for s in linked] == ["a", "a: no", "a: done"]
    assert isinstance(linked[-1], SucceedState)
    assert linked[0].rules[0].next == "a: done"  # type: ignore[union-attr]
    assert linked[1].next is None  # type: ignore[union-attr]


# --- IAM ------------------------------------------------------------------------------------------------------

IAM_SPEC = """\
project: iam-flows
aws: {region: eu-west-1, account: "123456789012"}
roles:
  sagemaker: {arn: "arn:aws:iam::123456789012:role/sm"}
  stepfunctions: {name: sfn}
jobs:
  train:
    type: training
    name: Churn-Train
    algorithm: {name: xgboost, version: "1.7-1"}
    instance: {type: ml.m5.xlarge}
    channels: {train: {s3: s3://churn-data/train}}
    output: s3://churn-data/output
  config:
    type: endpoint-config
    name: Churn-Config-V2
    variants: [{model: model, instance: {type: ml.m5.large}}]
  model: {type: model, name: churn-model, from: train}
  endpoint: {type: endpoint, name: Churn-Live, config: config, if_exists: update, wait: true}
  register: {type: model-package, group: Churn-Models, from: train}
  notify:
    type: call
    resource: sns:publish
    parameters: {TopicArn: "arn:aws:sns:eu-west-1:123456789012:deployments", Message: deployed}
  tag:
    type: call
    resource: aws-sdk:s3:putObjectTagging
    parameters: {Bucket: reports, Key: latest.json, Tagging: {TagSet: []}}
    resources: ["arn:aws:s3:::reports/latest.json"]
    credentials: arn:aws:iam::210987654321:role/tagger
state_machines:
  flow: [{step}]
"""


def _flow_grants(tmp_path: Path, step: str) -> dict[str, set[str]]:
    return _grants(_build(tmp_path, IAM_SPEC.replace("{step}", step)))


def test_iam_of_deploy_or_update_with_wait(tmp_path: Path) -> None:
    endpoint, config = f"{SM}:endpoint/churn-live", f"{SM}:endpoint-config/churn-config-v2"
    assert _flow_grants(tmp_path, "endpoint") == {
        "sagemaker:DescribeEndpoint": {endpoint},
        "sagemaker:CreateEndpoint": {endpoint, config},
        "sagemaker:UpdateEndpoint": {endpoint, config},
        "sagemaker:ListTags": {endpoint},
    }


def test_iam_of_a_model_package_version(tmp_path: Path) -> None:
    assert _flow_grants(tmp_path, "register") == {
        "sagemaker:CreateModelPackage": {
            f"{SM}:model-package-group/churn-models",
            f"{SM}:model-package/churn-models/*",
        },
        "sagemaker:DescribeTrainingJob": {f"{SM}:training-job/churn-train"},
    }


def test_iam_of_a_call_follows_the_integration_row(tmp_path: Path) -> None:
    assert _flow_grants(tmp_path, "notify") == {"sns:Publish": {"arn:aws:sns:eu-west-1:123456789012:deployments"}}


def test_iam_of_an_sdk_call_without_a_row_grants_the_declared_resources_and_the_assumed_role(tmp_path: Path) -> None:
    assert _flow_grants(tmp_path, "tag") == {
        "s3:PutObjectTagging": {"arn:aws:s3:::reports/latest.json"},
        "sts:AssumeRole": {"arn:aws:iam::210987654321:role/tagger"},
    }


# --- spec errors ----------------------------------------------------------------------------------------------

# (what the user got wrong, text replaced in tests/cases/deploy-flows/spec.yaml, replacement, the exact line)
MISTAKES = [
    (
        "zero poll interval",
        "wait: {poll_seconds: 60, max_polls: 45}",
        "wait: {poll_seconds: 0, max_polls: 45}",
        "spec.yaml:41:26: jobs.live-endpoint.wait.poll_seconds: 0 is out of range: input should be greater than or "
        "equal to 1",
    ),
    (
        "unbounded polls",
        "wait: {poll_seconds: 60, max_polls: 45}",
        "wait: {poll_seconds: 60, max_polls: 5000}",
        "spec.yaml:41:41: jobs.live-endpoint.wait.max_polls: 5000 is out of range: input should be less than or "
        "equal to 1000",
    ),
    (
        "wait as a word",
        "    wait: true\n",
        "    wait: soon\n",
        "spec.yaml:46:11: jobs.new-endpoint.wait: give wait as true, false or {poll_seconds: 30, max_polls: 120}, "
        "not 'soon'",
    ),
    (
        "misspelt wait setting",
        "wait: {poll_seconds: 60, max_polls: 45}",
        "wait: {poll_second: 60, max_polls: 45}",
        "spec.yaml:41:12: jobs.live-endpoint.wait.poll_second: unknown field 'poll_second' (did you mean "
        "'poll_seconds'?)",
    ),
    (
        "unknown if_exists",
        "if_exists: update",
        "if_exists: replace",
        "spec.yaml:40:16: jobs.live-endpoint.if_exists: 'replace' is not allowed; expected 'fail' or 'update'",
    ),
    (
        "approval in lowercase",
        "approval: Approved",
        "approval: approved",
        "spec.yaml:52:15: jobs.register.approval: 'approved' is not allowed; expected 'Approved', "
        "'PendingManualApproval' or 'Rejected' (did you mean 'Approved'?)",
    ),
    (
        "group that is no SageMaker name",
        "group: churn-models",
        "group: churn_models",
        "spec.yaml:50:12: jobs.register.group: 'churn_models' is not valid here (a model package group name: 1-63 "
        "letters, digits and hyphens, starting and ending with a letter or digit)",
    ),
    (
        "tags on a model package version",
        "    approval: Approved\n",
        "    approval: Approved\n    tags: {team: ml}\n",
        "spec.yaml:48:5: jobs.register: a model package version takes the tags of its group; SageMaker refuses "
        "tags on the version (tag the model package group instead)",
    ),
    (
        "model package from a model",
        "    from: train\n    approval",
        "    from: model\n    approval",
        "spec.yaml:51:11: jobs.register.from: job 'model' is of type model, not training or tuning "
        "(name a job of type training or tuning)",
    ),
    (
        "model package with two sources",
        "    from: train\n    approval",
        "    from: train\n    model_data: s3://churn-data/m.tar.gz\n    approval",
        "spec.yaml:48:5: jobs.register: give exactly one of 'from' (a training job) or 'model_data' (an s3:// URI)",
    ),
    (
        "misspelt inference instance",
        "inference_instances: [ml.m5.large, ml.m5.xlarge]",
        "inference_instances: [ml.m5.large, ml.m5.xlarg]",
        "spec.yaml:56:40: jobs.register.inference_instances.1: 'ml.m5.xlarg' is not a SageMaker instance type "
        "(did you mean 'ml.m5.xlarge'?)",
    ),
    (
        "unknown integration",
        "resource: sns:publish",
        "resource: sns:publsh",
        "spec.yaml:61:15: jobs.notify.resource: asl-gen knows no integration 'sns:publsh' (did you mean "
        "'sns:publish'?)",
    ),
    (
        "integration written as an ARN",
        "resource: sns:publish",
        "resource: arn:aws:states:::sns:publish",
        "spec.yaml:61:15: jobs.notify.resource: 'arn:aws:states:::sns:publish' is not an integration: write "
        "service:api (sns:publish) or aws-sdk:service:apiName (aws-sdk:s3:getObject), without arn:...:states::: and "
        "without a .sync suffix (use pattern)",
    ),
    (
        "pattern the integration lacks",
        "    resource: sns:publish\n",
        "    resource: sns:publish\n    pattern: sync\n",
        "spec.yaml:62:14: jobs.notify.pattern: sns:publish does not support the sync pattern (supported: "
        "request-response, callback)",
    ),
    (
        "unknown pattern",
        "    resource: sns:publish\n",
        "    resource: sns:publish\n    pattern: async\n",
        "spec.yaml:62:14: jobs.notify.pattern: 'async' is not allowed; expected 'request-response', 'sync', "
        "'sync:2' or 'callback' (did you mean 'sync'?)",
    ),
    (
        "required parameter missing",
        "      Message.$: States.Format('Endpoint churn-live now serves {}', $$.Execution.Input.ModelName)\n",
        "",
        "spec.yaml:63:7: jobs.notify.parameters: sns:publish needs the parameter 'Message' (add Message: ... under "
        "parameters, or Message.$: $.path to take it from the state)",
    ),
    (
        "a '.$' key with a constant",
        "model_package.$: $.register.ModelPackageArn",
        "model_package.$: register",
        "spec.yaml:72:7: jobs.score.parameters: Payload.model_package.$ must be a path ($.field, "
        "$$.Execution.Input.Name) or an intrinsic function (States.Format(...)), not 'register' (drop '.$' from the "
        "key to pass a constant)",
    ),
    (
        "a key given twice",
        "      Subject: Churn model deployed\n",
        "      Subject: Churn model deployed\n      Subject.$: $.subject\n",
        "spec.yaml:63:7: jobs.notify.parameters: the mapping sets both 'Subject' and 'Subject.$'; keep one",
    ),
    (
        "undeclared input",
        "Key.$: $$.Execution.Input.ReportKey",
        "Key.$: $$.Execution.Input.ReportName",
        "spec.yaml:94:7: jobs.archive.parameters: the call reads input 'ReportName', which is not declared (add it "
        "under inputs: {ReportName: string})",
    ),
    (
        "callback without the task token",
        "        token.$: $$.Task.Token\n",
        "",
        "spec.yaml:83:7: jobs.approve.parameters: a callback call must hand the task token to whoever answers it "
        "(add a parameter such as TaskToken.$: $$.Task.Token)",
    ),
    (
        "heartbeat after the timeout",
        "heartbeat_seconds: 3600",
        "heartbeat_seconds: 86400",
        "spec.yaml:78:5: jobs.approve: heartbeat_seconds must be smaller than timeout_seconds, or the heartbeat can "
        "never fire",
    ),
    (
        "sdk call without a row and without resources",
        '    resources: ["arn:aws:s3:::churn-reports/*"]\n',
        "",
        "spec.yaml:92:15: jobs.archive.resource: asl-gen has no IAM row for aws-sdk:s3:putObjectTagging, so it "
        "cannot tell which resources the call acts on (list the ARNs it acts on under resources, e.g. resources: "
        "[arn:aws:s3:::bucket/prefix/*]; asl-gen grants them as written)",
    ),
    (
        "resources for a call asl-gen has a row for",
        "    resource: sns:publish\n",
        '    resource: sns:publish\n    resources: ["arn:aws:sns:eu-west-1:123456789012:other"]\n',
        "spec.yaml:62:16: jobs.notify.resources: asl-gen derives the permissions of sns:publish from its parameters; "
        "resources is only for aws-sdk calls it has no row for (remove resources)",
    ),
    (
        "a bare wildcard resource",
        'resources: ["arn:aws:s3:::churn-reports/*"]',
        'resources: ["*"]',
        "spec.yaml:97:17: jobs.archive.resources.0: '*' is not an ARN (write it out: "
        "arn:aws:s3:::my-bucket/reports/*); a bare '*' is never granted",
    ),
    (
        "resource of another partition",
        'resources: ["arn:aws:s3:::churn-reports/*"]',
        'resources: ["arn:aws-cn:s3:::churn-reports/*"]',
        "spec.yaml:97:17: jobs.archive.resources.0: 'arn:aws-cn:s3:::churn-reports/*' is in partition 'aws-cn', the "
        "state machine in 'aws' (use arn:aws:...)",
    ),
    (
        "credentials that are no role ARN",
        "credentials: arn:aws:iam::123456789012:role/churn-report-tagger",
        "credentials: churn-report-tagger",
        "spec.yaml:98:18: jobs.archive.credentials: 'churn-report-tagger' is not an IAM role ARN "
        "(arn:aws:iam::123456789012:role/name)",
    ),
    (
        "result selector and discarded result",
        "    result_selector: {Verdict.$: $.Payload.verdict}\n",
        "    result_selector: {Verdict.$: $.Payload.verdict}\n    discard_result: true\n",
        "spec.yaml:68:5: jobs.score: give result_selector or discard_result: true, not both (a dropped result needs "
        "no shape)",
    ),
    (
        "state name that leaves no room for the loop's states",
        "    state_name: Deploy\n",
        "    state_name: " + "D" * 70 + "\n",
        "spec.yaml:37:17: jobs.live-endpoint.state_name: the step adds a state named '"
        + "D" * 70
        + ": lookup failed', 85 characters; state names stop at 80 (give the job a state_name of at most 65 "
        "characters)",
    ),
    (
        "state name that clashes with a loop's state",
        "    state_name: Notify Team\n",
        '    state_name: "Deploy: wait"\n',
        "spec.yaml:102:5: state_machines.deploy: two states of state machine 'deploy' would be named 'Deploy: wait' "
        "(a step's extra states are named '<state name>: <what they do>'; give a step a different state_name)",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), [m[1:] for m in MISTAKES], ids=[m[0] for m in MISTAKES])
def test_spec_mistake_gives_one_located_line(
    old: str, new: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = CASE.read_text()
    assert old in text, f"the case no longer contains {old!r}; update the table"
    (tmp_path / "spec.yaml").write_text(text.replace(old, new, 1))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "spec.yaml", "--out", "out"])
    assert result.exit_code == 2, result.output
    assert result.output.splitlines() == [expected, "1 problem found"]
    assert not (tmp_path / "out").exists()


# --- judges ---------------------------------------------------------------------------------------------------

MACHINES = ["deploy", "launch", "register", "release"]


@pytest.mark.parametrize("machine", MACHINES)
def test_asl_gen_validator_accepts_definition(machine: str) -> None:
    assert validate_definition(_definition(machine), source=machine) == []


@pytest.mark.parametrize("machine", MACHINES)
def test_moto_parser_and_static_analysers_accept_definition(machine: str) -> None:
    judges._moto_validate(_case().files[f"{machine}.asl.json"])


@pytest.mark.parametrize("machine", MACHINES)
def test_statelint_accepts_definition(machine: str, tmp_path: Path) -> None:
    path = tmp_path / f"{machine}.asl.json"
    path.write_text(_case().files[f"{machine}.asl.json"], encoding="utf-8")
    run = judges._run([judges._tool("statelint"), str(path)])
    assert (run.returncode, run.output) == (0, "")


@pytest.fixture(scope="module")
def asl_validator_verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[bool, str]]:
    """Every machine judged in one run of asl-validator (it takes most of a second to start)."""
    folder = tmp_path_factory.mktemp("asl-validator")
    paths = {
        machine: judges._write(folder, f"{machine}.asl.json", _case().files[f"{machine}.asl.json"])
        for machine in MACHINES
    }
    verdicts = judges._asl_validator_verdicts(list(paths.values()))
    return {machine: verdicts[str(path)] for machine, path in paths.items()}


@pytest.mark.parametrize("machine", MACHINES)
def test_asl_validator_accepts_definition(machine: str, asl_validator_verdicts: dict[str, tuple[bool, str]]) -> None:
    valid, said = asl_validator_verdicts[machine]
    assert valid, said


# --- running the flows in moto --------------------------------------------------------------------------------

RUN_SPEC = """\
project: run
aws: {region: us-east-1, account: "123456789012"}
roles:
  sagemaker: {arn: "arn:aws:iam::123456789012:role/sm"}
  stepfunctions: {name: sfn}
inputs: {EndpointName: string, ConfigName: string}
jobs:
  config:
    type: endpoint-config
    name: {input: ConfigName}
    variants: [{model: model, instance: {type: ml.m5.large}}]
  model:
    type: model
    name: m1
    model_data: s3://models-x/m.tar.gz
    image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1
  endpoint:
    type: endpoint
    config: config
    name: {input: EndpointName}
    if_exists: {if_exists}
    wait: {poll_seconds: 1, max_polls: 2}
state_machines:
  deploy: [endpoint]
"""
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1"


class MotoRun:
    """moto's SageMaker plus its Step Functions interpreter, which runs a definition state by state."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import boto3

        self.sagemaker = boto3.client("sagemaker", region_name="us-east-1")
        self.stepfunctions = boto3.client("stepfunctions", region_name="us-east-1")
        self.monkeypatch = monkeypatch
        self.sagemaker.create_model(
            ModelName="m1", ExecutionRoleArn="arn:aws:iam::123456789012:role/sm", PrimaryContainer={"Image": IMAGE}
        )
        for config in ("old-config", "new-config"):
            self.sagemaker.create_endpoint_config(
                EndpointConfigName=config,
                ProductionVariants=[
                    {"VariantName": "a", "ModelName": "m1", "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}
                ],
            )

    def endpoint_status(self, status: str, reason: str | None = None) -> None:
        """Every endpoint moto creates from now on reports this status (moto's are InService at once)."""
        from moto.sagemaker.models import FakeEndpoint

        original = FakeEndpoint.__init__

        def init(endpoint: Any, *args: Any, **kwargs: Any) -> None:
            original(endpoint, *args, **kwargs)
            endpoint.endpoint_status, endpoint.failure_reason = status, reason

        self.monkeypatch.setattr(FakeEndpoint, "__init__", init)

    def update_endpoint(self, *, rolls_back: bool) -> None:
        """moto has no UpdateEndpoint: switch the config, or keep the old one as a failed update's rollback does."""
        from moto.core.responses import ActionResult
        from moto.sagemaker.responses import SageMakerResponse

        def update(response: Any) -> Any:
            endpoint = response.sagemaker_backend.endpoints[response._get_param("EndpointName")]
            if not rolls_back:
                endpoint.endpoint_config_name = response._get_param("EndpointConfigName")
            return ActionResult({"EndpointArn": endpoint.arn})

        self.monkeypatch.setattr(SageMakerResponse, "update_endpoint", update, raising=False)

    def run(self, definition: str, execution_input: dict[str, str]) -> tuple[str, list[dict[str, Any]]]:
        return run_to_end(self.stepfunctions, definition, execution_input, poll_seconds=0.2)


@pytest.fixture
def moto_run(monkeypatch: pytest.MonkeyPatch) -> Iterator[MotoRun]:
    pytest.importorskip("boto3", reason="boto3 (with moto) is not installed")
    moto = pytest.importorskip("moto", reason="moto[stepfunctions] is not installed")
    sdk = pytest.importorskip(
        "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_aws_sdk",
        reason="moto[stepfunctions] is not installed",
    )
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "123456789012")
    # AWS names SDK errors <Service>.<Exception> with the service in PascalCase ('SageMaker'); moto knows the
    # spelling only for a few services and would say 'sagemaker.sagemakerException'.
    monkeypatch.setitem(sdk._SERVICE_ERROR_NAMES, "sagemaker", "SageMaker")
    # moto's Wait states sleep their seconds in real time (a second per poll here, two polls at most); these tests
    # check which states run and in what order, which the sleeping does not change.
    wait = pytest.importorskip("moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function")
    monkeypatch.setattr(wait.WaitFunction, "_wait_interval", lambda self, env, wait_seconds: None)
    with moto.mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        yield MotoRun(monkeypatch)


def _run_definition(tmp_path: Path, if_exists: str) -> str:
    return _build(tmp_path, RUN_SPEC.replace("{if_exists}", if_exists)).files["deploy.asl.json"]


def _entered(events: list[dict[str, Any]]) -> list[str]:
    return [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]


def _failure(events: list[dict[str, Any]]) -> tuple[str, str]:
    details = next(e["executionFailedEventDetails"] for e in events if e["type"] == "ExecutionFailed")
    return details["error"], details.get("cause", "")


def test_moto_runs_create_and_wait_until_in_service(tmp_path: Path, moto_run: MotoRun) -> None:
    status, events = moto_run.run(_run_definition(tmp_path, "fail"), {"EndpointName": "e1", "ConfigName": "new-config"})
    assert status == "SUCCEEDED"
    assert _entered(events) == [
        "endpoint",
        "endpoint: wait",
        "endpoint: count",
        "endpoint: status",
        "endpoint: in service?",
        "endpoint: done",
    ]


def test_moto_run_fails_with_the_endpoints_failure_reason(tmp_path: Path, moto_run: MotoRun) -> None:
    moto_run.endpoint_status("Failed", "the image could not be pulled")
    status, events = moto_run.run(_run_definition(tmp_path, "fail"), {"EndpointName": "e1", "ConfigName": "new-config"})
    assert status == "FAILED"
    assert _failure(events) == ("Endpoint.Failed", "the image could not be pulled")


def test_moto_run_gives_up_after_max_polls(tmp_path: Path, moto_run: MotoRun) -> None:
    moto_run.endpoint_status("Creating")
    status, events = moto_run.run(_run_definition(tmp_path, "fail"), {"EndpointName": "e1", "ConfigName": "new-config"})
    assert status == "FAILED"
    assert _failure(events)[0] == "Endpoint.Timeout"
    assert _entered(events).count("endpoint: status") == 2


def test_moto_run_creates_a_missing_endpoint(tmp_path: Path, moto_run: MotoRun) -> None:
    status, events = moto_run.run(
        _run_definition(tmp_path, "update"), {"EndpointName": "e1", "ConfigName": "new-config"}
    )
    assert status == "SUCCEEDED"
    assert _entered(events)[:3] == ["endpoint", "endpoint: not found?", "endpoint: create"]
    assert "endpoint: update" not in _entered(events)


def test_moto_run_updates_an_existing_endpoint(tmp_path: Path, moto_run: MotoRun) -> None:
    moto_run.sagemaker.create_endpoint(EndpointName="e1", EndpointConfigName="old-config")
    moto_run.update_endpoint(rolls_back=False)
    status, events = moto_run.run(
        _run_definition(tmp_path, "update"), {"EndpointName": "e1", "ConfigName": "new-config"}
    )
    assert status == "SUCCEEDED"
    assert _entered(events)[:2] == ["endpoint", "endpoint: update"]
    assert moto_run.sagemaker.describe_endpoint(EndpointName="e1")["EndpointConfigName"] == "new-config"


def test_moto_run_fails_when_the_update_rolls_back(tmp_path: Path, moto_run: MotoRun) -> None:
    moto_run.sagemaker.create_endpoint(EndpointName="e1", EndpointConfigName="old-config")
    moto_run.update_endpoint(rolls_back=True)
    status, events = moto_run.run(
        _run_definition(tmp_path, "update"), {"EndpointName": "e1", "ConfigName": "new-config"}
    )
    assert status == "FAILED"
    error, cause = _failure(events)
    assert error == "Endpoint.RolledBack"
    assert cause.endswith("endpoint config old-config")
