"""`asl-gen build` and `asl-gen check`: write out/, or say how it differs from what build would write."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from asl_gen.cli.app import (
    command,
    console_for,
    out_option,
    project_specs,
    run,
    templates_option,
    text_or_json_option,
)
from asl_gen.cli.console import VERBOSE, Console
from asl_gen.errors import Problem, UsageError

spec_arguments = click.argument("specs", nargs=-1, type=click.Path(dir_okay=True, path_type=str))
target_option = click.option(
    "--target",
    "target",
    multiple=True,
    type=click.Choice(["terraform", "cloudformation", "none"]),
    help="Also write this deployment target (repeatable); replaces the spec's targets. 'none': write no target.",
)


def _targets(given: Sequence[str]) -> list[str] | None:
    """The --target values as build takes them: None when not given (the spec decides), [] for 'none'."""
    if not given:
        return None
    if "none" in given and len(set(given)) > 1:
        raise UsageError(
            Problem("--target none cannot be combined with other targets", hint="give 'none' alone, or drop it")
        )
    return [t for t in given if t != "none"]


def _on_specs(
    operation: Callable[..., Any],
    label: str,
    console: Console,
    debug: bool,
    specs: Sequence[str],
    out_dir: Path | None,
    templates: Path | None,
    target: Sequence[str],
    **extra: Any,
) -> Any:
    """Run `operation` (build or check) on the specs, with the options both commands take; problems and warnings
    go to `console`."""

    def on_specs() -> Any:
        targets = _targets(target)
        paths, default_out, default_templates, names = project_specs(specs)
        return operation(
            console.progress(paths, label),
            out_dir or default_out,
            templates=templates or default_templates,
            display=names,
            target=targets,
            on_warning=console.warning,
            **extra,
        )

    return run(on_specs, console, debug)


@command(spec_arguments, out_option, templates_option, target_option, text_or_json_option)
def build(
    specs: tuple[str, ...], out_dir: Path | None, templates: Path | None, target: tuple[str, ...], fmt: str, debug: bool
) -> None:
    """Generate and write out/<project>/ for each SPEC (default: the project's specs).

    Nothing is written unless every document of every spec is valid.
    """
    from asl_gen import build as pipeline

    console = console_for(fmt)
    started = time.perf_counter()
    results = _on_specs(
        pipeline.build, "building", console, debug, specs, out_dir, templates, target, on_wait=console.say
    )
    if not console.human:
        projects = {p: vars(r) for p, r in results.items()}
        console.data({"problems": [], "warnings": console.warnings_data(), "projects": projects})
        return
    for project, result in results.items():
        console.say(
            f"{project}: {len(result.written)} written, {len(result.unchanged)} unchanged, "
            f"{len(result.removed)} removed"
        )
        for kind in ("written", "removed"):
            for path in getattr(result, kind):
                console.say(f"  {kind:<8} {project}/{path}", level=VERBOSE)
    console.say(f"done in {time.perf_counter() - started:.2f} s", level=VERBOSE)


@command(spec_arguments, out_option, templates_option, target_option, text_or_json_option)
def check(
    specs: tuple[str, ...], out_dir: Path | None, templates: Path | None, target: tuple[str, ...], fmt: str, debug: bool
) -> None:
    """Exit 1 with a short diff if out/ differs from what build would write (for CI and pre-commit)."""
    from asl_gen import build as pipeline

    console = console_for(fmt)
    started = time.perf_counter()
    results = _on_specs(pipeline.check, "checking", console, debug, specs, out_dir, templates, target)
    if not console.human:
        console.data({"problems": [], "warnings": console.warnings_data(), "details": [], "projects": sorted(results)})
        return
    console.say(f"up to date: {', '.join(sorted(results))}", fg="green")
    console.say(f"done in {time.perf_counter() - started:.2f} s", level=VERBOSE)
