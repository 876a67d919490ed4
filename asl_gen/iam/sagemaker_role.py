"""The SageMaker execution role's policy, from the jobs the state machines run: the data they read and write, the
images they pull, their logs and metrics, and the VPCs and KMS keys they use.

Only jobs some state machine runs (as a step, in a Parallel branch or in a Map body) are granted anything: a job
declared but run nowhere gets nothing (the build warns about it), and a job that is only read by a running step (a
training job another machine ran, whose artifacts a model reads) grants nothing of its own; what the reader needs
is the reader's use.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence

from asl_gen import spec as spec_model
from asl_gen.iam.statements import Need, Statement, consolidate
from asl_gen.iam.uses import job_uses
from asl_gen.integrations import Context
from asl_gen.plan import ProjectPlan

# A built-in algorithm's image when the region is open: registry, region and domain are placeholders.
_OPEN_IMAGE = re.compile(r"^(\$\{\w+\})\.dkr\.ecr\.(\$\{\w+\})\.\$\{\w+\}/([a-z0-9]+(?:[._/-][a-z0-9]+)*)")


def sagemaker_role_statements(plan: ProjectPlan) -> list[Statement]:
    """What the SageMaker execution role needs for the jobs and models of this spec, scoped to their data."""
    return _merge_list_bucket(consolidate(sagemaker_role_needs(plan)))


def sagemaker_role_needs(plan: ProjectPlan) -> list[Need]:
    """Each permission the SageMaker execution role needs, before statements are merged.

    A need's origin is the spec path of the job that needs it (`jobs.train`); only running jobs are origins.
    """
    spec, target = plan.spec, plan.target
    reads: list[tuple[str, str]] = []
    writes: list[tuple[str, str]] = []
    images: list[tuple[str, str]] = []
    vpcs: list[tuple[spec_model.Vpc, str]] = []
    keys: list[tuple[str, str]] = []
    topics: list[tuple[str, str]] = []
    logged: list[str] = []
    for key in spec_model.running_jobs(spec):
        uses = job_uses(spec, spec.jobs[key])
        if uses is None:
            continue
        origin = f"jobs.{key}"
        reads.extend((uri, origin) for uri in uses.reads)
        writes.extend((uri, origin) for uri in uses.writes)
        images.extend((image, origin) for image in uses.images)
        vpcs.extend((vpc, origin) for vpc in uses.vpcs)
        keys.extend((kms, origin) for kms in uses.keys)
        topics.extend((topic, origin) for topic in uses.topics)
        if uses.logs:
            logged.append(origin)
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
    for origin in [origin for _, origin in images] + logged:
        for action in ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"):
            needs.append(Need(action, log_groups, "", "WriteLogs", origin))
        needs.append(
            Need(
                "cloudwatch:PutMetricData",
                "*",
                metrics,
                "PutMetrics",
                origin,
                "PutMetricData's one resource type is a CloudWatch dataset, which SageMaker's metrics name none of; "
                "the condition limits it to SageMaker's namespaces",
            )
        )
    needs.extend(_vpc_needs(vpcs, target))
    needs.extend(_key_needs(keys))
    needs.extend(Need("sns:Publish", topic, "", "PublishNotifications", origin) for topic, origin in topics)
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
