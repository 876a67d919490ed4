"""Hypothesis strategies for asl-gen specs: valid ones across the whole spec model, and single mutations of them.

`specs()` draws a spec as plain data (what `yaml.safe_load` of a spec file gives) that asl-gen must build:
every job type with its options, names in all three forms, cross-machine look-ups, every state machine setting,
targets and diagrams, in every partition. The rules it follows are the spec's own (README, asl_gen/spec); where the
strategy cannot tell whether a value is valid, it leaves the value out rather than guess, so that a refusal of a
drawn spec is a finding about asl-gen, not about the strategy.

`mutations()` turns one valid spec into one that is wrong in exactly one place, and says where and what kind of
mistake it is, so the test can hold asl-gen to one located error line for it.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml
from hypothesis import strategies as st

from asl_gen import catalog, catalog_processing, integrations
from asl_gen import spec as spec_model
from asl_gen.spec import KEY, SAGEMAKER_NAME
from asl_gen.spec.training import hyperparameter_text

from .test_call_every_integration import CALLBACK_FIELDS, PATTERN_WORD
from .test_services import LITERALS

Spec = dict[str, Any]
Path_ = tuple[str | int, ...]

# Constraints from the spec model (asl_gen/spec), restated so the strategy draws inside them on purpose.
PROJECT_MAX = 40
PREFIX_MAX = 30
STATE_NAME_BUDGET = 40  # a waiting, updating endpoint adds ': in service?' etc.; 80 is the limit

# --- small values ------------------------------------------------------------------------------------------

_LOWER = "abcdefghijklmnopqrstuvwxyz"
_DIGITS = "0123456789"

# Characters a YAML or JSON file may carry as text: no surrogates (not UTF-8) and no NUL (the loader refuses it).
_NOT_UTF8: tuple[Literal["Cs"], ...] = ("Cs",)
_UNPRINTABLE: tuple[Literal["Cs", "Cc", "Zl", "Zp"], ...] = ("Cs", "Cc", "Zl", "Zp")
# U+2028, U+2029 and U+0085 are drawn on purpose: they once broke nested steps (Jinja's indent split JSON text
# at them; test_properties.py::test_a_line_separator_in_a_nested_step_renders).
_TEXT = st.characters(exclude_categories=_NOT_UTF8, exclude_characters="\x00")
_PRINTABLE = st.characters(exclude_categories=_UNPRINTABLE)


def free_text(max_size: int = 24) -> st.SearchStrategy[str]:
    return st.text(_TEXT, max_size=max_size)


def _segment(alphabet: str, min_size: int, max_size: int) -> st.SearchStrategy[str]:
    return st.text(st.sampled_from(alphabet), min_size=min_size, max_size=max_size)


@st.composite
def keys(draw: st.DrawFn, max_parts: int = 3, max_len: int = 12) -> str:
    """A job or state machine key: lowercase letters and digits in hyphen-separated parts, starting with a letter."""
    first = draw(_segment(_LOWER, 1, 1)) + draw(_segment(_LOWER + _DIGITS, 0, max_len - 1))
    parts = [first, *draw(st.lists(_segment(_LOWER + _DIGITS, 1, 5), max_size=max_parts - 1))]
    key = "-".join(parts)[:40].rstrip("-")
    assert KEY.fullmatch(key), key
    return key


@st.composite
def sagemaker_names(draw: st.DrawFn, max_len: int = 63) -> str:
    alnum = _LOWER + _LOWER.upper() + _DIGITS
    name = draw(_segment(alnum, 1, 1))
    for _ in range(draw(st.integers(0, 4))):
        name += draw(st.sampled_from(["", "-", "--"])) + draw(_segment(alnum, 1, 8))
    name = name[:max_len]
    name = name.rstrip("-")
    assert SAGEMAKER_NAME.fullmatch(name), name
    return name


def input_names() -> st.SearchStrategy[str]:
    # Upper-case first letter: job keys are lower case, so an input never takes a job's result slot. Not `Error`,
    # where a catch keeps the error it caught.
    return st.from_regex(r"\A[A-Z][A-Za-z0-9_]{0,15}\Z").filter(lambda name: name != "Error")


def accounts() -> st.SearchStrategy[str]:
    return st.from_regex(r"\A[0-9]{12}\Z")


def buckets() -> st.SearchStrategy[str]:
    return st.from_regex(r"\A[a-z0-9][a-z0-9-]{1,20}[a-z0-9]\Z").filter(lambda b: not b.startswith("xn--"))


def s3_keys() -> st.SearchStrategy[str]:
    # Letters, digits and the separators S3 users write; `*?$` and control characters are refused (IAM wildcards).
    part = st.text(st.sampled_from(_LOWER + _DIGITS + "-_.=+é"), min_size=1, max_size=10)
    return st.lists(part, max_size=4).map("/".join)


@st.composite
def s3_uris(draw: st.DrawFn) -> str:
    key = draw(s3_keys())
    trailing = draw(st.sampled_from(["", "/"])) if key else ""
    return f"s3://{draw(buckets())}" + (f"/{key}{trailing}" if key else draw(st.sampled_from(["", "/"])))


def state_names() -> st.SearchStrategy[str]:
    # No ':' (extra states are '<name>: <what>') and not 'Look up ...' (the look-up states): either would let a
    # drawn name collide with one asl-gen derives, which the spec rightly refuses. Made unique by the caller.
    # Nor the states on_failure adds ('Notify failure', 'Failed').
    return st.text(_PRINTABLE.filter(lambda c: c != ":"), min_size=1, max_size=STATE_NAME_BUDGET - 4).filter(
        lambda s: not s.startswith("Look up") and s not in ("Notify failure", "Failed")
    )


def tag_maps() -> st.SearchStrategy[dict[str, str]]:
    allowed = st.sampled_from(_LOWER + _DIGITS + "ABC _.:/=+-@")
    key = st.text(allowed, min_size=1, max_size=20).filter(lambda k: not k.lower().startswith("aws:"))
    return st.dictionaries(key, st.text(allowed, max_size=20), max_size=3)


def environments() -> st.SearchStrategy[dict[str, str]]:
    return st.dictionaries(st.from_regex(r"\A[A-Za-z_][A-Za-z0-9_]{0,12}\Z"), free_text(), max_size=3)


def hyperparameters() -> st.SearchStrategy[dict[str, Any]]:
    value = st.one_of(
        free_text(40),
        st.booleans(),
        st.integers(-(10**12), 10**12),
        st.floats(allow_nan=False, allow_infinity=False, width=64),
    )
    # Not a name ending with '.$': Step Functions would read it as a path (a spec error,
    # test_properties.py::test_a_hyperparameter_name_ending_with_a_path_suffix_is_a_located_spec_error).
    name = st.text(_TEXT, min_size=1, max_size=20).filter(lambda n: not n.endswith(".$"))
    return st.dictionaries(name, value, max_size=5)


def numbers(low: float, high: float) -> st.SearchStrategy[float]:
    """Floats Python writes without an exponent (1e-05, 5.960464477539063e-08 are left out).

    moto's ASL grammar (a judge) refuses a JSON exponent with a leading zero (e-08), which json.dumps writes
    for every small float that reaches a definition (a variant's weight); as long as moto judges, the strategy
    stays clear of exponents. (asl-gen itself reads them: test_a_json_number_without_a_point_is_a_number.)
    """
    return st.floats(low, high, allow_nan=False, allow_infinity=False).filter(lambda x: "e" not in repr(x))


def instance_types() -> st.SearchStrategy[str]:
    return st.sampled_from(sorted(catalog.INSTANCE_TYPES))


def content_types() -> st.SearchStrategy[str]:
    # 1-256 characters, no control characters (asl_gen/spec/model.py: ContentType).
    return st.one_of(
        st.sampled_from(["text/csv", "application/json", "application/x-recordio-protobuf"]),
        st.text(_PRINTABLE.filter(lambda c: not 0x7F <= ord(c) <= 0x9F), min_size=1, max_size=30),
    )


def vpcs() -> st.SearchStrategy[dict[str, Any]]:
    hexes = st.from_regex(r"\A[0-9a-f]{8,17}\Z")
    return st.fixed_dictionaries(
        {
            "subnets": st.lists(hexes.map(lambda h: f"subnet-{h}"), min_size=1, max_size=3, unique=True),
            "security_groups": st.lists(hexes.map(lambda h: f"sg-{h}"), min_size=1, max_size=2, unique=True),
        }
    )


# --- where the project runs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    region: str
    partition: str
    account: str

    @property
    def dns(self) -> str:
        return catalog.PARTITION_DNS_SUFFIX[self.partition]

    def kms_keys(self) -> st.SearchStrategy[str]:
        key_id = st.one_of(st.uuids().map(str), st.from_regex(r"\A[0-9a-f]{32}\Z").map(lambda h: f"mrk-{h}"))
        return key_id.map(lambda k: f"arn:{self.partition}:kms:{self.region}:{self.account}:key/{k}")

    def images(self) -> st.SearchStrategy[str]:
        repository = st.from_regex(r"\A[a-z0-9]+([._/-][a-z0-9]+){0,2}\Z")
        tag = st.one_of(
            st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9_.-]{0,20}\Z").map(lambda t: f":{t}"),
            st.from_regex(r"\A[0-9a-f]{64}\Z").map(lambda h: f"@sha256:{h}"),
        )
        return st.builds(lambda repo, t: f"{self.account}.dkr.ecr.{self.region}.{self.dns}/{repo}{t}", repository, tag)

    def topics(self) -> st.SearchStrategy[str]:
        name = st.from_regex(r"\A[A-Za-z0-9_-]{1,40}(\.fifo)?\Z")
        return name.map(lambda n: f"arn:{self.partition}:sns:{self.region}:{self.account}:{n}")

    def role_arns(self, account: str | None = None) -> st.SearchStrategy[str]:
        path = st.lists(st.from_regex(r"\A[A-Za-z0-9_+=,.@-]{1,10}\Z"), max_size=2).map(
            lambda parts: "".join(f"{p}/" for p in parts)
        )
        name = st.from_regex(r"\A[A-Za-z0-9_+=,.@-]{1,30}\Z")
        owner = st.just(account) if account else accounts()
        return st.builds(lambda a, p, n: f"arn:{self.partition}:iam::{a}:role/{p}{n}", owner, path, name)


@st.composite
def targets(draw: st.DrawFn) -> Target:
    # The partition first: drawn by region, China and GovCloud (four regions of 38) would hardly ever come up.
    partition = draw(st.sampled_from(sorted(set(catalog.REGION_PARTITIONS.values()))))
    regions = sorted(r for r, p in catalog.REGION_PARTITIONS.items() if p == partition)
    # Half the time one of the 12 regions Ground Truth's task types are offered in, so that labeling jobs come up.
    labeling = sorted(set(regions) & set(catalog.GROUND_TRUTH_LAMBDA_ACCOUNTS))
    region = draw(st.sampled_from(labeling if labeling and draw(st.booleans()) else regions))
    return Target(region, partition, draw(accounts()))


def _algorithms_in(region: str) -> list[tuple[str, str]]:
    found = []
    for name, algorithm in sorted(catalog.ALGORITHMS.items()):
        for version in algorithm.versions:
            try:
                catalog.image_uri(name, version, region)
            except LookupError:
                continue
            found.append((name, version))
    return found


# --- jobs --------------------------------------------------------------------------------------------------


@dataclass
class Draft:
    """What the drawing of one spec knows so far: the jobs in order (each job's references come before it)."""

    target: Target
    project: str
    jobs: dict[str, dict[str, Any]]
    inputs: dict[str, str]
    state_names: set[str]
    # Loose: also draw what the spec may refuse (steps in any order, shared state names, EXPRESS machines that
    # wait, default names too long), for the property that holds either way: built and judged, or refused cleanly.
    loose: bool = False
    # Jobs that run inside a parallel or map (never on their own), and whether such a job is being drawn now.
    owned: set[str] = field(default_factory=set)
    nested: bool = False
    # Whether the job being drawn runs once per item of a map (a transform there reads the item, and needs a
    # generated name).
    in_map: bool = False


def _input(draw: st.DrawFn, draft: Draft) -> str:
    existing = [name for name, kind in draft.inputs.items() if kind == "string"]
    if bool(existing) and draw(st.booleans()):
        return draw(st.sampled_from(existing))
    name = draw(input_names())
    if name in draft.inputs and draft.inputs[name] != "string":
        name += "Name"
    draft.inputs[name] = "string"
    return name


# A tuning job's name stops at 32 characters, its generated name's prefix at 23 (asl_gen/spec/tuning.py).
TUNING_NAME_MAX = 32
TUNING_PREFIX_MAX = 23


def _common(draw: st.DrawFn, draft: Draft, key: str, job: dict[str, Any], *, named: bool) -> None:
    """The fields every job type shares: name (for SageMaker resources), state_name and comment."""
    if named:
        tuning = job["type"] == "tuning"
        prefix_max = TUNING_PREFIX_MAX if tuning else PREFIX_MAX
        default_fits = draft.loose or len(f"{draft.project}-{key}") <= prefix_max
        # A transform that runs once per item of a map needs a new name for each: a generated one.
        per_item = job["type"] == "transform" and draft.in_map and not draft.loose
        forms = ([] if per_item else ["literal", "input"]) + ["prefix"] + (["default"] if default_fits else [])
        form = draw(st.sampled_from(forms))
        if form == "literal":
            job["name"] = draw(sagemaker_names(TUNING_NAME_MAX if tuning else 63))
        elif form == "input":
            job["name"] = {"input": _input(draw, draft)}
        elif form == "prefix":
            job["name"] = {"prefix": draw(sagemaker_names(prefix_max))}
    if draw(st.booleans()):
        name = draw(state_names())
        # Nor another job's key: a job without a state_name is named by its key.
        while not draft.loose and (name in draft.state_names or name in draft.jobs):
            name += "'"
        draft.state_names.add(name)
        job["state_name"] = name
    if draw(st.integers(0, 3)) == 0:
        job["comment"] = draw(free_text(60))


def _prefixed(job: dict[str, Any]) -> bool:
    name = job.get("name")
    return name is None or (isinstance(name, dict) and "prefix" in name)


def _processing_outputs(draft: Draft) -> list[tuple[str, str]]:
    """The outputs of processing steps a step being drawn may read: those of earlier top-level steps."""
    if draft.nested:
        return []
    return [
        (key, output)
        for key, job in draft.jobs.items()
        if job["type"] == "processing" and key not in draft.owned
        for output in job.get("outputs", {})
    ]


@st.composite
def data_locations(draw: st.DrawFn, draft: Draft) -> str | dict[str, str]:
    """Where a step reads input data: an S3 URI, an earlier processing step's output, the model artifacts of an
    earlier training or tuning step, or an execution input."""
    outputs = _processing_outputs(draft)
    # Drawn training and tuning jobs (not the one being drawn, whose key holds only its type so far).
    models = [
        k
        for k, j in draft.jobs.items()
        if not draft.nested
        and k not in draft.owned
        and {"training": "channels", "tuning": "training"}.get(j["type"], "-") in j
    ]
    form = draw(
        st.sampled_from(
            ["uri", "uri", "input"]
            + (["output", "output", "output"] if outputs else [])
            + (["model"] if models else [])
        )
    )
    if form == "output":
        key, output = draw(st.sampled_from(outputs))
        return {"from": key, "output": output}
    if form == "model":
        return {"from": draw(st.sampled_from(models))}
    if form == "input":
        return {"input": _input(draw, draft)}
    return draw(s3_uris())


@st.composite
def training_jobs(draw: st.DrawFn, draft: Draft) -> dict[str, Any]:
    job = {"type": "training", **draw(_training_definitions(draft))}
    if draw(st.booleans()):
        job["tags"] = draw(tag_maps())
    return job


@st.composite
def _training_definitions(draw: st.DrawFn, draft: Draft) -> dict[str, Any]:
    """What a training job runs (a training step's fields, a tuning step's `training`)."""
    job: dict[str, Any] = {}
    available = _algorithms_in(draft.target.region)
    if bool(available) and draw(st.booleans()):
        name, version = draw(st.sampled_from(available))
        job["algorithm"] = {"name": name, "version": version}
    else:
        job["image"] = draw(draft.target.images())
    instance: dict[str, Any] = {"type": draw(instance_types())}
    if draw(st.booleans()):
        instance["count"] = draw(st.integers(1, 100))
    if draw(st.booleans()):
        instance["volume_gb"] = draw(st.integers(1, 16384))
    job["instance"] = instance
    job["channels"] = draw(
        st.dictionaries(
            st.from_regex(r"\A[A-Za-z0-9.\-_]{1,20}\Z"),
            st.fixed_dictionaries(
                {"s3": data_locations(draft)},
                optional={
                    "content_type": st.text(_TEXT, min_size=1, max_size=30),
                    "data_type": st.sampled_from(["S3Prefix", "ManifestFile", "AugmentedManifestFile"]),
                    "distribution": st.sampled_from(["FullyReplicated", "ShardedByS3Key"]),
                    "compression": st.sampled_from(["None", "Gzip"]),
                },
            ),
            min_size=1,
            max_size=4,
        )
    )
    job["output"] = draw(s3_uris())
    optional = {
        "input_mode": st.sampled_from(["File", "Pipe", "FastFile"]),
        "max_runtime_seconds": st.integers(1, 28 * 24 * 3600),
        "hyperparameters": hyperparameters(),
        "environment": environments(),
        "vpc": vpcs(),
        "kms_key": draft.target.kms_keys(),
    }
    job.update(draw(st.fixed_dictionaries({}, optional=optional)))
    return job


@st.composite
def _source(draw: st.DrawFn, draft: Draft, job: dict[str, Any]) -> None:
    """Where a model or model package gets its artifacts: a training job of the spec, the best of a tuning job, or
    model_data (an S3 URI, an input, a processing output) and image."""
    trainings = [k for k, j in draft.jobs.items() if j["type"] in ("training", "tuning") and k not in draft.owned]
    if not draft.nested and bool(trainings) and draw(st.integers(0, 3)) > 0:
        job["from"] = draw(st.sampled_from(trainings))
    else:
        job["model_data"] = draw(s3_uris()) if draw(st.booleans()) else draw(data_locations(draft))
        job["image"] = draw(draft.target.images())


@st.composite
def model_jobs(draw: st.DrawFn, draft: Draft) -> dict[str, Any]:
    job: dict[str, Any] = {"type": "model"}
    draw(_source(draft, job))
    job.update(
        draw(st.fixed_dictionaries({}, optional={"environment": environments(), "tags": tag_maps(), "vpc": vpcs()}))
    )
    return job


@st.composite
def endpoint_config_jobs(draw: st.DrawFn, draft: Draft) -> dict[str, Any]:
    models = [k for k, j in draft.jobs.items() if j["type"] == "model" and k not in draft.owned]
    variants = []
    names = draw(st.lists(sagemaker_names(), min_size=1, max_size=3, unique=True))
    # SageMaker Serverless Inference serves one variant, captures no data and queues no requests.
    serverless = len(names) == 1 and draw(st.integers(0, 2)) == 0
    for index, name in enumerate(names):
        variant: dict[str, Any] = {"model": draw(st.sampled_from(models))}
        if index or draw(st.booleans()):
            variant["name"] = name
        if serverless:
            concurrency = draw(st.integers(1, 200))
            variant["serverless"] = {
                "memory_mb": draw(st.sampled_from([1024, 2048, 3072, 4096, 5120, 6144])),
                "max_concurrency": concurrency,
            }
            if draw(st.booleans()):
                variant["serverless"]["provisioned_concurrency"] = draw(st.integers(1, concurrency))
        else:
            instance: dict[str, Any] = {"type": draw(instance_types())}
            if draw(st.booleans()):
                instance["count"] = draw(st.integers(1, 1000))
            variant["instance"] = instance
        if draw(st.booleans()):
            variant["weight"] = draw(numbers(0, 100))
        variants.append(variant)
    if len(variants) > 1 and "name" not in variants[0]:
        variants[0]["name"] = "AllTraffic" if "AllTraffic" not in names else names[0]
    job: dict[str, Any] = {"type": "endpoint-config", "variants": variants}
    if draw(st.booleans()):
        job["tags"] = draw(tag_maps())
    if not serverless and draw(st.booleans()):
        job["data_capture"] = draw(
            st.fixed_dictionaries(
                {"s3": s3_uris()},
                optional={
                    "sampling_percentage": st.integers(0, 100),
                    "capture": st.lists(st.sampled_from(["Input", "Output"]), min_size=1, max_size=2, unique=True),
                    "kms_key": draft.target.kms_keys(),
                    "csv_content_types": st.lists(content_types(), min_size=1, max_size=3),
                    "json_content_types": st.lists(content_types(), min_size=1, max_size=3),
                },
            )
        )
    if not serverless and draw(st.booleans()):
        topics = draft.target.topics()
        job["async_inference"] = draw(
            st.fixed_dictionaries(
                {"output": s3_uris()},
                optional={
                    "failure": s3_uris(),
                    "notify": st.fixed_dictionaries({}, optional={"success": topics, "error": topics}),
                    "max_concurrent_invocations_per_instance": st.integers(1, 1000),
                    "kms_key": draft.target.kms_keys(),
                },
            )
        )
    return job


@st.composite
def endpoint_jobs(draw: st.DrawFn, draft: Draft) -> dict[str, Any]:
    configs = [k for k, j in draft.jobs.items() if j["type"] == "endpoint-config"]
    job: dict[str, Any] = {"type": "endpoint", "config": draw(st.sampled_from(configs))}
    wait = st.one_of(
        st.booleans(),
        st.fixed_dictionaries({}, optional={"poll_seconds": st.integers(1, 3600), "max_polls": st.integers(1, 1000)}),
    )
    job.update(
        draw(
            st.fixed_dictionaries(
                {}, optional={"if_exists": st.sampled_from(["fail", "update"]), "wait": wait, "tags": tag_maps()}
            )
        )
    )
    return job


@st.composite
def model_package_jobs(draw: st.DrawFn, draft: Draft) -> dict[str, Any]:
    job: dict[str, Any] = {"type": "model-package", "group": draw(sagemaker_names())}
    draw(_source(draft, job))
    mime = st.from_regex(r"\A[a-z]{1,10}/[a-z0-9.+-]{1,15}\Z")
    optional = {
        "approval": st.sampled_from(["Approved", "PendingManualApproval", "Rejected"]),
        "description": st.text(_PRINTABLE, max_size=60),
        "content_types": st.lists(mime, min_size=1, max_size=3),
        "response_types": st.lists(mime, min_size=1, max_size=3),
        "inference_instances": st.lists(instance_types(), min_size=1, max_size=3),
        "transform_instances": st.lists(instance_types(), min_size=1, max_size=3),
        "environment": environments(),
    }
    job.update(draw(st.fixed_dictionaries({}, optional=optional)))
    return job


# --- processing, tuning, transform, labeling -------------------------------------------------------------------


@functools.cache
def _framework_images(region: str, instance_type: str) -> tuple[tuple[tuple[str, str], ...], ...]:
    """Every framework image a processing job on `instance_type` may name in `region`, as the spec writes it
    (framework, version and, where they matter, py_version and base), in the catalog's order."""
    found: list[tuple[tuple[str, str], ...]] = []
    frameworks = catalog_processing.tables()["frameworks"]
    for framework in sorted(frameworks):
        table = frameworks[framework]
        for version in [*table["versions"], *table.get("aliases", {})]:
            config = table["versions"].get(table.get("aliases", {}).get(version, version), {})
            bases: list[str | None] = [None, *config.get("bases", {})]
            py_versions = {p for c in [config, *config.get("bases", {}).values()] for p in c.get("py_versions", [])}
            for base in bases:
                for py_version in [None, *sorted(py_versions)]:
                    try:
                        catalog_processing.resolve_framework(
                            framework, version, instance_type=instance_type, py_version=py_version, base=base
                        ).uri(region)
                    except LookupError:
                        continue
                    image = [("framework", framework), ("version", version)]
                    image += [("py_version", py_version)] if py_version else []
                    image += [("base", base)] if base else []
                    found.append(tuple(image))
    return tuple(found)


def _io_names() -> st.SearchStrategy[str]:
    return st.from_regex(r"\A[A-Za-z][A-Za-z0-9_-]{0,10}\Z")


@st.composite
def _s3_files(draw: st.DrawFn) -> str:
    """An S3 URI of one object (a script, a manifest): a bucket and a key that does not end with '/'."""
    part = st.text(st.sampled_from(_LOWER + _DIGITS + "-_.=+é"), min_size=1, max_size=10)
    return f"s3://{draw(buckets())}/" + "/".join(draw(st.lists(part, min_size=1, max_size=3)))


def _container_strings() -> st.SearchStrategy[str]:
    return st.text(_TEXT, min_size=1, max_size=20)


@st.composite
def processing_jobs(draw: st.DrawFn, draft: Draft) -> dict[str, Any]:
    job: dict[str, Any] = {"type": "processing"}
    instance: dict[str, Any] = {"type": draw(st.sampled_from(sorted(catalog_processing.processing_instance_types())))}
    if draw(st.booleans()):
        instance["count"] = draw(st.integers(1, 100))
    if draw(st.booleans()):
        instance["volume_gb"] = draw(st.integers(1, 16384))
    frameworks = _framework_images(draft.target.region, instance["type"])
    own_image = not frameworks or draw(st.integers(0, 2)) == 0
    job["image"] = draw(draft.target.images()) if own_image else dict(draw(st.sampled_from(frameworks)))
    job["instance"] = instance
    code = draw(st.booleans())
    if code:
        job["code"] = draw(_s3_files())
    if (code and own_image) or draw(st.integers(0, 3)) == 0:
        # An image of your own cannot tell how to run the code: the entrypoint says.
        job["entrypoint"] = draw(st.lists(_container_strings(), min_size=1, max_size=3))
    if draw(st.booleans()):
        job["arguments"] = draw(st.lists(_container_strings(), max_size=4))

    def local_path(kind: str, name: str) -> st.SearchStrategy[dict[str, str]]:
        # A folder of its own under /opt/ml/processing/, apart from the defaults (input/<name>, output/<name>).
        return st.just({"local_path": f"/opt/ml/processing/{kind}-{name}"})

    inputs: dict[str, Any] = {}
    for name in draw(st.lists(_io_names().filter(lambda n: n != "code"), max_size=3, unique=True)):
        item: dict[str, Any] = {"s3": draw(data_locations(draft))}
        if draw(st.booleans()):
            item.update(draw(local_path("in", name)))
        item.update(
            draw(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "data_type": st.sampled_from(["S3Prefix", "ManifestFile"]),
                        "distribution": st.sampled_from(["FullyReplicated", "ShardedByS3Key"]),
                    },
                )
            )
        )
        if draw(st.booleans()):
            item["input_mode"] = draw(st.sampled_from(["File", "Pipe"]))
            if item["input_mode"] == "Pipe" and draw(st.booleans()):
                item["compression"] = draw(st.sampled_from(["None", "Gzip"]))
        inputs[name] = item
    if bool(inputs) or draw(st.booleans()):
        job["inputs"] = inputs
    outputs: dict[str, Any] = {}
    # Mostly with outputs: later steps read them.
    for name in draw(st.lists(_io_names(), min_size=draw(st.integers(0, 2)) and 1, max_size=3, unique=True)):
        output: dict[str, Any] = {"s3": draw(s3_uris())}
        if draw(st.booleans()):
            output.update(draw(local_path("out", name)))
        if draw(st.booleans()):
            output["upload_mode"] = draw(st.sampled_from(["EndOfJob", "Continuous"]))
        # Half the outputs per execution (now and then a written-out false).
        if draw(st.booleans()):
            output["per_execution"] = True
        elif draw(st.integers(0, 3)) == 0:
            output["per_execution"] = False
        outputs[name] = output
    if bool(outputs) or draw(st.booleans()):
        job["outputs"] = outputs
    optional = {
        "environment": environments(),
        "max_runtime_seconds": st.integers(1, 777600),
        "vpc": vpcs(),
        "kms_key": draft.target.kms_keys(),
        "tags": tag_maps(),
    }
    job.update(draw(st.fixed_dictionaries({}, optional=optional)))
    return job


def _hyper_values() -> st.SearchStrategy[Any]:
    return st.one_of(free_text(12), st.booleans(), st.integers(-(10**6), 10**6), numbers(-1e6, 1e6))


@st.composite
def _ranges(draw: st.DrawFn, categorical_only: bool) -> dict[str, Any]:
    kind = "categorical" if categorical_only else draw(st.sampled_from(["continuous", "integer", "categorical"]))
    if kind == "categorical":
        values = draw(st.lists(_hyper_values(), min_size=1, max_size=5, unique_by=hyperparameter_text))
        return {"categorical": values}
    if kind == "continuous":
        low = draw(st.one_of(numbers(0, 0.5), numbers(-1e6, 1e6)))
        high = draw(st.one_of(numbers(0.5, 0.999), numbers(-1e6, 1e6)).filter(lambda h: h > low))
        found: dict[str, Any] = {"continuous": [low, high]}
    else:
        low = draw(st.integers(-1000, 1000))
        found = {"integer": [low, draw(st.integers(low + 1, low + 1000))]}
    scalings = ["Auto", "Linear"]
    if low > 0:
        scalings.append("Logarithmic")
    if kind == "continuous" and low >= 0 and high < 1:
        scalings.append("ReverseLogarithmic")
    if draw(st.booleans()):
        found["scaling"] = draw(st.sampled_from(scalings))
    return found


@st.composite
def tuning_jobs(draw: st.DrawFn, draft: Draft) -> dict[str, Any]:
    training = draw(_training_definitions(draft))
    job: dict[str, Any] = {"type": "tuning", "training": training}
    strategy = draw(st.sampled_from([None, "Bayesian", "Random", "Hyperband", "Grid"]))
    static = training.get("hyperparameters", {})
    names = draw(
        st.lists(
            st.from_regex(r"\A[a-z][a-z_]{0,11}\Z").filter(lambda n: n not in static),
            min_size=1,
            max_size=4,
            unique=True,
        )
    )
    job["ranges"] = {name: draw(_ranges(strategy == "Grid")) for name in names}
    if "algorithm" in training:
        # A built-in algorithm reports '<channel>:<metric>' for the channels it has.
        channel = draw(st.sampled_from(sorted({*training["channels"], "train"})))
        objective: dict[str, Any] = {"metric": f"{channel}:" + draw(st.from_regex(r"\A[a-z][a-z_]{0,10}\Z"))}
    else:
        objective = {"metric": draw(metric_names())}
        regex = st.text(_PRINTABLE, min_size=1, max_size=30)
        objective["regex"] = draw(st.one_of(st.just(r"auc: ([0-9\.]+)"), regex))
    objective["type"] = draw(st.sampled_from(["Maximize", "Minimize"]))
    job["objective"] = objective
    if strategy is not None:
        job["strategy"] = strategy
    if strategy != "Grid":
        job["max_jobs"] = draw(st.integers(1, 500))
    if draw(st.booleans()):
        job["max_parallel_jobs"] = draw(st.integers(1, job.get("max_jobs", 100)))
    if draw(st.booleans()):
        job["max_runtime_seconds"] = draw(st.integers(120, 15_768_000))
    if draw(st.booleans()):
        job["early_stopping"] = "Off" if strategy == "Hyperband" else draw(st.sampled_from(["Off", "Auto"]))
    if draw(st.integers(0, 3)) == 0:
        job["warm_start"] = {
            "type": draw(st.sampled_from(["IdenticalDataAndAlgorithm", "TransferLearning"])),
            "parents": draw(st.lists(sagemaker_names(TUNING_NAME_MAX), min_size=1, max_size=5)),
        }
    if draw(st.booleans()):
        job["tags"] = draw(tag_maps())
    return job


def _data_filters() -> st.SearchStrategy[str]:
    # A JSONPath of at most 63 characters, starting with $, without control characters.
    return st.one_of(
        st.sampled_from(["$", "$[1:]", "$[0]", "$.features", "$.SageMakerOutput"]),
        st.text(_PRINTABLE.filter(lambda c: not 0x7F <= ord(c) <= 0x9F), max_size=20).map(lambda t: "$" + t),
    )


@st.composite
def transform_jobs(draw: st.DrawFn, draft: Draft) -> dict[str, Any]:
    job: dict[str, Any] = {"type": "transform"}
    models = [k for k, j in draft.jobs.items() if j["type"] == "model" and k not in draft.owned]
    if bool(models) and draw(st.integers(0, 3)) > 0:
        # A model step that runs before the transform (before the map, for a transform inside one).
        job["model"] = draw(st.sampled_from(models))
    elif draw(st.booleans()):
        job["model_name"] = draw(sagemaker_names())
    else:
        job["model_name"] = {"input": _input(draw, draft)}
    outputs = _processing_outputs(draft)
    if draft.in_map and draw(st.integers(0, 3)) > 0:
        source: Any = {"item": draw(st.one_of(st.just(True), st.from_regex(r"\A[a-z][A-Za-z0-9_]{0,10}\Z")))}
    elif bool(outputs) and draw(st.booleans()):
        step, output = draw(st.sampled_from(outputs))
        source = {"from": step, "output": output}
    elif draw(st.booleans()):
        source = {"input": _input(draw, draft)}
    else:
        source = draw(s3_uris())
    job["input"] = {
        "s3": source,
        **draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "data_type": st.sampled_from(["S3Prefix", "ManifestFile", "AugmentedManifestFile"]),
                    "content_type": content_types(),
                    "split_type": st.sampled_from(["None", "Line", "RecordIO", "TFRecord"]),
                    "compression": st.sampled_from(["None", "Gzip"]),
                },
            )
        ),
    }
    job["output"] = draw(
        st.fixed_dictionaries(
            {"s3": s3_uris()},
            optional={
                "assemble_with": st.sampled_from(["None", "Line"]),
                "accept": content_types(),
                "kms_key": draft.target.kms_keys(),
                "per_execution": st.booleans(),
            },
        )
    )
    instance: dict[str, Any] = {"type": draw(instance_types())}
    if draw(st.booleans()):
        instance["count"] = draw(st.integers(1, 100))
    job["instance"] = instance
    optional = {
        "pattern": st.sampled_from(["sync", "request-response"]),
        "batch_strategy": st.sampled_from(["SingleRecord", "MultiRecord"]),
        "max_payload_mb": st.integers(0, 100),
        "max_concurrent_transforms": st.integers(0, 1000),
        "environment": environments(),
        "data_processing": st.fixed_dictionaries(
            {},
            optional={
                "input_filter": _data_filters(),
                "output_filter": _data_filters(),
                "join_source": st.sampled_from(["None", "Input"]),
            },
        ),
        "tags": tag_maps(),
    }
    job.update(draw(st.fixed_dictionaries({}, optional=optional)))
    return job


def labeling_offered(draft: Draft) -> bool:
    """Whether Ground Truth's built-in task types are offered in the draft's region (12 commercial regions)."""
    return draft.target.region in catalog.GROUND_TRUTH_LAMBDA_ACCOUNTS


@st.composite
def labeling_jobs(draw: st.DrawFn, draft: Draft) -> dict[str, Any]:
    region = draft.target.region
    task_name = draw(st.sampled_from(sorted(catalog.LABELING_TASKS)))
    task = catalog.LABELING_TASKS[task_name]
    job: dict[str, Any] = {"type": "labeling", "task": task_name, "manifest": draw(_s3_files())}
    if draw(st.booleans()):
        job["data"] = draw(s3_uris())
    job["output"] = draw(s3_uris())
    job["labels"] = draw(_s3_files())
    if draw(st.booleans()):
        attribute = draw(st.from_regex(r"\A[a-zA-Z0-9](-?[a-zA-Z0-9]){0,20}\Z").filter(lambda a: "metadata" not in a))
        job["label_attribute"] = attribute + (task.label_attribute_suffix or "")
    if task.human_task_ui is None:
        job["ui_template"] = draw(_s3_files())
    crowd = draw(st.sampled_from(["private-crowd", "vendor-crowd", "public-crowd"]))
    team = draw(st.from_regex(r"\A[a-zA-Z0-9](-?[a-zA-Z0-9]){0,20}\Z"))
    if crowd == "private-crowd":
        account = draft.target.account
    elif crowd == "vendor-crowd":
        account = draw(accounts())
    else:
        account, team = catalog.PUBLIC_WORKTEAM_ACCOUNT, "default"
    job["workteam"] = f"arn:aws:sagemaker:{region}:{account}:workteam/{crowd}/{team}"
    job["title"] = draw(st.text(_PRINTABLE, min_size=1, max_size=40))
    job["description"] = draw(st.text(_TEXT, min_size=1, max_size=60))
    public = crowd == "public-crowd"
    if public:
        # Mechanical Turk is paid per task, and takes only data declared free of personal information.
        job["price_per_task"] = draw(st.integers(1, 2999)) / 1000
        job["free_of_pii"] = True
    elif draw(st.booleans()):
        job["free_of_pii"] = draw(st.booleans())
    optional = {
        "keywords": st.lists(st.from_regex(r"\A[A-Za-z0-9]{1,8}( [A-Za-z0-9]{1,8}){0,2}\Z"), min_size=1, max_size=5),
        "workers_per_object": st.integers(1, 9),
        "task_time_limit_seconds": st.integers(30, 28_800),
        "task_availability_seconds": st.integers(60, 43_200 if public else 2_592_000),
        "max_concurrent_tasks": st.integers(1, 5000),
        "max_objects": st.integers(1, 10**9),
        "max_percent_labeled": st.integers(1, 100),
        "free_of_adult_content": st.booleans(),
        "kms_key": draft.target.kms_keys(),
        "tags": tag_maps(),
    }
    job.update(draw(st.fixed_dictionaries({}, optional=optional)))
    return job


def _in_partition(value: Any, target: Target) -> Any:
    """The request literals of tests/test_services.py, moved into the project's partition and DNS suffix."""
    if isinstance(value, str):
        value = value.replace("arn:aws:", f"arn:{target.partition}:")
        return value.replace(".amazonaws.com/", f".{target.dns}/")
    if isinstance(value, dict):
        return {k: _in_partition(v, target) for k, v in value.items()}
    if isinstance(value, list):
        return [_in_partition(v, target) for v in value]
    return value


_ROWS = sorted(integrations.SERVICE_ROWS, key=lambda row: row.key)


def _state_reads(value: Any, draft: Draft) -> Any:
    """The request with each `$.field` it reads made readable: a declared input (capitalised, so no job's result
    slot takes it) for a call of its own, the whole state (`$`) inside a parallel or map, whose state differs."""
    if isinstance(value, list):
        return [_state_reads(item, draft) for item in value]
    if not isinstance(value, dict):
        return value
    fixed: dict[str, Any] = {}
    for key, item in value.items():
        if key.endswith(".$") and isinstance(item, str) and item.startswith("$.") and draft.nested:
            item = "$"
        elif key.endswith(".$") and isinstance(item, str) and item.startswith("$."):
            head, _, rest = item[2:].partition(".")
            name = head[:1].upper() + head[1:]
            draft.inputs.setdefault(name, "string")
            item = f"$.{name}" + (f".{rest}" if rest else "")
        fixed[key] = item if key.endswith(".$") else _state_reads(item, draft)
    return fixed


@st.composite
def call_jobs(draw: st.DrawFn, draft: Draft) -> dict[str, Any]:
    job: dict[str, Any] = {"type": "call"}
    undeclared_sdk = draw(st.integers(0, 5)) == 0
    if undeclared_sdk:
        # An AWS SDK call asl-gen has no row for: the user lists the ARNs it acts on.
        pattern = draw(st.sampled_from(["", ".waitForTaskToken"]))
        job["resource"] = "aws-sdk:s3:putObjectTagging"
        parameters: dict[str, Any] = {"Bucket": "reports", "Key.$": "$.key", "Tagging": {"TagSet": []}}
        job["resources"] = [f"arn:{draft.target.partition}:s3:::reports/*"]
        if pattern:
            parameters["TaskToken.$"] = "$$.Task.Token"
    else:
        row = draw(st.sampled_from(_ROWS))
        # A SageMaker request is checked against the API's shape, and a Describe call has no member for a token.
        patterns = row.patterns - {".waitForTaskToken"} if row.service == "sagemaker" else row.patterns
        pattern = draw(st.sampled_from(sorted(patterns)))
        job["resource"] = row.key
        parameters = _in_partition(copy.deepcopy(LITERALS.get(row.key, {})), draft.target)
        if pattern == ".waitForTaskToken":
            replaced = CALLBACK_FIELDS.get(row.key, {"TaskToken.$": "$$.Task.Token"})
            parameters = {k: v for k, v in parameters.items() if k.removesuffix(".$") not in replaced} | replaced
    parameters = _state_reads(parameters, draft)
    if pattern or draw(st.booleans()):
        job["pattern"] = PATTERN_WORD[pattern]
    if bool(parameters) or draw(st.booleans()):
        job["parameters"] = parameters
    result = draw(st.sampled_from(["keep", "discard", "select"]))
    if result == "discard":
        job["discard_result"] = True
    elif result == "select":
        job["result_selector"] = {"Result.$": "$", "Constant": draw(free_text())}
    if draw(st.integers(0, 3)) == 0:
        job["credentials"] = draw(draft.target.role_arns())
    if draw(st.booleans()):
        timeout = draw(st.integers(2, 99_999_999))
        job["timeout_seconds"] = timeout
        if draw(st.booleans()):
            job["heartbeat_seconds"] = draw(st.integers(1, timeout - 1))
    return job


# --- control flow (quality gates, parallel, map, raw ASL, retry and catch, on_failure, query languages) ----------

CONTROL_FLOW = "quality-gate" in spec_model.JOB_TYPES
ERROR_NAMES = (
    "States.TaskFailed",
    "States.Timeout",
    "States.HeartbeatTimeout",
    "SageMaker.AmazonSageMakerException",
    "SageMaker.ResourceLimitExceededException",
    "ThrottlingException",
    "Lambda.ServiceException",
    "QualityGate.Failed",
)


def error_names() -> st.SearchStrategy[str]:
    # Any text without control characters or '*' names an error; States.ALL is drawn on its own, last.
    own = st.text(_PRINTABLE.filter(lambda c: c != "*"), min_size=1, max_size=30).filter(lambda e: e != "States.ALL")
    return st.one_of(st.sampled_from(ERROR_NAMES), own)


@st.composite
def _error_lists(draw: st.DrawFn, last: bool) -> list[str]:
    if last and draw(st.integers(0, 2)) == 0:
        return ["States.ALL"]
    return draw(st.lists(error_names(), min_size=1, max_size=3, unique=True))


@st.composite
def retry_policies(draw: st.DrawFn) -> str | list[dict[str, Any]]:
    form = draw(st.sampled_from(["sagemaker", "none", "rules"]))
    if form != "rules":
        return form
    count = draw(st.integers(1, 3))
    rules = []
    for index in range(count):
        rule: dict[str, Any] = {"errors": draw(_error_lists(index == count - 1))}
        optional = {
            "interval_seconds": st.integers(1, 99_999_999),
            "max_attempts": st.integers(0, 99_999_999),
            "backoff_rate": numbers(1.0, 1000.0),
            "max_delay_seconds": st.integers(1, 31_622_400),
            "jitter": st.sampled_from(["FULL", "NONE"]),
        }
        rule.update(draw(st.fixed_dictionaries({}, optional=optional)))
        rules.append(rule)
    return rules


def metric_names() -> st.SearchStrategy[str]:
    own = st.text(_PRINTABLE.filter(lambda c: c not in "'\"\\{}"), min_size=1, max_size=40)
    return st.one_of(st.sampled_from(["validation:rmse", "validation:auc", "train:loss", "test:mse"]), own)


def _gate_sources(draft: Draft) -> dict[str, list[Any]]:
    """What a quality gate may read: training jobs, tuning jobs (which must run before it), processing outputs."""
    free = [(k, j) for k, j in draft.jobs.items() if k not in draft.owned]
    sources: dict[str, list[Any]] = {
        "training": [k for k, j in free if j["type"] == "training"],
        "tuning": [k for k, j in free if j["type"] == "tuning"],
        "report": list(_processing_outputs(draft)),
    }
    return {kind: found for kind, found in sources.items() if found}


def report_values() -> st.SearchStrategy[str]:
    """A dotted path into a JSON report: names and list indices (asl_gen/spec/control.py: REPORT_VALUE)."""
    name = r"[A-Za-z_][A-Za-z0-9_]{0,8}(\[[0-9]{1,2}\])?"
    return st.from_regex(rf"\A{name}(\.{name}){{0,3}}\Z")


def report_files() -> st.SearchStrategy[str]:
    part = st.text(st.sampled_from(_LOWER + _DIGITS + "-_.=+é "), min_size=1, max_size=12)
    return st.lists(part.filter(lambda p: p not in (".", "..")), min_size=1, max_size=3).map("/".join)


@st.composite
def quality_gate_jobs(draw: st.DrawFn, draft: Draft) -> dict[str, Any]:
    sources = _gate_sources(draft)
    # The gates of issue 15 first where they can be drawn: on a tuning job, on a report.
    # A report needs a processing step earlier in the machine, which few drafts have: take it whenever it is there
    # (three times in four), so that a run of 100 specs sees it.
    newer = [k for k in ("tuning", "report") if k in sources]
    if bool(newer) and draw(st.integers(0, 3)) > 0:
        kind = draw(st.sampled_from(newer))
    else:
        kind = draw(st.sampled_from(sorted(sources)))
    job: dict[str, Any] = {"type": "quality-gate"}
    if kind == "report":
        step, output = draw(st.sampled_from(sources["report"]))
        job["report"] = {"from": step, "output": output, "file": draw(report_files())}
        job["value"] = draw(report_values())
    elif kind == "tuning":
        job["tuning"] = draw(st.sampled_from(sources["tuning"]))
        if draw(st.booleans()):
            # Only the tuning job's objective may be named: it is the value the gate reads.
            job["metric"] = draft.jobs[job["tuning"]]["objective"]["metric"]
    else:
        job["training"] = draw(st.sampled_from(sources["training"]))
        job["metric"] = draw(metric_names())
    job[draw(st.sampled_from(["lt", "le", "gt", "ge"]))] = draw(
        st.one_of(st.integers(-(10**6), 10**6), numbers(-1e6, 1e6))
    )
    return job


# Jobs that may run inside a parallel branch or a map body: they use no other job of the branch or body, so
# wherever they run their sources are there (a transform's model step runs before the parallel or map: the state
# machines put it there). A map body may hold no parallel, map or raw ASL.
_INNER_TYPES = ("training", "model", "model-package", "call", "processing", "tuning", "transform", "labeling")


@st.composite
def _inner_jobs(draw: st.DrawFn, draft: Draft, *, in_map: bool = False) -> list[str]:
    keys_ = []
    kinds = [k for k in _INNER_TYPES if _JOB_STRATEGIES[k][1](draft)]
    drawn = draw(st.lists(st.sampled_from(kinds), min_size=1, max_size=2))
    if in_map and draw(st.booleans()):
        drawn = ["transform", *drawn[1:]]  # what a map is for: a batch per item
    draft.nested, draft.in_map = True, in_map
    try:
        for kind in drawn:
            key = _add_job(draw, draft, kind)
            draft.owned.add(key)
            keys_.append(key)
    finally:
        draft.nested = draft.in_map = False
    return keys_


@st.composite
def parallel_jobs(draw: st.DrawFn, draft: Draft) -> dict[str, Any]:
    branches = [draw(_inner_jobs(draft)) for _ in range(draw(st.integers(1, 3)))]
    return {"type": "parallel", "branches": branches}


@st.composite
def map_jobs(draw: st.DrawFn, draft: Draft) -> dict[str, Any]:
    job: dict[str, Any] = {"type": "map"}
    if draw(st.booleans()):
        item = st.one_of(free_text(20), st.integers(-(10**6), 10**6), st.booleans(), s3_uris())
        job["items"] = draw(st.lists(item, min_size=1, max_size=5))
    else:
        name = draw(input_names())
        while name in draft.inputs and draft.inputs[name] != "list":
            name += "List"
        draft.inputs[name] = "list"
        job["items"] = {"input": name}
    job["steps"] = draw(_inner_jobs(draft, in_map=True))
    if draw(st.booleans()):
        job["max_concurrency"] = draw(st.integers(0, 40))
    return job


@st.composite
def asl_jobs(draw: st.DrawFn, draft: Draft) -> dict[str, Any]:
    """Raw states, chained by Next; the last one without Next goes on to the next step."""
    names: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        name = draw(state_names())
        while name in draft.state_names:
            name += "'"
        draft.state_names.add(name)
        names.append(name)
    states: dict[str, Any] = {}
    for index, name in enumerate(names):
        # Fields both query languages accept: a raw fragment may sit in a JSONPath and a JSONata machine at once.
        kinds = ["Pass", "Wait"] + (["Succeed", "Fail"] if draft.loose and index == len(names) - 1 else [])
        state: dict[str, Any] = {"Type": draw(st.sampled_from(kinds))}
        if state["Type"] == "Wait":
            state["Seconds"] = draw(st.integers(1, 3600))
        if state["Type"] == "Fail" and draw(st.booleans()):
            state["Error"] = draw(error_names())
        if draw(st.booleans()):
            state["Comment"] = draw(free_text(30))
        if index < len(names) - 1:
            state["Next"] = names[index + 1]
        states[name] = state
    return {"type": "asl", "states": states}


def _catches(draw: st.DrawFn, draft: Draft, machines: dict[str, Any]) -> None:
    """Catch rules on some jobs, each going on with a step of every list of steps the job runs in."""
    lists: list[list[str]] = []
    for machine in machines.values():
        steps = machine if isinstance(machine, list) else machine["steps"]
        lists.append(steps)
        for step in steps:
            job = draft.jobs[step]
            lists.extend(job.get("branches", []))
            if job["type"] == "map":
                lists.append(job["steps"])
    for key, job in draft.jobs.items():
        if job["type"] == "asl" or draw(st.integers(0, 3)) > 0:
            continue
        scopes = [set(steps) for steps in lists if key in steps]
        # Loosely, now and then a catch goes anywhere (another list, itself): refused, and cleanly.
        if draft.loose and draw(st.integers(0, 7)) == 0:
            candidates = sorted(draft.jobs)
        else:
            candidates = sorted(set.intersection(*scopes) - {key}) if scopes else []
        if not candidates:
            continue
        count = draw(st.integers(1, 2))
        # States.ALL may close a step's own catchers, also under on_failure (which then adds none after it).
        job["catch"] = [
            {
                "errors": draw(_error_lists(index == count - 1)),
                "next": draw(st.sampled_from(candidates)),
            }
            for index in range(count)
        ]


def _always(draft: Draft) -> bool:
    return True


def _needs_free(kind: str) -> Callable[[Draft], bool]:
    """A job of `kind` must be in the draft already, outside any parallel or map."""
    return lambda draft: any(j["type"] == kind and k not in draft.owned for k, j in draft.jobs.items())


_JOB_STRATEGIES: dict[
    str, tuple[Callable[[Draft], st.SearchStrategy[dict[str, Any]]], Callable[[Draft], bool], bool]
] = {
    # type: (strategy, whether the draft can take one now (what it needs is there), whether it has a SageMaker name)
    "training": (training_jobs, _always, True),
    "processing": (processing_jobs, _always, True),
    "tuning": (tuning_jobs, _always, True),
    "model": (model_jobs, _always, True),
    "endpoint-config": (endpoint_config_jobs, _needs_free("model"), True),
    "endpoint": (endpoint_jobs, _needs_free("endpoint-config"), True),
    "model-package": (model_package_jobs, _always, False),
    "transform": (transform_jobs, _always, True),
    "labeling": (labeling_jobs, labeling_offered, True),
    "call": (call_jobs, _always, False),
}
if CONTROL_FLOW:
    _JOB_STRATEGIES |= {
        "quality-gate": (quality_gate_jobs, lambda draft: bool(_gate_sources(draft)), False),
        "parallel": (parallel_jobs, _always, False),
        "map": (map_jobs, _always, False),
        "asl": (asl_jobs, _always, False),
    }
JOB_TYPES = tuple(_JOB_STRATEGIES)
RECIPES: tuple[tuple[str, ...], ...] = (
    ("training", "model", "endpoint-config", "endpoint"),
    ("model", "endpoint-config", "endpoint", "endpoint"),
    ("training", "model-package", "call"),
    ("training", "model", "model-package"),
    ("call", "call"),
    # Data between steps: processing outputs read by training channels, processing inputs and a report gate.
    ("processing", "processing", "training", "model", "transform"),
    ("tuning", "model", "model-package", "transform"),
    ("model", "map"),
    ("tuning", "model", "endpoint-config", "endpoint-config", "endpoint"),
    *((("processing", "quality-gate", "tuning", "quality-gate", "model"),) if CONTROL_FLOW else ()),
    *((("tuning", "quality-gate", "model"), ("processing", "quality-gate")) if CONTROL_FLOW else ()),
    *((("training", "quality-gate", "model", "parallel", "map", "asl"),) if CONTROL_FLOW else ()),
    *((kind,) for kind in JOB_TYPES),
)


def _data_references(job: dict[str, Any]) -> list[tuple[Path_, str]]:
    """The processing steps whose outputs a job reads, with the path (inside the job) of each reference's `from`."""
    locations: list[tuple[Path_, Any]] = []
    definition = job.get("training") if job["type"] == "tuning" else job if job["type"] == "training" else None
    if definition is not None:
        base: Path_ = ("training",) if job["type"] == "tuning" else ()
        locations.extend(((*base, "channels", n, "s3"), c["s3"]) for n, c in definition["channels"].items())
    if job["type"] == "processing":
        locations.extend((("inputs", n, "s3"), i["s3"]) for n, i in job.get("inputs", {}).items())
    if job["type"] in ("model", "model-package") and "model_data" in job:
        locations.append((("model_data",), job["model_data"]))
    if job["type"] == "quality-gate" and "report" in job:
        locations.append((("report",), job["report"]))
    if job["type"] == "transform":
        locations.append((("input", "s3"), job["input"]["s3"]))
    return [((*path, "from"), loc["from"]) for path, loc in locations if isinstance(loc, dict) and "from" in loc]


def references(job: dict[str, Any]) -> list[str]:
    """The jobs a job uses (as `asl_gen.spec.jobs.references_of`, with a transform's model and the processing steps
    whose outputs it reads): its training or tuning job, models, endpoint config, processing steps."""
    found: list[str] = [ref for _, ref in _data_references(job)]
    if job["type"] == "endpoint-config":
        found += [v["model"] for v in job["variants"]]
    if job["type"] == "endpoint":
        found.append(job["config"])
    if job["type"] in ("model", "model-package") and "from" in job:
        found.append(job["from"])
    if job["type"] == "quality-gate":
        found += [job[source] for source in ("training", "tuning") if source in job]
    if job["type"] == "transform" and "model" in job:
        found.append(job["model"])
    return found


def _needed_or_used(jobs: dict[str, dict[str, Any]], key: str) -> set[str]:
    """The jobs a step uses, itself or through the steps inside it (for a parallel or map)."""
    return {*references(jobs[key]), *(ref for step in _inner(jobs[key]) for ref in _needed_or_used(jobs, step))}


def _inner(job: dict[str, Any]) -> list[str]:
    return [k for branch in job.get("branches", []) for k in branch] + (job["steps"] if job["type"] == "map" else [])


def _needed_before(jobs: dict[str, dict[str, Any]], key: str) -> list[str]:
    """The jobs that must run before a step in its state machine (for a parallel or map, before it: what the steps
    inside it need): a tuning job (known only from its result), a processing step whose output is read, a
    transform's model, and any job whose name exists only inside its own execution."""
    job = jobs[key]
    data = {ref for _, ref in _data_references(job)}
    needed = [
        ref
        for ref in references(job)
        if ref in jobs
        and (_prefixed(jobs[ref]) or ref in data or jobs[ref]["type"] == "tuning" or job["type"] == "transform")
    ]
    inner = _inner(job)
    for step in inner:
        needed += [ref for ref in _needed_before(jobs, step) if ref not in inner]
    return needed


def _add_job(draw: st.DrawFn, draft: Draft, kind: str) -> str:
    """Draw a job of a kind into the draft (with its common fields and, with control flow, retry); its key."""
    strategy, _, named = _JOB_STRATEGIES[kind]
    key = draw(keys().filter(lambda k: k not in draft.jobs and k not in draft.state_names))
    draft.jobs[key] = {"type": kind}  # the key is taken while the jobs inside a parallel or map are drawn
    job = draw(strategy(draft))
    if kind != "asl":
        _common(draw, draft, key, job, named=named)
        if CONTROL_FLOW and draw(st.integers(0, 3)) == 0:
            job["retry"] = draw(retry_policies())
    draft.jobs[key] = job
    return key


# --- state machines ----------------------------------------------------------------------------------------

_WAITING = (".sync", ".sync:2", "sync", "sync:2", "callback")


def waits(job: dict[str, Any], jobs: dict[str, dict[str, Any]]) -> bool:
    """Whether a step waits for a job or a token (itself or a step inside it), which EXPRESS machines may not do."""
    return (
        job["type"] in ("training", "processing", "tuning", "labeling")
        or (job["type"] == "transform" and job.get("pattern") != "request-response")
        or (job["type"] == "call" and job.get("pattern") in _WAITING)
        or any(waits(jobs[k], jobs) for k in _inner(job))
    )


def _top_steps(machine: list[str] | dict[str, Any]) -> list[str]:
    return machine if isinstance(machine, list) else list(machine["steps"])


def _closed_steps(jobs: dict[str, dict[str, Any]], chosen: list[str]) -> list[str]:
    """The chosen jobs plus, before them, each job they need to have run (`_needed_before`)."""
    needed = set(chosen)
    order = list(jobs)
    changed = True
    while changed:
        changed = False
        for key in sorted(needed):
            for ref in _needed_before(jobs, key):
                if ref not in needed:
                    needed.add(ref)
                    changed = True
    return [key for key in order if key in needed]


@st.composite
def state_machines(draw: st.DrawFn, draft: Draft) -> dict[str, Any]:
    machines: dict[str, Any] = {}
    for machine_key in draw(st.lists(keys(max_parts=2), min_size=1, max_size=4, unique=True)):
        free = [k for k in draft.jobs if k not in draft.owned]
        chosen = draw(st.lists(st.sampled_from(free), min_size=1, max_size=len(free), unique=True))
        # Loosely, each rule is broken in about a third of the machines, so that most specs still build.
        steps = chosen if draft.loose and draw(st.integers(0, 2)) == 0 else _closed_steps(draft.jobs, chosen)
        express_ok = (draft.loose and draw(st.integers(0, 2)) == 0) or not any(
            waits(draft.jobs[s], draft.jobs) for s in steps
        )
        settings: dict[str, Any] = {}
        if draw(st.booleans()):
            settings["comment"] = draw(free_text(60))
        if draw(st.booleans()):
            settings["logging"] = draw(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "level": st.sampled_from(["ALL", "ERROR", "FATAL", "OFF"]),
                        "include_execution_data": st.booleans(),
                        "retention_days": st.sampled_from([1, 3, 5, 7, 14, 30, 365, 3653]),
                    },
                )
            )
        if draw(st.booleans()):
            settings["tracing"] = draw(st.booleans())
        if draw(st.integers(0, 3)) == 0:
            settings["kms_key"] = draw(draft.target.kms_keys())
        if express_ok and draw(st.booleans()):
            settings["type"] = "EXPRESS"
        elif draw(st.booleans()):
            settings["type"] = "STANDARD"
        if CONTROL_FLOW:
            if draw(st.booleans()):
                settings["query_language"] = draw(st.sampled_from(["JSONPath", "JSONata"]))
            if draw(st.integers(0, 2)) == 0:
                settings["retry"] = draw(retry_policies())
            if draw(st.integers(0, 2)) == 0:
                topic = draw(st.from_regex(r"\A[A-Za-z0-9_-]{1,40}(\.fifo)?\Z"))
                target = draft.target
                settings["on_failure"] = {
                    "notify": f"arn:{target.partition}:sns:{target.region}:{target.account}:{topic}"
                }
        if draw(st.booleans()):
            settings["publish"] = True
            if draw(st.booleans()):
                settings["alias"] = draw(st.from_regex(r"\A[a-z_-][a-zA-Z0-9_-]{0,15}\Z"))
        machines[machine_key] = {"steps": steps, **settings} if bool(settings) or draw(st.booleans()) else steps
    return machines


# --- whole specs -------------------------------------------------------------------------------------------


@st.composite
def specs(draw: st.DrawFn, job_types: tuple[str, ...] = JOB_TYPES, *, loose: bool = False) -> Spec:
    """A spec asl-gen must build: each drawn value inside the spec's rules, each reference resolvable.

    With `loose`, a spec asl-gen may build or refuse (see `Draft.loose`).
    """
    target = draw(targets())
    project = draw(keys(max_parts=3, max_len=40 if loose else 14))
    draft = Draft(target, project, {}, {}, set(), loose)
    # Extra inputs nobody uses, of every type: they must not disturb anything.
    for name, kind in draw(
        st.dictionaries(input_names(), st.sampled_from(["string", "integer", "number", "boolean"]), max_size=2)
    ).items():
        draft.inputs[name] = kind
    # Whole chains as often as single jobs: an endpoint needs a config, which needs a model.
    recipes = [r for r in RECIPES if set(r) <= set(job_types)] or [(t,) for t in job_types]
    wanted = [kind for recipe in draw(st.lists(st.sampled_from(recipes), min_size=1, max_size=3)) for kind in recipe]
    # Ground Truth is offered in a few regions only: where it is, a labeling job half the time.
    if "labeling" in job_types and labeling_offered(draft) and draw(st.booleans()):
        wanted.append("labeling")
    for kind in wanted:
        if _JOB_STRATEGIES[kind][1](draft):
            _add_job(draw, draft, kind)
    if not draft.jobs:
        _add_job(draw, draft, "call" if "call" in job_types else job_types[0])
    spec: Spec = {"project": project, "aws": {"region": target.region, "account": target.account}}
    if draw(st.booleans()):
        spec["aws"]["partition"] = target.partition
    role_name = st.from_regex(r"\A[A-Za-z0-9_+=,.@-]{1,64}\Z")
    sagemaker: dict[str, Any] = (
        {"arn": draw(target.role_arns(target.account))}
        if draw(st.booleans())
        else {"name": draw(role_name), "create": draw(st.booleans())}
    )
    # S3 locations only known at run time, granted by name.
    for field_name in ("reads", "writes"):
        if draw(st.booleans()):
            sagemaker[field_name] = draw(st.lists(s3_uris(), max_size=2))
    spec["roles"] = {"sagemaker": sagemaker, "stepfunctions": {"name": draw(role_name)}}
    if draft.inputs:
        spec["inputs"] = dict(draft.inputs)
    spec["jobs"] = draft.jobs
    spec["state_machines"] = draw(state_machines(draft))
    # A project whose machines call no service is refused on purpose (its role would get an empty policy, which
    # IAM refuses; test_properties.py::test_a_project_of_raw_states_only_is_refused): valid specs call one.
    if all(draft.jobs[s]["type"] == "asl" for m in spec["state_machines"].values() for s in _top_steps(m)):
        task = next((k for k, j in draft.jobs.items() if j["type"] != "asl" and k not in draft.owned), None)
        spec["state_machines"]["tasks"] = [task or _add_job(draw, draft, "call")]
        if draft.inputs:
            # The call may read a field of the state, declared as an input while it was drawn.
            spec["inputs"] = dict(draft.inputs)
    if CONTROL_FLOW:
        _catches(draw, draft, spec["state_machines"])
    if draw(st.booleans()):
        spec["diagrams"] = draw(st.booleans())
    if draw(st.booleans()):
        spec["targets"] = draw(st.lists(st.sampled_from(["terraform", "cloudformation"]), unique=True))
    return spec


# --- files -------------------------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """PyYAML's writer, quoting strings that YAML 1.2 (and JSON) read as numbers: `1e5`, `1e+20`.

    PyYAML follows YAML 1.1, where a float needs a point, and leaves such strings bare; a reader that takes JSON's
    numbers (as asl-gen's loader does from main's a6eb18c on) would read them as floats.
    """


_Dumper.add_implicit_resolver(
    "tag:yaml.org,2002:float", re.compile(r"^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"), list("-+0123456789")
)


def spec_text(spec: Spec, form: str) -> str:
    """The spec as a file: YAML in block or flow style, or JSON."""
    if form == "json":
        return json.dumps(spec, indent=2, ensure_ascii=False) + "\n"
    flow = form == "flow"
    # PyYAML's emitter writes NEL, LS and PS raw inside quoted scalars, where YAML reads them as line breaks and
    # folds them into spaces: with one of them in the spec, the YAML forms escape everything non-ASCII instead.
    raw = not any(c in json.dumps(spec, ensure_ascii=False) for c in "\x85\u2028\u2029")
    return yaml.dump(spec, Dumper=_Dumper, sort_keys=False, allow_unicode=raw, width=1_000_000, default_flow_style=flow)


def positions(text: str) -> tuple[dict[Path_, tuple[int, int]], dict[Path_, tuple[int, int]]]:
    """Where each value and each key of a YAML or JSON text starts (1-based), by path: the truth to compare with."""
    values: dict[Path_, tuple[int, int]] = {}
    keys_at: dict[Path_, tuple[int, int]] = {}

    def walk(node: yaml.Node, path: Path_) -> None:
        values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                here = (*path, key_node.value)
                keys_at[here] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                walk(value_node, here)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, (*path, index))

    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is not None:
        walk(root, ())
    return values, keys_at


# --- mutations ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mutation:
    """One mistake put into a valid spec: what kind, and the path of the field at fault (None: the file)."""

    kind: str
    spec: Spec | None  # None when the mistake is in the text itself (`text` holds it)
    pointer: Path_ | None
    text: str | None = None
    at_key: bool = False  # the error is reported at the key (an unknown field), not at its value


def _walk(node: Any, path: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, (*path, index))


# Mappings whose keys are the user's own (names of jobs, inputs, channels, variables, request fields): an extra
# key there is not an unknown field.
_FREE_FORM = {
    "inputs",
    "outputs",
    "jobs",
    "state_machines",
    "channels",
    "hyperparameters",
    "ranges",
    "environment",
    "tags",
}
# Values that are not the spec's own fields: requests, raw ASL states, a map's items.
_PAYLOADS = {"parameters", "result_selector", "states", "items"}


def _is_model_mapping(path: Path_, node: Any) -> bool:
    if not isinstance(node, dict):
        return False
    if any(part in _PAYLOADS for part in path):
        return False
    return not (path and path[-1] in _FREE_FORM)


def _set(spec: Spec, path: Path_, value: Any) -> Spec:
    changed = copy.deepcopy(spec)
    node: Any = changed
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return changed


def _delete(spec: Spec, path: Path_) -> Spec:
    changed = copy.deepcopy(spec)
    node: Any = changed
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]
    return changed


# Fields with one scalar type, and a value of another type or outside their range (the spec's own limits).
_TYPED: dict[str, list[Any]] = {
    "project": [42, ["a"], {"a": 1}],
    "region": [1, True, ["us-east-1"]],
    "account": [123456789012, ["123456789012"]],
    "count": ["two", 0, -1, 1.5, True],
    "volume_gb": ["big", 0, 16385],
    "max_runtime_seconds": ["1h", 0, 28 * 24 * 3600 + 1],
    "input_mode": ["file", 1],
    "poll_seconds": [0, 3601, "30"],
    "max_polls": [0, 1001],
    "weight": [-1, "1.0"],
    "if_exists": ["replace", True],
    "approval": ["approved", 1],
    "timeout_seconds": [0, 100_000_000, "60"],
    "heartbeat_seconds": [0, "60"],
    "tracing": ["yes", 1],
    "publish": ["yes"],
    "discard_result": ["yes", 0],
    "diagrams": ["yes"],
    "level": ["DEBUG", 1],
    "retention_days": [2, 0],
    "output": ["bucket/prefix", "s3://UPPER/prefix", "s3://bucket/a*b", 3],
    "s3": ["bucket/prefix", "s3://b/x?y"],
    "type": ["trainig", "Model", 3],
    # Control flow.
    "max_concurrency": [41, -1, "2"],
    "query_language": ["jsonata", 1],
    "interval_seconds": [0, "5"],
    "max_attempts": [-1, 100_000_000],
    "backoff_rate": [0.5, "2"],
    "max_delay_seconds": [0, 31_622_401],
    "jitter": ["full", True],
    "metric": ["", "it's"],
    "retry": ["always", 3],
    # Processing, tuning, transform, labeling, endpoint config extras.
    "upload_mode": ["endofjob", 1],
    "per_execution": ["yes", 2],
    "local_path": ["/tmp/data", "/opt/ml/processing/../x"],
    "strategy": ["bayesian", 1],
    "max_jobs": [0, "20"],
    "max_parallel_jobs": [0, "4"],
    "early_stopping": ["On", True],
    "split_type": ["line", 1],
    "assemble_with": ["Lines"],
    "batch_strategy": ["multi"],
    "max_payload_mb": [101, -1],
    "max_concurrent_transforms": [1001, "2"],
    "memory_mb": [1000, 7168, "2048"],
    "sampling_percentage": [101, -1],
    "max_concurrent_invocations_per_instance": [0, 1001],
    "workers_per_object": [0, 10],
    "task_time_limit_seconds": [29, 28_801],
    "task_availability_seconds": [59, 2_592_001],
    "max_concurrent_tasks": [0, 5001],
    "max_percent_labeled": [0, 101],
    "label_attribute": ["x-metadata", "-x"],
    "workteam": ["arn:aws:sagemaker:us-east-1:123456789012:workteam/my-team"],
    "value": ["a..b", "1x", 3],
    "file": ["../x", "a//b", "a*"],
}


def _typed_values(spec: Spec, path: Path_) -> list[Any]:
    """The wrong values for the field at `path`: `_TYPED`'s, where the same name has other limits elsewhere."""
    if path[-1] == "max_concurrency" and path[-2] == "serverless":
        return [0, 201, "5"]
    if path[-1] == "max_runtime_seconds" and len(path) == 3 and spec["jobs"][path[1]]["type"] == "tuning":
        return ["1h", 119, 15_768_001]
    return _TYPED[str(path[-1])]


# Where each reference points, and a key no spec of the strategy uses.
_MISSING_KEY = "no-such-job-zz9"


MUTATION_KINDS = ("unknown field", "wrong value", "bad reference", "missing field", "undeclared input")


@st.composite
def mutations(draw: st.DrawFn, spec: Spec, kind: str) -> Mutation:
    """One mistake of a kind in `spec` (the kind falls back to a missing field where the spec has no place for it)."""
    nodes = list(_walk(spec))
    if kind == "unknown field":
        mappings = [path for path, node in nodes if _is_model_mapping(path, node)]
        path = draw(st.sampled_from(mappings))
        field = draw(st.sampled_from(["zz_unknown", "regoin", "Type", "nmae", "x"]))
        node: Any = spec
        for part in path:
            node = node[part]
        if field in node:
            field = "zz_unknown"
        changed = _set(spec, (*path, field), draw(st.sampled_from([1, "x", None, [1]])))
        if path and path[-1] in ("s3", "model_data"):
            # A data location ({from, output}, {input}, {item}) is one value in one of a few forms: the unknown
            # field is named at the location (asl_gen/spec/dataflow.py, transform.py).
            return Mutation(kind, changed, path)
        return Mutation(kind, changed, (*path, field), at_key=True)
    if kind == "wrong value":
        typed = [
            (path, _typed_values(spec, path))
            for path, _ in nodes
            if path
            and str(path[-1]) in _TYPED
            and not any(
                part in _PAYLOADS or part in _FREE_FORM - {"jobs", "state_machines", "channels"} for part in path[:-1]
            )
            # `type` of a state machine is STANDARD/EXPRESS; of a job, the job type: both refuse these values.
            and not (path[-1] == "type" and len(path) > 1 and path[-2] == "instance")
            and not (path[-1] == "output" and len(path) < 3)
            # A location's {from, output} is checked as one value (asl_gen/spec/dataflow.py: S3Location).
            and not (path[-1] == "output" and path[-2] in ("s3", "model_data"))
        ]
        if typed:
            path, choices = draw(st.sampled_from(typed))
            value = draw(st.sampled_from(choices))
            if path[-1] == "type" and path[0] == "state_machines":
                value = draw(st.sampled_from(["Standard", "EXPRES", 3]))
            return Mutation(kind, _set(spec, path, value), path)
        kind = "missing field"
    if kind == "bad reference":
        refs: list[Path_] = []
        for key, job in spec["jobs"].items():
            if "from" in job:
                refs.append(("jobs", key, "from"))
            if job["type"] == "endpoint":
                refs.append(("jobs", key, "config"))
            if job["type"] == "endpoint-config":
                refs.extend(("jobs", key, "variants", i, "model") for i in range(len(job["variants"])))
            if job["type"] == "quality-gate":
                refs.extend(("jobs", key, source) for source in ("training", "tuning") if source in job)
            if job["type"] == "transform" and "model" in job:
                refs.append(("jobs", key, "model"))
            refs.extend(("jobs", key, *path) for path, _ in _data_references(job))
            refs.extend(("jobs", key, "catch", i, "next") for i in range(len(job.get("catch", []))))
        # A step another uses (a later step reads it, a catch goes on with it) is left alone: taking it out of its
        # list would also strand that step, a second error.
        used = {rule["next"] for job in spec["jobs"].values() for rule in job.get("catch", [])}
        lists: list[tuple[Path_, list[str]]] = []
        for machine_key, machine in spec["state_machines"].items():
            if isinstance(machine, list):
                lists.append((("state_machines", machine_key), machine))
            else:
                lists.append((("state_machines", machine_key, "steps"), machine["steps"]))
        for key, job in spec["jobs"].items():
            lists.extend((("jobs", key, "branches", i), branch) for i, branch in enumerate(job.get("branches", [])))
            if job["type"] == "map":
                lists.append((("jobs", key, "steps"), job["steps"]))
        for prefix, steps in lists:
            refs.extend(
                (*prefix, i)
                for i, step in enumerate(steps)
                if step not in used
                and not any(step in _needed_or_used(spec["jobs"], later) for later in steps[i + 1 :])
            )
        path = draw(st.sampled_from(refs))
        return Mutation(kind, _set(spec, path, _MISSING_KEY), path)
    if kind == "undeclared input":
        # A job's name, a data location (a channel, a processing input, model data, a transform's input) or the
        # model a transform uses, from the execution input.
        named = [
            (*path, "input")
            for path, node in nodes
            if len(path) > 2
            and path[0] == "jobs"
            and path[-1] in ("name", "s3", "model_data", "model_name")
            and isinstance(node, dict)
            and "input" in node
        ]
        if named:
            path = draw(st.sampled_from(named))
            return Mutation(kind, _set(spec, path, "UndeclaredZz9"), path)
        kind = "missing field"
    # missing field: a required field of the drawn spec, removed.
    # (Not aws or its fields: main's portable output lets a spec leave them open.)
    required = [("project",), ("roles",), ("jobs",), ("state_machines",), ("roles", "stepfunctions")]
    by_type = {
        "training": ["instance", "channels", "output"],
        "endpoint-config": ["variants"],
        "endpoint": ["config"],
        "model-package": ["group"],
        "call": ["resource"],
        "processing": ["image", "instance"],
        "tuning": ["training", "ranges", "objective"],
        "transform": ["input", "output", "instance"],
        "labeling": ["task", "manifest", "output", "labels", "workteam", "title", "description"],
        "parallel": ["branches"],
        "map": ["items", "steps"],
        "asl": ["states"],
    }
    for key, job in spec["jobs"].items():
        required.extend(("jobs", key, field) for field in by_type.get(job["type"], []))
        if job["type"] == "quality-gate":
            source = next(s for s in ("training", "tuning", "report") if s in job)
            # A gate without its source is located at the missing field where its other fields tell which one it
            # is (metric: training, value: report); a gate on tuning says no more than "give one of the three".
            if source != "tuning":
                required.append(("jobs", key, source))
                required.append(("jobs", key, "metric" if source == "training" else "value"))
    path = draw(st.sampled_from(required))
    return Mutation("missing field", _delete(spec, path), path)


# Text edits that break the file itself, each at a line the test can name. (label, edit) with edit(text) -> text.
def _tab_indent(text: str) -> str:
    lines = text.splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.startswith("  "))
    lines[index] = "\t" + lines[index].lstrip(" ")
    return "".join(lines)


def _duplicate_top_key(text: str) -> str:
    return text + "project: again\n"


def _unclosed_flow(text: str) -> str:
    return text.replace("jobs:", "jobs: [", 1) if "jobs:" in text else text + "x: [\n"


def _stray_colon(text: str) -> str:
    # At the end: inserted after the first line, a flow spec's line 2 may sit inside a multi-line quoted string,
    # where the text is just more of the string (found when a drawn comment spanned the break).
    return text + "oops: : :\n  - bad\n"


def _nul(text: str) -> str:
    return text.replace("project: ", "project: \x00", 1)


def _tag(text: str) -> str:
    return text.replace("project: ", "project: !!python/name:os.system ", 1)


def _merge_key(text: str) -> str:
    return text + "defaults: &d {a: 1}\nother:\n  <<: *d\n"


BROKEN_YAML: dict[str, Callable[[str], str]] = {
    "tab indentation": _tab_indent,
    "duplicate key": _duplicate_top_key,
    "unclosed bracket": _unclosed_flow,
    "stray colons": _stray_colon,
    "NUL byte": _nul,
    "python tag": _tag,
    "merge key": _merge_key,
}


def broken_yaml(text: str, how: str) -> str:
    return BROKEN_YAML[how](text)


LOCATED_LINE = re.compile(r"^(?P<file>[^\n]+?):(?P<line>\d+):(?P<column>\d+): (?P<rest>\S.*)$")
