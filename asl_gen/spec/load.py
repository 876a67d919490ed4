"""Loading a spec file: parsed with positions, validated against the models, cross-checked, every problem located."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated, Any, Union

from pydantic import Field, ValidationError, create_model

from asl_gen.errors import Problem, SpecError
from asl_gen.loader import Located, load_file
from asl_gen.spec.base import Key
from asl_gen.spec.jobs import JOB_MODELS
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
        spec = _model_for(located.data).model_validate(located.data)
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


def _model_for(data: dict[str, Any]) -> type[Spec]:
    """`Spec`, or when every job names a known type and some types go unused, a `Spec` whose jobs union holds
    only the types used: Pydantic then builds the validators of those job models alone (the whole union is most
    of the first validation's cost). A job whose type is missing or unknown gets the whole `Spec`, so that its
    error lists every type, word for word; with known types the union picks the same model either way."""
    jobs = data.get("jobs")
    if not isinstance(jobs, dict):
        return Spec
    kinds = set()
    for job in jobs.values():
        kind = job.get("type") if isinstance(job, dict) else None
        if not isinstance(kind, str) or kind not in JOB_MODELS:
            return Spec
        kinds.add(kind)
    return _spec_with(frozenset(kinds))


@functools.cache
def _spec_with(kinds: frozenset[str]) -> type[Spec]:
    # A discriminated union needs two members; a spec of one job type gets the first other one beside it.
    members = [model for kind, model in JOB_MODELS.items() if kind in kinds]
    members += [model for kind, model in JOB_MODELS.items() if kind not in kinds][: max(0, 2 - len(members))]
    if len(members) == len(JOB_MODELS):
        return Spec
    job: Any = Annotated[Union[tuple(members)], Field(discriminator="type")]  # noqa: UP007
    # The field as `Spec` declares it (description, examples, at least one job), with the narrower union.
    jobs: Any = (dict[Key, job], Spec.model_fields["jobs"])
    return create_model(Spec.__name__, __base__=Spec, __module__=Spec.__module__, jobs=jobs)
