"""The training family: a SageMaker training job run to its end (`.sync`), its image, and the lookup of a
training job's artifacts when another state machine ran it.

Imports: catalog, placeholders, integrations, spec
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from asl_gen import catalog, placeholders
from asl_gen.integrations import SYNC
from asl_gen.plan.model import StatePlan, TaskState, Value
from asl_gen.plan.request import describe_task, job_task, sagemaker_role_arn, vpc
from asl_gen.spec import (
    Spec,
    TrainingDefinition,
    TrainingJob,
    TuningJob,
    hyperparameter_text,
    lookup_state_name,
    result_slot,
)

if TYPE_CHECKING:
    from asl_gen.plan.machine import MachineBuilder

TRAINING_RESULT = {
    "TrainingJobName.$": "$.TrainingJobName",
    "TrainingJobArn.$": "$.TrainingJobArn",
    "ModelDataUrl.$": "$.ModelArtifacts.S3ModelArtifacts",
}


def image_of(spec: Spec, job: TrainingDefinition) -> str:
    """The image of a training job (or a tuning job's training definition): as given, else its algorithm's."""
    if job.image is not None:
        return job.image
    assert job.algorithm is not None
    return algorithm_image(spec, job.algorithm.name, job.algorithm.version)


def algorithm_image(spec: Spec, algorithm: str, version: str) -> str:
    """A built-in algorithm's image URI; with the region open, its registry, region and domain are placeholders."""
    if spec.aws.region is not None:
        return catalog.image_uri(algorithm, version, spec.aws.region)
    return catalog.image_uri_template(
        algorithm,
        version,
        registry=placeholders.token(placeholders.registry_name(algorithm)),
        region=placeholders.token(placeholders.REGION),
        dns_suffix=placeholders.token(placeholders.DNS_SUFFIX),
    )


def definition_context(builder: MachineBuilder, key: str, definition: TrainingDefinition) -> dict[str, Any]:
    """What a training job's request says of its definition (sagemaker/training-definition.j2): a training step's
    own, or each training job of a tuning step (`key`)."""
    spec = builder.spec
    return {
        "image": image_of(spec, definition),
        "input_mode": definition.input_mode,
        "role_arn": sagemaker_role_arn(spec),
        "hyperparameters": {k: hyperparameter_text(v) for k, v in definition.hyperparameters.items()},
        "channels": [
            {
                "name": channel_name,
                "s3_uri": builder.location(key, channel.s3),
                "data_type": channel.data_type,
                "distribution": channel.distribution,
                "content_type": channel.content_type,
                "compression": channel.compression,
            }
            for channel_name, channel in definition.channels.items()
        ],
        "output_path": definition.output,
        "instance": {
            "type": definition.instance.type,
            "count": definition.instance.count,
            "volume_gb": definition.instance.volume_gb,
        },
        "max_runtime_seconds": definition.max_runtime_seconds,
        "environment": dict(definition.environment),
        "vpc": vpc(definition.vpc),
        "kms_key": definition.kms_key,
    }


def training(builder: MachineBuilder, key: str, job: TrainingJob) -> list[StatePlan]:
    """createTrainingJob, run to its end; the result keeps the job's name, ARN and model artifacts."""
    context = {"name": builder.name(key), **definition_context(builder, key, job)}
    return [
        job_task(
            builder.target.partition,
            key,
            job,
            "sagemaker:createTrainingJob",
            SYNC,
            "sagemaker/create-training-job.json.j2",
            context,
            f"Run SageMaker training job '{key}' and wait until it ends",
            TRAINING_RESULT,
        )
    ]


def model_data(builder: MachineBuilder, source: str, states: list[StatePlan], then: str) -> Value:
    """The artifacts of a training job (from its step's result, else looked up first: a state in `states`), or of a
    tuning job's best training job (its step ran earlier: the spec checks that)."""
    if isinstance(builder.spec.jobs[source], TuningJob):
        return Value(f"{builder.slot_path(source)}.BestTrainingJob.ModelDataUrl", dynamic=True)
    if source not in builder.done:
        states.append(lookup_training(builder, source, then))
    return Value(f"{builder.slot_path(source)}.ModelDataUrl", dynamic=True)


def lookup_training(builder: MachineBuilder, source: str, then: str) -> TaskState:
    """Fetch the artifacts of a training job another state machine ran."""
    job = builder.spec.jobs[source]
    builder.done.add(source)
    return describe_task(
        builder.target.partition,
        "training",
        builder.name(source),
        state=lookup_state_name(source, job),
        comment=f"Read the model artifacts of training job '{source}', which another state machine ran",
        result_selector=TRAINING_RESULT,
        result_path=f"$.{result_slot(source)}",
        next=then,
    )
