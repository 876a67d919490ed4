"""The quality gate family: read a training job's final metric, or a value in a JSON report a processing step
wrote, and go on only if it passes the threshold.

Imports: integrations, spec
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from asl_gen.integrations import REQUEST_RESPONSE, task_resource
from asl_gen.plan.model import (
    ChoiceRule,
    ChoiceState,
    FailState,
    Goto,
    MapState,
    PassState,
    StatePlan,
    TaskState,
    Value,
)
from asl_gen.plan.request import describe_task, execution_folder, integration
from asl_gen.spec import (
    GATE_OPERATORS,
    GATE_STATES,
    REPORT_GATE_STATES,
    TUNING_GATE_STATES,
    QualityGateJob,
    ReportLocation,
    TuningJob,
    derived_state_name,
    per_execution_output,
    report_object,
    result_slot,
    state_name_of,
)

if TYPE_CHECKING:
    from asl_gen.plan.machine import MachineBuilder

GATE_FAILED = "QualityGate.Failed"
GET_OBJECT = "aws-sdk:s3:getObject"
GATE_NO_METRIC = "QualityGate.NoMetric"


def quality_gate(builder: MachineBuilder, key: str, job: QualityGateJob) -> list[StatePlan]:
    """The gate on its source: a training job's final metric, a tuning job's best objective value, or a value in
    a processing step's JSON report."""
    if job.report is not None:
        return report_gate(builder, key, job, job.report)
    if job.tuning is not None:
        return _tuning_gate(builder, key, job, job.tuning)
    return metric_gate(builder, key, job)


def metric_gate(builder: MachineBuilder, key: str, job: QualityGateJob) -> list[StatePlan]:
    """Read the training job's final metrics; go on if the metric passes the threshold, else fail.

    JSONPath filters (`[?(@.MetricName == ...)]`) are not part of the ASL spec's paths (statelint refuses them),
    so a small Map picks the metric out of FinalMetricDataList: each item keeps its Value if it is the metric.
    """
    assert job.training is not None and job.metric is not None
    own = state_name_of(key, job)
    slot = f"$.{result_slot(key)}"
    names = {s: derived_state_name(own, s) for s in GATE_STATES}
    needed = _needed(job)
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
            or f"Read the final metrics of training job '{job.training}' ({job.metric} must be {needed})",
            # No ResultSelector: SageMaker leaves FinalMetricDataList out when a job reported no metric, and a
            # selector path that matches nothing fails the execution with States.Runtime, which no Catch
            # sees. The whole description stays only until the Map below replaces it with the value.
            result_selector=None,
            result_path=slot,
            next=names["any metrics?"],
        ),
        _guard(
            names,
            "any metrics?",
            f"{slot}.FinalMetricDataList",
            ("IsPresent",),
            "find metric",
            f"Training job '{job.training}' may have reported no metric at all",
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
        *_verdict(
            job,
            names["passes?"],
            names["failed"],
            value,
            job.metric,
            failed_comment=f"{job.metric} of training job '{job.training}' is not {needed}",
            first=_lacking(names, value, "IsPresent"),
        ),
        FailState(
            name=names["no metric"],
            comment=f"Training job '{job.training}' reported no final {job.metric}",
            error=GATE_NO_METRIC,
            cause=f"Training job '{job.training}' reported no final value of {job.metric}, so the quality gate "
            f"cannot tell whether it is {needed}",
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
    needed = _needed(job)
    value = f"{builder.slot_path(source)}.BestObjectiveValue"
    return _verdict(
        job,
        own,
        failed,
        value,
        f"the best {metric}",
        comment=job.comment or f"Go on if the best {metric} of tuning job '{source}' is {needed}",
        failed_comment=f"The best {metric} of tuning job '{source}' is not {needed}",
    )


def report_gate(builder: MachineBuilder, key: str, job: QualityGateJob, report: ReportLocation) -> list[StatePlan]:
    """Read the JSON report from S3 (its literal object: the Step Functions role may read exactly that), keep the
    value at the dotted path, and go on if it passes the threshold (SageMaker Pipelines' PropertyFile + JsonGet).

    The object's body is text; `States.StringToJson` parses it in the ResultSelector. A Choice checks that the
    report holds a number there before a Pass keeps only it: a path that matches nothing would fail the Pass with
    States.Runtime, which no Catch sees.
    """
    assert job.value is not None
    found = report_object(builder.spec.jobs, report)
    assert found is not None, f"{key}: the reference checks let an unknown processing output through"
    bucket, object_key = found
    key_value = Value(object_key)
    if per_execution_output(builder.spec.jobs, report.from_, report.output):
        # This run's report, in the folder the processing step uploaded to (plan/request.py, output_location).
        key_value = execution_folder(object_key.removesuffix(report.file), report.file)
    where = dict([("Bucket", bucket), key_value.entry("Key")])
    own = state_name_of(key, job)
    slot = f"$.{result_slot(key)}"
    names = {s: derived_state_name(own, s) for s in REPORT_GATE_STATES}
    needed = _needed(job)
    source = f"{report.file} of processing step '{report.from_}'"
    in_report = f"{slot}.Report.{job.value}"
    value = f"{slot}.Value"
    return [
        TaskState(
            name=own,
            comment=job.comment or f"Read {source} ({job.value} must be {needed})",
            resource=task_resource(builder.target.partition, integration(GET_OBJECT), REQUEST_RESPONSE),
            template="call/parameters.json.j2",
            context={"parameters": where},
            result_selector={"Report.$": "States.StringToJson($.Body)"},
            result_path=slot,
            next=names["has value?"],
        ),
        _guard(
            names,
            "has value?",
            in_report,
            ("IsPresent", "IsNumeric"),
            "keep",
            f"The report may lack {job.value}, or hold something other than a number there",
        ),
        PassState(
            names["keep"],
            f"Keep only {job.value} of the report",
            {"Value.$": in_report},
            slot,
            next=names["passes?"],
        ),
        *_verdict(
            job,
            names["passes?"],
            names["failed"],
            value,
            job.value,
            failed_comment=f"{job.value} in {source} is not {needed}",
        ),
        FailState(
            name=names["no metric"],
            comment=f"{source} has no number at {job.value}",
            error=GATE_NO_METRIC,
            cause=f"{source} has no number at {job.value}, so the quality gate cannot tell whether it is {needed}",
        ),
    ]


def _verdict(
    job: QualityGateJob,
    name: str,
    failed: str,
    value: str,
    what: str,
    *,
    failed_comment: str,
    comment: str | None = None,
    first: tuple[ChoiceRule, ...] = (),
) -> list[StatePlan]:
    """Every gate's end: a Choice that goes on if the value at `value` passes the threshold (after the `first`
    rules), and the Fail it takes otherwise, whose cause shows `what` the value is and what the gate needed."""
    operator, _ = GATE_OPERATORS[job.operator]
    return [
        ChoiceState(
            name=name,
            comment=comment or f"Go on if {what} is {_needed(job)}",
            rules=(*first, ChoiceRule({"Variable": value, operator: job.threshold}, Goto.NEXT_STEP)),
            default=failed,
        ),
        FailState(
            name=failed,
            comment=failed_comment,
            error=GATE_FAILED,
            cause_path=f"States.Format('{what} is {{}}; the quality gate needs it {_needed(job)}', {value})",
        ),
    ]


def _needed(job: QualityGateJob) -> str:
    """What the gate needs of the value, in words: 'at least 0.8'."""
    return f"{GATE_OPERATORS[job.operator][1]} {job.threshold:g}"


def _lacking(names: Mapping[str, str], variable: str, *tests: str) -> tuple[ChoiceRule, ...]:
    """Choice rules that go to the gate's 'no metric' Fail when the value at `variable` fails any of `tests`
    (IsPresent, IsNumeric): the gate cannot judge a value it does not have."""
    return tuple(ChoiceRule({"Not": {"Variable": variable, test: True}}, names["no metric"]) for test in tests)


def _guard(
    names: Mapping[str, str], name: str, variable: str, tests: tuple[str, ...], default: str, comment: str
) -> ChoiceState:
    """The Choice `names[name]` after a gate's read: to 'no metric' when the value is lacking, else to `default`."""
    return ChoiceState(
        name=names[name], comment=comment, rules=_lacking(names, variable, *tests), default=names[default]
    )
