"""The one step every load ends with, whatever it loaded: make the database ready to serve.

Part of it is done before the load ends: each file's transaction analyzes its table before it
commits (``loaders.load``), and the aggregates of products, which count reviews (and their
photos) alone, are filled on a connection of its own while the later files load (``PostLoad``).
The rest is done at the end.
"""

from concurrent.futures import Future, ThreadPoolExecutor

from django.db import connections
from psycopg import sql

from loaders.database.sequences import id_sequences_sync
from reviews.invalidation import invalidate_all_on_commit
from reviews.meta.fill import meta_fill_empty, meta_table_fill_if_empty
from reviews.meta.rebuild import META_TABLES, meta_rebuild

# Written by the rebuild, so their statistics are refreshed after it.
AGGREGATE_TABLES = tuple(META_TABLES)
# The aggregates that can be filled once a table is committed: it is the last of the tables they
# count in the load's order (reviews, then photos, then characteristics and their ratings).
FILLS_AFTER = {"reviews": "product_meta", "reviews_photos": "product_meta_cells"}


def post_load(cursor, tables: tuple[str, ...]) -> None:
    """Sequences past the largest ids, planner statistics fresh, meta aggregates rebuilt."""
    with PostLoad() as early:
        early.finish(cursor, tables)


class PostLoad:
    """``post_load``, begun table by table as the load commits them.

    Bulk inserts run with user triggers disabled (``loaders.database.bulk``), so the meta
    aggregates those triggers maintain are recomputed from the base tables, after ANALYZE so that
    they are planned on the loaded sizes. An empty aggregate table (a first load) is filled in one
    pass, several times faster; one the API may be serving is rebuilt range by range.
    """

    def __init__(self, *, early: bool = True):
        # One thread with its own database connection, so at most one extra core is taken. Not
        # within an outer transaction (a test's): that connection would wait for its locks.
        self._early = early
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="post-load")
        self._begun: list[Future] = []
        self._analyzed: set[str] = set()
        self._filled: set[str] = set()

    def __enter__(self) -> "PostLoad":
        return self

    def __exit__(self, *exc_info) -> None:
        for future in self._begun:
            future.cancel()
        self._worker.submit(connections.close_all).result()  # closes the worker thread's own
        self._worker.shutdown()

    def committed(self, table: str) -> None:
        """``table`` is loaded, analyzed and committed: begin what depends on it alone."""
        self._analyzed.add(table)
        if table in FILLS_AFTER and self._early:
            self._begun.append(self._worker.submit(self._fill, FILLS_AFTER[table]))

    def _fill(self, aggregate: str) -> None:
        if meta_table_fill_if_empty(aggregate) is not None:
            self._filled.add(aggregate)

    def finish(self, cursor, tables: tuple[str, ...]) -> None:
        """Wait for what was begun (raising its error), then do the rest."""
        for future in self._begun:
            future.result()
        id_sequences_sync(cursor)
        tables_analyze(cursor, tuple(table for table in tables if table not in self._analyzed))
        filled = self._filled | set(meta_fill_empty())
        meta_rebuild(tables=[table for table in AGGREGATE_TABLES if table not in filled])
        tables_analyze(cursor, AGGREGATE_TABLES)
        # Whatever the load changed, no cached answer predates it.
        invalidate_all_on_commit()


def tables_analyze(cursor, tables: tuple[str, ...]) -> None:
    for table in tables:
        cursor.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))
