"""Offline facts about processing jobs: the instance types they run on and the framework images they use.

The tables are data in `asl_gen/data/processing.json`, read on first use (a spec without a processing job never
loads them). Where they come from (read on 2026-12-04):
- `processing_instance_types`: botocore 1.44.8, `botocore/data/sagemaker/2017-07-24/service-2.json`, the
  ProcessingInstanceType enum.
- `frameworks` and `registries`: the SageMaker Python SDK's `image_uri_config/*.json` (sagemaker-core 2.27.0 on
  PyPI, which sagemaker 3.27.0 uses): `sklearn`, `pytorch`, `tensorflow`, `xgboost` and `huggingface` at the
  `training` scope (the scope the SDK's processors use for them), `spark` at the `processing` scope. Each version
  keeps its repository, Python versions, processors and container versions; the registry tables (region →
  account) are stored once each and named by index, with the regions `catalog.REGION_PARTITIONS` knows (ISO,
  European Sovereign Cloud and unlisted regions are left out, as in `catalog`). Also left out: XGBoost version
  `1` (the legacy built-in algorithm's container, not the framework) and TensorFlow 1.13.1's py2 image (retired
  script mode).
Image tags follow the SDK's `image_uris.retrieve`: `<version>-<processor>-<py_version>-<container_version>`,
each part only where the version has one, Hugging Face's version being `<base version>-transformers<version>`;
the processor is `cpu` or `gpu`, chosen from the instance type as the SDK does (a `g` or `p` family is a GPU).
Not carried over: the SDK's p4d container-version override of TensorFlow 2.3/1.15 and PyTorch 1.6 images, and
Graviton images (no Graviton instance type runs processing jobs).

Imports: catalog, resources
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from asl_gen import catalog
from asl_gen.resources import package_file

__all__ = [
    "FRAMEWORK_COMMANDS",
    "FrameworkImage",
    "ImageLookupError",
    "frameworks",
    "processing_instance_types",
    "resolve_framework",
    "tables",
]

# How each framework's processor runs a script when the spec gives no entrypoint (the SDK's ScriptProcessor and
# FrameworkProcessor run `python3`, its PySparkProcessor `smspark-submit`).
FRAMEWORK_COMMANDS: Mapping[str, tuple[str, ...]] = {
    "huggingface": ("python3",),
    "pytorch": ("python3",),
    "sklearn": ("python3",),
    "spark": ("smspark-submit",),
    "tensorflow": ("python3",),
    "xgboost": ("python3",),
}


@functools.cache
def tables() -> dict[str, Any]:
    """The data file's tables (processing_instance_types, registries, frameworks), parsed on first use."""
    return cast(dict[str, Any], json.loads(package_file("data/processing.json").read_text(encoding="utf-8")))


@functools.cache
def processing_instance_types() -> frozenset[str]:
    """The instance types CreateProcessingJob takes."""
    return frozenset(tables()["processing_instance_types"])


def frameworks() -> list[str]:
    """The frameworks whose images a processing job can name."""
    return sorted(tables()["frameworks"])


@dataclass(frozen=True)
class FrameworkImage:
    """A framework image resolved for an instance type: everything but the region's registry."""

    framework: str
    version: str
    repository: str
    tag: str
    registries: Mapping[str, str]

    @property
    def placeholder_key(self) -> str:
        """What names the placeholder of its registry account when the region is open (one per repository)."""
        return self.repository

    def uri(self, region: str) -> str:
        """The image URI in `region`; LookupError when the image is not offered there."""
        partition = catalog.partition_for_region(region)
        if partition is None:
            raise ImageLookupError(f"unknown AWS region '{region}'", "")
        account = self.registries.get(region)
        if account is None:
            raise ImageLookupError(
                f"framework '{self.framework}' version '{self.version}' has no image in region '{region}': it is "
                f"offered in {', '.join(sorted(self.registries))}",
                "",
            )
        return self.template(registry=account, region=region, dns_suffix=catalog.PARTITION_DNS_SUFFIX[partition])

    def template(self, *, registry: str, region: str, dns_suffix: str) -> str:
        """The URI with its region-dependent parts given by the caller (placeholders when the region is open)."""
        return f"{registry}.dkr.ecr.{region}.{dns_suffix}/{self.repository}:{self.tag}"


class ImageLookupError(LookupError):
    """A framework image that is not offered; `field` names the part of the spec's image at fault."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def _did_you_mean(word: str, choices: list[str]) -> str:
    match = catalog.suggest(word, choices)
    return f"did you mean '{match}'? " if match is not None else ""


def _processor(instance_type: str, available: list[str]) -> str:
    # As the SDK's image_uris._processor: the family itself where the image has one for it, else cpu or gpu.
    family = instance_type.split(".")[1]
    if family in available:
        return family
    if family.startswith("inf"):
        return "inf"
    if family.startswith("trn"):
        return "trn"
    return "gpu" if family[:1] in ("g", "p") else "cpu"


def resolve_framework(
    framework: str,
    version: str,
    *,
    instance_type: str,
    py_version: str | None = None,
    base: str | None = None,
) -> FrameworkImage:
    """The image of a framework version for an instance type.

    Raises LookupError with a one-line message naming what is unknown or does not fit, and what to use instead.
    """
    data = tables()
    known = data["frameworks"]
    if framework not in known:
        raise ImageLookupError(
            f"unknown framework '{framework}': {_did_you_mean(framework, list(known))}"
            f"use one of: {', '.join(sorted(known))}",
            "framework",
        )
    table = known[framework]
    versions: dict[str, Any] = table["versions"]
    resolved = table.get("aliases", {}).get(version, version)
    if resolved not in versions:
        raise ImageLookupError(
            f"framework '{framework}' has no version '{version}': "
            f"{_did_you_mean(version, [*versions, *table.get('aliases', {})])}"
            f"known versions: {', '.join(versions)}",
            "version",
        )
    config: dict[str, Any] = versions[resolved]
    prefix = resolved
    if framework == "huggingface":
        bases: dict[str, Any] = config["bases"]
        if base is None:
            base = list(bases)[-1]
        full = config.get("base_aliases", {}).get(base, base)
        if full not in bases:
            raise ImageLookupError(
                f"Hugging Face {resolved} has no base '{base}': {_did_you_mean(base, list(bases))}"
                f"use one of: {', '.join(bases)}",
                "base",
            )
        config = bases[full]
        prefix = f"{full.removeprefix('pytorch').removeprefix('tensorflow')}-transformers{resolved}"
    elif base is not None:
        raise ImageLookupError(
            f"framework '{framework}' takes no base: only huggingface images have one; leave it out", "base"
        )
    py_versions: list[str] = config.get("py_versions", [])
    if framework == "spark" or not py_versions:
        if py_version is not None:
            raise ImageLookupError(
                f"framework '{framework}' version '{resolved}' takes no py_version: leave it out", "py_version"
            )
    elif py_version is None:
        if len(py_versions) > 1:
            raise ImageLookupError(
                f"framework '{framework}' version '{resolved}' has images for several Python versions: "
                f"give py_version: one of {', '.join(py_versions)}",
                "",
            )
        py_version = py_versions[0]
    elif py_version not in py_versions:
        raise ImageLookupError(
            f"framework '{framework}' version '{resolved}' has no py_version '{py_version}': "
            f"{_did_you_mean(py_version, py_versions)}use one of: {', '.join(py_versions)}",
            "py_version",
        )
    processors: list[str] = config.get("processors", [])
    processor: str | None = None
    if processors:
        processor = _processor(instance_type, processors)
        if processor not in processors:
            raise ImageLookupError(
                f"framework '{framework}' version '{resolved}' has no {processor.upper()} image for "
                f"{instance_type}: use a {' or '.join(p.upper() for p in processors)} instance type",
                "",
            )
    container = config.get("container_version", {}).get(processor) if processor else None
    in_tag = processor if config.get("processor_in_tag", True) else None
    tag = "-".join(part for part in (config.get("tag_prefix", prefix), in_tag, py_version, container) if part)
    registries = data["registries"][config["registries"]]
    return FrameworkImage(framework, resolved, config["repository"], tag, registries)
