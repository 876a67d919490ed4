"""What the steps of a state machine have in common, declared once.

`Step` holds the fields of every step asl-gen turns into states (its state's name and Comment, its retry and
catch); `NamedStep` adds what the SageMaker resources asl-gen creates also take (their name and their tags).
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import ConfigDict, Field

from asl_gen.spec.base import NAME_DESCRIPTION, TAGS_DESCRIPTION, Comment, Name, StateName, StrictModel, Tags
from asl_gen.spec.policies import CatchPolicy, RetryPolicy


def _step_examples(schema: dict[str, Any], model: type[Any]) -> None:
    # One declaration of state_name, but each kind of step shows an example of its own in the schema; the example
    # of its type is the kind's own literal, so each kind writes it once.
    properties = schema["properties"]
    properties["state_name"]["examples"] = [model.state_name_example]
    properties["type"]["examples"] = [properties["type"]["const"]]


class Step(StrictModel):
    """A job that runs as one or more states: the fields every such job has."""

    model_config = ConfigDict(**StrictModel.model_config, json_schema_extra=_step_examples)
    state_name_example: ClassVar[str] = "Training Step"

    # Each kind of step narrows this to its own literal (the jobs' discriminator); declared here so that it
    # stays the first field, in the schema and in error messages.
    type: str
    state_name: StateName | None = Field(
        None, description="The state's name in the state machine (default: the job key)", examples=[state_name_example]
    )
    comment: Comment | None = Field(
        None, description="The state's Comment (default: a sentence saying what the step does)", examples=["Nightly"]
    )
    retry: RetryPolicy = None
    catch: CatchPolicy = None


class NamedStep(Step):
    """A step that creates a SageMaker resource: asl-gen names it and SageMaker tags it."""

    name: Name | None = Field(None, description=NAME_DESCRIPTION, examples=[{"input": "ModelName"}])
    tags: Tags = Field({}, description=TAGS_DESCRIPTION, examples=[{"team": "forecasting"}])
