"""The placeholders a spec that leaves account, region or partition open puts in the output."""

from __future__ import annotations

import json
from pathlib import Path

from asl_gen import catalog, placeholders
from asl_gen.build import generate

PORTABLE = Path(__file__).parent / "cases" / "portable" / "spec.yaml"


def test_names_are_found_in_keys_values_and_lists_and_unknown_ones_are_left_alone() -> None:
    document = {"${Region}": ["arn:${Partition}:x:${Region}:${AccountId}:y", "${aws:username}", "${Other}"]}
    assert placeholders.names_in(document) == {"Region", "Partition", "AccountId"}
    filled = placeholders.fill(document, {"Region": "eu-west-1", "Partition": "aws", "AccountId": "1"})
    assert filled == {"eu-west-1": ["arn:aws:x:eu-west-1:1:y", "${aws:username}", "${Other}"]}


def test_registry_placeholders_are_named_after_the_algorithm() -> None:
    assert placeholders.registry_name("xgboost") == "RegistryXgboost"
    assert placeholders.registry_name("linear-learner") == "RegistryLinearLearner"
    assert placeholders.names_in("${RegistryLinearLearner}.dkr.ecr") == {"RegistryLinearLearner"}


def test_the_longest_values_are_at_least_as_long_as_any_real_one() -> None:
    longest = placeholders.LONGEST
    assert all(len(region) <= len(longest[placeholders.REGION]) for region in catalog.REGION_PARTITIONS)
    assert len(longest[placeholders.PARTITION]) == max(len(p) for p in set(catalog.REGION_PARTITIONS.values()))
    assert longest[placeholders.DNS_SUFFIX] == max(catalog.PARTITION_DNS_SUFFIX.values(), key=len)


def test_an_open_spec_names_no_account_region_or_partition() -> None:
    files = generate(PORTABLE).files
    documents = {p: t for p, t in files.items() if p.endswith(".json") and not p.startswith(("terraform/", "inputs/"))}
    for path, text in documents.items():
        if path.startswith("cloudformation/"):
            continue
        assert "arn:aws:" not in text and "us-east-1" not in text, path
    used = set().union(*(placeholders.names_in(json.loads(t)) for t in documents.values()))
    assert used == {"Partition", "Region", "AccountId", "DnsSuffix", "RegistryXgboost"}


def test_a_spec_with_account_and_region_gets_no_placeholders() -> None:
    files = generate(Path(__file__).parent.parent / "examples" / "big-mart" / "spec.yaml").files
    assert all(not placeholders.names_in(json.loads(t)) for p, t in files.items() if p.endswith(".json"))
