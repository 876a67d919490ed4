"""The parts of a Map state: ItemReader, ItemBatcher, ResultWriter and their numbers, in either query language."""

from __future__ import annotations

from typing import Any

from asl_gen.lint.arns import resource_error
from asl_gen.lint.findings import Path, query_language_field
from asl_gen.lint.jsonata_syntax import looks_like_jsonata
from asl_gen.lint.values import ValueRules


class MapRules(ValueRules):
    """The reader, batcher and writer of a Map state."""

    def _check_map_parts(self, path: Path, state: dict[str, Any], language: str) -> None:
        parts = {key: state.get(key) for key in ("ItemReader", "ItemBatcher", "ResultWriter")}
        for key in ("ItemReader", "ResultWriter"):
            part = parts[key]
            if not isinstance(part, dict):
                continue
            part_path = (*path, key)
            resource = part.get("Resource")
            if isinstance(resource, str):
                problem = resource_error(resource)
                if problem:
                    self._add((*part_path, "Resource"), problem, leaf=True, rule="task-resource")
            if language == "JSONPath":
                if "Arguments" in part:
                    self.findings.append(query_language_field((*part_path, "Arguments"), "JSONata"))
                if "Parameters" in part:
                    self._check_payload((*part_path, "Parameters"), part["Parameters"])
            else:
                if "Parameters" in part:
                    self.findings.append(query_language_field((*part_path, "Parameters"), "JSONPath"))
                if "Arguments" in part:
                    self._check_expressions((*part_path, "Arguments"), part["Arguments"])
        reader_config = parts["ItemReader"].get("ReaderConfig") if isinstance(parts["ItemReader"], dict) else None
        batcher = parts["ItemBatcher"]
        nested_numbers: list[tuple[Path, dict[str, Any], tuple[str, ...]]] = []
        if isinstance(reader_config, dict):
            nested_numbers.append(((*path, "ItemReader", "ReaderConfig"), reader_config, ("MaxItems",)))
        if isinstance(batcher, dict):
            nested_numbers.append(((*path, "ItemBatcher"), batcher, ("MaxItemsPerBatch", "MaxInputBytesPerBatch")))
            if language == "JSONPath" and "BatchInput" in batcher:
                self._check_payload((*path, "ItemBatcher", "BatchInput"), batcher["BatchInput"])
            elif "BatchInput" in batcher:
                self._check_expressions((*path, "ItemBatcher", "BatchInput"), batcher["BatchInput"])
        for part_path, part, keys in nested_numbers:
            for key in keys:
                if language == "JSONPath" and looks_like_jsonata(part.get(key)):
                    self._add(
                        (*part_path, key),
                        f"'{key}' holds a JSONata expression, but this state uses JSONPath",
                        f'use \'{key}Path\', or set "QueryLanguage": "JSONata"',
                        rule="query-language-field",
                    )
                elif language == "JSONata" and key in part:
                    self._check_expressions((*part_path, key), part[key])
                if language == "JSONata" and key + "Path" in part:
                    self.findings.append(query_language_field((*part_path, key + "Path"), "JSONPath"))
                elif language == "JSONPath":
                    self._check_path_value((*part_path, key + "Path"), part.get(key + "Path"), key + "Path" in part)
