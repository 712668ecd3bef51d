"""Shared test helpers: the fixture folders and a dump of the four tables to compare loads."""

from pathlib import Path

from django.db import connection

from loaders.tables import LOAD_ORDER

FIXTURES = Path(__file__).parent / "fixtures"
CLEAN = FIXTURES / "clean"
DIRTY = FIXTURES / "dirty"


def tables_dump() -> dict[str, list[tuple]]:
    """Every row of the four tables, by id."""
    dump = {}
    with connection.cursor() as cursor:
        for table in LOAD_ORDER:
            cursor.execute(f"SELECT * FROM {table.name} ORDER BY id")
            dump[table.name] = cursor.fetchall()
    return dump


def tables_empty() -> None:
    """The loaded tables, and the votes on their reviews, emptied."""
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(table.name for table in LOAD_ORDER)}, review_votes")
