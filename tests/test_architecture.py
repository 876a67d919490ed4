"""The package layout keeps the promises its docstrings make.

`asl_gen/__init__.py` lists the units (top-level modules and packages) in the order data flows through them; a
unit may import only units listed above it. Each unit's docstring ends with an `Imports:` line naming exactly the
units it imports (for a package: any of its modules, lazy imports included). Modules inside a package that carry
their own `Imports:` line are held to it too. No module imports another in a cycle, and none is over 800 lines.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "asl_gen"
ROOT = "asl_gen"
MAX_LINES = 800
IMPORTS_LINE = re.compile(r"^Imports: (.+)$", re.MULTILINE)


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _unit_order() -> list[str]:
    doc = ast.get_docstring(ast.parse(MODULES[ROOT].read_text(encoding="utf-8"))) or ""
    return re.findall(r"^    ([a-z_]+) {2,}\S", doc, re.MULTILINE)


ORDER = _unit_order()


def _unit_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ROOT


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(module: str, *, runtime_only: bool, source: str | None = None) -> Iterator[str]:
    """The asl_gen modules `module` imports, at any depth (functions included)."""
    path = MODULES.get(module)
    tree = ast.parse(source if source is not None else path.read_text(encoding="utf-8") if path else "")
    package = module if path is not None and path.name == "__init__.py" else module.rpartition(".")[0]

    def walk(node: ast.AST) -> Iterator[str]:
        for child in ast.iter_child_nodes(node):
            if runtime_only and isinstance(child, ast.If) and _is_type_checking(child):
                yield from (name for orelse in child.orelse for name in walk(orelse))
                continue
            if isinstance(child, ast.Import):
                yield from (alias.name for alias in child.names if alias.name.split(".")[0] == ROOT)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                if base.split(".")[0] != ROOT:
                    continue
                for alias in child.names:
                    # `from asl_gen import spec` names a module; `from asl_gen.spec import Spec` names a value.
                    candidate = f"{base}.{alias.name}"
                    yield candidate if candidate in MODULES else base
            yield from walk(child)

    yield from walk(tree)


def _declared(module: str) -> set[str] | None:
    doc = ast.get_docstring(ast.parse(MODULES[module].read_text(encoding="utf-8"))) or ""
    match = IMPORTS_LINE.search(doc)
    if match is None:
        return None
    text = match.group(1).strip()
    return set() if text == "nothing from asl_gen" else {name.strip() for name in text.split(",")}


def _unit_modules(unit: str) -> list[str]:
    return [m for m in MODULES if m != ROOT and _unit_of(m) == unit] if unit != ROOT else [ROOT]


UNITS = sorted({_unit_of(m) for m in MODULES} - {ROOT, "__main__"})


def test_the_root_lists_every_unit_once() -> None:
    assert len(ORDER) == len(set(ORDER)), ORDER
    assert sorted(ORDER) == UNITS, f"listed: {sorted(ORDER)}\nfound: {UNITS}"


@pytest.mark.parametrize("unit", UNITS)
def test_a_unit_imports_only_units_above_it_and_says_which(unit: str) -> None:
    head = f"{ROOT}.{unit}"
    declared = _declared(head)
    assert declared is not None, f"{MODULES[head]} has no 'Imports:' line in its docstring"
    used: dict[str, set[str]] = {}
    for module in _unit_modules(unit):
        for imported in _imports(module, runtime_only=False):
            other = _unit_of(imported)
            if other != unit:
                used.setdefault(other, set()).add(module)
    above = set(ORDER[: ORDER.index(unit)])
    against = {other: sorted(where) for other, where in used.items() if other != ROOT and other not in above}
    assert not against, f"{unit} imports units listed below it in asl_gen/__init__.py: {against}"
    assert set(used) - {ROOT} == declared - {ROOT}, (
        f"{MODULES[head]}: 'Imports:' says {sorted(declared)}, the code imports {sorted(used)}"
    )


@pytest.mark.parametrize("module", [m for m in MODULES if m.count(".") >= 2 and _declared(m) is not None])
def test_a_module_with_its_own_imports_line_keeps_to_it(module: str) -> None:
    used = {_unit_of(m) for m in _imports(module, runtime_only=False)} - {_unit_of(module), ROOT}
    declared = _declared(module) or set()
    assert used == declared - {ROOT}, f"{MODULES[module]}: 'Imports:' says {sorted(declared)}, code: {sorted(used)}"


def test_no_module_imports_itself_through_a_cycle() -> None:
    graph = {m: {i for i in _imports(m, runtime_only=True) if i in MODULES and i != m} for m in MODULES}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(module: str, trail: list[str]) -> None:
        state[module] = 1
        for nxt in sorted(graph[module]):
            if state.get(nxt) == 1:
                cycles.append([*trail[trail.index(nxt) :], nxt] if nxt in trail else [module, nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_no_module_is_too_long() -> None:
    long = {
        str(path.relative_to(PACKAGE.parent)): n
        for path in MODULES.values()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_the_checks_above_can_fail() -> None:
    """The import walk sees what it must: a lazy import, a relative one, and one under TYPE_CHECKING."""
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from asl_gen.plan import ProjectPlan\n"
        "def f():\n    from asl_gen import spec\n"
        "from .model import x\n"
    )
    probe = "asl_gen.plan._architecture_probe"
    every = set(_imports(probe, runtime_only=False, source=source))
    runtime = set(_imports(probe, runtime_only=True, source=source))
    assert every == {"asl_gen.plan", "asl_gen.spec", "asl_gen.plan.model"}
    assert runtime == {"asl_gen.spec", "asl_gen.plan.model"}
