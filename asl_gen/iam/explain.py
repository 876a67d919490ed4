"""The policy notes: Markdown saying, for each statement, which states or jobs need it and why any is on "*"."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from asl_gen.iam.statements import Statement

_STATE_IN_POINTER = re.compile(r"States(?:\.([A-Za-z_$][\w$]*)|\['((?:[^'\\]|\\.)*)'\])")


def _origin_text(origin: str) -> str:
    """`pipeline.asl.json#$.States['Train'].ItemReader` → `pipeline.asl.json: Train (ItemReader)`."""
    source, found, pointer = origin.partition("#")
    if not found:
        return origin
    if not pointer.startswith("$"):
        return f"{source}: {pointer}" if source else pointer
    names = _STATE_IN_POINTER.findall(pointer)
    if not names:
        return source
    plain, quoted = names[-1]
    name = plain or re.sub(r"\\(.)", r"\1", quoted)
    for part in ("ItemReader", "ResultWriter"):
        if pointer.endswith(f".{part}"):
            name += f" ({part})"
    return f"{source}: {name}"


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("`", "'")


def explain(project: str, policies: Sequence[tuple[str, str, Sequence[Statement]]]) -> str:
    """Markdown saying, for each statement of each policy, which states or jobs need it and why any is on "*".

    `policies` holds (file, role description, statements) in the order to show them.
    """
    lines = [
        f"# IAM policies of {project}",
        "",
        "Written by asl-gen with the policies beside it; do not edit. Each statement is listed with what needs it.",
        'A statement on `"*"` is one whose actions have no resource type in IAM; its reason is given.',
        "A Task whose Resource is an activity needs nothing here: the activity's worker polls for it",
        "(`states:GetActivityTask`) with its own credentials. `eks:call` and `eks:runJob` are authorised by the",
        "cluster's Kubernetes RBAC (an access entry for the role), not by IAM.",
    ]
    for path, role, statements in policies:
        lines += ["", f"## {path}", "", role, "", "| Sid | Actions | Resources | Needed by |", "|---|---|---|---|"]
        for statement in statements:
            actions = "<br>".join(f"`{_cell(a)}`" for a in statement.actions)
            resources = "<br>".join(f"`{_cell(r)}`" for r in statement.resources)
            if statement.condition:
                resources += "<br>if " + _cell(json.dumps(statement.condition, sort_keys=True))
            users = sorted({_origin_text(o) for o in statement.used_by})
            lines.append(f"| {statement.sid} | {actions} | {resources} | {'<br>'.join(_cell(u) for u in users)} |")
        unscoped = [s for s in statements if s.resources == ("*",)]
        if unscoped:
            lines += ["", 'On `"*"`:', ""]
            lines += [f"* {s.sid}: {s.unscoped_because or 'no reason recorded'}" for s in unscoped]
    return "\n".join(lines) + "\n"
