"""What every part of the spec builds on: the strict model base, the shared patterns and field types.

The field validators here (S3 URIs, instance types, images, tags, SageMaker names) are the ones several job
families use; a rule only one family needs lives with that family (`matching` makes the validator of a string in a
fixed form, with the one message all of them give).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from asl_gen import catalog

# SageMaker's own pattern (`^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$`) bounds the alphanumerics, not the length: hyphens
# are free, so `a-----…-b` of 100 characters matches it and SageMaker then refuses the name (max 63). The lookahead
# makes length part of the check every literal name goes through; Pydantic's regex engine has no lookahead, so its
# fields take the characters' pattern with the length as max_length (`SageMakerName`).
SAGEMAKER_NAME_CHARS = r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$"
SAGEMAKER_NAME = re.compile(r"^(?=.{1,63}$)" + SAGEMAKER_NAME_CHARS[1:])
SAGEMAKER_NAME_MAX = 63
SageMakerName = Annotated[str, StringConstraints(pattern=SAGEMAKER_NAME_CHARS, max_length=SAGEMAKER_NAME_MAX)]
# A generated name is `<prefix>-<32 hex chars of MD5>`: the prefix gets what is left of 63.
GENERATED_SUFFIX_LEN = 33
PREFIX_MAX = SAGEMAKER_NAME_MAX - GENERATED_SUFFIX_LEN

KEY = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
INPUT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
ROLE_ARN = re.compile(r"^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role/((?:[\w+=,.@-]+/)*)([\w+=,.@-]{1,64})$")
ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
KMS_KEY_ARN = re.compile(r"^arn:(aws|aws-cn|aws-us-gov):kms:[a-z0-9-]+:\d{12}:key/(mrk-[0-9a-f]{32}|[0-9a-f-]{36})$")
SNS_TOPIC_ARN = re.compile(r"^arn:(aws|aws-cn|aws-us-gov):sns:([a-z0-9-]+):(\d{12}):[A-Za-z0-9_-]{1,256}(\.fifo)?$")
S3_URI = re.compile(r"^s3://([^/]+)(?:/(.*))?$")
BUCKET = re.compile(r"^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
ECR_IMAGE = re.compile(
    r"^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/([a-z0-9]+(?:[._/-][a-z0-9]+)*)"
    r"(?::([\w][\w.-]{0,127})|@sha256:[0-9a-f]{64})$"
)


class StrictModel(BaseModel):
    # Built on first use: one validator for the whole spec instead of one per model class at import.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=False, defer_build=True)


Key = Annotated[str, StringConstraints(pattern=KEY.pattern, max_length=40)]
NonEmpty = Annotated[str, StringConstraints(min_length=1, max_length=256)]


def _s3_uri(value: str) -> str:
    match = S3_URI.fullmatch(value)
    if not match:
        raise ValueError(f"{value!r} is not an S3 URI (write it as s3://bucket/prefix)")
    # The key prefix ends up inside IAM resource ARNs: a wildcard or a policy variable there would widen the grant.
    # Control characters: C0, DEL and C1 (U+0080-U+009F, as in state names), which no policy or console shows.
    unsafe = sorted({c for c in match.group(2) or "" if c in "*?$" or ord(c) < 32 or 127 <= ord(c) <= 159})
    if unsafe:
        raise ValueError(
            f"the S3 key in {value!r} contains {', '.join(repr(c) for c in unsafe)}, which IAM would read as a "
            "wildcard, variable or control character (write the prefix out without them)"
        )
    bucket = match.group(1)
    if not BUCKET.fullmatch(bucket) or re.fullmatch(r"\d+\.\d+\.\d+\.\d+", bucket):
        raise ValueError(f"{bucket!r} is not a valid S3 bucket name (3-63 lowercase letters, digits, '.' and '-')")
    return value


def s3_uri_problem(value: str) -> str | None:
    """Why `value` is not an S3 URI the spec would accept, or None when it is one."""
    try:
        _s3_uri(value)
    except ValueError as exc:
        return str(exc)
    return None


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


def matching(pattern: re.Pattern[str], what: str) -> AfterValidator:
    """The validator of a string written in a fixed form: one that `pattern` does not match "is not `what`"."""

    def check(value: str) -> str:
        if not pattern.fullmatch(value):
            raise ValueError(f"{value!r} is not {what}")
        return value

    return AfterValidator(check)


S3Uri = Annotated[str, AfterValidator(_s3_uri)]
SnsTopicArn = Annotated[
    str, matching(SNS_TOPIC_ARN, "an SNS topic ARN (arn:aws:sns:us-east-1:123456789012:topic-name)")
]
InstanceType = Annotated[str, AfterValidator(_instance_type)]
EcrImage = Annotated[
    str, matching(ECR_IMAGE, "an ECR image URI (123456789012.dkr.ecr.us-east-1.amazonaws.com/repository:tag)")
]
RoleArn = Annotated[str, matching(ROLE_ARN, "an IAM role ARN (arn:aws:iam::123456789012:role/name)")]
RoleName = Annotated[str, matching(ROLE_NAME, "an IAM role name (1-64 of letters, digits and +=,.@_-)")]


def _written_forms(schema: dict[str, Any], model: type[Shorthand]) -> None:
    # The schema offers the forms users write, not the model's internal optional fields.
    schema.clear()
    schema.update(model.written_forms())


class Shorthand(StrictModel):
    """A value users write as a string or a small mapping, kept in optional fields: a string goes to
    `string_field`, a mapping is checked by `mapping`; the JSON Schema shows the forms (`written_forms`)."""

    model_config = ConfigDict(**StrictModel.model_config, json_schema_extra=_written_forms)
    what: ClassVar[str]  # what messages call the value: "name", "location"
    forms: ClassVar[str]  # the forms, as messages list them
    string_field: ClassVar[str]

    @classmethod
    def written_forms(cls) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def mapping(cls, value: dict[str, Any]) -> dict[str, Any]:
        """A mapping the user wrote, checked before its fields are (by default it is taken as it is)."""
        return value

    @model_validator(mode="before")
    @classmethod
    def _from_shorthand(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {cls.string_field: value}
        if not isinstance(value, dict):
            raise ValueError(f"give the {cls.what} as {cls.forms}, not {show(value)}")
        return cls.mapping(value)


NAME_DESCRIPTION = (
    "The SageMaker name: a literal string, {input: InputName} (from the execution input) or {prefix: name-prefix} "
    "(the prefix plus a hash of the execution); default {prefix: <project>-<job key>}"
)


class Name(Shorthand):
    """How a SageMaker resource is named: a literal, an execution input, or a prefix plus a per-execution hash."""

    what = "name"
    forms = "a string, {input: InputName} or {prefix: name-prefix}"
    string_field = "literal"

    literal: str | None = None
    input: str | None = None
    prefix: str | None = None

    @classmethod
    def written_forms(cls) -> dict[str, Any]:
        # A plain string or a one-key mapping.
        return {
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

    @model_validator(mode="after")
    def _exactly_one(self) -> Name:
        given = [k for k in ("literal", "input", "prefix") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                f"give the name as {self.forms}" + (f", not {' and '.join(given)} together" if given else "")
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


def show(value: Any) -> str:
    """How a message names a value the user wrote: containers by kind, scalars as written."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return repr(value)


INSTANCE_TYPE_DESCRIPTION = "A SageMaker instance type, checked against the ones SageMaker offers"
# How many instances a job runs on (a job's InstanceCount: 1-100); each use says what the instances do.
InstanceCount = Annotated[int, Field(ge=1, le=100, examples=[1, 2])]
# The ML storage volume of each instance of a training or processing job (VolumeSizeInGB: 1-16384).
VolumeGb = Annotated[
    int, Field(ge=1, le=16384, description="Size of each instance's ML storage volume, in GB", examples=[30, 100])
]


class JobInstances(StrictModel):
    """The instances a training or processing job runs on: their type, how many, and each one's storage volume."""

    # Each kind of job narrows this to the instance types it is offered; declared here so that it stays first.
    type: str
    count: InstanceCount = Field(1, description="How many instances run the job")
    volume_gb: VolumeGb = 30


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


KMS_KEY_EXAMPLE = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
KmsKeyArn = Annotated[
    str,
    StringConstraints(pattern=KMS_KEY_ARN.pattern),
    Field(
        description="ARN of a KMS key (key/<id>, not an alias: IAM grants are written on the key ARN)",
        examples=[KMS_KEY_EXAMPLE],
    ),
]
# The optional KMS key of a job, an output or a machine: each field's description says what the key encrypts.
OptionalKmsKey = Annotated[KmsKeyArn | None, Field(examples=[KMS_KEY_EXAMPLE])]


class Vpc(StrictModel):
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


class InstanceJob(StrictModel):
    """What a job running on instances of its own (training, processing) takes beyond them: the VPC its containers
    run in, and the KMS key of its outputs and its instances' storage volumes."""

    vpc: OptionalVpc = None
    kms_key: OptionalKmsKey = Field(None, description="KMS key that encrypts the job's outputs and its storage volumes")
