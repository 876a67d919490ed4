"""Training jobs: the job, its algorithm or image, its instances and its input channels."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from asl_gen.spec.base import (
    INSTANCE_TYPE_DESCRIPTION,
    EcrImage,
    Environment,
    InstanceJob,
    InstanceType,
    JobInstances,
    NonEmpty,
    S3Uri,
    StrictModel,
)
from asl_gen.spec.dataflow import S3Input
from asl_gen.spec.step import NamedStep

HYPERPARAMETER_VALUE_MAX = 2500
MAX_RUNTIME_LIMIT = 28 * 24 * 3600


class Instance(JobInstances):
    type: InstanceType = Field(description=INSTANCE_TYPE_DESCRIPTION, examples=["ml.m5.xlarge", "ml.g5.2xlarge"])


class Algorithm(StrictModel):
    name: str = Field(
        description="A SageMaker built-in algorithm; its image URI is resolved offline for the region",
        examples=["xgboost", "linear-learner", "kmeans"],
    )
    version: str = Field(description="The algorithm's image version, quoted: '1.7-1'", examples=["1.7-1"])


class Channel(S3Input):
    content_type: NonEmpty | None = Field(
        None,
        description="MIME type of the data, passed to the algorithm",
        examples=["text/csv", "application/x-parquet"],
    )


ChannelName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9.\-_]{1,64}$")]
HyperValue = str | bool | int | float


def hyperparameter_text(value: HyperValue) -> str:
    """SageMaker takes hyperparameters as strings; booleans the way its algorithms parse them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class TrainingDefinition(InstanceJob):
    """What a training job runs: its algorithm or image, data, instances and output. A training step is one; a
    tuning step runs many training jobs from one (its `training`)."""

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

    @field_validator("hyperparameters")
    @classmethod
    def _hyperparameters(cls, value: dict[str, HyperValue]) -> dict[str, HyperValue]:
        for key, item in value.items():
            if key.endswith(".$"):
                # Step Functions reads a Parameters key ending with '.$' as a path or intrinsic function, so the
                # definition cannot pass this name to SageMaker as written.
                raise ValueError(
                    f"hyperparameter name {key!r} ends with '.$', which Step Functions reads as a path in a Task's "
                    "Parameters; rename it"
                )
            if len(hyperparameter_text(item)) > HYPERPARAMETER_VALUE_MAX:
                raise ValueError(f"hyperparameter {key!r} is longer than {HYPERPARAMETER_VALUE_MAX} characters")
        return value

    @model_validator(mode="after")
    def _one_image(self) -> TrainingDefinition:
        if (self.algorithm is None) == (self.image is None):
            raise ValueError("give exactly one of 'algorithm' (a built-in by name and version) or 'image'")
        return self


# TrainingDefinition first: the fields every step has (Step's `type` first among them) keep their places.
class TrainingJob(TrainingDefinition, NamedStep):
    type: Literal["training"] = Field(description="A SageMaker training job, run with createTrainingJob.sync")
