"""The control-flow family: Parallel branches, Map bodies, and states the spec writes in ASL itself.

Imports: spec
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from asl_gen.plan.model import Goto, MapState, ParallelState, PassState, RawState, StatePlan
from asl_gen.spec import (
    MAP_ITEMS_STATE,
    AslJob,
    ItemsInput,
    MapJob,
    ParallelJob,
    derived_state_name,
    result_slot,
    state_name_of,
)

if TYPE_CHECKING:
    from asl_gen.plan.machine import MachineBuilder

# Raw states of these types go on to the next step when they name no Next and do not End.
_TRANSITIONING = ("Task", "Pass", "Wait", "Parallel", "Map")


def parallel(builder: MachineBuilder, key: str, job: ParallelJob) -> list[StatePlan]:
    """Each branch sees the state as it is; what the branches' steps produce is kept under $.<key>.<step>."""
    branches: list[tuple[StatePlan, ...]] = []
    selector: dict[str, str] = {}
    slot = result_slot(key)
    finished: set[str] = set()
    for index, branch in enumerate(job.branches):
        done, where = set(builder.done), dict(builder.where)
        branches.append(builder.nested(branch, done, where))
        finished |= done
        for inner, path in where.items():
            if inner in builder.where:
                continue
            head = path.split(".", 1)[0]
            selector[f"{head}.$"] = f"$[{index}].{head}"
            builder.where[inner] = f"{slot}.{path}"
    builder.done |= finished
    if not selector:
        builder.where.pop(key, None)
    return [
        ParallelState(
            name=state_name_of(key, job),
            comment=job.comment
            or f"Run {len(job.branches)} branches side by side: "
            + "; ".join(" -> ".join(branch) for branch in job.branches),
            branches=tuple(branches),
            result_selector=selector or None,
            result_path=f"$.{slot}" if selector else None,
        )
    ]


def map_each(builder: MachineBuilder, key: str, job: MapJob) -> list[StatePlan]:
    """An inline or distributed Map running the job's steps once per item (of an input list or a literal one)."""
    own = state_name_of(key, job)
    slot = result_slot(key)
    states: list[StatePlan] = []
    if isinstance(job.items, ItemsInput):
        builder.plain_inputs.setdefault(job.items.input, key)
        items_path = f"$.{job.items.input}"
    else:
        states.append(
            PassState(
                derived_state_name(own, MAP_ITEMS_STATE),
                f"The list map '{key}' goes through",
                None,
                f"$.{slot}",
                next=own,
                result={"Items": list(job.items)},
            )
        )
        items_path = f"$.{slot}.Items"
    # Each run starts from its item alone: the results of earlier steps are not in its state.
    outer, builder.in_map = builder.in_map, key
    try:
        processor = builder.nested(job.steps, set(), {})
    finally:
        builder.in_map = outer
    states.append(
        MapState(
            name=own,
            comment=job.comment
            or f"Run {' -> '.join(job.steps)} for each item"
            + (" as a child execution" if job.mode == "distributed" else "")
            + (f", {job.max_concurrency} at a time" if job.max_concurrency else ""),
            items_path=items_path,
            item_selector={"item.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index"},
            max_concurrency=job.max_concurrency,
            processor=processor,
            result_path=f"$.{slot}",
            # Children are Standard executions: they may run .sync jobs, as the steps of a map do.
            processor_config={"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
            if job.mode == "distributed"
            else {"Mode": "INLINE"},
            tolerated_failures=job.tolerated_failures,
        )
    )
    return states


def raw(builder: MachineBuilder, key: str, job: AslJob) -> list[StatePlan]:
    """The states as written; those that would stop the machine without Next or End go on to the next step."""
    return [
        RawState(name, body, Goto.NEXT_STEP, linked=True)
        if body.get("Type") in _TRANSITIONING and "Next" not in body and "End" not in body
        else RawState(name, body)
        for name, body in job.states.items()
    ]
