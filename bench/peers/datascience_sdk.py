"""The big-mart pipeline with the AWS Step Functions Data Science SDK, printed as ASL (run by bench/run.py --peers).

Runs in its own virtual environment (stepfunctions 2.3.0, sagemaker<3). It must not reach AWS: credentials and
region are fake, instance metadata and telemetry are off, and every socket connection is refused (and counted) so
a network call would show up instead of silently timing out.
"""

from __future__ import annotations

import os
import socket
import sys

os.environ.update(
    {
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "AWS_EC2_METADATA_DISABLED": "true",
        "SAGEMAKER_SUPPRESS_V2_WARNING": "1",
    }
)
attempts: list[object] = []


def _refuse(self: socket.socket, address: object) -> None:
    attempts.append(address)
    raise OSError(f"bench: network access refused ({address})")


socket.socket.connect = _refuse  # type: ignore[method-assign]

import sagemaker  # noqa: E402
from sagemaker.estimator import Estimator  # noqa: E402
from sagemaker.inputs import TrainingInput  # noqa: E402
from stepfunctions.inputs import ExecutionInput  # noqa: E402
from stepfunctions.steps import Chain, EndpointConfigStep, EndpointStep, ModelStep, TrainingStep  # noqa: E402
from stepfunctions.workflow import Workflow  # noqa: E402

try:  # sagemaker >= 2.200 reports some calls to AWS; nothing may leave this process
    from sagemaker.telemetry import telemetry_logging

    telemetry_logging._send_telemetry_request = lambda *args, **kwargs: None
except ImportError:  # pragma: no cover - older sagemaker
    pass

BUCKET = "s3://slytherins-test/sagemaker/big-mart-pipeline"
SAGEMAKER_ROLE = "arn:aws:iam::123456789012:role/big-mart-sagemaker"

session = sagemaker.Session()
session.default_bucket = lambda: "slytherins-test"  # type: ignore[method-assign]
execution_input = ExecutionInput(schema={"TrainingJobName": str, "ModelName": str, "EndpointName": str})
estimator = Estimator(
    image_uri=sagemaker.image_uris.retrieve("xgboost", "us-east-1", "1.7-1"),
    role=SAGEMAKER_ROLE,
    instance_count=1,
    instance_type="ml.m5.xlarge",
    volume_size=30,
    max_run=3600,
    output_path=f"{BUCKET}/output",
    sagemaker_session=session,
    hyperparameters={"objective": "reg:squarederror", "num_round": 100, "max_depth": 5, "eta": 0.2, "subsample": 0.7},
)
training = TrainingStep(
    "Training Step",
    estimator=estimator,
    data={
        "train": TrainingInput(f"{BUCKET}/train", content_type="text/csv"),
        "validation": TrainingInput(f"{BUCKET}/validation", content_type="text/csv"),
    },
    job_name=execution_input["TrainingJobName"],
    wait_for_completion=True,
)
model = ModelStep("Save Model", model=training.get_expected_model(), model_name=execution_input["ModelName"])
endpoint_config = EndpointConfigStep(
    "Create Endpoint Config",
    endpoint_config_name=execution_input["ModelName"],
    model_name=execution_input["ModelName"],
    initial_instance_count=1,
    instance_type="ml.m5.large",
)
endpoint = EndpointStep(
    "Create Endpoint", endpoint_name=execution_input["EndpointName"], endpoint_config_name=execution_input["ModelName"]
)
workflow = Workflow(
    name="big-mart-pipeline",
    definition=Chain([training, model, endpoint_config, endpoint]),
    role="arn:aws:iam::123456789012:role/big-mart-step-functions",
    execution_input=execution_input,
)
print(workflow.definition.to_json(pretty=True))
if attempts:
    sys.exit(f"bench: the Data Science SDK tried to reach the network: {attempts}")
