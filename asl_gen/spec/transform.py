"""Batch transform jobs: a model scores the data under an S3 location and writes its answers to another.

Shapes and limits follow SageMaker's CreateTransformJob request (botocore 1.44.8,
`sagemaker/2017-07-24/service-2.json`, CreateTransformJobRequest) and the API reference's notes on it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StringConstraints, field_validator, model_validator

from asl_gen.spec.base import (
    INPUT_NAME,
    INSTANCE_TYPE_DESCRIPTION,
    KEY,
    Environment,
    InstanceCount,
    InstanceType,
    Key,
    Name,
    OptionalKmsKey,
    S3Uri,
    Shorthand,
    StrictModel,
)
from asl_gen.spec.dataflow import OUTPUT_NAME, processing_output_form
from asl_gen.spec.model import ContentType
from asl_gen.spec.step import NamedStep

# TransformEnvironmentMap: at most 16 variables.
TRANSFORM_ENVIRONMENT_MAX = 16
# MaxPayloadInMB: "The value of MaxPayloadInMB cannot be greater than 100 MB" (API reference, CreateTransformJob).
MAX_PAYLOAD_MB = 100


# DataProcessing's InputFilter and OutputFilter are JSONPath expressions of at most 63 characters.
def _data_filter(value: str) -> str:
    if not value.startswith("$") or len(value) > DATA_FILTER_MAX or any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError(
            f"{value!r} is not a JSONPath SageMaker filters records with: it starts with $ and has at most "
            f"{DATA_FILTER_MAX} characters, e.g. $[1:]"
        )
    return value


DATA_FILTER_MAX = 63
DataFilter = Annotated[str, AfterValidator(_data_filter)]
InputField = Annotated[str, StringConstraints(pattern=INPUT_NAME.pattern, max_length=80)]


LOCATION_DESCRIPTION = (
    "Where the data to score is: an s3:// URI, {input: InputName} (an S3 URI in the execution input), {from: "
    "<processing step>, output: <output name>} (an output of a processing step that runs earlier), or, for a "
    "transform inside a map, {item: true} (the current item is the S3 URI) or {item: field} (a field of the item)"
)


class DataLocation(Shorthand):
    """An S3 URI: written out, from the execution input, or the current item of the map the step runs in."""

    what = "location"
    forms = (
        "an s3:// URI, {input: InputName}, {from: <processing step>, output: <output name>} or, inside a map, "
        "{item: true}"
    )
    string_field = "s3"

    s3: S3Uri | None = None
    input: InputField | None = None
    item: bool | InputField | None = None
    from_: Annotated[str, StringConstraints(pattern=KEY.pattern)] | None = Field(None, alias="from")
    output: Annotated[str, StringConstraints(pattern=OUTPUT_NAME.pattern)] | None = None

    @classmethod
    def written_forms(cls) -> dict[str, Any]:
        # An S3 URI, {input: X} or {item: true}.
        return {
            "description": LOCATION_DESCRIPTION,
            "anyOf": [
                {"type": "string", "pattern": "^s3://", "description": "An S3 URI, the same in every execution"},
                {
                    "type": "object",
                    "properties": {
                        "input": {
                            "type": "string",
                            "pattern": INPUT_NAME.pattern,
                            "description": "The execution input field holding the S3 URI",
                            "examples": ["BatchUri"],
                        }
                    },
                    "required": ["input"],
                    "additionalProperties": False,
                    "description": "The execution input field holding the S3 URI (declare it under inputs)",
                },
                {
                    "type": "object",
                    "properties": {
                        "item": {
                            "anyOf": [{"const": True}, {"type": "string", "pattern": INPUT_NAME.pattern}],
                            "description": "true: the item is the S3 URI; a field name: that field of the item is",
                            "examples": [True, "uri"],
                        }
                    },
                    "required": ["item"],
                    "additionalProperties": False,
                    "description": "Inside a map: the current item (true) or a field of it (its name)",
                },
                {
                    **processing_output_form("its S3 URI is scored", "test"),
                    "description": "An output of a processing step that runs earlier in the same state machine",
                },
            ],
            "examples": [
                "s3://my-bucket/batches/today",
                {"input": "BatchUri"},
                {"item": True},
                {"item": "uri"},
                {"from": "preprocess", "output": "test"},
            ],
        }

    @classmethod
    def mapping(cls, value: dict[str, Any]) -> dict[str, Any]:
        if set(value) == {"from", "output"}:
            return value
        if len(value) != 1 or next(iter(value)) not in ("input", "item"):
            raise ValueError(f"give the location as {cls.forms}")
        return value

    @property
    def reference(self) -> tuple[str, str] | None:
        """The processing step and output this location names, if it names one."""
        return (self.from_, self.output) if self.from_ is not None and self.output is not None else None

    @field_validator("item")
    @classmethod
    def _item(cls, value: bool | str | None) -> bool | str | None:
        if value is False:
            raise ValueError("write {item: true} for the current item, or {item: field} for a field of it")
        return value

    @property
    def item_path(self) -> str | None:
        """The JSONPath of the item (or its field) inside a map body; None when the location is not the item."""
        if self.item is None:
            return None
        return "$.item" if self.item is True else f"$.item.{self.item}"


class TransformInput(StrictModel):
    s3: DataLocation = Field(
        description="The data to score: an s3:// URI, {input: InputName}, or {item: true} inside a map",
        examples=["s3://my-bucket/abalone/test", {"item": True}],
    )
    data_type: Literal["S3Prefix", "ManifestFile", "AugmentedManifestFile"] = Field(
        "S3Prefix",
        description="What s3 points at: a prefix (every object under it), a manifest file, or an augmented manifest",
        examples=["S3Prefix"],
    )
    content_type: ContentType | None = Field(
        None, description="MIME type of the data, sent to the model with each request", examples=["text/csv"]
    )
    split_type: Literal["None", "Line", "RecordIO", "TFRecord"] = Field(
        "None",
        description="How to split each object into records (None: one object, one record)",
        examples=["Line"],
    )
    compression: Literal["None", "Gzip"] = Field(
        "None", description="Compression of the objects; SageMaker decompresses them", examples=["Gzip"]
    )


class TransformOutput(StrictModel):
    s3: S3Uri = Field(
        description="S3 URI where SageMaker writes the results (an object <input name>.out per input object)",
        examples=["s3://my-bucket/abalone/scores"],
    )
    assemble_with: Literal["None", "Line"] = Field(
        "None",
        description="How the results of one object's records are joined: Line puts each on its own line",
        examples=["Line"],
    )
    accept: ContentType | None = Field(
        None, description="MIME type the model is asked to answer with", examples=["text/csv"]
    )
    kms_key: OptionalKmsKey = Field(None, description="KMS key that encrypts the results in S3")
    per_execution: bool = Field(
        False,
        description="Write the results under <s3>/<execution name>/ instead of s3 itself, so that runs of the "
        "state machine at the same time do not overwrite each other's results",
        examples=[True],
    )


class TransformInstance(StrictModel):
    type: InstanceType = Field(description=INSTANCE_TYPE_DESCRIPTION, examples=["ml.m5.large", "ml.c5.xlarge"])
    count: InstanceCount = Field(1, description="How many instances run the transform")


class DataProcessing(StrictModel):
    input_filter: DataFilter | None = Field(
        None, description="JSONPath picking the part of each input record sent to the model", examples=["$[1:]"]
    )
    output_filter: DataFilter | None = Field(
        None, description="JSONPath picking the part of the joined record that is written", examples=["$"]
    )
    join_source: Literal["None", "Input"] = Field(
        "None", description="Input: write each prediction joined to its input record", examples=["Input"]
    )


class TransformJob(NamedStep):
    state_name_example = "Score Batch"

    type: Literal["transform"] = Field(
        description="A SageMaker batch transform job, run with createTransformJob (.sync: until it ends)"
    )
    pattern: Literal["sync", "request-response"] = Field(
        "sync",
        description="sync: wait until the job ends; request-response: go on once SageMaker has started it",
        examples=["request-response"],
    )
    model: Key | None = Field(
        None,
        description="The job key of the model step whose model scores the data (give this or model_name); it must "
        "run earlier in the same state machine (before the map, for a transform inside one)",
        examples=["model"],
    )
    model_name: Name | None = Field(
        None,
        description="The name of a model made elsewhere: a literal or {input: ModelName} (give this or model)",
        examples=[{"input": "ModelName"}, "churn-model-v3"],
    )
    input: TransformInput = Field(
        description="The data to score",
        examples=[{"s3": "s3://my-bucket/abalone/test", "content_type": "text/csv", "split_type": "Line"}],
    )
    output: TransformOutput = Field(
        description="Where the results go", examples=[{"s3": "s3://my-bucket/abalone/scores", "assemble_with": "Line"}]
    )
    instance: TransformInstance = Field(
        description="The instances running the transform", examples=[{"type": "ml.m5.large", "count": 1}]
    )
    batch_strategy: Literal["SingleRecord", "MultiRecord"] | None = Field(
        None,
        description="One record per request, or as many as fit in max_payload_mb (default: the model's choice)",
        examples=["MultiRecord"],
    )
    max_payload_mb: Annotated[int, Field(ge=0, le=MAX_PAYLOAD_MB)] | None = Field(
        None, description="Largest request sent to the model, in MB (0-100; SageMaker's default is 6)", examples=[6]
    )
    max_concurrent_transforms: Annotated[int, Field(ge=0, le=1000)] | None = Field(
        None, description="Requests each instance handles at once", examples=[2]
    )
    environment: Environment = Field(
        {}, description="Environment variables of the model container (at most 16)", examples=[{"LOG_LEVEL": "info"}]
    )
    data_processing: DataProcessing | None = Field(
        None,
        description="Filter the input and output records and join predictions to their input",
        examples=[{"input_filter": "$[1:]", "output_filter": "$", "join_source": "Input"}],
    )

    @field_validator("environment")
    @classmethod
    def _few_variables(cls, value: dict[str, str]) -> dict[str, str]:
        if len(value) > TRANSFORM_ENVIRONMENT_MAX:
            raise ValueError(f"a transform job takes at most {TRANSFORM_ENVIRONMENT_MAX} environment variables")
        return value

    @field_validator("model_name")
    @classmethod
    def _model_name(cls, value: Name | None) -> Name | None:
        if value is not None and value.prefix is not None:
            raise ValueError(
                "a model made elsewhere is named by a literal or {input: ModelName}; a prefix names new resources"
            )
        return value

    @model_validator(mode="after")
    def _one_model(self) -> TransformJob:
        if (self.model is None) == (self.model_name is None):
            raise ValueError(
                "give exactly one of 'model' (a model step) or 'model_name' (a model made elsewhere)"
                + (", not both" if self.model is not None else "")
            )
        return self
