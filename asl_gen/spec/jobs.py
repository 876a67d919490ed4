"""The jobs a spec may hold: the union Pydantic picks a job's model from by its `type`, and what jobs refer to."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from pydantic import Field

from asl_gen.spec.base import StrictModel
from asl_gen.spec.call import CallJob
from asl_gen.spec.control import AslJob, MapJob, ParallelJob, QualityGateJob
from asl_gen.spec.endpoint import EndpointConfigJob, EndpointJob
from asl_gen.spec.labeling import LabelingJob
from asl_gen.spec.model import ModelJob, ModelPackageJob
from asl_gen.spec.training import TrainingJob
from asl_gen.spec.tuning import TuningJob

Job = Annotated[
    TrainingJob
    | TuningJob
    | ModelJob
    | EndpointConfigJob
    | EndpointJob
    | ModelPackageJob
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
    "tuning": TuningJob,
    "model": ModelJob,
    "endpoint-config": EndpointConfigJob,
    "endpoint": EndpointJob,
    "model-package": ModelPackageJob,
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
