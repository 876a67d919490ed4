"""Draw any ASL definition as a Mermaid or Graphviz DOT flowchart, or give its graph as data.

Works on parsed JSON, generated or hand-written: every state, Choice rules as edge labels, Catch edges dashed
with their error names, Parallel branches and Map processors as nested boxes, a start and an end marker for
every scope. Node ids are generated (`s1`, `s2`, ...), never derived from state names, so no state name can
break the diagram's syntax; names only ever appear inside escaped labels.

Imports: nothing from asl_gen
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

FORMATS = ("mermaid", "dot")
# Long JSONata conditions or And/Or trees would make an edge label wider than the whole diagram.
LABEL_MAX = 80

_TASK_RESOURCE = re.compile(r"^arn:[^:]+:states:::(.+)$")


@dataclass
class Node:
    id: str
    name: str
    type: str
    detail: str | None = None


@dataclass
class Scope:
    """A list of states with one start: the top level, a Parallel branch or a Map's item processor."""

    start: str
    stop: str
    label: str | None = None
    box: str | None = None  # the id of the box drawn around a branch; item processors use their Map's box
    items: list[Node | Container] = field(default_factory=list)


@dataclass
class Container:
    """A Parallel or Map state: a box holding the scopes it runs."""

    node: Node
    scopes: list[Scope]


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: str  # start, next, end, choice, default, catch
    label: str | None = None


@dataclass
class Graph:
    root: Scope
    edges: list[Edge]

    def nodes(self) -> Iterator[tuple[Node, str | None]]:
        """Every state with the id of the state containing it (None at the top level)."""

        def walk(scope: Scope, parent: str | None) -> Iterator[tuple[Node, str | None]]:
            for item in scope.items:
                node = item.node if isinstance(item, Container) else item
                yield node, parent
                if isinstance(item, Container):
                    for inner in item.scopes:
                        yield from walk(inner, node.id)

        return walk(self.root, None)


def build_graph(definition: Mapping[str, Any]) -> Graph:
    """The graph of an ASL definition; tolerant of what validation would reject (missing targets become nodes)."""
    builder = _Builder()
    root = builder.scope(definition)
    return Graph(root, builder.edges)


class _Builder:
    def __init__(self) -> None:
        self.states = 0
        self.scopes = 0
        self.edges: list[Edge] = []

    def _state_id(self) -> str:
        self.states += 1
        return f"s{self.states}"

    def scope(self, body: object, label: str | None = None, *, boxed: bool = False) -> Scope:
        index = self.scopes
        self.scopes += 1
        scope = Scope(start=f"start{index}", stop=f"stop{index}", label=label, box=f"branch{index}" if boxed else None)
        body = body if isinstance(body, Mapping) else {}
        states = body.get("States")
        states = states if isinstance(states, Mapping) else {}
        # Ids first, so that a Next can point at a state defined further down.
        ids = {str(name): self._state_id() for name in states}
        missing: dict[str, str] = {}

        def target(name: object) -> str:
            key = str(name)
            if key in ids:
                return ids[key]
            if key not in missing:
                missing[key] = self._state_id()
                scope.items.append(Node(missing[key], key, "Missing", "not defined in this scope"))
            return missing[key]

        if "StartAt" in body:
            self.edges.append(Edge(scope.start, target(body["StartAt"]), "start"))
        for name, state in states.items():
            state = state if isinstance(state, Mapping) else {}
            node = Node(ids[str(name)], str(name), str(state.get("Type", "?")), _detail(state))
            scope.items.insert(len(scope.items) - len(missing), self._item(node, state))
            self._transitions(node, state, scope, target)
        return scope

    def _item(self, node: Node, state: Mapping[str, Any]) -> Node | Container:
        if node.type == "Parallel":
            branches = state.get("Branches")
            branches = branches if isinstance(branches, list) else []
            scopes = [self.scope(b, f"Branch {i}", boxed=True) for i, b in enumerate(branches, 1)]
            return Container(node, scopes)
        if node.type == "Map":
            processor = state.get("ItemProcessor", state.get("Iterator"))
            return Container(node, [self.scope(processor)])
        return node

    def _transitions(self, node: Node, state: Mapping[str, Any], scope: Scope, target: Callable[[object], str]) -> None:
        if node.type == "Choice":
            choices = state.get("Choices")
            for rule in choices if isinstance(choices, list) else []:
                if isinstance(rule, Mapping) and "Next" in rule:
                    self.edges.append(Edge(node.id, target(rule["Next"]), "choice", _shorten(describe_rule(rule))))
            if "Default" in state:
                self.edges.append(Edge(node.id, target(state["Default"]), "default", "Default"))
        elif "Next" in state:
            self.edges.append(Edge(node.id, target(state["Next"]), "next"))
        elif state.get("End") is True or node.type in ("Succeed", "Fail"):
            self.edges.append(Edge(node.id, scope.stop, "end"))
        catchers = state.get("Catch")
        for catcher in catchers if isinstance(catchers, list) else []:
            if isinstance(catcher, Mapping) and "Next" in catcher:
                errors = catcher.get("ErrorEquals")
                label = ", ".join(str(e) for e in errors) if isinstance(errors, list) else "error"
                self.edges.append(Edge(node.id, target(catcher["Next"]), "catch", _shorten(label)))


def _detail(state: Mapping[str, Any]) -> str | None:
    """A second label line for a Task: the service call, without the ARN boilerplate."""
    resource = state.get("Resource")
    if state.get("Type") != "Task" or not isinstance(resource, str):
        return None
    match = _TASK_RESOURCE.match(resource)
    return _shorten(match.group(1) if match else resource.rsplit(":", 1)[-1] or resource)


def _shorten(text: str) -> str:
    return text if len(text) <= LABEL_MAX else text[: LABEL_MAX - 1] + "…"


_OPERATORS = [
    ("GreaterThanEquals", ">="),
    ("LessThanEquals", "<="),
    ("GreaterThan", ">"),
    ("LessThan", "<"),
    ("Equals", "=="),
    ("Matches", "matches"),
]
_TESTS = {
    "IsNull": "null",
    "IsPresent": "present",
    "IsString": "a string",
    "IsNumeric": "a number",
    "IsBoolean": "a boolean",
    "IsTimestamp": "a timestamp",
}


def describe_rule(rule: Mapping[str, Any]) -> str:
    """A Choice rule as a short condition: `$.status == "InService"`, `not ($.a > 1) and $.b is present`."""
    if "Condition" in rule:
        return str(rule["Condition"])
    for combinator in ("And", "Or"):
        parts = rule.get(combinator)
        if isinstance(parts, list):
            return f" {combinator.lower()} ".join(_nested(p) for p in parts)
    if isinstance(rule.get("Not"), Mapping):
        return f"not ({describe_rule(rule['Not'])})"
    variable = str(rule.get("Variable", "?"))
    for key, value in rule.items():
        if key in _TESTS:
            negation = "" if value is True else "not "
            return f"{variable} is {negation}{_TESTS[key]}"
        for suffix, symbol in _OPERATORS:
            base = key.removesuffix("Path")
            if base.endswith(suffix) and base[: -len(suffix)] in ("String", "Numeric", "Boolean", "Timestamp"):
                shown = str(value) if key.endswith("Path") else json.dumps(value, ensure_ascii=False)
                return f"{variable} {symbol} {shown}"
    return variable


def _nested(rule: object) -> str:
    if not isinstance(rule, Mapping):
        return "?"
    text = describe_rule(rule)
    return f"({text})" if any(k in rule for k in ("And", "Or", "Not")) else text


# ---------------------------------------------------------------------------------------------------------
# Mermaid

_MERMAID_SAFE = set(" -_.,:/()'+=?!$@")
_MERMAID_SHAPES = {
    "Choice": ('{"', '"}'),
    "Pass": ('("', '")'),
    "Wait": ('{{"', '"}}'),
    "Succeed": ('(["', '"])'),
    "Fail": ('(["', '"])'),
}
_MERMAID_CLASSES = {
    "Succeed": "succeed fill:#e6f4ea,stroke:#1e8e3e",
    "Fail": "fail fill:#fce8e6,stroke:#d93025",
    "Missing": "missing stroke-dasharray:4 4",
    "marker": "marker fill:#5f6368,stroke:#5f6368,color:#fff",
}
_MERMAID_ARROWS = {"catch": "-.->"}


def mermaid_text(text: str) -> str:
    """A label Mermaid shows verbatim: anything but letters, digits and plain punctuation becomes `#code;`.

    Quotes, `#`, `|`, brackets, `<`, backticks, `%` and control characters would otherwise end the label, start
    an entity, a comment or HTML, or close the Markdown fence around the diagram.
    """
    # An empty label is a syntax error; a no-break space keeps the node's shape.
    return "".join(c if c.isalnum() or c in _MERMAID_SAFE else f"#{ord(c)};" for c in text) or "#160;"


class _Syntax:
    """How one diagram format writes a node, a scope's start and end markers, and the boxes that nest scopes."""

    end = ""

    def node(self, node: Node) -> str:
        raise NotImplementedError

    def start(self, scope: Scope) -> str:
        raise NotImplementedError

    def stop(self, scope: Scope) -> str:
        raise NotImplementedError

    def container(self, container: Container) -> list[str]:
        """The opening line of a Parallel or Map state's box, then its settings."""
        raise NotImplementedError

    def box(self, scope: Scope) -> list[str]:
        """The opening line of the box around one branch, then its settings."""
        raise NotImplementedError


def _write_scope(scope: Scope, indent: str, syntax: _Syntax, lines: list[str]) -> None:
    """The lines of a scope and, nested in boxes, of the scopes its Parallel and Map states run."""

    def opening(head: list[str], indent: str) -> None:
        lines.append(indent + head[0])
        lines.extend(f"{indent}    {setting}" for setting in head[1:])

    lines.append(indent + syntax.start(scope))
    for item in scope.items:
        if not isinstance(item, Container):
            lines.append(indent + syntax.node(item))
            continue
        opening(syntax.container(item), indent)
        for inner in item.scopes:
            if inner.box:
                opening(syntax.box(inner), indent + "    ")
                _write_scope(inner, indent + "        ", syntax, lines)
                lines.append(f"{indent}    {syntax.end}")
            else:
                _write_scope(inner, indent + "    ", syntax, lines)
        lines.append(indent + syntax.end)
    lines.append(indent + syntax.stop(scope))


class _Mermaid(_Syntax):
    end = "end"

    def __init__(self) -> None:
        self.used: set[str] = {"marker"}

    def node(self, node: Node) -> str:
        label = mermaid_text(node.name)
        if node.detail:
            label += "<br/>" + mermaid_text(node.detail)
        opening, closing = _MERMAID_SHAPES.get(node.type, ('["', '"]'))
        css = node.type if node.type in _MERMAID_CLASSES else None
        if css:
            self.used.add(css)
        suffix = f":::{_MERMAID_CLASSES[css].split()[0]}" if css else ""
        return f"{node.id}{opening}{label}{closing}{suffix}"

    def start(self, scope: Scope) -> str:
        return f'{scope.start}(("Start")):::marker'

    def stop(self, scope: Scope) -> str:
        return f'{scope.stop}(("End")):::marker'

    def container(self, container: Container) -> list[str]:
        node = container.node
        return [f'subgraph {node.id}["{mermaid_text(f"{node.name} ({node.type})")}"]', "direction TB"]

    def box(self, scope: Scope) -> list[str]:
        return [f'subgraph {scope.box}["{mermaid_text(scope.label or "")}"]', "direction TB"]


def to_mermaid(definition: Mapping[str, Any]) -> str:
    """A Mermaid `flowchart TD` of the definition, ending with a newline."""
    graph = build_graph(definition)
    lines = ["flowchart TD"]
    syntax = _Mermaid()
    _write_scope(graph.root, "    ", syntax, lines)
    for edge in graph.edges:
        arrow = _MERMAID_ARROWS.get(edge.kind, "-->")
        label = f'|"{mermaid_text(edge.label)}"|' if edge.label else ""
        lines.append(f"    {edge.source} {arrow}{label} {edge.target}")
    lines.extend(f"    classDef {_MERMAID_CLASSES[name]}" for name in _MERMAID_CLASSES if name in syntax.used)
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------------------
# Graphviz DOT

_DOT_SHAPES = {
    "Choice": "shape=diamond",
    "Pass": 'shape=box, style="rounded,dashed"',
    "Wait": "shape=hexagon",
    "Succeed": 'shape=box, style="rounded,filled", fillcolor="#e6f4ea"',
    "Fail": 'shape=box, style="rounded,filled", fillcolor="#fce8e6"',
    "Missing": 'shape=box, style="dashed"',
}


def dot_text(text: str) -> str:
    """A DOT string literal; backslashes are doubled so that `\\N`, `\\G` or `\\l` in a name stay literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    escaped = "".join(c if c.isprintable() else f"\\\\x{ord(c):02x}" for c in escaped)
    return f'"{escaped}"'


class _Dot(_Syntax):
    end = "}"

    def __init__(self) -> None:
        # An edge to or from a Parallel or Map state attaches to a marker inside its cluster and is clipped at the
        # cluster's border (compound=true), so it reads as an edge to the box.
        self.entry: dict[str, tuple[str, str]] = {}
        self.exit: dict[str, tuple[str, str]] = {}

    def node(self, node: Node) -> str:
        label = node.name + (f"\n{node.detail}" if node.detail else "")
        shape = _DOT_SHAPES.get(node.type)
        attributes = f"label={dot_text(label)}" + (f", {shape}" if shape else "")
        return f"{node.id} [{attributes}];"

    def start(self, scope: Scope) -> str:
        return f'{scope.start} [label="Start", shape=circle, style=filled, fillcolor="#5f6368", fontcolor=white];'

    def stop(self, scope: Scope) -> str:
        return f'{scope.stop} [label="End", shape=doublecircle, style=filled, fillcolor="#5f6368", fontcolor=white];'

    def container(self, container: Container) -> list[str]:
        node = container.node
        cluster = f"cluster_{node.id}"
        if container.scopes:
            self.entry[node.id] = (container.scopes[0].start, cluster)
            self.exit[node.id] = (container.scopes[-1].stop, cluster)
        return [f"subgraph {cluster} {{", f"label={dot_text(f'{node.name} ({node.type})')};", "style=rounded;"]

    def box(self, scope: Scope) -> list[str]:
        return [f"subgraph cluster_{scope.box} {{", f"label={dot_text(scope.label or '')};", "style=dashed;"]


def to_dot(definition: Mapping[str, Any], name: str = "state machine") -> str:
    """A Graphviz digraph of the definition, ending with a newline."""
    graph = build_graph(definition)
    lines = [
        f"digraph {dot_text(name)} {{",
        "    rankdir=TB;",
        "    compound=true;",
        '    fontname="Helvetica";',
        '    node [shape=box, style=rounded, fontname="Helvetica"];',
        '    edge [fontname="Helvetica"];',
    ]
    syntax = _Dot()
    _write_scope(graph.root, "    ", syntax, lines)
    for edge in graph.edges:
        attributes = []
        source, target = edge.source, edge.target
        if source in syntax.exit:
            source, cluster = syntax.exit[source]
            attributes.append(f"ltail={cluster}")
        if target in syntax.entry:
            target, cluster = syntax.entry[target]
            attributes.append(f"lhead={cluster}")
        if edge.kind == "catch":
            attributes.append("style=dashed")
        if edge.label:
            attributes.append(f"label={dot_text(edge.label)}")
        suffix = f" [{', '.join(attributes)}]" if attributes else ""
        lines.append(f"    {source} -> {target}{suffix};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_data(definition: Mapping[str, Any]) -> dict[str, Any]:
    """The graph as plain data: states with their parent state, and typed edges."""
    graph = build_graph(definition)
    return {
        "nodes": [{"id": n.id, "name": n.name, "type": n.type, "parent": parent} for n, parent in graph.nodes()],
        "edges": [{"from": e.source, "to": e.target, "kind": e.kind, "label": e.label} for e in graph.edges],
    }


def render(definition: Mapping[str, Any], fmt: str, name: str = "state machine") -> str:
    """The diagram in `fmt` ("mermaid" or "dot")."""
    if fmt == "dot":
        return to_dot(definition, name)
    return to_mermaid(definition)


def markdown(definition: Mapping[str, Any], title: str, source: str) -> str:
    """A Markdown page with the Mermaid diagram of one state machine (GitHub and GitLab render it)."""
    comment = definition.get("Comment")
    lines = [f"# {_markdown_text(title)}", ""]
    if isinstance(comment, str) and comment.strip():
        lines += [_markdown_text(comment), ""]
    lines += [
        f"<!-- Generated by asl-gen from {source}; edit the spec, not this file. -->",
        "",
        "```mermaid",
        to_mermaid(definition).rstrip("\n"),
        "```",
    ]
    return "\n".join(lines) + "\n"


def _markdown_text(text: str) -> str:
    # One line of plain text: no heading, list, HTML or emphasis can start from a user's comment.
    flat = " ".join(text.split())
    return re.sub(r"([\\`*_\[\]<>|~&#])", r"\\\1", flat)
