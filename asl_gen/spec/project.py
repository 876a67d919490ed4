"""The project level of a spec: where it runs (`Aws`), the roles, the state machines, and `Spec` itself."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StringConstraints, field_validator, model_validator

from asl_gen import catalog
from asl_gen.spec.base import (
    INPUT_NAME,
    KEY,
    Comment,
    Key,
    OptionalKmsKey,
    RoleArn,
    RoleName,
    S3Uri,
    SnsTopicArn,
    StrictModel,
    show,
)
from asl_gen.spec.jobs import Job, nested_steps
from asl_gen.spec.policies import RetryPolicy


class Aws(StrictModel):
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


# S3 prefixes the SageMaker role is granted beyond what the spec shows (at most 50 each way).
S3Prefixes = Annotated[list[S3Uri], Field(max_length=50)]


class SageMakerRole(StrictModel):
    arn: RoleArn | None = Field(
        None,
        description="ARN of the existing IAM role SageMaker assumes for jobs and models (same account); "
        "give arn or name",
        examples=["arn:aws:iam::123456789012:role/big-mart-sagemaker"],
    )
    name: RoleName | None = Field(
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
    reads: S3Prefixes = Field(
        default_factory=list,
        description="S3 locations jobs read that the spec cannot show, such as transform inputs taken from the "
        "execution input; the role may read each prefix (s3:GetObject, s3:ListBucket on it)",
        examples=[["s3://evaluate-deploy-data/batches/"]],
    )
    writes: S3Prefixes = Field(
        default_factory=list,
        description="S3 locations jobs write that the spec cannot show (an output path taken from the execution "
        "input); the role may write under each prefix",
        examples=[["s3://evaluate-deploy-data/scores/"]],
    )

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


class StepFunctionsRole(StrictModel):
    name: RoleName = Field(
        description="Name of the Step Functions role; asl-gen writes its policy and trust policy",
        examples=["big-mart-step-functions"],
    )


class Roles(StrictModel):
    sagemaker: SageMakerRole = Field(
        description="The role SageMaker assumes: asl-gen passes it to jobs and models and writes the policy it needs",
        examples=[{"arn": "arn:aws:iam::123456789012:role/big-mart-sagemaker"}],
    )
    stepfunctions: StepFunctionsRole = Field(
        description="The role the state machines run as", examples=[{"name": "big-mart-step-functions"}]
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


class Logging(StrictModel):
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


class OnFailure(StrictModel):
    notify: SnsTopicArn = Field(
        description="ARN of the SNS topic told about the failure (the message carries the error and its cause); "
        "the run then fails with that error",
        examples=["arn:aws:sns:us-east-1:123456789012:ml-alerts"],
    )


class StateMachine(StrictModel):
    model_config = ConfigDict(**StrictModel.model_config, json_schema_extra=_steps_schema)

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
    kms_key: OptionalKmsKey = Field(
        None,
        description="Customer managed KMS key that encrypts execution data; the role may use it for this machine only",
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
            raise ValueError(f"give a list of job keys, or {{steps: [...], comment: ...}}, not {show(value)}")
        return value


class Spec(StrictModel):
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
