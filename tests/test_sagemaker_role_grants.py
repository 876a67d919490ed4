"""The SageMaker role's S3 grants, derived a second time from the YAML alone and compared with the generated policy.

Issue 15 asks that the policy of each example cover every S3 location its jobs use and nothing else, checked by a
test that derives the expected grants independently. This one reads the spec file with a plain YAML parser (no
asl-gen model), walks the state machines (steps, Parallel branches, Map bodies) to find the jobs that run, and
collects what each reads and writes as the SageMaker role; then every granted S3 resource must be one of those,
and every one of those must be granted.

A job type this test does not know fails it, naming the type: teach `_uses` how the new kind uses S3 rather than
letting its grants go unchecked.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from asl_gen.build import SAGEMAKER_POLICY, generate

from .conftest import REPO

SPECS = sorted(REPO.glob("examples/*/spec.yaml")) + sorted(REPO.glob("tests/cases/*/spec.yaml"))
# Steps that run nothing as the SageMaker role: their API calls are the Step Functions role's. A model package's
# artifacts are read when a model is made from it, by that model.
NO_SAGEMAKER_ROLE = {"endpoint-config", "endpoint", "quality-gate", "parallel", "map", "asl", "model-package"}
TRANSFORM = "sagemaker:createTransformJob"


def _running(spec: dict[str, Any]) -> list[str]:
    """Every job key some state machine runs: its steps, and inside Parallel branches and Map bodies."""
    found: list[str] = []

    def walk(steps: list[str]) -> None:
        for key in steps:
            if key in found:
                continue
            found.append(key)
            job = spec["jobs"][key]
            if job["type"] == "parallel":
                for branch in job["branches"]:
                    walk(list(branch))
            elif job["type"] == "map":
                walk(list(job["steps"]))

    for machine in spec["state_machines"].values():
        walk(list(machine if isinstance(machine, list) else machine["steps"]))
    return found


def _s3(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("s3://")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value


def _located(spec: dict[str, Any], value: Any) -> list[str]:
    """The S3 URI a data location names when the spec is built: as written, or a processing step's output; an
    execution input's is known only at run time (granted through roles.sagemaker.reads, not here)."""
    if isinstance(value, str):
        assert _s3(value), f"{value!r} is not an S3 URI; teach this test"
        return [value]
    if isinstance(value, dict) and "from" in value and "output" in value:
        return [spec["jobs"][value["from"]]["outputs"][value["output"]]["s3"]]
    if isinstance(value, dict) and set(value) == {"from"}:
        # A training step's model artifacts (a tuning step's best job's): under that step's output prefix.
        source = spec["jobs"][value["from"]]
        return [source["output"] if source["type"] == "training" else source["training"]["output"]]
    assert isinstance(value, dict) and set(value) == {"input"}, f"{value!r}: a location this test does not know"
    return []


def _uses(spec: dict[str, Any], key: str) -> tuple[list[str], list[str]]:
    """The S3 URIs job `key` reads and writes as the SageMaker role, from its YAML."""
    job = spec["jobs"][key]
    kind = job["type"]
    if kind in ("training", "tuning"):
        definition = job if kind == "training" else job["training"]
        channels = definition["channels"].values()
        return [uri for c in channels for uri in _located(spec, c["s3"])], [definition["output"]]
    if kind == "model":
        # The model's container reads its artifacts: the literal model data, else the training job's output.
        if "model_data" in job:
            return _located(spec, job["model_data"]), []
        source = spec["jobs"].get(job.get("from", ""))
        if source is not None and source["type"] == "training":
            return [source["output"]], []
        if source is not None and source["type"] == "tuning":
            return [source["training"]["output"]], []  # the best training job's artifacts
        assert source is None, f"jobs.{key}: a model from a {source['type']} job; teach this test what it reads"
        return [], []
    if kind == "processing":
        # SageMaker copies the code and every input in, and uploads every output.
        inputs = [uri for i in job.get("inputs", {}).values() for uri in _located(spec, i["s3"])]
        outputs = [o["s3"] for o in job.get("outputs", {}).values()]
        assert all(_s3(u) for u in outputs), f"jobs.{key}: an output that is not an S3 URI; teach this test"
        return [*([job["code"]] if "code" in job else []), *inputs], outputs
    if kind == "transform":
        # It runs as its model's role: the spec's, when the model is one of its steps; unknown with model_name.
        if "model" not in job:
            return [], []
        source = job["input"]["s3"]
        if isinstance(source, dict) and "item" in source:
            return [], [job["output"]["s3"]]  # a map's items: granted through roles.sagemaker.reads
        return _located(spec, source), [job["output"]["s3"]]
    if kind == "endpoint-config":
        # Captured data and asynchronous answers are written as the models' role.
        capture = job.get("data_capture", {})
        answers = job.get("async_inference", {})
        return [], [uri for uri in (capture.get("s3"), answers.get("output"), answers.get("failure")) if uri]
    if kind == "labeling":
        # Ground Truth reads the manifest, the objects it lists (default: the manifest's folder), the label
        # categories, the worker template and the output (it consolidates the answers written there).
        data = job.get("data", job["manifest"].rsplit("/", 1)[0] + "/")
        reads = [
            job["manifest"],
            job["labels"],
            data,
            job["output"],
            *([job["ui_template"]] if "ui_template" in job else []),
        ]
        return reads, [job["output"]]
    if kind == "call":
        if job["resource"].removeprefix("aws-sdk:") != TRANSFORM:
            return [], []  # a service call of the Step Functions role
        parameters = job.get("parameters", {})
        source = parameters.get("TransformInput", {}).get("DataSource", {}).get("S3DataSource", {}).get("S3Uri")
        output = parameters.get("TransformOutput", {}).get("S3OutputPath")
        return [source] if _s3(source) else [], [output] if _s3(output) else []
    assert kind in NO_SAGEMAKER_ROLE, f"jobs.{key}: job type {kind!r} is unknown to this test; teach _uses about it"
    if kind not in ("asl", "model-package"):
        named = [s for s in _strings(job) if s.startswith("s3://")]
        assert not named, f"jobs.{key}: a {kind} step now names S3 locations {named}; teach _uses about it"
    return [], []


def _expected(spec: dict[str, Any]) -> tuple[set[str], set[str]]:
    """`bucket/prefix` of every S3 location the running jobs read, and of every one they write."""
    reads: list[str] = []
    writes: list[str] = []
    for key in _running(spec):
        job_reads, job_writes = _uses(spec, key)
        reads += job_reads
        writes += job_writes
    role = spec["roles"]["sagemaker"]
    reads += role.get("reads", [])
    writes += role.get("writes", [])
    return {uri.removeprefix("s3://") for uri in reads}, {uri.removeprefix("s3://") for uri in writes}


def _object_resources(policy: dict[str, Any], action: str) -> set[str]:
    """The S3 object ARNs granted `action`, as `bucket/prefix*`."""
    found: set[str] = set()
    for statement in policy["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        if action not in actions:
            continue
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        for resource in resources:
            assert ":s3:::" in resource and resource.endswith("*"), resource
            found.add(resource.split(":s3:::", 1)[1])
    return found


def _listed(policy: dict[str, Any]) -> dict[str, set[str]]:
    """The prefixes s3:ListBucket allows, by bucket."""
    found: dict[str, set[str]] = {}
    for statement in policy["Statement"]:
        if "s3:ListBucket" not in statement["Action"]:
            continue
        prefixes = statement["Condition"]["StringLike"]["s3:prefix"]
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        for resource in resources:
            found.setdefault(resource.split(":s3:::", 1)[1], set()).update(prefixes)
    return found


def _covered(location: str, granted: set[str]) -> bool:
    return any(location.startswith(resource.removesuffix("*")) for resource in granted)


def _check(action: str, expected: set[str], granted: set[str]) -> None:
    assert not {g for g in granted if g.removesuffix("*") not in expected}, f"{action} on what no running job uses"
    assert not {e for e in expected if not _covered(e, granted)}, f"{action} missing for what a running job uses"


@pytest.mark.parametrize("spec_path", SPECS, ids=lambda p: str(Path(p).relative_to(REPO).parent))
def test_the_sagemaker_role_covers_what_running_jobs_use_in_s3_and_nothing_else(spec_path: Path) -> None:
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    reads, writes = _expected(spec)
    generated = generate(spec_path)
    if SAGEMAKER_POLICY not in generated.files:
        assert not reads and not writes, "no SageMaker policy, but running jobs use S3"
        return
    policy = json.loads(generated.files[SAGEMAKER_POLICY])
    _check("s3:GetObject", reads, _object_resources(policy, "s3:GetObject"))
    _check("s3:PutObject", writes, _object_resources(policy, "s3:PutObject"))
    _check("s3:AbortMultipartUpload", writes, _object_resources(policy, "s3:AbortMultipartUpload"))
    listed = _listed(policy)
    assert set(listed) == {r.split("/", 1)[0] for r in reads}
    for bucket, prefixes in listed.items():
        in_bucket = {r.split("/", 1)[1] if "/" in r else "" for r in reads if r.split("/", 1)[0] == bucket}
        _check(f"s3:ListBucket on {bucket}", in_bucket, prefixes)


def test_the_derivation_sees_nested_and_unrun_jobs() -> None:
    """The walk itself: a Map body runs with its Map, and a job listed nowhere does not run."""
    spec = yaml.safe_load((REPO / "examples" / "evaluate-deploy" / "spec.yaml").read_text(encoding="utf-8"))
    assert "transform" in _running(spec)
    reads, writes = _expected(spec)
    assert "evaluate-deploy-data/scores" in writes  # the transform inside the Map writes its scores
    assert "evaluate-deploy-data/batches/" in reads  # roles.sagemaker.reads
    spec["jobs"]["old"] = {"type": "training", "channels": {"t": {"s3": "s3://old/t"}}, "output": "s3://old/o"}
    assert "old" not in _running(spec) and "old/t" not in _expected(spec)[0]
