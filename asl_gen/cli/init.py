"""`asl-gen init`: scaffold a project that builds at once (the files come from `cli.scaffold`)."""

from __future__ import annotations

from pathlib import Path

import click

from asl_gen.cli.app import command, console_for, display, run, text_or_json_option
from asl_gen.cli.console import NORMAL, VERBOSE


@command(
    click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path)),
    click.option("--force", is_flag=True, help="Overwrite files that already exist."),
    text_or_json_option,
)
def init(directory: Path, force: bool, fmt: str, debug: bool) -> None:
    """Scaffold a project in DIRECTORY (default: here) whose build, simulation and tests pass at once: a spec based
    on the big-mart example, its settings (asl-gen.yaml), the spec's JSON Schema for editors, mocks (mocks.yaml),
    an execution input (input.json), a pytest test of the pipeline (tests/test_pipeline.py, with pytest.ini), CI
    workflows for GitHub and GitLab, and a pre-commit config.

    If any of these files already exists, init writes nothing and exits 2, naming them; --force overwrites them
    (other files in DIRECTORY are left alone).
    """
    from asl_gen.cli.scaffold import scaffold

    console = console_for(fmt)
    created = run(lambda: scaffold(directory, force=force), console, debug)
    if not console.human:
        console.data({"problems": [], "created": [display(directory / p) for p in created]})
        return
    for path in created:
        console.say(f"  created  {display(directory / path)}", level=VERBOSE)
    console.say(f"created {len(created)} files in {display(directory)}", fg="green")
    console.say(
        f"next: cd {display(directory)} && asl-gen build && "
        "asl-gen simulate pipeline --input input.json --mocks mocks.yaml --case HappyPath && pytest",
        level=NORMAL,
    )
