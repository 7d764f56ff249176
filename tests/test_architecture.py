"""The package's structure: sub-packages in layers, each importing only from the layers below it (or its
own); every module imports on its own, with a docstring that stands on its own; no import cycle."""

import ast
import importlib
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "singan"
# Lowest first. A module may import modules of its own layer and of the layers below it, never above.
LAYERS = [
    ("base", ["singan.errors"]),
    ("core", ["singan.core"]),
    ("runtime", ["singan.runtime"]),  # signals, progress, devices, memory: around the algorithm
    ("io", ["singan.io"]),
    ("apps", ["singan.apps"]),
    ("api", ["singan.api"]),
    ("eval", ["singan.eval"]),
    ("batch", ["singan.batch"]),
    ("cli", ["singan.cli"]),
    ("studio", ["singan.studio"]),  # the web page, on the API and the commands' shared parts
    # Entry points: the package (its public names) and the `python -m` names of the commands.
    ("entry", ["singan", "singan.evaluate", "singan.figures", "singan.benchmark", "singan.batch.__main__"]),
]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


FILES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
MODULES = sorted(FILES)


def layer_of(module: str) -> int:
    """The index in LAYERS of the most specific prefix that names `module`."""
    best, best_len = None, -1
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_len:
                best, best_len = index, len(prefix)
    if best is None:
        raise AssertionError(f"{module} is in no layer of tests/test_architecture.py")
    return best


def _package_of(module: str) -> str:
    return module if FILES[module].name == "__init__.py" else module.rsplit(".", 1)[0]


def _imported(module: str, node: ast.AST) -> set[str]:
    """The singan modules an import statement (anywhere in the file, lazy ones included) names."""
    if isinstance(node, ast.Import):
        return {a.name for a in node.names if a.name.split(".")[0] == "singan"}
    if not isinstance(node, ast.ImportFrom):
        return set()
    if node.level == 0:
        base = node.module or ""
        if base.split(".")[0] != "singan":
            return set()
    else:
        package = _package_of(module).split(".")
        base = ".".join(package[:len(package) - node.level + 1] + ([node.module] if node.module else []))
    named = {f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in FILES}
    return named or {base}  # `from . import cli` names modules; `from .x import f` names the module x


def import_graph() -> dict[str, set[str]]:
    """module -> the singan modules it imports, parsed from the sources."""
    graph = {}
    for name in MODULES:
        tree = ast.parse(FILES[name].read_text(), filename=str(FILES[name]))
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
    assert "singan.io.checkpoint" in graph["singan.api"]  # from .io import checkpoint
    assert "singan.core.model" in graph["singan.core.sampling"]  # from .model import SinGAN
    assert "singan.cli.batch" in graph["singan.batch.__main__"]  # from ..cli import batch, program
    assert len(graph) == len(MODULES) >= 40


def test_every_module_is_in_a_layer():
    assert {name: layer_of(name) for name in MODULES}


def test_lower_layers_never_import_higher_ones():
    graph = import_graph()
    upward = [f"{a} ({LAYERS[layer_of(a)][0]}) imports {b} ({LAYERS[layer_of(b)][0]})"
              for a in MODULES for b in sorted(graph[a]) if layer_of(b) > layer_of(a)]
    assert not upward, "\n".join(upward)


def test_layering_test_sees_an_upward_import():
    assert layer_of("singan.core.training") < layer_of("singan.io.checkpoint") < layer_of("singan.cli.train")
    assert layer_of("singan.batch.__main__") > layer_of("singan.cli.batch") > layer_of("singan.batch.runner")


def test_import_graph_is_acyclic():
    graph = import_graph()
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))


@pytest.mark.parametrize("name", [m for m in MODULES if not m.endswith("__main__")])
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
