"""What to call the object at a path in a message: "a Task state", "a retrier", "the policy"."""

from __future__ import annotations

from asl_gen.lint.findings import Path, field_label

STATE_TYPES = ("Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")


def state_type_at(doc: object, path: Path) -> str | None:
    if len(path) >= 2 and path[-2] == "States":
        node = _get(doc, path)
        if isinstance(node, dict) and node.get("Type") in STATE_TYPES:
            return str(node["Type"])
    return None


def _get(doc: object, path: Path) -> object:
    node = doc
    for part in path:
        if isinstance(node, dict) and isinstance(part, str):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return None
    return node


_ASL_CONTEXTS = {
    "ItemProcessor": "an ItemProcessor",
    "Iterator": "an Iterator",
    "ProcessorConfig": "a ProcessorConfig",
    "ItemReader": "an ItemReader",
    "ReaderConfig": "a ReaderConfig",
    "ItemBatcher": "an ItemBatcher",
    "ResultWriter": "a ResultWriter",
    "WriterConfig": "a WriterConfig",
    "Credentials": "Credentials",
    "Not": "a nested Choice rule (inside Not)",
}


def asl_context(doc: object, path: Path) -> str:
    if not path:
        return "the state machine"
    last, parent = path[-1], (path[-2] if len(path) > 1 else None)
    if parent == "States" and isinstance(last, str):
        state_type = state_type_at(doc, path)
        return f"a {state_type} state" if state_type else "a state"
    if isinstance(last, int):
        names = {
            "Branches": "a Parallel branch",
            "Retry": "a retrier",
            "Catch": "a catcher",
            "Choices": "a Choice rule",
            "And": "a nested Choice rule (inside And)",
            "Or": "a nested Choice rule (inside Or)",
        }
        if isinstance(parent, str) and parent in names:
            return names[parent]
    if isinstance(last, str) and last in _ASL_CONTEXTS:
        return _ASL_CONTEXTS[last]
    return field_label(path)


def iam_context(doc: object, path: Path) -> str:
    if not path:
        return "the policy"
    if path[-1] in ("Principal", "NotPrincipal"):
        return "a Principal"
    if path[0] == "Statement" and len(path) <= 2:
        return "a statement"
    return field_label(path)
