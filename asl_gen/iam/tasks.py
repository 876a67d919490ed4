"""The needs of each state that calls a service: walk every Task (nested Parallel and Map included), find the
call's row in the integration table, and turn its grants into needs scoped by the request's parameters.

An unknown Resource is a problem naming the state, never a silent skip.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from asl_gen.errors import Problem, pointer_of
from asl_gen.iam.statements import Need, camel
from asl_gen.integrations import (
    ITEM_IO_BY_KEY,
    ArnParam,
    Context,
    Grant,
    Integration,
    SdkMappingError,
    find,
    parse_resource,
    sdk_actions,
)

_FORMAT_PREFIX = re.compile(r"^States\.Format\('((?:[^'{}\\]|\\.)*?)\{\}")
# The JSONata form of the same name asl-gen writes: `{% ("prefix-" & $hash(...)) %}`. Only a plain chain of
# concatenations keeps the literal as the start of the result (no comparison, condition or binding after it).
_JSONATA_PREFIX = re.compile(r'^\{% \("((?:[^"\\]|\\.)+)" & [^?=<>!;:]*\) %\}$')


def iter_tasks(
    definition: Mapping[str, Any], path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], Mapping[str, Any]]]:
    """Every state that calls a service, nested Parallel branches and Map processors included, with its path.

    That is each Task, and each Map's ItemReader and ResultWriter (objects with a Resource and Parameters or
    Arguments, like a Task's). A DISTRIBUTED Map itself is yielded too: it starts child executions.
    """
    states = definition.get("States")
    if not isinstance(states, Mapping):
        return
    for name, state in states.items():
        if not isinstance(state, Mapping):
            continue
        here = (*path, "States", name)
        kind = state.get("Type")
        if kind == "Task":
            yield here, state
        elif kind == "Parallel":
            for index, branch in enumerate(state.get("Branches") or []):
                if isinstance(branch, Mapping):
                    yield from iter_tasks(branch, (*here, "Branches", index))
        elif kind == "Map":
            if is_distributed(state):
                yield here, state
            for field in ("ItemReader", "ResultWriter"):
                io = state.get(field)
                if isinstance(io, Mapping) and "Resource" in io:
                    yield (*here, field), io
            for field in ("ItemProcessor", "Iterator"):
                processor = state.get(field)
                if isinstance(processor, Mapping):
                    yield from iter_tasks(processor, (*here, field))


def is_distributed(state: Mapping[str, Any]) -> bool:
    processor = state.get("ItemProcessor")
    config = processor.get("ProcessorConfig") if isinstance(processor, Mapping) else None
    return isinstance(config, Mapping) and config.get("Mode") == "DISTRIBUTED"


def _scope(parameters: Mapping[str, Any], name: str, lowercase: bool) -> str:
    """The ARN resource-name part a request parameter allows: exact literal, `prefix*`, or `*`."""
    if isinstance(parameters.get(name), str):
        literal: str = parameters[name]
        if literal.startswith("{%"):
            jsonata_match = _JSONATA_PREFIX.match(literal)
            if jsonata_match and not re.search(r"\b(and|or|in)\b", literal):
                prefix = str(json.loads(f'"{jsonata_match.group(1)}"'))
                return (prefix.lower() if lowercase else prefix) + "*"
            return "*"
        return literal.lower() if lowercase else literal
    expression = parameters.get(f"{name}.$")
    if isinstance(expression, str):
        match = _FORMAT_PREFIX.match(expression)
        if match and match.group(1):
            prefix = re.sub(r"\\(.)", r"\1", match.group(1))
            return (prefix.lower() if lowercase else prefix) + "*"
    return "*"


# A built-in algorithm's image when the region is open: registry, region and domain are placeholders.
def _fill(template: str, target: Context, parameters: Mapping[str, Any], lowercase: bool) -> str:
    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        if key == "partition":
            return target.partition
        if key == "region":
            return target.region
        if key == "account":
            return target.account
        return _scope(parameters, key, lowercase)

    # A prefix scope followed by a template's own `*` must not become `**`.
    return re.sub(r"\{(\w+)\}", replace, template).replace("**", "*")


_ABSENT = object()
_DYNAMIC = object()


def _parameter_values(parameters: Any, path: str) -> Iterator[object]:
    """The values at `path` (`A`, `A.B`, `A[].B`): a constant, `_DYNAMIC` for a path or JSONata, or `_ABSENT`."""
    if isinstance(parameters, str) and parameters.startswith("{%"):
        yield _DYNAMIC
        return
    if not isinstance(parameters, Mapping):
        yield _ABSENT
        return
    head, _, rest = path.partition(".")
    many = head.endswith("[]")
    key = head[:-2] if many else head
    if f"{key}.$" in parameters:
        yield _DYNAMIC
        return
    if key not in parameters:
        yield _ABSENT
        return
    value = parameters[key]
    if isinstance(value, str) and value.startswith("{%"):
        yield _DYNAMIC
        return
    items = value if many and isinstance(value, list) else [value]
    if many and not isinstance(value, list):
        yield _DYNAMIC
        return
    if not items:
        yield _ABSENT
    for item in items:
        if rest:
            yield from _parameter_values(item, rest)
        else:
            yield item


def _resolve(
    grant_resource: str | ArnParam, target: Context, request: Mapping[str, Any] | str, lowercase: bool
) -> Iterator[str | Problem]:
    parameters: Mapping[str, Any] = request if isinstance(request, Mapping) else {}
    if isinstance(grant_resource, str):
        yield _fill(grant_resource, target, parameters, lowercase)
        return
    for value in _parameter_values(request, grant_resource.parameter):
        if value is _ABSENT and grant_resource.absent is not None:
            yield _fill(grant_resource.absent, target, parameters, lowercase)
        elif isinstance(value, str) and value is not _ABSENT:
            arns = grant_resource.literal(value, target)
            if arns is None:
                yield Problem(
                    f"{grant_resource.parameter} {value!r} is not a name or ARN asl-gen can scope a policy to",
                    pointer=grant_resource.parameter.replace("[]", ""),
                    hint="give the resource's name or full ARN",
                )
            else:
                yield from arns
        else:
            yield _fill(grant_resource.dynamic, target, parameters, lowercase)


def _request(state: Mapping[str, Any]) -> Mapping[str, Any] | str:
    """The request: a mapping, or one JSONata string (`"Arguments": "{% ... %}"`) whose every value is dynamic."""
    parameters = state.get("Parameters", state.get("Arguments"))
    if isinstance(parameters, str) and parameters.strip().startswith("{%"):
        return parameters
    return parameters if isinstance(parameters, Mapping) else {}


def _origin(source: str | None, pointer: str) -> str:
    return f"{source or ''}#{pointer}"


def needs_of_task(
    path: tuple[str | int, ...],
    state: Mapping[str, Any],
    target: Context,
    source: str | None,
    machine_arn: str | None,
    resources: Mapping[str, tuple[str, ...]],
) -> Iterator[Need | Problem]:
    """What the state at `path` of `source` needs, or the problems that keep its call from being mapped.

    `machine_arn` is the ARN of the definition's own state machine (a Distributed Map starts executions of it);
    `resources` maps a state name to the ARNs a call asl-gen has no row for acts on.
    """
    pointer = pointer_of(path)
    origin = _origin(source, pointer)
    if state.get("Type") == "Map":
        yield from _distributed_map_needs(pointer, origin, target, source, machine_arn)
        return
    resource = state.get("Resource")
    parsed = parse_resource(resource) if isinstance(resource, str) else None
    is_item_io = path[-1] in ("ItemReader", "ResultWriter")
    integration: Integration | None = None
    if parsed is not None:
        integration = ITEM_IO_BY_KEY.get(parsed.key) if is_item_io else find(parsed.key)
    declared = resources.get(str(path[-1]))
    if parsed is not None and integration is None and declared is not None:
        at_resource = pointer_of((*path, "Resource"))
        yield from _declared_needs(parsed.key, declared, origin, source, at_resource)
        yield from _credentials_needs(state, target, origin)
        return
    if parsed is None or integration is None:
        yield Problem(
            f"no IAM mapping for Resource {resource!r}",
            file=source,
            pointer=pointer_of((*path, "Resource")),
            hint=_unknown_hint(parsed.key if parsed else None, is_item_io),
        )
        return
    if parsed.pattern not in integration.patterns:
        supported = ", ".join(sorted(p or "request-response" for p in integration.patterns))
        yield Problem(
            f"{integration.key} does not support {parsed.pattern}",
            file=source,
            pointer=pointer_of((*path, "Resource")),
            hint=f"supported: {supported}",
        )
        return
    request = _request(state)
    # A whole-JSONata request may carry any parameter: optional grants apply, every name is dynamic.
    parameters: Mapping[str, Any] = request if isinstance(request, Mapping) else {}
    lowercase = integration.service == "sagemaker"
    label = {"ItemReader": "ReadItems", "ResultWriter": "WriteResults"}.get(str(path[-1]), "")
    for grant in integration.grants:
        if not _applies(grant, parsed.pattern, parameters, whole_dynamic=isinstance(request, str)):
            continue
        for template in grant.resources:
            for arn in _resolve(template, target, request, lowercase):
                if isinstance(arn, Problem):
                    field = "Parameters" if "Parameters" in state else "Arguments"
                    where = pointer_of((*path, field, *str(arn.pointer).split(".")))
                    yield Problem(arn.message, file=source, pointer=where, hint=arn.hint)
                    continue
                for action in grant.actions:
                    yield Need(action, arn, "", label, origin, grant.unscoped_because)
    for pass_role in integration.pass_roles:
        condition = json.dumps({"StringEquals": {"iam:PassedToService": pass_role.service}}, sort_keys=True)
        label = "PassRoleTo" + camel(pass_role.service.split(".", 1)[0])
        for role in _parameter_values(request, pass_role.parameter):
            if role is _ABSENT and not pass_role.any_role_when_absent:
                continue
            # A role from a path, or one the service reads elsewhere: any role of this account, still only
            # passed to that service.
            literal = isinstance(role, str) and role is not _ABSENT and not role.startswith("{%")
            role_arn = str(role) if literal else f"arn:{target.partition}:iam::{target.account}:role/*"
            yield Need("iam:PassRole", role_arn, condition, label, origin)
    yield from _credentials_needs(state, target, origin)


def _applies(grant: Grant, pattern: str, parameters: Mapping[str, Any], *, whole_dynamic: bool) -> bool:
    if pattern not in grant.patterns:
        return False
    if grant.when_parameter is None or whole_dynamic:
        return True
    return grant.when_parameter in parameters or f"{grant.when_parameter}.$" in parameters


def _unknown_hint(key: str | None, is_item_io: bool) -> str:
    if is_item_io:
        return "an ItemReader reads with s3:getObject or s3:listObjectsV2; a ResultWriter writes with s3:putObject"
    if key is not None and key.startswith("aws-sdk:"):
        return (
            "asl-gen does not know which resources this SDK call acts on and will not grant it on '*'; "
            "declare them (spec `resources:`, or `asl-gen iam --resource 'STATE=ARN'`)"
        )
    return "asl-gen derives IAM only for the service integrations listed in docs/reference/integrations.md"


def _declared_needs(
    key: str, declared: tuple[str, ...], origin: str, source: str | None, pointer: str
) -> Iterator[Need | Problem]:
    """The declared ARNs of an `aws-sdk:` call with no row, granted the call's actions as IAM's catalogue names them.

    "*" is accepted only when every action takes no resource type (IAM authorizes it only on "*"); an ARN only
    when it is of one of each action's resource types.
    """
    from asl_gen import iam_catalogue

    try:
        actions = sdk_actions(key)
    except SdkMappingError as error:
        yield Problem(error.message, file=source, pointer=pointer, hint=error.hint)
        return
    for name in actions:
        action = iam_catalogue.action(name)
        formats = iam_catalogue.resource_formats(action) if action is not None else {}
        for arn in declared:
            if arn == "*":
                if formats:
                    yield Problem(
                        f"{name} takes resource types ({', '.join(formats)}), so asl-gen will not grant it on '*'",
                        file=source,
                        pointer=pointer,
                        hint="declare the ARNs it acts on, e.g. " + next(iter(formats.values())),
                    )
                    continue
                why = f"{name} has no resource type in IAM: it is authorized only on '*'"
                yield Need(name, "*", "", origin=origin, unscoped_because=why)
                continue
            if action is not None and not iam_catalogue.matching_resource_types(action, arn):
                expected = "; ".join(formats.values()) if formats else "'*' only"
                yield Problem(
                    f"{arn!r} is not a resource {name} acts on",
                    file=source,
                    pointer=pointer,
                    hint=f"{name} takes {expected}",
                )
                continue
            yield Need(name, arn, "", origin=origin)


def _credentials_needs(state: Mapping[str, Any], target: Context, origin: str) -> Iterator[Need]:
    """A Task with `Credentials` runs as another role: Step Functions must be allowed to assume it."""
    credentials = state.get("Credentials")
    if not isinstance(credentials, Mapping):
        return
    role = credentials.get("RoleArn")
    # A role from a path may live in any account: reaching other accounts is what Credentials is for.
    dynamic = f"arn:{target.partition}:iam::*:role/*"
    arn = role if isinstance(role, str) and not role.startswith("{%") else dynamic
    yield Need("sts:AssumeRole", arn, "", "AssumeTaskRoles", origin)


def _distributed_map_needs(
    pointer: str, origin: str, target: Context, source: str | None, machine_arn: str | None
) -> Iterator[Need | Problem]:
    """A Distributed Map runs its items as child executions of the same state machine.

    Their ARNs are `execution:<machine>/<map run label>:<id>`, hence `<machine>/*:*`; EXPRESS children are
    `express:<machine>/<label>:<id>:<express id>`, which only DescribeExecution accepts.
    """
    if machine_arn is None:
        yield Problem(
            "a Distributed Map starts executions of its own state machine, whose ARN is not known",
            file=source,
            pointer=pointer,
            hint="name the state machine (asl-gen iam --name NAME)",
        )
        return
    _, _, name = machine_arn.rpartition(":stateMachine:")
    states = f"arn:{target.partition}:states:{target.region}:{target.account}"
    yield Need("states:StartExecution", machine_arn, "", "StartMapRuns", origin)
    for action in ("states:DescribeExecution", "states:StopExecution"):
        yield Need(action, f"{states}:execution:{name}/*:*", "", "ManageMapRuns", origin)
    # Either kind of child, whatever ProcessorConfig says: the execution type may come from a path.
    yield Need("states:DescribeExecution", f"{states}:express:{name}/*:*:*", "", "ManageMapRuns", origin)
