"""Migrations are snapshots: what each one creates is written in it (or in a frozen module beside
it), so ``manage.py sqlmigrate`` prints the same SQL for as long as the project lives."""

import ast
import io
from pathlib import Path

import pytest
from django.core.management import call_command

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"
SNAPSHOTS = Path(__file__).resolve().parent / "migrations_sql"
NAMES = sorted(path.stem for path in MIGRATIONS.glob("[0-9]*.py"))


def sqlmigrate(name: str, *, backwards: bool) -> str:
    out = io.StringIO()
    call_command("sqlmigrate", "reviews", name.split("_", 1)[0], backwards=backwards, stdout=out)
    return out.getvalue()


# Some migrations build indexes CONCURRENTLY, which sqlmigrate refuses inside the test's
# transaction: one test outside it, over every migration both ways.
@pytest.mark.django_db(transaction=True)
def test_sqlmigrate_prints_the_sql_each_migration_always_ran():
    differing = []
    for name in NAMES:
        for backwards in (False, True):
            snapshot = SNAPSHOTS / f"{name}{'.back' if backwards else ''}.sql"
            if (
                not snapshot.exists()
                or sqlmigrate(name, backwards=backwards) != snapshot.read_text()
            ):
                differing.append(snapshot.name)
    assert not differing, (
        f"sqlmigrate no longer prints {differing}: a migration must never change; a new one's "
        "snapshot is written once with manage.py sqlmigrate [--backwards] reviews NNNN"
    )


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            found.add(node.module or "")
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module":
            found.add("importlib")
    return found


@pytest.mark.parametrize("path", sorted(MIGRATIONS.glob("[0-9_]*.py")), ids=lambda p: p.name)
def test_a_migration_imports_django_and_frozen_modules_only(path):
    """Never another migration or live code (models, selectors, helpers that may change)."""
    allowed = ("django", "reviews.migrations._")
    foreign = {m for m in imported_modules(path) if not m.startswith(allowed)}
    assert not foreign, f"{path.name} imports {sorted(foreign)}"


def test_every_migration_has_a_snapshot_and_every_snapshot_a_migration():
    snapshots = {path.name.split(".")[0] for path in SNAPSHOTS.glob("*.sql")}
    assert snapshots == set(NAMES)
