"""Ground Truth labeling jobs: a built-in task type, its data, its work team and the workers' task.

Limits are CreateLabelingJob's request shape (botocore 1.44.8, `sagemaker/2017-07-24/service-2.json`, read
2026-12-04) and the SageMaker developer guide's "Create a Labeling Job (API)" page; the task types and their
AWS-owned Lambdas are in `catalog`. What needs the region or another field is checked in `check_labeling`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints, field_validator

from asl_gen import catalog
from asl_gen.errors import Problem
from asl_gen.spec.base import OptionalKmsKey, S3Uri, matching
from asl_gen.spec.step import NamedStep

# arn:<partition>:sagemaker:<region>:<account>:workteam/<private-crowd|vendor-crowd|public-crowd>/<name>
WORKTEAM_ARN = re.compile(
    r"^arn:(aws|aws-cn|aws-us-gov):sagemaker:([a-z0-9-]+):(\d{12}):workteam/"
    r"(private-crowd|vendor-crowd|public-crowd)/([a-zA-Z0-9](-*[a-zA-Z0-9]){0,62})$"
)
LABEL_ATTRIBUTE = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,126}$")
# TaskTimeLimitInSeconds: at least 30; at most 8 hours for image and text task types (HumanTaskConfig docs).
TASK_TIME_LIMIT_MAX = 28_800
# TaskAvailabilityLifetimeInSeconds: at least 60; at most 30 days for a private or vendor work team, 12 hours for
# the Amazon Mechanical Turk workforce (HumanTaskConfig docs).
TASK_AVAILABILITY_MAX = 2_592_000
PUBLIC_TASK_AVAILABILITY_MAX = 43_200
# PublicWorkforceTaskPrice.AmountInUsd: Dollars 0-2, Cents 0-99, TenthFractionsOfACent 0-9.
PRICE_MAX = Decimal("2.999")
PRICE_STEP = Decimal("0.001")


def _task(value: str) -> str:
    try:
        catalog.labeling_task(value)
    except LookupError as exc:
        raise ValueError(str(exc)) from None
    return value


def _label_attribute(value: str) -> str:
    if not LABEL_ATTRIBUTE.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a label attribute name: at most 127 letters, digits and hyphens, "
            "starting and ending with a letter or digit"
        )
    if value.endswith("-metadata"):
        raise ValueError(f"{value!r} ends with '-metadata', which Ground Truth reserves for the label's metadata")
    return value


def _keyword(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9]+( [A-Za-z0-9]+)*", value) or len(value) > 30:
        raise ValueError(f"{value!r} is not a task keyword: at most 30 letters and digits, words split by one space")
    return value


def _title(value: str) -> str:
    # TaskTitle: 1-128 characters; of the control characters only tab, newline and carriage return.
    if not 0 < len(value) <= 128 or re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", value):
        raise ValueError(f"the title has {len(value)} characters; give 1-128, without control characters")
    return value


TaskTitle = Annotated[str, AfterValidator(_title)]
TaskKeyword = Annotated[str, AfterValidator(_keyword)]
WorkteamArn = Annotated[
    str,
    matching(WORKTEAM_ARN, "a work team ARN (arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/my-team)"),
]


class LabelingJob(NamedStep):
    type: Literal["labeling"] = Field(
        description="A SageMaker Ground Truth labeling job, run with createLabelingJob.sync"
    )
    task: Annotated[str, AfterValidator(_task)] = Field(
        description="A Ground Truth built-in task type; its AWS Lambda functions (and UI) are resolved for the region",
        examples=["bounding-box", "image-classification", "named-entity-recognition"],
    )
    manifest: S3Uri = Field(
        description="S3 URI of the input manifest: one JSON line per object to label",
        examples=["s3://my-bucket/labeling/input.manifest"],
    )
    data: S3Uri | None = Field(
        None,
        description="S3 prefix of the objects the manifest lists (the SageMaker role reads them for the workers); "
        "default: the manifest's folder",
        examples=["s3://my-bucket/labeling/images/"],
    )
    output: S3Uri = Field(
        description="S3 URI where Ground Truth writes the labels and the output manifest",
        examples=["s3://my-bucket/labeling/output"],
    )
    labels: S3Uri = Field(
        description="S3 URI of the label category configuration file (LabelCategoryConfigS3Uri)",
        examples=["s3://my-bucket/labeling/categories.json"],
    )
    label_attribute: Annotated[str, AfterValidator(_label_attribute)] | None = Field(
        None,
        description="The label's key in the output manifest; default: the task type's name (semantic segmentation's "
        "must end with '-ref')",
        examples=["vehicles", "mask-ref"],
    )
    ui_template: S3Uri | None = Field(
        None,
        description="S3 URI of the worker task template (.liquid or .html); every task type but "
        "named-entity-recognition (which has an AWS UI) needs one",
        examples=["s3://my-bucket/labeling/bounding-box.liquid.html"],
    )
    workteam: WorkteamArn = Field(
        description="ARN of the work team: private-crowd (yours), vendor-crowd, or public-crowd (Amazon Mechanical "
        "Turk, which needs price_per_task and free_of_pii)",
        examples=["arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/my-team"],
    )
    title: TaskTitle = Field(description="The task's title, shown to workers", examples=["Draw boxes around cars"])
    description: Annotated[str, StringConstraints(min_length=1, max_length=255)] = Field(
        description="The task's description, shown to workers", examples=["Draw a tight box around every car"]
    )
    keywords: Annotated[list[TaskKeyword], Field(min_length=1, max_length=5)] | None = Field(
        None, description="Up to 5 keywords workers find the task by", examples=[["Images", "Bounding box"]]
    )
    workers_per_object: Annotated[int, Field(ge=1, le=9)] = Field(
        1, description="How many workers label each object (their answers are consolidated)", examples=[3]
    )
    task_time_limit_seconds: Annotated[int, Field(ge=30, le=TASK_TIME_LIMIT_MAX)] = Field(
        300, description="How long a worker has for one task (30 s to 8 hours)", examples=[300]
    )
    task_availability_seconds: Annotated[int, Field(ge=60, le=TASK_AVAILABILITY_MAX)] | None = Field(
        None,
        description="How long a task stays available to workers (at most 30 days; 12 hours for the public "
        "workforce); default: SageMaker's",
        examples=[86400],
    )
    max_concurrent_tasks: Annotated[int, Field(ge=1, le=5000)] | None = Field(
        None, description="How many objects workers label at once (default 1000)", examples=[100]
    )
    max_objects: Annotated[int, Field(ge=1)] | None = Field(
        None, description="Stop after this many objects are labeled by humans", examples=[1000]
    )
    max_percent_labeled: Annotated[int, Field(ge=1, le=100)] | None = Field(
        None, description="Stop after this percentage of the input is labeled", examples=[90]
    )
    price_per_task: float | None = Field(
        None,
        description="What each Mechanical Turk worker is paid per task, in US dollars (0.001 to 2.999 in steps of "
        "0.001); only for the public workforce",
        examples=[0.036],
    )
    free_of_pii: bool = Field(
        False,
        description="Declare that the data holds no personally identifiable information (the public workforce "
        "requires it)",
        examples=[True],
    )
    free_of_adult_content: bool = Field(
        False, description="Declare that the data holds no adult content", examples=[True]
    )
    kms_key: OptionalKmsKey = Field(None, description="KMS key that encrypts the labeling output")

    @field_validator("price_per_task")
    @classmethod
    def _price(cls, value: float | None) -> float | None:
        if value is None:
            return value
        amount = Decimal(str(value))
        if not (PRICE_STEP <= amount <= PRICE_MAX) or amount % PRICE_STEP:
            raise ValueError(f"{value} is not a task price: 0.001 to 2.999 US dollars, in steps of 0.001")
        return value

    @property
    def public(self) -> bool:
        """Whether the work team is Amazon Mechanical Turk's public workforce."""
        return "/public-crowd/" in self.workteam

    def attribute(self) -> str:
        """The label attribute name: as given, else the task type's name with the suffix the task requires."""
        if self.label_attribute is not None:
            return self.label_attribute
        return self.task + (catalog.labeling_task(self.task).label_attribute_suffix or "")


def price_parts(value: float) -> dict[str, int]:
    """PublicWorkforceTaskPrice.AmountInUsd of a price in dollars."""
    tenths = int(Decimal(str(value)) / PRICE_STEP)
    return {"Dollars": tenths // 1000, "Cents": tenths % 1000 // 10, "TenthFractionsOfACent": tenths % 10}


Path = tuple[str | int, ...]
Report = Callable[[Path, str, str | None], Problem]


def check_labeling(
    region: str | None, account: str | None, partition: str | None, key: str, job: LabelingJob, problem: Report
) -> Iterator[Problem]:
    """What a labeling job's fields cannot check alone: the region's task types, the work team, UI and price."""
    base: Path = ("jobs", key)
    task = catalog.labeling_task(job.task)
    if region is None:
        yield problem(
            (*base, "task"),
            "a labeling job needs aws.region: Ground Truth's task Lambdas are in a different AWS account per region",
            f"set aws.region to one of: {', '.join(sorted(catalog.GROUND_TRUTH_LAMBDA_ACCOUNTS))}",
        )
    else:
        try:
            catalog.labeling_resources(job.task, region)
        except LookupError as exc:
            yield problem((*base, "task"), str(exc), None)
    team = WORKTEAM_ARN.fullmatch(job.workteam)
    assert team is not None
    team_partition, team_region, team_account, crowd = team.group(1), team.group(2), team.group(3), team.group(4)
    if region is not None and team_region != region:
        yield problem(
            (*base, "workteam"),
            f"the work team is in region {team_region!r}, the labeling job in {region!r}",
            "a labeling job uses a work team of its own region",
        )
    elif partition is not None and team_partition != partition:
        yield problem((*base, "workteam"), f"the work team is in partition {team_partition!r}, not {partition!r}", None)
    elif crowd == "private-crowd" and account is not None and team_account != account:
        yield problem(
            (*base, "workteam"),
            f"the private work team belongs to account {team_account}, not {account}",
            "a private work team is one of your own account's",
        )
    elif crowd == "public-crowd" and team_account != catalog.PUBLIC_WORKTEAM_ACCOUNT:
        yield problem(
            (*base, "workteam"),
            f"the public workforce's work team is in account {catalog.PUBLIC_WORKTEAM_ACCOUNT}, not {team_account}",
            f"use arn:aws:sagemaker:{team_region}:{catalog.PUBLIC_WORKTEAM_ACCOUNT}:workteam/public-crowd/default",
        )
    if job.public:
        if job.price_per_task is None:
            yield problem(
                (*base, "workteam"),
                "the public workforce (Amazon Mechanical Turk) is paid per task",
                "give price_per_task in US dollars, e.g. price_per_task: 0.036",
            )
        if not job.free_of_pii:
            yield problem(
                (*base, "workteam"),
                "Ground Truth fails a job for the public workforce whose data is not declared free of personal "
                "information",
                "make sure the data holds none, then set free_of_pii: true",
            )
        if job.task_availability_seconds is not None and job.task_availability_seconds > PUBLIC_TASK_AVAILABILITY_MAX:
            yield problem(
                (*base, "task_availability_seconds"),
                f"{job.task_availability_seconds} seconds is longer than the public workforce keeps a task "
                f"({PUBLIC_TASK_AVAILABILITY_MAX}, 12 hours)",
                None,
            )
    elif job.price_per_task is not None:
        yield problem(
            (*base, "price_per_task"),
            "only the public workforce is paid per task through the job",
            "leave price_per_task out for a private or vendor work team",
        )
    if task.human_task_ui is not None and job.ui_template is not None:
        yield problem(
            (*base, "ui_template"),
            f"task type {job.task!r} uses AWS's own worker UI, not a template",
            "leave ui_template out",
        )
    elif task.human_task_ui is None and job.ui_template is None:
        yield problem(
            base,
            f"task type {job.task!r} needs a worker task template",
            "give ui_template, the S3 URI of a worker task template; the Ground Truth console offers one per task type",
        )
    suffix = task.label_attribute_suffix
    if suffix is not None and job.label_attribute is not None and not job.label_attribute.endswith(suffix):
        yield problem(
            (*base, "label_attribute"),
            f"task type {job.task!r} needs a label attribute ending with {suffix!r}",
            f"write {job.label_attribute[: 127 - len(suffix)]}{suffix}",
        )
