"""The one step every load ends with, whatever it loaded: make the database ready to serve."""

from psycopg import sql

from loaders.sequences import id_sequences_sync


def post_load(cursor, tables: tuple[str, ...]) -> None:
    """Sequences past the largest ids, aggregates rebuilt, planner statistics fresh."""
    id_sequences_sync(cursor)
    aggregates_rebuild(cursor)
    for table in tables:
        cursor.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))


def aggregates_rebuild(cursor) -> None:
    """Rebuild the per-product aggregate tables set-wise, once per load.

    Bulk inserts run with user triggers disabled (``loaders.bulk``), so whatever those triggers
    maintain is recomputed here from the base tables. Nothing to do while no aggregates exist.
    """
