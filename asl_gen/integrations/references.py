"""Parsers that turn a constant request parameter (a name, a partial ARN or a full ARN) into the ARNs it names.

A full ARN keeps its own partition, region and account (cross-account calls are legal), and a value that is no valid
reference gives None, which `iam` reports instead of pasting it into a policy. Values from a path or JSONata get the
resource type with a `*` name, in the project's partition, region and account (`here`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from asl_gen.integrations.model import Context

# Turns a constant parameter value into the ARNs it names, or None when it names nothing valid.
Parser = Callable[[str, Context], "tuple[str, ...] | None"]
# Builds the granted ARNs from `arn:<partition>:<service>:<region>:<account>:` and the parsed name.
Shape = Callable[[str, "re.Match[str]"], "tuple[str, ...]"]

PARTITION = r"aws(?:-[a-z]+)*"
REGION = r"[a-z]{2}(?:-[a-z]+)+-\d{1,2}"
ACCOUNT = r"\d{12}"


def here(service: str, resource: str) -> str:
    """An ARN template in the project's partition, region and account."""
    return f"arn:{{partition}}:{service}:{{region}}:{{account}}:{resource}"


def reference(service: str, prefix: str, name: str, shape: Shape, *, bare: bool = True) -> Parser:
    """Parse a reference given as a full ARN `arn:…:<service>:…:<prefix><name>` or, when `bare`, as `<name>` alone.

    A bare name lives in the project's region and account; a full ARN names its own.
    """
    # Kept as text: `re` compiles (and caches) a pattern the first time a literal is parsed, not at import.
    full = (
        rf"arn:(?P<partition>{PARTITION}):{service}:(?P<region>{REGION}):(?P<account>{ACCOUNT}):{re.escape(prefix)}"
        + f"(?P<resource>{name})"
    )
    short = f"(?P<resource>{name})"

    def literal(value: str, target: Context) -> tuple[str, ...] | None:
        match = re.fullmatch(full, value)
        if match is not None:
            return shape(f"arn:{match['partition']}:{service}:{match['region']}:{match['account']}:", match)
        match = re.fullmatch(short, value) if bare else None
        if match is not None:
            return shape(f"arn:{target.partition}:{service}:{target.region}:{target.account}:", match)
        return None

    return literal


def itself(head: str, match: re.Match[str]) -> tuple[str, ...]:
    """The parsed resource as it was written."""
    return (head + match["resource"],)


def named(kind: str, suffix: str = "") -> Shape:
    """`<head><kind>/<name><suffix>`: the resource of that type with the parsed `name`."""

    def shape(head: str, match: re.Match[str]) -> tuple[str, ...]:
        return (f"{head}{kind}/{match['name']}{suffix}",)

    return shape


def revision_or_all(kind: str) -> Shape:
    """`<head><kind>/<name>:<revision>`, or every revision when the reference names none."""

    def shape(head: str, match: re.Match[str]) -> tuple[str, ...]:
        # Without a revision the latest ACTIVE one runs, and the request is authorised on that revision's ARN.
        return (f"{head}{kind}/{match['name']}:{match['revision'] or '*'}",)

    return shape
