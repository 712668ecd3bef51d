"""The tests stand alone: helpers and fixtures live in conftest or helper modules, and no test
module imports another (one that did would run, and could pass, on the other's state)."""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TEST_MODULES = sorted(
    path
    for package in ("atelier", "reviews", "loaders", "deploy", "loadtests")
    for path in (REPO / package).rglob("test_*.py")
    if ".venv" not in path.parts
)


def imports_of(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_the_walk_finds_the_test_modules():
    assert len(TEST_MODULES) > 50


@pytest.mark.parametrize("path", TEST_MODULES, ids=lambda p: str(p.relative_to(REPO)))
def test_no_test_module_imports_another(path):
    imported_tests = {
        name for name in imports_of(path) if name.rsplit(".", 1)[-1].startswith("test_")
    }
    assert not imported_tests, f"{path.relative_to(REPO)} imports {sorted(imported_tests)}"
