"""The layers import one way only: cli -> core -> models/objectives -> runtime (ARCHITECTURE.md), and no module imports
itself back through others. Every import statement counts, at module level or inside a function."""
import ast
from pathlib import Path

import pytest

PLAIT = Path(__file__).resolve().parent.parent / "plait"
# runtime/ (machine tuning) sits below models/: every layer may use it, it uses none of them.
FORBIDDEN = {"models": ("plait.core", "plait.cli"), "objectives": ("plait.core", "plait.cli"), "core": ("plait.cli",),
             "runtime": ("plait.core", "plait.cli", "plait.models", "plait.objectives")}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.lineno, node.module))
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_nothing_from_the_layers_above_it(layer):
    files = sorted((PLAIT / layer).rglob("*.py"))
    assert files
    wrong = [f"{path.relative_to(PLAIT.parent)}:{line}: {module}" for path in files
             for line, module in imported_modules(path)
             if any(module == bad or module.startswith(bad + ".") for bad in FORBIDDEN[layer])]
    assert wrong == []


def test_the_check_sees_a_wrong_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from plait.core.doc import Doc\n    import plait.cli.main\n")
    assert imported_modules(bad) == [(2, "plait.core.doc"), (3, "plait.cli.main")]


# -- import cycles ----------------------------------------------------------------------------------------------
# A cycle that must stay would be listed here as a sorted tuple of module names, with the reason beside it.
# None may involve core/pipeline.py, training/, listeners.py, saving.py, sourcing.py, multiprocess.py or
# init_config.py (issue 38). Empty: plait has no import cycle.
ALLOWED_CYCLES: set[tuple[str, ...]] = set()


def module_files(root: Path) -> dict[str, Path]:
    """Every module under the package directory `root`, by dotted name (a package by its __init__.py)."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _executed(node: ast.AST):
    """Every node under `node` that can run: the body of `if TYPE_CHECKING:` never does (its `else` may)."""
    for child in ast.iter_child_nodes(node):
        test = getattr(child, "test", None) if isinstance(child, ast.If) else None
        if test is not None and (getattr(test, "id", None) or getattr(test, "attr", None)) == "TYPE_CHECKING":
            for branch in child.orelse:
                yield branch
                yield from _executed(branch)
            continue
        yield child
        yield from _executed(child)


def module_imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of `known` that module `name` (at `path`) imports, anywhere in its code.

    `import a.b` needs a.b; `from a import b` needs a (its body supplies the names) and a.b when that is a
    module; relative imports are resolved; `importlib.import_module("a.b")` with a literal name counts too.
    A name that is not a module of `known` counts as the nearest enclosing one.
    """
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]

    def nearest(dotted: str) -> str:
        while dotted and dotted not in known:
            dotted = dotted.rpartition(".")[0]
        return dotted

    found: set[str] = set()
    for node in _executed(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(nearest(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # from . import x / from ..y import z
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(nearest(base))
            found.update(nearest(f"{base}.{alias.name}") for alias in node.names)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == \
                "import_module" and node.args and isinstance(node.args[0], ast.Constant) and \
                isinstance(node.args[0].value, str):
            found.add(nearest(node.args[0].value))
    return found - {"", name}


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module -> the modules it imports, for every module of the package at `root`."""
    files = module_files(root)
    return {name: module_imports(name, path, set(files)) for name, path in files.items()}


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    return cycles


def cycle_path(graph: dict[str, set[str]], members: list[str]) -> str:
    """One loop among `members` from the first, as `a -> b -> ... -> a`: the imports that close the cycle."""
    inside = set(members)
    path, seen = [members[0]], {members[0]: 0}
    while True:
        following = sorted(m for m in graph[path[-1]] if m in inside)
        step = next((m for m in following if m in seen), None) or following[0]
        if step in seen:
            return " -> ".join(path[seen[step]:] + [step])
        seen[step] = len(path)
        path.append(step)


def test_plait_has_no_import_cycle():
    """No module of plait imports, directly or through others, a module that imports it back. Every import
    counts, inside functions too (it runs when the function does); imports under `if TYPE_CHECKING:` do not,
    because they never run."""
    graph = import_graph(PLAIT)
    found = [f"{', '.join(members)} (e.g. {cycle_path(graph, members)})" for members in import_cycles(graph)
             if tuple(members) not in ALLOWED_CYCLES]
    assert not found, "import cycles (modules, then one loop through them):\n" + "\n".join(found)


def test_allowed_cycles_avoid_the_core_of_the_pipeline():
    guarded = ("plait.core.pipeline", "plait.core.training", "plait.core.listeners", "plait.core.saving",
               "plait.core.sourcing", "plait.core.multiprocess", "plait.core.init_config")
    assert [c for c in ALLOWED_CYCLES for m in c for g in guarded if m == g or m.startswith(g + ".")] == []


def test_the_cycle_check_sees_a_cycle(tmp_path):
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("def version():\n    from pkg.sub import c\n    return c.VERSION\n")
    (package / "a.py").write_text("from typing import TYPE_CHECKING\nfrom . import b\nif TYPE_CHECKING:\n"
                                  "    from pkg import d\n")
    (package / "b.py").write_text("def later():\n    from .sub.c import thing\n")
    (package / "d.py").write_text("import pkg.a\n")  # a -> d only under TYPE_CHECKING: no cycle
    (package / "sub" / "__init__.py").write_text("")
    (package / "sub" / "c.py").write_text("import importlib\nimportlib.import_module('pkg.a')\nimport pkg\n")
    graph = import_graph(package)
    assert graph["pkg.a"] == {"pkg", "pkg.b"} and graph["pkg.b"] == {"pkg.sub.c"}
    assert import_cycles(graph) == [["pkg", "pkg.a", "pkg.b", "pkg.sub.c"]]
    assert cycle_path(graph, ["pkg", "pkg.a", "pkg.b", "pkg.sub.c"]) == "pkg -> pkg.sub.c -> pkg"
    assert cycle_path(graph, ["pkg.a", "pkg.b", "pkg.sub.c"]) == "pkg.a -> pkg.b -> pkg.sub.c -> pkg.a"


def test_core_never_imports_the_package_root():
    """`plait/__init__.py` is the public face over core (it imports core lazily): core reading it back would
    make a cycle through it; the version lives in `plait.core.about`."""
    wrong = [f"{path.relative_to(PLAIT.parent)}:{line}" for path in sorted((PLAIT / "core").rglob("*.py"))
             for line, module in imported_modules(path) if module == "plait"]
    assert wrong == []
