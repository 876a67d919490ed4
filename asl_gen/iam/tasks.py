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
    RequestArns,
    SdkMappingError,
    find,
    lambda_resource,
    parse_resource,
    sdk_actions,
)

# The whole template of a `States.Format`: its result is the template with each `{}` filled, so the template with
# `*` in their place scopes it (`evaluation/*/evaluation.json`, not only `evaluation/*`).
_FORMAT_TEMPLATE = re.compile(r"^States\.Format\('((?:[^'\\]|\\.)*)'\s*,")
# The JSONata form of the same name asl-gen writes: `{% ("prefix-" & $hash(...)) %}`. Only a plain chain of
# concatenations keeps the literal as the start of the result (no comparison, condition or binding after it).
_JSONATA_PREFIX = re.compile(r'^\{% \("((?:[^"\\]|\\.)+)" & [^?=<>!;:]*\) %\}$')
# A JSONata expression that is one string literal is a constant: `{% 'child2' %}`.
_JSONATA_STRING = re.compile(r"""^\{%\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*%\}$""")
# A CloudFormation DefinitionSubstitutions / Terraform templatefile placeholder still in the definition: its value
# is only known at deployment, so it is treated like a value from a path (`asl-gen iam --placeholders`).
PLACEHOLDER = re.compile(r"\$\{[A-Za-z0-9_][A-Za-z0-9_.:-]*\}")
_ACTIVITY = re.compile(r"arn:[a-z-]+:states:[a-z0-9-]+:\d{12}:activity:[A-Za-z0-9_.-]{1,80}")


def fold_constants(value: Any) -> Any:
    """The request with every JSONata expression that is one string literal replaced by that string."""
    if isinstance(value, str):
        match = _JSONATA_STRING.match(value)
        if match is None:
            return value
        single, double = match.groups()
        if double is not None:
            return str(json.loads(f'"{double}"'))
        return re.sub(r"\\(.)", r"\1", single or "")
    if isinstance(value, Mapping):
        return {key: fold_constants(item) for key, item in value.items()}
    if isinstance(value, list):
        return [fold_constants(item) for item in value]
    return value


# The placeholders asl-gen itself writes into portable output (`asl_gen.placeholders`): they stand for where the
# machine runs, and a policy keeps them as they are for CloudFormation or Terraform to fill.
_OWN_PLACEHOLDERS = re.compile(r"\$\{(?:Partition|Region|AccountId|DnsSuffix|Registry[A-Za-z0-9]*)\}")


def _placeholder(value: str) -> re.Match[str] | None:
    """The first placeholder of a hand-written definition in `value` (not one asl-gen writes itself)."""
    return PLACEHOLDER.search(_OWN_PLACEHOLDERS.sub(lambda m: "_" * len(m.group(0)), value))


def _is_dynamic(value: str) -> bool:
    """A string whose value is known only at run time (JSONata) or at deployment (a placeholder)."""
    return value.startswith("{%") or _placeholder(value) is not None


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
            chain = _jsonata_scope(literal)
            if chain is not None:
                return chain.lower() if lowercase else chain
            jsonata_match = _JSONATA_PREFIX.match(literal)
            if jsonata_match and not re.search(r"\b(and|or|in)\b", literal):
                prefix = str(json.loads(f'"{jsonata_match.group(1)}"'))
                return (prefix.lower() if lowercase else prefix) + "*"
            return "*"
        placeholder = _placeholder(literal)
        if placeholder is not None:
            # Known at deployment only: the literal text before it is still a prefix.
            prefix = literal[: placeholder.start()]
            return ((prefix.lower() if lowercase else prefix) + "*") if prefix else "*"
        return literal.lower() if lowercase else literal
    expression = parameters.get(f"{name}.$")
    if isinstance(expression, str):
        whole = _FORMAT_TEMPLATE.match(expression)
        scope = _template_scope(whole.group(1)) if whole else None
        if scope is not None:
            return scope.lower() if lowercase else scope
    return "*"


def _template_scope(template: str) -> str | None:
    """A `States.Format` template as an IAM pattern (`_pattern`)."""
    # Imported here: a build whose definitions format no parameter the grants depend on does not load the parser.
    from asl_gen.lint.intrinsics import format_pieces

    return _pattern(format_pieces(template))


def _jsonata_scope(expression: str) -> str | None:
    """A JSONata chain of concatenations asl-gen writes (`("evaluation/" & $states.context.Execution.Name &
    "/evaluation.json")`) as an IAM pattern; None for anything else."""
    whole = re.fullmatch(r"\{% \((.*)\) %\}", expression, re.DOTALL)
    if whole is None:
        return None
    parts: list[str | None] = []
    for token in whole.group(1).split(" & "):
        if re.fullmatch(r'"(?:[^"\\]|\\.)*"', token):
            parts.append(str(json.loads(token)))
        elif re.fullmatch(r"\$[A-Za-z_][\w.]*", token):
            parts.append(None)
        else:
            return None
    return _pattern(parts)


def _pattern(parts: list[str | None]) -> str | None:
    """Known text and unknown values (None) as an IAM pattern: the text, `*` for each unknown. Text between two
    unknowns that holds no '/' says little and is dropped (`job-*-*` is `job-*`), so that a name scopes the same in
    both query languages; text after a '/' stays (`evaluation/*/evaluation.json`). None without an unknown."""
    if None not in parts:
        return None
    pattern = "".join("*" if part is None else part for part in parts)
    while (shorter := re.sub(r"\*[^/*]*\*", "*", pattern)) != pattern:
        pattern = shorter
    return pattern


# A built-in algorithm's image when the region is open: registry, region and domain are placeholders.
def _fill(
    template: str, target: Context, parameters: Mapping[str, Any], lowercase: bool, machine: str | None = None
) -> str:
    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        if key == "machine":
            return machine or f"arn:{target.partition}:states:{target.region}:{target.account}:stateMachine:*"
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
    if isinstance(value, str) and _is_dynamic(value):
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


def _constants(request: Mapping[str, Any] | str, names: tuple[str, ...]) -> tuple[dict[str, Any], frozenset[str]]:
    """The constant values of `names` in the request, and the names whose value comes from a path or JSONata."""
    found: dict[str, Any] = {}
    dynamic: set[str] = set()
    for name in names:
        values = list(_parameter_values(request, name))
        if any(v is _DYNAMIC for v in values):
            dynamic.add(name)
        elif values and values[0] is not _ABSENT:
            found[name] = values[0]
    return found, frozenset(dynamic)


def _resolve(
    grant_resource: str | ArnParam | RequestArns,
    target: Context,
    request: Mapping[str, Any] | str,
    lowercase: bool,
    machine: str | None = None,
) -> Iterator[str | Problem]:
    parameters: Mapping[str, Any] = request if isinstance(request, Mapping) else {}
    if isinstance(grant_resource, str):
        yield _fill(grant_resource, target, parameters, lowercase, machine)
        return
    if isinstance(grant_resource, RequestArns):
        constants, dynamic = _constants(request, grant_resource.parameters)
        built = grant_resource.build(constants, dynamic, target)
        if isinstance(built, str):
            yield Problem(built, pointer=grant_resource.parameters[0], hint="give the resource's name or full ARN")
        else:
            yield from built
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
    """The request: a mapping, or one JSONata string (`"Arguments": "{% ... %}"`) whose every value is dynamic.

    JSONata expressions that are one string literal are folded to that string first: they are constants.
    """
    parameters = fold_constants(state.get("Parameters", state.get("Arguments")))
    if isinstance(parameters, str) and parameters.strip().startswith("{%"):
        return parameters
    return parameters if isinstance(parameters, Mapping) else {}


def _condition(grant: Grant, request: Mapping[str, Any] | str) -> str:
    """The grant's condition block as canonical JSON: each condition whose `{Param}`s are all constants."""
    block: dict[str, dict[str, str]] = {}
    for condition in grant.conditions:
        names = re.findall(r"\{([\w.\[\]]+)\}", condition.value)
        constants, _ = _constants(request, tuple(names))
        if len(constants) != len(names) or not all(isinstance(v, str) for v in constants.values()):
            continue
        value = condition.value
        for name, constant in constants.items():
            value = value.replace("{" + name + "}", str(constant))
        block.setdefault(condition.operator, {})[condition.key] = value
    return json.dumps(block, sort_keys=True) if block else ""


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
    `resources` maps a state name to the ARNs a call asl-gen has no row for acts on (for a Distributed Map, the
    KMS key of its ItemReader's or ResultWriter's bucket).
    """
    pointer = pointer_of(path)
    origin = _origin(source, pointer)
    if state.get("Type") == "Map":
        yield from _distributed_map_needs(pointer, origin, target, source, machine_arn)
        return
    resource = state.get("Resource")
    is_item_io = path[-1] in ("ItemReader", "ResultWriter")
    if isinstance(resource, str) and not is_item_io:
        direct = _direct_resource(resource, target)
        if direct is not None:
            for arn in direct:
                yield Need("lambda:InvokeFunction", arn, "", "InvokeFunction", origin)
            yield from _credentials_needs(state, target, origin)
            return
        if _ACTIVITY.fullmatch(resource):
            # An activity's worker polls for the task (GetActivityTask) with its own credentials; the machine's role
            # needs nothing for it.
            yield from _credentials_needs(state, target, origin)
            return
    parsed = parse_resource(resource) if isinstance(resource, str) else None
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
            hint=_unknown_hint(parsed.key if parsed else None, is_item_io, resource),
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
        condition = _condition(grant, request)
        for template in grant.resources:
            # `{machine}` (the HTTP Task) is the machine's own ARN; any machine of the account when it is unknown.
            for granted in _resolve(template, target, request, lowercase, machine_arn):
                if isinstance(granted, Problem):
                    field = "Parameters" if "Parameters" in state else "Arguments"
                    where = pointer_of((*path, field, *str(granted.pointer).split(".")))
                    yield Problem(granted.message, file=source, pointer=where, hint=granted.hint)
                    continue
                for action in grant.actions:
                    yield Need(action, granted, condition, label, origin, grant.unscoped_because)
    if is_item_io:
        yield from _item_io_needs(path, state, target, origin, resources)
    for pass_role in integration.pass_roles:
        condition = json.dumps({"StringEquals": {"iam:PassedToService": pass_role.service}}, sort_keys=True)
        label = "PassRoleTo" + camel(pass_role.service.split(".", 1)[0])
        for role in _parameter_values(request, pass_role.parameter):
            if role is _ABSENT and not pass_role.any_role_when_absent:
                continue
            # A role from a path, or one the service reads elsewhere: any role of this account, still only
            # passed to that service.
            literal = isinstance(role, str) and role is not _ABSENT and not _is_dynamic(role)
            any_role = f"arn:{target.partition}:iam::{target.account}:role/*"
            role_arn = str(role) if literal else any_role
            if literal and not role_arn.startswith("arn:"):
                # A role given by name (EMR's ServiceRole, JobFlowRole) is that role of the account.
                role_arn = f"arn:{target.partition}:iam::{target.account}:role/{role_arn}"
            yield Need("iam:PassRole", role_arn, condition, label, origin)
    yield from _credentials_needs(state, target, origin)


def _direct_resource(resource: str, target: Context) -> tuple[str, ...] | None:
    """A Lambda function ARN used as the Task's Resource (the legacy form): the functions it invokes, or None.

    A placeholder in the name (`function:${Fn}`) makes it any function of that region and account.
    """
    if not re.match(r"arn:[a-z-]+:lambda:", resource):
        return None
    if _placeholder(resource):
        head = resource.split(":function:", 1)[0]
        return (f"{head}:function:*",) if _placeholder(head) is None else None
    return lambda_resource(resource, target)


def _item_io_needs(
    path: tuple[str | int, ...],
    io: Mapping[str, Any],
    target: Context,
    origin: str,
    resources: Mapping[str, tuple[str, ...]],
) -> Iterator[Need]:
    """What an ItemReader or ResultWriter needs beyond its S3 call: an S3 inventory's data files, and the KMS key
    of an SSE-KMS bucket (declared with `--resource 'MAP STATE=arn:…:kms:…:key/…'`)."""
    reader = path[-1] == "ItemReader"
    config = io.get("ReaderConfig")
    request = _request(io)
    parameters: Mapping[str, Any] = request if isinstance(request, Mapping) else {}
    manifest = config.get("ManifestType", "S3_INVENTORY") if isinstance(config, Mapping) else None
    if reader and isinstance(config, Mapping) and config.get("InputType") == "MANIFEST" and manifest == "S3_INVENTORY":
        # manifest.json lives at `<prefix>/<source bucket>/<config>/<date>/manifest.json`; the files it lists
        # at `<prefix>/<source bucket>/<config>/data/…`, in the same bucket.
        key = parameters.get("Key")
        bucket = parameters.get("Bucket")
        folder = "*"
        if isinstance(key, str) and not _is_dynamic(key) and key.count("/") >= 2:
            folder = key.rsplit("/", 2)[0] + "/data/*"
        name = bucket if isinstance(bucket, str) and not _is_dynamic(bucket) else "*"
        yield Need("s3:GetObject", f"arn:{target.partition}:s3:::{name}/{folder}", "", "ReadItems", origin)
    for arn in resources.get(str(path[-2]), ()):
        if ":kms:" not in arn:
            continue
        actions = ("kms:Decrypt",) if reader else ("kms:Decrypt", "kms:GenerateDataKey")
        for action in actions:
            yield Need(action, arn, "", "UseBucketKey", origin)


def _applies(grant: Grant, pattern: str, parameters: Mapping[str, Any], *, whole_dynamic: bool) -> bool:
    if pattern not in grant.patterns:
        return False
    if grant.when_parameter is None or whole_dynamic:
        return True
    return grant.when_parameter in parameters or f"{grant.when_parameter}.$" in parameters


def _unknown_hint(key: str | None, is_item_io: bool, resource: object = None) -> str:
    if isinstance(resource, str) and PLACEHOLDER.search(resource):
        names = ", ".join(m.group(0) for m in PLACEHOLDER.finditer(resource))
        return f"{names} is filled at deployment: give its value (asl-gen iam --sub NAME=VALUE)"
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
    arn = role if isinstance(role, str) and not _is_dynamic(role) else dynamic
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
    # RedriveExecution: a Map Run is redriven by redriving its child executions (AWS: "IAM policies for
    # redriving a Distributed Map").
    for action in ("states:DescribeExecution", "states:RedriveExecution", "states:StopExecution"):
        yield Need(action, f"{states}:execution:{name}/*:*", "", "ManageMapRuns", origin)
    # Either kind of child, whatever ProcessorConfig says: the execution type may come from a path.
    yield Need("states:DescribeExecution", f"{states}:express:{name}/*:*:*", "", "ManageMapRuns", origin)
