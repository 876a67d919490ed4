"""`asl-gen validate`: check ASL definitions and IAM policy documents, generated or hand-written."""

from __future__ import annotations

from pathlib import Path

import click

from asl_gen.cli.app import command, console_for, format_option, placeholder_options, run
from asl_gen.cli.console import VERBOSE
from asl_gen.cli.machines import located_lines
from asl_gen.errors import AslGenError, Problem, ValidationFailure


@command(
    click.argument("files", nargs=-1, required=True, type=click.Path()),
    format_option(
        "text",
        "json",
        "sarif",
        help="text for people (on stderr); json: one document on stdout; sarif: SARIF 2.1.0 on stdout.",
    ),
    click.option(
        "--type",
        "machine_type",
        type=click.Choice(["standard", "express"], case_sensitive=False),
        default="standard",
        show_default=True,
        help="The state machine type: express allows request-response integrations only.",
    ),
    *placeholder_options(
        "Accept CloudFormation DefinitionSubstitutions-style ${Name} values where a literal is expected."
    ),
)
def validate(
    files: tuple[str, ...],
    fmt: str,
    machine_type: str,
    placeholders: bool,
    placeholder_names: tuple[str, ...],
    debug: bool,
) -> None:
    """Check ASL definitions and IAM policy documents (JSON or YAML), generated or hand-written.

    Exit 1 when any file has an error; warnings are shown but do not fail the run.
    """
    console = console_for(fmt)
    allowed: bool | frozenset[str] = frozenset(placeholder_names) if placeholder_names else placeholders

    def action() -> tuple[list[str], list[Problem]]:
        from asl_gen.lint import unreadable_findings, validate_document
        from asl_gen.loader import load_document

        problems: list[Problem] = []
        for given in files:
            # Findings name each file as it was given, so tools that read --format json find it again.
            try:
                located = load_document(Path(given), given)
            except AslGenError as exc:
                # A file that cannot be read or parsed is one more invalid file: it must not hide the others'
                # findings, and it fails the run the same way (exit 1).
                problems.extend(unreadable_findings(exc.problems))
                continue
            found = validate_document(
                located.data,
                source=located.file,
                lines=located_lines(located),
                placeholders=allowed,
                machine_type=machine_type.upper(),
                warnings=True,
            )
            errors = [p for p in found if getattr(p, "severity", "error") == "error"]
            console.say(f"  {'ok' if not errors else 'problems':<8} {located.file}", level=VERBOSE)
            problems.extend(found)
        if any(getattr(p, "severity", "error") == "error" for p in problems):
            raise ValidationFailure(problems)
        return list(files), problems

    checked, warnings = run(action, console, debug)
    if fmt == "sarif":
        console.problems(warnings)
        return
    if not console.human:
        console.data({"problems": [w.as_dict() for w in warnings], "files": checked})
        return
    for warning in warnings:
        click.echo(warning.format(), err=True, color=console.color)
    noun = f"{len(checked)} file{'s' if len(checked) != 1 else ''} valid"
    extra = f" ({len(warnings)} warning{'s' if len(warnings) != 1 else ''})" if warnings else ""
    console.say(noun + extra, fg="green")
