"""Offline facts about AWS regions, SageMaker instance types and built-in algorithm images.

The spec validator checks names against these tables so that `asl-gen` never needs AWS credentials
or an SDK. They are data, copied from public sources, and go stale when AWS adds a region, an
instance type or an image version: refresh them from the same sources rather than patching code.

Imports: nothing from asl_gen
"""

# Where the tables come from (all read on 2026-11-26):
# - Regions and partitions: botocore 1.43.11, `botocore/data/partitions.json`, commercial, China and
#   GovCloud partitions only; SageMaker and Step Functions endpoints exist in every one of these regions
#   (`botocore/data/endpoints.json`, services `api.sagemaker` and `states`). The isolated (ISO) and
#   European Sovereign Cloud partitions are left out: they are not public and use other DNS suffixes.
# - Instance types: botocore 1.43.11, `botocore/data/sagemaker/2017-07-24/service-2.json`, the union of
#   the TrainingInstanceType, ProcessingInstanceType, TransformInstanceType and
#   ProductionVariantInstanceType enums.
# - Algorithm images: the SageMaker Python SDK's `image_uri_config/*.json` (sagemaker 2.257.7 and
#   sagemaker-core 2.27.0 on PyPI; the latter adds XGBoost 3.2-0), cross-checked against the registry
#   tables of terraform-provider-aws's `aws_sagemaker_prebuilt_ecr_image`. ISO-region registries are left
#   out with their partitions. The SDK lists no algorithm registries yet for ap-east-2, ap-southeast-5,
#   ap-southeast-6, ap-southeast-7 or mx-central-1, so no image URI is offered there.

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = [
    "ALGORITHMS",
    "INSTANCE_TYPES",
    "PARTITION_DNS_SUFFIX",
    "REGION_PARTITIONS",
    "Algorithm",
    "image_uri",
    "partition_for_region",
    "suggest",
]

_PARTITION_REGIONS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "aws": (
            "af-south-1",
            "ap-east-1",
            "ap-east-2",
            "ap-northeast-1",
            "ap-northeast-2",
            "ap-northeast-3",
            "ap-south-1",
            "ap-south-2",
            "ap-southeast-1",
            "ap-southeast-2",
            "ap-southeast-3",
            "ap-southeast-4",
            "ap-southeast-5",
            "ap-southeast-6",
            "ap-southeast-7",
            "ca-central-1",
            "ca-west-1",
            "eu-central-1",
            "eu-central-2",
            "eu-north-1",
            "eu-south-1",
            "eu-south-2",
            "eu-west-1",
            "eu-west-2",
            "eu-west-3",
            "il-central-1",
            "me-central-1",
            "me-south-1",
            "mx-central-1",
            "sa-east-1",
            "us-east-1",
            "us-east-2",
            "us-west-1",
            "us-west-2",
        ),
        "aws-cn": ("cn-north-1", "cn-northwest-1"),
        "aws-us-gov": ("us-gov-east-1", "us-gov-west-1"),
    }
)

REGION_PARTITIONS: Mapping[str, str] = MappingProxyType(
    {region: partition for partition, regions in _PARTITION_REGIONS.items() for region in regions}
)

PARTITION_DNS_SUFFIX: Mapping[str, str] = MappingProxyType(
    {
        "aws": "amazonaws.com",
        "aws-cn": "amazonaws.com.cn",
        "aws-us-gov": "amazonaws.com",
    }
)

# Sizes differ from family to family (c5 has 9xlarge, m4 has 10xlarge, p5 jumps from 4xlarge to 48xlarge),
# so each family lists exactly the sizes SageMaker accepts instead of a shared size ladder.
_INSTANCE_FAMILY_SIZES: Mapping[str, str] = MappingProxyType(
    {
        "c4": "large xlarge 2xlarge 4xlarge 8xlarge",
        "c5": "large xlarge 2xlarge 4xlarge 9xlarge 18xlarge",
        "c5d": "large xlarge 2xlarge 4xlarge 9xlarge 18xlarge",
        "c5n": "xlarge 2xlarge 4xlarge 9xlarge 18xlarge",
        "c6g": "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge",
        "c6gd": "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge",
        "c6gn": "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge",
        "c6i": "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge",
        "c6in": "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge",
        "c7g": "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge",
        "c7i": "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge",
        "c8g": "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge",
        "dl1": "24xlarge",
        "g4dn": "xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge",
        "g5": "xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge",
        "g6": "xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge",
        "g6e": "xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge",
        "g7e": "2xlarge 4xlarge 8xlarge 12xlarge 24xlarge 48xlarge",
        "inf1": "xlarge 2xlarge 6xlarge 24xlarge",
        "inf2": "xlarge 8xlarge 24xlarge 48xlarge",
        "m4": "xlarge 2xlarge 4xlarge 10xlarge 16xlarge",
        "m5": "large xlarge 2xlarge 4xlarge 12xlarge 24xlarge",
        "m5d": "large xlarge 2xlarge 4xlarge 12xlarge 24xlarge",
        "m6g": "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge",
        "m6gd": "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge",
        "m6i": "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge",
        "m7i": "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge",
        "m8g": "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge",
        "p2": "xlarge 8xlarge 16xlarge",
        "p3": "2xlarge 8xlarge 16xlarge",
        "p3dn": "24xlarge",
        "p4d": "24xlarge",
        "p4de": "24xlarge",
        "p5": "4xlarge 48xlarge",
        "p5e": "48xlarge",
        "p5en": "48xlarge",
        "p6-b200": "48xlarge",
        "p6-b300": "48xlarge",
        "p6e-gb200": "36xlarge",
        "r5": "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge",
        "r5d": "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge",
        "r6g": "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge",
        "r6gd": "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge",
        "r6i": "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge",
        "r7gd": "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge",
        "r7i": "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge",
        "r8g": "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge",
        "t2": "medium large xlarge 2xlarge",
        "t3": "medium large xlarge 2xlarge",
        "trn1": "2xlarge 32xlarge",
        "trn1n": "32xlarge",
        "trn2": "48xlarge",
    }
)

INSTANCE_TYPES: frozenset[str] = frozenset(
    f"ml.{family}.{size}" for family, sizes in _INSTANCE_FAMILY_SIZES.items() for size in sizes.split()
)


@dataclass(frozen=True)
class Algorithm:
    """A SageMaker built-in algorithm image: its ECR repository, its tags and who publishes it where.

    `registries` maps a region to the 12-digit AWS account whose ECR registry holds the image there; a
    region missing from it has no image.
    """

    repository: str
    versions: tuple[str, ...]
    registries: Mapping[str, str] = field(hash=False)


# Region -> registry account tables. XGBoost is published from the framework-container accounts shared with
# scikit-learn and Spark ML.
_SAGEMAKER_XGBOOST: Mapping[str, str] = MappingProxyType(
    {
        "af-south-1": "510948584623",
        "ap-east-1": "651117190479",
        "ap-northeast-1": "354813040037",
        "ap-northeast-2": "366743142698",
        "ap-northeast-3": "867004704886",
        "ap-south-1": "720646828776",
        "ap-south-2": "628508329040",
        "ap-southeast-1": "121021644041",
        "ap-southeast-2": "783357654285",
        "ap-southeast-3": "951798379941",
        "ap-southeast-4": "106583098589",
        "ca-central-1": "341280168497",
        "ca-west-1": "190319476487",
        "cn-north-1": "450853457545",
        "cn-northwest-1": "451049120500",
        "eu-central-1": "492215442770",
        "eu-central-2": "680994064768",
        "eu-north-1": "662702820516",
        "eu-south-1": "978288397137",
        "eu-south-2": "104374241257",
        "eu-west-1": "141502667606",
        "eu-west-2": "764974769150",
        "eu-west-3": "659782779980",
        "il-central-1": "898809789911",
        "me-central-1": "272398656194",
        "me-south-1": "801668240914",
        "sa-east-1": "737474898029",
        "us-east-1": "683313688378",
        "us-east-2": "257758044811",
        "us-gov-east-1": "237065988967",
        "us-gov-west-1": "414596584902",
        "us-west-1": "746614075791",
        "us-west-2": "246618743249",
    }
)


# The classic built-ins come in four groups. In eight of the older regions each group has its own registry;
# everywhere else the first three groups share one, and LDA is offered in only six of those regions.
_CLASSIC_SHARED: Mapping[str, str] = MappingProxyType(
    {
        "af-south-1": "455444449433",
        "ap-east-1": "286214385809",
        "ap-northeast-3": "867004704886",
        "ap-south-1": "991648021394",
        "ap-south-2": "628508329040",
        "ap-southeast-1": "475088953585",
        "ap-southeast-3": "951798379941",
        "ap-southeast-4": "106583098589",
        "ca-central-1": "469771592824",
        "ca-west-1": "190319476487",
        "cn-north-1": "390948362332",
        "cn-northwest-1": "387376663083",
        "eu-central-2": "680994064768",
        "eu-north-1": "669576153137",
        "eu-south-1": "257386234256",
        "eu-south-2": "104374241257",
        "eu-west-2": "644912444149",
        "eu-west-3": "749696950732",
        "il-central-1": "898809789911",
        "me-central-1": "272398656194",
        "me-south-1": "249704162688",
        "sa-east-1": "855470959533",
        "us-gov-east-1": "237065988967",
        "us-gov-west-1": "226302683700",
        "us-west-1": "632365934929",
    }
)

# Region -> (first party, text and vision, DeepAR, LDA) registry accounts where each group has its own.
_CLASSIC_OWN: Mapping[str, tuple[str, str, str, str]] = MappingProxyType(
    {
        "ap-northeast-1": ("351501993468", "501404015308", "633353088612", "258307448986"),
        "ap-northeast-2": ("835164637446", "306986355934", "204372634319", "293181348795"),
        "ap-southeast-2": ("712309505854", "544295431143", "514117268639", "297031611018"),
        "eu-central-1": ("664544806723", "813361260812", "495149712605", "353608530281"),
        "eu-west-1": ("438346466558", "685385470294", "224300973850", "999678624901"),
        "us-east-1": ("382416733822", "811284229777", "522234722520", "766337827248"),
        "us-east-2": ("404615174143", "825641698319", "566113047672", "999911452149"),
        "us-west-2": ("174872318107", "433757028032", "156387875391", "266724342769"),
    }
)
_LDA_SHARED_REGIONS = ("ap-south-1", "ap-southeast-1", "ca-central-1", "eu-west-2", "us-gov-west-1", "us-west-1")


def _classic(group: int, shared_regions: Iterable[str] = _CLASSIC_SHARED) -> Mapping[str, str]:
    """The registry table of classic group `group` (a column of `_CLASSIC_OWN`), sorted by region."""
    table = {region: accounts[group] for region, accounts in _CLASSIC_OWN.items()}
    table.update((region, _CLASSIC_SHARED[region]) for region in shared_regions)
    return MappingProxyType(dict(sorted(table.items())))


_FIRST_PARTY = _classic(0)
_TEXT_AND_VISION = _classic(1)
_DEEPAR = _classic(2)
_LDA = _classic(3, _LDA_SHARED_REGIONS)

_XGBOOST_VERSIONS = (
    "0.90-1",
    "0.90-2",
    "1.0-1",
    "1.2-1",
    "1.2-2",
    "1.3-1",
    "1.5-1",
    "1.7-1",
    "3.0-5",
    "3.2-0",
)

ALGORITHMS: Mapping[str, Algorithm] = MappingProxyType(
    {
        "xgboost": Algorithm("sagemaker-xgboost", _XGBOOST_VERSIONS, _SAGEMAKER_XGBOOST),
        "factorization-machines": Algorithm("factorization-machines", ("1",), _FIRST_PARTY),
        "ipinsights": Algorithm("ipinsights", ("1",), _FIRST_PARTY),
        "kmeans": Algorithm("kmeans", ("1",), _FIRST_PARTY),
        "knn": Algorithm("knn", ("1",), _FIRST_PARTY),
        "linear-learner": Algorithm("linear-learner", ("1",), _FIRST_PARTY),
        "ntm": Algorithm("ntm", ("1",), _FIRST_PARTY),
        "object2vec": Algorithm("object2vec", ("1",), _FIRST_PARTY),
        "pca": Algorithm("pca", ("1",), _FIRST_PARTY),
        "randomcutforest": Algorithm("randomcutforest", ("1",), _FIRST_PARTY),
        "blazingtext": Algorithm("blazingtext", ("1",), _TEXT_AND_VISION),
        "image-classification": Algorithm("image-classification", ("1",), _TEXT_AND_VISION),
        "object-detection": Algorithm("object-detection", ("1",), _TEXT_AND_VISION),
        "semantic-segmentation": Algorithm("semantic-segmentation", ("1",), _TEXT_AND_VISION),
        "seq2seq": Algorithm("seq2seq", ("1",), _TEXT_AND_VISION),
        "forecasting-deepar": Algorithm("forecasting-deepar", ("1",), _DEEPAR),
        "lda": Algorithm("lda", ("1",), _LDA),
    }
)

# The oldest XGBoost containers were only ever tagged with processor and Python suffixes; the SDK builds
# these tags from the `processors` and `py_versions` it lists for them.
_IMAGE_TAGS: Mapping[tuple[str, str], str] = MappingProxyType(
    {
        ("xgboost", "0.90-1"): "0.90-1-cpu-py3",
        ("xgboost", "0.90-2"): "0.90-2-cpu-py3",
        ("xgboost", "1.0-1"): "1.0-1-cpu-py3",
    }
)


def partition_for_region(region: str) -> str | None:
    """The partition (`aws`, `aws-cn`, `aws-us-gov`) of a known public region, else None."""
    return REGION_PARTITIONS.get(region)


def suggest(word: str, choices: Iterable[str]) -> str | None:
    """The choice closest to `word` (ignoring case and surrounding blanks), or None if none is close."""
    by_folded: dict[str, str] = {}
    for choice in choices:
        by_folded.setdefault(choice.lower(), choice)
    folded = word.strip().lower()
    if folded in by_folded:
        return by_folded[folded]
    import difflib  # here: only a word that is not in the table needs a suggestion

    matches = difflib.get_close_matches(folded, list(by_folded), n=1, cutoff=0.6)
    return by_folded[matches[0]] if matches else None


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    match = suggest(word, choices)
    return f"did you mean '{match}'? " if match is not None else ""


def _algorithm(algorithm: str, version: str) -> Algorithm:
    """The image table of a built-in algorithm version; LookupError names what is unknown and what to use."""
    spec = ALGORITHMS.get(algorithm)
    if spec is None:
        raise LookupError(
            f"unknown built-in algorithm '{algorithm}': {_did_you_mean(algorithm, ALGORITHMS)}"
            f"use one of: {', '.join(sorted(ALGORITHMS))}"
        )
    if version not in spec.versions:
        raise LookupError(
            f"built-in algorithm '{algorithm}' has no version '{version}': "
            f"{_did_you_mean(version, spec.versions)}known versions: {', '.join(spec.versions)}"
        )
    return spec


def image_uri(algorithm: str, version: str, region: str) -> str:
    """The ECR image URI of a built-in algorithm version in a region.

    Raises LookupError with a one-line message naming what is unknown and what to use instead.
    """
    spec = _algorithm(algorithm, version)
    partition = partition_for_region(region)
    if partition is None:
        raise LookupError(
            f"unknown AWS region '{region}': {_did_you_mean(region, REGION_PARTITIONS)}"
            "use a region code such as 'us-east-1'"
        )
    account = spec.registries.get(region)
    if account is None:
        raise LookupError(
            f"no image of built-in algorithm '{algorithm}' is known in region '{region}': "
            f"use one of the regions it is offered in: {', '.join(sorted(spec.registries))}"
        )
    return image_uri_template(
        algorithm, version, registry=account, region=region, dns_suffix=PARTITION_DNS_SUFFIX[partition]
    )


def image_uri_template(algorithm: str, version: str, *, registry: str, region: str, dns_suffix: str) -> str:
    """The image URI with its region-dependent parts given by the caller (placeholders when the region is open)."""
    spec = _algorithm(algorithm, version)
    tag = _IMAGE_TAGS.get((algorithm, version), version)
    return f"{registry}.dkr.ecr.{region}.{dns_suffix}/{spec.repository}:{tag}"


def registries(algorithm: str, version: str) -> Mapping[str, str]:
    """Region → the account of the registry holding the algorithm's images, for every region it is offered in."""
    return _algorithm(algorithm, version).registries


# Ground Truth built-in task types (read on 2026-12-04): botocore 1.44.8,
# `botocore/data/sagemaker/2017-07-24/service-2.json`, the documentation of the members
# HumanTaskConfig.PreHumanTaskLambdaArn (PRE-<Task>), AnnotationConsolidationConfig.AnnotationConsolidationLambdaArn
# (ACS-<Task>) and UiConfig.HumanTaskUiArn. Every task type's PRE and ACS functions are listed in the same 12
# regions, each region's functions in one AWS-owned account (276 PRE and 277 ACS ARNs, no exception), all in the
# commercial partition. The human task UIs are in account 394669845002 in every region; of the task types below only
# named entity recognition has one (image and text tasks take a worker task template from S3 instead: the
# SageMaker developer guide, "Create a Labeling Job (API)"). Video, 3D point cloud, verification and adjustment
# task types are left out: they need inputs (frame manifests, earlier labels) this table does not model.
GROUND_TRUTH_LAMBDA_ACCOUNTS: Mapping[str, str] = MappingProxyType(
    {
        "ap-northeast-1": "477331159723",
        "ap-northeast-2": "845288260483",
        "ap-south-1": "565803892007",
        "ap-southeast-1": "377565633583",
        "ap-southeast-2": "454466003867",
        "ca-central-1": "918755190332",
        "eu-central-1": "203001061592",
        "eu-west-1": "568282634449",
        "eu-west-2": "487402164563",
        "us-east-1": "432418664414",
        "us-east-2": "266458841044",
        "us-west-2": "081040173940",
    }
)
GROUND_TRUTH_UI_ACCOUNT = "394669845002"
# The Amazon Mechanical Turk workforce: `arn:aws:sagemaker:<region>:394669845002:workteam/public-crowd/default`
# (SageMaker developer guide, "Create a Labeling Job (API)" and "Use the Amazon Mechanical Turk Workforce").
PUBLIC_WORKTEAM_ACCOUNT = "394669845002"


@dataclass(frozen=True)
class LabelingTask:
    """A Ground Truth built-in task type: its Lambda functions' name and what else it asks of a labeling job."""

    function: str
    # The AWS human task UI, for a task that has one; the others need a worker task template (UiTemplateS3Uri).
    human_task_ui: str | None = None
    # The suffix LabelAttributeName must end with for this task (CreateLabelingJob's LabelAttributeName docs).
    label_attribute_suffix: str | None = None


LABELING_TASKS: Mapping[str, LabelingTask] = MappingProxyType(
    {
        "bounding-box": LabelingTask("BoundingBox"),
        "image-classification": LabelingTask("ImageMultiClass"),
        "image-multilabel-classification": LabelingTask("ImageMultiClassMultiLabel"),
        "named-entity-recognition": LabelingTask("NamedEntityRecognition", human_task_ui="NamedEntityRecognition"),
        "semantic-segmentation": LabelingTask("SemanticSegmentation", label_attribute_suffix="-ref"),
        "text-classification": LabelingTask("TextMultiClass"),
        "text-multilabel-classification": LabelingTask("TextMultiClassMultiLabel"),
    }
)


@dataclass(frozen=True)
class LabelingResources:
    """What a built-in task type runs on in one region: AWS's pre-annotation and consolidation Lambdas, its UI."""

    pre_annotation: str
    consolidation: str
    human_task_ui: str | None


def labeling_task(task: str) -> LabelingTask:
    """A built-in task type by its spec name; LookupError names the known ones."""
    found = LABELING_TASKS.get(task)
    if found is None:
        raise LookupError(
            f"unknown Ground Truth task type '{task}': {_did_you_mean(task, LABELING_TASKS)}"
            f"use one of: {', '.join(LABELING_TASKS)}"
        )
    return found


def labeling_resources(task: str, region: str) -> LabelingResources:
    """The AWS-owned Lambda functions and human task UI of a built-in task type in a region.

    Raises LookupError when the task type is unknown or not offered in the region.
    """
    spec = labeling_task(task)
    account = GROUND_TRUTH_LAMBDA_ACCOUNTS.get(region)
    if account is None:
        raise LookupError(
            f"Ground Truth's built-in task types are not offered in region '{region}': "
            f"use one of: {', '.join(sorted(GROUND_TRUTH_LAMBDA_ACCOUNTS))}"
        )
    functions = f"arn:aws:lambda:{region}:{account}:function"
    ui = spec.human_task_ui
    ui_arn = None if ui is None else f"arn:aws:sagemaker:{region}:{GROUND_TRUTH_UI_ACCOUNT}:human-task-ui/{ui}"
    return LabelingResources(
        pre_annotation=f"{functions}:PRE-{spec.function}",
        consolidation=f"{functions}:ACS-{spec.function}",
        human_task_ui=ui_arn,
    )
