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

NO_STATEMENTS = (
    "no state calls an AWS service that IAM authorises (no Task, or only activities and Kubernetes calls): the "
    "role needs no permission policy, and none is written (IAM refuses a policy without statements)"
)
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_][A-Za-z0-9_.:-]*)\}")
# Placeholders that name where the machine runs are filled with --region/--account and the region's partition:
# CloudFormation's pseudo parameters and the plain names templates use for them.
_WHERE = {
    "partition": "partition",
    "region": "region",
    "account": "account",
    "accountid": "account",
}


@dataclass(frozen=True)
class DerivedPolicy:
    """The Step Functions role policy for definitions asl-gen did not necessarily write.

    `document` is None when nothing needs a permission: `note` then says so.
    """

    document: Any
    statements: tuple[Statement, ...]
    note: str | None = None


def fill_placeholders(document: Any, values: Mapping[str, str], target: Context | None) -> Any:
    """A copy of a parsed definition with `${Name}` placeholders filled: from `values` (`--sub`), and, with a
    `target`, those whose name says partition, region or account (`${AWS::Region}`) from it. Others stay."""

    def value_of(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in values:
            return values[name]
        plain = re.sub(r"[^a-z]", "", name.lower()).removeprefix("aws")
        if target is not None and plain in _WHERE:
            return str(getattr(target, _WHERE[plain]))
        return match.group(0)

    if isinstance(document, str):
        return _PLACEHOLDER.sub(value_of, document)
    if isinstance(document, Mapping):
        return {key: fill_placeholders(value, values, target) for key, value in document.items()}
    if isinstance(document, list):
        return [fill_placeholders(item, values, target) for item in document]
    return document


def placeholders_in(document: Any) -> list[str]:
    """The `${Name}` placeholders of a parsed document, in order, each once."""
    found: dict[str, None] = {}
    if isinstance(document, str):
        found.update((f"${{{m}}}", None) for m in _PLACEHOLDER.findall(document))
    elif isinstance(document, Mapping):
        for value in document.values():
            found.update((name, None) for name in placeholders_in(value))
    elif isinstance(document, list):
        for item in document:
            found.update((name, None) for name in placeholders_in(item))
    return list(found)


def derive_for_files(
    paths: Sequence[tuple[Any, str]],
    target: Context,
    *,
    names: Mapping[str, str],
    access: MachineAccess,
    resources: Mapping[str, tuple[str, ...]],
    lines: Mapping[str, Mapping[str, tuple[int, int]]],
    placeholders: bool | frozenset[str] = False,
    substitutions: Mapping[str, str] | None = None,
) -> DerivedPolicy:
    """Policy for already-parsed definitions: `paths` holds (data, display name) pairs, `names` each one's
    state machine name (for its own ARN), `lines` each one's pointer → (line, column) marks.

    `substitutions` fill `${Name}` placeholders first. With `placeholders` (True: any name, or the names
    allowed), those naming the partition, region or account are filled from `target`, and any other is taken as
    known only at deployment: scoped like a value from a path (`…/prefix*` or `…/*`). Without it, a placeholder
    left in a definition is an error.
    """
    from asl_gen.lint import validate_definition, validate_policy
    from asl_gen.render import Renderer

    problems: list[Problem] = []
    definitions: dict[str, Mapping[str, Any]] = {}
    machines: dict[str, MachineAccess] = {}
    for raw, source in paths:
        data = fill_placeholders(raw, substitutions or {}, target if placeholders is not False else None)
        left = placeholders_in(data)
        if left and placeholders is False:
            problems.append(
                Problem(
                    f"the definition holds placeholders filled at deployment ({', '.join(left[:5])})",
                    file=source,
                    pointer="$",
                    hint="give their values (--sub NAME=VALUE), or --placeholders to scope them like values "
                    "from a path",
                )
            )
            continue
        problems.extend(validate_definition(data, source=source, lines=lines.get(source), placeholders=placeholders))
        definitions[source] = data
        arn = f"arn:{target.partition}:states:{target.region}:{target.account}:stateMachine:{names[source]}"
        machines[source] = MachineAccess(arn, access.logging, access.tracing, access.kms_key)
    if problems:
        raise ValidationFailure(problems)
    try:
        statements = state_machine_statements(definitions, target, machines, resources)
    except ValidationFailure as failure:
        raise ValidationFailure([_locate(p, lines) for p in failure.problems]) from None
    if not statements:
        return DerivedPolicy(None, (), NO_STATEMENTS)
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
