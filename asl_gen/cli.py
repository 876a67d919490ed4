"""The command line: parse options, call the build API, print, exit. Errors are caught here and only here."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from asl_gen import __version__
from asl_gen.errors import EXIT_INTERNAL, AslGenError, Problem, UsageError, pointer_of

REPORT_URL = "https://github.com/asl-gen/asl-gen/issues"

EPILOG = """\b
Exit codes: 0 success, 1 validation failure or stale out/,
2 usage or spec error, 3 internal error (a bug: please report it).
"""


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def _run(action: Callable[[], Any], fmt: str, debug: bool) -> Any:
    try:
        return action()
    except AslGenError as exc:
        _report(exc.problems, fmt, exc.details)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted; out/ is left as it was before this run", err=True)
        sys.exit(130)
    except Exception as exc:
        if debug:
            raise
        click.echo(f"asl-gen: internal error: {type(exc).__name__}: {exc}", err=True)
        click.echo(
            f"This is a bug in asl-gen {__version__}. Rerun with --debug for the traceback and report it"
            f" at {REPORT_URL}",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)


def _report(problems: Sequence[Problem], fmt: str, details: Sequence[str] = ()) -> None:
    if fmt == "json":
        click.echo(json.dumps({"problems": [p.as_dict() for p in problems]}, indent=2, ensure_ascii=False))
        return
    for problem in problems:
        click.echo(problem.format(), err=True)
    for detail in details:
        click.echo(detail.rstrip("\n"), err=True)
    count = len(problems)
    click.echo(f"{count} problem{'s' if count != 1 else ''} found", err=True)


def _specs(given: Sequence[str]) -> tuple[list[Path], Path, Path | None, dict[Path, str]]:
    from asl_gen.config import load_settings

    settings = load_settings(Path.cwd())
    paths = [Path(p) for p in given] or list(settings.specs)
    if not paths:
        raise UsageError(
            Problem(
                "no spec given and no default specs configured",
                hint="pass a spec file, or list specs in [tool.asl-gen] in pyproject.toml or in asl-gen.yaml",
            )
        )
    return paths, settings.out, settings.templates, {p: _display(p) for p in paths}


format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="How to print results and problems.",
)
debug_option = click.option("--debug", is_flag=True, help="Show the traceback of internal errors.")
out_option = click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: from project settings, else ./out).",
)
templates_option = click.option(
    "--templates",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder whose templates override the built-in ones of the same name.",
)


@click.group(epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="asl-gen", message="%(prog)s %(version)s")
def main() -> None:
    """Generate Step Functions state machines and least-privilege IAM from a YAML spec.

    \b
    Examples:
      asl-gen build                       build the project's default specs into out/
      asl-gen build examples/big-mart/spec.yaml --out out
      asl-gen check                       exit 1 if out/ is not what build would write
      asl-gen validate out/big-mart/pipeline.asl.json my-policy.json
    """


def spec_command(function: Callable[..., None]) -> Callable[..., None]:
    """The arguments and options `build` and `check` share."""
    for decorator in reversed(
        [
            main.command(epilog=EPILOG),
            click.argument("specs", nargs=-1, type=click.Path(dir_okay=True, path_type=str)),
            out_option,
            templates_option,
            format_option,
            debug_option,
        ]
    ):
        function = decorator(function)
    return function


def _on_specs(operation: Callable[..., Any], specs: Sequence[str], out_dir: Path | None, templates: Path | None) -> Any:
    paths, default_out, default_templates, names = _specs(specs)
    return operation(paths, out_dir or default_out, templates=templates or default_templates, display=names)


@spec_command
def build(specs: tuple[str, ...], out_dir: Path | None, templates: Path | None, fmt: str, debug: bool) -> None:
    """Generate and write out/<project>/ for each SPEC (default: the project's specs).

    Nothing is written unless every document of every spec is valid.
    """
    from asl_gen import build as pipeline

    results = _run(lambda: _on_specs(pipeline.build, specs, out_dir, templates), fmt, debug)
    if fmt == "json":
        click.echo(json.dumps({p: vars(r) for p, r in results.items()}, indent=2))
        return
    for project, result in results.items():
        click.echo(
            f"{project}: {len(result.written)} written, {len(result.unchanged)} unchanged, "
            f"{len(result.removed)} removed"
        )


@spec_command
def check(specs: tuple[str, ...], out_dir: Path | None, templates: Path | None, fmt: str, debug: bool) -> None:
    """Exit 1 with a short diff if out/ differs from what build would write (for CI and pre-commit)."""
    from asl_gen import build as pipeline

    results = _run(lambda: _on_specs(pipeline.check, specs, out_dir, templates), fmt, debug)
    if fmt == "json":
        click.echo(json.dumps({"problems": [], "projects": sorted(results)}))
    else:
        click.echo(f"up to date: {', '.join(sorted(results))}")


@main.command(epilog=EPILOG)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@format_option
@debug_option
def validate(files: tuple[Path, ...], fmt: str, debug: bool) -> None:
    """Check ASL definitions and IAM policy documents (JSON or YAML), generated or hand-written."""
    from asl_gen.errors import ValidationFailure
    from asl_gen.loader import load_file
    from asl_gen.validate import validate_document

    def action() -> int:
        problems: list[Problem] = []
        for path in files:
            located = load_file(path, _display(path))
            # A field is best pointed at by its key; list items and the root only have value marks.
            lines = {pointer_of(p): located.key_marks.get(p, mark) for p, mark in located.marks.items()}
            problems.extend(validate_document(located.data, source=located.file, lines=lines))
        if problems:
            raise ValidationFailure(problems)
        return len(files)

    count = _run(action, fmt, debug)
    if fmt == "json":
        click.echo(json.dumps({"problems": []}))
    else:
        click.echo(f"{count} file{'s' if count != 1 else ''} valid")
