"""How a state's fields are evaluated: JSONPath paths and `.$` payload templates with intrinsics, JSONata
`{% %}` expressions, ResultSelector/ResultPath/OutputPath, Assign, and the number fields (TimeoutSeconds...)."""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from typing import Any

from asl_gen.simulate.errors import StatesError
from asl_gen.simulate.intrinsics import IntrinsicError, compact, is_intrinsic
from asl_gen.simulate.intrinsics import evaluate as evaluate_intrinsic
from asl_gen.simulate.jsonpath import PathError
from asl_gen.simulate.jsonpath import assign as assign_path
from asl_gen.simulate.jsonpath import select as select_path

MAX_PAYLOAD_BYTES = 256 * 1024
_JSONATA = re.compile(r"\A\s*\{%(.*)%\}\s*\Z", re.DOTALL)


@dataclass
class Frame:
    """The variables one scope assigns; inner scopes read outer ones through `parent`."""

    values: dict[str, Any] = field(default_factory=dict)
    parent: Frame | None = None

    def visible(self) -> dict[str, Any]:
        if self.parent is None:
            return self.values
        return {**self.parent.visible(), **self.values}


def payload_size(value: Any) -> int:
    """The size Step Functions counts against its payload limit: compact UTF-8 JSON."""
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


class FieldEvaluator:
    """Evaluates the fields of states in one execution's query language, with its random source (intrinsics,
    JSONata's $random) and a cache of compiled JSONata expressions."""

    def __init__(self, language: str, rng: random.Random) -> None:
        self.language = language
        self.rng = rng
        self._compiled: dict[str, Any] = {}

    def is_jsonata(self, state: dict[str, Any]) -> bool:
        return bool(state.get("QueryLanguage", self.language) == "JSONata")

    def select(self, path: str, data: Any, context: Any, frame: Frame, name: str, field_name: str) -> Any:
        try:
            return select_path(path, data, context, frame.visible())
        except PathError as exc:
            raise StatesError(
                "States.Runtime",
                f"An error occurred while executing the state '{name}'. The JSONPath '{path}' specified for the "
                f"field '{field_name}' could not be found in the input '{compact(data)}' ({exc})",
            ) from None

    def dynamic(self, expression: Any, data: Any, context: Any, frame: Frame, name: str, field_name: str) -> Any:
        if not isinstance(expression, str):
            raise StatesError("States.Runtime", f"state '{name}': the value of '{field_name}' must be a path string")
        if is_intrinsic(expression):
            try:
                return evaluate_intrinsic(
                    expression,
                    lambda path: select_path(path, data, context, frame.visible()),
                    self.rng,
                )
            except IntrinsicError as exc:
                raise StatesError(exc.error, f"state '{name}', field '{field_name}': {exc}") from None
        return self.select(expression, data, context, frame, name, field_name)

    def payload(self, template: Any, data: Any, context: Any, frame: Frame, name: str, field_name: str) -> Any:
        """Parameters, ResultSelector, ItemSelector, Assign: `key.$` values are paths or intrinsics."""
        if isinstance(template, dict):
            out: dict[str, Any] = {}
            for key, value in template.items():
                if key.endswith(".$"):
                    out[key[:-2]] = self.dynamic(value, data, context, frame, name, f"{field_name}.{key}")
                else:
                    out[key] = self.payload(value, data, context, frame, name, f"{field_name}.{key}")
            return out
        if isinstance(template, list):
            return [self.payload(v, data, context, frame, name, field_name) for v in template]
        return template

    def path_field(self, state: dict[str, Any], key: str, data: Any, context: Any, frame: Frame, name: str) -> Any:
        """InputPath/OutputPath: absent means `$`, null means `{}`."""
        if key not in state:
            return data
        path = state[key]
        if path is None:
            return {}
        return self.select(path, data, context, frame, name, key)

    def result_path(self, path: Any, raw: Any, result: Any, name: str) -> Any:
        if path is None:
            return raw
        try:
            return assign_path(path, raw, result)
        except PathError as exc:
            raise StatesError(
                "States.ResultPathMatchFailure",
                f"State '{name}': unable to apply ResultPath '{path}' to the input '{compact(raw)}' ({exc})",
            ) from None

    def jsonata(self, text: str, states: dict[str, Any], frame: Frame, name: str, field_name: str) -> Any:
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

    def template(self, value: Any, states: dict[str, Any], frame: Frame, name: str, field_name: str) -> Any:
        """A JSONata field: `{% %}` strings anywhere inside are evaluated, everything else is literal."""
        if isinstance(value, str):
            return self.jsonata(value, states, frame, name, field_name)
        # Nested fields are named as AWS names them in its errors: Output/key, Arguments/list[0].
        if isinstance(value, dict):
            return {k: self.template(v, states, frame, name, f"{field_name}/{k}") for k, v in value.items()}
        if isinstance(value, list):
            return [self.template(v, states, frame, name, f"{field_name}[{i}]") for i, v in enumerate(value)]
        return value

    def assign_jsonpath(self, assign: Any, data: Any, context: Any, frame: Frame, name: str) -> dict[str, Any]:
        if assign is None:
            return {}
        values = self.payload(assign, data, context, frame, name, "Assign")
        return dict(values) if isinstance(values, dict) else {}

    def jsonata_finish(
        self, state: dict[str, Any], states: dict[str, Any], default: Any, frame: Frame, name: str
    ) -> tuple[Any, dict[str, Any]]:
        """Output and Assign of a JSONata state, both against the values on entry."""
        output = self.template(state["Output"], states, frame, name, "Output") if "Output" in state else default
        assigned = self.template(state.get("Assign", {}), states, frame, name, "Assign")
        return output, dict(assigned) if isinstance(assigned, dict) else {}

    def number(self, value: Any, name: str, field_name: str, *, positive: bool = False) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < (1 if positive else 0):
            raise StatesError(
                "States.Runtime",
                f"state '{name}': {field_name} must be a {'positive' if positive else 'non-negative'} number, "
                f"got {compact(value)}",
            )
        return float(value)

    def seconds_field(
        self,
        state: dict[str, Any],
        key: str,
        data: Any,
        context: Any,
        frame: Frame,
        name: str,
        states: dict[str, Any] | None,
    ) -> float | None:
        """TimeoutSeconds, HeartbeatSeconds, Seconds and their *Path twins (JSONata: `{% %}` in the base field)."""
        if key in state:
            value = state[key]
            if states is not None and isinstance(value, str):
                value = self.jsonata(value, states, frame, name, key)
            return self.number(value, name, key)
        if f"{key}Path" in state:
            value = self.select(state[f"{key}Path"], data, context, frame, name, f"{key}Path")
            return self.number(value, name, f"{key}Path")
        return None

    def jsonpath_finish(
        self, state: dict[str, Any], name: str, raw: Any, result: Any, context: Any, frame: Frame
    ) -> tuple[Any, dict[str, Any]]:
        """ResultSelector → ResultPath → OutputPath, and Assign on the selected result."""
        if "ResultSelector" in state:
            result = self.payload(state["ResultSelector"], result, context, frame, name, "ResultSelector")
        assigned = self.assign_jsonpath(state.get("Assign"), result, context, frame, name)
        combined = self.result_path(state.get("ResultPath", "$"), raw, result, name)
        return self.path_field(state, "OutputPath", combined, context, frame, name), assigned

    def prepare(
        self, name: str, state: dict[str, Any], raw: Any, frame: Frame, context: Any, template_key: str
    ) -> tuple[Any, Any, dict[str, Any] | None]:
        """The effective input and the payload handed on (Parameters or Arguments), and `$states` in JSONata."""
        if self.is_jsonata(state):
            states = {"input": raw, "context": context}
            payload = (
                self.template(state["Arguments"], states, frame, name, "Arguments") if "Arguments" in state else raw
            )
            return raw, payload, states
        effective = self.path_field(state, "InputPath", raw, context, frame, name)
        if template_key in state:
            return effective, self.payload(state[template_key], effective, context, frame, name, template_key), None
        return effective, effective, None

    def finish(
        self,
        state: dict[str, Any],
        name: str,
        raw: Any,
        result: Any,
        context: Any,
        states: dict[str, Any] | None,
        frame: Frame,
    ) -> tuple[Any, dict[str, Any]]:
        if states is not None:
            return self.jsonata_finish(state, {**states, "result": result}, result, frame, name)
        return self.jsonpath_finish(state, name, raw, result, context, frame)
