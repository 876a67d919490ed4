"""Which state machine a command means: an ASL file (loaded and validated), or the key of one a spec generates."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from asl_gen.cli.app import display, project_specs
from asl_gen.errors import Problem, UsageError, ValidationFailure, pointer_of

DEFINITION_SUFFIXES = (".asl.json", ".asl.yaml", ".asl.yml", ".json", ".yaml", ".yml")


def located_lines(located: Any) -> dict[str, tuple[int, int]]:
    """The line and column of each JSON pointer of a loaded file, for problems to point at."""
    # A field is best pointed at by its key; list items and the root only have value marks.
    return {pointer_of(p): located.key_marks.get(p, mark) for p, mark in located.marks.items()}


def machine_name(path: Path) -> str:
    """A definition file's state machine name: its file name without the definition suffixes."""
    name = path.name
    for suffix in DEFINITION_SUFFIXES:
        name = name.removesuffix(suffix)
    return name


def definition(machine: str, spec: Path | None, templates: Path | None) -> tuple[str, Any]:
    """The definition to draw: a file's (validated) or a generated state machine's, with its name."""
    path = Path(machine)
    if path.is_file() or machine.endswith(DEFINITION_SUFFIXES) or os.sep in machine:
        if spec is not None:
            raise UsageError(Problem("give an ASL file, or a state machine key and a spec, not a file and a spec"))
        from asl_gen.lint import validate_definition
        from asl_gen.loader import load_document

        located = load_document(path, display(path))
        problems = validate_definition(located.data, source=located.file, lines=located_lines(located))
        if problems:
            raise ValidationFailure(problems)
        return machine_name(path), located.data

    import json

    from asl_gen.build import generate_all
    from asl_gen.catalog import suggest

    paths, _, default_templates, names = project_specs([str(spec)] if spec else [])
    found: list[tuple[str, Any]] = []
    machines: list[str] = []
    for generated in generate_all(paths, templates=templates or default_templates, display=names):
        keys = [p.removesuffix(".asl.json") for p in generated.files if p.endswith(".asl.json") and "/" not in p]
        machines += keys
        if machine in keys:
            found.append((f"{generated.project}-{machine}", json.loads(generated.files[f"{machine}.asl.json"])))
    if len(found) > 1:
        raise UsageError(
            Problem(f"more than one spec has a state machine {machine!r}", hint="name the spec: asl-gen graph KEY SPEC")
        )
    if not found:
        hint = suggest(machine, machines)
        raise UsageError(
            Problem(
                f"no state machine {machine!r} and no such file",
                hint=f"did you mean {hint!r}?" if hint else "state machines: " + ", ".join(sorted(machines)),
            )
        )
    return found[0]
