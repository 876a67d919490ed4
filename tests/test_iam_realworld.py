"""`asl-gen iam` on published definitions (aws-samples/serverless-patterns, `../shared/realworld/`), compared with
the IAM each sample's template grants its state machine.

Every definition with a Task must yield a policy, or be listed in REFUSED with the reason. For each one, the
actions the sample grants and ours differ only as DIFFERENCES explains: `missing` are actions the sample grants and
asl-gen does not (each must be one the definition never needs), `extra` are actions asl-gen grants and the sample
does not (each a call the sample's role would be denied, or an action AWS documents that the sample leaves out).
The placeholders are filled from the template's `DefinitionSubstitutions` (`--sub`), the rest taken as dynamic
(`--placeholders`), with the sample's logging and tracing settings.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from asl_gen.cli import main
from asl_gen.loader import load_document

from .realworld import ACCOUNT, REGION, Sample, covered, sample_for

ROOT = Path(os.environ.get("ASL_GEN_REALWORLD", Path(__file__).resolve().parents[2] / "shared" / "realworld"))
PATTERNS = ROOT / "serverless-patterns"


def _manifest() -> list[str]:
    manifest = PATTERNS / "manifest.tsv"
    if not manifest.is_file():
        return []
    rows = manifest.read_text(encoding="utf-8").splitlines()[1:]
    return [row.split("\t")[0] for row in rows if row.strip()]


FILES = _manifest()
pytestmark = pytest.mark.skipif(not FILES, reason=f"no real-world samples at {PATTERNS}")


@dataclass(frozen=True)
class Difference:
    missing: frozenset[str] = frozenset()
    extra: frozenset[str] = frozenset()
    why: str = ""


def _d(missing: str = "", extra: str = "", why: str = "") -> Difference:
    return Difference(frozenset(missing.split()), frozenset(extra.split()), why)


# Definitions asl-gen gives no policy for, and why.
REFUSED: dict[str, str] = {}  # none: YAML definitions are read as YAML 1.2, as the Serverless Framework reads them

LOGS_STREAM = "logs:CreateLogStream logs:PutLogEvents"
# The log-delivery actions `--logging` grants (Step Functions guide, "Logging using CloudWatch Logs").
_LOG_DELIVERY = (
    "logs:CreateLogDelivery logs:DeleteLogDelivery logs:DescribeLogGroups logs:DescribeResourcePolicies "
    "logs:GetLogDelivery logs:ListLogDeliveries logs:PutResourcePolicy logs:UpdateLogDelivery"
)
_XRAY = "xray:GetSamplingRules xray:GetSamplingTargets xray:PutTelemetryRecords xray:PutTraceSegments"
_LOG_STREAMS = (
    "the sample also grants logs:CreateLogStream/PutLogEvents: Step Functions delivers logs through CloudWatch "
    "vended-log delivery, which the log-delivery actions set up; the role itself never writes a log stream, and "
    "the logging page of the Step Functions guide does not list them"
)
_CLOUDWATCH = "the sample grants cloudwatch:* (metrics and alarms); a state machine's role calls none of it"

# Per definition: how our actions differ from the sample's, and why (see the module docstring).
DIFFERENCES: dict[str, Difference] = {
    "apigw-rest-stepfunction/statemachine/waitable-stepfunction.asl.json": _d(
        "dynamodb:BatchWriteItem", "", "DynamoDBWritePolicy also grants BatchWriteItem; the definition only puts items"
    ),
    "apigw-rest-stepfunctions-express-sync-bedrock-sam/statemachine/stateMachine.asl.json": _d(
        "logs:CreateLogStream logs:PutLogEvents", "", _LOG_STREAMS
    ),
    "apigw-sfn-crud/crud.asl.json": _d(
        "dynamodb:BatchGetItem dynamodb:BatchWriteItem dynamodb:ConditionCheckItem dynamodb:DescribeTable "
        "dynamodb:Query dynamodb:UpdateItem",
        _XRAY,
        "DynamoDBCrudPolicy grants every item call; the definition gets, puts, deletes and scans only. The sample "
        "enables X-Ray tracing but its template grants no X-Ray action (tracing's page lists these four)",
    ),
    "apigw-sfn/statemachine/stateMachine.asl.json": _d("cloudwatch:*", "", _CLOUDWATCH),
    "appsync-lambda-sfn-sam/statemachine/booking_step_function.asl.json": _d(
        "dynamodb:BatchGetItem dynamodb:BatchWriteItem dynamodb:DescribeTable dynamodb:PutItem dynamodb:Query "
        "dynamodb:Scan",
        "",
        "DynamoDBCrudPolicy grants every item call; the definition only gets and updates items "
        "(${DDBGetItem}, ${DDBUpdateItem})",
    ),
    "appsync-stepfunctions-express-sync-bedrock-sam/statemachine/stateMachine.asl.json": _d(
        "logs:CreateLogStream logs:PutLogEvents", "", _LOG_STREAMS
    ),
    "eventbridge-pipes-sqs-to-lambda-with-stepfunction-enrichment/workflow/enrichment.asl.json": _d(
        "cloudwatch:* dynamodb:BatchGetItem dynamodb:DescribeTable dynamodb:Query dynamodb:Scan",
        "",
        "DynamoDBReadPolicy grants every read; the definition only gets an item. " + _CLOUDWATCH,
    ),
    "lambda-eventbridge-stepfunctions-sam-java/sfn-definition.asl.yml": _d(
        "cloudwatch:* logs:*", "", _CLOUDWATCH + "; its logs:* covers the log-delivery actions we grant, and more"
    ),
    "lambda-sfn-rust/statemachine/stateMachine.asl.json": _d("cloudwatch:*", "", _CLOUDWATCH),
    "lambda-sfn/statemachine/stateMachine.asl.json": _d("cloudwatch:*", "", _CLOUDWATCH),
    "lambda-step-functions-sam-java/sfn-definition.asl.json": _d(
        "cloudwatch:* logs:*", "", _CLOUDWATCH + "; its logs:* covers the log-delivery actions we grant, and more"
    ),
    "s3-eventbridge-sfn/statemachine/statemachine.asl.json": _d(
        "rekognition:DetectFaces rekognition:DetectModerationLabels rekognition:DetectText s3:GetBucketLocation "
        "s3:GetLifecycleConfiguration s3:GetObjectVersion s3:ListBucket",
        "",
        "RekognitionDetectOnlyPolicy and S3ReadPolicy grant more than DetectLabels on an S3 object reads "
        "(rekognition:DetectLabels, s3:GetObject)",
    ),
    "s3-sqs-eventbridge-pipe-sfn-s3/workflow/s3-sqs-eventbridge-pipe-sfn-s3.asl.json": _d(
        "s3:Describe* s3:List* s3:ListBucket",
        "",
        "the definition gets and puts named objects; listing (which only turns a missing key's 403 into a 404) "
        "is not needed",
    ),
    "sfn-apigw/statemachine/stateMachine.asl.json": _d(
        "cloudwatch:* lambda:InvokeFunction",
        "",
        "the definition calls API Gateway with AuthType NO_AUTH (unsigned: no IAM action at all); the Lambda "
        "function behind the API is invoked by API Gateway, not by the state machine. " + _CLOUDWATCH,
    ),
    "sfn-comprehend-sam/statemachine/detectSentiment.asl.json": _d(
        "comprehend:BatchDetectDominantLanguage comprehend:BatchDetectEntities comprehend:BatchDetectKeyPhrases "
        "comprehend:BatchDetectSentiment comprehend:DetectDominantLanguage comprehend:DetectEntities "
        "comprehend:DetectKeyPhrases " + LOGS_STREAM,
        "",
        "ComprehendBasicAccessPolicy grants every Detect call; the definition only detects sentiment. " + _LOG_STREAMS,
    ),
    "sfn-ecs-sam/src/statemachine/sfn-ecs-datapipeline.asl.json": _d(
        _LOG_DELIVERY + " " + _XRAY,
        "",
        "the sample grants log delivery and X-Ray but its state machine configures neither logging nor tracing",
    ),
    "sfn-lambda-lambda/statemachine/StateMachine.asl.json": _d("logs:PutLogEvents", "", _LOG_STREAMS),
    "sfn-lambda/statemachine/stateMachine.asl.json": _d(
        "",
        _LOG_DELIVERY,
        "the sample logs at level ALL but grants no log-delivery action (the logging page of the Step Functions "
        "guide lists these eight for the role)",
    ),
    "sfn-log-export/src/statemachine/stateMachine.asl.json": _d(
        _LOG_DELIVERY, "", "the sample grants log delivery but its state machine does not configure logging"
    ),
    "sfn-sfn/statemachine/childStateMachine.asl.json": _d("cloudwatch:*", "", _CLOUDWATCH),
    "sfn-sfn/statemachine/parentStateMachine.asl.json": _d("cloudwatch:*", "", _CLOUDWATCH),
    "step-function-sync-rest-api/statemachine/stateMachine.asl.json": _d("cloudwatch:*", "", _CLOUDWATCH),
    "step-functions-athena-glue-sam/athenaquery.asl.json": _d(
        "",
        "lakeformation:GetDataAccess",
        "AWS's athena-iam template grants lakeformation:GetDataAccess (a table under Lake Formation is read "
        "through it); the sample leaves it out",
    ),
    "stepfunctions-bedrock-sam/statemachine/bedrock-integration.asl.json": _d(LOGS_STREAM, "", _LOG_STREAMS),
    "stepfunctions-eventbridge-lambda-sam-java/sfn-definition.asl.yml": _d(
        "cloudwatch:* logs:*", "", _CLOUDWATCH + "; its logs:* covers the log-delivery actions we grant, and more"
    ),
    "stepfunctions-eventbridge-schedule-sam-python/state_machine/create_schedules.asl.json": _d(
        "scheduler:DeleteSchedule", "", "the definition only creates schedules"
    ),
    "stepfunctions-fargate-lambda/statemachine.asl.json": _d(
        "ecs:DescribeTasks ecs:StopTasks events:DescribeRule events:PutRule events:PutTargets",
        "",
        "the sample grants the .sync extras (and `ecs:StopTasks`, which is no IAM action), but the definition "
        "runs its task with .waitForTaskToken, which needs only ecs:RunTask and PassRole",
    ),
    "stepfunctions-httpendpoint-sam/statemachine/httpendpoint-integration.asl.json": _d(LOGS_STREAM, "", _LOG_STREAMS),
}

# `--resource STATE=ARN` for AWS SDK calls asl-gen has no row for, as the sample's template names the resource.
DECLARED: dict[str, tuple[str, ...]] = {}


def _has_task(node: Any) -> bool:
    if isinstance(node, Mapping):
        return node.get("Type") == "Task" or any(_has_task(v) for v in node.values())
    if isinstance(node, list):
        return any(_has_task(v) for v in node)
    return False


def _args(file: str, sample: Sample) -> list[str]:
    args = ["iam", str(PATTERNS / file), "--region", REGION, "--account", ACCOUNT, "--placeholders"]
    args += ["--format", "json"]
    for name, value in sorted(sample.substitutions.items()):
        args += ["--sub", f"{name}={value}"]
    if sample.machine:
        args += ["--name", sample.machine]
    if sample.logging:
        args.append("--logging")
    if sample.tracing:
        args.append("--tracing")
    for resource in DECLARED.get(file, ()):
        args += ["--resource", resource]
    return args


@dataclass(frozen=True)
class Outcome:
    file: str
    has_task: bool
    sample: Sample
    exit_code: int
    policy: Any
    output: str

    @property
    def actions(self) -> set[str]:
        if not isinstance(self.policy, Mapping):
            return set()
        found: set[str] = set()
        for statement in self.policy["Statement"]:
            actions = statement["Action"]
            found.update(actions if isinstance(actions, list) else [actions])
        return found

    def difference(self) -> Difference:
        ours = self.actions
        missing = {a for a in self.sample.granted if not any(covered(o, {a}) for o in ours)}
        extra = {a for a in ours if not covered(a, self.sample.granted)}
        return Difference(frozenset(missing), frozenset(extra))


_OUTCOMES: dict[str, Outcome] = {}


def outcome(file: str) -> Outcome:
    if file not in _OUTCOMES:
        sample = sample_for(PATTERNS / file, PATTERNS)
        has_task = _has_task(load_document(PATTERNS / file, file).data)
        result = CliRunner().invoke(main, _args(file, sample))
        policy = None
        if result.exit_code == 0:
            policy = json.loads(result.stdout)["policy"]
        _OUTCOMES[file] = Outcome(file, has_task, sample, result.exit_code, policy, result.output)
    return _OUTCOMES[file]


@pytest.mark.parametrize("file", FILES)
def test_every_definition_with_a_task_yields_a_policy_or_a_recorded_refusal(file: str) -> None:
    found = outcome(file)
    if file in REFUSED:
        assert found.policy is None, f"{file} now yields a policy: drop it from REFUSED"
        return
    assert found.exit_code == 0, found.output
    if found.has_task and found.actions:
        assert found.policy is not None


@pytest.mark.parametrize("file", FILES)
def test_every_difference_with_the_samples_grant_is_explained(file: str) -> None:
    found = outcome(file)
    if file in REFUSED or found.sample.template is None or found.policy is None:
        return
    observed = found.difference()
    recorded = DIFFERENCES.get(file, Difference())
    assert (observed.missing, observed.extra) == (recorded.missing, recorded.extra), (
        f"{file}: sample grants but we do not {sorted(observed.missing)}; we grant but the sample does not "
        f"{sorted(observed.extra)} (explain it in DIFFERENCES)"
    )
    if recorded.missing or recorded.extra:
        assert recorded.why


def test_figures(capsys: pytest.CaptureFixture[str]) -> None:
    """How many definitions yield a policy, and how many match their sample's actions exactly."""
    outcomes = [outcome(file) for file in FILES]
    with_task = [o for o in outcomes if o.has_task]
    policies = [o for o in with_task if o.policy is not None]
    compared = [o for o in policies if o.sample.template is not None]
    same = [o for o in compared if o.difference() == Difference()]
    no_missing = [o for o in compared if not o.difference().missing]
    with capsys.disabled():
        print(
            f"\nreal-world: {len(outcomes)} definitions, {len(with_task)} with a Task, {len(policies)} yield a policy,"
            f" {len(with_task) - len(policies)} refused; {len(compared)} compared with their template: {len(same)}"
            f" grant the same actions, {len(no_missing)} lack none of the sample's"
        )
    assert len(policies) + len([o for o in with_task if o.file in REFUSED]) == len(with_task)
    assert not [o.file for o in compared if o.difference().missing - DIFFERENCES.get(o.file, Difference()).missing]
