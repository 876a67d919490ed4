"""Rows for the services that carry messages and events: SNS, SQS, EventBridge and EventBridge Scheduler."""

from __future__ import annotations

import re
from dataclasses import replace

from asl_gen.integrations.model import RR_CALLBACK, ArnParam, Context, Grant, Integration, PassRole, sdk
from asl_gen.integrations.references import here, itself, named, reference

# ---- SNS ------------------------------------------------------------------------------------------------------

_SNS_TOPIC = reference("sns", "", r"[A-Za-z0-9_-]{1,256}(?:\.fifo)?", itself, bare=False)
# A TargetArn is a topic or a mobile platform endpoint (`endpoint/<platform>/<app>/<id>`).
_SNS_TARGET = reference(
    "sns", "", r"(?:endpoint/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/[A-Za-z0-9-]+|[A-Za-z0-9_-]{1,256}(?:\.fifo)?)",
    itself, bare=False,
)  # fmt: skip
SMS_WHY = "SMS messages sent with PhoneNumber have no topic or endpoint resource; IAM accepts only '*' for them"
SNS_PUBLISH = (
    Grant(("sns:Publish",), (ArnParam("TopicArn", _SNS_TOPIC, here("sns", "*")),), when_parameter="TopicArn"),
    Grant(("sns:Publish",), (ArnParam("TargetArn", _SNS_TARGET, here("sns", "*")),), when_parameter="TargetArn"),
    Grant(("sns:Publish",), ("*",), when_parameter="PhoneNumber", unscoped_because=SMS_WHY),
)

# ---- SQS ------------------------------------------------------------------------------------------------------

_QUEUE_URL = (
    r"https://(?:sqs\.(?P<region>[a-z]{2}(?:-[a-z]+)+-\d{1,2})|(?P<legacy>[a-z]{2}(?:-[a-z]+)+-\d{1,2})\.queue|queue)"
    r"\.amazonaws\.com(?:\.cn)?/(?P<account>\d{12})/(?P<name>[A-Za-z0-9_-]{1,80}(?:\.fifo)?)"
)


def _queue(value: str, target: Context) -> tuple[str, ...] | None:
    """`https://sqs.<region>.amazonaws.com/<account>/<name>`, or the legacy `<region>.queue` and `queue` hosts."""
    match = re.fullmatch(_QUEUE_URL, value)
    if match is None:
        return None
    # The region-less legacy host `queue.amazonaws.com` is us-east-1.
    region = match["region"] or match["legacy"] or "us-east-1"
    # A queue is reachable only inside the project's partition, whatever the URL's domain.
    return (f"arn:{target.partition}:sqs:{region}:{match['account']}:{match['name']}",)


SQS_QUEUE = ArnParam("QueueUrl", _queue, here("sqs", "*"))
SQS_SEND = (Grant(("sqs:SendMessage",), (SQS_QUEUE,)),)

# ---- EventBridge ----------------------------------------------------------------------------------------------

_event_bus = reference("events", "event-bus/", r"(?P<name>[A-Za-z0-9._/-]{1,256})", named("event-bus"))
EVENT_BUSES = ArnParam(
    "Entries[].EventBusName", _event_bus, here("events", "event-bus/*"), absent=here("events", "event-bus/default")
)
PUT_EVENTS = (Grant(("events:PutEvents",), (EVENT_BUSES,)),)

# ---- EventBridge Scheduler ------------------------------------------------------------------------------------

# A schedule is `schedule/<group>/<name>` (a request without `GroupName` is granted every group: `*`).
SCHEDULE = "arn:{partition}:scheduler:{region}:{account}:schedule/{GroupName}/{Name}"
# The schedule runs its target as the role it names, passed to EventBridge Scheduler.
CREATE_SCHEDULE = replace(
    sdk(
        "scheduler",
        "createSchedule",
        (Grant(("scheduler:CreateSchedule",), (SCHEDULE,)),),
        ("FlexibleTimeWindow", "Name", "ScheduleExpression", "Target"),
    ),
    pass_roles=(PassRole("Target.RoleArn", "scheduler.amazonaws.com"),),
)

# ---- Rows -----------------------------------------------------------------------------------------------------

OPTIMIZED: tuple[Integration, ...] = (
    Integration("sns", "publish", RR_CALLBACK, SNS_PUBLISH, required=("Message",)),
    Integration("sqs", "sendMessage", RR_CALLBACK, SQS_SEND, required=("QueueUrl", "MessageBody")),
    Integration("events", "putEvents", RR_CALLBACK, PUT_EVENTS, required=("Entries",)),
)

SDK: tuple[Integration, ...] = (
    sdk("sns", "publish", SNS_PUBLISH, ("Message",)),
    sdk("sqs", "sendMessage", SQS_SEND, ("QueueUrl", "MessageBody")),
    sdk("sqs", "receiveMessage", (Grant(("sqs:ReceiveMessage",), (SQS_QUEUE,)),), ("QueueUrl",)),
    sdk("sqs", "deleteMessage", (Grant(("sqs:DeleteMessage",), (SQS_QUEUE,)),), ("QueueUrl", "ReceiptHandle")),
    sdk("eventbridge", "putEvents", PUT_EVENTS, ("Entries",)),
    CREATE_SCHEDULE,
)
