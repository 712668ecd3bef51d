"""Fill an empty meta aggregate table in one set-wise pass, under an exclusive lock: the rows
computed by ``COPY (SELECT ...) TO`` and written by ``COPY ... FREEZE``, the fast way after a fresh
load. How and why, with the figures: docs/meta.md, "Filling empty tables after a load"."""

import tempfile

from django.db import connection, transaction
from psycopg import sql

from reviews.meta.rebuild import CHARACTERISTIC_META_COUNTS, META_TABLES, PRODUCT_META_COUNTS

COPY_BLOCK = 1 << 20

PRODUCT_META_FILL = f"""
SELECT product_id, {", ".join(PRODUCT_META_COUNTS)} FROM product_meta_fresh ORDER BY product_id"""


def _value_counts(alias: str) -> str:
    """count(*) of each value 1..5 as value_1..value_5, and every rating as n."""
    counts = [f"count(*) FILTER (WHERE {alias}.value = {n}) AS value_{n}" for n in range(1, 6)]
    return ",\n           ".join([*counts, "count(*) AS n"])


_COUNTED = ",\n       ".join(
    f"(every.{name} - coalesce(hidden.{name}, 0))::integer" for name in CHARACTERISTIC_META_COUNTS
)
CHARACTERISTIC_META_FILL = f"""
SELECT every.characteristic_id,
       {_COUNTED}
FROM (
    SELECT c.characteristic_id,
           {_value_counts("c")}
    FROM characteristic_reviews c
    GROUP BY c.characteristic_id
) every
LEFT JOIN (
    SELECT c.characteristic_id,
           {_value_counts("c")}
    FROM reviews r JOIN characteristic_reviews c ON c.review_id = r.id
    WHERE r.reported
    GROUP BY c.characteristic_id
) hidden ON hidden.characteristic_id = every.characteristic_id
WHERE every.n > coalesce(hidden.n, 0)
ORDER BY every.characteristic_id"""

# The cells: the fresh views' rows, with whether a review has photos read from one hashed set of
# the photos' review ids (once per review) instead of a probe of reviews_photos_review_idx.
COUNTED_REVIEWS = """
SELECT r.id, r.product_id, r.rating, r.recommend,
       r.id IN (SELECT review_id FROM reviews_photos) AS with_photos
FROM reviews r
WHERE NOT r.reported"""
PRODUCT_META_CELLS_FILL = f"""
SELECT r.product_id, r.rating, r.recommend, r.with_photos, count(*)::integer
FROM ({COUNTED_REVIEWS}) r
GROUP BY 1, 2, 3, 4
ORDER BY 1, 2, 3, 4"""
# A characteristic's cell packed into one bigint, most significant first: the characteristic id,
# then 3 bits of rating, 1 of recommend, 1 of photos, so that the ratings are sorted and grouped on
# one integer instead of four columns (half the time of hashing the four; docs/meta.md).
_CELL = (
    "(c.characteristic_id::bigint << 5) | (r.rating << 2)"
    " | (r.recommend::integer << 1) | r.with_photos::integer"
)
_VALUE_COUNTS = ",\n       ".join(
    f"count(*) FILTER (WHERE rated.value = {n})::integer" for n in range(1, 6)
)
CHARACTERISTIC_META_CELLS_FILL = f"""
SELECT (rated.cell >> 5)::integer, ((rated.cell >> 2) & 7)::smallint,
       (rated.cell & 2) <> 0, (rated.cell & 1) <> 0,
       {_VALUE_COUNTS}
FROM (SELECT {_CELL} AS cell, c.value
      FROM characteristic_reviews c
      JOIN ({COUNTED_REVIEWS}) r ON r.id = c.review_id) rated
GROUP BY rated.cell
ORDER BY rated.cell"""

# Per fill, reset afterwards. Enough memory that no aggregate or sort spills to disk on the full
# dataset (a smaller one uses what it needs; the characteristic cells' sort needs about 1.5 GB of
# its 2 GB). Sorted aggregation, not hashed, for characteristic_meta: the planner underestimates
# the number of characteristics tenfold and hashes them all, then sorts; grouped in index order
# the rows stream out already sorted.
FILL_SETTINGS = {
    "product_meta": {"work_mem": "256MB"},
    "characteristic_meta": {"work_mem": "256MB", "enable_hashagg": "off"},
    "product_meta_cells": {"work_mem": "256MB"},
    "characteristic_meta_cells": {"work_mem": "2GB"},
}
FILL_ROWS = {
    "product_meta": PRODUCT_META_FILL,
    "characteristic_meta": CHARACTERISTIC_META_FILL,
    "product_meta_cells": PRODUCT_META_CELLS_FILL,
    "characteristic_meta_cells": CHARACTERISTIC_META_CELLS_FILL,
}
FILL_COLUMNS = {name: (*table.key, *table.counts) for name, table in META_TABLES.items()}
PRIMARY_KEY = """
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
WHERE conrelid = %s::regclass AND contype = 'p'"""


def meta_fill_empty() -> dict[str, int]:
    """Fill each aggregate table that is empty; return the rows written, by table filled."""
    filled = {}
    for table in FILL_ROWS:
        rows = meta_table_fill_if_empty(table)
        if rows is not None:
            filled[table] = rows
    return filled


def meta_table_fill_if_empty(table: str) -> int | None:
    """Fill ``table`` from the base tables if it is empty (None, untouched, otherwise).

    In one transaction that holds the table exclusively: writers wait from the start (their
    triggers lock both aggregate tables first), readers only once the table is known empty, until
    it is filled. A write already committed to the base tables shows in the fresh rows; one
    waiting on the lock applies its delta on top of them afterwards.
    """
    name = sql.Identifier(table)
    with transaction.atomic(), connection.cursor() as wrapper:
        cursor = wrapper.cursor
        cursor.execute(sql.SQL("LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE").format(name))
        cursor.execute(sql.SQL("SELECT NOT EXISTS (SELECT FROM {})").format(name))
        if not cursor.fetchone()[0]:
            return None
        cursor.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(name))
        # Deferred foreign-key checks of this transaction run now: every rating's review exists.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        # A new, empty file for the table: what COPY FREEZE and skipping WAL require.
        cursor.execute(sql.SQL("TRUNCATE {}").format(name))
        settings = FILL_SETTINGS[table]
        for setting, value in settings.items():
            cursor.execute("SELECT set_config(%s, %s, true)", [setting, value])
        primary_key_add = _primary_key_drop(cursor, table)
        rows = _copy_rows(cursor, FILL_ROWS[table], name, FILL_COLUMNS[table])
        cursor.execute(primary_key_add)
        # In an outer transaction the settings would outlive this one (an error rolls them back).
        for setting in settings:
            cursor.execute(sql.SQL("RESET {}").format(sql.Identifier(setting)))
        return rows


def _primary_key_drop(cursor, table: str) -> sql.Composable:
    """Drop ``table``'s primary key; return the statement that adds it back.

    As for a bulk load (``loaders.database.bulk``): building the index from the sorted rows
    afterwards is cheaper than inserting millions of keys into it one by one."""
    cursor.execute(PRIMARY_KEY, [table])
    constraint, definition = cursor.fetchone()
    name, constraint = sql.Identifier(table), sql.Identifier(constraint)
    cursor.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(name, constraint))
    return sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
        name, constraint, sql.SQL(definition)
    )


def _copy_rows(cursor, rows_sql: str, table: sql.Identifier, columns: tuple[str, ...]) -> int:
    """COPY the rows of ``rows_sql`` into the empty ``table``, through a temporary file."""
    with tempfile.TemporaryFile() as spool:
        out = sql.SQL("COPY ({}) TO STDOUT").format(sql.SQL(rows_sql))
        with cursor.copy(out) as copy:
            for row in copy:
                spool.write(row)
        spool.seek(0)
        into = sql.SQL("COPY {} ({}) FROM STDIN (FREEZE)").format(
            table, sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        with cursor.copy(into) as copy:
            while block := spool.read(COPY_BLOCK):
                copy.write(block)
        return cursor.rowcount
