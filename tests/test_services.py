"""The integration rows of every service but SageMaker: what each call is granted, checked against reviewed
golden statements (tests/services/*.json, regenerated with --update-golden), parliament and the validator.

The golden files are the specification of least privilege: review their diff like code.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from asl_gen import integrations
from asl_gen.errors import ValidationFailure
from asl_gen.iam import Statement, state_machine_statements
from asl_gen.integrations import ArnParam, Integration
from asl_gen.lint import validate_definition, validate_policy
from asl_gen.plan import Target

GOLDEN = Path(__file__).parent / "services"
TARGET = Target("aws", "us-east-1", "123456789012")
CHINA = Target("aws-cn", "cn-north-1", "123456789012")
HERE = "us-east-1:123456789012"

# Representative literal parameters of each row: what a hand-written definition would carry.
LITERALS: dict[str, dict[str, Any]] = {
    "lambda:invoke": {"FunctionName": "resize-image", "Payload.$": "$"},
    "sns:publish": {"TopicArn": f"arn:aws:sns:{HERE}:alerts", "Message.$": "$.text"},
    "sqs:sendMessage": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/orders", "MessageBody.$": "$"},
    "dynamodb:getItem": {"TableName": "Orders", "Key": {"id": {"S.$": "$.id"}}},
    "dynamodb:putItem": {"TableName": "Orders", "Item": {"id": {"S.$": "$.id"}}},
    "dynamodb:updateItem": {
        "TableName": "Orders",
        "Key": {"id": {"S.$": "$.id"}},
        "UpdateExpression": "SET done = :t",
        "ExpressionAttributeValues": {":t": {"BOOL": True}},
    },
    "dynamodb:deleteItem": {"TableName": "Orders", "Key": {"id": {"S.$": "$.id"}}},
    "ecs:runTask": {"TaskDefinition": "report", "Cluster": "reports", "LaunchType": "FARGATE"},
    "batch:submitJob": {"JobDefinition": "render", "JobQueue": "render-queue", "JobName": "render"},
    "glue:startJobRun": {"JobName": "nightly-etl"},
    "events:putEvents": {
        "Entries": [{"EventBusName": "orders", "Source": "shop", "DetailType": "done", "Detail": {"ok": True}}]
    },
    "states:startExecution": {"StateMachineArn": f"arn:aws:states:{HERE}:stateMachine:child", "Input.$": "$"},
    "aws-sdk:s3:getObject": {"Bucket": "data-bucket", "Key": "input/config.json"},
    "aws-sdk:s3:headObject": {"Bucket": "data-bucket", "Key": "input/config.json"},
    "aws-sdk:s3:putObject": {"Bucket": "data-bucket", "Key": "output/result.json", "Body.$": "$"},
    "aws-sdk:s3:deleteObject": {"Bucket": "data-bucket", "Key": "tmp/scratch.json"},
    "aws-sdk:s3:copyObject": {
        "Bucket": "archive-bucket",
        "Key": "2024/config.json",
        "CopySource": "data-bucket/input/config.json",
    },
    "aws-sdk:s3:listObjectsV2": {"Bucket": "data-bucket", "Prefix": "input/"},
    "aws-sdk:dynamodb:getItem": {"TableName": "Orders", "Key": {"id": {"S.$": "$.id"}}},
    "aws-sdk:dynamodb:putItem": {"TableName": "Orders", "Item": {"id": {"S.$": "$.id"}}},
    "aws-sdk:dynamodb:updateItem": {"TableName": "Orders", "Key": {"id": {"S.$": "$.id"}}},
    "aws-sdk:dynamodb:deleteItem": {"TableName": "Orders", "Key": {"id": {"S.$": "$.id"}}},
    "aws-sdk:dynamodb:query": {
        "TableName": "Orders",
        "KeyConditionExpression": "id = :id",
        "ExpressionAttributeValues": {":id": {"S.$": "$.id"}},
    },
    "aws-sdk:dynamodb:scan": {"TableName": "Orders"},
    "aws-sdk:secretsmanager:getSecretValue": {"SecretId": "prod/db-password"},
    "aws-sdk:ssm:getParameter": {"Name": "/app/config/url"},
    "aws-sdk:ssm:getParameters": {"Names": ["/app/config/url", "feature-flag"]},
    "aws-sdk:sfn:startExecution": {"StateMachineArn": f"arn:aws:states:{HERE}:stateMachine:child", "Input.$": "$"},
    "aws-sdk:sfn:startSyncExecution": {"StateMachineArn": f"arn:aws:states:{HERE}:stateMachine:express-child"},
    "aws-sdk:sfn:describeExecution": {"ExecutionArn": f"arn:aws:states:{HERE}:execution:child:run-1"},
    "aws-sdk:sfn:stopExecution": {"ExecutionArn": f"arn:aws:states:{HERE}:execution:child:run-1"},
    "aws-sdk:sfn:sendTaskSuccess": {"TaskToken.$": "$.token", "Output": "{}"},
    "aws-sdk:sfn:sendTaskFailure": {"TaskToken.$": "$.token", "Error": "Rejected"},
    "aws-sdk:sfn:sendTaskHeartbeat": {"TaskToken.$": "$.token"},
    "aws-sdk:lambda:invoke": {"FunctionName": "resize-image", "Payload.$": "$"},
    "aws-sdk:sns:publish": {"TopicArn": f"arn:aws:sns:{HERE}:alerts", "Message.$": "$.text"},
    "aws-sdk:sqs:sendMessage": {
        "QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/orders",
        "MessageBody.$": "$",
    },
    "aws-sdk:sqs:receiveMessage": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/orders"},
    "aws-sdk:sqs:deleteMessage": {
        "QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/orders",
        "ReceiptHandle.$": "$.handle",
    },
    "aws-sdk:eventbridge:putEvents": {"Entries": [{"Source": "shop", "DetailType": "done", "Detail": {"ok": True}}]},
    "aws-sdk:sagemaker:describeEndpoint": {"EndpointName": "churn-endpoint"},
    "aws-sdk:sagemaker:describeEndpointConfig": {"EndpointConfigName": "churn-config"},
    "aws-sdk:sagemaker:describeModel": {"ModelName": "churn-model"},
    "aws-sdk:sagemaker:describeProcessingJob": {"ProcessingJobName": "churn-prep"},
    "aws-sdk:sagemaker:describeTransformJob": {"TransformJobName": "churn-score"},
    "aws-sdk:sagemaker:describeHyperParameterTuningJob": {"HyperParameterTuningJobName": "churn-tune"},
    "aws-sdk:sagemaker:listTags": {"ResourceArn": f"arn:aws:sagemaker:{HERE}:endpoint/churn-endpoint"},
    "aws-sdk:lambda:getFunction": {"FunctionName": "resize-image"},
    "aws-sdk:lambda:listFunctions": {"MaxItems": 50},
    "aws-sdk:rekognition:detectLabels": {"Image": {"S3Object": {"Bucket": "photos", "Name.$": "$.key"}}},
    "aws-sdk:comprehend:detectSentiment": {"LanguageCode": "en", "Text.$": "$.text"},
    "aws-sdk:scheduler:createSchedule": {
        "Name": "reminder",
        "GroupName": "reminders",
        "ScheduleExpression": "at(2030-01-01T00:00:00)",
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "Target": {
            "Arn": f"arn:aws:lambda:{HERE}:function:remind",
            "RoleArn": "arn:aws:iam::123456789012:role/scheduler",
        },
    },
    "athena:startQueryExecution": {
        "QueryString": "SELECT 1",
        "WorkGroup": "reports",
        "ResultConfiguration": {"OutputLocation": "s3://query-results/athena/"},
    },
    "athena:stopQueryExecution": {"QueryExecutionId.$": "$.id"},
    "athena:getQueryExecution": {"QueryExecutionId.$": "$.id"},
    "athena:getQueryResults": {"QueryExecutionId.$": "$.id", "MaxResults": 100},
    "elasticmapreduce:createCluster": {
        "Name": "nightly",
        "ReleaseLabel": "emr-7.0.0",
        "ServiceRole": "EMR_DefaultRole",
        "JobFlowRole": "EMR_EC2_DefaultRole",
        "Instances": {"KeepJobFlowAliveWhenNoSteps": True, "InstanceCount": 1, "MasterInstanceType": "m5.xlarge"},
    },
    "elasticmapreduce:addStep": {
        "ClusterId": "j-1ABCDEFGHIJKL",
        "Step": {"Name": "spark", "HadoopJarStep": {"Jar": "command-runner.jar", "Args": ["spark-submit", "job.py"]}},
    },
    "elasticmapreduce:cancelStep": {"ClusterId": "j-1ABCDEFGHIJKL", "StepId.$": "$.step"},
    "elasticmapreduce:setClusterTerminationProtection": {"ClusterId": "j-1ABCDEFGHIJKL", "TerminationProtected": True},
    "elasticmapreduce:modifyInstanceFleetByName": {
        "ClusterId": "j-1ABCDEFGHIJKL",
        "InstanceFleetName": "core",
        "InstanceFleet": {"TargetOnDemandCapacity": 2},
    },
    "elasticmapreduce:modifyInstanceGroupByName": {
        "ClusterId": "j-1ABCDEFGHIJKL",
        "InstanceGroupName": "core",
        "InstanceGroup": {"InstanceCount": 2},
    },
    "elasticmapreduce:terminateCluster": {"ClusterId": "j-1ABCDEFGHIJKL"},
    "emr-containers:startJobRun": {
        "VirtualClusterId": "abc123virtualcluster",
        "ExecutionRoleArn": "arn:aws:iam::123456789012:role/emr-eks-job",
        "ReleaseLabel": "emr-6.15.0-latest",
        "JobDriver": {"SparkSubmitJobDriver": {"EntryPoint": "s3://code-bucket/job.py"}},
    },
    "emr-containers:createVirtualCluster": {
        "Name": "analytics",
        "ContainerProvider": {"Id": "eks-analytics", "Type": "EKS", "Info": {"EksInfo": {"Namespace": "spark"}}},
    },
    "emr-containers:deleteVirtualCluster": {"Id": "abc123virtualcluster"},
    "emr-serverless:createApplication": {"Name": "etl", "ReleaseLabel": "emr-7.0.0", "Type": "SPARK"},
    "emr-serverless:startApplication": {"ApplicationId": "00f1abcdef123456"},
    "emr-serverless:stopApplication": {"ApplicationId": "00f1abcdef123456"},
    "emr-serverless:deleteApplication": {"ApplicationId": "00f1abcdef123456"},
    "emr-serverless:startJobRun": {
        "ApplicationId": "00f1abcdef123456",
        "ExecutionRoleArn": "arn:aws:iam::123456789012:role/emr-serverless-job",
        "JobDriver": {"SparkSubmit": {"EntryPoint": "s3://code-bucket/job.py"}},
    },
    "emr-serverless:cancelJobRun": {"ApplicationId": "00f1abcdef123456", "JobRunId.$": "$.run"},
    "databrew:startJobRun": {"Name": "clean-orders"},
    "mediaconvert:createJob": {
        "Role": "arn:aws:iam::123456789012:role/mediaconvert",
        "Settings": {"Inputs": [{"FileInput": "s3://media-in/clip.mp4"}]},
    },
    "eks:createCluster": {
        "Name": "analytics",
        "RoleArn": "arn:aws:iam::123456789012:role/eks-cluster",
        "ResourcesVpcConfig": {"SubnetIds": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]},
    },
    "eks:deleteCluster": {"Name": "analytics"},
    "eks:createNodegroup": {
        "ClusterName": "analytics",
        "NodegroupName": "workers",
        "NodeRole": "arn:aws:iam::123456789012:role/eks-nodes",
        "Subnets": ["subnet-0123456789abcdef0"],
    },
    "eks:deleteNodegroup": {"ClusterName": "analytics", "NodegroupName": "workers"},
    "eks:call": {
        "ClusterName": "analytics",
        "CertificateAuthority": "ABCDE",
        "Endpoint": "https://ABCDE.gr7.us-east-1.eks.amazonaws.com",
        "Method": "GET",
        "Path": "/api/v1/namespaces/default/pods",
    },
    "eks:runJob": {
        "ClusterName": "analytics",
        "CertificateAuthority": "ABCDE",
        "Endpoint": "https://ABCDE.gr7.us-east-1.eks.amazonaws.com",
        "Namespace": "jobs",
        "Job": {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "pi"}},
    },
    "codebuild:startBuild": {"ProjectName": "app-build"},
    "codebuild:stopBuild": {"Id": "app-build:8d5fbc43-7bd7-4c4b-9b2a-1c2d3e4f5a6b"},
    "codebuild:batchDeleteBuilds": {"Ids": ["app-build:8d5fbc43-7bd7-4c4b-9b2a-1c2d3e4f5a6b"]},
    "codebuild:batchGetReports": {
        "ReportArns": [f"arn:aws:codebuild:{HERE}:report/app-tests:8d5fbc43-7bd7-4c4b-9b2a-1c2d3e4f5a6b"]
    },
    "codebuild:startBuildBatch": {"ProjectName": "app-build"},
    "codebuild:stopBuildBatch": {"Id": "app-build:8d5fbc43-7bd7-4c4b-9b2a-1c2d3e4f5a6b"},
    "codebuild:retryBuildBatch": {"Id": "app-build:8d5fbc43-7bd7-4c4b-9b2a-1c2d3e4f5a6b"},
    "codebuild:deleteBuildBatch": {"Id": "app-build:8d5fbc43-7bd7-4c4b-9b2a-1c2d3e4f5a6b"},
    "bedrock:invokeModel": {
        "ModelId": "amazon.titan-text-express-v1",
        "Body": {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 200, "messages": []},
    },
    "bedrock:createModelCustomizationJob": {
        "BaseModelIdentifier": "amazon.titan-text-express-v1",
        "CustomModelName": "support-model",
        "JobName": "support-tuning",
        "RoleArn": "arn:aws:iam::123456789012:role/bedrock-tuning",
        "TrainingDataConfig": {"S3Uri": "s3://tuning-data/train.jsonl"},
        "OutputDataConfig": {"S3Uri": "s3://tuning-data/output/"},
        "HyperParameters": {"epochCount": "1"},
    },
    "apigateway:invoke": {
        "ApiEndpoint": "abc123defg.execute-api.us-east-1.amazonaws.com",
        "Method": "GET",
        "Stage": "prod",
        "Path": "/orders",
        "AuthType": "IAM_ROLE",
    },
    "http:invoke": {
        "ApiEndpoint": "https://api.example.com/v1/orders",
        "Method": "POST",
        "Authentication": {
            "ConnectionArn": f"arn:aws:events:{HERE}:connection/example/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d"
        },
    },
}


@dataclass(frozen=True)
class Case:
    name: str
    key: str
    pattern: str
    request: Mapping[str, Any] | str
    jsonata: bool = False
    target: Target = field(default=TARGET)

    def state(self) -> dict[str, Any]:
        state: dict[str, Any] = {"Type": "Task", "Resource": f"arn:{self.target.partition}:states:::{self.key}"}
        state["Resource"] += self.pattern
        if self.jsonata:
            state["QueryLanguage"] = "JSONata"
            state["Arguments"] = self.request
        else:
            state["Parameters"] = self.request
        state["End"] = True
        return state

    def definition(self) -> dict[str, Any]:
        return {"StartAt": "Call", "States": {"Call": self.state()}}


def _suffix(pattern: str) -> str:
    return {"": "", ".sync": ".sync", ".sync:2": ".sync2", ".waitForTaskToken": ".waitForTaskToken"}[pattern]


def _base_cases() -> list[Case]:
    cases = []
    for row in integrations.SERVICE_ROWS:
        for pattern in sorted(row.patterns):
            name = row.key.replace(":", ".") + _suffix(pattern)
            cases.append(Case(name, row.key, pattern, LITERALS.get(row.key, {})))
    return cases


def _variant(name: str, key: str, request: Mapping[str, Any] | str, pattern: str = "", **options: Any) -> Case:
    return Case(f"{key.replace(':', '.')}--{name}", key, pattern, request, **options)


ARN = "arn:aws"
VARIANTS: list[Case] = [
    # Lambda: every way FunctionName may name a function.
    _variant("qualified-name", "lambda:invoke", {"FunctionName": "resize-image:prod"}),
    _variant("latest", "lambda:invoke", {"FunctionName": "resize-image:$LATEST"}),
    _variant("partial-arn", "lambda:invoke", {"FunctionName": "210987654321:function:resize-image"}),
    _variant("partial-arn-version", "lambda:invoke", {"FunctionName": "210987654321:function:resize-image:7"}),
    _variant("full-arn", "lambda:invoke", {"FunctionName": f"{ARN}:lambda:eu-west-1:210987654321:function:resize"}),
    _variant(
        "full-arn-alias", "lambda:invoke", {"FunctionName": f"{ARN}:lambda:eu-west-1:210987654321:function:resize:live"}
    ),
    _variant("path", "lambda:invoke", {"FunctionName.$": "$.function"}),
    _variant("jsonata", "lambda:invoke", {"FunctionName": "{% $states.input.function %}"}, jsonata=True),
    _variant("jsonata-arguments", "lambda:invoke", "{% $states.input.request %}", jsonata=True),
    # SNS: topics, platform endpoints, SMS.
    _variant(
        "target-endpoint",
        "sns:publish",
        {"TargetArn": f"{ARN}:sns:{HERE}:endpoint/GCM/shop-app/0a1b2c3d-4e5f-6789-abcd-ef0123456789", "Message": "x"},
    ),
    _variant("phone-number", "sns:publish", {"PhoneNumber": "+15555550100", "Message": "x"}),
    _variant("path", "sns:publish", {"TopicArn.$": "$.topic", "Message": "x"}),
    _variant("jsonata", "sns:publish", {"TopicArn": "{% $states.input.topic %}", "Message": "x"}, jsonata=True),
    _variant("fifo", "sns:publish", {"TopicArn": f"{ARN}:sns:{HERE}:alerts.fifo", "Message": "x"}),
    # SQS: every QueueUrl form.
    _variant(
        "other-region-fifo",
        "sqs:sendMessage",
        {"QueueUrl": "https://sqs.eu-west-1.amazonaws.com/210987654321/orders.fifo", "MessageBody": "x"},
    ),
    _variant(
        "legacy-url",
        "sqs:sendMessage",
        {"QueueUrl": "https://eu-west-1.queue.amazonaws.com/210987654321/orders", "MessageBody": "x"},
    ),
    _variant(
        "legacy-global-url",
        "sqs:sendMessage",
        {"QueueUrl": "https://queue.amazonaws.com/123456789012/orders", "MessageBody": "x"},
    ),
    _variant(
        "china-url",
        "sqs:sendMessage",
        {"QueueUrl": "https://sqs.cn-north-1.amazonaws.com.cn/123456789012/orders", "MessageBody": "x"},
        target=CHINA,
    ),
    _variant("path", "sqs:sendMessage", {"QueueUrl.$": "$.queue", "MessageBody": "x"}),
    _variant("jsonata", "sqs:sendMessage", {"QueueUrl": "{% $states.input.queue %}", "MessageBody": "x"}, jsonata=True),
    # DynamoDB: table ARNs and dynamic tables.
    _variant(
        "table-arn", "dynamodb:getItem", {"TableName": f"{ARN}:dynamodb:eu-west-1:210987654321:table/Orders", "Key": {}}
    ),
    _variant("path", "dynamodb:putItem", {"TableName.$": "$.table", "Item": {}}),
    _variant("jsonata", "dynamodb:deleteItem", {"TableName": "{% $states.input.table %}", "Key": {}}, jsonata=True),
    _variant("index", "aws-sdk:dynamodb:query", {"TableName": "Orders", "IndexName": "byCustomer"}),
    _variant("index-path", "aws-sdk:dynamodb:scan", {"TableName.$": "$.table", "IndexName": "byCustomer"}),
    # ECS: task definition forms, clusters, role overrides, tags.
    _variant("revision", "ecs:runTask", {"TaskDefinition": "report:3"}, ".sync"),
    _variant(
        "arn", "ecs:runTask", {"TaskDefinition": f"{ARN}:ecs:{HERE}:task-definition/report:3", "Cluster": "reports"}
    ),
    _variant("arn-without-revision", "ecs:runTask", {"TaskDefinition": f"{ARN}:ecs:{HERE}:task-definition/report"}),
    _variant(
        "cluster-arn",
        "ecs:runTask",
        {"TaskDefinition": "report", "Cluster": f"{ARN}:ecs:{HERE}:cluster/reports"},
        ".sync",
    ),
    _variant("cluster-path", "ecs:runTask", {"TaskDefinition": "report", "Cluster.$": "$.cluster"}, ".sync"),
    _variant("definition-path", "ecs:runTask", {"TaskDefinition.$": "$.definition"}, ".sync"),
    _variant(
        "role-overrides",
        "ecs:runTask",
        {
            "TaskDefinition": "report",
            "Overrides": {
                "TaskRoleArn": f"{ARN}:iam::123456789012:role/report-task",
                "ExecutionRoleArn": f"{ARN}:iam::123456789012:role/report-exec",
            },
        },
        ".sync",
    ),
    _variant("tags", "ecs:runTask", {"TaskDefinition": "report", "Tags": [{"Key": "team", "Value": "bi"}]}),
    _variant(
        "jsonata",
        "ecs:runTask",
        {"TaskDefinition": "{% $states.input.definition %}", "Cluster": "{% $states.input.cluster %}"},
        ".sync",
        jsonata=True,
    ),
    # Batch: definition revisions, ARNs, tags.
    _variant("revision", "batch:submitJob", {"JobDefinition": "render:4", "JobQueue": "render-queue", "JobName": "r"}),
    _variant(
        "arns",
        "batch:submitJob",
        {
            "JobDefinition": f"{ARN}:batch:{HERE}:job-definition/render:4",
            "JobQueue": f"{ARN}:batch:{HERE}:job-queue/render-queue",
            "JobName": "r",
        },
        ".sync",
    ),
    _variant("paths", "batch:submitJob", {"JobDefinition.$": "$.definition", "JobQueue.$": "$.queue", "JobName": "r"}),
    _variant(
        "tags",
        "batch:submitJob",
        {"JobDefinition": "render", "JobQueue": "render-queue", "JobName": "r", "Tags": {"team": "bi"}},
    ),
    # Glue: a generated name keeps its literal prefix.
    _variant("format-prefix", "glue:startJobRun", {"JobName.$": "States.Format('etl-{}', $.table)"}, ".sync"),
    _variant("path", "glue:startJobRun", {"JobName.$": "$.job"}, ".sync"),
    _variant("jsonata", "glue:startJobRun", {"JobName": "{% $states.input.job %}"}, jsonata=True),
    # EventBridge: the default bus, bus ARNs, several entries.
    _variant("default-bus", "events:putEvents", {"Entries": [{"Source": "shop", "DetailType": "d", "Detail": {}}]}),
    _variant(
        "bus-arn-and-name",
        "events:putEvents",
        {
            "Entries": [
                {"EventBusName": f"{ARN}:events:eu-west-1:210987654321:event-bus/central", "Detail": {}},
                {"EventBusName": "orders", "Detail": {}},
                {"Detail": {}},
            ]
        },
    ),
    _variant("bus-path", "events:putEvents", {"Entries": [{"EventBusName.$": "$.bus", "Detail": {}}]}),
    _variant("entries-path", "events:putEvents", {"Entries.$": "$.entries"}),
    # Step Functions: versions and aliases run as the state machine.
    _variant(
        "alias", "states:startExecution", {"StateMachineArn": f"{ARN}:states:{HERE}:stateMachine:child:prod"}, ".sync:2"
    ),
    _variant(
        "version",
        "states:startExecution",
        {"StateMachineArn": f"{ARN}:states:eu-west-1:210987654321:stateMachine:child:12"},
        ".sync",
    ),
    _variant("path", "states:startExecution", {"StateMachineArn.$": "$.machine"}, ".sync"),
    _variant(
        "jsonata", "states:startExecution", {"StateMachineArn": "{% $states.input.machine %}"}, ".sync:2", jsonata=True
    ),
    # S3 through the SDK: versions, tags, prefixes, copies.
    _variant("version", "aws-sdk:s3:getObject", {"Bucket": "data-bucket", "Key": "a.json", "VersionId": "v1"}),
    _variant("key-prefix", "aws-sdk:s3:getObject", {"Bucket": "data-bucket", "Key.$": "States.Format('in/{}', $.k)"}),
    _variant("bucket-path", "aws-sdk:s3:putObject", {"Bucket.$": "$.bucket", "Key": "out.json", "Body": "x"}),
    _variant("tagging", "aws-sdk:s3:putObject", {"Bucket": "data-bucket", "Key": "out.json", "Tagging": "a=b"}),
    _variant("version", "aws-sdk:s3:deleteObject", {"Bucket": "data-bucket", "Key": "a.json", "VersionId": "v1"}),
    _variant(
        "versioned-source",
        "aws-sdk:s3:copyObject",
        {"Bucket": "archive-bucket", "Key": "a.json", "CopySource": "/data-bucket/in/a%20b.json?versionId=v1"},
    ),
    _variant(
        "source-path", "aws-sdk:s3:copyObject", {"Bucket": "archive-bucket", "Key": "a.json", "CopySource.$": "$.src"}
    ),
    # Secrets Manager and SSM: names, ARNs, selectors.
    _variant(
        "complete-arn",
        "aws-sdk:secretsmanager:getSecretValue",
        {"SecretId": f"{ARN}:secretsmanager:{HERE}:secret:prod/db-password-AbCdEf"},
    ),
    _variant(
        "partial-arn",
        "aws-sdk:secretsmanager:getSecretValue",
        {"SecretId": f"{ARN}:secretsmanager:{HERE}:secret:prod/db"},
    ),
    _variant("arn", "aws-sdk:ssm:getParameter", {"Name": f"{ARN}:ssm:{HERE}:parameter/app/config/url"}),
    _variant("label", "aws-sdk:ssm:getParameter", {"Name": "/app/config/url:prod"}),
    _variant("path", "aws-sdk:ssm:getParameters", {"Names.$": "$.names"}),
    # SageMaker through the SDK: names lowercased as in SageMaker ARNs.
    _variant(
        "format-prefix", "aws-sdk:sagemaker:describeEndpoint", {"EndpointName.$": "States.Format('Churn-{}', $.v)"}
    ),
    _variant("mixed-case", "aws-sdk:sagemaker:describeModel", {"ModelName": "Churn-Model"}),
    _variant("path", "aws-sdk:sagemaker:listTags", {"ResourceArn.$": "$.arn"}),
]

CASES = _base_cases() + VARIANTS


def _statement_record(statement: Statement) -> dict[str, Any]:
    record: dict[str, Any] = {
        "Sid": statement.sid,
        "Action": list(statement.actions),
        "Resource": list(statement.resources),
    }
    if statement.condition:
        record["Condition"] = statement.condition
    if statement.unscoped_because:
        record["UnscopedBecause"] = statement.unscoped_because
    return record


def _record(case: Case) -> dict[str, Any]:
    statements = state_machine_statements({"m": case.definition()}, case.target)
    record: dict[str, Any] = {"Task": case.state()}
    if case.target != TARGET:
        record["Target"] = {"partition": case.target.partition, "region": case.target.region}
    record["Statements"] = [_statement_record(s) for s in statements]
    return record


def _golden_path(case: Case) -> Path:
    return GOLDEN / f"{case.name}.json"


def _golden_records() -> dict[str, dict[str, Any]]:
    return {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(GOLDEN.glob("*.json"))}


# ---- Golden statements -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_statements_match_the_reviewed_golden_file(case: Case, update_golden: bool) -> None:
    record = _record(case)
    text = json.dumps(record, indent=2, ensure_ascii=False) + "\n"
    path = _golden_path(case)
    if update_golden:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"no golden file {path.name} (rerun with --update-golden and review it)"
    assert text == path.read_text(encoding="utf-8"), f"{path.name} differs (rerun with --update-golden, review)"


def test_case_names_are_unique_and_every_golden_file_has_a_case() -> None:
    names = [case.name for case in CASES]
    assert len(names) == len(set(names))
    assert set(_golden_records()) == set(names), "stale or missing golden files under tests/services/"


def test_every_row_has_representative_literals() -> None:
    assert set(LITERALS) == {row.key for row in integrations.SERVICE_ROWS}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_every_case_is_a_valid_definition_carrying_the_required_parameters(case: Case) -> None:
    assert validate_definition(case.definition()) == []
    row = integrations.find(case.key)
    assert row is not None
    if isinstance(case.request, Mapping):
        carried = {key.removesuffix(".$") for key in case.request}
        assert set(row.required) <= carried, f"{case.name} lacks a required parameter of {case.key}"


def test_table_has_every_row_once() -> None:
    table = integrations.table()
    for row in integrations.SERVICE_ROWS:
        assert table[row.key] is row


# ---- Least privilege -------------------------------------------------------------------------------------------


def test_no_statement_is_on_any_resource_without_a_reason() -> None:
    unexplained = [
        (name, statement["Sid"])
        for name, record in _golden_records().items()
        for statement in record["Statements"]
        if "*" in statement["Resource"] and not statement.get("UnscopedBecause")
    ]
    assert unexplained == []


def test_every_grant_on_any_resource_says_why() -> None:
    for row in integrations.SERVICE_ROWS:
        for grant in row.grants:
            if "*" in grant.resources:
                assert grant.resources == ("*",) and grant.unscoped_because, row.key


def _templates(row: Integration) -> list[str]:
    """Every ARN template of a row; a grant on "*" is not one (it is checked for its reason above)."""
    found: list[str] = []
    for grant in row.grants:
        for resource in grant.resources:
            if isinstance(resource, ArnParam):
                found.extend(t for t in (resource.dynamic, resource.absent) if t is not None)
            elif isinstance(resource, str) and resource != "*":
                found.append(resource)
    return found


def test_every_template_is_in_the_projects_partition() -> None:
    for row in integrations.SERVICE_ROWS:
        for template in _templates(row):
            assert template.startswith("arn:{partition}:"), (row.key, template)


def test_a_china_project_gets_no_arn_of_the_aws_partition() -> None:
    for case in _base_cases() + [v for v in VARIANTS if v.target == TARGET]:
        request = json.loads(json.dumps(case.request).replace("arn:aws:", "arn:aws-cn:"))
        china = Case(case.name, case.key, case.pattern, request, case.jsonata, CHINA)
        for statement in state_machine_statements({"m": china.definition()}, CHINA):
            assert not [r for r in statement.resources if r.startswith("arn:aws:")], (case.name, statement)


def test_dynamic_values_keep_region_and_account() -> None:
    for case in VARIANTS:
        if not case.name.endswith(("--path", "--jsonata")):
            continue
        for statement in state_machine_statements({"m": case.definition()}, TARGET):
            for resource in statement.resources:
                if ":s3:::" not in resource and ":iam::" not in resource:
                    assert f":{HERE}:" in resource, (case.name, resource)


# Actions parliament calls "unnecessary use of Resource *" although the call can only be granted on "*".
JUSTIFIED_STARS = {"sns:Publish"}
# Parliament's copy of the IAM reference disagrees with the service's own documentation here.
KNOWN_MISMATCHES = {
    # The Batch user guide requires `job-definition/<name>:<revision>` or `:*`; parliament knows only the
    # revision-less form (so a policy that follows the guide is "mismatched", and one that follows parliament fails).
    ("batch:SubmitJob", "arn:*:batch:*:*:job-definition/*"),
    # DescribeExecution acts on one execution, standard or express; the Step Functions guide's own .sync policy
    # grants it on `execution:<name>:*` alone, but parliament wants every resource type listed.
    ("states:DescribeExecution", "arn:*:states:*:*:express:*:*:*"),
}
# Actions that take one resource of any of several types (InvokeModel: a foundation model, or a profile, or a
# provisioned model, …); parliament reports every type a statement does not list.
ONE_OF_TYPES = {"bedrock:InvokeModel"}
# Condition keys a service sets on its requests that parliament's copy of the IAM reference does not list: the
# HTTP Task's page names both (Step Functions developer guide, "Call HTTPS APIs", IAM permissions).
KNOWN_UNLISTED_CONDITIONS = {"states:HTTPMethod", "states:HTTPEndpoint"}


@pytest.mark.skipif(shutil.which("parliament") is None, reason="parliament is not installed (pip install parliament)")
def test_parliament_finds_nothing_in_any_golden_policy() -> None:
    """One policy of every golden statement, one statement per line, so a finding's line names its statement."""
    golden = [(name, statement) for name, record in _golden_records().items() for statement in record["Statements"]]
    assert golden
    lines = ['{"Version": "2012-10-17", "Statement": [']
    for index, (_, statement) in enumerate(golden):
        body = {key: statement[key] for key in ("Action", "Resource", "Condition") if key in statement}
        lines.append(json.dumps({"Effect": "Allow", **body}) + ("," if index + 1 < len(golden) else ""))
    lines.append("]}")
    result = subprocess.run(
        ["parliament", "--json"], input="\n".join(lines), capture_output=True, text=True, check=False
    )
    assert result.stderr == ""
    findings = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    unexpected, justified_stars = [], []
    for finding in findings:
        line = (finding.get("location") or {}).get("line", 0)
        name, statement = golden[line - 2] if 2 <= line < len(golden) + 2 else ("<policy>", {})
        star = finding["issue"] == "RESOURCE_STAR" and bool(statement.get("UnscopedBecause"))
        if star and set(finding["detail"]) <= JUSTIFIED_STARS:
            justified_stars.append(name)
            continue
        if finding["issue"] == "UNKNOWN_CONDITION_FOR_ACTION" and any(
            f"condition {key} " in str(finding.get("detail")) for key in KNOWN_UNLISTED_CONDITIONS
        ):
            continue
        mismatch = finding["issue"] == "RESOURCE_MISMATCH"
        details = [d for d in finding["detail"] if d["action"] not in ONE_OF_TYPES] if mismatch else []
        if mismatch and {(d["action"], d["required_format"]) for d in details} <= KNOWN_MISMATCHES:
            continue
        unexpected.append((name, finding["issue"], finding.get("detail")))
    assert unexpected == []
    # The judge did read the policy: it flags the one grant that is on "*" by necessity.
    assert "sns.publish--phone-number" in justified_stars


def _policy_of(record: dict[str, Any]) -> dict[str, Any]:
    statements = [
        {"Sid": s["Sid"], "Effect": "Allow", "Action": s["Action"], "Resource": s["Resource"]}
        | ({"Condition": s["Condition"]} if "Condition" in s else {})
        for s in record["Statements"]
    ]
    return {"Version": "2012-10-17", "Statement": statements}


def test_asl_gen_validates_every_golden_policy() -> None:
    """What asl-gen writes passes its own policy check; a "*" on a scopable action only with a recorded reason."""
    problems: list[str] = []
    for name, record in _golden_records().items():
        if not record["Statements"]:
            continue  # eks:call and eks:runJob: authorised by Kubernetes RBAC, no IAM statement
        justified = [s["Sid"] for s in record["Statements"] if s.get("UnscopedBecause")]
        problems.extend(p.format() for p in validate_policy(_policy_of(record), source=name, justified=justified))
    assert problems == []


def test_the_sms_star_needs_its_recorded_reason() -> None:
    record = _golden_records()["sns.publish--phone-number"]
    found = validate_policy(_policy_of(record), source="sms")
    assert [p.message for p in found] == [
        "Resource '*' grants sns:Publish on every resource, but this action supports resource-level permissions"
    ]


# ---- ARN forms and invalid literals ------------------------------------------------------------------------------


def _statements(key: str, request: Mapping[str, Any], pattern: str = "") -> list[Statement]:
    return state_machine_statements({"m": Case("x", key, pattern, request).definition()}, TARGET)


def _granted(statements: list[Statement], action: str) -> set[str]:
    return {r for s in statements if action in s.actions for r in s.resources}


@pytest.mark.parametrize(
    ("function", "expected"),
    [
        ("f", {f"arn:aws:lambda:{HERE}:function:f", f"arn:aws:lambda:{HERE}:function:f:*"}),
        ("f:live", {f"arn:aws:lambda:{HERE}:function:f:live"}),
        ("f:3", {f"arn:aws:lambda:{HERE}:function:f:3"}),
        (
            "210987654321:function:f",
            {"arn:aws:lambda:us-east-1:210987654321:function:f", "arn:aws:lambda:us-east-1:210987654321:function:f:*"},
        ),
        ("arn:aws:lambda:eu-west-1:210987654321:function:f:2", {"arn:aws:lambda:eu-west-1:210987654321:function:f:2"}),
    ],
)
def test_lambda_function_name_forms(function: str, expected: set[str]) -> None:
    assert _granted(_statements("lambda:invoke", {"FunctionName": function}), "lambda:InvokeFunction") == expected


@pytest.mark.parametrize(
    ("url", "arn"),
    [
        ("https://sqs.us-east-2.amazonaws.com/123456789012/q", "arn:aws:sqs:us-east-2:123456789012:q"),
        ("https://us-west-2.queue.amazonaws.com/123456789012/q.fifo", "arn:aws:sqs:us-west-2:123456789012:q.fifo"),
        ("https://queue.amazonaws.com/123456789012/q", "arn:aws:sqs:us-east-1:123456789012:q"),
        ("https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q", "arn:aws:sqs:cn-north-1:123456789012:q"),
    ],
)
def test_sqs_queue_url_forms(url: str, arn: str) -> None:
    statements = _statements("sqs:sendMessage", {"QueueUrl": url, "MessageBody": "x"})
    assert _granted(statements, "sqs:SendMessage") == {arn}


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        ("report", f"arn:aws:ecs:{HERE}:task-definition/report:*"),
        ("report:12", f"arn:aws:ecs:{HERE}:task-definition/report:12"),
        (f"arn:aws:ecs:{HERE}:task-definition/report:12", f"arn:aws:ecs:{HERE}:task-definition/report:12"),
        (f"arn:aws:ecs:{HERE}:task-definition/report", f"arn:aws:ecs:{HERE}:task-definition/report:*"),
    ],
)
def test_ecs_task_definition_forms(definition: str, expected: str) -> None:
    assert _granted(_statements("ecs:runTask", {"TaskDefinition": definition}), "ecs:RunTask") == {expected}


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        ("render", f"arn:aws:batch:{HERE}:job-definition/render:*"),
        ("render:4", f"arn:aws:batch:{HERE}:job-definition/render:4"),
        (f"arn:aws:batch:{HERE}:job-definition/render:4", f"arn:aws:batch:{HERE}:job-definition/render:4"),
    ],
)
def test_batch_job_definition_forms(definition: str, expected: str) -> None:
    request = {"JobDefinition": definition, "JobQueue": "q", "JobName": "n"}
    assert _granted(_statements("batch:submitJob", request), "batch:SubmitJob") == {
        expected,
        f"arn:aws:batch:{HERE}:job-queue/q",
        f"arn:aws:batch:{HERE}:job/*",
    }


def test_dynamodb_table_arn_is_taken_as_is() -> None:
    arn = "arn:aws:dynamodb:eu-west-1:210987654321:table/Orders"
    assert _granted(_statements("dynamodb:getItem", {"TableName": arn, "Key": {}}), "dynamodb:GetItem") == {arn}


def test_each_dynamodb_item_call_gets_only_its_own_action() -> None:
    for api in ("getItem", "putItem", "updateItem", "deleteItem"):
        statements = _statements(f"dynamodb:{api}", {"TableName": "Orders", "Key": {}, "Item": {}})
        assert [s.actions for s in statements] == [(f"dynamodb:{api[:1].upper()}{api[1:]}",)]


def test_ecs_sync_without_a_cluster_is_scoped_to_the_default_cluster() -> None:
    statements = _statements("ecs:runTask", {"TaskDefinition": "report"}, ".sync")
    assert _granted(statements, "ecs:StopTask") == {f"arn:aws:ecs:{HERE}:task/default/*"}
    (pass_role,) = [s for s in statements if s.actions == ("iam:PassRole",)]
    assert pass_role.condition == {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}


def test_copy_object_reads_the_source_and_writes_the_destination() -> None:
    request = {"Bucket": "dst", "Key": "k", "CopySource": "src-bucket/a/b.json"}
    statements = _statements("aws-sdk:s3:copyObject", request)
    assert _granted(statements, "s3:GetObject") == {"arn:aws:s3:::src-bucket/a/b.json"}
    assert _granted(statements, "s3:PutObject") == {"arn:aws:s3:::dst/k"}
    assert _granted(statements, "s3:GetObjectVersion") == set()


@pytest.mark.parametrize(
    ("key", "request_", "parameter"),
    [
        ("sqs:sendMessage", {"QueueUrl": "not a url", "MessageBody": "x"}, "QueueUrl"),
        ("sqs:sendMessage", {"QueueUrl": "https://example.com/123456789012/q", "MessageBody": "x"}, "QueueUrl"),
        ("lambda:invoke", {"FunctionName": "my function"}, "FunctionName"),
        ("lambda:invoke", {"FunctionName": "arn:aws:sns:us-east-1:123456789012:topic"}, "FunctionName"),
        ("sns:publish", {"TopicArn": "alerts", "Message": "x"}, "TopicArn"),
        ("dynamodb:getItem", {"TableName": "arn:aws:dynamodb:us-east-1:123456789012:stream/x", "Key": {}}, "TableName"),
        ("ecs:runTask", {"TaskDefinition": "report:latest"}, "TaskDefinition"),
        ("batch:submitJob", {"JobDefinition": "d", "JobQueue": "queue*", "JobName": "n"}, "JobQueue"),
        ("glue:startJobRun", {"JobName": "etl*"}, "JobName"),
        ("events:putEvents", {"Entries": [{"EventBusName": "bus*"}]}, "EventBusName"),
        ("states:startExecution", {"StateMachineArn": "child"}, "StateMachineArn"),
        ("aws-sdk:s3:copyObject", {"Bucket": "b", "Key": "k", "CopySource": "bucket-without-key"}, "CopySource"),
        ("aws-sdk:secretsmanager:getSecretValue", {"SecretId": "arn:aws:s3:::bucket"}, "SecretId"),
    ],
)
def test_an_invalid_literal_names_its_parameter(key: str, request_: dict[str, Any], parameter: str) -> None:
    with pytest.raises(ValidationFailure) as error:
        _statements(key, request_)
    problem = error.value.problems[0]
    assert parameter in problem.message
    assert problem.pointer.endswith(f".{parameter}")


# ---- Patterns ----------------------------------------------------------------------------------------------------


def _unsupported() -> list[tuple[str, str]]:
    return [
        (row.key, pattern)
        for row in integrations.SERVICE_ROWS
        for pattern in sorted(integrations.ALL_PATTERNS - row.patterns)
    ]


@pytest.mark.parametrize(("key", "pattern"), _unsupported())
def test_an_unsupported_pattern_is_refused_with_the_supported_ones(key: str, pattern: str) -> None:
    row = integrations.find(key)
    assert row is not None
    with pytest.raises(ValidationFailure) as error:
        _statements(key, LITERALS[key], pattern)
    (problem,) = error.value.problems
    assert f"does not support {pattern}" in problem.message
    assert problem.hint is not None
    for supported in row.patterns:
        assert (supported or "request-response") in problem.hint


@pytest.mark.parametrize(
    ("resource", "message"),
    [
        ("sagemaker:createModel.sync", "sagemaker:createModel supports request-response only, not .sync"),
        ("dynamodb:getItem.sync", "dynamodb:getItem supports request-response only, not .sync"),
        ("sns:publish.sync", "sns:publish supports request-response and .waitForTaskToken, not .sync"),
        ("lambda:invoke.sync:2", "lambda:invoke supports request-response and .waitForTaskToken, not .sync:2"),
        ("ecs:runTask.sync:2", "ecs:runTask supports request-response, .sync and .waitForTaskToken, not .sync:2"),
        ("glue:startJobRun.waitForTaskToken", "glue:startJobRun supports request-response and .sync, not .waitFor"),
        (
            "aws-sdk:sagemaker:describeTrainingJob.waitForTaskToken",
            "aws-sdk:sagemaker:describeTrainingJob supports request-response only, not .waitForTaskToken",
        ),
    ],
)
def test_the_validator_refuses_a_pattern_the_integration_lacks(resource: str, message: str) -> None:
    task = {"Type": "Task", "Resource": f"arn:aws:states:::{resource}", "Parameters": {}, "End": True}
    problems = validate_definition({"StartAt": "Call", "States": {"Call": task}})
    assert [p.pointer for p in problems] == ["$.States.Call.Resource"]
    assert message in problems[0].message


@pytest.mark.parametrize(
    "resource",
    [
        "states:startExecution.sync:2",
        "ecs:runTask.waitForTaskToken",
        "batch:submitJob.sync",
        "aws-sdk:s3:getObject.waitForTaskToken",
        # Unknown calls stay accepted: AWS adds services faster than any table.
        "mediaconvert:createJob.sync",
        "aws-sdk:athena:startQueryExecution",
    ],
)
def test_the_validator_accepts_supported_and_unknown_integrations(resource: str) -> None:
    task = {"Type": "Task", "Resource": f"arn:aws:states:::{resource}", "Parameters": {}, "End": True}
    assert validate_definition({"StartAt": "Call", "States": {"Call": task}}) == []


# ---- SDK actions without a row -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "action"),
    [
        ("aws-sdk:sfn:listExecutions", "states:ListExecutions"),
        ("aws-sdk:cloudwatchlogs:putLogEvents", "logs:PutLogEvents"),
        ("aws-sdk:eventbridge:putRule", "events:PutRule"),
        ("aws-sdk:efs:describeFileSystems", "elasticfilesystem:DescribeFileSystems"),
        ("aws-sdk:athena:startQueryExecution", "athena:StartQueryExecution"),
    ],
)
def test_sdk_actions_map_the_client_name_to_the_iam_prefix(key: str, action: str) -> None:
    assert integrations.sdk_actions(key) == (action,)


def test_every_granted_action_is_known_to_iam() -> None:
    parliament = pytest.importorskip("parliament", reason="parliament carries the IAM action list")
    data = json.loads((Path(parliament.__file__).parent / "iam_definition.json").read_text(encoding="utf-8"))
    known = {f"{s['prefix']}:{p['privilege']}".lower() for s in data for p in s["privileges"]}
    for row in integrations.SERVICE_ROWS:
        for grant in row.grants:
            for action in grant.actions:
                assert action.lower() in known, (row.key, action)
