"""`asl-gen schema`: the JSON Schema of the spec, for editors and other tools."""

from __future__ import annotations

from pathlib import Path

import click

from asl_gen.cli.app import command, console_for, display, run


@command(
    click.option(
        "--out",
        "out_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write the schema to FILE instead of stdout.",
    )
)
def schema(out_file: Path | None, debug: bool) -> None:
    """Print the JSON Schema of the spec, for editors (yaml-language-server) and other tools.

    \b
    In a spec, the first line
      # yaml-language-server: $schema=spec.schema.json
    gives completion, descriptions and inline errors as you type.
    """
    console = console_for("text")

    def action() -> str:
        from asl_gen.spec.schema import spec_schema_text

        text = spec_schema_text()
        if out_file is not None:
            from asl_gen.cli.scaffold import write_text

            write_text(out_file, text)
        return text

    text = run(action, console, debug)
    if out_file is None:
        console.output(text)
    else:
        console.say(f"wrote {display(out_file)}")
