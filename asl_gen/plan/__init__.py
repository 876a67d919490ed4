"""Turn a validated spec into the documents to render: the states of each state machine, wired together.

A step (one job of a state machine) contributes one or more states: a Task, or a Task with the Wait, Choice,
Pass, Fail and Succeed states that poll, branch and stop around it. A step's states name each other directly;
where a step hands over to whatever comes after it, it says `Goto.NEXT_STEP`, and `plan_project` links the
steps: the next step's first state, or the end of the machine. `model` holds what a plan is, `machine` walks
the steps, one module per job family lays out a step's states, `policy` adds retry and catch, `link` wires them.

Imports: catalog, placeholders, integrations, spec
"""

from __future__ import annotations

from asl_gen.plan.link import link
from asl_gen.plan.model import (
    Catcher,
    ChoiceRule,
    ChoiceState,
    FailState,
    Goto,
    InputField,
    MachinePlan,
    MapState,
    ParallelState,
    PassState,
    ProjectPlan,
    RawState,
    Retrier,
    StatePlan,
    StepPlan,
    StepRef,
    SucceedState,
    Target,
    TaskState,
    Transition,
    Value,
    WaitState,
)
from asl_gen.plan.processing import processing_image
from asl_gen.plan.project import plan_project
from asl_gen.plan.sagemaker_model import model_image
from asl_gen.plan.training import image_of

__all__ = [
    "Catcher",
    "ChoiceRule",
    "ChoiceState",
    "FailState",
    "Goto",
    "InputField",
    "MachinePlan",
    "MapState",
    "ParallelState",
    "PassState",
    "ProjectPlan",
    "RawState",
    "Retrier",
    "StatePlan",
    "StepPlan",
    "StepRef",
    "SucceedState",
    "Target",
    "TaskState",
    "Transition",
    "Value",
    "WaitState",
    "image_of",
    "link",
    "model_image",
    "plan_project",
    "processing_image",
]
