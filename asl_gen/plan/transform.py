"""The transform family: a SageMaker batch transform job (createTransformJob), by default run to its end (`.sync`).

Imports: integrations, spec
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from asl_gen.integrations import REQUEST_RESPONSE, SYNC
from asl_gen.plan.model import StatePlan, Value
from asl_gen.plan.request import execution_folder, job_task, output_location
from asl_gen.spec import Name, TransformJob, default_name

if TYPE_CHECKING:
    from asl_gen.plan.machine import MachineBuilder

# Only what later steps (and a map's list of results) need: a map of transforms over a long list keeps three short
# strings per item, far below the 256 KiB a state may hold. DescribeTransformJob's full answer, which `.sync`
# returns, repeats the whole request.
TRANSFORM_RESULT = {
    "TransformJobName.$": "$.TransformJobName",
    "TransformJobArn.$": "$.TransformJobArn",
    "OutputPath.$": "$.TransformOutput.S3OutputPath",
}
# CreateTransformJob answers with the ARN alone.
TRANSFORM_STARTED = {"TransformJobArn.$": "$.TransformJobArn"}


def job_name(builder: MachineBuilder, key: str, job: TransformJob) -> Value:
    """The job's name; inside a map, a prefix plus a hash of the execution and the item's index (one per item)."""
    name: Name = job.name or default_name(builder.spec.project, key)
    if builder.in_map is None or name.prefix is None:
        return builder.name(key)
    # 32 hex characters whatever the index: the prefix keeps the length the spec allows (names stop at 63).
    return Value(
        f"States.Format('{name.prefix}-{{}}', States.Hash(States.Format('{{}}-{{}}', $$.Execution.Id, $.index), "
        "'MD5'))",
        dynamic=True,
    )


def model_name(builder: MachineBuilder, key: str, job: TransformJob) -> Value:
    """The model's name: the model step's, or the one given for a model made elsewhere."""
    if job.model is not None:
        return builder.name(job.model)
    assert job.model_name is not None
    if job.model_name.input is not None:
        builder.inputs.setdefault(job.model_name.input, key)
        return Value(f"$$.Execution.Input.{job.model_name.input}", dynamic=True)
    return Value(job.model_name.literal)


def data_location(builder: MachineBuilder, key: str, job: TransformJob) -> Value:
    """The input's S3 URI: as written, a processing output's (resolved here), from the execution input, or the map's
    current item."""
    location = job.input.s3
    if location.item_path is not None:
        return Value(location.item_path, dynamic=True)
    if location.input is not None:
        builder.plain_inputs.setdefault(location.input, key)
        return Value(f"$$.Execution.Input.{location.input}", dynamic=True)
    if location.reference is not None:
        return output_location(builder.spec.jobs, *location.reference)
    return Value(location.s3)


def transform(builder: MachineBuilder, key: str, job: TransformJob) -> list[StatePlan]:
    """createTransformJob: the model scores the input; the result keeps the job's name, ARN and output location."""
    # The template takes the spec's own fields, with the input's location resolved and both S3 URIs as s3_uri.
    processing = job.data_processing
    context = {
        "name": job_name(builder, key, job),
        "model_name": model_name(builder, key, job),
        "batch_strategy": job.batch_strategy,
        "max_payload_mb": job.max_payload_mb,
        "max_concurrent_transforms": job.max_concurrent_transforms,
        "environment": dict(job.environment),
        "input": {"s3_uri": data_location(builder, key, job), **job.input.model_dump(exclude={"s3"})},
        "output": {
            "s3_uri": execution_folder(job.output.s3) if job.output.per_execution else Value(job.output.s3),
            **job.output.model_dump(exclude={"s3", "per_execution"}),
        },
        "instance": job.instance.model_dump(),
        "data_processing": None if processing is None else processing.model_dump(),
    }
    sync = job.pattern == "sync"
    source = f"model '{job.model}'" if job.model is not None else "the model named in model_name"
    return [
        job_task(
            builder.target.partition,
            key,
            job,
            "sagemaker:createTransformJob",
            SYNC if sync else REQUEST_RESPONSE,
            "sagemaker/create-transform-job.json.j2",
            context,
            f"Run SageMaker transform job '{key}' with {source}"
            + (" and wait until it ends" if sync else " (returns when the job starts)"),
            TRANSFORM_RESULT if sync else TRANSFORM_STARTED,
        )
    ]
