"""The README's integration table is the integration table: every row, its patterns and its actions.

`pytest --update-golden` rewrites the section between the markers; review the diff.
"""

from __future__ import annotations

import re

from asl_gen import integrations

from .conftest import REPO

README = REPO / "README.md"
START, END = "<!-- integrations:start -->", "<!-- integrations:end -->"
PATTERN_NAMES = {"": "request-response", ".sync": ".sync", ".sync:2": ".sync:2", ".waitForTaskToken": "callback"}


def _actions(row: integrations.Integration, pattern: str) -> list[str]:
    """Markdown for each action a call needs with this pattern; optional ones say which parameter adds them."""
    always = [a for g in row.grants if pattern in g.patterns and not g.when_parameter for a in g.actions]
    found = list(dict.fromkeys(f"`{a}`" for a in always))
    for grant in row.grants:
        if pattern in grant.patterns and grant.when_parameter:
            found += [f"`{a}` (with `{grant.when_parameter}`)" for a in grant.actions if a not in always]
    found += [f"`iam:PassRole` to `{p.service}`" for p in row.pass_roles]
    return list(dict.fromkeys(found))


def table() -> str:
    lines = [START, "", "| Resource | Patterns | Actions |", "|---|---|---|"]
    for key, row in sorted(integrations.table().items()):
        patterns = sorted(row.patterns, key=list(PATTERN_NAMES).index)
        base = _actions(row, patterns[0])
        cell = ", ".join(base)
        for pattern in patterns[1:]:
            extra = [a for a in _actions(row, pattern) if a not in base]
            if extra:
                cell += f"; {PATTERN_NAMES[pattern]} adds " + ", ".join(extra)
        if row.note:
            cell = f"{cell}; {row.note}" if cell else f"none: {row.note}"
        names = ", ".join(PATTERN_NAMES[p] for p in patterns)
        lines.append(f"| `{key}` | {names} | {cell} |")
    return "\n".join([*lines, "", END])


def test_readme_lists_every_integration(update_golden: bool) -> None:
    text = README.read_text(encoding="utf-8")
    section = re.compile(re.escape(START) + ".*?" + re.escape(END), re.DOTALL)
    if update_golden:
        assert section.search(text), "README has no integrations markers"
        text = section.sub(lambda _: table(), text)
        README.write_text(text, encoding="utf-8")
    match = section.search(text)
    assert match is not None, f"README lacks the {START} … {END} section"
    assert match.group(0) == table(), "README's integration table is stale (rerun with --update-golden)"
