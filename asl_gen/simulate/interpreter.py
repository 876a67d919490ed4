"""Runs an ASL definition against mocked tasks on a virtual clock, the way Step Functions would run it: the
transitions, each state type, Retry and Catch, the limits. How fields are evaluated is `fields`'."""

from __future__ import annotations

import heapq
import random
from collections import Counter
from collections.abc import Callable
from typing import Any

from asl_gen.errors import Problem, UsageError, ValidationFailure, pointer_of
from asl_gen.simulate.choice import rule_matches
from asl_gen.simulate.clock import Clock, iso, seconds_until
from asl_gen.simulate.errors import StatesError, TimedOut, error_matches
from asl_gen.simulate.fields import MAX_PAYLOAD_BYTES, FieldEvaluator, Frame, payload_size
from asl_gen.simulate.intrinsics import compact
from asl_gen.simulate.map_state import MapFields
from asl_gen.simulate.mocks import MockSet
from asl_gen.simulate.result import Call, SimulationResult, Step

MAX_TRANSITIONS = 25_000
_ACCOUNT = "123456789012"
_REGION = "us-east-1"
_STATES_ARN = f"arn:aws:states:{_REGION}:{_ACCOUNT}"


class Interpreter(FieldEvaluator):
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
        super().__init__(definition.get("QueryLanguage", "JSONPath"), random.Random(seed))
        self.definition = definition
        self.mocks = mocks
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

    # ---- the run ---------------------------------------------------------------------------------------------

    def run(self, execution_input: Any) -> SimulationResult:
        if payload_size(execution_input) > MAX_PAYLOAD_BYTES:
            raise UsageError(Problem(f"the input is larger than {MAX_PAYLOAD_BYTES} bytes, the Step Functions limit"))
        self.input = execution_input
        clock = Clock()
        status, output, error, cause = "SUCCEEDED", None, None, None
        try:
            output = self._run_states(self.definition, execution_input, Frame(), clock, ("States",))
        except StatesError as exc:
            status, error, cause = "FAILED", exc.error or None, exc.cause
        except TimedOut:
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
        self, root: dict[str, Any], data: Any, frame: Frame, clock: Clock, where: tuple[str | int, ...]
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
                raise TimedOut()
            if following is None:
                return output
            data, name = output, following

    def _context(self, name: str, clock: Clock, retry: int = 0, **extra: Any) -> dict[str, Any]:
        machine_arn = f"{_STATES_ARN}:stateMachine:{self.machine_name}"
        context: dict[str, Any] = {
            "Execution": {
                "Id": f"{_STATES_ARN}:execution:{self.machine_name}:{self.execution_name}",
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
        self, name: str, state: dict[str, Any], raw: Any, frame: Frame, clock: Clock, where: tuple[str | int, ...]
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
        if payload_size(output) > MAX_PAYLOAD_BYTES:
            raise StatesError(
                "States.DataLimitExceeded",
                f"The state '{name}' produced an output larger than {MAX_PAYLOAD_BYTES} bytes, the service limit.",
            )
        return output, following

    @staticmethod
    def _next(state: dict[str, Any]) -> str | None:
        return None if state.get("End") is True else state.get("Next")

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
                        raise TimedOut() from None
                    break
                else:
                    raise

    def _catch(
        self, name: str, state: dict[str, Any], raw: Any, frame: Frame, clock: Clock, exc: StatesError
    ) -> tuple[Any, dict[str, Any], str | None] | None:
        if state.get("Type") not in ("Task", "Parallel", "Map"):
            return None
        for catcher in state.get("Catch") or []:
            if not error_matches(list(catcher.get("ErrorEquals", [])), exc.error):
                continue
            error_output = {"Error": exc.error, "Cause": exc.cause}
            if self.is_jsonata(state):
                states = {"input": raw, "errorOutput": error_output, "context": self._context(name, clock)}
                output, assigned = self.jsonata_finish(catcher, states, error_output, frame, name)
            else:
                context = self._context(name, clock)
                assigned = self.assign_jsonpath(catcher.get("Assign"), error_output, context, frame, name)
                output = self.result_path(catcher.get("ResultPath", "$"), raw, error_output, name)
            return output, assigned, catcher.get("Next")
        return None

    # ---- the state types ---------------------------------------------------------------------------------------

    def _task(
        self, name: str, state: dict[str, Any], raw: Any, frame: Frame, clock: Clock, where: tuple[str | int, ...]
    ) -> tuple[Any, dict[str, Any], str | None]:
        resource = str(state.get("Resource", ""))
        jsonata = self.is_jsonata(state)

        def attempt(retry: int) -> tuple[Any, dict[str, Any]]:
            number = self.invocations[name]
            token = f"simulated-task-token-{self.machine_name}-{name}-{number}"
            context = self._context(name, clock, retry, Task={"Token": token})
            states: dict[str, Any] | None = None
            if jsonata:
                states = {"input": raw, "context": context}
                effective = raw
                payload = (
                    self.template(state["Arguments"], states, frame, name, "Arguments") if "Arguments" in state else raw
                )
            else:
                effective = self.path_field(state, "InputPath", raw, context, frame, name)
                if "Parameters" in state:
                    payload = self.payload(state["Parameters"], effective, context, frame, name, "Parameters")
                else:
                    payload = effective
            timeout = self.seconds_field(state, "TimeoutSeconds", effective, context, frame, name, states)
            heartbeat = self.seconds_field(state, "HeartbeatSeconds", effective, context, frame, name, states)
            result = self._invoke(name, resource, payload, retry, clock, timeout, heartbeat)
            if jsonata:
                assert states is not None
                states = {**states, "result": result}
                return self.jsonata_finish(state, states, result, frame, name)
            return self.jsonpath_finish(state, name, raw, result, context, frame)

        output, assigned = self._with_retry(name, state, clock, attempt)
        return output, assigned, self._next(state)

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
        if payload_size(response.returns) > MAX_PAYLOAD_BYTES:
            raise StatesError(
                "States.DataLimitExceeded",
                f"The task '{name}' returned a result larger than {MAX_PAYLOAD_BYTES} bytes, the service limit.",
            )
        return response.returns

    def _pass(
        self, name: str, state: dict[str, Any], raw: Any, frame: Frame, clock: Clock, where: tuple[str | int, ...]
    ) -> tuple[Any, dict[str, Any], str | None]:
        context = self._context(name, clock)
        if self.is_jsonata(state):
            output, assigned = self.jsonata_finish(state, {"input": raw, "context": context}, raw, frame, name)
            return output, assigned, self._next(state)
        effective = self.path_field(state, "InputPath", raw, context, frame, name)
        result = effective
        if "Parameters" in state:
            result = self.payload(state["Parameters"], effective, context, frame, name, "Parameters")
        if "Result" in state:
            result = state["Result"]
        assigned = self.assign_jsonpath(state.get("Assign"), result, context, frame, name)
        combined = self.result_path(state.get("ResultPath", "$"), raw, result, name)
        return self.path_field(state, "OutputPath", combined, context, frame, name), assigned, self._next(state)

    def _wait(
        self, name: str, state: dict[str, Any], raw: Any, frame: Frame, clock: Clock, where: tuple[str | int, ...]
    ) -> tuple[Any, dict[str, Any], str | None]:
        context = self._context(name, clock)
        jsonata = self.is_jsonata(state)
        states = {"input": raw, "context": context} if jsonata else None
        effective = raw if jsonata else self.path_field(state, "InputPath", raw, context, frame, name)
        seconds = self.seconds_field(state, "Seconds", effective, context, frame, name, states)
        if seconds is None:
            if "Timestamp" in state:
                stamp = state["Timestamp"]
                if states is not None and isinstance(stamp, str):
                    stamp = self.jsonata(stamp, states, frame, name, "Timestamp")
                field_name = "Timestamp"
            else:
                stamp = self.select(state.get("TimestampPath", "$"), effective, context, frame, name, "TimestampPath")
                field_name = "TimestampPath"
            seconds = seconds_until(stamp, clock) if isinstance(stamp, str) else None
            if seconds is None:
                raise StatesError(
                    "States.Runtime", f"state '{name}': {field_name} gave {compact(stamp)}, not an RFC 3339 timestamp"
                )
        clock.advance(seconds)
        if states is not None:
            output, assigned = self.jsonata_finish(state, states, raw, frame, name)
            return output, assigned, self._next(state)
        assigned = self.assign_jsonpath(state.get("Assign"), effective, context, frame, name)
        return self.path_field(state, "OutputPath", effective, context, frame, name), assigned, self._next(state)

    def _succeed(
        self, name: str, state: dict[str, Any], raw: Any, frame: Frame, clock: Clock, where: tuple[str | int, ...]
    ) -> tuple[Any, dict[str, Any], str | None]:
        context = self._context(name, clock)
        if self.is_jsonata(state):
            output, _ = self.jsonata_finish(state, {"input": raw, "context": context}, raw, frame, name)
            return output, {}, None
        effective = self.path_field(state, "InputPath", raw, context, frame, name)
        return self.path_field(state, "OutputPath", effective, context, frame, name), {}, None

    def _fail(
        self, name: str, state: dict[str, Any], raw: Any, frame: Frame, clock: Clock, where: tuple[str | int, ...]
    ) -> tuple[Any, dict[str, Any], str | None]:
        context = self._context(name, clock)
        values: dict[str, Any] = {}
        for key in ("Error", "Cause"):
            if key in state:
                value = state[key]
                if self.is_jsonata(state) and isinstance(value, str):
                    value = self.jsonata(value, {"input": raw, "context": context}, frame, name, key)
            elif f"{key}Path" in state:
                value = self.dynamic(state[f"{key}Path"], raw, context, frame, name, f"{key}Path")
            else:
                continue
            if not isinstance(value, str):
                raise StatesError("States.Runtime", f"state '{name}': {key} must be a string, got {compact(value)}")
            values[key] = value
        # A Fail state without Error fails the execution with no error name; only States.ALL catches it.
        raise StatesError(values.get("Error", ""), values.get("Cause"))

    # ---- Parallel and Map --------------------------------------------------------------------------------------

    def _parallel(
        self, name: str, state: dict[str, Any], raw: Any, frame: Frame, clock: Clock, where: tuple[str | int, ...]
    ) -> tuple[Any, dict[str, Any], str | None]:
        def attempt(retry: int) -> tuple[Any, dict[str, Any]]:
            context = self._context(name, clock, retry)
            _, payload, states = self.prepare(name, state, raw, frame, context, "Parameters")
            outputs: list[Any] = []
            finished = clock.now
            for index, branch in enumerate(state.get("Branches") or []):
                # Branches run side by side: each starts now on its own clock; the state ends with the slowest.
                branch_clock = clock.fork()
                try:
                    outputs.append(
                        self._run_states(
                            branch, payload, Frame(parent=frame), branch_clock, (*where, "Branches", index, "States")
                        )
                    )
                finally:
                    finished = max(finished, branch_clock.now)
            clock.now = finished
            return self.finish(state, name, raw, outputs, context, states, frame)

        output, assigned = self._with_retry(name, state, clock, attempt)
        return output, assigned, self._next(state)

    def _map(
        self, name: str, state: dict[str, Any], raw: Any, frame: Frame, clock: Clock, where: tuple[str | int, ...]
    ) -> tuple[Any, dict[str, Any], str | None]:
        processor = state.get("ItemProcessor") or state.get("Iterator") or {}
        config = processor.get("ProcessorConfig") or {}
        distributed = config.get("Mode") == "DISTRIBUTED"
        processor_key = "ItemProcessor" if "ItemProcessor" in state else "Iterator"

        def read(resource: str, arguments: Any) -> Any:
            # The reader's content is mocked under the Map state's name.
            what = "the ItemReader of Map state"
            return self._invoke(name, resource, arguments, 0, clock, None, None, what=what)

        def attempt(retry: int) -> tuple[Any, dict[str, Any]]:
            context = self._context(name, clock, retry)
            jsonata = self.is_jsonata(state)
            states: dict[str, Any] | None = {"input": raw, "context": context} if jsonata else None
            effective = raw if jsonata else self.path_field(state, "InputPath", raw, context, frame, name)
            fields = MapFields(self, name, state, effective, context, frame, states)
            items = fields.batches(fields.items(read))
            limit = fields.concurrency(distributed)
            workers = [clock.now] * max(1, min(limit, len(items) or 1))
            outputs: list[Any] = []
            failures = 0
            first_failure: StatesError | None = None
            finished = clock.now
            for index, item in enumerate(items):
                item_input = fields.item_input(index, item)
                start = heapq.heappop(workers)
                item_clock = Clock(start)
                # A distributed Map's children are separate executions: they see none of the parent's variables.
                scope = Frame(parent=None if distributed else frame)
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
            if failures and not fields.tolerated(failures, len(items)):
                raise StatesError(
                    "States.ExceedToleratedFailureThreshold",
                    f"Map '{name}': {failures} of {len(items)} items failed, more than tolerated"
                    + (f"; first: {first_failure.error}: {first_failure.cause}" if first_failure else ""),
                )
            result: Any = outputs
            if "ResultWriter" in state:
                result = fields.written(_STATES_ARN, self.machine_name, self.execution_name)
            return self.finish(state, name, raw, result, context, states, frame)

        output, assigned = self._with_retry(name, state, clock, attempt)
        return output, assigned, self._next(state)

    # ---- Choice ------------------------------------------------------------------------------------------------

    def _choice(
        self, name: str, state: dict[str, Any], raw: Any, frame: Frame, clock: Clock, where: tuple[str | int, ...]
    ) -> tuple[Any, dict[str, Any], str | None]:
        context = self._context(name, clock)
        jsonata = self.is_jsonata(state)
        states = {"input": raw, "context": context}
        effective = raw if jsonata else self.path_field(state, "InputPath", raw, context, frame, name)
        for index, rule in enumerate(state.get("Choices") or []):
            if jsonata:
                condition = rule.get("Condition")
                if isinstance(condition, str):
                    condition = self.jsonata(condition, states, frame, name, f"Choices[{index}]/Condition")
                if not isinstance(condition, bool):
                    raise StatesError(
                        "States.QueryEvaluationError",
                        f"state '{name}': Choices[{index}].Condition gave {compact(condition)}, not a boolean",
                    )
                matched = condition
            else:
                matched = rule_matches(self, rule, effective, context, frame, name)
            if matched:
                if jsonata:
                    output, assigned = self.jsonata_finish(rule, states, raw, frame, name)
                    return output, assigned, rule.get("Next")
                assigned = self.assign_jsonpath(rule.get("Assign"), effective, context, frame, name)
                output = self.path_field(state, "OutputPath", effective, context, frame, name)
                return output, assigned, rule.get("Next")
        if "Default" not in state:
            # States.NoChoiceMatched is reserved: AWS reports a Choice without a match as States.Runtime.
            raise StatesError("States.Runtime", f"No Matches! (state '{name}', input {compact(effective)})")
        if jsonata:
            output, assigned = self.jsonata_finish(state, states, raw, frame, name)
            return output, assigned, state["Default"]
        assigned = self.assign_jsonpath(state.get("Assign"), effective, context, frame, name)
        return self.path_field(state, "OutputPath", effective, context, frame, name), assigned, state["Default"]
