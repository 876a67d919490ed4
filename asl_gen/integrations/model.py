"""The shape of a row of the integration table: the patterns, the call, the grants it needs and the roles it passes.

In resource templates, `{partition}`, `{region}` and `{account}` come from the project, and `{Param}` is the scope
derived from the Task's `Param` (or `Param.$`) value: the lowercased literal name, a `States.Format` template
with `*` for each `{}` (`evaluation/*/evaluation.json`), or `*`. `iam` interprets the rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

REQUEST_RESPONSE = ""
SYNC = ".sync"
SYNC2 = ".sync:2"
CALLBACK = ".waitForTaskToken"
PATTERNS = (SYNC2, SYNC, CALLBACK)

ALL_PATTERNS = frozenset({REQUEST_RESPONSE, SYNC, SYNC2, CALLBACK})
# The sets of patterns most rows support.
ONLY_REQUEST_RESPONSE = frozenset({REQUEST_RESPONSE})
REQUEST_RESPONSE_SYNC = frozenset({REQUEST_RESPONSE, SYNC})
RR_CALLBACK = frozenset({REQUEST_RESPONSE, CALLBACK})
ONLY_SYNC = frozenset({SYNC})

# The managed EventBridge rule through which a `.sync` call learns that its job ended.
EVENTS_ACTIONS = ("events:PutTargets", "events:PutRule", "events:DescribeRule")
_EVENTS_RULE = "arn:{partition}:events:{region}:{account}:rule/StepFunctionsGetEventsFor{rule}"
# The machine's own ARN, in a resource template: an HTTP Task is authorised against the state machine itself.
MACHINE = "{machine}"


class Context(Protocol):
    """Where the definition runs: every ARN template is filled from these."""

    @property
    def partition(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def account(self) -> str: ...


@dataclass(frozen=True)
class ArnParam:
    """A resource named by a request parameter that may hold a name, a partial ARN or a full ARN.

    `parameter` is a key of the request, or a path through lists such as `Entries[].EventBusName`.
    `literal` turns a constant value into ARNs; it returns None when the value is not a valid reference,
    which `iam` reports. `dynamic` is the template used when the value comes from a path or JSONata, and
    `absent` the one used when the request leaves the parameter out (None: `dynamic` again).
    """

    parameter: str
    literal: Callable[[str, Context], tuple[str, ...] | None]
    dynamic: str
    absent: str | None = None


@dataclass(frozen=True)
class RequestArns:
    """Resources built from several request parameters at once (an API Gateway route, an inventory's data files).

    `build` gets the request (constant values only: a value from a path or JSONata is absent from it, and
    `dynamic` lists those parameters) and returns the ARNs, or a message saying why the request names none.
    """

    parameters: tuple[str, ...]
    build: Callable[[Mapping[str, Any], frozenset[str], Context], tuple[str, ...] | str]


@dataclass(frozen=True)
class Condition:
    """One condition of a grant: `operator` `key` = `value`, where `{Param}` in `value` is the request's constant
    value of `Param`. When the request gives that parameter from a path, JSONata or not at all, the condition is
    left out (the grant is then only as narrow as its resource)."""

    operator: str
    key: str
    value: str


@dataclass(frozen=True)
class Grant:
    """Actions on resources that one call needs, for the patterns listed."""

    actions: tuple[str, ...]
    resources: tuple[str | ArnParam | RequestArns, ...]
    patterns: frozenset[str] = ALL_PATTERNS
    # Only when the request carries this parameter (e.g. `Tags` needs sagemaker:AddTags).
    when_parameter: str | None = None
    # Why the grant is on "*": required whenever `resources` is ("*",), and shown in the policy notes.
    unscoped_because: str | None = None
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class PassRole:
    """`iam:PassRole` on the role named by a request parameter (a key, or a path like `A.B` or `A[].B`).

    A parameter the request leaves out passes nothing, unless the service then uses a role named elsewhere
    (ECS takes the task's roles from the task definition): `any_role_when_absent` grants any role of the
    account, still only to that service. A role given by name (EMR's `ServiceRole`) is that role of the account.
    """

    parameter: str
    service: str
    any_role_when_absent: bool = False


@dataclass(frozen=True)
class Integration:
    """What asl-gen knows about one service call: its patterns, the IAM it needs, its required parameters."""

    service: str
    api: str
    patterns: frozenset[str]
    grants: tuple[Grant, ...]
    pass_roles: tuple[PassRole, ...] = ()
    sdk: bool = False
    # Parameters a request must carry; the spec and the validator report a missing one.
    required: tuple[str, ...] = ()
    # What else the call needs that no IAM statement of this role can give (shown in the README's table).
    note: str | None = None

    @property
    def key(self) -> str:
        return f"aws-sdk:{self.service}:{self.api}" if self.sdk else f"{self.service}:{self.api}"


def sdk(service: str, api: str, grants: tuple[Grant, ...], required: tuple[str, ...] = ()) -> Integration:
    """A row of the AWS SDK integration (`aws-sdk:<service>:<api>`)."""
    # AWS SDK integrations support request-response and .waitForTaskToken, never .sync.
    return Integration(service, api, RR_CALLBACK, grants, sdk=True, required=required)


def events_rule(rule: str, patterns: frozenset[str] = ONLY_SYNC, *, events: str = "Events") -> Grant:
    """The grant on the managed rule `StepFunctionsGetEventsFor<rule>` that a call waiting with `patterns` needs.

    A few services' rules say `GetEventFor` (`events="Event"`): EMR and CodeBuild, as their IAM pages name them.
    """
    template = _EVENTS_RULE.replace("GetEventsFor", f"Get{events}For").replace("{rule}", rule)
    return Grant(EVENTS_ACTIONS, (template,), patterns=patterns)


def action_of(service: str, api: str) -> str:
    """`<service>:<Api>`: the IAM action named like the API, first letter capitalised."""
    return f"{service}:{api[:1].upper()}{api[1:]}"
