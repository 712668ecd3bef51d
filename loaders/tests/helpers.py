"""Shared test helpers: the fixture folders and a dump of the four tables to compare loads."""

from collections.abc import Callable, Iterator
from pathlib import Path

from django.db import connection

from loaders.files.records import record_at
from loaders.files.tables import LOAD_ORDER

FIXTURES = Path(__file__).parent / "fixtures"
CLEAN = FIXTURES / "clean"
DIRTY = FIXTURES / "dirty"


def tables_dump() -> dict[str, list[tuple]]:
    """Every row of the four tables, by id."""
    dump = {}
    with connection.cursor() as cursor:
        for table in LOAD_ORDER:
            cursor.execute(f"SELECT * FROM {table.name} ORDER BY id")
            # Rows as tuples of hashable values (an array column comes as a list).
            dump[table.name] = [
                tuple(tuple(v) if isinstance(v, list) else v for v in row)
                for row in cursor.fetchall()
            ]
    return dump


def tables_empty() -> None:
    """The loaded tables, and the votes and reports on their reviews, emptied."""
    loaded = ", ".join(table.name for table in LOAD_ORDER)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {loaded}, review_votes, review_reports")


def records(
    data: bytes, first_line: int, is_row: Callable[[bytes], object]
) -> Iterator[tuple[int, bytes, str | None]]:
    """Every record of ``data`` as ``(line number, text, reason it is broken or None)``."""
    position, line = 0, first_line
    if data and not data.endswith(b"\n"):
        data += b"\n"
    while position < len(data):
        record = record_at(data, position, is_row, final=True)
        assert record is not None
        if record.text:
            yield line, record.text, record.broken
        position, line = record.end, line + record.lines
