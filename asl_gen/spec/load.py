"""Loading a spec file: parsed with positions, validated against the models, cross-checked, every problem located."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from asl_gen.errors import Problem, SpecError
from asl_gen.loader import Located, load_file
from asl_gen.spec.project import Spec
from asl_gen.spec.references import check_references


def load_spec(path: Path, display: str | None = None) -> tuple[Spec, Located]:
    """Load, validate and cross-check a spec file; raise `SpecError` with every problem found."""
    located = load_file(path, display)
    if not isinstance(located.data, dict):
        raise SpecError(
            Problem(
                "the spec must be a mapping of keys to values",
                file=located.file,
                line=1,
                column=1,
                hint="start from examples/big-mart/spec.yaml",
            )
        )
    try:
        spec = Spec.model_validate(located.data)
    except ValidationError as exc:
        # Imported here: only a spec with errors needs them rewritten, and a build should not pay for it.
        from asl_gen.spec.problems import pydantic_problems

        raise SpecError(sorted(pydantic_problems(exc, located), key=_order)) from None
    problems = list(check_references(spec, located))
    if problems:
        raise SpecError(sorted(problems, key=_order))
    return spec, located


def _order(problem: Problem) -> tuple[int, int, str]:
    return (problem.line or 0, problem.column or 0, problem.pointer)
