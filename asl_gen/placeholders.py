"""Placeholders for what a spec leaves open, so one output deploys to any account, region and partition.

A spec without `aws.account` or `aws.region` yields definitions and policies that say `${AccountId}`,
`${Region}`, `${Partition}`, `${DnsSuffix}` and, for a built-in algorithm whose registry account depends on the
region, `${Registry<Algorithm>}`. CloudFormation fills them through `DefinitionSubstitutions` and `Fn::Sub`;
Terraform through `replace()` on the file it reads. The names follow `DefinitionSubstitutions`' `${Name}` form
so a user deploying the files by hand can fill them the same way.

Imports: catalog
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from asl_gen import catalog

PARTITION = "Partition"
REGION = "Region"
ACCOUNT = "AccountId"
DNS_SUFFIX = "DnsSuffix"
REGISTRY_PREFIX = "Registry"

# Stand-ins for the checks that need a concrete ARN: the build validates the documents as a deploy would see
# them, so a placeholder can never hide a malformed ARN.
SAMPLE = {PARTITION: "aws", REGION: "us-east-1", ACCOUNT: "123456789012", DNS_SUFFIX: "amazonaws.com"}
SAMPLE_REGISTRY = "111122223333"

# The longest value each can take, for limits on size: a policy must fit wherever the output deploys.
LONGEST = {
    PARTITION: "aws-us-gov",
    REGION: max(sorted(catalog.REGION_PARTITIONS), key=len),
    ACCOUNT: "123456789012",
    DNS_SUFFIX: "amazonaws.com.cn",
}

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z][A-Za-z0-9]*)\}")


def token(name: str) -> str:
    """The placeholder as it appears in a document."""
    return "${" + name + "}"


def registry_name(algorithm: str) -> str:
    """The placeholder naming the registry account of a built-in algorithm's images: `RegistryLinearLearner`."""
    return REGISTRY_PREFIX + "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", algorithm))


def names_in(document: Any) -> set[str]:
    """The placeholders a parsed document uses, in any string."""
    found: set[str] = set()
    if isinstance(document, str):
        found.update(name for name in _PLACEHOLDER.findall(document) if _known(name))
    elif isinstance(document, Mapping):
        for key, value in document.items():
            found |= names_in(key) | names_in(value)
    elif isinstance(document, list):
        for item in document:
            found |= names_in(item)
    return found


def _known(name: str) -> bool:
    return name in SAMPLE or name.startswith(REGISTRY_PREFIX)


def fill(document: Any, values: Mapping[str, str]) -> Any:
    """A copy of a parsed document with the placeholders `values` names replaced; others are left as they are."""
    if isinstance(document, str):
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), document)
    if isinstance(document, Mapping):
        return {fill(key, values): fill(value, values) for key, value in document.items()}
    if isinstance(document, list):
        return [fill(item, values) for item in document]
    return document


def fill_text(text: str, values: Mapping[str, str]) -> str:
    """`fill` for a file's text: the same substitution Terraform's replace() and CloudFormation perform."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def sample_values(document: Any, *, longest: bool = False) -> dict[str, str]:
    """Concrete stand-ins for every placeholder a document uses (with `longest`, the longest each can be)."""
    table = LONGEST if longest else SAMPLE
    return {name: table.get(name, SAMPLE_REGISTRY) for name in names_in(document)}
