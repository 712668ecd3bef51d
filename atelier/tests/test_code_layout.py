"""What the import contracts cannot say: the domain imports nothing of ``django.http`` (a
subpackage of an external package, which import-linter does not take), and no test module imports
another (one that did would run, and could pass, on the other's state)."""

import ast
import tomllib
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


def domain_modules() -> list[Path]:
    """The modules of the import contract on the reviews domain (pyproject.toml)."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    [contract] = [
        contract
        for contract in config["tool"]["importlinter"]["contracts"]
        if contract["name"].startswith("The reviews domain")
    ]
    found = []
    for name in contract["source_modules"]:
        path = REPO / name.replace(".", "/")
        found += sorted(path.rglob("*.py")) if path.is_dir() else [path.with_suffix(".py")]
    return found


def test_the_domain_contract_names_modules_that_exist():
    modules = domain_modules()
    assert len(modules) > 10 and all(path.exists() for path in modules)


@pytest.mark.parametrize("path", domain_modules(), ids=lambda p: str(p.relative_to(REPO)))
def test_the_domain_takes_no_request(path):
    http = {name for name in imports_of(path) if name.startswith("django.http")}
    assert not http, f"{path.relative_to(REPO)} imports {sorted(http)}"
