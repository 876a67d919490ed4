"""The tuning family: a SageMaker hyperparameter tuning job run to its end (`.sync`), then the lookup of its best
training job's artifacts, which the tuning job's description lacks.

Imports: integrations, spec
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from asl_gen.integrations import SYNC
from asl_gen.plan.model import Goto, StatePlan, Value
from asl_gen.plan.request import describe_task, job_task
from asl_gen.plan.training import definition_context
from asl_gen.spec import TUNING_STATES, Range, TuningJob, derived_state_name, hyperparameter_text, result_slot

if TYPE_CHECKING:
    from asl_gen.plan.machine import MachineBuilder

# What later steps read of a tuning job: its name and ARN, and its best training job's name and objective value.
# A tuning job that ends Completed has a best training job (one that reported the objective); when none did,
# SageMaker fails the tuning job, and the .sync Task fails with it.
TUNING_RESULT = {
    "TuningJobName.$": "$.HyperParameterTuningJobName",
    "TuningJobArn.$": "$.HyperParameterTuningJobArn",
    "BestTrainingJobName.$": "$.BestTrainingJob.TrainingJobName",
    "BestObjectiveValue.$": "$.BestTrainingJob.FinalHyperParameterTuningJobObjectiveMetric.Value",
}
BEST_JOB_SLOT = "BestTrainingJob"
BEST_JOB_RESULT = {"ModelDataUrl.$": "$.ModelArtifacts.S3ModelArtifacts"}


def _ranges(ranges: dict[str, Range]) -> dict[str, list[dict[str, Any]]]:
    """ParameterRanges: a list per kind of range the spec uses, values as the strings SageMaker takes."""
    found: dict[str, list[dict[str, Any]]] = {}
    for name, item in ranges.items():
        if item.categorical is not None:
            entry: dict[str, Any] = {"Name": name, "Values": [hyperparameter_text(v) for v in item.categorical]}
            found.setdefault("CategoricalParameterRanges", []).append(entry)
            continue
        low, high = item.bounds
        shown = [str(int(v)) if item.integer is not None else repr(float(v)) for v in (low, high)]
        entry = {"Name": name, "MinValue": shown[0], "MaxValue": shown[1], "ScalingType": item.scaling or "Auto"}
        kind = "IntegerParameterRanges" if item.integer is not None else "ContinuousParameterRanges"
        found.setdefault(kind, []).append(entry)
    order = ("ContinuousParameterRanges", "IntegerParameterRanges", "CategoricalParameterRanges")
    return {kind: found[kind] for kind in order if kind in found}


def tuning(builder: MachineBuilder, key: str, job: TuningJob) -> list[StatePlan]:
    """createHyperParameterTuningJob, run to its end; then describeTrainingJob of the best training job."""
    definition = job.training
    objective = job.objective
    context = {
        "name": builder.name(key),
        "strategy": job.strategy,
        "objective": {"type": objective.type, "metric": objective.metric},
        "max_jobs": job.max_jobs,
        "max_parallel_jobs": job.max_parallel_jobs,
        "max_runtime_seconds": job.max_runtime_seconds,
        "ranges": _ranges(dict(job.ranges)),
        "early_stopping": job.early_stopping,
        "definition": definition_context(builder, key, definition),
        "metric_definitions": (
            [{"Name": objective.metric, "Regex": objective.regex}] if objective.regex is not None else []
        ),
        "warm_start": (
            None
            if job.warm_start is None
            else {
                "type": job.warm_start.type,
                "parents": [{"HyperParameterTuningJobName": p} for p in job.warm_start.parents],
            }
        ),
    }
    create = job_task(
        builder.target.partition,
        key,
        job,
        "sagemaker:createHyperParameterTuningJob",
        SYNC,
        "sagemaker/create-hyper-parameter-tuning-job.json.j2",
        context,
        f"Run SageMaker tuning job '{key}' and wait until it ends; keep its best training job",
        TUNING_RESULT,
    )
    slot = f"$.{result_slot(key)}"
    best = derived_state_name(create.name, TUNING_STATES[0])
    return [
        replace(create, next=best),
        describe_task(
            builder.target.partition,
            "training",
            # The best job's name comes from the result: SageMaker names a tuning job's training jobs
            # '<tuning job name>-<number>-<hash>', so IAM sees a path here and grants training-job/*.
            Value(f"{slot}.BestTrainingJobName", dynamic=True),
            state=best,
            comment=f"Read the model artifacts of the best training job of tuning job '{key}'",
            result_selector=BEST_JOB_RESULT,
            result_path=f"{slot}.{BEST_JOB_SLOT}",
            next=Goto.NEXT_STEP,
        ),
    ]
