"""The layers import one way only: cli -> core -> models/objectives (ARCHITECTURE.md). Every import statement
counts, at module level or inside a function."""
import ast
from pathlib import Path

import pytest

PLAIT = Path(__file__).resolve().parent.parent / "plait"
FORBIDDEN = {"models": ("plait.core", "plait.cli"), "objectives": ("plait.core", "plait.cli"), "core": ("plait.cli",)}


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
