"""What a Map state's fields say, for one attempt: its items (ItemsPath, Items, an ItemReader's content), each
item's input, the batches, the concurrency, the failures it tolerates, and what a ResultWriter returns."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from asl_gen.simulate.errors import StatesError
from asl_gen.simulate.fields import FieldEvaluator, Frame
from asl_gen.simulate.intrinsics import compact

_INLINE_MAP_CONCURRENCY = 40
_DISTRIBUTED_MAP_CONCURRENCY = 10_000


@dataclass
class MapFields:
    """The fields of a Map state evaluated against the input of one attempt (`states` is `$states` in JSONata)."""

    evaluator: FieldEvaluator
    name: str
    state: dict[str, Any]
    effective: Any
    context: Any
    frame: Frame
    states: dict[str, Any] | None

    def _value(self, value: Any, field_name: str) -> Any:
        """A template field: `{% %}` expressions in JSONata, `.$` keys in JSONPath."""
        if self.states is not None:
            return self.evaluator.template(value, self.states, self.frame, self.name, field_name)
        return self.evaluator.payload(value, self.effective, self.context, self.frame, self.name, field_name)

    def _arguments(self, block: dict[str, Any], owner: str) -> Any:
        """An ItemReader's or ResultWriter's Arguments (JSONata) or Parameters (JSONPath)."""
        if self.states is not None:
            return self._value(block.get("Arguments", {}), f"{owner}/Arguments")
        return self._value(block.get("Parameters", {}), f"{owner}.Parameters")

    def _number(self, source: dict[str, Any], key: str) -> float | None:
        return self.evaluator.seconds_field(
            source, key, self.effective, self.context, self.frame, self.name, self.states
        )

    def items(self, read: Callable[[str, Any], Any]) -> list[Any]:
        """The items to process; `read(resource, arguments)` gives an ItemReader's content (the Map state's mock)."""
        reader = self.state.get("ItemReader")
        if isinstance(reader, dict):
            items = self._read_items(reader, read)
        elif self.states is not None:
            value = self.state.get("Items", "{% $states.input %}")
            items = self.evaluator.template(value, self.states, self.frame, self.name, "Items")
        else:
            path = self.state.get("ItemsPath", "$")
            items = self.evaluator.select(path, self.effective, self.context, self.frame, self.name, "ItemsPath")
        if not isinstance(items, list):
            # The error name LocalStack's AWS-recorded snapshots give, in JSONPath and JSONata machines alike.
            raise StatesError(
                "States.QueryEvaluationError", f"Map '{self.name}': the items are {compact(items)}, not an array"
            )
        return items

    def _read_items(self, reader: dict[str, Any], read: Callable[[str, Any], Any]) -> list[Any]:
        """A distributed Map's ItemReader: its Return in the mocks (under the Map state's name) is the content read."""
        params = self._arguments(reader, "ItemReader")
        try:
            content = read(str(reader.get("Resource", "")), params)
        except StatesError as exc:
            raise StatesError("States.ItemReaderFailed", f"{exc.error}: {exc.cause}") from None
        reader_config = reader.get("ReaderConfig") or {}
        input_type = reader_config.get("InputType", "JSON")
        if isinstance(content, dict) and isinstance(content.get("Contents"), list):
            items: Any = content["Contents"]
        elif isinstance(content, str):
            items = _parse_items(content, input_type, reader_config, self.name)
        else:
            items = content
        if not isinstance(items, list):
            raise StatesError(
                "States.ItemReaderFailed", f"Map '{self.name}': the reader's content is not a list of items"
            )
        maximum = reader_config.get("MaxItems")
        return items[: int(maximum)] if isinstance(maximum, int) and maximum > 0 else items

    def item_input(self, index: int, item: Any) -> Any:
        """What the item processor is given for one item: the item, or ItemSelector (Parameters) applied to it."""
        item_context = {**self.context, "Map": {"Item": {"Index": index, "Value": item}}}
        if self.states is not None:
            if "ItemSelector" not in self.state:
                return item
            item_states = {**self.states, "context": item_context}
            return self.evaluator.template(
                self.state["ItemSelector"], item_states, self.frame, self.name, "ItemSelector"
            )
        selector_key = "ItemSelector" if "ItemSelector" in self.state else "Parameters"
        if selector_key not in self.state:
            return item
        return self.evaluator.payload(
            self.state[selector_key], self.effective, item_context, self.frame, self.name, selector_key
        )

    def batches(self, items: list[Any]) -> list[Any]:
        """The items grouped as ItemBatcher says, or the items themselves."""
        batcher = self.state.get("ItemBatcher")
        if not isinstance(batcher, dict):
            return items
        size = self._number(batcher, "MaxItemsPerBatch")
        per_batch = int(size) if size else len(items) or 1
        batch_input = self._value(batcher["BatchInput"], "BatchInput") if "BatchInput" in batcher else None
        batches = []
        for start in range(0, len(items), per_batch):
            batch: dict[str, Any] = {"Items": items[start : start + per_batch]}
            if batch_input is not None:
                batch["BatchInput"] = batch_input
            batches.append(batch)
        return batches

    def concurrency(self, distributed: bool) -> int:
        """How many items run at once: MaxConcurrency, within the service's cap for the Map's mode."""
        value = self._number(self.state, "MaxConcurrency")
        cap = _DISTRIBUTED_MAP_CONCURRENCY if distributed else _INLINE_MAP_CONCURRENCY
        return min(int(value), cap) if value else cap

    def tolerated(self, failures: int, total: int) -> bool:
        """Whether ToleratedFailureCount or ToleratedFailurePercentage lets `failures` of `total` items pass."""
        count = self._number(self.state, "ToleratedFailureCount")
        percentage = self._number(self.state, "ToleratedFailurePercentage")
        if count is not None and failures <= count:
            return True
        return percentage is not None and total > 0 and failures * 100 / total <= percentage

    def written(self, states_arn: str, machine_name: str, execution_name: str) -> dict[str, Any]:
        """What a Map with a ResultWriter returns: where the results went, not the results."""
        params = self._arguments(self.state["ResultWriter"], "ResultWriter")
        prefix = str(params.get("Prefix", "")).rstrip("/") if isinstance(params, dict) else ""
        run = f"{machine_name}-{self.name}".replace(" ", "-")
        details = {
            "Bucket": params.get("Bucket") if isinstance(params, dict) else None,
            "Key": f"{prefix}/{run}/manifest.json".lstrip("/"),
        }
        return {
            "MapRunArn": f"{states_arn}:mapRun:{machine_name}/{run}:{execution_name}",
            "ResultWriterDetails": details,
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
