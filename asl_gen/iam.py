"""Least-privilege IAM derived from what the rendered definitions actually call, never from a hand-kept list."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from asl_gen import spec as spec_model
from asl_gen.errors import Problem, ValidationFailure, pointer_of
from asl_gen.integrations import ITEM_IO_BY_KEY, ArnParam, Context, Grant, Integration, find, parse_resource
from asl_gen.plan import ProjectPlan, image_of, model_image

# AWS counts inline policy size without white space; 10,240 characters is the per-role quota.
INLINE_POLICY_LIMIT = 10_240
STATES_PRINCIPAL = "states.amazonaws.com"
SAGEMAKER_PRINCIPAL = "sagemaker.amazonaws.com"
_FORMAT_PREFIX = re.compile(r"^States\.Format\('((?:[^'{}\\]|\\.)*?)\{\}")
# The JSONata form of the same name asl-gen writes: `{% ("prefix-" & $hash(...)) %}`. Only a plain chain of
# concatenations keeps the literal as the start of the result (no comparison, condition or binding after it).
_JSONATA_PREFIX = re.compile(r'^\{% \("((?:[^"\\]|\\.)+)" & [^?=<>!;:]*\) %\}$')


@dataclass(frozen=True)
class Statement:
    sid: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    condition: Mapping[str, Mapping[str, Any]] | None = None
    # Not part of the policy: which states need the statement, and why it is on "*" when it is.
    used_by: tuple[str, ...] = ()
    unscoped_because: str | None = None


@dataclass(frozen=True)
class Need:
    action: str
    resource: str
    condition: str  # canonical JSON of the condition block, "" for none
    label: str = ""  # Sid base for hand-described statements; derived from the ARN when empty
    origin: str = ""  # "<source>#<pointer>" of the state that needs it, or a setting such as "logging"
    unscoped_because: str | None = None


@dataclass(frozen=True)
class MachineAccess:
    """What the role needs beyond the Tasks: the machine's own ARN (Distributed Map), logging, tracing, KMS."""

    arn: str | None = None
    logging: bool = False
    tracing: bool = False
    kms_key: str | None = None


LOG_DELIVERY_ACTIONS = (
    "logs:CreateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:DescribeLogGroups",
    "logs:DescribeResourcePolicies",
    "logs:GetLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:UpdateLogDelivery",
)
LOG_DELIVERY_WHY = "CloudWatch Logs log-delivery actions have no resource type; IAM accepts only '*' for them"
XRAY_ACTIONS = ("xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:PutTelemetryRecords", "xray:PutTraceSegments")
XRAY_WHY = "X-Ray trace and sampling actions have no resource type; IAM accepts only '*' for them"


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
_OPEN_IMAGE = re.compile(r"^(\$\{\w+\})\.dkr\.ecr\.(\$\{\w+\})\.\$\{\w+\}/([a-z0-9]+(?:[._/-][a-z0-9]+)*)")


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


def _needs_of_task(
    path: tuple[str | int, ...],
    state: Mapping[str, Any],
    target: Context,
    source: str | None,
    access: MachineAccess,
    resources: Mapping[str, tuple[str, ...]],
) -> Iterator[Need | Problem]:
    pointer = pointer_of(path)
    origin = _origin(source, pointer)
    if state.get("Type") == "Map":
        yield from _distributed_map_needs(pointer, origin, target, source, access)
        return
    resource = state.get("Resource")
    parsed = parse_resource(resource) if isinstance(resource, str) else None
    is_item_io = path[-1] in ("ItemReader", "ResultWriter")
    integration: Integration | None = None
    if parsed is not None:
        integration = ITEM_IO_BY_KEY.get(parsed.key) if is_item_io else find(parsed.key)
    declared = resources.get(str(path[-1]))
    if parsed is not None and integration is None and declared is not None:
        yield from _declared_needs(parsed.key, declared, origin)
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
        label = "PassRoleTo" + _camel(pass_role.service.split(".", 1)[0])
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
    return "asl-gen derives IAM only for the service integrations listed in the README"


def _declared_needs(key: str, declared: tuple[str, ...], origin: str) -> Iterator[Need]:
    from asl_gen import services

    action = services.sdk_action(key)
    for arn in declared:
        yield Need(action, arn, "", origin=origin)


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
    pointer: str, origin: str, target: Context, source: str | None, access: MachineAccess
) -> Iterator[Need | Problem]:
    """A Distributed Map runs its items as child executions of the same state machine.

    Their ARNs are `execution:<machine>/<map run label>:<id>`, hence `<machine>/*:*`; EXPRESS children are
    `express:<machine>/<label>:<id>:<express id>`, which only DescribeExecution accepts.
    """
    if access.arn is None:
        yield Problem(
            "a Distributed Map starts executions of its own state machine, whose ARN is not known",
            file=source,
            pointer=pointer,
            hint="name the state machine (asl-gen iam --name NAME)",
        )
        return
    _, _, name = access.arn.rpartition(":stateMachine:")
    states = f"arn:{target.partition}:states:{target.region}:{target.account}"
    yield Need("states:StartExecution", access.arn, "", "StartMapRuns", origin)
    for action in ("states:DescribeExecution", "states:StopExecution"):
        yield Need(action, f"{states}:execution:{name}/*:*", "", "ManageMapRuns", origin)
    # Either kind of child, whatever ProcessorConfig says: the execution type may come from a path.
    yield Need("states:DescribeExecution", f"{states}:express:{name}/*:*:*", "", "ManageMapRuns", origin)


def _machine_needs(source: str, access: MachineAccess) -> Iterator[Need]:
    if access.logging:
        for action in LOG_DELIVERY_ACTIONS:
            yield Need(action, "*", "", "DeliverLogs", f"{source}#logging", LOG_DELIVERY_WHY)
    if access.tracing:
        for action in XRAY_ACTIONS:
            yield Need(action, "*", "", "SendTraces", f"{source}#tracing", XRAY_WHY)
    if access.kms_key is not None and access.arn is not None:
        condition = {"StringEquals": {"kms:EncryptionContext:aws:states:stateMachineArn": access.arn}}
        for action in ("kms:Decrypt", "kms:GenerateDataKey"):
            yield Need(
                action, access.kms_key, json.dumps(condition, sort_keys=True), "UseStateMachineKey", f"{source}#kms"
            )


def state_machine_statements(
    definitions: Mapping[str, Mapping[str, Any]],
    target: Context,
    machines: Mapping[str, MachineAccess] | None = None,
    resources: Mapping[str, tuple[str, ...]] | None = None,
) -> list[Statement]:
    """Statements the Step Functions role needs to run every Task of these definitions.

    `definitions` maps a source name (file or state machine) to its parsed definition; `machines` gives
    each source's own ARN and settings; `resources` maps a state name to the ARNs a call asl-gen has no
    row for acts on. Raises `ValidationFailure` naming each state whose call cannot be mapped.
    """
    return consolidate(state_machine_needs(definitions, target, machines, resources))


def state_machine_needs(
    definitions: Mapping[str, Mapping[str, Any]],
    target: Context,
    machines: Mapping[str, MachineAccess] | None = None,
    resources: Mapping[str, tuple[str, ...]] | None = None,
) -> list[Need]:
    """Each (action, resource, condition) some state or setting needs, before statements are merged."""
    needs: list[Need] = []
    problems: list[Problem] = []
    for source, definition in definitions.items():
        access = (machines or {}).get(source, MachineAccess())
        for path, state in iter_tasks(definition):
            for item in _needs_of_task(path, state, target, source, access, resources or {}):
                (problems if isinstance(item, Problem) else needs).append(item)  # type: ignore[arg-type]
        needs.extend(_machine_needs(source, access))
    if problems:
        # Two grants reading one bad parameter report it once.
        raise ValidationFailure(list(dict.fromkeys(problems)))
    return needs


def _covers(pattern: str, resource: str) -> bool:
    if pattern == "*":
        return True
    return pattern.endswith("*") and resource.startswith(pattern[:-1]) and pattern != resource


def consolidate(needs: Sequence[Need]) -> list[Statement]:
    """Merge needs into few statements: widest resource wins, actions sharing resources share a statement."""
    by_action: dict[tuple[str, str], set[str]] = {}
    labels: dict[str, str] = {}
    origins: dict[tuple[str, str], set[str]] = {}
    reasons: dict[str, str] = {}
    for need in needs:
        by_action.setdefault((need.action, need.condition), set()).add(need.resource)
        if need.origin:
            origins.setdefault((need.action, need.condition), set()).add(need.origin)
        if need.label:
            labels.setdefault(need.action, need.label)
        if need.unscoped_because and need.resource == "*":
            reasons.setdefault(need.action, need.unscoped_because)
    groups: dict[tuple[tuple[str, ...], str, str], list[str]] = {}
    for (action, condition), found in by_action.items():
        kept = tuple(sorted(r for r in found if not any(_covers(o, r) for o in found if o != r)))
        # Unrelated grants on "*" stay apart, so each such statement has one reason and an honest Sid.
        apart = labels.get(action, "") if kept == ("*",) else ""
        groups.setdefault((kept, condition, apart), []).append(action)

    def base_of(resources: tuple[str, ...], actions: list[str]) -> str:
        label = next((labels[a] for a in sorted(actions) if a in labels), "")
        return label or _sid_base(actions, resources)

    statements: list[Statement] = []
    used: set[str] = set()
    for (resources, condition, _), actions in sorted(groups.items(), key=lambda g: (base_of(g[0][0], g[1]), g[0])):
        base = base_of(resources, actions)
        sid, number = base, 1
        while sid in used:
            number += 1
            sid = f"{base}{number}"
        used.add(sid)
        used_by = sorted({o for a in actions for o in origins.get((a, condition), ())})
        why = next((reasons[a] for a in sorted(actions) if a in reasons), None) if resources == ("*",) else None
        statements.append(
            Statement(
                sid,
                tuple(sorted(actions)),
                resources,
                json.loads(condition) if condition else None,
                tuple(used_by),
                why,
            )
        )
    return statements


def _camel(text: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", text) if part)


def _sid_base(actions: Sequence[str], resources: Sequence[str]) -> str:
    if len(actions) == 1:
        return _camel(actions[0])
    services = sorted({a.split(":", 1)[0] for a in actions})
    kinds: list[str] = []
    for resource in resources:
        if resource == "*":
            kind = "AnyResource"
        else:
            tail = resource.split(":", 5)[-1]
            kind = _camel(tail.split("/", 1)[0]) if "/" in tail else _camel(tail.split(":", 1)[0])
        if kind not in kinds:
            kinds.append(kind)
    return _camel("-".join(services)) + "".join(kinds)


def machine_access(plan: ProjectPlan) -> dict[str, MachineAccess]:
    """Each machine's own ARN and the settings that need permissions, keyed like the definitions (`<key>.asl.json`)."""
    access: dict[str, MachineAccess] = {}
    for machine in plan.machines:
        settings = plan.spec.state_machines[machine.key]
        logging = settings.logging is not None and settings.logging.level != "OFF"
        access[f"{machine.key}.asl.json"] = MachineAccess(machine.arn, logging, settings.tracing, settings.kms_key)
    return access


def trust_policy_context(plan: ProjectPlan) -> dict[str, Any]:
    """Trust for the Step Functions role, limited to this account and these state machines."""
    return {
        "sid": "AllowStepFunctionsToAssumeRole",
        "service": STATES_PRINCIPAL,
        "account": plan.target.account,
        "source_arns": [arn for machine in plan.machines for arn in _callers(plan, machine.key, machine.arn)],
    }


def _callers(plan: ProjectPlan, key: str, arn: str) -> list[str]:
    """The ARNs a machine's executions may name: its own, and for a published machine its qualified ones.

    Step Functions authorizes a version or alias by the unqualified ARN, but an execution started through one
    runs as that version or alias; `name:*` keeps the trust on this machine's own qualifiers either way.
    """
    settings = plan.spec.state_machines[key]
    return [arn, f"{arn}:*"] if settings.publish else [arn]


def sagemaker_trust_policy_context(plan: ProjectPlan) -> dict[str, Any]:
    """Trust for the SageMaker execution role: SageMaker, acting for this account only.

    aws:SourceArn is left out on purpose: which ARN SageMaker reports differs by job type and feature
    (training job, endpoint, notebook), and a condition on a key the service does not send denies the role.
    """
    return {
        "sid": "AllowSageMakerToAssumeRole",
        "service": SAGEMAKER_PRINCIPAL,
        "account": plan.target.account,
        "source_arns": [],
    }


TRANSFORM_CALL = "sagemaker:createTransformJob"
TRANSFORM_INPUT = ("TransformInput", "DataSource", "S3DataSource", "S3Uri")
TRANSFORM_OUTPUT = ("TransformOutput", "S3OutputPath")


def _literal_at(parameters: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = parameters
    for key in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


def sagemaker_role_statements(plan: ProjectPlan) -> list[Statement]:
    """What the SageMaker execution role needs for the jobs and models of this spec, scoped to their data."""
    return _merge_list_bucket(consolidate(sagemaker_role_needs(plan)))


def sagemaker_role_needs(plan: ProjectPlan) -> list[Need]:
    """Each permission the SageMaker execution role needs, before statements are merged.

    A need's origin is the spec path of the job that needs it (`jobs.train`).
    """
    spec, target = plan.spec, plan.target
    reads: list[tuple[str, str]] = []
    writes: list[tuple[str, str]] = []
    images: list[tuple[str, str]] = []
    vpcs: list[tuple[spec_model.Vpc, str]] = []
    keys: list[tuple[str, str]] = []
    for key, job in spec.jobs.items():
        origin = f"jobs.{key}"
        if isinstance(job, spec_model.TrainingJob):
            reads.extend((channel.s3, origin) for channel in job.channels.values())
            writes.append((job.output, origin))
            images.append((image_of(spec, job), origin))
            if job.vpc is not None:
                vpcs.append((job.vpc, origin))
            if job.kms_key is not None:
                keys.append((job.kms_key, origin))
        elif isinstance(job, spec_model.ModelJob):
            if job.vpc is not None:
                vpcs.append((job.vpc, origin))
            source = spec.jobs.get(job.from_ or "")
            if job.model_data is not None:
                reads.append((job.model_data, origin))
            elif isinstance(source, spec_model.TrainingJob):
                reads.append((source.output, origin))
            images.append((model_image(spec, job), origin))
        elif isinstance(job, spec_model.CallJob) and job.resource.removeprefix("aws-sdk:") == TRANSFORM_CALL:
            # A transform job runs as its model's role, reading its input and writing its output there. Only
            # literal S3 URIs can be granted here; one taken from a path is granted through roles.sagemaker.reads
            # and writes.
            for path, found in ((TRANSFORM_INPUT, reads), (TRANSFORM_OUTPUT, writes)):
                uri = _literal_at(job.parameters, path)
                if isinstance(uri, str) and spec_model.is_s3_uri(uri):
                    found.append((uri, origin))
    # Locations known only at run time (an S3 URI from the execution input) are granted where the spec names them.
    role = spec.roles.sagemaker
    reads.extend((uri, f"roles.sagemaker.reads.{index}") for index, uri in enumerate(role.reads))
    writes.extend((uri, f"roles.sagemaker.writes.{index}") for index, uri in enumerate(role.writes))
    p = target.partition
    needs: list[Need] = []
    for uri, origin in reads:
        bucket, prefix = _split_s3(uri)
        needs.append(Need("s3:GetObject", f"arn:{p}:s3:::{bucket}/{prefix}*", "", "ReadData", origin))
        condition = json.dumps({"StringLike": {"s3:prefix": [f"{prefix}*"]}}, sort_keys=True)
        needs.append(Need("s3:ListBucket", f"arn:{p}:s3:::{bucket}", condition, origin=origin))
    for uri, origin in writes:
        bucket, prefix = _split_s3(uri)
        for action in ("s3:PutObject", "s3:AbortMultipartUpload"):
            needs.append(Need(action, f"arn:{p}:s3:::{bucket}/{prefix}*", "", "WriteOutput", origin))
    for image, origin in images:
        match = spec_model.ECR_IMAGE.match(image) or _OPEN_IMAGE.match(image)
        assert match is not None
        registry, region, repository = match.group(1), match.group(2), match.group(3)
        repository_arn = f"arn:{p}:ecr:{region}:{registry}:repository/{repository}"
        for action in ("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"):
            needs.append(Need(action, repository_arn, "", "PullImages", origin))
        needs.append(
            Need(
                "ecr:GetAuthorizationToken",
                "*",
                "",
                "RegistryLogin",
                origin,
                "GetAuthorizationToken has no resource type; it only logs in, the image pulls are scoped",
            )
        )
    log_groups = f"arn:{p}:logs:{target.region}:{target.account}:log-group:/aws/sagemaker/*"
    metrics = json.dumps({"StringLike": {"cloudwatch:namespace": "/aws/sagemaker/*"}}, sort_keys=True)
    for _, origin in images:
        for action in ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"):
            needs.append(Need(action, log_groups, "", "WriteLogs", origin))
        needs.append(
            Need(
                "cloudwatch:PutMetricData",
                "*",
                metrics,
                "PutMetrics",
                origin,
                "PutMetricData has no resource type; the condition limits it to SageMaker's namespaces",
            )
        )
    needs.extend(_vpc_needs(vpcs, target))
    needs.extend(_key_needs(keys))
    return needs


ENI_DESCRIBE_WHY = "EC2 Describe actions have no resource type; IAM accepts only '*' for them"


def _vpc_needs(vpcs: Sequence[tuple[spec_model.Vpc, str]], target: Context) -> Iterator[Need]:
    """SageMaker attaches network interfaces in the given subnets and security groups to reach the VPC."""
    ec2 = f"arn:{target.partition}:ec2:{target.region}:{target.account}"
    for vpc, origin in vpcs:
        create = [f"{ec2}:network-interface/*"] + [f"{ec2}:subnet/{s}" for s in vpc.subnets]
        create += [f"{ec2}:security-group/{g}" for g in vpc.security_groups]
        for resource in create:
            yield Need("ec2:CreateNetworkInterface", resource, "", "AttachToVpc", origin)
        for action in (
            "ec2:CreateNetworkInterfacePermission",
            "ec2:DeleteNetworkInterface",
            "ec2:DeleteNetworkInterfacePermission",
        ):
            yield Need(action, f"{ec2}:network-interface/*", "", "ManageNetworkInterfaces", origin)
        for action in (
            "ec2:DescribeDhcpOptions",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeSubnets",
            "ec2:DescribeVpcs",
        ):
            yield Need(action, "*", "", "DescribeVpc", origin, ENI_DESCRIBE_WHY)


def _key_needs(keys: Sequence[tuple[str, str]]) -> Iterator[Need]:
    """Artifacts and volumes encrypted with a customer key: SageMaker uses the key and grants itself its use."""
    condition = json.dumps({"Bool": {"kms:GrantIsForAWSResource": "true"}}, sort_keys=True)
    for key, origin in keys:
        for action in ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"):
            yield Need(action, key, "", "UseDataKeys", origin)
        yield Need("kms:CreateGrant", key, condition, "GrantKeyToSageMaker", origin)


def _merge_list_bucket(statements: list[Statement]) -> list[Statement]:
    """One ListBucket statement per bucket, with all of its prefixes in one condition."""
    merged: dict[tuple[str, ...], list[str]] = {}
    users: dict[tuple[str, ...], set[str]] = {}
    others: list[Statement] = []
    for statement in statements:
        if statement.actions == ("s3:ListBucket",) and statement.condition:
            prefixes = statement.condition["StringLike"]["s3:prefix"]
            merged.setdefault(statement.resources, []).extend(prefixes)
            users.setdefault(statement.resources, set()).update(statement.used_by)
        else:
            others.append(statement)
    for index, (resources, prefixes) in enumerate(sorted(merged.items())):
        unique = sorted(set(prefixes))
        kept = [x for x in unique if not any(o != x and x.startswith(o[:-1]) for o in unique)]
        sid = "ListData" + (str(index + 1) if index else "")
        condition = {"StringLike": {"s3:prefix": kept}}
        others.append(Statement(sid, ("s3:ListBucket",), resources, condition, tuple(sorted(users[resources]))))
    return sorted(others, key=lambda s: s.sid)


def _split_s3(uri: str) -> tuple[str, str]:
    match = spec_model.S3_URI.match(uri)
    assert match is not None
    return match.group(1), match.group(2) or ""


def check_size(policy: Mapping[str, Any], name: str) -> list[Problem]:
    """Inline policies are capped at 10,240 characters without white space."""
    size = len(json.dumps(policy, separators=(",", ":"), ensure_ascii=False))
    if size > INLINE_POLICY_LIMIT:
        return [
            Problem(
                f"policy is {size} characters; an inline role policy may hold {INLINE_POLICY_LIMIT}",
                file=name,
                hint="split the state machines across projects or use managed policies",
            )
        ]
    return []


@dataclass(frozen=True)
class DerivedPolicy:
    """The Step Functions role policy for definitions asl-gen did not necessarily write."""

    document: Any
    statements: tuple[Statement, ...]


def derive_for_files(
    paths: Sequence[tuple[Any, str]],
    target: Context,
    *,
    names: Mapping[str, str],
    access: MachineAccess,
    resources: Mapping[str, tuple[str, ...]],
    lines: Mapping[str, Mapping[str, tuple[int, int]]],
) -> DerivedPolicy:
    """Policy for already-parsed definitions: `paths` holds (data, display name) pairs, `names` each one's
    state machine name (for its own ARN), `lines` each one's pointer → (line, column) marks."""
    from asl_gen.lint import validate_definition, validate_policy
    from asl_gen.render import Renderer

    problems: list[Problem] = []
    definitions: dict[str, Mapping[str, Any]] = {}
    machines: dict[str, MachineAccess] = {}
    for data, source in paths:
        problems.extend(validate_definition(data, source=source, lines=lines.get(source)))
        definitions[source] = data
        arn = f"arn:{target.partition}:states:{target.region}:{target.account}:stateMachine:{names[source]}"
        machines[source] = MachineAccess(arn, access.logging, access.tracing, access.kms_key)
    if problems:
        raise ValidationFailure(problems)
    try:
        statements = state_machine_statements(definitions, target, machines, resources)
    except ValidationFailure as failure:
        raise ValidationFailure([_locate(p, lines) for p in failure.problems]) from None
    document = Renderer().render_json("iam/policy.json.j2", {"statements": statements})
    justified = [s.sid for s in statements if s.unscoped_because]
    found = validate_policy(document, source="policy", justified=justified) + check_size(document, "policy")
    if found:
        raise ValidationFailure(found)
    return DerivedPolicy(document, tuple(statements))


def _locate(problem: Problem, lines: Mapping[str, Mapping[str, tuple[int, int]]]) -> Problem:
    marks = lines.get(problem.file or "", {})
    pointer = problem.pointer
    # The nearest enclosing node that has a mark: a missing parameter is pointed at by its state.
    while pointer not in marks:
        parent = re.sub(r"(\.[^.\[]+|\[[^\]]*\]|\['(?:[^'\\]|\\.)*'\])$", "", pointer)
        if parent == pointer:
            break
        pointer = parent
    if pointer in marks:
        line, column = marks[pointer]
        return Problem(problem.message, problem.file, line, column, problem.pointer, problem.hint)
    return problem


_STATE_IN_POINTER = re.compile(r"States(?:\.([A-Za-z_$][\w$]*)|\['((?:[^'\\]|\\.)*)'\])")


def _origin_text(origin: str) -> str:
    """`pipeline.asl.json#$.States['Train'].ItemReader` → `pipeline.asl.json: Train (ItemReader)`."""
    source, found, pointer = origin.partition("#")
    if not found:
        return origin
    if not pointer.startswith("$"):
        return f"{source}: {pointer}" if source else pointer
    names = _STATE_IN_POINTER.findall(pointer)
    if not names:
        return source
    plain, quoted = names[-1]
    name = plain or re.sub(r"\\(.)", r"\1", quoted)
    for part in ("ItemReader", "ResultWriter"):
        if pointer.endswith(f".{part}"):
            name += f" ({part})"
    return f"{source}: {name}"


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("`", "'")


def explain(project: str, policies: Sequence[tuple[str, str, Sequence[Statement]]]) -> str:
    """Markdown saying, for each statement of each policy, which states or jobs need it and why any is on "*".

    `policies` holds (file, role description, statements) in the order to show them.
    """
    lines = [
        f"# IAM policies of {project}",
        "",
        "Written by asl-gen with the policies beside it; do not edit. Each statement is listed with what needs it.",
        'A statement on `"*"` is one whose actions have no resource type in IAM; its reason is given.',
    ]
    for path, role, statements in policies:
        lines += ["", f"## {path}", "", role, "", "| Sid | Actions | Resources | Needed by |", "|---|---|---|---|"]
        for statement in statements:
            actions = "<br>".join(f"`{_cell(a)}`" for a in statement.actions)
            resources = "<br>".join(f"`{_cell(r)}`" for r in statement.resources)
            if statement.condition:
                resources += "<br>if " + _cell(json.dumps(statement.condition, sort_keys=True))
            users = sorted({_origin_text(o) for o in statement.used_by})
            lines.append(f"| {statement.sid} | {actions} | {resources} | {'<br>'.join(_cell(u) for u in users)} |")
        unscoped = [s for s in statements if s.resources == ("*",)]
        if unscoped:
            lines += ["", 'On `"*"`:', ""]
            lines += [f"* {s.sid}: {s.unscoped_because or 'no reason recorded'}" for s in unscoped]
    return "\n".join(lines) + "\n"
