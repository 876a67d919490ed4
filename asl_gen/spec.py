"""The spec: strict Pydantic models of the user's file, and the loader that locates every error.

Field-level rules live next to their fields; rules that relate several parts of the spec (a model
built from a training job, a state machine naming a job) are checked in `check_references`, which
also reports every problem with the path of the field at fault.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from asl_gen import catalog
from asl_gen.errors import Problem, SpecError
from asl_gen.integrations import CALLBACK, REQUEST_RESPONSE, SYNC, SYNC2
from asl_gen.loader import Located, load_file

SAGEMAKER_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
SAGEMAKER_NAME_MAX = 63
# A generated name is `<prefix>-<32 hex chars of MD5>`: the prefix gets what is left of 63.
GENERATED_SUFFIX_LEN = 33
PREFIX_MAX = SAGEMAKER_NAME_MAX - GENERATED_SUFFIX_LEN

KEY = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
INPUT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
ROLE_ARN = re.compile(r"^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role/((?:[\w+=,.@-]+/)*)([\w+=,.@-]{1,64})$")
ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
KMS_KEY_ARN = re.compile(r"^arn:(aws|aws-cn|aws-us-gov):kms:[a-z0-9-]+:\d{12}:key/(mrk-[0-9a-f]{32}|[0-9a-f-]{36})$")
S3_URI = re.compile(r"^s3://([^/]+)(?:/(.*))?$")
BUCKET = re.compile(r"^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
ECR_IMAGE = re.compile(
    r"^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/([a-z0-9]+(?:[._/-][a-z0-9]+)*)"
    r"(?::([\w][\w.-]{0,127})|@sha256:[0-9a-f]{64})$"
)
HYPERPARAMETER_VALUE_MAX = 2500
MAX_RUNTIME_LIMIT = 28 * 24 * 3600


class _Model(BaseModel):
    # Built on first use: one validator for the whole spec instead of one per model class at import.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=False, defer_build=True)


Key = Annotated[str, StringConstraints(pattern=KEY.pattern, max_length=40)]
NonEmpty = Annotated[str, StringConstraints(min_length=1, max_length=256)]


def _s3_uri(value: str) -> str:
    match = S3_URI.fullmatch(value)
    if not match:
        raise ValueError(f"{value!r} is not an S3 URI (write it as s3://bucket/prefix)")
    # The key prefix ends up inside IAM resource ARNs: a wildcard or a policy variable there would widen the grant.
    unsafe = sorted({c for c in match.group(2) or "" if c in "*?$" or ord(c) < 32 or ord(c) == 127})
    if unsafe:
        raise ValueError(
            f"the S3 key in {value!r} contains {', '.join(repr(c) for c in unsafe)}, which IAM would read as a "
            "wildcard, variable or control character (write the prefix out without them)"
        )
    bucket = match.group(1)
    if not BUCKET.fullmatch(bucket) or re.fullmatch(r"\d+\.\d+\.\d+\.\d+", bucket):
        raise ValueError(f"{bucket!r} is not a valid S3 bucket name (3-63 lowercase letters, digits, '.' and '-')")
    return value


def is_s3_uri(value: str) -> bool:
    """Whether `value` is an S3 URI the spec would accept (a valid bucket, no wildcard in the key)."""
    try:
        _s3_uri(value)
    except ValueError:
        return False
    return True


def _instance_type(value: str) -> str:
    if value not in catalog.INSTANCE_TYPES:
        hint = catalog.suggest(value, catalog.INSTANCE_TYPES)
        raise ValueError(f"{value!r} is not a SageMaker instance type" + (f" (did you mean {hint!r}?)" if hint else ""))
    return value


def _image(value: str) -> str:
    if not ECR_IMAGE.fullmatch(value):
        raise ValueError(
            f"{value!r} is not an ECR image URI (123456789012.dkr.ecr.us-east-1.amazonaws.com/repository:tag)"
        )
    return value


S3Uri = Annotated[str, AfterValidator(_s3_uri)]
InstanceType = Annotated[str, AfterValidator(_instance_type)]
EcrImage = Annotated[str, AfterValidator(_image)]


def _name_schema(schema: dict[str, Any]) -> None:
    # Users write a name as a plain string or a one-key mapping; the schema offers those forms, not the model's
    # internal three optional fields.
    schema.clear()
    schema.update(
        {
            "description": NAME_DESCRIPTION,
            "anyOf": [
                {
                    "type": "string",
                    "pattern": SAGEMAKER_NAME.pattern,
                    "maxLength": SAGEMAKER_NAME_MAX,
                    "description": "A literal name, the same in every execution",
                },
                {
                    "type": "object",
                    "properties": {
                        "input": {
                            "type": "string",
                            "pattern": INPUT_NAME.pattern,
                            "description": "The execution input field that carries the name (declare it under inputs)",
                            "examples": ["ModelName"],
                        }
                    },
                    "required": ["input"],
                    "additionalProperties": False,
                },
                {
                    "type": "object",
                    "properties": {
                        "prefix": {
                            "type": "string",
                            "pattern": SAGEMAKER_NAME.pattern,
                            "maxLength": PREFIX_MAX,
                            "description": "asl-gen appends '-' and an MD5 of the execution: a new name per execution",
                            "examples": ["churn-train"],
                        }
                    },
                    "required": ["prefix"],
                    "additionalProperties": False,
                },
            ],
            "examples": ["churn-baseline-v1", {"input": "ModelName"}, {"prefix": "churn-train"}],
        }
    )


NAME_DESCRIPTION = (
    "The SageMaker name: a literal string, {input: InputName} (from the execution input) or {prefix: name-prefix} "
    "(the prefix plus a hash of the execution); default {prefix: <project>-<job key>}"
)


class Name(_Model):
    """How a SageMaker resource is named: a literal, an execution input, or a prefix plus a per-execution hash."""

    model_config = ConfigDict(**_Model.model_config, json_schema_extra=_name_schema)

    literal: str | None = None
    input: str | None = None
    prefix: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_shorthand(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"literal": value}
        if not isinstance(value, dict):
            raise ValueError(
                f"give the name as a string, {{input: InputName}} or {{prefix: name-prefix}}, not {_show(value)}"
            )
        return value

    @model_validator(mode="after")
    def _exactly_one(self) -> Name:
        given = [k for k in ("literal", "input", "prefix") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give the name as a string, {input: InputName} or {prefix: name-prefix}"
                + (f", not {' and '.join(given)} together" if given else "")
            )
        if self.literal is not None and not SAGEMAKER_NAME.fullmatch(self.literal):
            raise ValueError(
                f"{self.literal!r} is not a SageMaker name: at most 63 letters, digits and hyphens, "
                "starting and ending with a letter or digit"
            )
        if self.prefix is not None and (len(self.prefix) > PREFIX_MAX or not SAGEMAKER_NAME.fullmatch(self.prefix)):
            raise ValueError(
                f"prefix {self.prefix!r} must be 1-{PREFIX_MAX} letters, digits and hyphens "
                f"(asl-gen appends '-' and a 32-character hash; SageMaker names stop at 63)"
            )
        if self.input is not None and not INPUT_NAME.fullmatch(self.input):
            raise ValueError(f"{self.input!r} is not an input name (letters, digits and '_')")
        return self


class Aws(_Model):
    region: str | None = Field(
        None,
        description="The AWS region the state machines run in; every ARN is built for it. Leave it out for output "
        "that deploys to any region: ARNs then carry ${Region}, which the Terraform and CloudFormation targets fill",
        examples=["us-east-1", "eu-west-1", "cn-north-1"],
    )
    account: Annotated[str, StringConstraints(pattern=r"^\d{12}$")] | None = Field(
        None,
        description="The 12-digit AWS account id, quoted so YAML keeps it a string. Leave it out for output that "
        "deploys to any account: ARNs then carry ${AccountId}, which the targets fill",
        examples=["123456789012"],
    )
    partition: Literal["aws", "aws-cn", "aws-us-gov"] | None = Field(
        None,
        description="The AWS partition; leave it out to derive it from the region (it must agree with the region), "
        "or, with no region either, to leave it open as ${Partition}",
        examples=["aws", "aws-cn", "aws-us-gov"],
    )

    @field_validator("region")
    @classmethod
    def _known_region(cls, value: str | None) -> str | None:
        if value is not None and catalog.partition_for_region(value) is None:
            hint = catalog.suggest(value, catalog.REGION_PARTITIONS)
            raise ValueError(f"{value!r} is not an AWS region" + (f" (did you mean {hint!r}?)" if hint else ""))
        return value

    @model_validator(mode="after")
    def _partition_matches(self) -> Aws:
        if self.region is None:
            return self
        derived = catalog.partition_for_region(self.region)
        if self.partition is not None and self.partition != derived:
            raise ValueError(
                f"partition {self.partition!r} does not match region {self.region!r}, "
                f"which is in {derived!r} (leave partition out to derive it)"
            )
        return self

    @property
    def resolved_partition(self) -> str | None:
        """The partition, or None when neither it nor the region is given (the output then says ${Partition})."""
        if self.partition is not None or self.region is None:
            return self.partition
        return catalog.partition_for_region(self.region)

    @property
    def portable(self) -> bool:
        """True when account or region is left open, so the output carries placeholders the targets fill."""
        return self.region is None or self.account is None


class SageMakerRole(_Model):
    arn: str | None = Field(
        None,
        description="ARN of the existing IAM role SageMaker assumes for jobs and models (same account); "
        "give arn or name",
        examples=["arn:aws:iam::123456789012:role/big-mart-sagemaker"],
    )
    name: str | None = Field(
        None,
        description="Name of the role in the state machines' own account; asl-gen builds its ARN (the only way "
        "when aws.account is left open); give arn or name",
        examples=["big-mart-sagemaker"],
    )
    create: bool = Field(
        False,
        description="The Terraform and CloudFormation targets create this role (named by name) with "
        "iam/sagemaker-trust-policy.json and iam/sagemaker-policy.json, instead of expecting it to exist",
        examples=[True],
    )
    reads: list[S3Uri] = Field(
        default_factory=list,
        max_length=50,
        description="S3 locations jobs read that the spec cannot show, such as transform inputs taken from the "
        "execution input; the role may read each prefix (s3:GetObject, s3:ListBucket on it)",
        examples=[["s3://evaluate-deploy-data/batches/"]],
    )
    writes: list[S3Uri] = Field(
        default_factory=list,
        max_length=50,
        description="S3 locations jobs write that the spec cannot show (an output path taken from the execution "
        "input); the role may write under each prefix",
        examples=[["s3://evaluate-deploy-data/scores/"]],
    )

    @field_validator("arn")
    @classmethod
    def _role_arn(cls, value: str | None) -> str | None:
        if value is not None and not ROLE_ARN.fullmatch(value):
            raise ValueError(f"{value!r} is not an IAM role ARN (arn:aws:iam::123456789012:role/name)")
        return value

    @field_validator("name")
    @classmethod
    def _role_name(cls, value: str | None) -> str | None:
        if value is not None and not ROLE_NAME.fullmatch(value):
            raise ValueError(f"{value!r} is not an IAM role name (1-64 of letters, digits and +=,.@_-)")
        return value

    @model_validator(mode="after")
    def _one_way(self) -> SageMakerRole:
        if (self.arn is None) == (self.name is None):
            raise ValueError("give the role's arn or its name, not both and not neither")
        if self.create and self.name is None:
            raise ValueError("a role asl-gen creates is given by name (create: true, name: my-sagemaker-role)")
        return self

    @property
    def role_name(self) -> str:
        """The role's name, its path left out."""
        if self.name is not None:
            return self.name
        assert self.arn is not None
        return self.arn.rsplit("/", 1)[-1]


class StepFunctionsRole(_Model):
    name: str = Field(
        description="Name of the Step Functions role; asl-gen writes its policy and trust policy",
        examples=["big-mart-step-functions"],
    )

    @field_validator("name")
    @classmethod
    def _role_name(cls, value: str) -> str:
        if not ROLE_NAME.fullmatch(value):
            raise ValueError(f"{value!r} is not an IAM role name (1-64 of letters, digits and +=,.@_-)")
        return value


class Roles(_Model):
    sagemaker: SageMakerRole = Field(
        description="The role SageMaker assumes: asl-gen passes it to jobs and models and writes the policy it needs",
        examples=[{"arn": "arn:aws:iam::123456789012:role/big-mart-sagemaker"}],
    )
    stepfunctions: StepFunctionsRole = Field(
        description="The role the state machines run as", examples=[{"name": "big-mart-step-functions"}]
    )


INSTANCE_TYPE_DESCRIPTION = "A SageMaker instance type, checked against the ones SageMaker offers"


class Instance(_Model):
    type: InstanceType = Field(description=INSTANCE_TYPE_DESCRIPTION, examples=["ml.m5.xlarge", "ml.g5.2xlarge"])
    count: Annotated[int, Field(ge=1, le=100)] = Field(1, description="How many instances train", examples=[1, 2])
    volume_gb: Annotated[int, Field(ge=1, le=16384)] = Field(
        30, description="Size of each instance's ML storage volume, in GB", examples=[30, 100]
    )


class HostingInstance(_Model):
    type: InstanceType = Field(description=INSTANCE_TYPE_DESCRIPTION, examples=["ml.m5.large", "ml.g5.xlarge"])
    count: Annotated[int, Field(ge=1, le=1000)] = Field(
        1, description="How many instances serve this variant", examples=[1, 2]
    )


class Algorithm(_Model):
    name: str = Field(
        description="A SageMaker built-in algorithm; its image URI is resolved offline for the region",
        examples=["xgboost", "linear-learner", "kmeans"],
    )
    version: str = Field(description="The algorithm's image version, quoted: '1.7-1'", examples=["1.7-1"])


class Channel(_Model):
    s3: S3Uri = Field(
        description="S3 URI of the channel's data (a prefix, or a manifest file)",
        examples=["s3://my-bucket/pipeline/train"],
    )
    content_type: NonEmpty | None = Field(
        None,
        description="MIME type of the data, passed to the algorithm",
        examples=["text/csv", "application/x-parquet"],
    )
    data_type: Literal["S3Prefix", "ManifestFile", "AugmentedManifestFile"] = Field(
        "S3Prefix", description="What s3 points at", examples=["S3Prefix"]
    )
    distribution: Literal["FullyReplicated", "ShardedByS3Key"] = Field(
        "FullyReplicated",
        description="Every instance gets all data, or each a share of the S3 objects",
        examples=["FullyReplicated", "ShardedByS3Key"],
    )
    compression: Literal["None", "Gzip"] | None = Field(
        None, description="Compression of the data; leave out for none", examples=["Gzip"]
    )


ChannelName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9.\-_]{1,64}$")]
HyperValue = str | bool | int | float
# State names are shown in the console and history events (80 characters at most there); control characters
# would break both.
StateName = Annotated[str, StringConstraints(min_length=1, max_length=80, pattern=r"^[^\x00-\x1f\x7f-\x9f]+$")]
Comment = Annotated[str, StringConstraints(max_length=2000)]


def _tags(tags: dict[str, str]) -> dict[str, str]:
    # SageMaker's tag pattern: letters, numbers, separators (spaces) and _.:/=+-@ only; `aws:` is reserved.
    for key, value in tags.items():
        for text in (key, value):
            bad = sorted({c for c in text if not (c.isalnum() or c == " " or c in "_.:/=+-@")})
            if bad:
                raise ValueError(
                    f"tag {key!r} contains {', '.join(repr(c) for c in bad)}; SageMaker tags allow letters, "
                    "digits, spaces and _.:/=+-@"
                )
        if key.lower().startswith("aws:"):
            raise ValueError(f"tag {key!r} uses the prefix 'aws:', which AWS reserves")
    return tags


TAGS_DESCRIPTION = "Tags SageMaker puts on the resource: letters, digits, spaces and _.:/=+-@"
Tags = Annotated[
    dict[
        Annotated[str, StringConstraints(min_length=1, max_length=128)],
        Annotated[str, StringConstraints(max_length=256)],
    ],
    AfterValidator(_tags),
]
Environment = dict[
    Annotated[str, StringConstraints(pattern=r"^[a-zA-Z_][a-zA-Z0-9_]{0,1023}$")],
    Annotated[str, StringConstraints(max_length=1024)],
]


KmsKeyArn = Annotated[
    str,
    StringConstraints(pattern=KMS_KEY_ARN.pattern),
    Field(
        description="ARN of a KMS key (key/<id>, not an alias: IAM grants are written on the key ARN)",
        examples=["arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"],
    ),
]


class Vpc(_Model):
    subnets: Annotated[
        list[Annotated[str, StringConstraints(pattern=r"^subnet-[0-9a-f]{8,17}$")]], Field(min_length=1, max_length=16)
    ] = Field(description="Subnet IDs the containers run in", examples=[["subnet-0a1b2c3d4e5f67890"]])
    security_groups: Annotated[
        list[Annotated[str, StringConstraints(pattern=r"^sg-[0-9a-f]{8,17}$")]], Field(min_length=1, max_length=5)
    ] = Field(description="Security group IDs of the containers", examples=[["sg-0a1b2c3d4e5f67890"]])


VPC_DESCRIPTION = "Run the containers in your VPC; the SageMaker role then gets the network-interface permissions"
OptionalVpc = Annotated[
    Vpc | None,
    Field(
        description=VPC_DESCRIPTION,
        examples=[{"subnets": ["subnet-0a1b2c3d4e5f67890"], "security_groups": ["sg-0a1b2c3d4e5f67890"]}],
    ),
]
# Model artifacts made outside the spec, and the image that serves them (models and model packages).
ModelData = Annotated[
    S3Uri | None,
    Field(
        description="S3 URI of model artifacts made elsewhere (give this and image instead of from)",
        examples=["s3://my-bucket/models/model.tar.gz"],
    ),
]
InferenceImage = Annotated[
    EcrImage | None,
    Field(
        description="The inference image URI, with model_data",
        examples=["123456789012.dkr.ecr.us-east-1.amazonaws.com/server:1.0"],
    ),
]


# ---------------------------------------------------------------------------------------------------------
# Control flow: retry and catch policies of a step

# An error name as ASL matches it: Step Functions' own (States.*) or a service's (SageMaker.AmazonSageMakerException).
ErrorName = Annotated[str, StringConstraints(min_length=1, max_length=256, pattern=r"^[^\x00-\x1f\x7f-\x9f*]+$")]
ALL_ERRORS = "States.ALL"
RETRY_LIMIT = 99_999_999
MAX_DELAY_LIMIT = 31_622_400


class RetryRule(_Model):
    errors: Annotated[list[ErrorName], Field(min_length=1, max_length=50)] = Field(
        description="The error names this rule retries (ErrorEquals); States.ALL matches every error, alone",
        examples=[["SageMaker.AmazonSageMakerException", "ThrottlingException"]],
    )
    interval_seconds: Annotated[int, Field(ge=1, le=RETRY_LIMIT)] = Field(
        1, description="Seconds before the first retry", examples=[5]
    )
    max_attempts: Annotated[int, Field(ge=0, le=RETRY_LIMIT)] = Field(
        3, description="Retries at most (0: never)", examples=[3]
    )
    backoff_rate: Annotated[float, Field(ge=1.0, le=1000.0)] = Field(
        2.0, description="Each retry waits this many times longer than the one before", examples=[2.0]
    )
    max_delay_seconds: Annotated[int, Field(ge=1, le=MAX_DELAY_LIMIT)] | None = Field(
        None, description="No retry waits longer than this, however long the backoff grows", examples=[300]
    )
    jitter: Literal["FULL", "NONE"] | None = Field(
        None,
        description="FULL: wait a random time up to the computed interval (spreads retries out)",
        examples=["FULL"],
    )

    @model_validator(mode="after")
    def _all_alone(self) -> RetryRule:
        if ALL_ERRORS in self.errors and len(self.errors) > 1:
            raise ValueError(f"{ALL_ERRORS} matches every error: list it alone in its rule")
        return self


class CatchRule(_Model):
    errors: Annotated[list[ErrorName], Field(min_length=1, max_length=50)] = Field(
        description="The error names caught (ErrorEquals); States.ALL catches every error, alone",
        examples=[["States.TaskFailed"]],
    )
    next: Key = Field(
        description="The step to go on with (a job key of the same list of steps); the error is kept under $.Error",
        examples=["fallback"],
    )

    @model_validator(mode="after")
    def _all_alone(self) -> CatchRule:
        if ALL_ERRORS in self.errors and len(self.errors) > 1:
            raise ValueError(f"{ALL_ERRORS} matches every error: list it alone in its rule")
        return self


# `retry: sagemaker` names these rules; `retry: none` turns retries off for a step.
RETRY_PRESETS = ("sagemaker", "none")


def _retry_rules(value: list[RetryRule]) -> list[RetryRule]:
    for rule in value[:-1]:
        if ALL_ERRORS in rule.errors:
            raise ValueError(f"a rule on {ALL_ERRORS} must be the last one: it matches every error")
    return value


def _catch_rules(value: list[CatchRule]) -> list[CatchRule]:
    for rule in value[:-1]:
        if ALL_ERRORS in rule.errors:
            raise ValueError(f"a rule on {ALL_ERRORS} must be the last one: it matches every error")
    return value


RetryPolicy = Annotated[
    Literal["sagemaker", "none"]
    | Annotated[list[RetryRule], Field(min_length=1, max_length=20), AfterValidator(_retry_rules)]
    | None,
    Field(
        description="How the step's calls are retried: sagemaker (throttling and capacity errors, with backoff and "
        "jitter), none, or a list of rules; default: the state machine's retry, else none",
        examples=["sagemaker", [{"errors": ["ThrottlingException"], "interval_seconds": 5, "max_attempts": 4}]],
    ),
]
CatchPolicy = Annotated[
    Annotated[list[CatchRule], Field(min_length=1, max_length=20), AfterValidator(_catch_rules)] | None,
    Field(
        description="Errors that send the run on to another step instead of failing it (before on_failure applies)",
        examples=[[{"errors": ["States.TaskFailed"], "next": "fallback"}]],
    ),
]


class TrainingJob(_Model):
    type: Literal["training"] = Field(
        description="A SageMaker training job, run with createTrainingJob.sync", examples=["training"]
    )
    name: Name | None = Field(None, description=NAME_DESCRIPTION, examples=[{"input": "ModelName"}])
    state_name: StateName | None = Field(
        None, description="The state's name in the state machine (default: the job key)", examples=["Training Step"]
    )
    comment: Comment | None = Field(
        None, description="The state's Comment (default: a sentence saying what the step does)", examples=["Nightly"]
    )
    retry: RetryPolicy = None
    catch: CatchPolicy = None
    algorithm: Algorithm | None = Field(
        None,
        description="A built-in algorithm (give this or image)",
        examples=[{"name": "xgboost", "version": "1.7-1"}],
    )
    image: EcrImage | None = Field(
        None,
        description="An ECR image URI of your own training image (give this or algorithm)",
        examples=["123456789012.dkr.ecr.us-east-1.amazonaws.com/trainer:1.0"],
    )
    input_mode: Literal["File", "Pipe", "FastFile"] = Field(
        "File", description="How the algorithm reads the channels", examples=["File", "FastFile"]
    )
    instance: Instance = Field(
        description="The training instances", examples=[{"type": "ml.m5.xlarge", "count": 1, "volume_gb": 30}]
    )
    max_runtime_seconds: Annotated[int, Field(ge=1, le=MAX_RUNTIME_LIMIT)] = Field(
        86400, description="SageMaker stops the job after this many seconds (at most 28 days)", examples=[3600]
    )
    hyperparameters: dict[Annotated[str, StringConstraints(min_length=1, max_length=256)], HyperValue] = Field(
        {},
        description="Algorithm hyperparameters; any scalars, rendered as the strings SageMaker wants",
        examples=[{"objective": "reg:squarederror", "num_round": 100, "eta": 0.2}],
    )
    channels: Annotated[dict[ChannelName, Channel], Field(min_length=1, max_length=20)] = Field(
        description="Input channels by name",
        examples=[{"train": {"s3": "s3://my-bucket/pipeline/train", "content_type": "text/csv"}}],
    )
    output: S3Uri = Field(
        description="S3 URI where SageMaker writes the model artifacts", examples=["s3://my-bucket/pipeline/output"]
    )
    environment: Environment = Field(
        {}, description="Environment variables of the training container", examples=[{"LOG_LEVEL": "info"}]
    )
    tags: Tags = Field({}, description=TAGS_DESCRIPTION, examples=[{"team": "forecasting"}])
    vpc: OptionalVpc = None
    kms_key: KmsKeyArn | None = Field(
        None,
        description="KMS key that encrypts the model artifacts and the training volume",
        examples=["arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"],
    )

    @field_validator("hyperparameters")
    @classmethod
    def _hyperparameters(cls, value: dict[str, HyperValue]) -> dict[str, HyperValue]:
        for key, item in value.items():
            if len(hyperparameter_text(item)) > HYPERPARAMETER_VALUE_MAX:
                raise ValueError(f"hyperparameter {key!r} is longer than {HYPERPARAMETER_VALUE_MAX} characters")
        return value

    @model_validator(mode="after")
    def _one_image(self) -> TrainingJob:
        if (self.algorithm is None) == (self.image is None):
            raise ValueError("give exactly one of 'algorithm' (a built-in by name and version) or 'image'")
        return self


class ModelJob(_Model):
    type: Literal["model"] = Field(description="A SageMaker model, created with createModel", examples=["model"])
    name: Name | None = Field(None, description=NAME_DESCRIPTION, examples=[{"input": "ModelName"}])
    state_name: StateName | None = Field(
        None, description="The state's name in the state machine (default: the job key)", examples=["Training Step"]
    )
    comment: Comment | None = Field(
        None, description="The state's Comment (default: a sentence saying what the step does)", examples=["Nightly"]
    )
    retry: RetryPolicy = None
    catch: CatchPolicy = None
    from_: Key | None = Field(
        default=None,
        alias="from",
        description="The training job whose artifacts and image the model uses (give this or model_data)",
        examples=["train"],
    )
    model_data: ModelData = None
    image: InferenceImage = None
    environment: Environment = Field(
        {}, description="Environment variables of the inference container", examples=[{"SAGEMAKER_PROGRAM": "serve.py"}]
    )
    tags: Tags = Field({}, description=TAGS_DESCRIPTION, examples=[{"team": "forecasting"}])
    vpc: OptionalVpc = None

    @model_validator(mode="after")
    def _source(self) -> ModelJob:
        if (self.from_ is None) == (self.model_data is None):
            raise ValueError("give exactly one of 'from' (a training job) or 'model_data' (an s3:// URI)")
        if self.model_data is not None and self.image is None:
            raise ValueError("a model built from 'model_data' needs 'image' (the inference image URI)")
        return self


class Variant(_Model):
    model: Key = Field(description="The job key of the model this variant serves", examples=["model"])
    name: Annotated[str, StringConstraints(pattern=SAGEMAKER_NAME.pattern)] = Field(
        "AllTraffic", description="The variant's name", examples=["AllTraffic", "candidate"]
    )
    instance: HostingInstance = Field(
        description="The instances serving the variant", examples=[{"type": "ml.m5.large", "count": 1}]
    )
    weight: Annotated[float, Field(ge=0)] = Field(
        1.0, description="The variant's share of traffic, relative to the other variants", examples=[1.0, 0.1]
    )


class EndpointConfigJob(_Model):
    type: Literal["endpoint-config"] = Field(
        description="A SageMaker endpoint configuration, created with createEndpointConfig",
        examples=["endpoint-config"],
    )
    name: Name | None = Field(None, description=NAME_DESCRIPTION, examples=[{"input": "ModelName"}])
    state_name: StateName | None = Field(
        None, description="The state's name in the state machine (default: the job key)", examples=["Training Step"]
    )
    comment: Comment | None = Field(
        None, description="The state's Comment (default: a sentence saying what the step does)", examples=["Nightly"]
    )
    retry: RetryPolicy = None
    catch: CatchPolicy = None
    variants: Annotated[list[Variant], Field(min_length=1, max_length=10)] = Field(
        description="The production variants: which model serves on which instances",
        examples=[[{"model": "model", "instance": {"type": "ml.m5.large"}}]],
    )
    tags: Tags = Field({}, description=TAGS_DESCRIPTION, examples=[{"team": "forecasting"}])

    @model_validator(mode="after")
    def _unique_variants(self) -> EndpointConfigJob:
        names = [v.name for v in self.variants]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"variant names must differ; {', '.join(duplicates)} used more than once")
        return self


# AWS's own waiter for DescribeEndpoint (botocore `sagemaker/2017-07-24/waiters-2.json`, EndpointInService) checks
# every 30 seconds, 120 times: the defaults of `wait`.
POLL_SECONDS_DEFAULT = 30
MAX_POLLS_DEFAULT = 120
# Each status check adds about eight history events; a Standard execution stops at 25,000.
MAX_POLLS_LIMIT = 1000


class EndpointWait(_Model):
    poll_seconds: Annotated[int, Field(ge=1, le=3600)] = Field(
        POLL_SECONDS_DEFAULT, description="Seconds between two status checks", examples=[30, 60]
    )
    max_polls: Annotated[int, Field(ge=1, le=MAX_POLLS_LIMIT)] = Field(
        MAX_POLLS_DEFAULT,
        description="Status checks before the state machine gives up with Endpoint.Timeout",
        examples=[120, 60],
    )


def _wait_schema(schema: dict[str, Any]) -> None:
    # Users write `wait: true`; the model turns it into the default settings, so the schema offers a boolean.
    schema["anyOf"] = [
        {"type": "boolean", "description": "true: the default settings; false: do not wait"}
        if s == {"type": "null"}
        else s
        for s in schema.get("anyOf", [])
    ]
    schema.pop("default", None)


class EndpointJob(_Model):
    type: Literal["endpoint"] = Field(
        description="A SageMaker endpoint, created with createEndpoint (the call returns when creation starts)",
        examples=["endpoint"],
    )
    name: Name | None = Field(None, description=NAME_DESCRIPTION, examples=[{"input": "ModelName"}])
    state_name: StateName | None = Field(
        None, description="The state's name in the state machine (default: the job key)", examples=["Training Step"]
    )
    comment: Comment | None = Field(
        None, description="The state's Comment (default: a sentence saying what the step does)", examples=["Nightly"]
    )
    retry: RetryPolicy = None
    catch: CatchPolicy = None
    config: Key = Field(description="The job key of the endpoint configuration to deploy", examples=["endpoint-config"])
    tags: Tags = Field({}, description=TAGS_DESCRIPTION, examples=[{"team": "forecasting"}])
    if_exists: Literal["fail", "update"] = Field(
        "fail",
        description="When an endpoint of that name exists: fail (createEndpoint refuses it) or update it to the "
        "new endpoint config with updateEndpoint",
        examples=["update"],
    )
    wait: EndpointWait | None = Field(
        None,
        description="Poll describeEndpoint until the endpoint is InService, failing with Endpoint.Failed, "
        "Endpoint.RolledBack or Endpoint.Timeout: true for 120 checks 30 seconds apart, or the numbers",
        examples=[True, {"poll_seconds": 60, "max_polls": 90}],
        json_schema_extra=_wait_schema,
    )

    @field_validator("wait", mode="before")
    @classmethod
    def _wait_shorthand(cls, value: Any) -> Any:
        if value is True:
            return {}
        if value is False:
            return None
        if not isinstance(value, dict):
            raise ValueError(f"give wait as true, false or {{poll_seconds: 30, max_polls: 120}}, not {_show(value)}")
        return value

    @property
    def wait_settings(self) -> EndpointWait | None:
        """How to wait until the endpoint is InService, or None when the step does not wait."""
        return self.wait


ContentType = Annotated[str, StringConstraints(min_length=1, max_length=256, pattern=r"^[^\x00-\x1f\x7f-\x9f]+$")]
MimeType = Annotated[str, StringConstraints(max_length=1024, pattern=r"^[-\w]+/[^\x00-\x1f\x7f-\x9f]+$")]


class ModelPackageJob(_Model):
    type: Literal["model-package"] = Field(
        description="A new version in a SageMaker model package group (the model registry), registered with "
        "aws-sdk:sagemaker:createModelPackage",
        examples=["model-package"],
    )
    state_name: StateName | None = Field(
        None, description="The state's name in the state machine (default: the job key)", examples=["Register Model"]
    )
    comment: Comment | None = Field(
        None, description="The state's Comment (default: a sentence saying what the step does)", examples=["Nightly"]
    )
    retry: RetryPolicy = None
    catch: CatchPolicy = None
    group: Annotated[str, StringConstraints(pattern=SAGEMAKER_NAME.pattern, max_length=SAGEMAKER_NAME_MAX)] = Field(
        description="The model package group the version joins (it must exist); SageMaker numbers the versions",
        examples=["churn-models"],
    )
    from_: Key | None = Field(
        default=None,
        alias="from",
        description="The training job whose artifacts and image the version registers (give this or model_data)",
        examples=["train"],
    )
    model_data: ModelData = None
    image: InferenceImage = None
    approval: Literal["Approved", "PendingManualApproval", "Rejected"] = Field(
        "PendingManualApproval",
        description="The version's approval status; only an Approved version may be deployed from the registry",
        examples=["PendingManualApproval", "Approved"],
    )
    description: Annotated[str, StringConstraints(max_length=1024, pattern=r"^[^\x00-\x1f\x7f-\x9f]*$")] | None = Field(
        None, description="The version's description in the registry", examples=["XGBoost, nightly retrain"]
    )
    content_types: Annotated[list[ContentType], Field(min_length=1, max_length=10)] = Field(
        ["text/csv"], description="MIME types the model accepts", examples=[["text/csv", "application/json"]]
    )
    response_types: Annotated[list[MimeType], Field(min_length=1, max_length=10)] = Field(
        ["text/csv"], description="MIME types the model answers with", examples=[["text/csv"]]
    )
    inference_instances: Annotated[list[InstanceType], Field(min_length=1, max_length=20)] = Field(
        ["ml.m5.large"],
        description="Instance types an endpoint may serve the version on",
        examples=[["ml.m5.large", "ml.m5.xlarge"]],
    )
    transform_instances: Annotated[list[InstanceType], Field(min_length=1, max_length=20)] = Field(
        ["ml.m5.large"],
        description="Instance types a batch transform job may run the version on",
        examples=[["ml.m5.large"]],
    )
    environment: Environment = Field(
        {}, description="Environment variables of the inference container", examples=[{"SAGEMAKER_PROGRAM": "serve.py"}]
    )

    @model_validator(mode="before")
    @classmethod
    def _no_tags(cls, value: Any) -> Any:
        # CreateModelPackage refuses Tags together with ModelPackageGroupName: a version carries its group's tags.
        if isinstance(value, dict) and "tags" in value:
            raise ValueError(
                "a model package version takes the tags of its group; SageMaker refuses tags on the version "
                "(tag the model package group instead)"
            )
        return value

    @model_validator(mode="after")
    def _source(self) -> ModelPackageJob:
        if (self.from_ is None) == (self.model_data is None):
            raise ValueError("give exactly one of 'from' (a training job) or 'model_data' (an s3:// URI)")
        if self.model_data is not None and self.image is None:
            raise ValueError("a model package built from 'model_data' needs 'image' (the inference image URI)")
        return self


# How the spec spells each integration pattern, and the suffix the Task's Resource gets for it.
CALL_PATTERNS: Mapping[str, str] = {
    "request-response": REQUEST_RESPONSE,
    "sync": SYNC,
    "sync:2": SYNC2,
    "callback": CALLBACK,
}
CALL_RESOURCE = re.compile(r"^(?:aws-sdk:)?[a-z0-9]+(?:-[a-z0-9]+)*:[a-z][A-Za-z0-9]*$")
# Any ARN but a bare wildcard: these go into the policy as written.
DECLARED_ARN = re.compile(r"^arn:(aws|aws-cn|aws-us-gov):[a-z0-9-]+:[a-z0-9-]*:(\d{12}|\*)?:[^\s]+$")
TASK_TOKEN = "$$.Task.Token"
TIMEOUT_LIMIT = 99_999_999


def _dynamic_values(value: Any, where: str = "") -> Iterator[tuple[str, Any]]:
    """Every `key.$` entry of a request or result selector, nested objects and lists included."""
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{where}.{key}" if where else str(key)
            if str(key).endswith(".$"):
                yield here, item
            else:
                yield from _dynamic_values(item, here)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _dynamic_values(item, f"{where}[{index}]")


def _payload(value: dict[str, Any]) -> dict[str, Any]:
    for where, item in _dynamic_values(value):
        if not isinstance(item, str) or not item.startswith(("$", "States.")):
            raise ValueError(
                f"{where} must be a path ($.field, $$.Execution.Input.Name) or an intrinsic function "
                f"(States.Format(...)), not {_show(item)} (drop '.$' from the key to pass a constant)"
            )
    for where, node in _objects(value):
        doubled = sorted(k for k in node if isinstance(k, str) and k.endswith(".$") and k[:-2] in node)
        if doubled:
            raise ValueError(f"{where or 'the mapping'} sets both {doubled[0][:-2]!r} and {doubled[0]!r}; keep one")
    return value


def _objects(value: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(value, dict):
        yield where, value
        for key, item in value.items():
            yield from _objects(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _objects(item, f"{where}[{index}]")


Payload = Annotated[
    dict[Annotated[str, StringConstraints(min_length=1, max_length=256)], Any], AfterValidator(_payload)
]


def _declared_arn(value: str) -> str:
    if not DECLARED_ARN.fullmatch(value):
        raise ValueError(
            f"{value!r} is not an ARN (write it out: arn:aws:s3:::my-bucket/reports/*); a bare '*' is never granted"
        )
    return value


class CallJob(_Model):
    type: Literal["call"] = Field(
        description="Any service call asl-gen knows (Lambda, SNS, SQS, DynamoDB, ECS, Batch, Glue, EventBridge, "
        "Step Functions, AWS SDK), as one Task state",
        examples=["call"],
    )
    state_name: StateName | None = Field(
        None, description="The state's name in the state machine (default: the job key)", examples=["Notify Team"]
    )
    comment: Comment | None = Field(
        None, description="The state's Comment (default: a sentence saying what the step does)", examples=["Nightly"]
    )
    retry: RetryPolicy = None
    catch: CatchPolicy = None
    resource: str = Field(
        description="The integration: service:api (lambda:invoke, sns:publish) or aws-sdk:service:apiName",
        examples=["sns:publish", "lambda:invoke", "aws-sdk:s3:getObject"],
    )
    pattern: Literal["request-response", "sync", "sync:2", "callback"] = Field(
        "request-response",
        description="How the state waits: request-response (the call returns), sync or sync:2 (the job ends) or "
        "callback (a task token comes back)",
        examples=["request-response", "sync", "callback"],
    )
    parameters: Payload = Field(
        {},
        description="The request, rendered as the Task's Parameters as written; keys ending in '.$' take a path "
        "or an intrinsic function",
        examples=[{"TopicArn": "arn:aws:sns:us-east-1:123456789012:deployments", "Message.$": "$.endpoint"}],
    )
    result_selector: Payload | None = Field(
        None,
        description="Reshape the result before it is kept under $.<job key>; keys ending in '.$' select from it",
        examples=[{"Payload.$": "$.Payload"}],
    )
    discard_result: bool = Field(
        False,
        description="Drop the call's result and pass the state's input on unchanged (ResultPath null)",
        examples=[True],
    )
    resources: Annotated[list[Annotated[str, AfterValidator(_declared_arn)]], Field(min_length=1, max_length=50)] | (
        None
    ) = Field(
        None,
        description="For an aws-sdk call asl-gen has no IAM row for: the ARNs it acts on, granted as written",
        examples=[["arn:aws:s3:::my-bucket/reports/*"]],
    )
    credentials: str | None = Field(
        None,
        description="ARN of a role the state assumes for the call (Task Credentials); the state machine's role may "
        "then assume it",
        examples=["arn:aws:iam::210987654321:role/cross-account-publisher"],
    )
    timeout_seconds: Annotated[int, Field(ge=1, le=TIMEOUT_LIMIT)] | None = Field(
        None, description="Fail the state with States.Timeout after this many seconds", examples=[3600]
    )
    heartbeat_seconds: Annotated[int, Field(ge=1, le=TIMEOUT_LIMIT)] | None = Field(
        None,
        description="Fail the state with States.HeartbeatTimeout when no heartbeat comes this long (callback)",
        examples=[300],
    )

    @field_validator("resource")
    @classmethod
    def _resource_form(cls, value: str) -> str:
        if not CALL_RESOURCE.fullmatch(value):
            raise ValueError(
                f"{value!r} is not an integration: write service:api (sns:publish) or aws-sdk:service:apiName "
                "(aws-sdk:s3:getObject), without arn:...:states::: and without a .sync suffix (use pattern)"
            )
        return value

    @field_validator("credentials")
    @classmethod
    def _role(cls, value: str | None) -> str | None:
        if value is not None and not ROLE_ARN.fullmatch(value):
            raise ValueError(f"{value!r} is not an IAM role ARN (arn:aws:iam::123456789012:role/name)")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> CallJob:
        if self.discard_result and self.result_selector is not None:
            raise ValueError("give result_selector or discard_result: true, not both (a dropped result needs no shape)")
        if (
            self.timeout_seconds is not None
            and self.heartbeat_seconds is not None
            and self.heartbeat_seconds >= self.timeout_seconds
        ):
            raise ValueError("heartbeat_seconds must be smaller than timeout_seconds, or the heartbeat can never fire")
        return self

    @property
    def suffix(self) -> str:
        """The Resource suffix of the chosen integration pattern."""
        return CALL_PATTERNS[self.pattern]


# SageMaker metric names (MetricDefinition.Name): 1-255 characters, `validation:rmse`, `train:loss`.
MetricName = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"^[^\x00-\x1f\x7f-\x9f'\"\\{}]+$")]
# How a quality gate compares; the JSONPath Choice operator and the words its Fail cause uses.
GATE_OPERATORS: Mapping[str, tuple[str, str]] = {
    "lt": ("NumericLessThan", "below"),
    "le": ("NumericLessThanEquals", "at most"),
    "gt": ("NumericGreaterThan", "above"),
    "ge": ("NumericGreaterThanEquals", "at least"),
}


class QualityGateJob(_Model):
    type: Literal["quality-gate"] = Field(
        description="Continue only if a training job's final metric passes a threshold; otherwise fail the run with "
        "QualityGate.Failed",
        examples=["quality-gate"],
    )
    state_name: StateName | None = Field(
        None, description="The state's name in the state machine (default: the job key)", examples=["Good Enough?"]
    )
    comment: Comment | None = Field(
        None, description="The state's Comment (default: a sentence saying what the step does)", examples=["Nightly"]
    )
    training: Key = Field(description="The training job whose final metric is read", examples=["train"])
    metric: MetricName = Field(
        description="The metric's name as the algorithm reports it (FinalMetricDataList)",
        examples=["validation:rmse", "validation:auc"],
    )
    lt: float | None = Field(None, description="Pass if the metric is below this", examples=[1.5])
    le: float | None = Field(None, description="Pass if the metric is at most this", examples=[1.5])
    gt: float | None = Field(None, description="Pass if the metric is above this", examples=[0.8])
    ge: float | None = Field(None, description="Pass if the metric is at least this", examples=[0.8])
    retry: RetryPolicy = None
    catch: CatchPolicy = None

    @model_validator(mode="after")
    def _one_threshold(self) -> QualityGateJob:
        given = [op for op in GATE_OPERATORS if getattr(self, op) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one threshold: lt, le, gt or ge (e.g. lt: 1.5 passes a metric below 1.5)"
                + (f", not {' and '.join(given)} together" if given else "")
            )
        return self

    @property
    def operator(self) -> str:
        """lt, le, gt or ge: the comparison the metric must pass."""
        return next(op for op in GATE_OPERATORS if getattr(self, op) is not None)

    @property
    def threshold(self) -> float:
        value = getattr(self, self.operator)
        assert isinstance(value, float | int)
        return float(value)


StepList = Annotated[list[Key], Field(min_length=1, max_length=100)]


class ParallelJob(_Model):
    type: Literal["parallel"] = Field(
        description="Run lists of steps side by side (a Parallel state); their results are kept under "
        "$.<parallel key>.<step key>",
        examples=["parallel"],
    )
    state_name: StateName | None = Field(
        None, description="The state's name in the state machine (default: the job key)", examples=["Train Candidates"]
    )
    comment: Comment | None = Field(
        None, description="The state's Comment (default: a sentence saying what the step does)", examples=["Nightly"]
    )
    branches: Annotated[list[StepList], Field(min_length=1, max_length=20)] = Field(
        description="Each branch a list of job keys run in order; the branches run at the same time",
        examples=[[["train-xgboost"], ["train-linear"]]],
    )
    retry: RetryPolicy = None
    catch: CatchPolicy = None


class ItemsInput(_Model):
    input: Annotated[str, StringConstraints(pattern=INPUT_NAME.pattern, max_length=80)] = Field(
        description="The execution input field that holds the list (declare it under inputs as list)",
        examples=["Batches"],
    )


# Step Functions runs at most 40 iterations of an inline Map at once; a distributed Map up to 10,000 children.
INLINE_CONCURRENCY_MAX = 40
DISTRIBUTED_CONCURRENCY_MAX = 10_000


class MapJob(_Model):
    type: Literal["map"] = Field(
        description="Run steps once for each item of a list (an inline Map state); each run sees the item as $.item "
        "and its position as $.index",
        examples=["map"],
    )
    state_name: StateName | None = Field(
        None, description="The state's name in the state machine (default: the job key)", examples=["Score Batches"]
    )
    comment: Comment | None = Field(
        None, description="The state's Comment (default: a sentence saying what the step does)", examples=["Nightly"]
    )
    items: Annotated[list[Any], Field(min_length=1, max_length=1000)] | ItemsInput = Field(
        description="The list: written out, or {input: Name} for a list in the execution input",
        examples=[["s3://my-bucket/batches/a.csv", "s3://my-bucket/batches/b.csv"], {"input": "Batches"}],
    )
    steps: StepList = Field(description="The job keys run for each item, in order", examples=[["transform"]])
    mode: Literal["inline", "distributed"] = Field(
        "inline",
        description="inline (iterations in this execution, at most 40 at once) or distributed (each item a child "
        "execution: thousands at once, each with its own 25,000-event history)",
        examples=["distributed"],
    )
    max_concurrency: Annotated[int, Field(ge=0, le=DISTRIBUTED_CONCURRENCY_MAX)] = Field(
        0,
        description="Items processed at once (0: as many as Step Functions allows; an inline Map runs at most 40)",
        examples=[4],
    )
    tolerated_failures: Annotated[int, Field(ge=0, le=100_000_000)] | None = Field(
        None,
        description="A distributed Map succeeds while at most this many of its items fail (ToleratedFailureCount)",
        examples=[5],
    )
    retry: RetryPolicy = None
    catch: CatchPolicy = None

    @field_validator("max_concurrency")
    @classmethod
    def _inline_concurrency(cls, value: int, info: ValidationInfo) -> int:
        if info.data.get("mode", "inline") == "inline" and value > INLINE_CONCURRENCY_MAX:
            raise ValueError(
                f"an inline map runs at most {INLINE_CONCURRENCY_MAX} items at once; use mode: distributed for more"
            )
        return value

    @field_validator("tolerated_failures")
    @classmethod
    def _distributed_only(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is not None and info.data.get("mode", "inline") == "inline":
            raise ValueError("tolerated_failures is for mode: distributed (an inline map fails on any item)")
        return value


class AslJob(_Model):
    type: Literal["asl"] = Field(
        description="Raw Amazon States Language states, placed into the state machine as written and validated with "
        "it; a state without Next or End goes on to the next step",
        examples=["asl"],
    )
    states: Annotated[dict[StateName, dict[str, Any]], Field(min_length=1, max_length=100)] = Field(
        description="States by name; the first is where the step starts. Next may name any state of the machine",
        examples=[{"Cool Down": {"Type": "Wait", "Seconds": 60}}],
    )

    @field_validator("states")
    @classmethod
    def _typed(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        for name, state in value.items():
            if not isinstance(state.get("Type"), str):
                raise ValueError(
                    f"state {name!r} needs a Type (Task, Pass, Wait, Choice, Parallel, Map, Succeed, Fail)"
                )
        return value


NamedJob = TrainingJob | ModelJob | EndpointConfigJob | EndpointJob
Job = Annotated[
    TrainingJob
    | ModelJob
    | EndpointConfigJob
    | EndpointJob
    | ModelPackageJob
    | CallJob
    | QualityGateJob
    | ParallelJob
    | MapJob
    | AslJob,
    Field(discriminator="type"),
]
JOB_TYPES = (
    "training",
    "model",
    "endpoint-config",
    "endpoint",
    "model-package",
    "call",
    "quality-gate",
    "parallel",
    "map",
    "asl",
)


def _steps_schema(schema: dict[str, Any]) -> None:
    # A state machine is written as a bare list of job keys or as a mapping with steps and a comment.
    mapping = dict(schema)
    schema.clear()
    schema["anyOf"] = [
        {
            "type": "array",
            "items": {"type": "string", "pattern": KEY.pattern, "maxLength": 40},
            "minItems": 1,
            "description": "The job keys, run in this order",
        },
        mapping,
    ]


# The values CloudWatch Logs accepts for a log group's retention (PutRetentionPolicy, retentionInDays).
RetentionDays = Literal[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653
]
# An alias name: 1-80 of letters, digits, '-' and '_', not only digits (Step Functions CreateStateMachineAlias).
ALIAS_NAME = re.compile(r"^[a-zA-Z0-9_-]*[a-zA-Z_-][a-zA-Z0-9_-]*$")


class Logging(_Model):
    level: Literal["ALL", "ERROR", "FATAL", "OFF"] = Field(
        "ERROR", description="Which execution events Step Functions logs", examples=["ALL", "ERROR"]
    )
    include_execution_data: bool = Field(
        False, description="Log each state's input and output too (may log sensitive data)", examples=[True]
    )
    retention_days: RetentionDays | None = Field(
        None,
        description="Days CloudWatch Logs keeps the log group's events (the Terraform and CloudFormation targets "
        "create the group); leave it out to keep them forever",
        examples=[30, 365],
    )


SNS_TOPIC_ARN = re.compile(r"^arn:(aws|aws-cn|aws-us-gov):sns:([a-z0-9-]+):(\d{12}):[A-Za-z0-9_-]{1,256}(\.fifo)?$")
# State names the failure handler adds to a state machine with on_failure.
NOTIFY_STATE = "Notify failure"
FAILED_STATE = "Failed"


class OnFailure(_Model):
    notify: str = Field(
        description="ARN of the SNS topic told about the failure (the message carries the error and its cause); "
        "the run then fails with that error",
        examples=["arn:aws:sns:us-east-1:123456789012:ml-alerts"],
    )

    @field_validator("notify")
    @classmethod
    def _topic(cls, value: str) -> str:
        if not SNS_TOPIC_ARN.fullmatch(value):
            raise ValueError(f"{value!r} is not an SNS topic ARN (arn:aws:sns:us-east-1:123456789012:topic-name)")
        return value


class StateMachine(_Model):
    model_config = ConfigDict(**_Model.model_config, json_schema_extra=_steps_schema)

    steps: Annotated[list[Key], Field(min_length=1)] = Field(
        description="The job keys, run in this order", examples=[["train", "model", "endpoint-config", "endpoint"]]
    )
    comment: Comment | None = Field(None, description="The state machine's Comment", examples=["Train and deploy"])
    logging: Logging | None = Field(
        None,
        description="Send execution logs to CloudWatch Logs; the role then gets the log-delivery permissions",
        examples=[{"level": "ERROR"}],
    )
    tracing: bool = Field(False, description="Trace executions with AWS X-Ray", examples=[True])
    kms_key: KmsKeyArn | None = Field(
        None,
        description="Customer managed KMS key that encrypts execution data; the role may use it for this machine only",
        examples=["arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"],
    )
    type: Literal["STANDARD", "EXPRESS"] = Field(
        "STANDARD",
        description="STANDARD (long-running, exactly once) or EXPRESS (at most five minutes, no .sync or callback "
        "steps); the Terraform and CloudFormation targets create the machine with this type",
        examples=["STANDARD", "EXPRESS"],
    )
    publish: bool = Field(
        False,
        description="Publish a version of the machine when the Terraform or CloudFormation target deploys it",
        examples=[True],
    )
    alias: Annotated[str, StringConstraints(pattern=ALIAS_NAME.pattern, max_length=80)] | None = Field(
        None,
        description="Name of an alias that routes all executions to the published version (needs publish: true)",
        examples=["live"],
    )

    query_language: Literal["JSONPath", "JSONata"] = Field(
        "JSONPath",
        description="How states read and shape data: JSONPath (Parameters, ResultSelector, ResultPath) or JSONata "
        "(Arguments, Output, {% %} expressions)",
        examples=["JSONata"],
    )
    retry: RetryPolicy = None
    on_failure: OnFailure | None = Field(
        None,
        description="When a step fails: publish the error to an SNS topic, then fail the run with it",
        examples=[{"notify": "arn:aws:sns:us-east-1:123456789012:ml-alerts"}],
    )

    @model_validator(mode="after")
    def _alias_needs_version(self) -> StateMachine:
        if self.alias is not None and not self.publish:
            raise ValueError("an alias routes to a published version: set publish: true too")
        return self

    @model_validator(mode="before")
    @classmethod
    def _from_list(cls, value: Any) -> Any:
        if isinstance(value, list):
            return {"steps": value}
        if not isinstance(value, dict):
            raise ValueError(f"give a list of job keys, or {{steps: [...], comment: ...}}, not {_show(value)}")
        return value


class Spec(_Model):
    """A project: its AWS target, roles, execution inputs, SageMaker jobs and the state machines running them."""

    project: Annotated[str, StringConstraints(pattern=r"^[a-z0-9](-?[a-z0-9])*$", max_length=40)] = Field(
        description="The project's name: out/<project>/ and the state machines' names <project>-<key>",
        examples=["big-mart"],
    )
    aws: Aws = Field(
        Aws(),
        description="Where the output runs; leave account and region out for output that deploys anywhere",
        examples=[{"region": "us-east-1", "account": "123456789012"}],
    )
    roles: Roles = Field(
        description="The SageMaker execution role (existing) and the Step Functions role (asl-gen writes its policies)",
        examples=[
            {
                "sagemaker": {"arn": "arn:aws:iam::123456789012:role/big-mart-sagemaker"},
                "stepfunctions": {"name": "big-mart-step-functions"},
            }
        ],
    )
    inputs: dict[
        Annotated[str, StringConstraints(pattern=INPUT_NAME.pattern, max_length=80)],
        Literal["string", "integer", "number", "boolean", "list"],
    ] = Field(
        {},
        description="Execution input fields and their types; each machine's input schema lists those it uses",
        examples=[{"TrainingJobName": "string", "ModelName": "string"}],
    )
    jobs: Annotated[dict[Key, Job], Field(min_length=1)] = Field(
        description="The SageMaker jobs by key (lowercase letters, digits, single hyphens); each has a type",
        examples=[{"endpoint": {"type": "endpoint", "config": "endpoint-config", "name": {"input": "EndpointName"}}}],
    )
    state_machines: Annotated[dict[Key, StateMachine], Field(min_length=1)] = Field(
        description="The state machines by key: each a list of job keys run in order, or {steps, comment}",
        examples=[{"training": ["train"], "pipeline": {"comment": "Train and deploy", "steps": ["train", "model"]}}],
    )
    diagrams: bool = Field(
        False,
        description="Also write <machine>.md beside each definition: a Mermaid diagram GitHub and GitLab render",
        examples=[True],
    )
    targets: Annotated[list[Literal["terraform", "cloudformation"]], Field(max_length=2)] = Field(
        [],
        description="Also write deployable infrastructure: terraform/ (a module) and cloudformation/template.json; "
        "'asl-gen build --target' overrides this",
        examples=[["terraform", "cloudformation"]],
    )

    cloudformation_format: Literal["json", "yaml"] = Field(
        "json",
        description="Write the CloudFormation target as cloudformation/template.json or cloudformation/template.yaml",
        examples=["yaml"],
    )

    @field_validator("targets")
    @classmethod
    def _distinct_targets(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("each target may be listed once")
        return value


def hyperparameter_text(value: HyperValue) -> str:
    """SageMaker takes hyperparameters as strings; booleans the way its algorithms parse them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def state_name_of(key: str, job: Job) -> str:
    """The name of the step's first state: its state_name, else the job key (a raw fragment: its first state)."""
    if isinstance(job, AslJob):
        return next(iter(job.states))
    return job.state_name or key


def default_name(project: str, key: str) -> Name:
    # Not validated here: a prefix too long for SageMaker is reported where the job is (`_check_name`), not raised.
    return Name.model_construct(prefix=f"{project}-{key}")


# ---------------------------------------------------------------------------------------------------------
# Loading and error reporting


def load_spec(path: Path, display: str | None = None) -> tuple[Spec, Located]:
    """Load, validate and cross-check a spec file; raise `SpecError` with every problem found."""
    located = load_file(path, display)
    if not isinstance(located.data, dict):
        raise SpecError(
            Problem(
                "the spec must be a mapping of keys to values",
                file=located.file,
                line=1,
                column=1,
                hint="start from examples/big-mart/spec.yaml",
            )
        )
    try:
        spec = Spec.model_validate(located.data)
    except ValidationError as exc:
        raise SpecError(sorted(_pydantic_problems(exc, located), key=_order)) from None
    problems = list(check_references(spec, located))
    if problems:
        raise SpecError(sorted(problems, key=_order))
    return spec, located


def _order(problem: Problem) -> tuple[int, int, str]:
    return (problem.line or 0, problem.column or 0, problem.pointer)


_TYPE_WORDS = {
    "string_type": "a string",
    "int_type": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "dict_type": "a mapping",
    "list_type": "a list",
    "model_type": "a mapping",
}


def _pydantic_problems(exc: ValidationError, located: Located) -> Iterator[Problem]:
    seen: set[tuple[str, str]] = set()
    found: list[tuple[str, tuple[str | int, ...], Problem]] = []
    for error in exc.errors(include_url=False):
        path = _data_path(error["loc"], located.data)
        if error["type"] == "union_tag_invalid":
            path = (*path, "type")
        pointer = ".".join(str(p) for p in path)
        message, hint = _describe(error, path, located.data)
        if (pointer, message) in seen:
            continue
        seen.add((pointer, message))
        position = located.position(path, key=error["type"] == "extra_forbidden")
        line, column = position if position else (None, None)
        found.append(
            (
                str(error["type"]),
                path,
                Problem(message, file=located.file, line=line, column=column, pointer=pointer, hint=hint),
            )
        )
    found = _merge_type_errors(_drop_union_noise(found, located.data))
    # A misspelt key shows up twice: as an unknown field and as a missing one. Report it once.
    misspelt = {
        (*path[:-1], match.group(1))
        for kind, path, problem in found
        if kind == "extra_forbidden" and (match := re.match(r"did you mean '(.*)'\?", problem.hint or ""))
    }
    for kind, path, problem in found:
        if not (kind == "missing" and path in misspelt):
            yield problem


# Location parts Pydantic adds that are not keys of the user's data: union members and validator names.
_TAG_PARTS = {"str", "int", "float", "bool", *JOB_TYPES}


def _is_tag(part: str) -> bool:
    return part in _TAG_PARTS or part.startswith("function-") or "[" in part or part[:1].isupper()


def _drop_union_noise(
    found: list[tuple[str, tuple[str | int, ...], Problem]], data: Any
) -> list[tuple[str, tuple[str | int, ...], Problem]]:
    """A value that fits one member of a union (`retry: sagemaker` or a list of rules) is judged by that member.

    Pydantic reports every member's complaint: a list is "not 'sagemaker' or 'none'", a misspelt preset is "not
    a list". Once the value's own kind of member has spoken (or an error inside it), the others are noise.
    """
    by_path: dict[tuple[str | int, ...], set[str]] = {}
    for kind, path, _ in found:
        by_path.setdefault(path, set()).add(kind)
    inner = {path[:n] for _, path, _ in found for n in range(len(path))}
    kept = []
    for kind, path, problem in found:
        try:
            value = _lookup(data, path)
        except (KeyError, IndexError, TypeError):
            kept.append((kind, path, problem))
            continue
        others = by_path[path] - {kind}
        if kind == "literal_error" and isinstance(value, list | dict) and (others or path in inner):
            continue
        shapes = [_TYPE_WORDS[k] for k in ("list_type", "dict_type", "model_type") if k in others]
        if not isinstance(value, str | list | dict) and kind == "literal_error" and shapes:
            # Neither a preset nor a list: one message naming both, not one per member of the union.
            message = re.sub(r"expected (.*) or ('[^']*')$", r"expected \1, \2", problem.message)
            kept.append((kind, path, replace(problem, message=f"{message} or {shapes[0]}")))
            continue
        if (
            kind in ("list_type", "dict_type", "model_type")
            and not isinstance(value, str | list | dict)
            and "literal_error" in others
        ):
            continue
        if (
            kind in ("list_type", "dict_type", "model_type")
            and isinstance(value, str | list)
            and ("literal_error" in others or (isinstance(value, list) and others - set(_TYPE_WORDS)))
        ):
            continue
        kept.append((kind, path, problem))
    return kept


def _merge_type_errors(
    found: list[tuple[str, tuple[str | int, ...], Problem]],
) -> list[tuple[str, tuple[str | int, ...], Problem]]:
    """A value that matches no member of a union gives one error per member; say it once."""
    expected: dict[tuple[str | int, ...], list[str]] = {}
    for kind, path, _ in found:
        if kind in _TYPE_WORDS:
            expected.setdefault(path, []).append(_TYPE_WORDS[kind])
    merged: list[tuple[str, tuple[str | int, ...], Problem]] = []
    done: set[tuple[str | int, ...]] = set()
    for kind, path, problem in found:
        words = expected.get(path, [])
        if kind not in _TYPE_WORDS or len(words) < 2:
            merged.append((kind, path, problem))
            continue
        if path in done:
            continue
        done.add(path)
        got = problem.message.rsplit(", got ", 1)[-1]
        if "a number" in words:
            words = [w for w in words if w != "a whole number"]
        alternatives = sorted(set(words), key=list(_TYPE_WORDS.values()).index)
        alternatives = [w.replace("true or false", "true/false") for w in alternatives]
        text = ", ".join(alternatives[:-1]) + f" or {alternatives[-1]}"
        merged.append((kind, path, replace(problem, message=f"expected {text}, got {got}")))
    return merged


def _data_path(loc: tuple[int | str, ...], data: Any) -> tuple[str | int, ...]:
    """Map a Pydantic location onto the user's data, dropping union tags and validator names."""
    path: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str) and ("from" if part == "from_" else part) in node:
            key = "from" if part == "from_" else part
            path.append(key)
            node = node[key]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
        elif isinstance(part, str) and _is_tag(part):
            continue
        else:
            path.append("from" if part == "from_" else part)
            node = None
    return tuple(path)


def _exists(data: Any, path: list[str | int]) -> bool:
    try:
        _lookup(data, tuple(path))
    except (KeyError, IndexError, TypeError):
        return False
    return True


def _lookup(data: Any, path: tuple[str | int, ...]) -> Any:
    node = data
    for part in path:
        node = node[part]
    return node


_FIELD_HINTS = {
    "account": 'quote it: account: "123456789012"',
    "version": 'quote it: version: "1.7-1"',
}


def _describe(error: Mapping[str, Any], path: tuple[str | int, ...], data: Any) -> tuple[str, str | None]:
    kind = str(error["type"])
    field = str(path[-1]) if path else ""
    got = error.get("input")
    if kind == "extra_forbidden":
        allowed = _allowed_fields(path[:-1], data)
        hint = catalog.suggest(field, allowed) if allowed else None
        message = f"unknown field {field!r}"
        if hint:
            return message, f"did you mean {hint!r}?"
        if allowed:
            return message, "allowed here: " + ", ".join(sorted(allowed))
        return message, "remove it"
    if kind == "missing":
        return f"required field {field!r} is missing", f"add {field}: ..."
    if kind == "union_tag_invalid":
        tag = str(error.get("ctx", {}).get("tag", got))
        hint = catalog.suggest(tag, JOB_TYPES)
        return (
            f"{tag!r} is not a job type",
            f"did you mean {hint!r}?" if hint else "use one of: " + ", ".join(JOB_TYPES),
        )
    if kind == "union_tag_not_found":
        return "the job has no 'type'", "add type: one of " + ", ".join(JOB_TYPES)
    if kind in _TYPE_WORDS:
        return f"expected {_TYPE_WORDS[kind]}, got {_show(got)}", _FIELD_HINTS.get(field)
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        choices = re.findall(r"'([^']*)'", str(expected))
        hint = catalog.suggest(str(got), choices) if isinstance(got, str) else None
        return (
            f"{_show(got)} is not allowed; expected {expected}",
            f"did you mean {hint!r}?" if hint else None,
        )
    if kind == "string_pattern_mismatch":
        return f"{_show(got)} is not valid here", _pattern_hint(path)
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        return f"{_show(got)} is out of range: {error['msg'].lower()}", None
    if kind == "string_too_short" and error.get("ctx", {}).get("min_length") == 1:
        return "must not be empty", "remove the field or give it a value"
    if kind in {"too_short", "too_long", "string_too_short", "string_too_long"}:
        return str(error["msg"]).replace("Value should", "should"), None
    if kind == "value_error":
        message = str(error["msg"]).removeprefix("Value error, ")
        hint_match = re.search(r" \((did you mean [^)]*|write it as [^)]*|leave [^)]*)\)$", message)
        if hint_match:
            return message[: hint_match.start()], hint_match.group(1)
        return message, None
    return str(error["msg"]), None


def _pattern_hint(path: tuple[str | int, ...]) -> str:
    parents = [p for p in path if isinstance(p, str)]
    if "state_name" in parents:
        return "state names are 1-80 characters with no control characters"
    if "metric" in parents:
        return "a metric name such as validation:rmse, without quotes, backslashes, braces or control characters"
    if "group" in parents:
        return (
            "a model package group name: 1-63 letters, digits and hyphens, starting and ending with a letter or digit"
        )
    if "response_types" in parents:
        return "a MIME type such as text/csv"
    if "content_types" in parents:
        return "a MIME type such as text/csv, without control characters"
    if parents[:1] == ["project"]:
        return "use lowercase letters, digits and single hyphens, at most 40 characters"
    if "errors" in parents and ("retry" in parents or "catch" in parents):
        return (
            "an error name such as States.TaskFailed or SageMaker.AmazonSageMakerException, "
            "without control characters or '*'"
        )
    if parents[:1] in (["jobs"], ["state_machines"]) or "steps" in parents or "model" in parents:
        return "keys are lowercase letters, digits and single hyphens, starting with a letter"
    if "account" in parents:
        return "an account id is 12 digits, quoted"
    if "inputs" in parents:
        return "input names are letters, digits and '_', starting with a letter"
    if "channels" in parents:
        return "channel names are 1-64 of letters, digits, '.', '-' and '_'"
    if "environment" in parents:
        return "environment variable names are letters, digits and '_', not starting with a digit"
    return "see the spec reference in README.md"


def _allowed_fields(path: tuple[str | int, ...], data: Any) -> list[str]:
    model = _model_at(path, data)
    if model is None:
        return []
    return [f.alias or name for name, f in model.model_fields.items()]


_JOB_MODELS: dict[str, type[_Model]] = {
    "training": TrainingJob,
    "model": ModelJob,
    "endpoint-config": EndpointConfigJob,
    "endpoint": EndpointJob,
    "model-package": ModelPackageJob,
    "call": CallJob,
    "quality-gate": QualityGateJob,
    "parallel": ParallelJob,
    "map": MapJob,
    "asl": AslJob,
}


def _model_at(path: tuple[str | int, ...], data: Any) -> type[BaseModel] | None:
    if path[:1] == ("jobs",):
        if len(path) < 2:
            return None
        # A job's model depends on its type, which the data says.
        job = _lookup(data, path[:2])
        kind = job.get("type") if isinstance(job, dict) else None
        model = _JOB_MODELS.get(str(kind))
        return _descend(model, path[2:]) if model else None
    return _descend(Spec, path)


def _descend(model: type[BaseModel] | None, rest: tuple[str | int, ...]) -> type[BaseModel] | None:
    user_key = False
    for part in rest:
        if user_key:
            # The key of a mapping the user names (a state machine, a channel): the model is its value's.
            user_key = False
            continue
        if model is None or isinstance(part, int):
            continue
        fields = {f.alias or n: f for n, f in model.model_fields.items()}
        field = fields.get(part)
        if field is None:
            return None
        model = _model_in(field.annotation)
        user_key = model is not None and _is_mapping(field.annotation)
    return model


def _is_mapping(annotation: Any) -> bool:
    """Whether a field holds a mapping from user keys to values (`dict[Key, StateMachine]`, maybe Annotated)."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return get_origin(annotation) is dict


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return repr(value)


# ---------------------------------------------------------------------------------------------------------
# Cross-references


def check_references(spec: Spec, located: Located) -> Iterator[Problem]:
    """Check what no single field can: references between jobs, steps, inputs and names."""

    def problem(path: tuple[str | int, ...], message: str, hint: str | None = None) -> Problem:
        position = located.position(path)
        line, column = position if position else (None, None)
        return Problem(
            message,
            file=located.file,
            line=line,
            column=column,
            pointer=".".join(str(p) for p in path),
            hint=hint,
        )

    jobs = spec.jobs
    role = ROLE_ARN.fullmatch(spec.roles.sagemaker.arn or "")
    partition = spec.aws.resolved_partition
    if role and (partition is None or spec.aws.account is None):
        yield problem(
            ("roles", "sagemaker", "arn"),
            f"the role ARN names its {'partition' if partition is None else 'account'}, which aws leaves open",
            f"give the role by name instead: roles.sagemaker.name: {role.group(4)}",
        )
    elif role and role.group(1) != partition:
        yield problem(
            ("roles", "sagemaker", "arn"),
            f"the role is in partition {role.group(1)!r} but region {spec.aws.region!r} is in {partition!r}",
            f"use arn:{partition}:iam::...",
        )
    elif role and role.group(2) != spec.aws.account:
        yield problem(
            ("roles", "sagemaker", "arn"),
            f"the role belongs to account {role.group(2)}, not {spec.aws.account}",
            "Step Functions can only pass a role of its own account to SageMaker",
        )

    def expect(path: tuple[str | int, ...], key: str, kind: str) -> Iterator[Problem]:
        if key not in jobs:
            hint = catalog.suggest(key, jobs)
            yield problem(path, f"no job named {key!r}", f"did you mean {hint!r}?" if hint else "define it under jobs")
        elif jobs[key].type != kind:
            yield problem(path, f"job {key!r} is of type {jobs[key].type}, not {kind}", f"name a job of type {kind}")

    for key, job in jobs.items():
        base: tuple[str | int, ...] = ("jobs", key)
        if isinstance(job, NAMED_JOBS):
            yield from _check_name(spec, key, job, problem)
        if isinstance(job, TrainingJob) and job.algorithm is not None:
            try:
                if spec.aws.region is None:
                    catalog.registries(job.algorithm.name, job.algorithm.version)
                else:
                    catalog.image_uri(job.algorithm.name, job.algorithm.version, spec.aws.region)
            except LookupError as exc:
                yield problem((*base, "algorithm"), str(exc))
        if isinstance(job, ModelJob | ModelPackageJob) and job.from_ is not None:
            yield from expect((*base, "from"), job.from_, "training")
        if isinstance(job, EndpointConfigJob):
            for index, variant in enumerate(job.variants):
                yield from expect((*base, "variants", index, "model"), variant.model, "model")
        if isinstance(job, EndpointJob):
            yield from expect((*base, "config"), job.config, "endpoint-config")
        if isinstance(job, CallJob):
            yield from _check_call(spec, key, job, located, problem)
        if isinstance(job, QualityGateJob):
            yield from expect((*base, "training"), job.training, "training")
        if isinstance(job, ParallelJob | MapJob):
            yield from _check_nested(spec, key, job, problem)
        if isinstance(job, MapJob) and isinstance(job.items, ItemsInput):
            declared = spec.inputs.get(job.items.input)
            if declared != "list":
                yield problem(
                    (*base, "items", "input"),
                    f"input {job.items.input!r} is "
                    + ("not declared" if declared is None else f"declared {declared}, not list"),
                    f"declare it under inputs: {{{job.items.input}: list}}",
                )
        if isinstance(job, AslJob):
            continue
        own = state_name_of(key, job)
        longest = max(step_state_names(key, job), key=len)
        if len(longest) > STATE_NAME_MAX:
            yield problem(
                (*base, "state_name") if job.state_name is not None else base,
                f"the step adds a state named {longest!r}, {len(longest)} characters; state names stop at "
                f"{STATE_NAME_MAX}",
                f"give the job a state_name of at most {STATE_NAME_MAX - len(longest) + len(own)} characters",
            )

    slots = {result_slot(k) for k in jobs}
    for clash in sorted(slots & set(spec.inputs)):
        yield problem(
            ("inputs", clash),
            f"input {clash!r} collides with the result slot of job {clash!r}",
            "rename the input or the job",
        )

    for machine_key, machine in spec.state_machines.items():
        state_machine_name = f"{spec.project}-{machine_key}"
        if len(state_machine_name) > 80:
            yield problem(
                ("state_machines", machine_key),
                f"state machine name {state_machine_name!r} is longer than 80 characters",
                "shorten the project or state machine key",
            )
        seen: dict[str, int] = {}
        for index, step in enumerate(machine.steps):
            path: tuple[str | int, ...] = ("state_machines", machine_key, "steps", index)
            if path not in located.marks:
                path = ("state_machines", machine_key, index)
            if step not in jobs:
                hint = catalog.suggest(step, jobs)
                yield problem(
                    path,
                    f"no job named {step!r}",
                    f"did you mean {hint!r}?" if hint else "define it under jobs",
                )
                continue
            if step in seen:
                yield problem(path, f"job {step!r} runs twice in state machine {machine_key!r}", "list each job once")
                continue
            seen[step] = index
            yield from _check_step_sources(spec, machine_key, step, seen, path, problem)
            for scope in list(scopes(spec, [step]))[1:]:
                for inner in scope:
                    seen.setdefault(inner, index)
        yield from _check_machine_flow(spec, machine_key, machine, problem)
        names = [state_name_of(s, jobs[s]) for s in machine.steps if s in jobs]
        shared = sorted({n for n in names if names.count(n) > 1})
        for state in shared:
            yield problem(
                ("state_machines", machine_key),
                f"two steps share the state name {state!r}",
                "give one of them a different state_name",
            )
        every = machine_state_names(spec, machine.steps)
        if machine.on_failure is not None:
            every.extend((NOTIFY_STATE, FAILED_STATE))
        for state in sorted({n for n in every if every.count(n) > 1} - set(shared)):
            yield problem(
                ("state_machines", machine_key),
                f"two states of state machine {machine_key!r} would be named {state!r}",
                "a step's extra states are named '<state name>: <what they do>'; give a step a different state_name",
            )


def nested_steps(job: Job) -> list[list[str]]:
    """The lists of steps a Parallel (its branches) or a Map (its steps) runs inside itself."""
    if isinstance(job, ParallelJob):
        return [list(branch) for branch in job.branches]
    if isinstance(job, MapJob):
        return [list(job.steps)]
    return []


def scopes(spec: Spec, steps: list[str], depth: int = 0) -> Iterator[list[str]]:
    """Every list of steps of a state machine: the top one, then each branch and Map body inside, depth first."""
    yield steps
    if depth > 10:
        return
    for step in steps:
        job = spec.jobs.get(step)
        if job is not None:
            for inner in nested_steps(job):
                yield from scopes(spec, inner, depth + 1)


def _check_nested(spec: Spec, key: str, job: ParallelJob | MapJob, problem: Any) -> Iterator[Problem]:
    """Branches and Map bodies name jobs that exist, once each; a Map body holds no Parallel or Map."""
    lists: list[tuple[tuple[str | int, ...], list[str]]] = (
        [(("jobs", key, "branches", i), list(b)) for i, b in enumerate(job.branches)]
        if isinstance(job, ParallelJob)
        else [(("jobs", key, "steps"), list(job.steps))]
    )
    seen: set[str] = set()
    for base, steps in lists:
        for index, step in enumerate(steps):
            path = (*base, index)
            inner = spec.jobs.get(step)
            if inner is None:
                hint = catalog.suggest(step, spec.jobs)
                yield problem(
                    path, f"no job named {step!r}", f"did you mean {hint!r}?" if hint else "define it under jobs"
                )
            elif step == key or key in {k for scope in scopes(spec, [step]) for k in scope}:
                yield problem(path, f"{job.type} {key!r} would run inside itself", "name other jobs here")
            elif step in seen:
                yield problem(path, f"job {step!r} runs twice in {job.type} {key!r}", "list each job once")
            elif isinstance(job, MapJob) and isinstance(inner, ParallelJob | MapJob | AslJob):
                yield problem(
                    path,
                    f"a map runs jobs for each item, not {'an' if inner.type[0] in 'aeiou' else 'a'} {inner.type} "
                    f"step ({step!r})",
                    "move it before or after the map",
                )
            seen.add(step)


def _check_machine_flow(spec: Spec, machine_key: str, machine: StateMachine, problem: Any) -> Iterator[Problem]:
    """Each job runs once in the whole machine, catches go to a step of the same list, $.Error is free."""
    everywhere = [k for scope in scopes(spec, machine.steps) for k in scope if k in spec.jobs]
    nested = everywhere[len(machine.steps) :]
    for key in sorted({k for k in nested if everywhere.count(k) > 1}):
        yield problem(
            ("state_machines", machine_key),
            f"job {key!r} runs more than once in state machine {machine_key!r} (in a branch or map too)",
            "a job's states may appear once per state machine; define a second job for the second run",
        )
    if machine.query_language == "JSONata":
        yield from _check_jsonata_calls(spec, machine_key, everywhere, problem)
    known = {k: i for i, k in enumerate(everywhere)}
    for key in dict.fromkeys(nested):
        yield from _check_step_sources(spec, machine_key, key, known, ("jobs", key), problem)
    catches = machine.on_failure is not None
    for scope in scopes(spec, machine.steps):
        for step in scope:
            job = spec.jobs.get(step)
            for index, rule in enumerate(getattr(job, "catch", None) or []):
                catches = True
                if rule.next not in scope:
                    # A job in several machines has one catch: say so once, naming each machine it fails in.
                    wrong = [m for m, where in _scopes_of(spec, step) if rule.next not in where]
                    if wrong[0] != machine_key:
                        continue
                    named = " and ".join(repr(m) for m in dict.fromkeys(wrong))
                    yield problem(
                        ("jobs", step, "catch", index, "next"),
                        f"{rule.next!r} is not a step next to {step!r} in state machine {named}",
                        "a catch goes on with a step of the same list of steps (the same branch or map body)",
                    )
                elif rule.next == step:
                    yield problem(
                        ("jobs", step, "catch", index, "next"),
                        f"step {step!r} would catch its errors by running itself again",
                        "use retry to run a step again",
                    )
    if catches and ERROR_SLOT in spec.inputs:
        yield problem(
            ("inputs", ERROR_SLOT),
            f"input {ERROR_SLOT!r} would be overwritten: caught errors are kept under $.{ERROR_SLOT}",
            "rename the input",
        )


ERROR_SLOT = "Error"


def _scopes_of(spec: Spec, step: str) -> Iterator[tuple[str, list[str]]]:
    """Each state machine running `step`, with the list of steps it is in there, in spec order."""
    for machine_key, machine in spec.state_machines.items():
        for scope in scopes(spec, machine.steps):
            if step in scope:
                yield machine_key, list(scope)


def _check_jsonata_calls(spec: Spec, machine_key: str, keys: list[str], problem: Any) -> Iterator[Problem]:
    """A JSONata machine gets a call's `.$` values translated; say where one has no translation."""
    from asl_gen.jsonata import TranslationError, expression

    for key in dict.fromkeys(keys):
        job = spec.jobs.get(key)
        if not isinstance(job, CallJob):
            continue
        for field, payload in (("parameters", job.parameters), ("result_selector", job.result_selector or {})):
            for path, value in _located_dynamic_values(payload, ("jobs", key, field)):
                try:
                    expression(str(value))
                except TranslationError as exc:
                    yield problem(
                        path,
                        f"state machine {machine_key!r} is JSONata, and {exc}",
                        "use the paths and intrinsic functions asl-gen translates (README: control flow), or run "
                        "the call in a JSONPath state machine",
                    )


def _located_dynamic_values(value: Any, where: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            if str(key).endswith(".$"):
                yield (*where, key), item
            else:
                yield from _located_dynamic_values(item, (*where, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _located_dynamic_values(item, (*where, index))


def _check_name(spec: Spec, key: str, job: NamedJob, problem: Any) -> Iterator[Problem]:
    base: tuple[str | int, ...] = ("jobs", key)
    name = job.name or default_name(spec.project, key)
    if job.name is None and len(name.prefix or "") > PREFIX_MAX:
        yield problem(
            base,
            f"the default name prefix {name.prefix!r} is longer than {PREFIX_MAX} characters",
            "give the job a name (a string, {input: X} or {prefix: short-prefix})",
        )
    if name.input is not None and name.input not in spec.inputs:
        yield problem(
            (*base, "name", "input"),
            f"input {name.input!r} is not declared",
            f"add it under inputs: {{{name.input}: string}}",
        )
    elif name.input is not None and spec.inputs[name.input] != "string":
        yield problem(
            (*base, "name", "input"),
            f"input {name.input!r} names a resource but is declared {spec.inputs[name.input]}",
            "declare it as string",
        )


EXECUTION_INPUT = re.compile(r"\$\$\.Execution\.Input\.([A-Za-z][A-Za-z0-9_]*)")


def call_inputs(job: CallJob) -> list[str]:
    """The execution inputs a call reads through `$$.Execution.Input.<Name>`, in the order they appear."""
    found: list[str] = []
    for payload in (job.parameters, job.result_selector or {}):
        for _, value in _dynamic_values(payload):
            for name in EXECUTION_INPUT.findall(str(value)):
                if name not in found:
                    found.append(name)
    return found


def _check_call(spec: Spec, key: str, job: CallJob, located: Located, problem: Any) -> Iterator[Problem]:
    """The integration must exist, support the pattern and get the parameters it requires."""
    from asl_gen import integrations

    base: tuple[str | int, ...] = ("jobs", key)
    at_parameters = (*base, "parameters") if located.position((*base, "parameters")) else base
    row = integrations.find(job.resource)
    sdk = job.resource.startswith("aws-sdk:")
    supported: tuple[str, ...]
    if row is None and not sdk:
        hint = catalog.suggest(job.resource, integrations.table())
        yield problem(
            (*base, "resource"),
            f"asl-gen knows no integration {job.resource!r}",
            f"did you mean {hint!r}?"
            if hint
            else "use one listed in the README, or aws-sdk:<service>:<apiName> for any AWS SDK call",
        )
        return
    if row is None:
        if job.resources is None:
            yield problem(
                (*base, "resource"),
                f"asl-gen has no IAM row for {job.resource}, so it cannot tell which resources the call acts on",
                "list the ARNs it acts on under resources, e.g. resources: [arn:aws:s3:::bucket/prefix/*]; "
                "asl-gen grants them as written",
            )
        supported = ("request-response", "callback")
    else:
        if job.resources is not None:
            yield problem(
                (*base, "resources"),
                f"asl-gen derives the permissions of {job.resource} from its parameters; resources is only for "
                "aws-sdk calls it has no row for",
                "remove resources",
            )
        supported = tuple(name for name, suffix in CALL_PATTERNS.items() if suffix in row.patterns)
        missing = [r for r in row.required if r not in job.parameters and f"{r}.$" not in job.parameters]
        if missing:
            listed = ", ".join(repr(r) for r in missing)
            yield problem(
                at_parameters,
                f"{job.resource} needs the parameter{'s' if len(missing) > 1 else ''} {listed}",
                f"add {missing[0]}: ... under parameters, or {missing[0]}.$: $.path to take it from the state",
            )
    if job.pattern not in supported:
        yield problem(
            (*base, "pattern"),
            f"{job.resource} does not support the {job.pattern} pattern",
            "supported: " + ", ".join(supported),
        )
    if job.pattern == "callback" and TASK_TOKEN not in [v for _, v in _dynamic_values(job.parameters)]:
        yield problem(
            at_parameters,
            "a callback call must hand the task token to whoever answers it",
            f"add a parameter such as TaskToken.$: {TASK_TOKEN}",
        )
    for name in call_inputs(job):
        if name not in spec.inputs:
            yield problem(
                at_parameters,
                f"the call reads input {name!r}, which is not declared",
                f"add it under inputs: {{{name}: string}}",
            )
    partition = spec.aws.resolved_partition
    if job.credentials is not None:
        role = ROLE_ARN.fullmatch(job.credentials)
        # With the partition open, an ARN the user writes out is theirs to keep; only a known partition can clash.
        if role and partition is not None and role.group(1) != partition:
            yield problem(
                (*base, "credentials"),
                f"the role is in partition {role.group(1)!r}, the state machine in {partition!r}",
                f"use arn:{partition}:iam::...",
            )
    for index, arn in enumerate(job.resources or ()):
        if partition is not None and arn.split(":", 2)[1] != partition:
            yield problem(
                (*base, "resources", index),
                f"{arn!r} is in partition {arn.split(':', 2)[1]!r}, the state machine in {partition!r}",
                f"use arn:{partition}:...",
            )


def _check_step_sources(
    spec: Spec,
    machine_key: str,
    step: str,
    earlier: Mapping[str, int],
    path: tuple[str | int, ...],
    problem: Any,
) -> Iterator[Problem]:
    """A step may use a job that ran earlier in the same machine; otherwise that job's name must be knowable."""
    job = spec.jobs[step]
    refs = _references(job)
    for ref in refs:
        target = spec.jobs.get(ref)
        if not isinstance(target, NAMED_JOBS) or ref in earlier:
            continue
        if (
            isinstance(job, ModelJob | ModelPackageJob)
            and len(lookup := lookup_state_name(ref, target)) > STATE_NAME_MAX
        ):
            yield problem(
                path,
                f"the state that looks up training job {ref!r} would be named {lookup!r}, "
                f"{len(lookup)} characters; state names stop at {STATE_NAME_MAX}",
                f"give job {ref!r} a state_name of at most {STATE_NAME_MAX - len(LOOKUP_PREFIX)} characters",
            )
        name = target.name or default_name(spec.project, ref)
        if name.prefix is not None:
            yield problem(
                path,
                f"step {step!r} needs job {ref!r}, which does not run before it in state machine "
                f"{machine_key!r}, and {ref!r} gets a new name in every execution",
                f"run {ref!r} earlier in this state machine, or name it from an input "
                f"(name: {{input: ...}}) or a literal",
            )


def _references(job: Job) -> list[str]:
    """The jobs a step reads: their names or, for a model or model package, their training artifacts."""
    if isinstance(job, EndpointConfigJob):
        return [v.model for v in job.variants]
    if isinstance(job, EndpointJob):
        return [job.config]
    if isinstance(job, ModelJob | ModelPackageJob) and job.from_ is not None:
        return [job.from_]
    if isinstance(job, QualityGateJob):
        return [job.training]
    return []


STATE_NAME_MAX = 80
LOOKUP_PREFIX = "Look up "
NAMED_JOBS = (TrainingJob, ModelJob, EndpointConfigJob, EndpointJob)

# The states an endpoint step adds, named '<state name>: <suffix>'. With if_exists: update, the step's own state
# is the lookup, and these create or update the endpoint:
ENDPOINT_DEPLOY_STATES = ("not found?", "lookup failed", "create", "update")
# With wait, the loop that polls until the endpoint is InService ('done' ends a machine that ends in the loop):
ENDPOINT_WAIT_STATES = ("wait", "count", "status", "in service?", "failed", "rolled back", "timed out", "done")


# The states a quality gate adds: the check that the job reported metrics at all, the Map that finds the metric,
# the Choice on its value, the Fail when it misses the threshold and the Fail without it.
GATE_STATES = ("any metrics?", "find metric", "is it?", "keep", "skip", "passes?", "failed", "no metric")
# A Map over a written-out list first puts the list into the state (JSONPath reads items from the state).
MAP_ITEMS_STATE = "items"


def derived_state_name(own: str, suffix: str) -> str:
    """The name of a state a step adds besides its own."""
    return f"{own}: {suffix}"


def step_state_names(key: str, job: Job) -> tuple[str, ...]:
    """Every state name a step may add to a state machine, its own first (looked-up training jobs aside)."""
    own = state_name_of(key, job)
    suffixes: list[str] = []
    if isinstance(job, EndpointJob):
        if job.if_exists == "update":
            suffixes.extend(ENDPOINT_DEPLOY_STATES)
        if job.wait_settings is not None:
            suffixes.extend(s for s in ENDPOINT_WAIT_STATES if s != "rolled back" or job.if_exists == "update")
    if isinstance(job, QualityGateJob):
        suffixes.extend(GATE_STATES)
    if isinstance(job, MapJob) and isinstance(job.items, list):
        suffixes.append(MAP_ITEMS_STATE)
    if isinstance(job, AslJob):
        return tuple(job.states)
    return (own, *(derived_state_name(own, s) for s in suffixes))


def machine_state_names(spec: Spec, steps: list[str], done: set[str] | None = None, depth: int = 0) -> list[str]:
    """Every state name the steps give one state machine, looked-up training jobs and nested steps included.

    `done` holds the jobs whose results the steps can read (a branch sees what ran before its Parallel; a Map
    body only its own steps), as the plan decides when to look a training job up.
    """
    names: list[str] = []
    done = set() if done is None else done
    for step in steps:
        job = spec.jobs.get(step)
        if job is None:
            continue
        for ref in _references(job):
            target = spec.jobs.get(ref)
            if isinstance(job, ModelJob | ModelPackageJob) and target is not None and ref not in done:
                names.append(lookup_state_name(ref, target))
                done.add(ref)
        names.extend(step_state_names(step, job))
        if depth < 10 and isinstance(job, ParallelJob):
            finished: set[str] = set()
            for branch in job.branches:
                seen = set(done)
                names.extend(machine_state_names(spec, list(branch), seen, depth + 1))
                finished |= seen
            done |= finished
        elif depth < 10 and isinstance(job, MapJob):
            names.extend(machine_state_names(spec, list(job.steps), set(), depth + 1))
        done.add(step)
    return names


def lookup_state_name(key: str, job: Job) -> str:
    """The state that fetches a training job's artifacts when another state machine ran the job."""
    return LOOKUP_PREFIX + state_name_of(key, job)


def result_slot(key: str) -> str:
    """Where a step's result lands in the state: `$.<slot>`; keys never contain '_', so this is one-to-one."""
    return key.replace("-", "_")
