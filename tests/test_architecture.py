"""The package's structure: every module imports on its own, and the import graph inside singan/ has no cycle."""

import ast
import importlib
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "singan"
MODULES = sorted("singan" if p.stem == "__init__" else f"singan.{p.stem}" for p in PACKAGE.glob("*.py"))


def _module_file(name: str) -> Path:
    return PACKAGE / ("__init__.py" if name == "singan" else f"{name.split('.', 1)[1]}.py")


def _imported(name: str, node: ast.AST) -> set[str]:
    """The singan modules an import statement (anywhere in the file, lazy ones included) names."""
    if isinstance(node, ast.Import):
        return {a.name for a in node.names if a.name.split(".")[0] == "singan"}
    if not isinstance(node, ast.ImportFrom):
        return set()
    if node.level == 0 and (node.module or "").split(".")[0] != "singan":
        return set()
    if node.level > 1:
        raise AssertionError(f"{name}: relative import beyond the package")
    module = node.module if node.level == 0 else "singan" + (f".{node.module}" if node.module else "")
    if module == "singan":  # `from . import cli` names modules; `from singan import SinGANError` the package
        return {f"singan.{a.name}" for a in node.names if f"singan.{a.name}" in MODULES} or {"singan"}
    return {module}


def import_graph() -> dict[str, set[str]]:
    """module -> the singan modules it imports, parsed from the sources."""
    graph = {}
    for name in MODULES:
        tree = ast.parse(_module_file(name).read_text(), filename=str(_module_file(name)))
        graph[name] = set().union(*(_imported(name, node) for node in ast.walk(tree))) - {name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a list of nodes (first == last), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_find_cycle_finds_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_graph_sees_relative_and_lazy_imports():
    graph = import_graph()
    assert "singan.checkpoint" in graph["singan.api"]  # from . import checkpoint
    assert "singan.model" in graph["singan.sampling"]  # from .model import SinGAN
    assert len(graph) == len(MODULES) >= 20


def test_import_graph_is_acyclic():
    graph = import_graph()
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))
    assert "singan.sampling" not in graph["singan.model"]
    assert "singan.checkpoint" not in graph["singan.paths"]


@pytest.mark.parametrize("name", MODULES)
def test_module_imports_on_its_own(name):
    """Each module imports in a fresh package state (no other singan module loaded before it)."""
    saved = {k: v for k, v in sys.modules.items() if k == "singan" or k.startswith("singan.")}
    for key in saved:
        del sys.modules[key]
    try:
        module = importlib.import_module(name)
        assert module.__doc__ and module.__doc__.strip(), f"{name} has no module docstring"
        assert "REFERENCE" not in module.__doc__, f"{name}'s docstring cites a document outside the repository"
    finally:
        for key in [k for k in sys.modules if k == "singan" or k.startswith("singan.")]:
            del sys.modules[key]
        sys.modules.update(saved)
