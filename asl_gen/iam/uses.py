"""What each kind of SageMaker job uses as the SageMaker execution role: the S3 data it reads and writes, the
images it pulls, its VPC and its KMS keys. One function per job kind, in one table: a new job kind is one row.

Only literal S3 URIs can be granted here; a location taken from the execution input is granted through
`roles.sagemaker.reads` and `writes`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from asl_gen import spec as spec_model
from asl_gen.plan import image_of, model_image, processing_image


@dataclass
class JobUses:
    """The resources one job touches as the SageMaker role."""

    reads: list[str] = field(default_factory=list)
    writes: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    vpcs: list[spec_model.Vpc] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    # SNS topics SageMaker publishes to as the role (asynchronous inference's notifications).
    topics: list[str] = field(default_factory=list)
    # Whether the job writes CloudWatch logs and metrics without pulling an image of its own (a labeling job).
    logs: bool = False


def _literal(locations: list[spec_model.S3Location], spec: spec_model.Spec) -> list[str]:
    """The S3 URIs of locations known at build time (an execution input's is granted by roles.sagemaker.reads); a
    training (tuning) step's model artifacts are somewhere under its output prefix: that prefix."""
    found: list[str] = []
    for location in locations:
        source = spec.jobs.get(location.model_of or "")
        uri = spec_model.located_uri(spec.jobs, location)
        if isinstance(source, spec_model.TrainingJob):
            uri = source.output
        elif isinstance(source, spec_model.TuningJob):
            uri = source.training.output
        if uri is not None:
            found.append(uri)
    return found


def _training(spec: spec_model.Spec, job: spec_model.TrainingDefinition) -> JobUses:
    return JobUses(
        reads=_literal([channel.s3 for channel in job.channels.values()], spec),
        writes=[job.output],
        images=[image_of(spec, job)],
        vpcs=[job.vpc] if job.vpc is not None else [],
        keys=[job.kms_key] if job.kms_key is not None else [],
    )


def _tuning(spec: spec_model.Spec, job: spec_model.TuningJob) -> JobUses:
    # Every training job the tuning job starts runs as the SageMaker role, from the one training definition.
    return _training(spec, job.training)


def _processing(spec: spec_model.Spec, job: spec_model.ProcessingJob) -> JobUses:
    # The code is one more input SageMaker copies in; every output is uploaded under its prefix.
    return JobUses(
        reads=[
            *([job.code] if job.code is not None else []),
            *_literal([given.s3 for given in job.inputs.values()], spec),
        ],
        writes=[given.s3 for given in job.outputs.values()],
        images=[processing_image(spec, job)],
        vpcs=[job.vpc] if job.vpc is not None else [],
        keys=[job.kms_key] if job.kms_key is not None else [],
    )


def _model(spec: spec_model.Spec, job: spec_model.ModelJob) -> JobUses:
    # The model's container reads the artifacts when an endpoint or transform job starts it, as this role.
    reads: list[str] = []
    source = spec.jobs.get(job.from_ or "")
    if job.model_data is not None:
        reads.extend(_literal([job.model_data], spec))
    elif isinstance(source, spec_model.TrainingJob):
        reads.append(source.output)
    elif isinstance(source, spec_model.TuningJob):
        reads.append(source.training.output)
    return JobUses(reads=reads, images=[model_image(spec, job)], vpcs=[job.vpc] if job.vpc is not None else [])


def _labeling(spec: spec_model.Spec, job: spec_model.LabelingJob) -> JobUses:
    # Ground Truth reads, as this role, the manifest, the label categories, the worker task template and the objects
    # the manifest lists (workers' browsers fetch them through URLs the role signs), and writes the output, whose
    # worker answers it reads back to consolidate them. The AWS-owned PRE-/ACS- Lambda functions of a built-in task
    # type get no grant: AmazonSageMakerGroundTruthExecution (v3), which serves "any task type", grants
    # lambda:InvokeFunction only on functions named *GtRecipe*, *LabelingFunction* or *SageMaker* (its statement
    # "CustomLabelingJobs", for custom workflows' own functions); Ground Truth invokes its own functions itself.
    data = job.data if job.data is not None else job.manifest.rsplit("/", 1)[0] + "/"
    reads = [job.manifest, job.labels, data, job.output]
    if job.ui_template is not None:
        reads.append(job.ui_template)
    return JobUses(reads=reads, writes=[job.output], keys=[job.kms_key] if job.kms_key is not None else [], logs=True)


TRANSFORM_CALL = "sagemaker:createTransformJob"
TRANSFORM_INPUT = ("TransformInput", "DataSource", "S3DataSource", "S3Uri")
TRANSFORM_OUTPUT = ("TransformOutput", "S3OutputPath")


def _literal_at(parameters: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = parameters
    for key in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


def _call(spec: spec_model.Spec, job: spec_model.CallJob) -> JobUses | None:
    # A transform job runs as its model's role, reading its input and writing its output there.
    if job.resource.removeprefix("aws-sdk:") != TRANSFORM_CALL:
        return None
    uses = JobUses()
    for path, found in ((TRANSFORM_INPUT, uses.reads), (TRANSFORM_OUTPUT, uses.writes)):
        uri = _literal_at(job.parameters, path)
        if isinstance(uri, str) and spec_model.is_s3_uri(uri):
            found.append(uri)
    return uses


def _transform(spec: spec_model.Spec, job: spec_model.TransformJob) -> JobUses | None:
    # A transform job runs as its model's execution role (CreateTransformJob takes no role): it reads the input and
    # writes the output there. The model step already grants the model's image and artifacts. A model made
    # elsewhere (model_name) runs as a role the spec does not know: nothing is granted to this one for it.
    if job.model is None:
        return None
    location = job.input.s3
    read = location.s3
    if location.reference is not None:
        read = spec_model.processing_output_uri(spec.jobs, *location.reference)
    return JobUses(
        reads=[read] if read is not None else [],
        writes=[job.output.s3],
        keys=[job.output.kms_key] if job.output.kms_key is not None else [],
    )


def _endpoint_config(spec: spec_model.Spec, job: spec_model.EndpointConfigJob) -> JobUses:
    # SageMaker writes captured data and asynchronous responses, and publishes their notifications, as the execution
    # role of the models the endpoint serves: the spec's SageMaker role.
    uses = JobUses()
    capture = job.data_capture
    if capture is not None:
        uses.writes.append(capture.s3)
        uses.keys.extend([capture.kms_key] if capture.kms_key is not None else [])
    config = job.async_inference
    if config is not None:
        uses.writes.extend(uri for uri in (config.output, config.failure) if uri is not None)
        uses.keys.extend([config.kms_key] if config.kms_key is not None else [])
        if config.notify is not None:
            uses.topics.extend(t for t in (config.notify.success, config.notify.error) if t is not None)
    return uses


USES: Mapping[type[Any], Callable[[spec_model.Spec, Any], JobUses | None]] = {
    spec_model.TrainingJob: _training,
    spec_model.ProcessingJob: _processing,
    spec_model.TuningJob: _tuning,
    spec_model.ModelJob: _model,
    spec_model.TransformJob: _transform,
    spec_model.EndpointConfigJob: _endpoint_config,
    spec_model.CallJob: _call,
    spec_model.LabelingJob: _labeling,
}


def job_uses(spec: spec_model.Spec, job: spec_model.Job) -> JobUses | None:
    """What the job uses as the SageMaker role; None for a step that runs nothing as that role."""
    uses = USES.get(type(job))
    return uses(spec, job) if uses is not None else None
