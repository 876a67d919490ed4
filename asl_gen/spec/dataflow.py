"""Where a step's input data comes from: an S3 URI written out, an output of a processing step, the model artifacts
of a training step (a tuning step's best training job), or the execution input; and where a quality gate finds a JSON
report a processing step wrote.

A field that takes input data is an `S3Location`; `located_uri` turns one into the S3 URI the output names. A
training channel and a processing input are both an `S3Input` (the location and how SageMaker reads it). A
processing output's location is literal in the spec, so a reference to it resolves at build time to that URI:
the definition stays a plain string and IAM stays exact. What the reference adds over copying the URI is the
checks (in `spec.references`): the step exists, is a processing step, has that output, and runs earlier in the
same state machine. The model artifacts of a training job are known only from its result (SageMaker adds the job's
name to the output path), so `{from: train}` becomes the path `$.train.ModelDataUrl` and needs the training step to
have run before, in reach of the step's state (not across a Map).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from asl_gen.spec.base import INPUT_NAME, KEY, S3_URI, Shorthand, StrictModel, _s3_uri, show

# A processing job's input and output names (ProcessingInputName / OutputName: 1-64 characters).
OUTPUT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
# The object key below an output's prefix: no wildcard, variable or control character (it ends up in an ARN).
REPORT_FILE = re.compile(r"^[^/*?$\x00-\x1f\x7f]+(/[^/*?$\x00-\x1f\x7f]+)*$")


def _report_file(value: str) -> str:
    if any(part in (".", "..") for part in value.split("/")):
        raise ValueError(f"{value!r} must be a plain path below the output (no '.' or '..')")
    return value


# How input data is spread over a job's instances (SageMaker's S3DataDistributionType).
S3Distribution = Annotated[
    Literal["FullyReplicated", "ShardedByS3Key"],
    Field(
        description="Every instance gets all data, or each a share of the S3 objects",
        examples=["FullyReplicated", "ShardedByS3Key"],
    ),
]

S3_LOCATION_DESCRIPTION = (
    "Where the data is: an S3 URI, {from: <processing step>, output: <output name>} (an output of a processing step "
    "that runs earlier in the same state machine), {from: <training or tuning step>} (the model artifacts of a "
    "training step that runs earlier, or of a tuning step's best training job), or {input: InputName} (an S3 URI in "
    "the execution input)"
)


def processing_output_form(used: str, example: str) -> dict[str, Any]:
    """The JSON Schema of `{from: <processing step>, output: <name>}`; `used` says what is done with its URI."""
    return {
        "type": "object",
        "properties": {
            "from": {
                "type": "string",
                "pattern": KEY.pattern,
                "description": "A processing step that runs earlier in the same state machine",
                "examples": ["preprocess"],
            },
            "output": {
                "type": "string",
                "pattern": OUTPUT_NAME.pattern,
                "description": f"The name of one of its outputs; {used}",
                "examples": [example],
            },
        },
        "required": ["from", "output"],
        "additionalProperties": False,
    }


FORMS = (
    "an s3:// URI, {from: <processing step>, output: <output name>}, {from: <training or tuning step>} or "
    "{input: InputName}"
)


class S3Location(Shorthand):
    """Input data: an S3 URI, an output of an earlier processing step, the model artifacts of an earlier training
    (or tuning) step, or an S3 URI from the execution input."""

    what = "location"
    forms = FORMS
    string_field = "uri"

    uri: str | None = None
    from_: str | None = Field(None, alias="from")
    output: str | None = None
    input: str | None = None

    @classmethod
    def written_forms(cls) -> dict[str, Any]:
        # A string or a small mapping.
        return {
            "description": S3_LOCATION_DESCRIPTION,
            "anyOf": [
                {"type": "string", "pattern": S3_URI.pattern, "description": "An S3 URI, the same in every execution"},
                processing_output_form("its S3 URI is used", "train"),
                {
                    "type": "object",
                    "properties": {
                        "from": {
                            "type": "string",
                            "pattern": KEY.pattern,
                            "description": "A training step (its model.tar.gz) or a tuning step (its best training "
                            "job's) that runs earlier in the same state machine",
                            "examples": ["train"],
                        }
                    },
                    "required": ["from"],
                    "additionalProperties": False,
                },
                {
                    "type": "object",
                    "properties": {
                        "input": {
                            "type": "string",
                            "pattern": INPUT_NAME.pattern,
                            "description": "The execution input field that holds the S3 URI (declare it under "
                            "inputs as string; grant it with roles.sagemaker.reads)",
                            "examples": ["TrainData"],
                        }
                    },
                    "required": ["input"],
                    "additionalProperties": False,
                },
            ],
            "examples": [
                "s3://my-bucket/pipeline/train",
                {"from": "preprocess", "output": "train"},
                {"from": "train"},
                {"input": "Data"},
            ],
        }

    @classmethod
    def mapping(cls, value: dict[str, Any]) -> dict[str, Any]:
        if "uri" in value:
            raise ValueError(f"give the location as {FORMS}, not {show(value)}")
        unknown = sorted(str(k) for k in value if k not in ("from", "output", "input"))
        if unknown:
            raise ValueError(f"unknown field {unknown[0]!r}: give the location as {FORMS}")
        return value

    @model_validator(mode="after")
    def _one_form(self) -> S3Location:
        if self.uri is not None:
            _s3_uri(self.uri)
            return self
        if self.input is not None:
            if self.from_ is not None or self.output is not None:
                raise ValueError(f"give the location as {FORMS}, not input together with from or output")
            if not INPUT_NAME.fullmatch(self.input):
                raise ValueError(f"{self.input!r} is not an input name (letters, digits and '_')")
            return self
        if self.from_ is None:
            raise ValueError("a processing output is named by from and output together: add from")
        if not KEY.fullmatch(self.from_):
            raise ValueError(f"{self.from_!r} is not a job key (lowercase letters, digits, single hyphens)")
        if self.output is not None and not OUTPUT_NAME.fullmatch(self.output):
            raise ValueError(f"{self.output!r} is not an output name (a letter, then letters, digits, '_', '-')")
        return self

    @property
    def reference(self) -> tuple[str, str] | None:
        """The processing step and output this location names, if it names one."""
        return (self.from_, self.output) if self.from_ is not None and self.output is not None else None

    @property
    def model_of(self) -> str | None:
        """The training or tuning step whose model artifacts this location names, if it names one."""
        return self.from_ if self.from_ is not None and self.output is None else None


class ReportLocation(StrictModel):
    """A file a processing step writes into one of its outputs."""

    from_: Annotated[str, StringConstraints(pattern=KEY.pattern, max_length=40)] = Field(
        alias="from",
        description="The processing step that writes the report (it runs earlier in the same state machine)",
        examples=["evaluate"],
    )
    output: Annotated[str, StringConstraints(pattern=OUTPUT_NAME.pattern)] = Field(
        description="The processing output the report is uploaded with", examples=["evaluation"]
    )
    file: Annotated[
        str, StringConstraints(max_length=1024, pattern=REPORT_FILE.pattern), AfterValidator(_report_file)
    ] = Field(
        description="The report's path below the output's S3 prefix (what the job writes under the output's "
        "local_path)",
        examples=["evaluation.json"],
    )


class S3Input(StrictModel):
    """Data a SageMaker job reads from S3, a training channel or a processing input (SageMaker's S3 data source):
    where it is, what s3 points at, how it is spread over the instances and how it is compressed."""

    s3: S3Location = Field(
        description="The data (an S3 prefix, or a manifest file): an S3 URI, {from: <processing step>, output: "
        "<output name>} or {input: InputName}",
        examples=["s3://my-bucket/pipeline/train", {"from": "preprocess", "output": "train"}],
    )
    data_type: Literal["S3Prefix", "ManifestFile", "AugmentedManifestFile"] = Field(
        "S3Prefix", description="What s3 points at", examples=["S3Prefix"]
    )
    distribution: S3Distribution = "FullyReplicated"
    # SageMaker decompresses a stream: Gzip is for Pipe mode (CompressionType, S3CompressionType).
    compression: Literal["None", "Gzip"] | None = Field(
        None, description="Compression of the data (Pipe mode only); leave out for none", examples=["Gzip"]
    )
