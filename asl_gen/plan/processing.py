"""The processing family: a SageMaker processing job run to its end (`.sync`), its image, inputs and outputs.

Imports: placeholders, integrations, spec
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from asl_gen import placeholders
from asl_gen.integrations import SYNC
from asl_gen.plan.model import StatePlan, Value
from asl_gen.plan.request import job_task, output_location, sagemaker_role_arn, vpc
from asl_gen.spec import ProcessingJob, Spec
from asl_gen.spec.processing import CODE_DIR, CODE_INPUT

if TYPE_CHECKING:
    from asl_gen.plan.machine import MachineBuilder

PROCESSING_RESULT = {
    "ProcessingJobName.$": "$.ProcessingJobName",
    "ProcessingJobArn.$": "$.ProcessingJobArn",
}


def processing_result(job: ProcessingJob) -> dict[str, Any]:
    """What the step keeps: the job's name and ARN and, by name, the S3 URI each output was uploaded to.

    DescribeProcessingJob (the `.sync` result) lists the outputs in the order of the request.
    """
    result: dict[str, Any] = dict(PROCESSING_RESULT)
    if job.outputs:
        result["Outputs"] = {
            f"{name}.$": f"$.ProcessingOutputConfig.Outputs[{index}].S3Output.S3Uri"
            for index, name in enumerate(job.outputs)
        }
    return result


def processing_image(spec: Spec, job: ProcessingJob) -> str:
    """The job's image URI: as given, else its framework's; with the region open, the region's parts are
    placeholders."""
    image = job.framework_image()
    if image is None:
        assert isinstance(job.image, str)
        return job.image
    if spec.aws.region is not None:
        return image.uri(spec.aws.region)
    return image.template(
        registry=placeholders.token(placeholders.registry_name(image.placeholder_key)),
        region=placeholders.token(placeholders.REGION),
        dns_suffix=placeholders.token(placeholders.DNS_SUFFIX),
    )


def processing_inputs(builder: MachineBuilder, key: str, job: ProcessingJob) -> list[dict[str, Any]]:
    """The request's inputs: the code first (where the SDK puts it), then the spec's, in its order."""
    inputs: list[dict[str, Any]] = []
    if job.code is not None:
        inputs.append(
            {
                "name": CODE_INPUT,
                "s3_uri": Value(job.code),
                "local_path": CODE_DIR,
                "data_type": "S3Prefix",
                "input_mode": "File",
                "distribution": "FullyReplicated",
                "compression": None,
            }
        )
    for name, given in job.inputs.items():
        inputs.append(
            {
                "name": name,
                "s3_uri": builder.location(key, given.s3),
                "local_path": job.input_path(name),
                "data_type": given.data_type,
                "input_mode": given.input_mode,
                "distribution": given.distribution,
                "compression": given.compression,
            }
        )
    return inputs


def processing(builder: MachineBuilder, key: str, job: ProcessingJob) -> list[StatePlan]:
    """createProcessingJob, run to its end; the result keeps the job's name, ARN and output URIs."""
    context = {
        "name": builder.name(key),
        "image": processing_image(builder.spec, job),
        "entrypoint": job.entrypoint_or_default,
        "arguments": list(job.arguments),
        "role_arn": sagemaker_role_arn(builder.spec),
        "inputs": processing_inputs(builder, key, job),
        "outputs": [
            {
                "name": name,
                "s3_uri": output_location(builder.spec.jobs, key, name),
                "local_path": job.output_path(name),
                "upload_mode": given.upload_mode,
            }
            for name, given in job.outputs.items()
        ],
        "instance": {
            "type": job.instance.type,
            "count": job.instance.count,
            "volume_gb": job.instance.volume_gb,
        },
        "max_runtime_seconds": job.max_runtime_seconds,
        "environment": dict(job.environment),
        "vpc": vpc(job.vpc),
        "kms_key": job.kms_key,
    }
    return [
        job_task(
            builder.target.partition,
            key,
            job,
            "sagemaker:createProcessingJob",
            SYNC,
            "sagemaker/create-processing-job.json.j2",
            context,
            f"Run SageMaker processing job '{key}' and wait until it ends",
            processing_result(job),
        )
    ]
