"""Models and model packages: a SageMaker model built from a training job or from artifacts made elsewhere, and a
version registered in a model package group."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, model_validator

from asl_gen.spec.base import (
    EcrImage,
    Environment,
    InstanceType,
    Key,
    OptionalVpc,
    SageMakerName,
)
from asl_gen.spec.dataflow import S3Location
from asl_gen.spec.step import NamedStep, Step

# Model artifacts made outside the spec, and the image that serves them (models and model packages).
ModelData = Annotated[
    S3Location | None,
    Field(
        description="Model artifacts made elsewhere (give this and image instead of from): an S3 URI, or "
        "{input: InputName} for an S3 URI in the execution input",
        examples=["s3://my-bucket/models/model.tar.gz", {"input": "ModelData"}],
    ),
]
InferenceImage = Annotated[
    EcrImage | None,
    Field(
        description="The inference image URI, with model_data",
        examples=["123456789012.dkr.ecr.us-east-1.amazonaws.com/server:1.0"],
    ),
]

ContentType = Annotated[str, StringConstraints(min_length=1, max_length=256, pattern=r"^[^\x00-\x1f\x7f-\x9f]+$")]
MimeType = Annotated[str, StringConstraints(max_length=1024, pattern=r"^[-\w]+/[^\x00-\x1f\x7f-\x9f]+$")]


class ModelJob(NamedStep):
    type: Literal["model"] = Field(description="A SageMaker model, created with createModel")
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
    vpc: OptionalVpc = None

    @model_validator(mode="after")
    def _source(self) -> ModelJob:
        _one_source(self.from_, self.model_data, self.image, "a model")
        return self


class ModelPackageJob(Step):
    state_name_example = "Register Model"

    type: Literal["model-package"] = Field(
        description="A new version in a SageMaker model package group (the model registry), registered with "
        "aws-sdk:sagemaker:createModelPackage"
    )
    group: SageMakerName = Field(
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
        _one_source(self.from_, self.model_data, self.image, "a model package")
        return self


def _one_source(from_: str | None, model_data: S3Location | None, image: str | None, what: str) -> None:
    if (from_ is None) == (model_data is None):
        raise ValueError("give exactly one of 'from' (a training job) or 'model_data' (an s3:// URI)")
    if model_data is not None and image is None:
        raise ValueError(f"{what} built from 'model_data' needs 'image' (the inference image URI)")
