"""Endpoints: the endpoint configuration (its production variants) and the endpoint, with how to wait for it."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from asl_gen.spec.base import (
    INSTANCE_TYPE_DESCRIPTION,
    InstanceType,
    Key,
    OptionalKmsKey,
    S3Uri,
    SageMakerName,
    SnsTopicArn,
    StrictModel,
    show,
)
from asl_gen.spec.model import ContentType
from asl_gen.spec.step import NamedStep


class HostingInstance(StrictModel):
    type: InstanceType = Field(description=INSTANCE_TYPE_DESCRIPTION, examples=["ml.m5.large", "ml.g5.xlarge"])
    count: Annotated[int, Field(ge=1, le=1000)] = Field(
        1, description="How many instances serve this variant", examples=[1, 2]
    )


# ProductionVariantServerlessConfig (botocore 1.44.8, sagemaker service-2.json): MemorySizeInMB "in 1 GB increments:
# 1024 MB, 2048 MB, 3072 MB, 4096 MB, 5120 MB, or 6144 MB"; MaxConcurrency and ProvisionedConcurrency 1-200, the
# provisioned "less than or equal to MaxConcurrency".
SERVERLESS_MEMORY_MB = (1024, 2048, 3072, 4096, 5120, 6144)
SERVERLESS_CONCURRENCY_MAX = 200


class Serverless(StrictModel):
    memory_mb: int = Field(
        description="Memory of each serverless worker in MB: 1024, 2048, 3072, 4096, 5120 or 6144",
        examples=[2048],
        json_schema_extra={"enum": list(SERVERLESS_MEMORY_MB)},
    )
    max_concurrency: Annotated[int, Field(ge=1, le=SERVERLESS_CONCURRENCY_MAX)] = Field(
        description="Invocations the endpoint serves at once (1-200)", examples=[5]
    )
    provisioned_concurrency: Annotated[int, Field(ge=1, le=SERVERLESS_CONCURRENCY_MAX)] | None = Field(
        None, description="Workers kept warm (at most max_concurrency)", examples=[2]
    )

    @field_validator("memory_mb")
    @classmethod
    def _memory(cls, value: int) -> int:
        if value not in SERVERLESS_MEMORY_MB:
            raise ValueError(
                f"{value} MB is not a serverless memory size; SageMaker offers "
                + ", ".join(str(m) for m in SERVERLESS_MEMORY_MB)
            )
        return value

    @model_validator(mode="after")
    def _provisioned(self) -> Serverless:
        if self.provisioned_concurrency is not None and self.provisioned_concurrency > self.max_concurrency:
            raise ValueError(
                f"provisioned_concurrency {self.provisioned_concurrency} is above max_concurrency "
                f"{self.max_concurrency}; SageMaker keeps at most max_concurrency workers"
            )
        return self


class Variant(StrictModel):
    model: Key = Field(description="The job key of the model this variant serves", examples=["model"])
    name: SageMakerName = Field("AllTraffic", description="The variant's name", examples=["AllTraffic", "candidate"])
    instance: HostingInstance | None = Field(
        None,
        description="The instances serving the variant (give this or serverless)",
        examples=[{"type": "ml.m5.large", "count": 1}],
    )
    serverless: Serverless | None = Field(
        None,
        description="Serve on SageMaker Serverless Inference instead of instances (give this or instance)",
        examples=[{"memory_mb": 2048, "max_concurrency": 5}],
    )
    weight: Annotated[float, Field(ge=0)] = Field(
        1.0, description="The variant's share of traffic, relative to the other variants", examples=[1.0, 0.1]
    )

    @model_validator(mode="after")
    def _one_kind(self) -> Variant:
        if (self.instance is None) == (self.serverless is None):
            raise ValueError(
                "give exactly one of 'instance' (instances serve the variant) or 'serverless' (serverless inference)"
                + (", not both" if self.instance is not None else "")
            )
        return self


class DataCapture(StrictModel):
    s3: S3Uri = Field(
        description="S3 URI where SageMaker writes the captured requests and responses",
        examples=["s3://my-bucket/capture"],
    )
    sampling_percentage: Annotated[int, Field(ge=0, le=100)] = Field(
        100, description="Percentage of the requests captured", examples=[20]
    )
    capture: Annotated[list[Literal["Input", "Output"]], Field(min_length=1, max_length=2)] = Field(
        ["Input", "Output"], description="What to capture: the requests, the responses, or both", examples=[["Input"]]
    )
    kms_key: OptionalKmsKey = Field(None, description="KMS key that encrypts the captured data")
    csv_content_types: Annotated[list[ContentType], Field(min_length=1, max_length=10)] | None = Field(
        None, description="Content types captured as CSV", examples=[["text/csv"]]
    )
    json_content_types: Annotated[list[ContentType], Field(min_length=1, max_length=10)] | None = Field(
        None, description="Content types captured as JSON", examples=[["application/json"]]
    )

    @field_validator("capture")
    @classmethod
    def _once_each(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("list Input and Output once each")
        return value


class AsyncNotify(StrictModel):
    success: SnsTopicArn | None = Field(
        None,
        description="SNS topic told when an asynchronous inference succeeds",
        examples=["arn:aws:sns:us-east-1:123456789012:inference-done"],
    )
    error: SnsTopicArn | None = Field(
        None,
        description="SNS topic told when an asynchronous inference fails",
        examples=["arn:aws:sns:us-east-1:123456789012:inference-failed"],
    )


class AsyncInference(StrictModel):
    output: S3Uri = Field(
        description="S3 URI where SageMaker writes the responses", examples=["s3://my-bucket/async/out"]
    )
    failure: S3Uri | None = Field(
        None,
        description="S3 URI where SageMaker writes the errors of failed requests",
        examples=["s3://my-bucket/async/err"],
    )
    notify: AsyncNotify | None = Field(
        None,
        description="SNS topics SageMaker publishes the outcome of each request to",
        examples=[{"success": "arn:aws:sns:us-east-1:123456789012:inference-done"}],
    )
    max_concurrent_invocations_per_instance: Annotated[int, Field(ge=1, le=1000)] | None = Field(
        None, description="Requests each instance works on at once (default: SageMaker's choice)", examples=[4]
    )
    kms_key: OptionalKmsKey = Field(None, description="KMS key that encrypts the responses SageMaker writes to S3")


class EndpointConfigJob(NamedStep):
    type: Literal["endpoint-config"] = Field(
        description="A SageMaker endpoint configuration, created with createEndpointConfig"
    )
    variants: Annotated[list[Variant], Field(min_length=1, max_length=10)] = Field(
        description="The production variants: which model serves on which instances",
        examples=[[{"model": "model", "instance": {"type": "ml.m5.large"}}]],
    )
    data_capture: DataCapture | None = Field(
        None,
        description="Capture the endpoint's requests and responses to S3 (for Model Monitor)",
        examples=[{"s3": "s3://my-bucket/capture", "sampling_percentage": 20}],
    )
    async_inference: AsyncInference | None = Field(
        None,
        description="Serve requests asynchronously (InvokeEndpointAsync): responses go to S3, outcomes to SNS",
        examples=[{"output": "s3://my-bucket/async/out", "failure": "s3://my-bucket/async/err"}],
    )

    # What serverless inference does not support: the "Feature exclusions" of the developer guide's page "Deploy
    # models with Amazon SageMaker Serverless Inference" (docs.aws.amazon.com/sagemaker/latest/dg/
    # serverless-endpoints.html) list multiple production variants and data capture (with Model Monitor);
    # asynchronous inference queues requests for instances (dg/async-inference.html), not serverless workers.
    @field_validator("variants")
    @classmethod
    def _one_serverless_variant(cls, value: list[Variant]) -> list[Variant]:
        if len(value) > 1 and any(v.serverless is not None for v in value):
            raise ValueError("a serverless endpoint serves one variant; SageMaker refuses several")
        return value

    @field_validator("data_capture", "async_inference")
    @classmethod
    def _not_serverless(cls, value: Any, info: ValidationInfo) -> Any:
        if value is not None and any(v.serverless is not None for v in info.data.get("variants", [])):
            if info.field_name == "data_capture":
                raise ValueError("SageMaker Serverless Inference does not capture data; serve on instances to capture")
            raise ValueError("asynchronous inference runs on instances, not serverless; give the variant an instance")
        return value

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


class EndpointWait(StrictModel):
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


class EndpointJob(NamedStep):
    type: Literal["endpoint"] = Field(
        description="A SageMaker endpoint, created with createEndpoint (the call returns when creation starts)"
    )
    config: Key = Field(description="The job key of the endpoint configuration to deploy", examples=["endpoint-config"])
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
            raise ValueError(f"give wait as true, false or {{poll_seconds: 30, max_polls: 120}}, not {show(value)}")
        return value

    @property
    def wait_settings(self) -> EndpointWait | None:
        """How to wait until the endpoint is InService, or None when the step does not wait."""
        return self.wait
