"""The scopes of a definition for the cross-state checks: each one's language, parent, owner and how it runs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from asl_gen.lint.findings import Path


@dataclass
class WorkflowScope:
    """The states of one workflow (the machine, a Parallel branch or a Map's item processor) and what it sees."""

    path: Path
    states: dict[str, Any]
    start: object
    language: str
    parent: WorkflowScope | None
    owner: str | None  # the Parallel or Map state (in the parent scope) that runs this scope
    distributed: bool  # a Distributed Map's child workflow: it sees no outer variables
    express: bool  # runs as an Express child workflow (a Distributed Map with ExecutionType EXPRESS)


def language_of(state: dict[str, Any], scope: WorkflowScope) -> str:
    explicit = state.get("QueryLanguage")
    return explicit if explicit in ("JSONPath", "JSONata") else scope.language


def workflow_scopes(doc: dict[str, Any]) -> Iterator[WorkflowScope]:
    top_language = str(doc["QueryLanguage"]) if doc.get("QueryLanguage") in ("JSONPath", "JSONata") else "JSONPath"

    def walk(
        path: Path, root: Any, language: str, parent: WorkflowScope | None, owner: str | None, **kind: bool
    ) -> Iterator[WorkflowScope]:
        if not isinstance(root, dict) or not isinstance(root.get("States"), dict):
            return
        if root.get("QueryLanguage") in ("JSONPath", "JSONata"):
            language = str(root["QueryLanguage"])
        scope = WorkflowScope(path, root["States"], root.get("StartAt"), language, parent, owner, **kind)
        yield scope
        for name, state in scope.states.items():
            if not isinstance(state, dict):
                continue
            state_path = (*path, "States", name)
            inner_language = language_of(state, scope)
            if state.get("Type") == "Parallel":
                branches = state.get("Branches")
                for index, branch in enumerate(branches if isinstance(branches, list) else []):
                    yield from walk(
                        (*state_path, "Branches", index),
                        branch,
                        inner_language,
                        scope,
                        name,
                        distributed=False,
                        express=scope.express,
                    )
            if state.get("Type") == "Map":
                for key in ("ItemProcessor", "Iterator"):
                    processor = state.get(key)
                    config = processor.get("ProcessorConfig") if isinstance(processor, dict) else None
                    config = config if isinstance(config, dict) else {}
                    distributed = config.get("Mode") == "DISTRIBUTED"
                    express = scope.express or (distributed and config.get("ExecutionType") == "EXPRESS")
                    yield from walk(
                        (*state_path, key),
                        processor,
                        inner_language,
                        scope,
                        name,
                        distributed=distributed,
                        express=express,
                    )

    yield from walk((), doc, top_language, None, None, distributed=False, express=False)
