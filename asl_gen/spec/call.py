"""Calls: any service integration asl-gen knows (or any AWS SDK call) as one Task state, with its request."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StringConstraints, field_validator, model_validator

from asl_gen.integrations import CALLBACK, REQUEST_RESPONSE, SYNC, SYNC2
from asl_gen.spec.base import RoleArn, show
from asl_gen.spec.step import Step

# How the spec spells each integration pattern, and the suffix the Task's Resource gets for it.
CALL_PATTERNS: Mapping[str, str] = {
    "request-response": REQUEST_RESPONSE,
    "sync": SYNC,
    "sync:2": SYNC2,
    "callback": CALLBACK,
}
CALL_RESOURCE = re.compile(r"^(?:aws-sdk:)?[a-z0-9]+(?:-[a-z0-9]+)*:[a-z][A-Za-z0-9]*$")
# Any ARN but a bare wildcard: these go into the policy as written.
DECLARED_ARN = re.compile(r"^arn:(aws|aws-cn|aws-us-gov):[a-z0-9-]+:[a-z0-9-]*:(\d{12}|\*)?:[^\s]+$")
TASK_TOKEN = "$$.Task.Token"
TIMEOUT_LIMIT = 99_999_999


Path = tuple[str | int, ...]


def dynamic_values(value: Any, where: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every `key.$` entry of a request or result selector with its path, nested objects and lists included."""
    if isinstance(value, dict):
        for key, item in value.items():
            if str(key).endswith(".$"):
                yield (*where, key), item
            else:
                yield from dynamic_values(item, (*where, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from dynamic_values(item, (*where, index))


def _objects(value: Any, where: Path = ()) -> Iterator[tuple[Path, dict[str, Any]]]:
    if isinstance(value, dict):
        yield where, value
        for key, item in value.items():
            yield from _objects(item, (*where, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _objects(item, (*where, index))


def _dotted(path: Path) -> str:
    """A path inside a request as a message writes it: `Message.$`, `Items[0].Id.$`."""
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" if i else str(p) for i, p in enumerate(path))


def _payload(value: dict[str, Any]) -> dict[str, Any]:
    for where, item in dynamic_values(value):
        if not isinstance(item, str) or not item.startswith(("$", "States.")):
            raise ValueError(
                f"{_dotted(where)} must be a path ($.field, $$.Execution.Input.Name) or an intrinsic function "
                f"(States.Format(...)), not {show(item)} (drop '.$' from the key to pass a constant)"
            )
    for where, node in _objects(value):
        doubled = sorted(k for k in node if isinstance(k, str) and k.endswith(".$") and k[:-2] in node)
        if doubled:
            raise ValueError(
                f"{_dotted(where) or 'the mapping'} sets both {doubled[0][:-2]!r} and {doubled[0]!r}; keep one"
            )
    return value


Payload = Annotated[
    dict[Annotated[str, StringConstraints(min_length=1, max_length=256)], Any], AfterValidator(_payload)
]


def _declared_arn(value: str) -> str:
    if not DECLARED_ARN.fullmatch(value):
        raise ValueError(
            f"{value!r} is not an ARN (write it out: arn:aws:s3:::my-bucket/reports/*); a bare '*' is never granted"
        )
    return value


DeclaredArn = Annotated[str, AfterValidator(_declared_arn)]


class CallJob(Step):
    state_name_example = "Notify Team"

    type: Literal["call"] = Field(
        description="Any service call asl-gen knows (Lambda, SNS, SQS, DynamoDB, ECS, Batch, Glue, EventBridge, "
        "Step Functions, AWS SDK), as one Task state"
    )
    resource: str = Field(
        description="The integration: service:api (lambda:invoke, sns:publish) or aws-sdk:service:apiName",
        examples=["sns:publish", "lambda:invoke", "aws-sdk:s3:getObject"],
    )
    pattern: Literal["request-response", "sync", "sync:2", "callback"] = Field(
        "request-response",
        description="How the state waits: request-response (the call returns), sync or sync:2 (the job ends) or "
        "callback (a task token comes back)",
        examples=["request-response", "sync", "callback"],
    )
    parameters: Payload = Field(
        {},
        description="The request, rendered as the Task's Parameters as written; keys ending in '.$' take a path "
        "or an intrinsic function",
        examples=[{"TopicArn": "arn:aws:sns:us-east-1:123456789012:deployments", "Message.$": "$.endpoint"}],
    )
    result_selector: Payload | None = Field(
        None,
        description="Reshape the result before it is kept under $.<job key>; keys ending in '.$' select from it",
        examples=[{"Payload.$": "$.Payload"}],
    )
    discard_result: bool = Field(
        False,
        description="Drop the call's result and pass the state's input on unchanged (ResultPath null)",
        examples=[True],
    )
    resources: Annotated[list[DeclaredArn], Field(min_length=1, max_length=50)] | None = Field(
        None,
        description="For an aws-sdk call asl-gen has no IAM row for: the ARNs it acts on, granted as written",
        examples=[["arn:aws:s3:::my-bucket/reports/*"]],
    )
    credentials: RoleArn | None = Field(
        None,
        description="ARN of a role the state assumes for the call (Task Credentials); the state machine's role may "
        "then assume it",
        examples=["arn:aws:iam::210987654321:role/cross-account-publisher"],
    )
    timeout_seconds: Annotated[int, Field(ge=1, le=TIMEOUT_LIMIT)] | None = Field(
        None, description="Fail the state with States.Timeout after this many seconds", examples=[3600]
    )
    heartbeat_seconds: Annotated[int, Field(ge=1, le=TIMEOUT_LIMIT)] | None = Field(
        None,
        description="Fail the state with States.HeartbeatTimeout when no heartbeat comes this long (callback)",
        examples=[300],
    )

    @field_validator("resource")
    @classmethod
    def _resource_form(cls, value: str) -> str:
        if not CALL_RESOURCE.fullmatch(value):
            raise ValueError(
                f"{value!r} is not an integration: write service:api (sns:publish) or aws-sdk:service:apiName "
                "(aws-sdk:s3:getObject), without arn:...:states::: and without a .sync suffix (use pattern)"
            )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> CallJob:
        if self.discard_result and self.result_selector is not None:
            raise ValueError("give result_selector or discard_result: true, not both (a dropped result needs no shape)")
        if (
            self.timeout_seconds is not None
            and self.heartbeat_seconds is not None
            and self.heartbeat_seconds >= self.timeout_seconds
        ):
            raise ValueError("heartbeat_seconds must be smaller than timeout_seconds, or the heartbeat can never fire")
        return self

    @property
    def suffix(self) -> str:
        """The Resource suffix of the chosen integration pattern."""
        return CALL_PATTERNS[self.pattern]


EXECUTION_INPUT = re.compile(r"\$\$\.Execution\.Input\.([A-Za-z][A-Za-z0-9_]*)")


def call_inputs(job: CallJob) -> list[str]:
    """The execution inputs a call reads through `$$.Execution.Input.<Name>`, in the order they appear."""
    found: list[str] = []
    for payload in (job.parameters, job.result_selector or {}):
        for _, value in dynamic_values(payload):
            for name in EXECUTION_INPUT.findall(str(value)):
                if name not in found:
                    found.append(name)
    return found
