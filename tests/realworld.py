"""Reading the deployment templates of published samples (`../shared/realworld/serverless-patterns/`): which
state machine each definition file is, what its `DefinitionSubstitutions` fill the `${Name}` placeholders with,
whether it logs or is traced, and which IAM actions the sample grants its role.

Only as much of CloudFormation and SAM as the samples use: intrinsic tags read as `{"Fn::X": …}` (`!Ref`,
`!GetAtt`, `!Sub`, …), `Ref`/`GetAtt` resolved to the name or ARN the resource would get (its logical id as its
name unless a name property says otherwise), the SAM policy templates the samples use expanded to their actions.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REGION, ACCOUNT = "us-east-1", "123456789012"
HERE = f"{REGION}:{ACCOUNT}"

# The SAM policy templates the samples use, by the actions they expand to (SAM's policy_templates.json).
SAM_TEMPLATES: dict[str, tuple[str, ...]] = {
    "LambdaInvokePolicy": ("lambda:InvokeFunction",),
    "DynamoDBCrudPolicy": (
        "dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:Scan", "dynamodb:Query",
        "dynamodb:UpdateItem", "dynamodb:BatchWriteItem", "dynamodb:BatchGetItem", "dynamodb:DescribeTable",
        "dynamodb:ConditionCheckItem",
    ),
    "DynamoDBWritePolicy": ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"),
    "DynamoDBReadPolicy": (
        "dynamodb:GetItem", "dynamodb:Scan", "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:DescribeTable",
    ),
    "SNSPublishMessagePolicy": ("sns:Publish",),
    "SQSSendMessagePolicy": ("sqs:SendMessage*",),
    "S3ReadPolicy": (
        "s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion", "s3:GetLifecycleConfiguration",
    ),
    "S3WritePolicy": ("s3:PutObject", "s3:PutObjectAcl", "s3:PutLifecycleConfiguration"),
    "S3CrudPolicy": (
        "s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion", "s3:PutObject",
        "s3:PutObjectAcl", "s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration", "s3:DeleteObject",
    ),
    "StepFunctionsExecutionPolicy": ("states:StartExecution",),
    "EventBridgePutEventsPolicy": ("events:PutEvents",),
    "ComprehendBasicAccessPolicy": (
        "comprehend:BatchDetectKeyPhrases", "comprehend:DetectDominantLanguage", "comprehend:DetectEntities",
        "comprehend:BatchDetectEntities", "comprehend:DetectKeyPhrases", "comprehend:DetectSentiment",
        "comprehend:BatchDetectDominantLanguage", "comprehend:BatchDetectSentiment",
    ),
    "RekognitionDetectOnlyPolicy": (
        "rekognition:DetectFaces", "rekognition:DetectLabels", "rekognition:DetectModerationLabels",
        "rekognition:DetectText",
    ),
    "AWSSecretsManagerGetSecretValuePolicy": ("secretsmanager:GetSecretValue",),
    "CloudWatchPutMetricPolicy": ("cloudwatch:PutMetricData",),
}  # fmt: skip
# AWS managed policies the samples attach, by the actions (or action patterns) they allow.
MANAGED: dict[str, tuple[str, ...]] = {
    "AWSLambdaRole": ("lambda:InvokeFunction",),
    "CloudWatchLogsFullAccess": ("logs:*",),
    "AWSXrayWriteOnlyAccess": ("xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSampling*"),
    "AmazonSNSFullAccess": ("sns:*",),
    "AmazonEventBridgeFullAccess": ("events:*",),
    "AWSLambda_FullAccess": ("lambda:*",),
}


class _Loader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form intrinsic tags, read as their long form."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_Loader.add_multi_constructor("!", lambda loader, suffix, node: _intrinsic(loader, suffix, node))


def load_template(path: Path) -> dict[str, Any]:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # a SafeLoader subclass
    return data if isinstance(data, dict) else {}


@dataclass
class Sample:
    """What a template says about the state machine of one definition file."""

    template: Path | None
    machine: str | None = None
    substitutions: dict[str, str] = field(default_factory=dict)
    logging: bool = False
    tracing: bool = False
    granted: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)


def _name(resources: Mapping[str, Any], logical: str) -> str:
    properties = (resources.get(logical) or {}).get("Properties") or {}
    for key in ("FunctionName", "TableName", "TopicName", "QueueName", "BucketName", "StateMachineName", "Name"):
        if isinstance(properties.get(key), str):
            return str(properties[key])
    return logical


def _arn(resources: Mapping[str, Any], logical: str) -> str | None:
    kind = str((resources.get(logical) or {}).get("Type", ""))
    name = _name(resources, logical)
    return {
        "AWS::Serverless::Function": f"arn:aws:lambda:{HERE}:function:{name}",
        "AWS::Lambda::Function": f"arn:aws:lambda:{HERE}:function:{name}",
        "AWS::Serverless::SimpleTable": f"arn:aws:dynamodb:{HERE}:table/{name}",
        "AWS::DynamoDB::Table": f"arn:aws:dynamodb:{HERE}:table/{name}",
        "AWS::SNS::Topic": f"arn:aws:sns:{HERE}:{name}",
        "AWS::SQS::Queue": f"arn:aws:sqs:{HERE}:{name}",
        "AWS::S3::Bucket": f"arn:aws:s3:::{name.lower()}",
        "AWS::Serverless::StateMachine": f"arn:aws:states:{HERE}:stateMachine:{name}",
        "AWS::StepFunctions::StateMachine": f"arn:aws:states:{HERE}:stateMachine:{name}",
        "AWS::ECS::Cluster": f"arn:aws:ecs:{HERE}:cluster/{name}",
        "AWS::ECS::TaskDefinition": f"arn:aws:ecs:{HERE}:task-definition/{name}:1",
        "AWS::Events::EventBus": f"arn:aws:events:{HERE}:event-bus/{name}",
        "AWS::IAM::Role": f"arn:aws:iam::{ACCOUNT}:role/{name}",
        "AWS::Batch::JobQueue": f"arn:aws:batch:{HERE}:job-queue/{name}",
        "AWS::Batch::JobDefinition": f"arn:aws:batch:{HERE}:job-definition/{name}:1",
        "AWS::Glue::Job": name,
        "AWS::Events::Connection": f"arn:aws:events:{HERE}:connection/{name}/00000000-0000-0000-0000-000000000000",
    }.get(kind)


def _ref(resources: Mapping[str, Any], logical: str) -> str | None:
    """What `Ref` gives: the name for most resources, the ARN for a topic, a state machine or a task definition,
    the URL for a queue."""
    pseudo = {
        "AWS::Region": REGION,
        "AWS::AccountId": ACCOUNT,
        "AWS::Partition": "aws",
        "AWS::URLSuffix": "amazonaws.com",
    }
    if logical in pseudo:
        return pseudo[logical]
    kind = str((resources.get(logical) or {}).get("Type", ""))
    if not kind:
        return None
    if kind in ("AWS::SNS::Topic", "AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine",
                "AWS::ECS::TaskDefinition", "AWS::Batch::JobQueue", "AWS::Batch::JobDefinition"):  # fmt: skip
        return _arn(resources, logical)
    if kind == "AWS::SQS::Queue":
        return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{_name(resources, logical)}"
    return _name(resources, logical)


def resolve(value: Any, resources: Mapping[str, Any]) -> str | None:
    """A constant for an intrinsic the samples use, or None when it cannot be known from the template."""
    if isinstance(value, str):
        return value
    if not isinstance(value, Mapping) or len(value) != 1:
        return None
    ((function, argument),) = value.items()
    if function == "Ref" and isinstance(argument, str):
        return _ref(resources, argument)
    if function == "Fn::GetAtt":
        parts = argument.split(".", 1) if isinstance(argument, str) else list(argument)
        if len(parts) == 2 and parts[1] in ("Arn", "StateMachineArn"):
            return _arn(resources, str(parts[0]))
        if len(parts) == 2 and parts[1] in ("Name", "QueueName", "TopicName"):
            return _name(resources, str(parts[0]))
        if len(parts) == 2 and parts[1] == "QueueUrl":
            return _ref(resources, str(parts[0]))
        return None
    if function == "Fn::Sub":
        text, extra = (argument, {}) if isinstance(argument, str) else (argument[0], argument[1])

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in extra:
                return resolve(extra[name], resources) or match.group(0)
            if "." in name:
                return resolve({"Fn::GetAtt": name}, resources) or match.group(0)
            return _ref(resources, name) or match.group(0)

        return re.sub(r"\$\{([^}!]+)\}", fill, str(text))
    if function == "Fn::Join" and isinstance(argument, list):
        parts = [resolve(v, resources) for v in argument[1]]
        return None if None in parts else str(argument[0]).join(p for p in parts if p is not None)
    return None


def _actions_of_policy(document: Any) -> set[str]:
    found: set[str] = set()
    statements = document.get("Statement", []) if isinstance(document, Mapping) else []
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, Mapping) or statement.get("Effect", "Allow") != "Allow":
            continue
        actions = statement.get("Action", [])
        found.update(a for a in (actions if isinstance(actions, list) else [actions]) if isinstance(a, str))
    return found


def _sam_policies(policies: Any, notes: list[str]) -> set[str]:
    found: set[str] = set()
    for policy in policies if isinstance(policies, list) else [policies]:
        if isinstance(policy, str):
            name = policy.rsplit("/", 1)[-1]
            if name in MANAGED:
                found.update(MANAGED[name])
            elif name in SAM_TEMPLATES:
                found.update(SAM_TEMPLATES[name])
            else:
                notes.append(f"managed policy {name} not expanded")
        elif isinstance(policy, Mapping) and "Statement" in policy:
            found |= _actions_of_policy(policy)
        elif isinstance(policy, Mapping):
            for name in policy:
                if name in SAM_TEMPLATES:
                    found.update(SAM_TEMPLATES[name])
                else:
                    notes.append(f"policy template {name} not expanded")
    return found


def _role_actions(role: Mapping[str, Any], notes: list[str]) -> set[str]:
    properties = role.get("Properties") or {}
    found: set[str] = set()
    for policy in properties.get("Policies") or []:
        if isinstance(policy, Mapping):
            found |= _actions_of_policy(policy.get("PolicyDocument"))
    for managed in properties.get("ManagedPolicyArns") or []:
        found |= _sam_policies([managed] if isinstance(managed, str) else [], notes)
    return found


def sample_for(definition: Path, root: Path) -> Sample:
    """The state machine of `definition` in its pattern's template (`root/<pattern>/template.y*ml`)."""
    pattern = root / definition.relative_to(root).parts[0]
    templates = [p for name in ("template.yaml", "template.yml") if (p := pattern / name).is_file()]
    if not templates:
        return Sample(None, notes=["no CloudFormation/SAM template in the sample"])
    template = load_template(templates[0])
    resources: Mapping[str, Any] = template.get("Resources") or {}
    sample = Sample(templates[0])
    for logical, resource in resources.items():
        if not isinstance(resource, Mapping):
            continue
        kind = resource.get("Type")
        properties = resource.get("Properties") or {}
        uri = properties.get("DefinitionUri") or properties.get("DefinitionS3Location") or ""
        if kind not in ("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine"):
            continue
        # Case-insensitive: some samples name `StateMachine.asl.json` for `stateMachine.asl.json` (macOS finds it).
        if not (isinstance(uri, str) and definition.as_posix().lower().endswith(uri.removeprefix("./").lower())):
            continue
        sample.machine = _name(resources, logical)
        for key, value in (properties.get("DefinitionSubstitutions") or {}).items():
            resolved = resolve(value, resources)
            if resolved is not None:
                sample.substitutions[str(key)] = resolved
        logging = properties.get("Logging") or properties.get("LoggingConfiguration") or {}
        sample.logging = isinstance(logging, Mapping) and logging.get("Level", "OFF") != "OFF"
        tracing = properties.get("Tracing") or properties.get("TracingConfiguration") or {}
        sample.tracing = isinstance(tracing, Mapping) and bool(tracing.get("Enabled"))
        sample.granted |= _sam_policies(properties.get("Policies") or [], sample.notes)
        role = properties.get("Role") or properties.get("RoleArn")
        target = role.get("Fn::GetAtt") if isinstance(role, Mapping) else None
        logical_role = (target.split(".")[0] if isinstance(target, str) else target[0]) if target else None
        if logical_role and isinstance(resources.get(logical_role), Mapping):
            sample.granted |= _role_actions(resources[logical_role], sample.notes)
        break
    else:
        sample.notes.append("no state machine of the template has this definition")
    return sample


def covered(action: str, granted: set[str]) -> bool:
    """Whether one of the sample's action patterns (`s3:*`, `sqs:SendMessage*`) allows `action`."""
    return any(fnmatch.fnmatchcase(action.lower(), pattern.lower()) for pattern in granted)
