"""The jobs a spec may hold: the union Pydantic picks a job's model from by its `type`, and what jobs refer to."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Annotated

from pydantic import Field

from asl_gen.spec.base import StrictModel
from asl_gen.spec.call import CallJob
from asl_gen.spec.control import AslJob, MapJob, ParallelJob, QualityGateJob
from asl_gen.spec.dataflow import S3Location
from asl_gen.spec.endpoint import EndpointConfigJob, EndpointJob
from asl_gen.spec.labeling import LabelingJob
from asl_gen.spec.model import ModelJob, ModelPackageJob
from asl_gen.spec.processing import ProcessingJob
from asl_gen.spec.training import TrainingJob
from asl_gen.spec.transform import TransformJob
from asl_gen.spec.tuning import TuningJob

Job = Annotated[
    TrainingJob
    | ProcessingJob
    | TuningJob
    | ModelJob
    | EndpointConfigJob
    | EndpointJob
    | ModelPackageJob
    | TransformJob
    | LabelingJob
    | CallJob
    | QualityGateJob
    | ParallelJob
    | MapJob
    | AslJob,
    Field(discriminator="type"),
]
# Each job type and its model; a new kind of job is a new module and a row here and in `Job`.
JOB_MODELS: Mapping[str, type[StrictModel]] = {
    "training": TrainingJob,
    "processing": ProcessingJob,
    "tuning": TuningJob,
    "model": ModelJob,
    "endpoint-config": EndpointConfigJob,
    "endpoint": EndpointJob,
    "model-package": ModelPackageJob,
    "transform": TransformJob,
    "labeling": LabelingJob,
    "call": CallJob,
    "quality-gate": QualityGateJob,
    "parallel": ParallelJob,
    "map": MapJob,
    "asl": AslJob,
}
JOB_TYPES = tuple(JOB_MODELS)


def nested_steps(job: Job) -> list[list[str]]:
    """The lists of steps a Parallel (its branches) or a Map (its steps) runs inside itself."""
    if isinstance(job, ParallelJob):
        return [list(branch) for branch in job.branches]
    if isinstance(job, MapJob):
        return [list(job.steps)]
    return []


def references_of(job: Job) -> list[str]:
    """The jobs a step reads: their names or, for a model or model package, their (best) training artifacts."""
    if isinstance(job, EndpointConfigJob):
        return [v.model for v in job.variants]
    if isinstance(job, EndpointJob):
        return [job.config]
    if isinstance(job, ModelJob | ModelPackageJob) and job.from_ is not None:
        return [job.from_]
    if isinstance(job, QualityGateJob):
        return [source for source in (job.training, job.tuning) if source is not None]
    return []


def data_locations(job: Job) -> Iterator[tuple[tuple[str | int, ...], S3Location]]:
    """Every input-data location of a job, with its field path inside the job."""
    if isinstance(job, TrainingJob):
        for name, channel in job.channels.items():
            yield ("channels", name, "s3"), channel.s3
    if isinstance(job, TuningJob):
        # A tuning job's training jobs read its training definition's channels.
        for name, channel in job.training.channels.items():
            yield ("training", "channels", name, "s3"), channel.s3
    if isinstance(job, ProcessingJob):
        for name, item in job.inputs.items():
            yield ("inputs", name, "s3"), item.s3
    if isinstance(job, ModelJob | ModelPackageJob) and job.model_data is not None:
        yield ("model_data",), job.model_data


def model_references(job: Job) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """The training or tuning steps whose model artifacts a job reads as data: (field path inside the job, step)."""
    for path, location in data_locations(job):
        if location.model_of is not None:
            yield path, location.model_of


def data_references(job: Job) -> Iterator[tuple[tuple[str | int, ...], str, str]]:
    """The processing outputs a job reads: (field path inside the job, processing step, output name)."""
    for path, location in data_locations(job):
        if location.reference is not None:
            yield (path, *location.reference)
    if isinstance(job, TransformJob) and job.input.s3.reference is not None:
        yield (("input", "s3"), *job.input.s3.reference)
    if isinstance(job, QualityGateJob) and job.report is not None:
        yield ("report",), job.report.from_, job.report.output
