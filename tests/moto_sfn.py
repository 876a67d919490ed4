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
* Wait states and Retry intervals sleep in real time (keep them at a second or less);
* executions must run one at a time (see :func:`run_definitions`).

boto3 is fine here: this module is test-only, nothing under ``asl_gen/`` may import it.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any
from unittest.mock import patch

import boto3
from moto import mock_aws

REGION = "us-east-1"
ROLE_ARN = "arn:aws:iam::123456789012:role/asl-gen-corpus"
EXECUTION_NAME = "corpus-run"
SFN_CONFIG: Any = {"stepfunctions": {"execute_state_machine": True}}


class NotJson(str):
    """An execution output that is not JSON text: moto writes an output that is a JSON string without its
    quotes (``after`` for ``"after"``), so such text is taken as that string. A string of digits cannot be
    told from a number this way; it reads back as the number."""


@dataclass(frozen=True)
class MotoRun:
    """How one execution ended in moto: ``status`` is SUCCEEDED, FAILED, TIMED_OUT, ABORTED, or INVALID
    (moto refused the definition; ``cause`` says why) or STUCK (still RUNNING when the timeout passed)."""

    status: str
    output: Any = None
    error: str | None = None
    cause: str | None = None
    seconds: float = 0.0
    # The names of the states entered, in history order (nested ones included), and the task invocations
    # (retries included), from the execution's history.
    entered: tuple[str, ...] = ()
    task_attempts: int = 0


@contextmanager
def moto_step_functions() -> Iterator[Any]:
    """A boto3 Step Functions client talking to moto's executing backend, inside ``mock_aws``."""
    with mock_aws(config=SFN_CONFIG), _cached_jsonpath_parsing():
        yield boto3.client("stepfunctions", region_name=REGION)


@contextmanager
def _cached_jsonpath_parsing() -> Iterator[None]:
    """Parse each JSONPath once, with one parser, while moto runs: a speed-up only, the paths behave the same.

    moto's interpreter calls ``jsonpath_ng``'s ``parse`` for every path it evaluates, and each call creates a
    parser that builds its LALR tables again (about 0.15 s): moto took about 0.5 s a case. The shared
    parser is locked because Parallel branches and Map iterations run in threads.
    """
    from jsonpath_ng.ext.parser import ExtendedJsonPathParser
    from jsonpath_ng.parser import JsonPathParser
    from moto.stepfunctions.parser.asl.component.common.path import result_path
    from moto.stepfunctions.parser.asl.utils import json_path

    with ExitStack() as stack:
        for module, parser_class in ((result_path, JsonPathParser), (json_path, ExtendedJsonPathParser)):
            stack.enter_context(patch.object(module, "parse", _shared_parse(parser_class())))
        yield


def _shared_parse(parser: Any) -> Any:
    lock = threading.Lock()

    @functools.cache
    def parse(path: str) -> Any:
        with lock:
            return parser.parse(path)

    return parse


def run_definitions(
    machines: Mapping[str, tuple[Mapping[str, Any], Any]],
    *,
    timeout: float = 30.0,
    execution_name: str = EXECUTION_NAME,
) -> dict[str, MotoRun]:
    """Run each ``name -> (definition, input)`` as its own state machine called ``name``, one after another,
    and return one :class:`MotoRun` per name.

    One at a time, each machine deleted once its run ends, because moto's ``start_execution`` deep-copies the
    state machine, which holds a reference to the whole backend: any other machine's execution in it, running
    or finished, holds a lock the copy fails on.
    """
    results: dict[str, MotoRun] = {}
    with moto_step_functions() as client:
        for name, (definition, execution_input) in machines.items():
            results[name] = run_machine(
                client, name, definition, execution_input, timeout=timeout, execution_name=execution_name
            )
    return results


def run_machine(
    client: Any,
    name: str,
    definition: Mapping[str, Any],
    execution_input: Any,
    *,
    timeout: float = 30.0,
    execution_name: str = EXECUTION_NAME,
) -> MotoRun:
    """Create the state machine ``name``, run it once with a client from :func:`moto_step_functions`, wait for
    the end and delete it (so the next run can start, see :func:`run_definitions`)."""
    try:
        arn = client.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE_ARN)[
            "stateMachineArn"
        ]
    except client.exceptions.ClientError as exc:
        return MotoRun(status="INVALID", cause=str(exc))
    begun = time.perf_counter()
    try:
        execution_arn = client.start_execution(
            stateMachineArn=arn, name=execution_name, input=json.dumps(execution_input)
        )["executionArn"]
    except Exception as exc:  # moto raises plain Python errors (not ClientError) from its own bugs
        return MotoRun(status="INVALID", cause=f"start_execution: {exc!r}")
    try:
        return _await(client, execution_arn, begun, timeout)
    finally:
        # A finished execution still holds locks that the next start_execution's deep copy would trip on.
        client.delete_state_machine(stateMachineArn=arn)


def _await(client: Any, execution_arn: str, begun: float, timeout: float) -> MotoRun:
    deadline = time.monotonic() + timeout
    while True:
        described = client.describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING":
            run = _finished(described, time.perf_counter() - begun)
            entered, attempts = _history(client, execution_arn)
            return dataclasses.replace(run, entered=entered, task_attempts=attempts)
        if time.monotonic() > deadline:
            # Stop it so its thread does not outlive the mock and reach for a real endpoint.
            client.stop_execution(executionArn=execution_arn)
            return MotoRun(status="STUCK", seconds=time.perf_counter() - begun)
        time.sleep(0.01)


def run_definition(
    definition: Mapping[str, Any], execution_input: Any = None, *, machine_name: str = "corpus"
) -> MotoRun:
    """Run one definition in moto and wait for it to end."""
    return run_definitions({machine_name: (definition, {} if execution_input is None else execution_input)})[
        machine_name
    ]


def _history(client: Any, execution_arn: str) -> tuple[tuple[str, ...], int]:
    entered: list[str] = []
    attempts = 0
    for page in client.get_paginator("get_execution_history").paginate(executionArn=execution_arn):
        for event in page["events"]:
            if event["type"].endswith("StateEntered"):
                entered.append(event["stateEnteredEventDetails"]["name"])
            elif event["type"] == "TaskScheduled":
                attempts += 1
    return tuple(entered), attempts


def _finished(described: Mapping[str, Any], seconds: float) -> MotoRun:
    status = str(described["status"])
    output = None
    if status == "SUCCEEDED":
        raw = described.get("output", "")
        try:
            output = json.loads(raw)
        except json.JSONDecodeError:
            output = NotJson(raw)
    return MotoRun(
        status=status,
        output=output,
        error=described.get("error"),
        cause=described.get("cause"),
        seconds=seconds,
    )
