"""The AWS SDK integration's generic fallback: the IAM action of an `aws-sdk:<service>:<apiName>` call with no row."""

from __future__ import annotations

from asl_gen.integrations.model import action_of

# The AWS SDK integration names a service by its SDK client; IAM knows it by another prefix for these.
SDK_IAM_PREFIX: dict[str, str] = {
    "acmpca": "acm-pca",
    "apigatewaymanagementapi": "execute-api",
    "apigatewayv2": "apigateway",
    "appconfigdata": "appconfig",
    "applicationautoscaling": "application-autoscaling",
    "autoscalingplans": "autoscaling-plans",
    "bedrockagent": "bedrock",
    "bedrockagentruntime": "bedrock",
    "bedrockruntime": "bedrock",
    "cloudhsmv2": "cloudhsm",
    "cloudwatchevents": "events",
    "cloudwatchlogs": "logs",
    "codestarconnections": "codestar-connections",
    "cognitoidentity": "cognito-identity",
    "cognitoidentityprovider": "cognito-idp",
    "cognitosync": "cognito-sync",
    "configservice": "config",
    "costexplorer": "ce",
    "docdb": "rds",
    "dynamodbstreams": "dynamodb",
    "ec2instanceconnect": "ec2-instance-connect",
    "efs": "elasticfilesystem",
    "elasticloadbalancingv2": "elasticloadbalancing",
    "elasticsearch": "es",
    "emr": "elasticmapreduce",
    "emrcontainers": "emr-containers",
    "emrserverless": "emr-serverless",
    "eventbridge": "events",
    "iotdataplane": "iot",
    "iotjobsdataplane": "iotjobsdata",
    "kinesisanalyticsv2": "kinesisanalytics",
    "kinesisvideoarchivedmedia": "kinesisvideo",
    "kinesisvideomedia": "kinesisvideo",
    "lexmodelsv2": "lex",
    "lexruntimev2": "lex",
    "marketplacecatalog": "aws-marketplace",
    "mediapackagevod": "mediapackage-vod",
    "mediastoredata": "mediastore",
    "migrationhub": "mgh",
    "mwaa": "airflow",
    "neptune": "rds",
    "opensearch": "es",
    "pinpointsmsvoice": "sms-voice",
    "rdsdata": "rds-data",
    "redshiftdata": "redshift-data",
    "resourcegroupstaggingapi": "tag",
    "s3control": "s3",
    "sagemakera2iruntime": "sagemaker",
    "sagemakerfeaturestoreruntime": "sagemaker",
    "sagemakerruntime": "sagemaker",
    "sesv2": "ses",
    "sfn": "states",
    "ssmcontacts": "ssm-contacts",
    "ssmincidents": "ssm-incidents",
    "ssoadmin": "sso",
    "ssooidc": "sso-oauth",
    "timestreamquery": "timestream",
    "timestreamwrite": "timestream",
    "transcribestreaming": "transcribe",
}


def sdk_action(key: str) -> str:
    """The IAM action of an `aws-sdk:<service>:<apiName>` call with no row: `<iam prefix>:<ApiName>`.

    Only a fallback: where IAM names the action differently from the API (listObjectsV2 is s3:ListBucket), the
    call's row says so.
    """
    _, service, api = key.split(":", 2)
    return action_of(SDK_IAM_PREFIX.get(service, service), api)
