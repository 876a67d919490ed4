"""The requests a rendered state machine makes at run time, read from its DEFINITION, for the IAM oracle.

This module imports nothing from asl_gen: the actions, ARNs and context keys below follow AWS's documented needs
(/work/shared/reference/iam-facts.md: the Step Functions developer guide's IAM templates, CDK's task policies and
the service authorization reference), not asl-gen's integration table, so the oracle (tests/test_iam_oracle.py)
checks that table instead of repeating it. Each request comes with requests just outside its scope (another job's
name, another account, another role, PassRole to another service, another bucket or prefix), which a
least-privilege policy must deny.

Sample values for dynamic names: a name built from a fixed prefix and a hash (`States.Format('p-{}',
States.Hash(…))`, JSONata `"p-" & $hash(…)`) is `p-<32 hex>`; any other path or JSONata value is `sample-name`,
which any name is allowed to be, so only the other-account request is out of scope for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

HEX = "0123456789abcdef0123456789abcdef"  # an MD5 as States.Hash / $hash render it
SAMPLE = "sample-name"
OTHER_ACCOUNT = "999999999999"
SAGEMAKER = "sagemaker.amazonaws.com"


@dataclass(frozen=True)
class Target:
    partition: str
    region: str
    account: str


@dataclass(frozen=True)
class Request:
    action: str
    resource: str
    context: Mapping[str, str] = field(default_factory=dict)
    why: str = ""

    @property
    def account(self) -> str:
        parts = self.resource.split(":")
        return parts[4] if len(parts) > 4 and parts[4] else ""


@dataclass(frozen=True)
class Case:
    """A request the policy must allow, and requests just outside it the policy must deny."""

    allowed: Request
    outside: tuple[Request, ...]
    # (action, ARN pattern) this state may call because a name is dynamic: other states' out-of-scope requests
    # that fall in it are in scope for the policy, which serves every state machine of the project.
    scope: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Name:
    value: str
    fixed: bool  # the definition fixes the name (a literal, or a prefix and a hash): other names are out of scope
    other: str


def name_of(params: Mapping[str, Any], key: str) -> Name | None:
    """The sample value of parameter `key` (given as `key` or `key.$`), None when absent."""
    if key in params:
        value = params[key]
        if isinstance(value, str) and value.startswith("{%"):
            chain = re.fullmatch(r'\{% \((".*)\) %\}', value, re.DOTALL)
            match = re.match(r'\{%\s*\(?\s*"([^"]+)"\s*&\s*(\$hash\()?', value)
            if chain is not None and all(re.fullmatch(r'"[^"\\]*"|\$[\w.]+', t) for t in chain[1].split(" & ")):
                # Text and values, `"evaluation/" & $states.context.Execution.Name & "/evaluation.json"`.
                tokens = chain[1].split(" & ")
                text = "".join(t[1:-1] if t.startswith('"') else "{}" for t in tokens)
                return _filled(text, hashed=False)
            return _prefixed(match[1], bool(match[2])) if match else Name(SAMPLE, False, "")
        return Name(str(value), True, "other-" + str(value)) if isinstance(value, str) else None
    if key + ".$" in params:
        value = str(params[key + ".$"])
        # A fixed text with generated or input parts: `States.Format('p-{}', …)`, `States.Format('a/{}/b', …)`.
        match = re.match(r"States\.Format\('((?:[^'\\]|\\.)*)'", value)
        if match is None or "{}" not in match[1]:
            return Name(SAMPLE, False, "")
        return _filled(match[1], "States.Hash(" in value, "States.UUID()" in value)
    return None


def _filled(template: str, hashed: bool, uuid: bool = False) -> Name:
    """A template's sample: its text (escapes undone) with each `{}` a sample part, as `_prefixed` makes them."""
    prefix, _, rest = template.partition("{}")
    sample = _prefixed(re.sub(r"\\(.)", r"\1", prefix), hashed, uuid)
    tail = re.sub(r"\\(.)", r"\1", rest.replace("{}", "sample"))
    return Name(sample.value + tail, sample.fixed, sample.other + tail)


def _prefixed(prefix: str, hashed: bool, uuid: bool = False) -> Name:
    # An MD5 renders as 32 hex characters, the first group of a UUID as 8; anything else as a sample word.
    rest = HEX if hashed else HEX[:8] if uuid else "sample"
    return Name(prefix + rest, True, "other-" + rest)


def _other_account(arn: str) -> str | None:
    parts = arn.split(":")
    if len(parts) < 6 or not parts[4]:
        return None
    parts[4] = OTHER_ACCOUNT
    return ":".join(parts)


def _case(request: Request, *others: Request, account: bool = True) -> Case:
    outside = list(others)
    swapped = _other_account(request.resource) if account else None
    if swapped is not None:
        outside.append(Request(request.action, swapped, request.context, "another account"))
    return Case(request, tuple(outside))


def _named(action: str, arn_of: Any, name: Name, why: str, context: Mapping[str, str] | None = None) -> Case:
    """`action` on the resource `arn_of(name)`; out of scope: another name (when fixed) and another account."""
    context = context or {}
    others = [Request(action, arn_of(name.other), context, "another name")] if name.fixed else []
    case = _case(Request(action, arn_of(name.value), context, why), *others)
    return case if name.fixed else Case(case.allowed, case.outside, ((action, arn_of("*")),))


def _pass_role(role: str, why: str) -> Case:
    context = {"iam:PassedToService": SAGEMAKER}
    other_role = role.rsplit("/", 1)[0] + "/other-role"
    return _case(
        Request("iam:PassRole", role, context, why),
        Request("iam:PassRole", role, {"iam:PassedToService": "ec2.amazonaws.com"}, "PassRole to another service"),
        Request("iam:PassRole", other_role, context, "another role"),
    )


def _events_rule(t: Target, rule: str, why: str) -> Iterator[Case]:
    arn = f"arn:{t.partition}:events:{t.region}:{t.account}:rule/StepFunctionsGetEventsFor{rule}"
    other = arn.rsplit("/", 1)[0] + "/SomeoneElsesRule"
    for action in ("events:PutTargets", "events:PutRule", "events:DescribeRule"):
        yield _case(Request(action, arn, {}, why), Request(action, other, {}, "another rule"))


# SageMaker jobs: the Create API's parameter naming the job, the ARN resource type, the job type in the action
# names, and the managed rule (Step Functions developer guide, "sagemaker-iam"; iam-facts.md §1, §0.3).
JOBS = {
    "createTrainingJob": ("TrainingJobName", "training-job", "TrainingJob", "SageMakerTrainingJobsRule"),
    "createTransformJob": ("TransformJobName", "transform-job", "TransformJob", "SageMakerTransformJobsRule"),
    "createProcessingJob": ("ProcessingJobName", "processing-job", "ProcessingJob", "SageMakerProcessingJobsRule"),
    "createHyperParameterTuningJob": (
        "HyperParameterTuningJobName", "hyper-parameter-tuning-job", "HyperParameterTuningJob",
        "SageMakerTuningJobsRule",
    ),
    "createLabelingJob": ("LabelingJobName", "labeling-job", "LabelingJob", "SageMakerLabelingJobsRule"),
}  # fmt: skip


def _sagemaker_arn(t: Target, kind: str) -> Any:
    # SageMaker lowercases the names in its ARNs.
    return lambda name: f"arn:{t.partition}:sagemaker:{t.region}:{t.account}:{kind}/{name.lower()}"


def _roles(params: Mapping[str, Any], api: str) -> list[str]:
    if api == "createHyperParameterTuningJob":
        definitions = [params.get("TrainingJobDefinition") or {}, *(params.get("TrainingJobDefinitions") or [])]
        return [d["RoleArn"] for d in definitions if isinstance(d.get("RoleArn"), str)]
    role = params.get("ExecutionRoleArn" if api == "createModel" else "RoleArn")
    return [role] if isinstance(role, str) else []


def _sagemaker(api: str, pattern: str, params: Mapping[str, Any], t: Target, why: str) -> Iterator[Case] | None:
    if api in JOBS:
        name_key, kind, job, rule = JOBS[api]
        name = name_of(params, name_key)
        if name is None:
            return None
        arn = _sagemaker_arn(t, kind)
        actions = [f"sagemaker:Create{job}", "sagemaker:ListTags"]
        if pattern == ".sync":
            # Polling and cancelling, and Step Functions tags every job it runs.
            actions += [f"sagemaker:Describe{job}", f"sagemaker:Stop{job}", "sagemaker:AddTags"]
            if api == "createHyperParameterTuningJob":
                actions.append("sagemaker:ListTrainingJobsForHyperParameterTuningJob")
        elif "Tags" in params:
            actions.append("sagemaker:AddTags")  # CreateX with Tags also authorises AddTags
        cases = [_named(action, arn, name, why) for action in actions]
        if pattern == ".sync":
            cases += _events_rule(t, rule, why)
        # CreateTransformJob takes no role (the model's role runs it).
        cases += [_pass_role(role, why) for role in _roles(params, api) if api != "createTransformJob"]
        return iter(cases)
    if api in ("createModel", "createEndpointConfig"):
        key, kind = ("ModelName", "model") if api == "createModel" else ("EndpointConfigName", "endpoint-config")
        name = name_of(params, key)
        if name is None:
            return None
        action = "sagemaker:CreateModel" if api == "createModel" else "sagemaker:CreateEndpointConfig"
        actions = [action, "sagemaker:ListTags", *(["sagemaker:AddTags"] if "Tags" in params else [])]
        cases = [_named(a, _sagemaker_arn(t, kind), name, why) for a in actions]
        cases += [_pass_role(role, why) for role in _roles(params, api)]
        return iter(cases)
    if api in ("createEndpoint", "updateEndpoint"):
        endpoint, config = name_of(params, "EndpointName"), name_of(params, "EndpointConfigName")
        if endpoint is None or config is None:
            return None
        action = "sagemaker:CreateEndpoint" if api == "createEndpoint" else "sagemaker:UpdateEndpoint"
        # Authorised against the endpoint and against the config it reads.
        cases = [
            _named(action, _sagemaker_arn(t, "endpoint"), endpoint, why),
            _named(action, _sagemaker_arn(t, "endpoint-config"), config, why),
        ]
        if api == "createEndpoint":
            cases.append(_named("sagemaker:ListTags", _sagemaker_arn(t, "endpoint"), endpoint, why))
            if "Tags" in params:
                cases.append(_named("sagemaker:AddTags", _sagemaker_arn(t, "endpoint"), endpoint, why))
        return iter(cases)
    return None


SDK_DESCRIBE = {
    "describeEndpoint": ("EndpointName", "endpoint"),
    "describeEndpointConfig": ("EndpointConfigName", "endpoint-config"),
    "describeModel": ("ModelName", "model"),
    "describeTrainingJob": ("TrainingJobName", "training-job"),
    "describeProcessingJob": ("ProcessingJobName", "processing-job"),
    "describeTransformJob": ("TransformJobName", "transform-job"),
    "describeHyperParameterTuningJob": ("HyperParameterTuningJobName", "hyper-parameter-tuning-job"),
}


def _sdk(service: str, api: str, params: Mapping[str, Any], t: Target, why: str) -> Iterator[Case] | None:
    action = f"{service}:{api[0].upper()}{api[1:]}"
    if service == "sagemaker" and api in SDK_DESCRIBE:
        key, kind = SDK_DESCRIBE[api]
        name = name_of(params, key)
        return None if name is None else iter([_named(action, _sagemaker_arn(t, kind), name, why)])
    if service == "sagemaker" and api == "createModelPackage":
        group = name_of(params, "ModelPackageGroupName")
        if group is None or not group.fixed:
            return None
        # A new version of a group: authorised against the group and the new package (model-package/<group>/<n>).
        head = f"arn:{t.partition}:sagemaker:{t.region}:{t.account}"
        return iter(
            [
                _named(action, lambda n: f"{head}:model-package-group/{n.lower()}", group, why),
                _named(action, lambda n: f"{head}:model-package/{n.lower()}/1", group, why),
            ]
        )
    if service == "s3" and api in ("getObject", "putObject", "putObjectTagging", "deleteObject", "headObject"):
        bucket, obj_key = name_of(params, "Bucket"), name_of(params, "Key")
        if bucket is None or obj_key is None or not bucket.fixed:
            return None
        s3_action = "s3:GetObject" if api == "headObject" else action
        s3 = f"arn:{t.partition}:s3:::"
        obj = f"{s3}{bucket.value}/{obj_key.value}"
        others = [Request(s3_action, f"{s3}other-{bucket.value}/{obj_key.value}", {}, "another bucket")]
        if obj_key.fixed:
            others.append(Request(s3_action, f"{s3}{bucket.value}/{obj_key.other}", {}, "another key"))
        return iter([Case(Request(s3_action, obj, {}, why), tuple(others))])
    return None


def _sqs_arn(url: str, t: Target) -> str | None:
    match = re.fullmatch(r"https://sqs\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/(\d{12})/([\w-]+(?:\.fifo)?)", url)
    if match is None:
        return None
    return f"arn:{partition_of(match[1])}:sqs:{match[1]}:{match[2]}:{match[3]}"


def partition_of(region: str) -> str:
    return "aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov-") else "aws"


def _lambda_arn(value: str, t: Target) -> str | None:
    if value.startswith("arn:"):
        return value
    match = re.fullmatch(r"(?:(\d{12}):function:)?([\w-]+)(:[\w$-]+)?", value)
    if match is None:
        return None
    return f"arn:{t.partition}:lambda:{t.region}:{match[1] or t.account}:function:{match[2]}{match[3] or ''}"


# An optimized call on one named resource: its action, the parameter naming it, how a constant value becomes an
# ARN, and the ARN of a name from the input (in the machine's own region and account).
OPTIMIZED: dict[tuple[str, str], tuple[str, str, Any, str]] = {
    ("sns", "publish"): ("sns:Publish", "TopicArn", lambda v, t: v, "arn:{p}:sns:{r}:{a}:{name}"),
    ("sqs", "sendMessage"): ("sqs:SendMessage", "QueueUrl", _sqs_arn, "arn:{p}:sqs:{r}:{a}:{name}"),
    ("lambda", "invoke"): (
        "lambda:InvokeFunction", "FunctionName", _lambda_arn, "arn:{p}:lambda:{r}:{a}:function:{name}"
    ),
}  # fmt: skip


def _optimized(service: str, api: str, params: Mapping[str, Any], t: Target, why: str) -> Iterator[Case] | None:
    if (service, api) not in OPTIMIZED:
        return None
    action, key, parse, dynamic = OPTIMIZED[(service, api)]
    name = name_of(params, key)
    if name is None:
        return None
    if not name.fixed:
        arn = dynamic.format(p=t.partition, r=t.region, a=t.account, name=SAMPLE)
        scope = ((action, dynamic.format(p=t.partition, r=t.region, a=t.account, name="*")),)
        return iter(
            [Case(_case(Request(action, arn, {}, why)).allowed, _case(Request(action, arn, {}, why)).outside, scope)]
        )
    arn = parse(name.value, t)
    if arn is None:
        return None
    others = []
    if service == "lambda":
        others.append(Request(action, arn.split(":function:")[0] + ":function:other-function", {}, "another function"))
    else:
        others.append(Request(action, arn.rsplit(":", 1)[0] + ":other-" + arn.rsplit(":", 1)[1], {}, "another name"))
    return iter([_case(Request(action, arn, {}, why), *others)])


PATTERN = re.compile(r"(\.sync(?::2)?|\.waitForTaskToken)$")


def task_cases(state: Mapping[str, Any], t: Target, why: str) -> Iterator[Case] | None:
    """The requests one Task state makes; None when this module cannot derive them (the caller counts those)."""
    resource = state.get("Resource", "")
    if not isinstance(resource, str) or ":states:::" not in resource:
        return None
    rest = resource.split(":states:::", 1)[1]
    pattern_match = PATTERN.search(rest)
    pattern = pattern_match[1] if pattern_match else ""
    rest = rest[: len(rest) - len(pattern)]
    params = state.get("Parameters") or state.get("Arguments") or {}
    if not isinstance(params, dict):
        return None
    parts = rest.split(":")
    if parts[0] == "aws-sdk" and len(parts) == 3:
        return _sdk(parts[1], parts[2], params, t, why)
    if len(parts) == 2 and parts[0] == "sagemaker":
        return _sagemaker(parts[1], pattern, params, t, why)
    if len(parts) == 2:
        return _optimized(parts[0], parts[1], params, t, why)
    return None


def tasks(states: Mapping[str, Any], where: str = "") -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every Task state, with Parallel branches and Map processors walked."""
    for name, state in states.items():
        if state.get("Type") == "Task":
            yield f"{where}{name}", state
        for branch in state.get("Branches", []):
            yield from tasks(branch["States"], f"{where}{name}/")
        for key in ("Iterator", "ItemProcessor"):
            if key in state:
                yield from tasks(state[key]["States"], f"{where}{name}/")


# --- The SageMaker execution role: what the jobs it runs read and write ------------------------------------------

LOG_GROUPS = {
    "createTrainingJob": "TrainingJobs",
    "createHyperParameterTuningJob": "TrainingJobs",
    "createProcessingJob": "ProcessingJobs",
    "createTransformJob": "TransformJobs",
    "createLabelingJob": "LabelingJobs",
}
READ_KEYS = {"S3Uri", "ManifestS3Uri", "LabelCategoryConfigS3Uri", "ModelDataUrl"}
WRITE_KEYS = {"S3OutputPath"}


def _s3_uris(node: Any, writing: bool = False) -> Iterator[tuple[str, bool]]:
    """(uri, written) for every constant S3 location in a job's parameters; outputs are written, the rest read."""
    if isinstance(node, list):
        for item in node:
            yield from _s3_uris(item, writing)
    elif isinstance(node, dict):
        for key, value in node.items():
            inside = writing or key in ("ProcessingOutputConfig", "OutputDataConfig", "OutputConfig", "S3Output")
            if isinstance(value, str) and value.startswith("s3://") and key in READ_KEYS | WRITE_KEYS:
                yield value, inside or key in WRITE_KEYS
            else:
                yield from _s3_uris(value, inside)


def _object(uri: str, written: bool) -> tuple[str, str]:
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    key = key.rstrip("/")
    leaf = key.rsplit("/", 1)[-1]
    # A prefix names a folder of objects; a key with an extension is the object itself.
    return bucket, key if "." in leaf else f"{key}/{'sample-job/output/model.tar.gz' if written else 'part-0.csv'}"


def spec_reads(spec: Mapping[str, Any]) -> list[str]:
    """S3 prefixes the spec says the SageMaker role reads beyond the jobs' own parameters: `roles.sagemaker.reads`
    (data that reaches a job through the execution input), and a labeling job's `data`, the objects its manifest
    lists (default: the manifest's folder)."""
    reads = list(((spec.get("roles") or {}).get("sagemaker") or {}).get("reads") or [])
    for job in (spec.get("jobs") or {}).values():
        if isinstance(job, dict) and job.get("type") == "labeling" and isinstance(job.get("manifest"), str):
            reads.append(job.get("data") or job["manifest"].rsplit("/", 1)[0] + "/")
    return reads


def runs_elsewhere(spec: Mapping[str, Any]) -> set[str]:
    """The states of transform jobs on a model made elsewhere (`model_name`): the model's own role runs them."""
    jobs = (spec.get("jobs") or {}).items()
    return {job.get("state_name") or key for key, job in jobs if isinstance(job, dict) and "model_name" in job}


def sagemaker_role_cases(
    definitions: Mapping[str, Mapping[str, Any]], t: Target, spec: Mapping[str, Any]
) -> tuple[list[Case], int]:
    """The requests the jobs of these definitions make as the SageMaker execution role, and how many S3
    locations were dynamic (from the input or a previous state: no constant to request)."""
    cases: list[Case] = []
    dynamic = 0
    p = t.partition
    reads = spec_reads(spec)
    for prefix in reads:
        bucket, _, key = prefix.removeprefix("s3://").partition("/")
        inside = Request("s3:GetObject", f"arn:{p}:s3:::{bucket}/{key}sample-object", {}, f"spec: {prefix}")
        elsewhere_bucket = Request(
            "s3:GetObject", f"arn:{p}:s3:::other-{bucket}/{key}sample-object", {}, "another bucket"
        )
        cases.append(_case(inside, elsewhere_bucket))
    elsewhere = runs_elsewhere(spec)
    for file, definition in sorted(definitions.items()):
        for where, state in tasks(definition["States"]):
            if where.rsplit("/", 1)[-1] in elsewhere:
                continue
            resource = str(state.get("Resource", ""))
            api = PATTERN.sub("", resource.split(":::")[-1]).removeprefix("sagemaker:")
            if not resource.split(":::")[-1].startswith("sagemaker:create"):
                continue
            why = f"{file}: {where} ({api}) as the SageMaker role"
            params = state.get("Parameters") or state.get("Arguments") or {}
            dynamic += sum(1 for key in _keys(params) if key.removesuffix(".$") in READ_KEYS | WRITE_KEYS | {
                "S3Uri"} and key.endswith(".$"))  # fmt: skip
            for uri, written in _s3_uris(params):
                bucket, key = _object(uri, written)
                action = "s3:PutObject" if written else "s3:GetObject"
                # The location's sibling: the same parent, another last segment.
                parent, _, leaf = uri.removeprefix("s3://").partition("/")[2].rstrip("/").rpartition("/")
                sibling = f"{parent}/other-{leaf}/x".lstrip("/")
                siblings = [] if any(f"s3://{bucket}/{sibling}".startswith(r) for r in reads) else [
                    Request(action, f"arn:{p}:s3:::{bucket}/{sibling}", {}, "a sibling prefix")]  # fmt: skip
                cases.append(
                    Case(
                        Request(action, f"arn:{p}:s3:::{bucket}/{key}", {}, f"{why}: {uri}"),
                        (Request(action, f"arn:{p}:s3:::other-{bucket}/{key}", {}, "another bucket"), *siblings),
                    )
                )
                if not written:
                    prefix = uri.removeprefix("s3://").partition("/")[2]
                    # SageMaker lists an S3Prefix input before reading it; the request carries s3:prefix.
                    cases.append(
                        Case(
                            Request("s3:ListBucket", f"arn:{p}:s3:::{bucket}", {"s3:prefix": prefix}, f"{why}: {uri}"),
                            (
                                Request(
                                    "s3:ListBucket", f"arn:{p}:s3:::{bucket}", {"s3:prefix": "other/"}, "another prefix"
                                ),
                            ),
                        )
                    )
            if api in LOG_GROUPS:
                group = f"/aws/sagemaker/{LOG_GROUPS[api]}"
                logs = f"arn:{p}:logs:{t.region}:{t.account}:log-group:{group}"
                stream = f"{logs}:log-stream:sample-job/algo-1-1700000000"
                other = f"arn:{p}:logs:{t.region}:{t.account}:log-group:/aws/lambda/other:log-stream:x"
                for action, arn in (("logs:CreateLogStream", stream), ("logs:PutLogEvents", stream)):
                    cases.append(_case(Request(action, arn, {}, why), Request(action, other, {}, "another log group")))
                cases.append(
                    Case(
                        Request("cloudwatch:PutMetricData", "*", {"cloudwatch:namespace": group}, why),
                        (
                            Request(
                                "cloudwatch:PutMetricData",
                                "*",
                                {"cloudwatch:namespace": "Other/App"},
                                "another namespace",
                            ),
                        ),
                    )
                )
            for image in _images(params):
                match = re.fullmatch(r"(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/([^:@]+).*", image)
                if match is None:
                    continue
                repo = f"arn:{p}:ecr:{match[2]}:{match[1]}:repository/{match[3]}"
                cases.append(Case(Request("ecr:GetAuthorizationToken", "*", {}, why), ()))
                for action in ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"):
                    cases.append(_case(Request(action, repo, {}, f"{why}: {image}"), Request(
                        action, repo.rsplit("/", 1)[0] + "/other-repository", {}, "another repository")))  # fmt: skip
    return cases, dynamic


def _keys(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _keys(value)
    elif isinstance(node, list):
        for item in node:
            yield from _keys(item)


def _images(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("TrainingImage", "ImageUri", "Image") and isinstance(value, str):
                yield value
            else:
                yield from _images(value)
    elif isinstance(node, list):
        for item in node:
            yield from _images(item)
