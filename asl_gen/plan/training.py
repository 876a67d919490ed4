"""The training family: a SageMaker training job run to its end (`.sync`), its image, and the lookup of a
training job's artifacts when another state machine ran it.

Imports: catalog, placeholders, integrations, spec
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from asl_gen import catalog, placeholders
from asl_gen.integrations import SYNC
from asl_gen.plan.model import StatePlan, TaskState, Value
from asl_gen.plan.request import describe_task, job_task, sagemaker_role_arn, tags, vpc
from asl_gen.spec import Spec, TrainingJob, hyperparameter_text, lookup_state_name, result_slot

if TYPE_CHECKING:
    from asl_gen.plan.machine import MachineBuilder

TRAINING_RESULT = {
    "TrainingJobName.$": "$.TrainingJobName",
    "TrainingJobArn.$": "$.TrainingJobArn",
    "ModelDataUrl.$": "$.ModelArtifacts.S3ModelArtifacts",
}


def image_of(spec: Spec, job: TrainingJob) -> str:
    """The training job's image: as given, else its built-in algorithm's."""
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


def training(builder: MachineBuilder, key: str, job: TrainingJob) -> list[StatePlan]:
    """createTrainingJob, run to its end; the result keeps the job's name, ARN and model artifacts."""
    context = {
        "name": builder.name(key),
        "image": image_of(builder.spec, job),
        "input_mode": job.input_mode,
        "role_arn": sagemaker_role_arn(builder.spec),
        "hyperparameters": {k: hyperparameter_text(v) for k, v in job.hyperparameters.items()},
        "channels": [
            {
                "name": channel_name,
                "s3_uri": builder.location(key, channel.s3),
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
        "tags": tags(job.tags),
        "vpc": vpc(job.vpc),
        "kms_key": job.kms_key,
    }
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
    """The artifacts of a training job: from its step's result, else looked up first (a state in `states`)."""
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
