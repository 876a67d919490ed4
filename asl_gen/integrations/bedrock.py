"""Rows for the AI services: Amazon Bedrock (invoking a model and customizing one, after `bedrock-iam` in the Step
Functions guide), and the Rekognition and Comprehend calls published samples make through the AWS SDK integration.
"""

from __future__ import annotations

import re

from asl_gen.integrations import model
from asl_gen.integrations.model import ArnParam, Context, Grant, Integration, PassRole, sdk
from asl_gen.integrations.references import ACCOUNT, PARTITION, REGION, here

_MODEL_ID = r"[A-Za-z0-9][A-Za-z0-9._:-]{0,139}"
# Cross-region inference profiles are model ids with a geography in front: `us.anthropic.claude-…`.
_PROFILE = r"(?P<geo>us|eu|apac|us-gov|global|jp|au|ca)\.(?P<model>[a-z0-9-]+\.[A-Za-z0-9._:-]+)"
_BEDROCK_ARN = (
    rf"arn:(?P<partition>{PARTITION}):bedrock:(?P<region>{REGION}):(?P<account>{ACCOUNT})?:"
    r"(?P<kind>foundation-model|provisioned-model|custom-model|inference-profile|application-inference-profile|"
    r"imported-model|prompt|default-prompt-router|prompt-router)/[A-Za-z0-9._:/-]{1,200}"
)


def _model(value: str, target: Context) -> tuple[str, ...] | None:
    """A model id, an inference profile id, or the ARN of a model, profile or provisioned throughput.

    An inference profile routes each request to the model in one of several regions, and InvokeModel is
    authorised on the profile and on the model in the region that serves it: any region, that model only.
    """
    match = re.fullmatch(_BEDROCK_ARN, value)
    if match is not None:
        if match["kind"] == "inference-profile":
            model = value.rsplit("/", 1)[1]
            profile = re.fullmatch(_PROFILE, model)
            base = profile["model"] if profile else "*"
            return (value, f"arn:{match['partition']}:bedrock:*::foundation-model/{base}")
        return (value,)
    profile = re.fullmatch(_PROFILE, value)
    if profile is not None:
        return (
            f"arn:{target.partition}:bedrock:{target.region}:{target.account}:inference-profile/{value}",
            f"arn:{target.partition}:bedrock:*::foundation-model/{profile['model']}",
        )
    if re.fullmatch(_MODEL_ID, value) is None:
        return None
    return (f"arn:{target.partition}:bedrock:{target.region}::foundation-model/{value}",)


MODEL = ArnParam("ModelId", _model, "arn:{partition}:bedrock:{region}::foundation-model/*")
# A model from a path may also be an inference profile of the account.
MODEL_PROFILES = ArnParam("ModelId", lambda value, target: (), here("bedrock", "inference-profile/*"))
BASE_MODEL = ArnParam("BaseModelIdentifier", _model, "arn:{partition}:bedrock:{region}::foundation-model/*")
_S3_URI = r"s3://(?P<bucket>[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/(?P<key>.*)"


def _s3_object(value: str, target: Context) -> tuple[str, ...] | None:
    match = re.fullmatch(_S3_URI, value)
    return (f"arn:{target.partition}:s3:::{match['bucket']}/{match['key']}",) if match else None


OPTIMIZED: tuple[Integration, ...] = (
    Integration(
        "bedrock",
        "invokeModel",
        model.ONLY_REQUEST_RESPONSE,
        (
            Grant(("bedrock:InvokeModel",), (MODEL, MODEL_PROFILES)),
            # The optimized integration can read the body from S3 and write the answer there.
            Grant(
                ("s3:GetObject",),
                (ArnParam("Input.S3Uri", _s3_object, "arn:{partition}:s3:::*/*"),),
                when_parameter="Input",
            ),
            Grant(
                ("s3:PutObject",),
                (ArnParam("Output.S3Uri", _s3_object, "arn:{partition}:s3:::*/*"),),
                when_parameter="Output",
            ),
        ),
        required=("ModelId",),
    ),
    Integration(
        "bedrock",
        "createModelCustomizationJob",
        model.REQUEST_RESPONSE_SYNC,
        (
            # Authorised on the custom model it creates and the base model it starts from.
            Grant(("bedrock:CreateModelCustomizationJob",), (here("bedrock", "custom-model/*"), BASE_MODEL)),
            Grant(("bedrock:TagResource",), (here("bedrock", "model-customization-job/*"),), when_parameter="JobTags"),
            Grant(("bedrock:TagResource",), (here("bedrock", "custom-model/*"),), when_parameter="CustomModelTags"),
            Grant(
                ("bedrock:GetModelCustomizationJob", "bedrock:StopModelCustomizationJob"),
                (here("bedrock", "model-customization-job/*"),),
                patterns=model.ONLY_SYNC,
            ),
        ),
        pass_roles=(PassRole("RoleArn", "bedrock.amazonaws.com"),),
        required=(
            "BaseModelIdentifier",
            "CustomModelName",
            "JobName",
            "RoleArn",
            "TrainingDataConfig",
            "OutputDataConfig",
            "HyperParameters",
        ),
    ),
)


# ---- Rekognition and Comprehend (AWS SDK integration) ---------------------------------------------------------

DETECT_WHY = "{action} has no resource type; IAM accepts only '*' for it"
# Rekognition reads an S3 image with the caller's permissions.
_IMAGE = ArnParam(
    "Image.S3Object.Bucket",
    lambda value, target: (f"arn:{target.partition}:s3:::{value}/*",),
    "arn:{partition}:s3:::*/*",
)

SDK: tuple[Integration, ...] = (
    sdk(
        "rekognition",
        "detectLabels",
        (
            Grant(
                ("rekognition:DetectLabels",),
                ("*",),
                unscoped_because=DETECT_WHY.format(action="rekognition:DetectLabels"),
            ),
            Grant(("s3:GetObject",), (_IMAGE,), when_parameter="Image"),
        ),
        ("Image",),
    ),
    sdk(
        "comprehend",
        "detectSentiment",
        (
            Grant(
                ("comprehend:DetectSentiment",),
                ("*",),
                unscoped_because=DETECT_WHY.format(action="comprehend:DetectSentiment"),
            ),
        ),
        ("LanguageCode", "Text"),
    ),
)
