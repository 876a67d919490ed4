from __future__ import annotations

import re

import pytest

from asl_gen.catalog import (
    ALGORITHMS,
    INSTANCE_TYPES,
    PARTITION_DNS_SUFFIX,
    REGION_PARTITIONS,
    image_uri,
    partition_for_region,
    suggest,
)

# Expected URIs are the ones the SageMaker Python SDK's `image_uris.retrieve` returns and the AWS
# "Docker Registry Paths" pages list; they pin the account tables, the DNS suffix and the tag format.
KNOWN_URIS = [
    ("xgboost", "1.7-1", "us-east-1", "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"),
    ("xgboost", "1.5-1", "eu-west-1", "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.5-1"),
    (
        "xgboost",
        "1.7-1",
        "cn-north-1",
        "450853457545.dkr.ecr.cn-north-1.amazonaws.com.cn/sagemaker-xgboost:1.7-1",
    ),
    (
        "xgboost",
        "1.7-1",
        "us-gov-west-1",
        "414596584902.dkr.ecr.us-gov-west-1.amazonaws.com/sagemaker-xgboost:1.7-1",
    ),
    (
        "xgboost",
        "1.0-1",
        "us-east-2",
        "257758044811.dkr.ecr.us-east-2.amazonaws.com/sagemaker-xgboost:1.0-1-cpu-py3",
    ),
    ("xgboost", "3.0-5", "us-west-2", "246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:3.0-5"),
    ("kmeans", "1", "us-east-1", "382416733822.dkr.ecr.us-east-1.amazonaws.com/kmeans:1"),
    ("linear-learner", "1", "eu-west-1", "438346466558.dkr.ecr.eu-west-1.amazonaws.com/linear-learner:1"),
    ("kmeans", "1", "cn-northwest-1", "387376663083.dkr.ecr.cn-northwest-1.amazonaws.com.cn/kmeans:1"),
    ("pca", "1", "us-gov-west-1", "226302683700.dkr.ecr.us-gov-west-1.amazonaws.com/pca:1"),
    ("blazingtext", "1", "us-east-1", "811284229777.dkr.ecr.us-east-1.amazonaws.com/blazingtext:1"),
    (
        "image-classification",
        "1",
        "eu-west-1",
        "685385470294.dkr.ecr.eu-west-1.amazonaws.com/image-classification:1",
    ),
    (
        "forecasting-deepar",
        "1",
        "us-west-2",
        "156387875391.dkr.ecr.us-west-2.amazonaws.com/forecasting-deepar:1",
    ),
    ("lda", "1", "us-east-1", "766337827248.dkr.ecr.us-east-1.amazonaws.com/lda:1"),
]


@pytest.mark.parametrize(("algorithm", "version", "region", "expected"), KNOWN_URIS)
def test_image_uri_matches_published_paths(algorithm: str, version: str, region: str, expected: str) -> None:
    assert image_uri(algorithm, version, region) == expected


@pytest.mark.parametrize(
    ("region", "partition"),
    [
        ("us-east-1", "aws"),
        ("eu-central-2", "aws"),
        ("ap-southeast-7", "aws"),
        ("mx-central-1", "aws"),
        ("cn-north-1", "aws-cn"),
        ("cn-northwest-1", "aws-cn"),
        ("us-gov-west-1", "aws-us-gov"),
        ("us-gov-east-1", "aws-us-gov"),
    ],
)
def test_partition_for_known_regions(region: str, partition: str) -> None:
    assert partition_for_region(region) == partition
    assert REGION_PARTITIONS[region] == partition


@pytest.mark.parametrize("region", ["us-east1", "US-EAST-1", "us-iso-east-1", "aws-global", ""])
def test_partition_for_unknown_regions_is_none(region: str) -> None:
    assert partition_for_region(region) is None


def test_region_table_covers_current_regions() -> None:
    required = {
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
        "af-south-1",
        "ap-east-1",
        "ap-south-1",
        "ap-south-2",
        "ap-southeast-4",
        "ap-southeast-5",
        "ap-southeast-7",
        "ca-west-1",
        "eu-central-2",
        "eu-south-2",
        "il-central-1",
        "me-central-1",
        "mx-central-1",
        "sa-east-1",
    }
    assert required <= set(REGION_PARTITIONS)
    assert set(REGION_PARTITIONS.values()) == {"aws", "aws-cn", "aws-us-gov"}
    assert sorted(r for r, p in REGION_PARTITIONS.items() if p == "aws-cn") == [
        "cn-north-1",
        "cn-northwest-1",
    ]
    assert all(re.fullmatch(r"[a-z]{2}(-gov)?-[a-z]+-\d", region) for region in REGION_PARTITIONS)


def test_dns_suffixes() -> None:
    assert dict(PARTITION_DNS_SUFFIX) == {
        "aws": "amazonaws.com",
        "aws-cn": "amazonaws.com.cn",
        "aws-us-gov": "amazonaws.com",
    }


def test_tables_are_read_only() -> None:
    with pytest.raises(TypeError):
        REGION_PARTITIONS["moon-1"] = "aws"  # type: ignore[index]
    with pytest.raises(TypeError):
        ALGORITHMS["xgboost"].registries["moon-1"] = "123456789012"  # type: ignore[index]


def test_algorithm_table_is_consistent() -> None:
    expected = {
        "xgboost",
        "linear-learner",
        "kmeans",
        "pca",
        "factorization-machines",
        "ntm",
        "randomcutforest",
        "knn",
        "object2vec",
        "ipinsights",
        "lda",
        "blazingtext",
        "image-classification",
        "object-detection",
        "semantic-segmentation",
        "seq2seq",
        "forecasting-deepar",
    }
    assert expected <= set(ALGORITHMS)
    for name, algorithm in ALGORITHMS.items():
        assert algorithm.versions, name
        assert algorithm.registries, name
        for region, account in algorithm.registries.items():
            assert region in REGION_PARTITIONS, (name, region)
            assert re.fullmatch(r"\d{12}", account), (name, region, account)
        if name != "xgboost":
            assert algorithm.repository == name
            assert algorithm.versions == ("1",)


def test_xgboost_versions_and_repository() -> None:
    xgboost = ALGORITHMS["xgboost"]
    assert xgboost.repository == "sagemaker-xgboost"
    required = {"0.90-1", "0.90-2", "1.0-1", "1.2-1", "1.2-2", "1.3-1", "1.5-1", "1.7-1", "3.0-5"}
    assert required <= set(xgboost.versions)


def test_classic_builtins_use_their_own_registries_not_xgboosts() -> None:
    assert ALGORITHMS["kmeans"].registries["us-east-1"] != ALGORITHMS["xgboost"].registries["us-east-1"]
    assert ALGORITHMS["kmeans"].registries == ALGORITHMS["linear-learner"].registries


def test_algorithms_are_hashable() -> None:
    assert len({ALGORITHMS["kmeans"], ALGORITHMS["xgboost"]}) == 2


def _lookup_error(algorithm: str, version: str, region: str) -> str:
    with pytest.raises(LookupError) as caught:
        image_uri(algorithm, version, region)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_unknown_algorithm_suggests_close_name() -> None:
    message = _lookup_error("xgbost", "1.7-1", "us-east-1")
    assert "'xgbost'" in message
    assert "did you mean 'xgboost'?" in message


def test_unknown_algorithm_without_close_name_lists_known_ones() -> None:
    message = _lookup_error("tabtransformer", "1", "us-east-1")
    assert "did you mean" not in message
    assert "kmeans" in message and "xgboost" in message


def test_unknown_version_lists_known_versions() -> None:
    message = _lookup_error("xgboost", "1.7", "us-east-1")
    assert "'1.7'" in message
    assert "did you mean '1.7-1'?" in message
    for version in ALGORITHMS["xgboost"].versions:
        assert version in message


def test_unknown_region_suggests_close_region() -> None:
    message = _lookup_error("xgboost", "1.7-1", "us-east1")
    assert "'us-east1'" in message
    assert "did you mean 'us-east-1'?" in message


def test_region_without_image_lists_offered_regions() -> None:
    message = _lookup_error("lda", "1", "eu-north-1")
    assert "'lda'" in message and "'eu-north-1'" in message
    for region in ALGORITHMS["lda"].registries:
        assert region in message


def test_region_without_registry_entry_is_reported_not_guessed() -> None:
    assert partition_for_region("mx-central-1") == "aws"
    message = _lookup_error("xgboost", "1.7-1", "mx-central-1")
    assert "'mx-central-1'" in message


@pytest.mark.parametrize(
    "instance_type",
    [
        "ml.m5.xlarge",
        "ml.m5.large",
        "ml.g5.2xlarge",
        "ml.p4d.24xlarge",
        "ml.c7i.large",
        "ml.t2.medium",
        "ml.inf2.xlarge",
        "ml.trn1.32xlarge",
        "ml.c5.9xlarge",
        "ml.p5.48xlarge",
    ],
)
def test_instance_types_include(instance_type: str) -> None:
    assert instance_type in INSTANCE_TYPES


@pytest.mark.parametrize(
    "instance_type",
    [
        "ml.m5.xl",
        "m5.xlarge",
        "ml.m5.8xlarge",
        "ml.c5.8xlarge",
        "ml.p4d.xlarge",
        "ml.t2.nano",
        "ML.M5.XLARGE",
    ],
)
def test_instance_types_exclude(instance_type: str) -> None:
    assert instance_type not in INSTANCE_TYPES


def test_instance_types_are_well_formed() -> None:
    assert len(INSTANCE_TYPES) > 200
    for instance_type in INSTANCE_TYPES:
        assert re.fullmatch(r"ml\.[a-z0-9-]+\.(medium|large|\d*xlarge)", instance_type), instance_type


def test_suggest_close_instance_type() -> None:
    assert suggest("ml.m5.xl", INSTANCE_TYPES) == "ml.m5.xlarge"
    assert suggest("ml.g5.2xl", INSTANCE_TYPES) == "ml.g5.2xlarge"


def test_suggest_ignores_case_and_returns_the_choice_spelling() -> None:
    assert suggest("XGBoost", ALGORITHMS) == "xgboost"
    assert suggest(" us-east-1 ", REGION_PARTITIONS) == "us-east-1"


def test_suggest_returns_none_when_nothing_is_close() -> None:
    assert suggest("qqqqqqqq", INSTANCE_TYPES) is None
    assert suggest("xgboost", []) is None
