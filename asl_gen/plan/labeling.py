"""The labeling family: a SageMaker Ground Truth labeling job for a built-in task type, run to its end (`.sync`).

Imports: catalog, integrations, spec
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from asl_gen import catalog
from asl_gen.integrations import SYNC
from asl_gen.plan.model import StatePlan
from asl_gen.plan.request import job_task, sagemaker_role_arn
from asl_gen.spec import LabelingJob, price_parts

if TYPE_CHECKING:
    from asl_gen.plan.machine import MachineBuilder

# DescribeLabelingJob's response, which .sync returns: the job's name and ARN, where the labeled data set's manifest
# is, and how many objects were labeled how.
LABELING_RESULT = {
    "LabelingJobName.$": "$.LabelingJobName",
    "LabelingJobArn.$": "$.LabelingJobArn",
    "OutputManifest.$": "$.LabelingJobOutput.OutputDatasetS3Uri",
    "LabelCounters.$": "$.LabelCounters",
}
CONTENT_CLASSIFIERS = (
    ("free_of_pii", "FreeOfPersonallyIdentifiableInformation"),
    ("free_of_adult_content", "FreeOfAdultContent"),
)


def labeling(builder: MachineBuilder, key: str, job: LabelingJob) -> list[StatePlan]:
    """createLabelingJob, run to its end; the result keeps the job's name, ARN, output manifest and counts."""
    region = builder.spec.aws.region
    assert region is not None, "the spec check requires a region for labeling jobs"
    resources = catalog.labeling_resources(job.task, region)
    stopping = {}
    if job.max_objects is not None:
        stopping["MaxHumanLabeledObjectCount"] = job.max_objects
    if job.max_percent_labeled is not None:
        stopping["MaxPercentageOfInputDatasetLabeled"] = job.max_percent_labeled
    context = {
        "name": builder.name(key),
        "label_attribute": job.attribute(),
        "content_classifiers": [value for flag, value in CONTENT_CLASSIFIERS if getattr(job, flag)],
        "manifest": job.manifest,
        "output_path": job.output,
        "kms_key": job.kms_key,
        "role_arn": sagemaker_role_arn(builder.spec),
        "labels": job.labels,
        "stopping_conditions": stopping,
        "workteam": job.workteam,
        "human_task_ui": resources.human_task_ui,
        "ui_template": job.ui_template,
        "pre_annotation": resources.pre_annotation,
        "consolidation": resources.consolidation,
        "keywords": list(job.keywords or []),
        "title": job.title,
        "description": job.description,
        "workers_per_object": job.workers_per_object,
        "task_time_limit_seconds": job.task_time_limit_seconds,
        "task_availability_seconds": job.task_availability_seconds,
        "max_concurrent_tasks": job.max_concurrent_tasks,
        "price": None if job.price_per_task is None else price_parts(job.price_per_task),
    }
    return [
        job_task(
            builder.target.partition,
            key,
            job,
            "sagemaker:createLabelingJob",
            SYNC,
            "sagemaker/create-labeling-job.json.j2",
            context,
            f"Run SageMaker Ground Truth labeling job '{key}' ({job.task}) and wait until it ends",
            LABELING_RESULT,
        )
    ]
