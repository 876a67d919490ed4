"""Run ASL definitions in-process with moto's Step Functions interpreter (the LocalStack-derived parser).

moto keeps two Step Functions backends: the default one only records executions, while the parser backend
(``moto.stepfunctions.parser``) really interprets the definition in a background thread. The switch is moto's
user config ``{"stepfunctions": {"execute_state_machine": True}}`` passed to ``mock_aws`` (read by
``moto.stepfunctions.responses.get_backend``); ``mock_aws`` patches it in for the duration of the context only.

What moto can and cannot run (moto 5.2, as found in its source):
* every state type, the JSONPath data flow, the context object, intrinsic functions, Retry and Catch;
* Task states only for integrations whose service moto itself mocks in-process (DynamoDB, SQS, SNS,
  ``aws-sdk:*``); a Lambda task needs docker, and the Step Functions Local mock config is stubbed out
  (``mocking.mock_config.load_mock_test_case_for`` always returns None);
* no JSONata: ``asl.jsonata.jsonata.eval_jsonata_expression`` needs a JVM bridge (jpype) that moto never
  sets up, so any JSONata state ends the run with an error;
* Wait states and Retry intervals sleep in real time, which is why :func:`run_definitions` starts every
  execution first and then collects them: the waits overlap instead of adding up.

boto3 is fine here: this module is test-only, nothing under ``asl_gen/`` may import it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
from moto import mock_aws

REGION = "us-east-1"
ROLE_ARN = "arn:aws:iam::123456789012:role/asl-gen-corpus"
EXECUTION_NAME = "corpus-run"
SFN_CONFIG: Any = {"stepfunctions": {"execute_state_machine": True}}


@dataclass(frozen=True)
class MotoRun:
    """How one execution ended in moto: ``status`` is SUCCEEDED, FAILED, TIMED_OUT, ABORTED, or INVALID
    (moto refused the definition; ``cause`` says why) or STUCK (still RUNNING when the timeout passed)."""

    status: str
    output: Any = None
    error: str | None = None
    cause: str | None = None
    seconds: float = 0.0


@contextmanager
def moto_step_functions() -> Iterator[Any]:
    """A boto3 Step Functions client talking to moto's executing backend, inside ``mock_aws``."""
    with mock_aws(config=SFN_CONFIG):
        yield boto3.client("stepfunctions", region_name=REGION)


def run_definitions(
    machines: Mapping[str, tuple[Mapping[str, Any], Any]],
    *,
    timeout: float = 60.0,
    execution_name: str = EXECUTION_NAME,
) -> dict[str, MotoRun]:
    """Run each ``name -> (definition, input)`` as its own state machine called ``name``; all start before any
    is awaited, so real-time waits overlap. Returns one :class:`MotoRun` per name."""
    results: dict[str, MotoRun] = {}
    with moto_step_functions() as client:
        started: dict[str, tuple[str, float]] = {}
        for name, (definition, execution_input) in machines.items():
            try:
                arn = client.create_state_machine(
                    name=name, definition=json.dumps(definition), roleArn=ROLE_ARN
                )["stateMachineArn"]
            except client.exceptions.ClientError as exc:
                results[name] = MotoRun(status="INVALID", cause=str(exc))
                continue
            begun = time.perf_counter()
            execution_arn = client.start_execution(
                stateMachineArn=arn, name=execution_name, input=json.dumps(execution_input)
            )["executionArn"]
            started[name] = (execution_arn, begun)
        deadline = time.monotonic() + timeout
        pending = dict(started)
        while pending:
            for name, (execution_arn, begun) in list(pending.items()):
                described = client.describe_execution(executionArn=execution_arn)
                if described["status"] == "RUNNING":
                    continue
                results[name] = _finished(described, time.perf_counter() - begun)
                del pending[name]
            if pending and time.monotonic() > deadline:
                for name, (execution_arn, begun) in pending.items():
                    # Stop it so its thread does not outlive the mock and reach for a real endpoint.
                    client.stop_execution(executionArn=execution_arn)
                    results[name] = MotoRun(status="STUCK", seconds=time.perf_counter() - begun)
                break
            time.sleep(0.01)
    return results


def run_definition(
    definition: Mapping[str, Any], execution_input: Any = None, *, machine_name: str = "corpus"
) -> MotoRun:
    """Run one definition in moto and wait for it to end."""
    return run_definitions({machine_name: (definition, {} if execution_input is None else execution_input)})[
        machine_name
    ]


def _finished(described: Mapping[str, Any], seconds: float) -> MotoRun:
    status = str(described["status"])
    output = json.loads(described["output"]) if "output" in described else None
    return MotoRun(
        status=status,
        output=output if status == "SUCCEEDED" else None,
        error=described.get("error"),
        cause=described.get("cause"),
        seconds=seconds,
    )
