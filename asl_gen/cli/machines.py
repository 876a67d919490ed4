"""Which state machine a command means: an ASL file (loaded and validated), or the key of one a spec generates."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, NamedTuple

from asl_gen.cli.app import display, project_specs
from asl_gen.errors import Problem, UsageError, ValidationFailure, pointer_of

DEFINITION_SUFFIXES = (".asl.json", ".asl.yaml", ".asl.yml", ".json", ".yaml", ".yml")
# A state machine key after its project (`big-mart/pipeline`): a project name as the spec allows, then a key.
PROJECT_KEY = re.compile(r"[a-z0-9](?:-?[a-z0-9])*/[a-z][a-z0-9]*(?:-[a-z0-9]+)*")


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


class Machine(NamedTuple):
    """A state machine a command works on: its name, its definition, and its execution input's JSON Schema with
    where that came from (None for a hand-written ASL file, which has no schema)."""

    name: str
    document: Any
    input_schema: dict[str, Any] | None
    schema_source: str | None


def is_key(machine: str) -> bool:
    """`pipeline` or `big-mart/pipeline` names a generated state machine; anything else is a file."""
    if Path(machine).is_file() or machine.endswith(DEFINITION_SUFFIXES):
        return False
    if "/" in machine or os.sep in machine:
        return PROJECT_KEY.fullmatch(machine) is not None
    return True


def definition(machine: str, spec: Path | None, templates: Path | None) -> Machine:
    """The state machine MACHINE means: a file's (validated) or a generated one's, by key (`pipeline`, or
    `big-mart/pipeline` when several specs have one)."""
    if not is_key(machine):
        path = Path(machine)
        if spec is not None:
            raise UsageError(Problem("give an ASL file, or a state machine key and a spec, not a file and a spec"))
        from asl_gen.lint import validate_definition
        from asl_gen.loader import load_document

        located = load_document(path, display(path))
        problems = validate_definition(located.data, source=located.file, lines=located_lines(located))
        if problems:
            raise ValidationFailure(problems)
        schema_file = input_schema_file(path)
        schema = None
        if schema_file is not None:
            from asl_gen.loader import load_file

            schema = load_file(schema_file, display(schema_file)).data
        return Machine(
            machine_name(path), located.data, schema, display(schema_file) if schema_file is not None else None
        )

    import json

    from asl_gen.build import generate_all
    from asl_gen.catalog import suggest

    project, _, key = machine.rpartition("/")
    paths, out, default_templates, names = project_specs([str(spec)] if spec else [])
    found: list[tuple[str, Any, Any, str]] = []
    machines: list[str] = []
    for generated in generate_all(paths, templates=templates or default_templates, display=names):
        keys = [p.removesuffix(".asl.json") for p in generated.files if p.endswith(".asl.json") and "/" not in p]
        machines += [f"{generated.project}/{k}" for k in keys] if project else keys
        if key in keys and project in ("", generated.project):
            schema = f"inputs/{key}.schema.json"
            found.append(
                (
                    f"{generated.project}-{key}",
                    json.loads(generated.files[f"{key}.asl.json"]),
                    json.loads(generated.files[schema]) if schema in generated.files else None,
                    generated.spec_file,
                )
            )
    if len(found) > 1:
        raise UsageError(
            Problem(
                f"more than one spec has a state machine {key!r}: "
                + ", ".join(f"{name.removesuffix('-' + key)} ({spec_file})" for name, _, _, spec_file in found),
                hint="name the project too: "
                + " or ".join(f"{name.removesuffix('-' + key)}/{key}" for name, _, _, _ in found),
            )
        )
    if not found:
        hint = suggest(machine, machines)
        raise UsageError(
            Problem(
                f"no state machine {machine!r} and no such file",
                hint=f"did you mean {hint!r}?" if hint else "state machines: " + ", ".join(sorted(set(machines))),
            )
        )
    name, document, schema, spec_file = found[0]
    schema_file = out / name.removesuffix(f"-{key}") / "inputs" / f"{key}.schema.json"
    return Machine(name, document, schema, f"{display(schema_file)}, generated from {spec_file}")


def input_schema_file(path: Path) -> Path | None:
    """The execution input's schema `asl-gen build` wrote beside a generated definition (out/<project>/inputs/)."""
    candidate = path.parent / "inputs" / f"{machine_name(path)}.schema.json"
    return candidate if candidate.is_file() else None
