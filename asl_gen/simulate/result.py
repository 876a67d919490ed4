"""What a simulated execution produced: status, output or error, the path taken, the task calls, the trace."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Call:
    """One invocation of a Task's resource, as the mock received it."""

    state: str
    resource: str
    parameters: Any
    attempt: int

    @property
    def arguments(self) -> Any:
        """The same payload under the name JSONata states give it."""
        return self.parameters

    def as_dict(self) -> dict[str, Any]:
        return {"state": self.state, "resource": self.resource, "parameters": self.parameters, "attempt": self.attempt}


@dataclass(frozen=True)
class Step:
    """A state entered: its input, its output (None when it failed) and the virtual times it ran between."""

    state: str
    input: Any
    output: Any
    entered: float
    left: float
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "input": self.input,
            "output": self.output,
            "entered": self.entered,
            "left": self.left,
            "error": self.error,
        }


@dataclass(frozen=True)
class SimulationResult:
    """The outcome of one simulated execution."""

    status: str
    output: Any = None
    error: str | None = None
    cause: str | None = None
    path: list[str] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    elapsed_seconds: float = 0.0
    trace: list[Step] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        return self.status == "SUCCEEDED"

    def calls_to(self, state: str) -> list[Call]:
        """The invocations of one Task state, in order (retries included)."""
        return [c for c in self.calls if c.state == state]

    def mermaid(self) -> str:
        """The path taken as a Mermaid flowchart (each transition once, numbered in the order first taken)."""
        ids = {name: f"s{i}" for i, name in enumerate(dict.fromkeys(self.path))}
        lines = ["flowchart TD"]
        for name, node in ids.items():
            label = name.replace('"', "#quot;")
            lines.append(f'  {node}["{label}"]')
        seen: set[tuple[str, str]] = set()
        for before, after in zip(self.path, self.path[1:], strict=False):
            if (before, after) not in seen:
                seen.add((before, after))
                lines.append(f"  {ids[before]} --> {ids[after]}")
        end = "end_ok" if self.succeeded else "end_failed"
        label = self.status if self.succeeded else f"{self.status}: {self.error}"
        lines.append(f'  {end}(("{label.replace(chr(34), "#quot;")}"))')
        if self.path:
            lines.append(f"  {ids[self.path[-1]]} --> {end}")
        return "\n".join(lines) + "\n"

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "output": self.output,
            "error": self.error,
            "cause": self.cause,
            "path": self.path,
            "calls": [c.as_dict() for c in self.calls],
            "elapsed_seconds": self.elapsed_seconds,
        }
