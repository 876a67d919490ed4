"""The spec's checks of state names (length, collisions) work on the names `machine_state_names` predicts before
anything is planned; every state the plan then makes must be among them, or a check would miss it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from asl_gen.plan.model import MapState, ParallelState, StatePlan
from asl_gen.plan.project import plan_project
from asl_gen.spec import FAILED_STATE, NOTIFY_STATE, load_spec
from asl_gen.spec.names import machine_state_names

ROOT = Path(__file__).parent.parent
SPECS = sorted([*ROOT.glob("tests/cases/*/spec.yaml"), *ROOT.glob("examples/*/spec.yaml")])


def _names(states: Sequence[StatePlan]) -> Iterator[str]:
    for state in states:
        yield state.name
        if isinstance(state, ParallelState):
            for branch in state.branches:
                yield from _names(branch)
        if isinstance(state, MapState):
            yield from _names(state.processor)


@pytest.mark.parametrize("path", SPECS, ids=[p.parent.name for p in SPECS])
def test_every_planned_state_name_is_one_the_spec_checks_predicted(path: Path) -> None:
    spec = load_spec(path)[0]
    planned = 0
    for machine in plan_project(spec).machines:
        declared = spec.state_machines[machine.key]
        predicted = {*machine_state_names(spec, declared, list(declared.steps)), NOTIFY_STATE, FAILED_STATE}
        names = list(_names(machine.states))
        planned += len(names)
        assert set(names) <= predicted, f"{machine.key}: {sorted(set(names) - predicted)}"
    assert planned > 0
