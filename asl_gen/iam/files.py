"""The Step Functions role's policy for definition files asl-gen did not necessarily write (`asl-gen iam`):
validate them, derive the policy, validate it, and point each problem at its line in the file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from asl_gen.errors import Problem, ValidationFailure
from asl_gen.iam.check import check_size
from asl_gen.iam.statements import Statement
from asl_gen.iam.stepfunctions_role import MachineAccess, state_machine_statements
from asl_gen.integrations import Context


@dataclass(frozen=True)
class DerivedPolicy:
    """The Step Functions role policy for definitions asl-gen did not necessarily write."""

    document: Any
    statements: tuple[Statement, ...]


def derive_for_files(
    paths: Sequence[tuple[Any, str]],
    target: Context,
    *,
    names: Mapping[str, str],
    access: MachineAccess,
    resources: Mapping[str, tuple[str, ...]],
    lines: Mapping[str, Mapping[str, tuple[int, int]]],
) -> DerivedPolicy:
    """Policy for already-parsed definitions: `paths` holds (data, display name) pairs, `names` each one's
    state machine name (for its own ARN), `lines` each one's pointer → (line, column) marks."""
    from asl_gen.lint import validate_definition, validate_policy
    from asl_gen.render import Renderer

    problems: list[Problem] = []
    definitions: dict[str, Mapping[str, Any]] = {}
    machines: dict[str, MachineAccess] = {}
    for data, source in paths:
        problems.extend(validate_definition(data, source=source, lines=lines.get(source)))
        definitions[source] = data
        arn = f"arn:{target.partition}:states:{target.region}:{target.account}:stateMachine:{names[source]}"
        machines[source] = MachineAccess(arn, access.logging, access.tracing, access.kms_key)
    if problems:
        raise ValidationFailure(problems)
    try:
        statements = state_machine_statements(definitions, target, machines, resources)
    except ValidationFailure as failure:
        raise ValidationFailure([_locate(p, lines) for p in failure.problems]) from None
    document = Renderer().render_json("iam/policy.json.j2", {"statements": statements})
    justified = [s.sid for s in statements if s.unscoped_because]
    found = validate_policy(document, source="policy", justified=justified) + check_size(document, "policy")
    if found:
        raise ValidationFailure(found)
    return DerivedPolicy(document, tuple(statements))


def _locate(problem: Problem, lines: Mapping[str, Mapping[str, tuple[int, int]]]) -> Problem:
    marks = lines.get(problem.file or "", {})
    pointer = problem.pointer
    # The nearest enclosing node that has a mark: a missing parameter is pointed at by its state.
    while pointer not in marks:
        parent = re.sub(r"(\.[^.\[]+|\[[^\]]*\]|\['(?:[^'\\]|\\.)*'\])$", "", pointer)
        if parent == pointer:
            break
        pointer = parent
    if pointer in marks:
        line, column = marks[pointer]
        return Problem(problem.message, problem.file, line, column, problem.pointer, problem.hint)
    return problem
