"""The SageMaker model family: a model (createModel) and a model package version (createModelPackage), each
from given model data or from the artifacts of a training job.

Imports: integrations, spec
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from asl_gen.integrations import REQUEST_RESPONSE
from asl_gen.plan.model import StatePlan, Value
from asl_gen.plan.request import job_task, sagemaker_role_arn, vpc
from asl_gen.plan.training import image_of, model_data
from asl_gen.spec import ModelJob, ModelPackageJob, Spec, TrainingJob, TuningJob, state_name_of

if TYPE_CHECKING:
    from asl_gen.plan.machine import MachineBuilder


def model_image(spec: Spec, job: ModelJob | ModelPackageJob) -> str:
    """The model's image: as given, else the image its training job ran (or its tuning job's training jobs)."""
    if job.image is not None:
        return job.image
    source = spec.jobs[job.from_ or ""]
    if isinstance(source, TuningJob):
        return image_of(spec, source.training)
    assert isinstance(source, TrainingJob)
    return image_of(spec, source)


def _artifacts(builder: MachineBuilder, key: str, job: ModelJob | ModelPackageJob) -> tuple[list[StatePlan], Value]:
    """The model data, and the lookup state that must run first when another machine trained the model."""
    states: list[StatePlan] = []
    if job.model_data is not None:
        return states, builder.location(key, job.model_data)
    return states, model_data(builder, job.from_ or "", states, state_name_of(key, job))


def _source(spec: Spec, job: ModelJob | ModelPackageJob) -> str:
    if job.from_ and isinstance(spec.jobs.get(job.from_), TuningJob):
        return f"the artifacts of the best training job of tuning job '{job.from_}'"
    return f"the artifacts of training job '{job.from_}'" if job.from_ else "its model data"


def model(builder: MachineBuilder, key: str, job: ModelJob) -> list[StatePlan]:
    """createModel: the image, the model data and the execution role."""
    states, data = _artifacts(builder, key, job)
    context = {
        "name": builder.name(key),
        "image": model_image(builder.spec, job),
        "model_data": data,
        "role_arn": sagemaker_role_arn(builder.spec),
        "environment": dict(job.environment),
        "vpc": vpc(job.vpc),
    }
    comment = f"Create SageMaker model '{key}' from {_source(builder.spec, job)}"
    states.append(
        job_task(
            builder.target.partition,
            key,
            job,
            "sagemaker:createModel",
            REQUEST_RESPONSE,
            "sagemaker/create-model.json.j2",
            context,
            comment,
            {"ModelArn.$": "$.ModelArn"},
        )
    )
    return states


def model_package(builder: MachineBuilder, key: str, job: ModelPackageJob) -> list[StatePlan]:
    """createModelPackage: a new version in the model package group, with its approval status."""
    states, data = _artifacts(builder, key, job)
    context = {
        "group": job.group,
        "description": job.description,
        "approval": job.approval,
        "image": model_image(builder.spec, job),
        "model_data": data,
        "environment": dict(job.environment),
        "content_types": list(job.content_types),
        "response_types": list(job.response_types),
        "inference_instances": list(job.inference_instances),
        "transform_instances": list(job.transform_instances),
    }
    comment = (
        f"Register {_source(builder.spec, job)} as a new version in model package group '{job.group}' ({job.approval})"
    )
    states.append(
        job_task(
            builder.target.partition,
            key,
            job,
            "aws-sdk:sagemaker:createModelPackage",
            REQUEST_RESPONSE,
            "sagemaker/create-model-package.json.j2",
            context,
            comment,
            {"ModelPackageArn.$": "$.ModelPackageArn"},
        )
    )
    return states
