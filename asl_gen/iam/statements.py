"""Statements: the needs each state or setting has, and their merging into few statements with stable Sids."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Statement:
    """One statement of a policy, with the states that need it and why it is on "*" when it is."""

    sid: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    condition: Mapping[str, Mapping[str, Any]] | None = None
    # Not part of the policy: which states need the statement, and why it is on "*" when it is.
    used_by: tuple[str, ...] = ()
    unscoped_because: str | None = None


@dataclass(frozen=True)
class Need:
    """One action on one resource (under one condition) that a state or a setting needs."""

    action: str
    resource: str
    condition: str  # canonical JSON of the condition block, "" for none
    label: str = ""  # Sid base for hand-described statements; derived from the ARN when empty
    origin: str = ""  # "<source>#<pointer>" of the state that needs it, or a setting such as "logging"
    unscoped_because: str | None = None


def _covers(pattern: str, resource: str) -> bool:
    if pattern == "*":
        return True
    return pattern.endswith("*") and resource.startswith(pattern[:-1]) and pattern != resource


def consolidate(needs: Sequence[Need]) -> list[Statement]:
    """Merge needs into few statements: widest resource wins, actions sharing resources share a statement."""
    by_action: dict[tuple[str, str], set[str]] = {}
    labels: dict[str, str] = {}
    origins: dict[tuple[str, str], set[str]] = {}
    reasons: dict[str, str] = {}
    for need in needs:
        by_action.setdefault((need.action, need.condition), set()).add(need.resource)
        if need.origin:
            origins.setdefault((need.action, need.condition), set()).add(need.origin)
        if need.label:
            labels.setdefault(need.action, need.label)
        if need.unscoped_because and need.resource == "*":
            reasons.setdefault(need.action, need.unscoped_because)
    groups: dict[tuple[tuple[str, ...], str, str], list[str]] = {}
    for (action, condition), found in by_action.items():
        kept = tuple(sorted(r for r in found if not any(_covers(o, r) for o in found if o != r)))
        # Unrelated grants on "*" stay apart, so each such statement has one reason and an honest Sid.
        apart = labels.get(action, "") if kept == ("*",) else ""
        groups.setdefault((kept, condition, apart), []).append(action)

    def base_of(resources: tuple[str, ...], actions: list[str]) -> str:
        label = next((labels[a] for a in sorted(actions) if a in labels), "")
        return label or _sid_base(actions, resources)

    statements: list[Statement] = []
    used: set[str] = set()
    for (resources, condition, _), actions in sorted(groups.items(), key=lambda g: (base_of(g[0][0], g[1]), g[0])):
        base = base_of(resources, actions)
        sid, number = base, 1
        while sid in used:
            number += 1
            sid = f"{base}{number}"
        used.add(sid)
        used_by = sorted({o for a in actions for o in origins.get((a, condition), ())})
        why = next((reasons[a] for a in sorted(actions) if a in reasons), None) if resources == ("*",) else None
        statements.append(
            Statement(
                sid,
                tuple(sorted(actions)),
                resources,
                json.loads(condition) if condition else None,
                tuple(used_by),
                why,
            )
        )
    return statements


def camel(text: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", text) if part)


def _sid_base(actions: Sequence[str], resources: Sequence[str]) -> str:
    if len(actions) == 1:
        return camel(actions[0])
    services = sorted({a.split(":", 1)[0] for a in actions})
    kinds: list[str] = []
    for resource in resources:
        if resource == "*":
            kind = "AnyResource"
        else:
            tail = resource.split(":", 5)[-1]
            kind = camel(tail.split("/", 1)[0]) if "/" in tail else camel(tail.split(":", 1)[0])
        if kind not in kinds:
            kinds.append(kind)
    return camel("-".join(services)) + "".join(kinds)
