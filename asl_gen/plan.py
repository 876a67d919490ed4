"""Turn a validated spec into the documents to render: states per state machine, with template contexts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from asl_gen import catalog
from asl_gen.integrations import BY_KEY, REQUEST_RESPONSE, SYNC, task_resource
from asl_gen.spec import (
    SAGEMAKER_NAME,
    EndpointConfigJob,
    EndpointJob,
    Job,
    ModelJob,
    Name,
    Spec,
    TrainingJob,
    Vpc,
    default_name,
    hyperparameter_text,
    lookup_state_name,
    result_slot,
    state_name_of,
)


@dataclass(frozen=True)
class Value:
    """A request parameter: a literal, or a JSONPath / intrinsic that ASL marks with a `.$` key."""

    value: Any
    dynamic: bool = False


@dataclass(frozen=True)
class Target:
    """Where the output will run; every ARN is built from these."""

    partition: str
    region: str
    account: str

    def state_machine_arn(self, name: str) -> str:
        return f"arn:{self.partition}:states:{self.region}:{self.account}:stateMachine:{name}"


@dataclass(frozen=True)
class TaskPlan:
    state_name: str
    comment: str
    resource: str
    template: str
    context: Mapping[str, Any]
    result_selector: Mapping[str, str] | None
    result_path: str


@dataclass(frozen=True)
class InputField:
    name: str
    schema: Mapping[str, Any]


@dataclass(frozen=True)
class MachinePlan:
    key: str
    name: str
    arn: str
    comment: str
    tasks: tuple[TaskPlan, ...]
    inputs: tuple[InputField, ...]
    input_description: str


@dataclass(frozen=True)
class ProjectPlan:
    spec: Spec
    target: Target
    machines: tuple[MachinePlan, ...]


TRAINING_RESULT = {
    "TrainingJobName.$": "$.TrainingJobName",
    "TrainingJobArn.$": "$.TrainingJobArn",
    "ModelDataUrl.$": "$.ModelArtifacts.S3ModelArtifacts",
}
RESULTS: Mapping[str, Mapping[str, str]] = {
    "training": TRAINING_RESULT,
    "model": {"ModelArn.$": "$.ModelArn"},
    "endpoint-config": {"EndpointConfigArn.$": "$.EndpointConfigArn"},
    "endpoint": {"EndpointArn.$": "$.EndpointArn"},
}
NAME_SCHEMA = {"type": "string", "minLength": 1, "maxLength": 63, "pattern": SAGEMAKER_NAME.pattern}
INPUT_TYPES = {"string": "string", "integer": "integer", "number": "number", "boolean": "boolean"}


def image_of(spec: Spec, job: TrainingJob) -> str:
    if job.image is not None:
        return job.image
    assert job.algorithm is not None
    return catalog.image_uri(job.algorithm.name, job.algorithm.version, spec.aws.region)


def model_image(spec: Spec, job: ModelJob) -> str:
    if job.image is not None:
        return job.image
    source = spec.jobs[job.from_ or ""]
    assert isinstance(source, TrainingJob)
    return image_of(spec, source)


@dataclass
class _MachineBuilder:
    spec: Spec
    target: Target
    key: str
    tasks: list[TaskPlan] = field(default_factory=list)
    done: set[str] = field(default_factory=set)
    inputs: dict[str, str] = field(default_factory=dict)

    def name(self, key: str) -> Value:
        """The name of job `key` as this execution sees it."""
        job = self.spec.jobs[key]
        name: Name = job.name or default_name(self.spec.project, key)
        if name.literal is not None:
            return Value(name.literal)
        if name.input is not None:
            self.inputs.setdefault(name.input, key)
            return Value(f"$$.Execution.Input.{name.input}", dynamic=True)
        # MD5 of the execution ARN: unique per execution, the same in every state, 32 characters.
        return Value(f"States.Format('{name.prefix}-{{}}', States.Hash($$.Execution.Id, 'MD5'))", dynamic=True)

    def add(self, key: str) -> None:
        job = self.spec.jobs[key]
        if isinstance(job, TrainingJob):
            self._training(key, job)
        elif isinstance(job, ModelJob):
            self._model(key, job)
        elif isinstance(job, EndpointConfigJob):
            self._endpoint_config(key, job)
        else:
            self._endpoint(key, job)
        self.done.add(key)

    def _task(
        self,
        key: str,
        job: Job,
        api: str,
        pattern: str,
        template: str,
        context: Mapping[str, Any],
        comment: str,
    ) -> None:
        self.tasks.append(
            TaskPlan(
                state_name=state_name_of(key, job),
                comment=job.comment or comment,
                resource=task_resource(self.target.partition, BY_KEY[api], pattern),
                template=template,
                context={"job": context},
                result_selector=RESULTS[job.type],
                result_path=f"$.{result_slot(key)}",
            )
        )

    def _training(self, key: str, job: TrainingJob) -> None:
        context = {
            "name": self.name(key),
            "image": image_of(self.spec, job),
            "input_mode": job.input_mode,
            "role_arn": self.spec.roles.sagemaker.arn,
            "hyperparameters": {k: hyperparameter_text(v) for k, v in job.hyperparameters.items()},
            "channels": [
                {
                    "name": channel_name,
                    "s3_uri": channel.s3,
                    "data_type": channel.data_type,
                    "distribution": channel.distribution,
                    "content_type": channel.content_type,
                    "compression": channel.compression,
                }
                for channel_name, channel in job.channels.items()
            ],
            "output_path": job.output,
            "instance": {
                "type": job.instance.type,
                "count": job.instance.count,
                "volume_gb": job.instance.volume_gb,
            },
            "max_runtime_seconds": job.max_runtime_seconds,
            "environment": dict(job.environment),
            "tags": _tags(job.tags),
            "vpc": _vpc(job.vpc),
            "kms_key": job.kms_key,
        }
        self._task(
            key,
            job,
            "sagemaker:createTrainingJob",
            SYNC,
            "sagemaker/create-training-job.json.j2",
            context,
            f"Run SageMaker training job '{key}' and wait until it ends",
        )

    def _model_data(self, source: str) -> Value:
        if source not in self.done:
            self._lookup_training(source)
        return Value(f"$.{result_slot(source)}.ModelDataUrl", dynamic=True)

    def _lookup_training(self, source: str) -> None:
        """Fetch the artifacts of a training job another state machine ran."""
        job = self.spec.jobs[source]
        self.tasks.append(
            TaskPlan(
                state_name=lookup_state_name(source, job),
                comment=f"Read the model artifacts of training job '{source}', which another state machine ran",
                resource=task_resource(
                    self.target.partition, BY_KEY["aws-sdk:sagemaker:describeTrainingJob"], REQUEST_RESPONSE
                ),
                template="sagemaker/describe-training-job.json.j2",
                context={"job": {"name": self.name(source)}},
                result_selector=TRAINING_RESULT,
                result_path=f"$.{result_slot(source)}",
            )
        )
        self.done.add(source)

    def _model(self, key: str, job: ModelJob) -> None:
        model_data = Value(job.model_data) if job.model_data is not None else self._model_data(job.from_ or "")
        context = {
            "name": self.name(key),
            "image": model_image(self.spec, job),
            "model_data": model_data,
            "role_arn": self.spec.roles.sagemaker.arn,
            "environment": dict(job.environment),
            "tags": _tags(job.tags),
            "vpc": _vpc(job.vpc),
        }
        self._task(
            key,
            job,
            "sagemaker:createModel",
            REQUEST_RESPONSE,
            "sagemaker/create-model.json.j2",
            context,
            f"Create SageMaker model '{key}' from "
            + (f"the artifacts of training job '{job.from_}'" if job.from_ else "its model data"),
        )

    def _endpoint_config(self, key: str, job: EndpointConfigJob) -> None:
        context = {
            "name": self.name(key),
            "variants": [
                {
                    "name": variant.name,
                    "model_name": self.name(variant.model),
                    "instance_type": variant.instance.type,
                    "instance_count": variant.instance.count,
                    "weight": variant.weight,
                }
                for variant in job.variants
            ],
            "tags": _tags(job.tags),
        }
        self._task(
            key,
            job,
            "sagemaker:createEndpointConfig",
            REQUEST_RESPONSE,
            "sagemaker/create-endpoint-config.json.j2",
            context,
            f"Create SageMaker endpoint config '{key}'",
        )

    def _endpoint(self, key: str, job: EndpointJob) -> None:
        context = {"name": self.name(key), "config_name": self.name(job.config), "tags": _tags(job.tags)}
        self._task(
            key,
            job,
            "sagemaker:createEndpoint",
            REQUEST_RESPONSE,
            "sagemaker/create-endpoint.json.j2",
            context,
            f"Create SageMaker endpoint '{key}' (returns when creation starts, not when InService)",
        )


def _tags(tags: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def _vpc(vpc: Vpc | None) -> dict[str, list[str]] | None:
    if vpc is None:
        return None
    return {"SecurityGroupIds": list(vpc.security_groups), "Subnets": list(vpc.subnets)}


def plan_project(spec: Spec) -> ProjectPlan:
    """Lay out every state machine of the spec as a list of Task plans."""
    target = Target(spec.aws.resolved_partition, spec.aws.region, spec.aws.account)
    machines = []
    for key, machine in spec.state_machines.items():
        builder = _MachineBuilder(spec, target, key)
        for step in machine.steps:
            builder.add(step)
        name = f"{spec.project}-{key}"
        inputs = tuple(
            InputField(
                input_name,
                {**NAME_SCHEMA, "description": f"Name of {job_key} ({spec.jobs[job_key].type})"}
                if spec.inputs[input_name] == "string"
                else {"type": INPUT_TYPES[spec.inputs[input_name]]},
            )
            for input_name, job_key in builder.inputs.items()
        )
        machines.append(
            MachinePlan(
                key=key,
                name=name,
                arn=target.state_machine_arn(name),
                comment=machine.comment or f"{spec.project}: " + " -> ".join(machine.steps),
                tasks=tuple(builder.tasks),
                inputs=inputs,
                input_description=f"Start {name} with this JSON object as the execution input.",
            )
        )
    return ProjectPlan(spec, target, tuple(machines))
