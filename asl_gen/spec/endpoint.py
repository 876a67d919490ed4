"""Endpoints: the endpoint configuration (its production variants) and the endpoint, with how to wait for it."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from asl_gen.spec.base import INSTANCE_TYPE_DESCRIPTION, SAGEMAKER_NAME, InstanceType, Key, StrictModel, show
from asl_gen.spec.step import NamedStep


class HostingInstance(StrictModel):
    type: InstanceType = Field(description=INSTANCE_TYPE_DESCRIPTION, examples=["ml.m5.large", "ml.g5.xlarge"])
    count: Annotated[int, Field(ge=1, le=1000)] = Field(
        1, description="How many instances serve this variant", examples=[1, 2]
    )


class Variant(StrictModel):
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


class EndpointConfigJob(NamedStep):
    type: Literal["endpoint-config"] = Field(
        description="A SageMaker endpoint configuration, created with createEndpointConfig",
        examples=["endpoint-config"],
    )
    variants: Annotated[list[Variant], Field(min_length=1, max_length=10)] = Field(
        description="The production variants: which model serves on which instances",
        examples=[[{"model": "model", "instance": {"type": "ml.m5.large"}}]],
    )

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
        description="A SageMaker endpoint, created with createEndpoint (the call returns when creation starts)",
        examples=["endpoint"],
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
