"""drafting.text stands alone: plain algorithms, no web framework, no database."""

import ast
from pathlib import Path

import pytest

import drafting.text

FORBIDDEN = ("flask", "flask_", "sqlalchemy", "werkzeug", "alembic")
MODULES = sorted(Path(drafting.text.__file__).parent.glob("*.py"))


def imported_modules(path: Path) -> set[str]:
    """The top-level names of every module a source file imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_imports_neither_flask_nor_sqlalchemy(path):
    forbidden = {name for name in imported_modules(path) if name.startswith(FORBIDDEN)}
    assert not forbidden, f"{path.name} imports {sorted(forbidden)}"
