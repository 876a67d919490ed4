"""`asl-gen simulate`: run a state machine offline on mocked tasks and a virtual clock, and show the path."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from asl_gen.cli.app import command, console_for, display, run, templates_option, text_or_json_option
from asl_gen.cli.machines import definition
from asl_gen.errors import Problem, UsageError


def _execution_input(text: str | None) -> Any:
    """--input: JSON text, or a JSON/YAML file; none means `{}`."""
    if text is None:
        return {}
    path = Path(text)
    if not text.lstrip().startswith(("{", "[", '"')) and path.is_file():
        from asl_gen.loader import load_file

        return load_file(path, display(path)).data
    import json

    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            Problem(f"--input: not JSON ({exc.msg} at column {exc.colno}) and no such file", hint="give JSON or a file")
        ) from None


@command(
    click.argument("machine"),
    click.argument("spec", required=False, type=click.Path(dir_okay=False, path_type=Path)),
    click.option(
        "--input", "input_text", metavar="JSON|FILE", help="Execution input: JSON text or a file (default {})."
    ),
    click.option(
        "--mocks",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Mocked task responses: a Step Functions Local mock config, or {state: {'0': {Return: ...}}}.",
    ),
    click.option("--case", help="The test case of the mock config to use (needed when it has several)."),
    click.option("--trace", is_flag=True, help="Also print each state's input and output."),
    click.option("--mermaid", is_flag=True, help="Print the path taken as a Mermaid flowchart instead."),
    click.option("--seed", type=int, default=0, show_default=True, help="Seed of UUID, MathRandom and retry jitter."),
    text_or_json_option,
    templates_option,
)
def simulate(
    machine: str,
    spec: Path | None,
    input_text: str | None,
    mocks: Path | None,
    case: str | None,
    trace: bool,
    mermaid: bool,
    seed: int,
    fmt: str,
    templates: Path | None,
    debug: bool,
) -> None:
    """Run a state machine offline on mocked tasks and a virtual clock: MACHINE is an ASL file, or the key of a
    state machine in SPEC (default: the project's specs; `project/key` when several have one). Exit 0 when it
    succeeds, 1 when it fails or times out, 2 when the input does not match the machine's input schema (a
    generated machine's; a hand-written file has none) or a mock is missing.

    \b
    Examples:
      asl-gen simulate out/big-mart/pipeline.asl.json --input input.json --mocks mocks.yaml --case HappyPath
      asl-gen simulate pipeline spec.yaml --input input.json --mocks mocks.yaml --trace
    """
    console = console_for(fmt)

    def action() -> Any:
        from asl_gen.simulate import simulate_definition

        chosen = definition(machine, spec, templates)
        execution_input = _execution_input(input_text)
        if chosen.input_schema is not None:
            from asl_gen.simulate import check_input

            source = "no --input ({})" if input_text is None else "--input"
            if input_text is not None and not input_text.lstrip().startswith(("{", "[", '"')):
                source = display(Path(input_text)) if Path(input_text).is_file() else source
            check_input(execution_input, chosen.input_schema, chosen.schema_source or "", input_source=source)
        return simulate_definition(
            chosen.document, execution_input, mocks=mocks, case=case, machine_name=chosen.name, seed=seed
        )

    result = run(action, console, debug)
    if not console.human:
        document = {"problems": [], **result.as_dict()}
        if trace:
            document["trace"] = [step.as_dict() for step in result.trace]
        console.data(document)
    elif mermaid:
        console.output(result.mermaid())
    else:
        console.output(_simulation_text(result, trace))
    if result.status != "SUCCEEDED":
        sys.exit(1)


def _simulation_text(result: Any, trace: bool) -> str:
    import json

    def show(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    lines = ["path: " + " -> ".join(result.path)]
    if trace:
        for step in result.trace:
            lines.append(f"  {step.state}  [{step.entered:g} s -> {step.left:g} s]")
            lines.append(f"    input:  {show(step.input)}")
            lines.append(f"    output: {show(step.output)}" if step.error is None else f"    error:  {step.error}")
    lines.append(f"status: {result.status} after {result.elapsed_seconds:g} s of virtual time")
    if result.status == "SUCCEEDED":
        lines.append(f"output: {show(result.output)}")
    else:
        lines.append(f"error: {result.error}")
        lines.append(f"cause: {result.cause}")
    return "\n".join(lines) + "\n"
