"""Runs an ASL definition against mocked tasks on a virtual clock, the way Step Functions would run it."""

from __future__ import annotations

import csv
import heapq
import io
import json
import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from asl_gen.errors import Problem, UsageError, ValidationFailure, pointer_of
from asl_gen.simulate import intrinsics, jsonpath
from asl_gen.simulate.clock import Clock, iso, parse_timestamp, seconds_until
from asl_gen.simulate.mocks import MockSet
from asl_gen.simulate.result import Call, SimulationResult, Step

MAX_PAYLOAD_BYTES = 256 * 1024
MAX_TRANSITIONS = 25_000
_INLINE_MAP_CONCURRENCY = 40
_DISTRIBUTED_MAP_CONCURRENCY = 10_000
_JSONATA = re.compile(r"\A\s*\{%(.*)%\}\s*\Z", re.DOTALL)
# Errors no wildcard catches: Step Functions lets them end the execution (DataLimitExceeded only by its own name).
_UNCATCHABLE = frozenset({"States.Runtime"})
_NOT_WILDCARD = frozenset({"States.Runtime", "States.DataLimitExceeded"})
_ACCOUNT = "123456789012"
_REGION = "us-east-1"


class StatesError(Exception):
    """A runtime error of the simulated execution, named as Step Functions names it."""

    def __init__(self, error: str, cause: str | None = None) -> None:
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause


class _TimedOut(Exception):
    """The execution ran past the definition's TimeoutSeconds."""


@dataclass
class _Frame:
    """The variables one scope assigns; inner scopes read outer ones through `parent`."""

    values: dict[str, Any] = field(default_factory=dict)
    parent: _Frame | None = None

    def visible(self) -> dict[str, Any]:
        if self.parent is None:
            return self.values
        return {**self.parent.visible(), **self.values}


def _size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def _compact(value: Any) -> str:
    return intrinsics.compact(value)


def error_matches(names: list[str], error: str) -> bool:
    """Whether a retrier's or catcher's ErrorEquals covers `error`, wildcards' exceptions included."""
    if error in _UNCATCHABLE:
        return False
    if error in names:
        return True
    if error in _NOT_WILDCARD:
        return False
    if "States.ALL" in names:
        return True
    return "States.TaskFailed" in names and error != "States.Timeout"


class Interpreter:
    """One simulated execution. Not reusable: create one per run."""

    def __init__(
        self,
        definition: dict[str, Any],
        mocks: MockSet,
        *,
        seed: int = 0,
        machine_name: str = "simulated",
        execution_name: str = "simulation",
    ) -> None:
        if not isinstance(definition, dict) or not isinstance(definition.get("States"), dict):
            raise ValidationFailure(Problem("not a state machine: no States object", pointer="$.States"))
        self.definition = definition
        self.language = definition.get("QueryLanguage", "JSONPath")
        self.mocks = mocks
        self.rng = random.Random(seed)
        self.machine_name = machine_name
        self.execution_name = execution_name
        self.path: list[str] = []
        self.calls: list[Call] = []
        # One slot per state entered, filled when it leaves: nested states then stay in the order they were entered.
        self.trace: list[Step | None] = []
        self.invocations: Counter[str] = Counter()
        self.transitions = 0
        self.input: Any = None
        timeout = definition.get("TimeoutSeconds")
        self.deadline: float | None = float(timeout) if isinstance(timeout, (int, float)) else None
        self._compiled: dict[str, Any] = {}

    # ---- the run ---------------------------------------------------------------------------------------------

    def run(self, execution_input: Any) -> SimulationResult:
        if _size(execution_input) > MAX_PAYLOAD_BYTES:
            raise UsageError(Problem(f"the input is larger than {MAX_PAYLOAD_BYTES} bytes, the Step Functions limit"))
        self.input = execution_input
        clock = Clock()
        status, output, error, cause = "SUCCEEDED", None, None, None
        try:
            output = self._run_states(self.definition, execution_input, _Frame(), clock, ("States",))
        except StatesError as exc:
            status, error, cause = "FAILED", exc.error or None, exc.cause
        except _TimedOut:
            status, error = "TIMED_OUT", "States.Timeout"
            cause = f"The execution ran longer than its TimeoutSeconds ({self.deadline:g} s)"
            clock.now = self.deadline or clock.now
        elapsed = clock.now if self.deadline is None else min(clock.now, self.deadline)
        return SimulationResult(
            status=status,
            output=output,
            error=error,
            cause=cause,
            path=list(self.path),
            calls=list(self.calls),
            elapsed_seconds=elapsed,
            trace=[step for step in self.trace if step is not None],
        )

    def _run_states(
        self, root: dict[str, Any], data: Any, frame: _Frame, clock: Clock, where: tuple[str | int, ...]
    ) -> Any:
        states = root.get("States")
        name = root.get("StartAt")
        if not isinstance(states, dict):
            raise ValidationFailure(Problem("States must be an object", pointer=pointer_of(where)))
        while True:
            state = states.get(name) if isinstance(name, str) else None
            if not isinstance(name, str) or not isinstance(state, dict):
                raise ValidationFailure(
                    Problem(f"no state named {name!r} to go to", pointer=pointer_of(where), hint="fix StartAt/Next")
                )
            self.transitions += 1
            if self.transitions > MAX_TRANSITIONS:
                raise StatesError(
                    "States.Runtime", f"more than {MAX_TRANSITIONS} state transitions: a loop that never ends?"
                )
            self.path.append(name)
            slot = len(self.trace)
            self.trace.append(None)
            entered = clock.now
            try:
                output, following = self._state(name, state, data, frame, clock, (*where, name))
            except StatesError as exc:
                self.trace[slot] = Step(name, data, None, entered, clock.now, exc.error)
                raise
            except (KeyError, TypeError, AttributeError, ValueError) as exc:
                # A definition the validator would reject (a string where a list belongs...) must not end in a
                # traceback: name the state and send the user to the validator.
                raise ValidationFailure(
                    Problem(
                        f"state {name!r} cannot run: {type(exc).__name__}: {exc}",
                        pointer=pointer_of((*where, name)),
                        hint="check the definition with asl-gen validate",
                    )
                ) from None
            self.trace[slot] = Step(name, data, output, entered, clock.now)
            if self.deadline is not None and clock.now > self.deadline:
                raise _TimedOut()
            if following is None:
                return output
            data, name = output, following

    def _jsonata_state(self, state: dict[str, Any]) -> bool:
        return state.get("QueryLanguage", self.language) == "JSONata"

    def _context(self, name: str, clock: Clock, retry: int = 0, **extra: Any) -> dict[str, Any]:
        machine_arn = f"arn:aws:states:{_REGION}:{_ACCOUNT}:stateMachine:{self.machine_name}"
        context: dict[str, Any] = {
            "Execution": {
                "Id": f"arn:aws:states:{_REGION}:{_ACCOUNT}:execution:{self.machine_name}:{self.execution_name}",
                "Input": self.input,
                "Name": self.execution_name,
                "RoleArn": f"arn:aws:iam::{_ACCOUNT}:role/{self.machine_name}-role",
                "StartTime": iso(0),
                "RedriveCount": 0,
            },
            "State": {"EnteredTime": clock.iso(), "Name": name, "RetryCount": retry},
            "StateMachine": {"Id": machine_arn, "Name": self.machine_name},
        }
        context.update(extra)
        return context

    def _state(
        self, name: str, state: dict[str, Any], raw: Any, frame: _Frame, clock: Clock, where: tuple[str | int, ...]
    ) -> tuple[Any, str | None]:
        kind = state.get("Type")
        handler: Callable[..., tuple[Any, dict[str, Any], str | None]] | None = {
            "Task": self._task,
            "Pass": self._pass,
            "Choice": self._choice,
            "Wait": self._wait,
            "Succeed": self._succeed,
            "Fail": self._fail,
            "Parallel": self._parallel,
            "Map": self._map,
        }.get(str(kind))
        if handler is None:
            raise ValidationFailure(Problem(f"unknown state Type {kind!r}", pointer=pointer_of((*where, "Type"))))
        try:
            output, assigned, following = handler(name, state, raw, frame, clock, where)
        except StatesError as exc:
            caught = self._catch(name, state, raw, frame, clock, exc)
            if caught is None:
                raise
            output, assigned, following = caught
        frame.values.update(assigned)
        if _size(output) > MAX_PAYLOAD_BYTES:
            raise StatesError(
                "States.DataLimitExceeded",
                f"The state '{name}' produced an output larger than {MAX_PAYLOAD_BYTES} bytes, the service limit.",
            )
        return output, following

    @staticmethod
    def _next(state: dict[str, Any]) -> str | None:
        return None if state.get("End") is True else state.get("Next")

    # ---- evaluation helpers ----------------------------------------------------------------------------------

    def _select(self, path: str, data: Any, context: Any, frame: _Frame, name: str, field_name: str) -> Any:
        try:
            return jsonpath.select(path, data, context, frame.visible())
        except jsonpath.PathError as exc:
            raise StatesError(
                "States.Runtime",
                f"An error occurred while executing the state '{name}'. The JSONPath '{path}' specified for the "
                f"field '{field_name}' could not be found in the input '{_compact(data)}' ({exc})",
            ) from None

    def _dynamic(self, expression: Any, data: Any, context: Any, frame: _Frame, name: str, field_name: str) -> Any:
        if not isinstance(expression, str):
            raise StatesError("States.Runtime", f"state '{name}': the value of '{field_name}' must be a path string")
        if intrinsics.is_intrinsic(expression):
            try:
                return intrinsics.evaluate(
                    expression,
                    lambda path: jsonpath.select(path, data, context, frame.visible()),
                    self.rng,
                )
            except intrinsics.IntrinsicError as exc:
                raise StatesError(exc.error, f"state '{name}', field '{field_name}': {exc}") from None
        return self._select(expression, data, context, frame, name, field_name)

    def _payload(self, template: Any, data: Any, context: Any, frame: _Frame, name: str, field_name: str) -> Any:
        """Parameters, ResultSelector, ItemSelector, Assign: `key.$` values are paths or intrinsics."""
        if isinstance(template, dict):
            out: dict[str, Any] = {}
            for key, value in template.items():
                if key.endswith(".$"):
                    out[key[:-2]] = self._dynamic(value, data, context, frame, name, f"{field_name}.{key}")
                else:
                    out[key] = self._payload(value, data, context, frame, name, f"{field_name}.{key}")
            return out
        if isinstance(template, list):
            return [self._payload(v, data, context, frame, name, field_name) for v in template]
        return template

    def _path_field(self, state: dict[str, Any], key: str, data: Any, context: Any, frame: _Frame, name: str) -> Any:
        """InputPath/OutputPath: absent means `$`, null means `{}`."""
        if key not in state:
            return data
        path = state[key]
        if path is None:
            return {}
        return self._select(path, data, context, frame, name, key)

    def _result_path(self, path: Any, raw: Any, result: Any, name: str) -> Any:
        if path is None:
            return raw
        try:
            return jsonpath.assign(path, raw, result)
        except jsonpath.PathError as exc:
            raise StatesError(
                "States.ResultPathMatchFailure",
                f"State '{name}': unable to apply ResultPath '{path}' to the input '{_compact(raw)}' ({exc})",
            ) from None

    def _jsonata(self, text: str, states: dict[str, Any], frame: _Frame, name: str, field_name: str) -> Any:
        match = _JSONATA.match(text)
        if not match:
            return text
        expression = match.group(1)
        compiled = self._compiled.get(expression)
        if compiled is None:
            compiled = self._compile(expression, name, field_name)
            self._compiled[expression] = compiled
        try:
            result = compiled.evaluate(None, {**frame.visible(), "states": states})
        except Exception as exc:
            raise StatesError(
                "States.QueryEvaluationError", f"state '{name}', field '{field_name}': {exc}".strip()
            ) from None
        if result is None:
            # AWS fails the state (catchably) rather than dropping the field or making it null.
            raise StatesError(
                "States.QueryEvaluationError",
                f"An error occurred while executing the state '{name}'. The JSONata expression '{expression}' "
                f"specified for the field '{field_name}' returned nothing (undefined).",
            )
        from asl_gen.simulate.jsonata_runtime import to_json

        return to_json(result)

    def _compile(self, expression: str, name: str, field_name: str) -> Any:
        from asl_gen.simulate.jsonata_runtime import compile_expression

        return compile_expression(expression, self.rng, name, field_name)

    def _template(self, value: Any, states: dict[str, Any], frame: _Frame, name: str, field_name: str) -> Any:
        """A JSONata field: `{% %}` strings anywhere inside are evaluated, everything else is literal."""
        if isinstance(value, str):
            return self._jsonata(value, states, frame, name, field_name)
        # Nested fields are named as AWS names them in its errors: Output/key, Arguments/list[0].
        if isinstance(value, dict):
            return {k: self._template(v, states, frame, name, f"{field_name}/{k}") for k, v in value.items()}
        if isinstance(value, list):
            return [self._template(v, states, frame, name, f"{field_name}[{i}]") for i, v in enumerate(value)]
        return value

    def _assign_jsonpath(self, assign: Any, data: Any, context: Any, frame: _Frame, name: str) -> dict[str, Any]:
        if assign is None:
            return {}
        values = self._payload(assign, data, context, frame, name, "Assign")
        return dict(values) if isinstance(values, dict) else {}

    def _jsonata_finish(
        self, state: dict[str, Any], states: dict[str, Any], default: Any, frame: _Frame, name: str
    ) -> tuple[Any, dict[str, Any]]:
        """Output and Assign of a JSONata state, both against the values on entry."""
        output = self._template(state["Output"], states, frame, name, "Output") if "Output" in state else default
        assigned = self._template(state.get("Assign", {}), states, frame, name, "Assign")
        return output, dict(assigned) if isinstance(assigned, dict) else {}

    def _number(self, value: Any, name: str, field_name: str, *, positive: bool = False) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < (1 if positive else 0):
            raise StatesError(
                "States.Runtime",
                f"state '{name}': {field_name} must be a {'positive' if positive else 'non-negative'} number, "
                f"got {_compact(value)}",
            )
        return float(value)

    def _seconds_field(
        self,
        state: dict[str, Any],
        key: str,
        data: Any,
        context: Any,
        frame: _Frame,
        name: str,
        states: dict[str, Any] | None,
    ) -> float | None:
        """TimeoutSeconds, HeartbeatSeconds, Seconds and their *Path twins (JSONata: `{% %}` in the base field)."""
        if key in state:
            value = state[key]
            if states is not None and isinstance(value, str):
                value = self._jsonata(value, states, frame, name, key)
            return self._number(value, name, key)
        if f"{key}Path" in state:
            value = self._select(state[f"{key}Path"], data, context, frame, name, f"{key}Path")
            return self._number(value, name, f"{key}Path")
        return None

    # ---- Retry and Catch ---------------------------------------------------------------------------------------

    def _with_retry(self, name: str, state: dict[str, Any], clock: Clock, attempt: Callable[[int], Any]) -> Any:
        retriers = state.get("Retry") or []
        used = [0] * len(retriers)
        retry = 0
        while True:
            try:
                return attempt(retry)
            except StatesError as exc:
                for index, retrier in enumerate(retriers):
                    if not error_matches(list(retrier.get("ErrorEquals", [])), exc.error):
                        continue
                    # The first retrier that names the error decides, even when it has no attempts left.
                    if used[index] >= int(retrier.get("MaxAttempts", 3)):
                        raise
                    delay = (
                        float(retrier.get("IntervalSeconds", 1)) * float(retrier.get("BackoffRate", 2.0)) ** used[index]
                    )
                    if "MaxDelaySeconds" in retrier:
                        delay = min(delay, float(retrier["MaxDelaySeconds"]))
                    if retrier.get("JitterStrategy") == "FULL":
                        delay = self.rng.uniform(0, delay)
                    used[index] += 1
                    retry += 1
                    clock.advance(delay)
                    if self.deadline is not None and clock.now > self.deadline:
                        raise _TimedOut() from None
                    break
                else:
                    raise

    def _catch(
        self, name: str, state: dict[str, Any], raw: Any, frame: _Frame, clock: Clock, exc: StatesError
    ) -> tuple[Any, dict[str, Any], str | None] | None:
        if state.get("Type") not in ("Task", "Parallel", "Map"):
            return None
        for catcher in state.get("Catch") or []:
            if not error_matches(list(catcher.get("ErrorEquals", [])), exc.error):
                continue
            error_output = {"Error": exc.error, "Cause": exc.cause}
            if self._jsonata_state(state):
                states = {"input": raw, "errorOutput": error_output, "context": self._context(name, clock)}
                output, assigned = self._jsonata_finish(catcher, states, error_output, frame, name)
            else:
                context = self._context(name, clock)
                assigned = self._assign_jsonpath(catcher.get("Assign"), error_output, context, frame, name)
                output = self._result_path(catcher.get("ResultPath", "$"), raw, error_output, name)
            return output, assigned, catcher.get("Next")
        return None

    # ---- the state types ---------------------------------------------------------------------------------------

    def _task(
        self, name: str, state: dict[str, Any], raw: Any, frame: _Frame, clock: Clock, where: tuple[str | int, ...]
    ) -> tuple[Any, dict[str, Any], str | None]:
        resource = str(state.get("Resource", ""))
        jsonata = self._jsonata_state(state)

        def attempt(retry: int) -> tuple[Any, dict[str, Any]]:
            number = self.invocations[name]
            token = f"simulated-task-token-{self.machine_name}-{name}-{number}"
            context = self._context(name, clock, retry, Task={"Token": token})
            states: dict[str, Any] | None = None
            if jsonata:
                states = {"input": raw, "context": context}
                effective = raw
                payload = (
                    self._template(state["Arguments"], states, frame, name, "Arguments")
                    if "Arguments" in state
                    else raw
                )
            else:
                effective = self._path_field(state, "InputPath", raw, context, frame, name)
                if "Parameters" in state:
                    payload = self._payload(state["Parameters"], effective, context, frame, name, "Parameters")
                else:
                    payload = effective
            timeout = self._seconds_field(state, "TimeoutSeconds", effective, context, frame, name, states)
            heartbeat = self._seconds_field(state, "HeartbeatSeconds", effective, context, frame, name, states)
            result = self._invoke(name, resource, payload, retry, clock, timeout, heartbeat)
            if jsonata:
                assert states is not None
                states = {**states, "result": result}
                return self._jsonata_finish(state, states, result, frame, name)
            return self._jsonpath_finish(state, name, raw, result, context, frame)

        output, assigned = self._with_retry(name, state, clock, attempt)
        return output, assigned, self._next(state)

    def _jsonpath_finish(
        self, state: dict[str, Any], name: str, raw: Any, result: Any, context: Any, frame: _Frame
    ) -> tuple[Any, dict[str, Any]]:
        """ResultSelector → ResultPath → OutputPath, and Assign on the selected result."""
        if "ResultSelector" in state:
            result = self._payload(state["ResultSelector"], result, context, frame, name, "ResultSelector")
        assigned = self._assign_jsonpath(state.get("Assign"), result, context, frame, name)
        combined = self._result_path(state.get("ResultPath", "$"), raw, result, name)
        return self._path_field(state, "OutputPath", combined, context, frame, name), assigned

    def _invoke(
        self,
        name: str,
        resource: str,
        payload: Any,
        retry: int,
        clock: Clock,
        timeout: float | None,
        heartbeat: float | None,
        what: str = "Task state",
    ) -> Any:
        number = self.invocations[name]
        self.invocations[name] += 1
        self.calls.append(Call(name, resource, payload, retry))
        response = self.mocks.response(name, number)
        if response is None:
            raise UsageError(
                Problem(
                    f"{what} {name!r} ({resource}) has no mock",
                    file=self.mocks.source,
                    hint=f"add a response for {name!r} to the mocks"
                    + (f" (test case {self.mocks.case!r})" if self.mocks.case else ""),
                )
            )
        limits = [(t, e) for t, e in ((timeout, "States.Timeout"), (heartbeat, "States.HeartbeatTimeout")) if t]
        for limit, error in sorted(limits):
            if response.duration > limit:
                clock.advance(limit)
                raise StatesError(error, f"The task '{name}' did not finish (or send a heartbeat) within {limit:g} s")
        clock.advance(response.duration)
        if response.throws:
            raise StatesError(str(response.error), response.cause)
        if _size(response.returns) > MAX_PAYLOAD_BYTES:
            raise StatesError(
                "States.DataLimitExceeded",
                f"The task '{name}' returned a result larger than {MAX_PAYLOAD_BYTES} bytes, the service limit.",
            )
        return response.returns

    def _pass(
        self, name: str, state: dict[str, Any], raw: Any, frame: _Frame, clock: Clock, where: tuple[str | int, ...]
    ) -> tuple[Any, dict[str, Any], str | None]:
        context = self._context(name, clock)
        if self._jsonata_state(state):
            output, assigned = self._jsonata_finish(state, {"input": raw, "context": context}, raw, frame, name)
            return output, assigned, self._next(state)
        effective = self._path_field(state, "InputPath", raw, context, frame, name)
        result = effective
        if "Parameters" in state:
            result = self._payload(state["Parameters"], effective, context, frame, name, "Parameters")
        if "Result" in state:
            result = state["Result"]
        assigned = self._assign_jsonpath(state.get("Assign"), result, context, frame, name)
        combined = self._result_path(state.get("ResultPath", "$"), raw, result, name)
        return self._path_field(state, "OutputPath", combined, context, frame, name), assigned, self._next(state)

    def _wait(
        self, name: str, state: dict[str, Any], raw: Any, frame: _Frame, clock: Clock, where: tuple[str | int, ...]
    ) -> tuple[Any, dict[str, Any], str | None]:
        context = self._context(name, clock)
        jsonata = self._jsonata_state(state)
        states = {"input": raw, "context": context} if jsonata else None
        effective = raw if jsonata else self._path_field(state, "InputPath", raw, context, frame, name)
        seconds = self._seconds_field(state, "Seconds", effective, context, frame, name, states)
        if seconds is None:
            if "Timestamp" in state:
                stamp = state["Timestamp"]
                if states is not None and isinstance(stamp, str):
                    stamp = self._jsonata(stamp, states, frame, name, "Timestamp")
                field_name = "Timestamp"
            else:
                stamp = self._select(state.get("TimestampPath", "$"), effective, context, frame, name, "TimestampPath")
                field_name = "TimestampPath"
            seconds = seconds_until(stamp, clock) if isinstance(stamp, str) else None
            if seconds is None:
                raise StatesError(
                    "States.Runtime", f"state '{name}': {field_name} gave {_compact(stamp)}, not an RFC 3339 timestamp"
                )
        clock.advance(seconds)
        if states is not None:
            output, assigned = self._jsonata_finish(state, states, raw, frame, name)
            return output, assigned, self._next(state)
        assigned = self._assign_jsonpath(state.get("Assign"), effective, context, frame, name)
        return self._path_field(state, "OutputPath", effective, context, frame, name), assigned, self._next(state)

    def _succeed(
        self, name: str, state: dict[str, Any], raw: Any, frame: _Frame, clock: Clock, where: tuple[str | int, ...]
    ) -> tuple[Any, dict[str, Any], str | None]:
        context = self._context(name, clock)
        if self._jsonata_state(state):
            output, _ = self._jsonata_finish(state, {"input": raw, "context": context}, raw, frame, name)
            return output, {}, None
        effective = self._path_field(state, "InputPath", raw, context, frame, name)
        return self._path_field(state, "OutputPath", effective, context, frame, name), {}, None

    def _fail(
        self, name: str, state: dict[str, Any], raw: Any, frame: _Frame, clock: Clock, where: tuple[str | int, ...]
    ) -> tuple[Any, dict[str, Any], str | None]:
        context = self._context(name, clock)
        values: dict[str, Any] = {}
        for key in ("Error", "Cause"):
            if key in state:
                value = state[key]
                if self._jsonata_state(state) and isinstance(value, str):
                    value = self._jsonata(value, {"input": raw, "context": context}, frame, name, key)
            elif f"{key}Path" in state:
                value = self._dynamic(state[f"{key}Path"], raw, context, frame, name, f"{key}Path")
            else:
                continue
            if not isinstance(value, str):
                raise StatesError("States.Runtime", f"state '{name}': {key} must be a string, got {_compact(value)}")
            values[key] = value
        # A Fail state without Error fails the execution with no error name; only States.ALL catches it.
        raise StatesError(values.get("Error", ""), values.get("Cause"))

    # ---- Parallel and Map --------------------------------------------------------------------------------------

    def _prepare(
        self, name: str, state: dict[str, Any], raw: Any, frame: _Frame, context: Any, template_key: str
    ) -> tuple[Any, Any, dict[str, Any] | None]:
        """The effective input and the payload handed on (Parameters or Arguments), and `$states` in JSONata."""
        if self._jsonata_state(state):
            states = {"input": raw, "context": context}
            payload = (
                self._template(state["Arguments"], states, frame, name, "Arguments") if "Arguments" in state else raw
            )
            return raw, payload, states
        effective = self._path_field(state, "InputPath", raw, context, frame, name)
        if template_key in state:
            return effective, self._payload(state[template_key], effective, context, frame, name, template_key), None
        return effective, effective, None

    def _finish(
        self,
        state: dict[str, Any],
        name: str,
        raw: Any,
        result: Any,
        context: Any,
        states: dict[str, Any] | None,
        frame: _Frame,
    ) -> tuple[Any, dict[str, Any]]:
        if states is not None:
            return self._jsonata_finish(state, {**states, "result": result}, result, frame, name)
        return self._jsonpath_finish(state, name, raw, result, context, frame)

    def _parallel(
        self, name: str, state: dict[str, Any], raw: Any, frame: _Frame, clock: Clock, where: tuple[str | int, ...]
    ) -> tuple[Any, dict[str, Any], str | None]:
        def attempt(retry: int) -> tuple[Any, dict[str, Any]]:
            context = self._context(name, clock, retry)
            _, payload, states = self._prepare(name, state, raw, frame, context, "Parameters")
            outputs: list[Any] = []
            finished = clock.now
            for index, branch in enumerate(state.get("Branches") or []):
                # Branches run side by side: each starts now on its own clock; the state ends with the slowest.
                branch_clock = clock.fork()
                try:
                    outputs.append(
                        self._run_states(
                            branch, payload, _Frame(parent=frame), branch_clock, (*where, "Branches", index, "States")
                        )
                    )
                finally:
                    finished = max(finished, branch_clock.now)
            clock.now = finished
            return self._finish(state, name, raw, outputs, context, states, frame)

        output, assigned = self._with_retry(name, state, clock, attempt)
        return output, assigned, self._next(state)

    def _map(
        self, name: str, state: dict[str, Any], raw: Any, frame: _Frame, clock: Clock, where: tuple[str | int, ...]
    ) -> tuple[Any, dict[str, Any], str | None]:
        processor = state.get("ItemProcessor") or state.get("Iterator") or {}
        config = processor.get("ProcessorConfig") or {}
        distributed = config.get("Mode") == "DISTRIBUTED"
        processor_key = "ItemProcessor" if "ItemProcessor" in state else "Iterator"

        def attempt(retry: int) -> tuple[Any, dict[str, Any]]:
            context = self._context(name, clock, retry)
            jsonata = self._jsonata_state(state)
            states: dict[str, Any] | None = {"input": raw, "context": context} if jsonata else None
            effective = raw if jsonata else self._path_field(state, "InputPath", raw, context, frame, name)
            items = self._items(name, state, effective, context, frame, clock, states)
            items = self._batches(name, state, items, effective, context, frame, states)
            limit = self._concurrency(name, state, effective, context, frame, states, distributed)
            selector_key = "ItemSelector" if "ItemSelector" in state else "Parameters"
            workers = [clock.now] * max(1, min(limit, len(items) or 1))
            outputs: list[Any] = []
            failures = 0
            first_failure: StatesError | None = None
            finished = clock.now
            for index, item in enumerate(items):
                item_context = {**context, "Map": {"Item": {"Index": index, "Value": item}}}
                if states is not None:
                    if "ItemSelector" in state:
                        item_states = {**states, "context": item_context}
                        item_input = self._template(state["ItemSelector"], item_states, frame, name, "ItemSelector")
                    else:
                        item_input = item
                elif selector_key in state:
                    item_input = self._payload(state[selector_key], effective, item_context, frame, name, selector_key)
                else:
                    item_input = item
                start = heapq.heappop(workers)
                item_clock = Clock(start)
                # A distributed Map's children are separate executions: they see none of the parent's variables.
                scope = _Frame(parent=None if distributed else frame)
                try:
                    outputs.append(
                        self._run_states(processor, item_input, scope, item_clock, (*where, processor_key, "States"))
                    )
                except StatesError as exc:
                    if not distributed:
                        clock.now = max(finished, item_clock.now)
                        raise
                    failures += 1
                    first_failure = first_failure or exc
                    outputs.append({"Error": exc.error, "Cause": exc.cause})
                heapq.heappush(workers, item_clock.now)
                finished = max(finished, item_clock.now)
            clock.now = finished
            if failures and not self._tolerated(name, state, failures, len(items), effective, context, frame, states):
                raise StatesError(
                    "States.ExceedToleratedFailureThreshold",
                    f"Map '{name}': {failures} of {len(items)} items failed, more than tolerated"
                    + (f"; first: {first_failure.error}: {first_failure.cause}" if first_failure else ""),
                )
            result: Any = outputs
            if "ResultWriter" in state:
                result = self._written(name, state, effective, context, frame, states)
            return self._finish(state, name, raw, result, context, states, frame)

        output, assigned = self._with_retry(name, state, clock, attempt)
        return output, assigned, self._next(state)

    def _items(
        self,
        name: str,
        state: dict[str, Any],
        effective: Any,
        context: Any,
        frame: _Frame,
        clock: Clock,
        states: dict[str, Any] | None,
    ) -> list[Any]:
        reader = state.get("ItemReader")
        if isinstance(reader, dict):
            items = self._read_items(name, reader, effective, context, frame, clock, states)
        elif states is not None:
            value = state.get("Items", "{% $states.input %}")
            items = self._template(value, states, frame, name, "Items")
        else:
            items = self._select(state.get("ItemsPath", "$"), effective, context, frame, name, "ItemsPath")
        if not isinstance(items, list):
            # The error name LocalStack's AWS-recorded snapshots give, in JSONPath and JSONata machines alike.
            raise StatesError(
                "States.QueryEvaluationError", f"Map '{name}': the items are {_compact(items)}, not an array"
            )
        return items

    def _read_items(
        self,
        name: str,
        reader: dict[str, Any],
        effective: Any,
        context: Any,
        frame: _Frame,
        clock: Clock,
        states: dict[str, Any] | None,
    ) -> list[Any]:
        """A distributed Map's ItemReader: its Return in the mocks (under the Map state's name) is the content read."""
        if states is not None:
            params = self._template(reader.get("Arguments", {}), states, frame, name, "ItemReader/Arguments")
        else:
            params = self._payload(
                reader.get("Parameters", {}), effective, context, frame, name, "ItemReader.Parameters"
            )
        try:
            # The reader's content is mocked under the Map state's name.
            content = self._invoke(
                name, str(reader.get("Resource", "")), params, 0, clock, None, None, what="the ItemReader of Map state"
            )
        except StatesError as exc:
            raise StatesError("States.ItemReaderFailed", f"{exc.error}: {exc.cause}") from None
        reader_config = reader.get("ReaderConfig") or {}
        input_type = reader_config.get("InputType", "JSON")
        if isinstance(content, dict) and isinstance(content.get("Contents"), list):
            items: Any = content["Contents"]
        elif isinstance(content, str):
            items = _parse_items(content, input_type, reader_config, name)
        else:
            items = content
        if not isinstance(items, list):
            raise StatesError("States.ItemReaderFailed", f"Map '{name}': the reader's content is not a list of items")
        maximum = reader_config.get("MaxItems")
        return items[: int(maximum)] if isinstance(maximum, int) and maximum > 0 else items

    def _batches(
        self,
        name: str,
        state: dict[str, Any],
        items: list[Any],
        effective: Any,
        context: Any,
        frame: _Frame,
        states: dict[str, Any] | None,
    ) -> list[Any]:
        batcher = state.get("ItemBatcher")
        if not isinstance(batcher, dict):
            return items
        size = self._seconds_field(batcher, "MaxItemsPerBatch", effective, context, frame, name, states)
        per_batch = int(size) if size else len(items) or 1
        batch_input: Any = None
        if "BatchInput" in batcher:
            batch_input = (
                self._template(batcher["BatchInput"], states, frame, name, "BatchInput")
                if states is not None
                else self._payload(batcher["BatchInput"], effective, context, frame, name, "BatchInput")
            )
        batches = []
        for start in range(0, len(items), per_batch):
            batch: dict[str, Any] = {"Items": items[start : start + per_batch]}
            if batch_input is not None:
                batch["BatchInput"] = batch_input
            batches.append(batch)
        return batches

    def _concurrency(
        self,
        name: str,
        state: dict[str, Any],
        effective: Any,
        context: Any,
        frame: _Frame,
        states: dict[str, Any] | None,
        distributed: bool,
    ) -> int:
        value = self._seconds_field(state, "MaxConcurrency", effective, context, frame, name, states)
        cap = _DISTRIBUTED_MAP_CONCURRENCY if distributed else _INLINE_MAP_CONCURRENCY
        return min(int(value), cap) if value else cap

    def _tolerated(
        self,
        name: str,
        state: dict[str, Any],
        failures: int,
        total: int,
        effective: Any,
        context: Any,
        frame: _Frame,
        states: dict[str, Any] | None,
    ) -> bool:
        count = self._seconds_field(state, "ToleratedFailureCount", effective, context, frame, name, states)
        percentage = self._seconds_field(state, "ToleratedFailurePercentage", effective, context, frame, name, states)
        if count is not None and failures <= count:
            return True
        return percentage is not None and total > 0 and failures * 100 / total <= percentage

    def _written(
        self,
        name: str,
        state: dict[str, Any],
        effective: Any,
        context: Any,
        frame: _Frame,
        states: dict[str, Any] | None,
    ) -> dict[str, Any]:
        """What a Map with a ResultWriter returns: where the results went, not the results."""
        writer = state["ResultWriter"]
        if states is not None:
            params = self._template(writer.get("Arguments", {}), states, frame, name, "ResultWriter/Arguments")
        else:
            params = self._payload(
                writer.get("Parameters", {}), effective, context, frame, name, "ResultWriter.Parameters"
            )
        prefix = str(params.get("Prefix", "")).rstrip("/") if isinstance(params, dict) else ""
        run = f"{self.machine_name}-{name}".replace(" ", "-")
        details = {
            "Bucket": params.get("Bucket") if isinstance(params, dict) else None,
            "Key": f"{prefix}/{run}/manifest.json".lstrip("/"),
        }
        return {
            "MapRunArn": f"arn:aws:states:{_REGION}:{_ACCOUNT}:mapRun:{self.machine_name}/{run}:{self.execution_name}",
            "ResultWriterDetails": details,
        }

    # ---- Choice ------------------------------------------------------------------------------------------------

    def _choice(
        self, name: str, state: dict[str, Any], raw: Any, frame: _Frame, clock: Clock, where: tuple[str | int, ...]
    ) -> tuple[Any, dict[str, Any], str | None]:
        context = self._context(name, clock)
        jsonata = self._jsonata_state(state)
        states = {"input": raw, "context": context}
        effective = raw if jsonata else self._path_field(state, "InputPath", raw, context, frame, name)
        for index, rule in enumerate(state.get("Choices") or []):
            if jsonata:
                condition = rule.get("Condition")
                if isinstance(condition, str):
                    condition = self._jsonata(condition, states, frame, name, f"Choices[{index}]/Condition")
                if not isinstance(condition, bool):
                    raise StatesError(
                        "States.QueryEvaluationError",
                        f"state '{name}': Choices[{index}].Condition gave {_compact(condition)}, not a boolean",
                    )
                matched = condition
            else:
                matched = self._rule(rule, effective, context, frame, name)
            if matched:
                if jsonata:
                    output, assigned = self._jsonata_finish(rule, states, raw, frame, name)
                    return output, assigned, rule.get("Next")
                assigned = self._assign_jsonpath(rule.get("Assign"), effective, context, frame, name)
                output = self._path_field(state, "OutputPath", effective, context, frame, name)
                return output, assigned, rule.get("Next")
        if "Default" not in state:
            # States.NoChoiceMatched is reserved: AWS reports a Choice without a match as States.Runtime.
            raise StatesError("States.Runtime", f"No Matches! (state '{name}', input {_compact(effective)})")
        if jsonata:
            output, assigned = self._jsonata_finish(state, states, raw, frame, name)
            return output, assigned, state["Default"]
        assigned = self._assign_jsonpath(state.get("Assign"), effective, context, frame, name)
        return self._path_field(state, "OutputPath", effective, context, frame, name), assigned, state["Default"]

    def _rule(self, rule: dict[str, Any], data: Any, context: Any, frame: _Frame, name: str) -> bool:
        if "And" in rule:
            return all(self._rule(r, data, context, frame, name) for r in rule["And"])
        if "Or" in rule:
            return any(self._rule(r, data, context, frame, name) for r in rule["Or"])
        if "Not" in rule:
            return not self._rule(rule["Not"], data, context, frame, name)
        variable = rule.get("Variable", "$")
        operator = next((k for k in rule if k in _OPERATORS or k in _TYPE_TESTS), None)
        if operator is None:
            raise ValidationFailure(Problem(f"state {name!r}: a Choice rule without a comparison operator"))
        if operator == "IsPresent":
            try:
                jsonpath.select(variable, data, context, frame.visible())
                present = True
            except jsonpath.PathError:
                present = False
            return present is bool(rule[operator])
        value = self._select(variable, data, context, frame, name, "Variable")
        if operator in _TYPE_TESTS:
            return bool(_TYPE_TESTS[operator](value) == rule[operator])
        expected = rule[operator]
        base = operator
        if operator.endswith("Path"):
            base = operator[: -len("Path")]
            expected = self._select(expected, data, context, frame, name, operator)
        return _compare(base, value, expected)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _string_matches(value: str, pattern: str) -> bool:
    regex = ""
    i = 0
    while i < len(pattern):
        if pattern[i] == "\\" and i + 1 < len(pattern):
            regex += re.escape(pattern[i + 1])
            i += 2
            continue
        regex += ".*" if pattern[i] == "*" else re.escape(pattern[i])
        i += 1
    return re.fullmatch(regex, value, re.DOTALL) is not None


def _compare(operator: str, value: Any, expected: Any) -> bool:
    family, relation = next(
        (f, operator[len(f) :]) for f in ("String", "Numeric", "Timestamp", "Boolean") if operator.startswith(f)
    )
    if family == "String":
        if not isinstance(value, str) or not isinstance(expected, str):
            return False
        if relation == "Matches":
            return _string_matches(value, expected)
        left: Any = value
        right: Any = expected
    elif family == "Numeric":
        if not _is_number(value) or not _is_number(expected):
            return False
        left, right = value, expected
    elif family == "Boolean":
        return isinstance(value, bool) and isinstance(expected, bool) and value == expected
    else:
        left, right = parse_timestamp(value), parse_timestamp(expected)
        if left is None or right is None:
            return False
    outcome: bool = {
        "Equals": left == right,
        "LessThan": left < right,
        "GreaterThan": left > right,
        "LessThanEquals": left <= right,
        "GreaterThanEquals": left >= right,
    }[relation]
    return outcome


_OPERATORS = frozenset(
    [
        f"{f}{r}{p}"
        for f in ("String", "Numeric", "Timestamp")
        for r in ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
        for p in ("", "Path")
    ]
    + ["BooleanEquals", "BooleanEqualsPath", "StringMatches"]
)
_TYPE_TESTS: dict[str, Callable[[Any], bool]] = {
    "IsNull": lambda v: v is None,
    "IsPresent": lambda v: True,
    "IsNumeric": _is_number,
    "IsString": lambda v: isinstance(v, str),
    "IsBoolean": lambda v: isinstance(v, bool),
    "IsTimestamp": lambda v: parse_timestamp(v) is not None,
}


def _parse_items(content: str, input_type: str, config: dict[str, Any], name: str) -> list[Any]:
    """The items of an S3 object as text: a JSON array, JSON Lines, or CSV (header row or CSVHeaders)."""
    try:
        if input_type == "JSONL":
            return [json.loads(line) for line in content.splitlines() if line.strip()]
        if input_type == "CSV":
            delimiter = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}.get(
                str(config.get("CSVDelimiter", "COMMA")), ","
            )
            rows = list(csv.reader(io.StringIO(content), delimiter=delimiter))
            if config.get("CSVHeaderLocation") == "GIVEN":
                headers = list(config.get("CSVHeaders") or [])
            else:
                headers, rows = (rows[0], rows[1:]) if rows else ([], [])
            return [dict(zip(headers, row, strict=False)) for row in rows]
        value = json.loads(content)
    except (json.JSONDecodeError, csv.Error) as exc:
        raise StatesError(
            "States.ItemReaderFailed", f"Map '{name}': cannot read the items as {input_type}: {exc}"
        ) from None
    return value if isinstance(value, list) else [value]
