"""The `asl-gen` group, the options several commands share, and the one place errors become exit codes (`run`)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from asl_gen import __version__
from asl_gen.cli.collector import resume_collector
from asl_gen.cli.console import NORMAL, QUIET, VERBOSE, Console, use_color
from asl_gen.errors import EXIT_INTERNAL, AslGenError, Problem, UsageError

REPORT_URL = "https://github.com/asl-gen/asl-gen/issues"

EPILOG = """\b
Exit codes: 0 success, 1 validation failure or stale out/,
2 usage or spec error, 3 internal error (a bug: please report it).
"""
_VERBOSITY = "asl_gen.verbosity"
T = TypeVar("T")


def display(path: Path) -> str:
    """`path` as a person would type it here: relative to the working folder where it can be."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def console_for(fmt: str) -> Console:
    """The console of this run: its format, the verbosity -q/-v asked for, colour when a person reads."""
    verbosity = click.get_current_context().meta.get(_VERBOSITY, NORMAL)
    return Console(fmt=fmt, verbosity=verbosity, color=use_color())


def run(action: Callable[[], T], console: Console, debug: bool) -> T:
    """`action()`, or exit: with the exit code of an `AslGenError`, 130 on Ctrl-C, 3 on a bug (unless `debug`)."""
    resume_collector()
    try:
        return action()
    except AslGenError as exc:
        console.problems(exc.problems, exc.details)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted; out/ is left as it was before this run", err=True)
        sys.exit(130)
    except Exception as exc:
        if debug:
            raise
        _internal_error(exc, console)


def _internal_error(exc: Exception, console: Console) -> NoReturn:
    message = f"internal error: {type(exc).__name__}: {exc}"
    if not console.human:
        console.data({"problems": [Problem(message, hint=f"report it at {REPORT_URL}").as_dict()], "details": []})
    click.echo(f"asl-gen: {message}", err=True)
    click.echo(
        f"This is a bug in asl-gen {__version__}. Rerun with --debug for the traceback and report it at {REPORT_URL}",
        err=True,
    )
    sys.exit(EXIT_INTERNAL)


def project_specs(given: Sequence[str]) -> tuple[list[Path], Path, Path | None, dict[Path, str]]:
    """The specs to work on (given, else the project's), the default out/ and templates, and display names."""
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
    return paths, settings.out, settings.templates, {p: display(p) for p in paths}


def _verbosity_option(short: str, name: str, level: int, help: str) -> Callable[[Any], Any]:
    def callback(ctx: click.Context, param: click.Parameter, value: bool) -> None:
        if value:
            ctx.meta[_VERBOSITY] = level

    return click.option(short, name, is_flag=True, expose_value=False, callback=callback, help=help)


# Accepted before the command (`asl-gen -q build`) and after it (`asl-gen build -q`); both set the same level.
quiet_option = _verbosity_option("-q", "--quiet", QUIET, "Print nothing but problems.")
verbose_option = _verbosity_option("-v", "--verbose", VERBOSE, "Also print each file and the time taken.")


def format_option(*choices: str, default: str = "text", help: str) -> Callable[[Any], Any]:
    """A --format option (its value is `fmt`)."""
    return click.option(
        "--format", "fmt", type=click.Choice(list(choices)), default=default, show_default=True, help=help
    )


text_or_json_option = format_option(
    "text", "json", help="text for people (on stderr), or json: one document on stdout with results and problems."
)
debug_option = click.option("--debug", is_flag=True, help="Show the traceback of internal errors.")


def folder_option(name: str, dest: str, help: str) -> Callable[[Any], Any]:
    """An option naming a folder, as a `Path`."""
    return click.option(name, dest, type=click.Path(file_okay=False, path_type=Path), help=help)


out_option = folder_option("--out", "out_dir", "Output folder (default: from project settings, else ./out).")
templates_option = folder_option(
    "--templates", "templates", "Folder whose templates override the built-in ones of the same name."
)


def command(*decorators: Callable[[Any], Any]) -> Callable[[Callable[..., None]], click.Command]:
    """A subcommand with the given options plus the ones every command has (the group adds it: see `cli`)."""

    def wrap(function: Callable[..., None]) -> click.Command:
        for decorator in reversed([*decorators, quiet_option, verbose_option, debug_option]):
            function = decorator(function)
        return click.command(epilog=EPILOG)(function)

    return wrap


@click.group(epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="asl-gen", message="%(prog)s %(version)s")
@quiet_option
@verbose_option
def main() -> None:
    """Generate Step Functions state machines and least-privilege IAM from a YAML spec.

    \b
    Examples:
      asl-gen init my-pipeline            scaffold a project that builds at once
      asl-gen build                       build the project's default specs into out/
      asl-gen build examples/big-mart/spec.yaml --out out
      asl-gen check                       exit 1 if out/ is not what build would write
      asl-gen validate out/big-mart/pipeline.asl.json my-policy.json
      asl-gen graph pipeline > pipeline.mmd
      asl-gen schema --out spec.schema.json
    """


def placeholder_options(meaning: str) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """`--placeholders` (what taking `${Name}` placeholders means to the command) and `--placeholder NAME`."""
    return (
        click.option("--placeholders", is_flag=True, help=meaning),
        click.option(
            "--placeholder",
            "placeholder_names",
            multiple=True,
            metavar="NAME",
            help="Accept only these ${NAME} placeholders (repeatable; implies --placeholders).",
        ),
    )
