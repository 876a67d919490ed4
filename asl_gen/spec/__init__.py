"""The spec stage: strict Pydantic models of the user's file, and the loader that locates every error.

It owns the models (`project` for the project level, one module per job family, `step` for the fields every
step shares), the rewriting of validation errors into located problems (`problems`), the checks that relate
several parts of a spec (`references`; `paths`: what the state holds before each step; `shapes`: SageMaker
calls against the API's request shape), which jobs the state machines run and the warnings about the others
(`usage`), the names of the states the steps become (`names`), and the JSON Schema of the spec (`schema`).
Other stages import what they use from here.

Imports: errors, resources, loader, catalog, catalog_processing, integrations, jsonata
"""

from __future__ import annotations

from asl_gen.spec.base import (
    ECR_IMAGE,
    KEY,
    KMS_KEY_ARN,
    S3_URI,
    SAGEMAKER_NAME,
    SAGEMAKER_NAME_CHARS,
    Name,
    Vpc,
    is_s3_uri,
)
from asl_gen.spec.call import CallJob, call_inputs
from asl_gen.spec.control import GATE_OPERATORS, AslJob, ItemsInput, MapJob, ParallelJob, QualityGateJob
from asl_gen.spec.dataflow import ReportLocation, S3Location
from asl_gen.spec.endpoint import EndpointConfigJob, EndpointJob, EndpointWait
from asl_gen.spec.jobs import JOB_TYPES, Job, data_locations, data_references, model_references
from asl_gen.spec.labeling import LabelingJob, price_parts
from asl_gen.spec.load import load_spec
from asl_gen.spec.locations import located_uri, per_execution_output, processing_output_uri, report_object
from asl_gen.spec.model import ModelJob, ModelPackageJob
from asl_gen.spec.names import (
    ERROR_SLOT,
    FAILED_STATE,
    GATE_DONE_STATE,
    GATE_STATES,
    MAP_ITEMS_STATE,
    NOTIFY_STATE,
    REPORT_GATE_STATES,
    TRANSIENT_STATES,
    TUNING_GATE_STATES,
    TUNING_STATES,
    default_name,
    derived_state_name,
    lookup_state_name,
    result_slot,
    retries_transient,
    state_name_of,
    step_state_names,
)
from asl_gen.spec.policies import CatchRule, RetryRule
from asl_gen.spec.processing import FrameworkImage, ProcessingInput, ProcessingJob, ProcessingOutput
from asl_gen.spec.project import Spec, StateMachine, scopes
from asl_gen.spec.training import TrainingDefinition, TrainingJob, hyperparameter_text
from asl_gen.spec.transform import DataLocation, TransformJob
from asl_gen.spec.tuning import Range, TuningJob
from asl_gen.spec.usage import running_jobs, spec_warnings, used_jobs

__all__ = [
    "ECR_IMAGE",
    "ERROR_SLOT",
    "FAILED_STATE",
    "GATE_DONE_STATE",
    "GATE_OPERATORS",
    "GATE_STATES",
    "JOB_TYPES",
    "KEY",
    "KMS_KEY_ARN",
    "MAP_ITEMS_STATE",
    "NOTIFY_STATE",
    "REPORT_GATE_STATES",
    "S3_URI",
    "SAGEMAKER_NAME",
    "SAGEMAKER_NAME_CHARS",
    "TRANSIENT_STATES",
    "TUNING_GATE_STATES",
    "TUNING_STATES",
    "AslJob",
    "CallJob",
    "CatchRule",
    "DataLocation",
    "EndpointConfigJob",
    "EndpointJob",
    "EndpointWait",
    "FrameworkImage",
    "ItemsInput",
    "Job",
    "LabelingJob",
    "MapJob",
    "ModelJob",
    "ModelPackageJob",
    "Name",
    "ParallelJob",
    "ProcessingInput",
    "ProcessingJob",
    "ProcessingOutput",
    "QualityGateJob",
    "Range",
    "ReportLocation",
    "RetryRule",
    "S3Location",
    "Spec",
    "StateMachine",
    "TrainingDefinition",
    "TrainingJob",
    "TransformJob",
    "TuningJob",
    "Vpc",
    "call_inputs",
    "data_locations",
    "data_references",
    "default_name",
    "derived_state_name",
    "hyperparameter_text",
    "is_s3_uri",
    "load_spec",
    "located_uri",
    "lookup_state_name",
    "model_references",
    "per_execution_output",
    "price_parts",
    "processing_output_uri",
    "report_object",
    "result_slot",
    "retries_transient",
    "running_jobs",
    "scopes",
    "spec_warnings",
    "state_name_of",
    "step_state_names",
    "used_jobs",
]
