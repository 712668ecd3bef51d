"""The one step every load ends with, whatever it loaded: make the database ready to serve."""

from psycopg import sql

from loaders.sequences import id_sequences_sync
from reviews.aggregates import meta_rebuild
from reviews.aggregates_fill import meta_fill_empty

# Written by the rebuild, so their statistics are refreshed after it.
AGGREGATE_TABLES = ("product_meta", "characteristic_meta")


def post_load(cursor, tables: tuple[str, ...]) -> None:
    """Sequences past the largest ids, planner statistics fresh, meta aggregates rebuilt.

    Bulk inserts run with user triggers disabled (``loaders.bulk``), so the meta aggregates those
    triggers maintain are recomputed here from the base tables, after ANALYZE so that they are
    planned on the loaded sizes. An empty aggregate table (a first load) is filled in one pass,
    several times faster; one the API may be serving is rebuilt range by range.
    """
    id_sequences_sync(cursor)
    tables_analyze(cursor, tables)
    filled = meta_fill_empty()
    meta_rebuild(tables=[table for table in AGGREGATE_TABLES if table not in filled])
    tables_analyze(cursor, AGGREGATE_TABLES)


def tables_analyze(cursor, tables: tuple[str, ...]) -> None:
    for table in tables:
        cursor.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))
