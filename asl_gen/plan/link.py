"""Linking: the steps' states in one list, every `Goto.NEXT_STEP` and `StepRef` replaced by a state's name.

Imports: spec
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from asl_gen.plan.model import (
    ChoiceState,
    Goto,
    MapState,
    ParallelState,
    PassState,
    RawState,
    StatePlan,
    StepPlan,
    StepRef,
    SucceedState,
    TaskState,
    Transition,
    WaitState,
)
from asl_gen.spec import GATE_DONE_STATE, derived_state_name


def link(steps: Sequence[StepPlan]) -> tuple[StatePlan, ...]:
    """The states of all steps in order, each `Goto.NEXT_STEP` replaced by the following step's first state.

    After the last step, Task, Pass and Wait states end the machine (`next=None`); a Choice rule or a Catch cannot
    end it, so they go to a Succeed state named '<step>: done' added for them. A `StepRef` becomes the first state
    of that step.
    """
    first = {step.key: step.states[0].name for step in steps if step.states}
    states: list[StatePlan] = []
    for index, step in enumerate(steps):
        following = steps[index + 1].states[0].name if index + 1 < len(steps) else None
        states.extend(_link_step(step, following, first))
    return tuple(states)


def _link_step(step: StepPlan, following: str | None, first: Mapping[str, str]) -> list[StatePlan]:
    done = derived_state_name(step.states[0].name, GATE_DONE_STATE)
    ends_in_done = False

    def target(transition: Transition) -> str:
        nonlocal ends_in_done
        if isinstance(transition, str):
            return transition
        if isinstance(transition, StepRef):
            return first[transition.key]
        if following is not None:
            return following
        ends_in_done = True
        return done

    def step_next(transition: Transition | None) -> str | None:
        if isinstance(transition, StepRef):
            return first[transition.key]
        return following if transition is Goto.NEXT_STEP else transition

    states: list[StatePlan] = []
    for state in step.states:
        if isinstance(state, TaskState | ParallelState | MapState):
            catch = tuple(replace(c, next=target(c.next)) for c in state.catch)
            states.append(replace(state, next=step_next(state.next), catch=catch))
        elif isinstance(state, WaitState | PassState):
            states.append(replace(state, next=step_next(state.next)))
        elif isinstance(state, RawState):
            states.append(replace(state, next=step_next(state.next)) if state.linked else state)
        elif isinstance(state, ChoiceState):
            rules = tuple(replace(rule, next=target(rule.next)) for rule in state.rules)
            default = target(state.default) if state.default is not None else None
            states.append(replace(state, rules=rules, default=default))
        else:
            states.append(state)
    if ends_in_done:
        states.append(SucceedState(done, f"The state machine ends here once step '{step.key}' is through"))
    return states


def transitions(state: StatePlan) -> set[str]:
    """The states a linked state may go to (a machine of raw Wait and Pass states may never fail)."""
    if isinstance(state, RawState):
        body = state.body
        found = {body.get("Next"), body.get("Default"), state.next}
        found |= {rule.get("Next") for rule in body.get("Choices") or [] if isinstance(rule, dict)}
        found |= {c.get("Next") for c in body.get("Catch") or [] if isinstance(c, dict)}
        return {str(name) for name in found if isinstance(name, str)}
    found = {getattr(state, "next", None), getattr(state, "default", None)}
    found |= {c.next for c in getattr(state, "catch", ())}
    found |= {rule.next for rule in getattr(state, "rules", ())}
    return {name for name in found if isinstance(name, str)}
