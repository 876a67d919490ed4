"""Checks of a derived policy beyond its schema: the size IAM allows an inline role policy."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from asl_gen.errors import Problem

# AWS counts inline policy size without white space; 10,240 characters is the per-role quota.
INLINE_POLICY_LIMIT = 10_240


def check_size(policy: Mapping[str, Any], name: str) -> list[Problem]:
    """Inline policies are capped at 10,240 characters without white space."""
    size = len(json.dumps(policy, separators=(",", ":"), ensure_ascii=False))
    if size > INLINE_POLICY_LIMIT:
        return [
            Problem(
                f"policy is {size} characters; an inline role policy may hold {INLINE_POLICY_LIMIT}",
                file=name,
                hint="split the state machines across projects or use managed policies",
            )
        ]
    return []
