"""Imports point one way and go round in no circle.

The arrows: firmware may import drivers, display and protocol; those three never import firmware nor one another, and
protocol imports nothing of ours at all (docs/architecture.md). Any import counts for the arrows, wherever it sits.

The circles: module-level imports only (what runs when a module is first imported), so an import inside a function
or under ``if TYPE_CHECKING:`` is no edge. A cycle among them means a module can be met half-initialised, depending on
which one was imported first.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("firmware", "drivers", "display", "protocol")
MAY_NOT_IMPORT = {
    "drivers": {"firmware", "display", "protocol"},
    "display": {"firmware", "drivers", "protocol"},
    "protocol": {"firmware", "drivers", "display"},
}


def our_modules() -> dict[str, tuple[Path, bool]]:
    """Every module of ours by dotted name: (its file, whether it is a package's ``__init__``)."""
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            modules[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return modules


MODULES = our_modules()


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _module_level(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """The import statements that run when the module is imported (not in functions, not for the type checker)."""
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If):
            if not _is_type_checking(node.test):
                yield from _module_level(node.body)
            yield from _module_level(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)):
                yield from _module_level(block)
        elif isinstance(node, (ast.With, ast.ClassDef)):
            yield from _module_level(node.body)


def _imported_names(name: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The dotted names an import statement in module ``name`` asks for: for ``from p import x``, ``p`` (whose
    namespace is read, even when ``x`` is a submodule) and ``p.x`` when that is a module."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = name if MODULES[name][1] else name.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{base}" if base else package
    return [base, *(f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in MODULES)]


def _ancestors(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules of ours its import runs or reads. Importing a.b.c runs a and a.b too, unless the importer
    lives inside them (they are then being imported already); ``from a.b import c`` reads a.b's namespace even then,
    so it counts as an edge to a.b (to a package whose ``__init__`` imports the importer, that is a circle)."""
    graph: dict[str, set[str]] = {}
    for name, (path, _) in MODULES.items():
        edges: set[str] = set()
        own = set(_ancestors(name))
        for node in _module_level(ast.parse(path.read_text(encoding="utf-8"), str(path)).body):
            for target in _imported_names(name, node):
                edges |= {m for m in _ancestors(target) if m in MODULES and m not in own}
                edges |= {target} if target in MODULES else set()
        edges.discard(name)
        graph[name] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph[node]):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_the_graph_sees_our_modules_and_their_imports() -> None:
    graph = import_graph()
    assert "firmware.reception.machine" in graph and "drivers.card.pcsc" in graph
    assert "firmware.reception.types" in graph["firmware.reception.machine"]
    assert "drivers.card.errors" in graph["drivers.card.pcsc"]  # `from drivers.card import errors`: a submodule


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles_among_our_modules() -> None:
    assert cycles(import_graph()) == []


def test_imports_point_one_way() -> None:
    offenders = []
    for name, (path, _) in MODULES.items():
        forbidden = MAY_NOT_IMPORT.get(name.split(".")[0], set())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                offenders += [f"{name} imports {target}" for target in _imported_names(name, node)
                              if target.split(".")[0] in forbidden]
    assert offenders == []
