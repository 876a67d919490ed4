"""The quality gate family: read a training job's final metric and go on only if it passes the threshold.

Imports: spec
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from asl_gen.plan.model import ChoiceRule, ChoiceState, FailState, Goto, MapState, PassState, StatePlan
from asl_gen.plan.request import describe_task
from asl_gen.spec import (
    GATE_OPERATORS,
    GATE_STATES,
    TUNING_GATE_STATES,
    QualityGateJob,
    TuningJob,
    derived_state_name,
    result_slot,
    state_name_of,
)

if TYPE_CHECKING:
    from asl_gen.plan.machine import MachineBuilder

GATE_FAILED = "QualityGate.Failed"
GATE_NO_METRIC = "QualityGate.NoMetric"


def quality_gate(builder: MachineBuilder, key: str, job: QualityGateJob) -> list[StatePlan]:
    """Read the training job's final metrics; go on if the metric passes the threshold, else fail.

    JSONPath filters (`[?(@.MetricName == ...)]`) are not part of the ASL spec's paths (statelint refuses them),
    so a small Map picks the metric out of FinalMetricDataList: each item keeps its Value if it is the metric.
    """
    if job.tuning is not None:
        return _tuning_gate(builder, key, job, job.tuning)
    assert job.training is not None and job.metric is not None
    own = state_name_of(key, job)
    slot = f"$.{result_slot(key)}"
    names = {s: derived_state_name(own, s) for s in GATE_STATES}
    operator, words = GATE_OPERATORS[job.operator]
    threshold = job.threshold
    shown = f"{threshold:g}"
    value = f"{slot}.Value[0]"
    pick = (
        ChoiceState(
            name=names["is it?"],
            comment=f"Keep the value if this is {job.metric}",
            rules=(ChoiceRule({"Variable": "$.MetricName", "StringEquals": job.metric}, names["keep"]),),
            default=names["skip"],
        ),
        PassState(names["keep"], f"This is {job.metric}: keep its value", {"Value.$": "$.Value"}, "$", next=None),
        PassState(names["skip"], "Another metric: keep nothing", None, "$", next=None, result={}),
    )
    return [
        describe_task(
            builder.target.partition,
            "training",
            builder.name(job.training),
            state=own,
            comment=job.comment
            or f"Read the final metrics of training job '{job.training}' ({job.metric} must be {words} {shown})",
            # No ResultSelector: SageMaker leaves FinalMetricDataList out when a job reported no metric, and a
            # selector path that matches nothing fails the execution with States.Runtime, which no Catch
            # sees. The whole description stays only until the Map below replaces it with the value.
            result_selector=None,
            result_path=slot,
            next=names["any metrics?"],
        ),
        ChoiceState(
            name=names["any metrics?"],
            comment=f"Training job '{job.training}' may have reported no metric at all",
            rules=(
                ChoiceRule({"Not": {"Variable": f"{slot}.FinalMetricDataList", "IsPresent": True}}, names["no metric"]),
            ),
            default=names["find metric"],
        ),
        MapState(
            name=names["find metric"],
            comment=f"Find {job.metric} among the final metrics",
            items_path=f"{slot}.FinalMetricDataList",
            item_selector={"MetricName.$": "$$.Map.Item.Value.MetricName", "Value.$": "$$.Map.Item.Value.Value"},
            max_concurrency=0,
            processor=pick,
            result_path=slot,
            next=names["passes?"],
            # A list of one value when the job reported the metric, else an empty list.
            result_selector={"Value.$": "$[*].Value"},
        ),
        ChoiceState(
            name=names["passes?"],
            comment=f"Go on if {job.metric} is {words} {shown}",
            rules=(
                ChoiceRule({"Not": {"Variable": value, "IsPresent": True}}, names["no metric"]),
                ChoiceRule({"Variable": value, operator: threshold}, Goto.NEXT_STEP),
            ),
            default=names["failed"],
        ),
        FailState(
            name=names["failed"],
            comment=f"{job.metric} of training job '{job.training}' is not {words} {shown}",
            error=GATE_FAILED,
            cause_path=f"States.Format('{job.metric} is {{}}; the quality gate needs it {words} {shown}', {value})",
        ),
        FailState(
            name=names["no metric"],
            comment=f"Training job '{job.training}' reported no final {job.metric}",
            error=GATE_NO_METRIC,
            cause=f"Training job '{job.training}' reported no final value of {job.metric}, so the quality gate "
            f"cannot tell whether it is {words} {shown}",
        ),
    ]


def _tuning_gate(builder: MachineBuilder, key: str, job: QualityGateJob, source: str) -> list[StatePlan]:
    """Compare the best objective value the tuning step keeps in its result: a Choice, and a Fail if it misses.

    The tuning step ran earlier in this state machine (the spec checks that), and its result always holds the
    value: a tuning job ends Completed only with a best training job.
    """
    tuning = builder.spec.jobs[source]
    assert isinstance(tuning, TuningJob)
    metric = tuning.objective.metric
    own = state_name_of(key, job)
    failed = derived_state_name(own, TUNING_GATE_STATES[0])
    operator, words = GATE_OPERATORS[job.operator]
    threshold = job.threshold
    shown = f"{threshold:g}"
    value = f"{builder.slot_path(source)}.BestObjectiveValue"
    return [
        ChoiceState(
            name=own,
            comment=job.comment or f"Go on if the best {metric} of tuning job '{source}' is {words} {shown}",
            rules=(ChoiceRule({"Variable": value, operator: threshold}, Goto.NEXT_STEP),),
            default=failed,
        ),
        FailState(
            name=failed,
            comment=f"The best {metric} of tuning job '{source}' is not {words} {shown}",
            error=GATE_FAILED,
            cause_path=f"States.Format('the best {metric} is {{}}; the quality gate needs it {words} {shown}', "
            f"{value})",
        ),
    ]
