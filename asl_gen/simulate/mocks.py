"""Mocked task responses, in Step Functions Local's mock-config format or as a plain mapping per state.

A full document: `StateMachines` → machine → `TestCases` → case → `{state: response name}` and
`MockedResponses` → name → `{"0": {"Return": ...}, "1-2": {"Throw": {"Error": ..., "Cause": ...}}}`.
The short form maps state names straight to such responses (or to one `Return`/`Throw` used for every call).
The keys count the calls of that state from 0, retries and Map iterations included; a call past the last key
gets the last response. `Duration` (seconds of virtual time the call takes) is asl-gen's addition, so that
TimeoutSeconds and HeartbeatSeconds can be exercised.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asl_gen.errors import Problem, UsageError, pointer_of

_RANGE = re.compile(r"(\d+)(?:-(\d+))?\Z")


@dataclass(frozen=True)
class MockResponse:
    returns: Any = None
    error: str | None = None
    cause: str | None = None
    duration: float = 0.0

    @property
    def throws(self) -> bool:
        return self.error is not None


@dataclass(frozen=True)
class MockSet:
    """The responses of each mocked state, in call order."""

    responses: Mapping[str, tuple[tuple[int, int, MockResponse], ...]]
    source: str = "<mocks>"
    case: str | None = None

    def response(self, state: str, call: int) -> MockResponse | None:
        ranges = self.responses.get(state)
        if not ranges:
            return None
        for low, high, response in ranges:
            if low <= call <= high:
                return response
        return max(ranges, key=lambda r: r[1])[2]

    def __contains__(self, state: str) -> bool:
        return state in self.responses


def _fail(source: str, path: tuple[str | int, ...], message: str, hint: str | None = None) -> UsageError:
    return UsageError(Problem(message, file=source, pointer=pointer_of(path), hint=hint))


def load_mocks(
    mocks: Mapping[str, Any] | Path | str | None, *, case: str | None = None, machine_name: str | None = None
) -> MockSet:
    """Read mocks from a file or a mapping and pick the test case; every problem is a one-line `UsageError`."""
    if mocks is None:
        return MockSet({})
    source = "<mocks>"
    if isinstance(mocks, (str, Path)):
        from asl_gen.loader import load_file

        located = load_file(Path(mocks))
        source, document = located.file, located.data
    else:
        document = mocks
    if not isinstance(document, Mapping):
        raise _fail(source, (), "mocks must be an object", "map state names to responses, or give a mock config")
    if "StateMachines" in document or "MockedResponses" in document:
        return _from_config(document, source, case, machine_name)
    if case is not None:
        raise _fail(source, (), f"--case {case!r} given but the mocks have no TestCases", "drop --case")
    return MockSet(
        {str(state): _ranges(spec, source, (str(state),)) for state, spec in document.items()}, source=source
    )


def _from_config(document: Mapping[str, Any], source: str, case: str | None, machine_name: str | None) -> MockSet:
    machines = document.get("StateMachines", {})
    responses = document.get("MockedResponses", {})
    if not isinstance(machines, Mapping) or not isinstance(responses, Mapping):
        raise _fail(source, (), "StateMachines and MockedResponses must be objects")
    # A definition file is named after its key (pipeline.asl.json) and deployed as <project>-<key>.
    suffixed = [str(m) for m in machines if machine_name and str(m).endswith(f"-{machine_name}")]
    if machine_name is not None and machine_name in machines:
        machine = machine_name
    elif len(suffixed) == 1:
        machine = suffixed[0]
    elif len(machines) == 1:
        machine = next(iter(machines))
    else:
        names = ", ".join(sorted(map(str, machines))) or "none"
        raise _fail(
            source,
            ("StateMachines",),
            f"no mocks for state machine {machine_name!r}" if machine_name else "more than one state machine",
            f"state machines in the mocks: {names}",
        )
    cases = machines[machine].get("TestCases", {}) if isinstance(machines[machine], Mapping) else None
    if not isinstance(cases, Mapping) or not cases:
        raise _fail(source, ("StateMachines", machine, "TestCases"), "no test cases", "add TestCases: {case: {...}}")
    if case is None:
        if len(cases) != 1:
            raise _fail(
                source,
                ("StateMachines", machine, "TestCases"),
                "more than one test case and none chosen",
                "choose one with --case (or case=): " + ", ".join(sorted(map(str, cases))),
            )
        case = str(next(iter(cases)))
    if case not in cases:
        raise _fail(
            source,
            ("StateMachines", machine, "TestCases"),
            f"no test case {case!r}",
            "test cases: " + ", ".join(sorted(map(str, cases))),
        )
    chosen = cases[case]
    if not isinstance(chosen, Mapping):
        raise _fail(source, ("StateMachines", machine, "TestCases", case), "a test case maps state names to responses")
    table: dict[str, tuple[tuple[int, int, MockResponse], ...]] = {}
    for state, name in chosen.items():
        where = ("StateMachines", machine, "TestCases", case, str(state))
        if not isinstance(name, str) or name not in responses:
            raise _fail(
                source, where, f"mocked response {name!r} is not in MockedResponses", "define it under MockedResponses"
            )
        table[str(state)] = _ranges(responses[name], source, ("MockedResponses", name))
    return MockSet(table, source=source, case=case)


def _ranges(spec: Any, source: str, path: tuple[str | int, ...]) -> tuple[tuple[int, int, MockResponse], ...]:
    if not isinstance(spec, Mapping) or not spec:
        raise _fail(source, path, "a mocked response must be an object", 'give {"0": {"Return": ...}}')
    if "Return" in spec or "Throw" in spec:
        return ((0, 0, _response(spec, source, path)),)
    ranges: list[tuple[int, int, MockResponse]] = []
    for key, value in spec.items():
        match = _RANGE.match(str(key))
        if not match:
            raise _fail(source, (*path, str(key)), f"{key!r} is not a call number or range", "use '0' or '1-3'")
        low = int(match.group(1))
        high = int(match.group(2) or low)
        if high < low:
            raise _fail(source, (*path, str(key)), f"range {key!r} ends before it starts")
        for other_low, other_high, _ in ranges:
            if low <= other_high and other_low <= high:
                raise _fail(source, (*path, str(key)), f"range {key!r} overlaps another")
        ranges.append((low, high, _response(value, source, (*path, str(key)))))
    return tuple(sorted(ranges, key=lambda r: r[0]))


def _response(value: Any, source: str, path: tuple[str | int, ...]) -> MockResponse:
    if not isinstance(value, Mapping) or ("Return" in value) == ("Throw" in value):
        raise _fail(source, path, "a response has exactly one of Return and Throw")
    unknown = set(value) - {"Return", "Throw", "Duration"}
    if unknown:
        raise _fail(source, path, f"unknown field {sorted(unknown)[0]!r}", "a response has Return or Throw (+Duration)")
    duration = value.get("Duration", 0)
    if isinstance(duration, bool) or not isinstance(duration, (int, float)) or duration < 0:
        raise _fail(source, (*path, "Duration"), "Duration must be a number of seconds, 0 or more")
    if "Return" in value:
        return MockResponse(returns=value["Return"], duration=float(duration))
    throw = value["Throw"]
    if not isinstance(throw, Mapping) or not isinstance(throw.get("Error"), str):
        raise _fail(source, (*path, "Throw"), "Throw needs an Error name (and may have a Cause)")
    cause = throw.get("Cause")
    return MockResponse(error=throw["Error"], cause=None if cause is None else str(cause), duration=float(duration))
