"""The validator: ASL state machine definitions and IAM policies, any file, hand-written included.

JSON Schema first (`schema_pass`), then the rules no schema can express, one module per family: names and
transitions (`graph`), the fields of a state (`states`, `values`, `choice`, `maps`, `handlers`), variables,
the workflow as a whole (`workflow`), and IAM policies (`policy`). Findings are collected, never raised, so one run
reports everything; each is located by a JSONPath-like pointer (`$.States.Train.Next`) and, when the caller passes
a `lines` map from a located parser, by line and column. `rules` names every kind of finding; `sarif` reports them.

Imports: asl_gen, errors, resources, iam_catalogue, integrations
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, TypedDict

from asl_gen.errors import Problem
from asl_gen.lint.checker import Checker
from asl_gen.lint.contexts import asl_context, iam_context
from asl_gen.lint.findings import Draft, Finding, Path, to_problems
from asl_gen.lint.placeholders import substitute_placeholders
from asl_gen.lint.policy import ACTIONS_WITHOUT_RESOURCES, policy_findings
from asl_gen.lint.rules import RULES
from asl_gen.lint.schema_pass import ASL_SCHEMA, IAM_POLICY_SCHEMA, schema_findings
from asl_gen.lint.workflow import extra_checks

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = [
    "ACTIONS_WITHOUT_RESOURCES",
    "MACHINE_TYPES",
    "RULES",
    "DefinitionOptions",
    "Finding",
    "validate_definition",
    "validate_document",
    "validate_policy",
]


class DefinitionOptions(TypedDict, total=False):
    """The options of `validate_definition` that `validate_document` passes on to it."""

    placeholders: bool | Collection[str]
    machine_type: str
    warnings: bool


MACHINE_TYPES = ("STANDARD", "EXPRESS")


def validate_definition(
    doc: object,
    *,
    source: str | None = None,
    lines: Mapping[str, tuple[int, int]] | None = None,
    placeholders: bool | Collection[str] = False,
    machine_type: str = "STANDARD",
    warnings: bool = False,
) -> list[Problem]:
    """Return every problem in an ASL state machine definition (empty when it is valid).

    `placeholders`: accept CloudFormation DefinitionSubstitutions-style `${Name}` values (True: any name; a
    collection: only those names) where a literal is expected. `machine_type`: "STANDARD" or "EXPRESS" (Express
    workflows allow request-response calls only). `warnings`: also return findings of severity "warning"; without
    it only errors come back, so an empty list still means "AWS would accept it".
    """
    if machine_type.upper() not in MACHINE_TYPES:
        raise ValueError(f"machine_type must be one of {', '.join(MACHINE_TYPES)}, not {machine_type!r}")
    opaque: frozenset[Path] = frozenset()
    unknown: list[Draft] = []
    if placeholders is not False:
        allowed = None if placeholders is True else frozenset(placeholders)
        substituted = substitute_placeholders(doc, allowed)
        doc, opaque = substituted.document, substituted.opaque
        unknown = [Draft.of(issue) for issue in substituted.issues]
    findings = schema_findings(doc, ASL_SCHEMA, asl_context)
    if isinstance(doc, dict):
        findings += Checker(doc).run()
        findings += [Draft.of(issue) for issue in extra_checks(doc, machine_type=machine_type.upper())]
    if opaque:
        # A value that is all placeholder is unknown until deployment: nothing can be said about it.
        findings = [f for f in findings if not any(f.path[: len(o)] == o for o in opaque)]
    findings += unknown
    if not warnings:
        findings = [f for f in findings if f.severity == "error"]
    return to_problems(findings, source, lines)


def validate_policy(
    doc: object,
    *,
    source: str | None = None,
    lines: Mapping[str, tuple[int, int]] | None = None,
    justified: Collection[str] = (),
    catalogue: bool = True,
) -> list[Problem]:
    """Return every problem in an IAM policy document, identity or trust policy (empty when it is valid).

    `justified` names the Sids of statements whose "*" the generator has a recorded reason for (an SMS
    `sns:Publish` has no topic); they are exempt from the scopable-action rule, nothing else. `catalogue=False`
    leaves out the checks against IAM's catalogue (unknown actions, ARNs of the wrong resource type), so the
    catalogue is not read: `build` checks its own output so, the tests hold it to the catalogue.
    """
    findings = schema_findings(doc, IAM_POLICY_SCHEMA, iam_context)
    if isinstance(doc, dict):
        findings += policy_findings(doc, frozenset(justified), catalogue=catalogue)
    return to_problems(findings, source, lines)


def validate_document(
    doc: object,
    *,
    source: str | None = None,
    lines: Mapping[str, tuple[int, int]] | None = None,
    **options: Unpack[DefinitionOptions],
) -> list[Problem]:
    """Validate `doc` as an ASL definition (it has "States") or an IAM policy (it has "Statement").

    `options` are `validate_definition`'s (placeholders, machine_type, warnings); a policy takes none of them.
    """
    if isinstance(doc, dict) and "States" in doc:
        return validate_definition(doc, source=source, lines=lines, **options)
    if isinstance(doc, dict) and "Statement" in doc:
        return validate_policy(doc, source=source, lines=lines)
    finding = Draft(
        (),
        "the document is neither an ASL state machine (no 'States') nor an IAM policy (no 'Statement')",
        "pass a state machine definition or a policy document",
        rule="document-kind",
    )
    return to_problems([finding], source, lines)


def unreadable_findings(problems: Iterable[Problem]) -> list[Finding]:
    """A file that cannot be read or parsed, as findings: one more invalid file (exit 1), not a usage error."""
    return [Finding(p.message, p.file, p.line, p.column, p.pointer, p.hint, rule="unreadable-file") for p in problems]
