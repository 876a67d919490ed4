"""`asl-gen graph`: draw a state machine as Mermaid, Graphviz dot, or nodes and edges as JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from asl_gen.cli.app import command, console_for, format_option, run, templates_option
from asl_gen.cli.machines import definition


@command(
    click.argument("machine"),
    click.argument("spec", required=False, type=click.Path(dir_okay=False, path_type=Path)),
    format_option(
        "mermaid",
        "dot",
        "json",
        default="mermaid",
        help="mermaid (a flowchart GitHub and GitLab render), dot (Graphviz), or json (nodes and edges as data).",
    ),
    templates_option,
)
def graph(machine: str, spec: Path | None, fmt: str, templates: Path | None, debug: bool) -> None:
    """Draw a state machine: MACHINE is an ASL file, or the key of a state machine in SPEC (default: the project's
    specs; `project/key` when several have one). Prints the diagram on stdout.

    \b
    Examples:
      asl-gen graph pipeline                      Mermaid, from the project's specs
      asl-gen graph big-mart/pipeline             ... when several specs have a 'pipeline'
      asl-gen graph out/big-mart/deploy.asl.json --format dot | dot -Tsvg > deploy.svg
    """
    console = console_for("json" if fmt == "json" else "text")

    def action() -> Any:
        from asl_gen import graph as drawing

        name, document, _, _ = definition(machine, spec, templates)
        if fmt == "json":
            return {"problems": [], "name": name, **drawing.to_data(document)}
        return drawing.render(document, fmt, name)

    result = run(action, console, debug)
    if fmt == "json":
        console.data(result)
    else:
        console.output(result)
