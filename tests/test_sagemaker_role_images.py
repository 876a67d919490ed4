"""The SageMaker role's image pulls, derived a second time from the YAML alone and compared with the generated policy.

The companion of test_sagemaker_role_grants.py (S3): every running job that starts a container must be able to pull
its image's repository, and no other repository may be granted. Built-in algorithms and framework images are
named here from the SageMaker Python SDK's repository names (`image_uri_config/*.json`), not from asl-gen's
catalogue; an image written as a URI names its repository itself. A job type or image this test does not know
fails it, naming what to teach it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from asl_gen.build import SAGEMAKER_POLICY, generate

from .conftest import REPO
from .test_sagemaker_role_grants import _running

SPECS = sorted(REPO.glob("examples/*/spec.yaml")) + sorted(REPO.glob("tests/cases/*/spec.yaml"))
# The SDK's repository of each built-in algorithm and framework image (sagemaker-core image_uri_config).
ALGORITHM_REPOSITORIES = {"xgboost": "sagemaker-xgboost", "linear-learner": "linear-learner"}
FRAMEWORK_REPOSITORIES = {
    "sklearn": "sagemaker-scikit-learn",
    "xgboost": "sagemaker-xgboost",
    "pytorch": "pytorch-training",
    "tensorflow": "tensorflow-training",
    "spark": "sagemaker-spark-processing",
}
IMAGE_URI = re.compile(r"^[^/]+\.amazonaws\.com(?:\.cn)?/([^:@]+)")
# Steps that start no container as the SageMaker role (a transform runs its model's, which the model step grants).
NO_IMAGE = {"endpoint-config", "endpoint", "quality-gate", "parallel", "map", "asl", "call", "model-package"}


def _repository_of_uri(uri: str) -> str:
    match = IMAGE_URI.match(uri)
    assert match, f"{uri!r}: an image URI this test cannot read"
    return match.group(1)


def _definition_repository(definition: dict[str, Any]) -> str:
    if "image" in definition:
        return _repository_of_uri(definition["image"])
    name = definition["algorithm"]["name"]
    assert name in ALGORITHM_REPOSITORIES, f"algorithm {name!r}: teach this test its repository"
    return ALGORITHM_REPOSITORIES[name]


def _images(spec: dict[str, Any], key: str) -> list[str]:
    """The repositories job `key` pulls as the SageMaker role."""
    job = spec["jobs"][key]
    kind = job["type"]
    if kind == "training":
        return [_definition_repository(job)]
    if kind == "tuning":
        return [_definition_repository(job["training"])]
    if kind == "processing":
        image = job["image"]
        if isinstance(image, str):
            return [_repository_of_uri(image)]
        assert image["framework"] in FRAMEWORK_REPOSITORIES, f"framework {image['framework']!r}: teach this test"
        return [FRAMEWORK_REPOSITORIES[image["framework"]]]
    if kind == "model":
        # The model serves its own image, else its training job's (a built-in algorithm serves from the same one).
        if "image" in job:
            return [_repository_of_uri(job["image"])]
        source = spec["jobs"][job["from"]]
        return [_definition_repository(source if source["type"] == "training" else source["training"])]
    if kind in ("transform", "labeling"):
        return []
    assert kind in NO_IMAGE, f"jobs.{key}: job type {kind!r} is unknown to this test; teach _images about it"
    return []


def _granted(policy: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for statement in policy["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        if "ecr:BatchGetImage" not in actions:
            continue
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        found.update(resource.split(":repository/", 1)[1] for resource in resources)
    return found


@pytest.mark.parametrize("spec_path", SPECS, ids=lambda p: str(p.parent.relative_to(REPO)))
def test_the_sagemaker_role_pulls_exactly_the_images_running_jobs_use(spec_path: Path) -> None:
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    expected = {repository for key in _running(spec) for repository in _images(spec, key)}
    generated = generate(spec_path)
    policy = json.loads(generated.files[SAGEMAKER_POLICY]) if SAGEMAKER_POLICY in generated.files else None
    if policy is None:
        assert not expected, f"no SageMaker policy, yet jobs pull {sorted(expected)}"
        return
    assert _granted(policy) == expected


def test_the_derivation_can_fail() -> None:
    """A model whose image is written out pulls that repository, not its training job's."""
    spec = {
        "jobs": {
            "train": {"type": "training", "algorithm": {"name": "xgboost", "version": "1.7-1"}},
            "model": {"type": "model", "from": "train", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/a/b:1"},
        },
        "state_machines": {"m": ["train", "model"]},
    }
    assert {r for key in _running(spec) for r in _images(spec, key)} == {"sagemaker-xgboost", "a/b"}
