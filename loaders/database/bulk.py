"""The database side of a load: COPY into a table the way PostgreSQL bulk loads are meant to go.

Into an empty table, in one transaction: drop its keys, foreign keys and indexes, TRUNCATE it (so
with ``wal_level=minimal`` the COPY skips WAL), COPY, then rebuild the indexes and re-add the
constraints, which PostgreSQL validates set-wise. Into a table that already holds rows (a re-run, a
resumed load, a second file): COPY into a temporary table and insert the rows whose id is new.
Either way user triggers are off during the insert; ``post_load`` rebuilds what they maintain.
"""

from collections.abc import Callable, Iterable

from psycopg import sql

from loaders.files.ids import IdSet
from loaders.files.tables import Table

PARENT_IDS_PER_QUERY = 250_000  # a few MB of text per query
# Keys, foreign keys (both ways) and secondary indexes of a table, as statements that rebuild them.
_CONSTRAINTS = """
SELECT DISTINCT c.oid, c.contype = 'f', c.conrelid::regclass::text, quote_ident(c.conname),
       pg_get_constraintdef(c.oid)
FROM pg_constraint c
WHERE (c.conrelid = %(table)s::regclass AND c.contype IN ('p', 'u', 'f'))
   OR (c.confrelid = %(table)s::regclass AND c.contype = 'f')
"""
_INDEXES = """
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
FROM pg_index i
WHERE i.indrelid = %(table)s::regclass
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
ORDER BY 1
"""


def table_lock_empty(cursor, table: Table) -> bool:
    """Lock ``table`` until commit; is it empty?

    Writers wait from the start (SHARE ROW EXCLUSIVE), readers only when the table is empty and
    about to be truncated: a merge into a live table leaves the API reading it.
    """
    name = sql.Identifier(table.name)
    cursor.execute(sql.SQL("LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE").format(name))
    empty = table_empty(cursor, table.name)
    if empty:
        cursor.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(name))
    return empty


def table_empty(cursor, name: str) -> bool:
    cursor.execute(sql.SQL("SELECT NOT EXISTS (SELECT FROM {})").format(sql.Identifier(name)))
    return cursor.fetchone()[0]


def parents_lock(cursor, table: Table) -> None:
    """Keep the rows ``table`` refers to as they are (SHARE lock) until this transaction ends."""
    for parent in sorted(set(table.parents.values())):
        cursor.execute(sql.SQL("LOCK TABLE {} IN SHARE MODE").format(sql.Identifier(parent)))


def parent_ids(cursor, parent: str) -> IdSet:
    """Every id of ``parent``, which stays as it is (SHARE lock) until this transaction ends.

    Read a range of ids per query, as one text value: a row per id would cost a Python
    round trip per id.
    """
    name = sql.Identifier(parent)
    cursor.execute(sql.SQL("LOCK TABLE {} IN SHARE MODE").format(name))
    cursor.execute(sql.SQL("SELECT min(id), max(id) FROM {}").format(name))
    low, high = cursor.fetchone()
    ids = IdSet()
    if low is None:
        return ids
    query = sql.SQL(
        "SELECT string_agg(id::text, ',' ORDER BY id) FROM {} WHERE id >= %s AND id < %s"
    ).format(name)
    for first in range(low, high + 1, PARENT_IDS_PER_QUERY):
        cursor.execute(query, [first, first + PARENT_IDS_PER_QUERY])
        text = cursor.fetchone()[0]
        if text:
            ids.update(list(map(int, text.split(","))))
    return ids


def copy_into_empty(
    cursor, table: Table, lines: Iterable[bytes], *, cores_busy: Callable[[], bool] = bool
) -> int:
    """COPY ``lines`` into the empty, locked ``table`` with its indexes built afterwards.

    While ``cores_busy()`` says other work has the machine's other cores, each index is built by
    one process: parallel workers would only share those cores and wait on each other.
    """
    name = sql.Identifier(table.name)
    indexes, foreign_keys = _detach(cursor, table)
    cursor.execute(sql.SQL("ALTER TABLE {} DISABLE TRIGGER USER").format(name))
    cursor.execute(sql.SQL("TRUNCATE {}").format(name))
    rows = _copy(cursor, name, table, lines, freeze=True)
    for statement in indexes:
        if cores_busy():
            cursor.execute("SET LOCAL max_parallel_maintenance_workers = 0")
        else:
            cursor.execute("RESET max_parallel_maintenance_workers")
        cursor.execute(statement)
    cursor.execute("RESET max_parallel_maintenance_workers")
    # Adding a foreign key runs one anti-join of the referencing column with the referenced key.
    # Both now have fresh btree indexes over all-visible pages, so a merge join of two index-only
    # scans reads them in order; the hash join the planner picks on a table without statistics
    # hashes every referenced key first and takes about twice as long on the full data.
    cursor.execute("SET LOCAL enable_hashjoin = off")
    for statement in foreign_keys:
        cursor.execute(statement)
    cursor.execute("RESET enable_hashjoin")
    cursor.execute(sql.SQL("ALTER TABLE {} ENABLE TRIGGER USER").format(name))
    return rows


def copy_merge(
    cursor, table: Table, lines: Iterable[bytes], refused_parents: dict[str, set[int]]
) -> tuple[int, int, dict[int, str]]:
    """COPY ``lines`` beside the non-empty ``table``; insert rows whose id is new.

    A row whose id is taken by a different row (another product, other content) is refused, and
    so is a row that refers to a row of this load refused in a parent table (``refused_parents``,
    by table). Returns (rows inserted, identical rows already there, {refused id: reason}).
    """
    name, staging = sql.Identifier(table.name), sql.Identifier(f"load_{table.name}")
    columns = sql.SQL(", ").join(map(sql.Identifier, table.columns))
    cursor.execute(
        sql.SQL("CREATE TEMPORARY TABLE {} (LIKE {} INCLUDING DEFAULTS) ON COMMIT DROP").format(
            staging, name
        )
    )
    sent = _copy(cursor, staging, table, lines)
    refused = _children_refuse(cursor, table, staging, refused_parents)
    refused.update(_collisions_refuse(cursor, table, staging))
    # Foreign-key checks at the end of the INSERT, not at commit: ALTER TABLE ... ENABLE TRIGGER
    # refuses a table with checks still pending (photos and ratings have foreign keys).
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute(sql.SQL("ALTER TABLE {} DISABLE TRIGGER USER").format(name))
    cursor.execute(
        sql.SQL(
            "INSERT INTO {} ({}) SELECT {} FROM {} ORDER BY id ON CONFLICT (id) DO NOTHING"
        ).format(name, columns, columns, staging)
    )
    inserted = cursor.rowcount
    cursor.execute(sql.SQL("ALTER TABLE {} ENABLE TRIGGER USER").format(name))
    return inserted, sent - inserted - len(refused), refused


def _children_refuse(
    cursor, table: Table, staging: sql.Identifier, refused_parents: dict[str, set[int]]
) -> dict[int, str]:
    """Take out of ``staging`` the rows referring to a parent row this load refused."""
    refused: dict[int, str] = {}
    for column, parent in table.parents.items():
        ids = sorted(refused_parents.get(parent, ()))
        if not ids:
            continue
        cursor.execute(
            sql.SQL("DELETE FROM {} WHERE {} = ANY(%s) RETURNING id, {}").format(
                staging, sql.Identifier(column), sql.Identifier(column)
            ),
            [ids],
        )
        for row_id, parent_id in cursor.fetchall():
            refused.setdefault(
                row_id,
                f"{column} {parent_id} is a row of {parent} this load refused (its id is taken "
                "by a different one already in the database)",
            )
    return refused


def _collisions_refuse(cursor, table: Table, staging: sql.Identifier) -> dict[int, str]:
    """Take out of ``staging`` the rows whose id the table holds with other content."""
    name = sql.Identifier(table.name)
    loaded = sql.SQL(", ").join(sql.SQL("s.{}").format(sql.Identifier(c)) for c in table.columns)
    stored = sql.SQL(", ").join(sql.SQL("t.{}").format(sql.Identifier(c)) for c in table.columns)
    cursor.execute(
        sql.SQL(
            "DELETE FROM {} s USING {} t WHERE t.id = s.id AND ({}) IS DISTINCT FROM ({})"
            " RETURNING s.id"
        ).format(staging, name, loaded, stored)
    )
    return {
        row_id: f"id {row_id} is taken by a different row of {table.name} already in the "
        "database: not loaded"
        for (row_id,) in cursor.fetchall()
    }


def _copy(
    cursor, target: sql.Identifier, table: Table, lines: Iterable[bytes], *, freeze: bool = False
) -> int:
    """COPY ``lines``; ``freeze`` (only into a table truncated in this transaction) writes the
    rows frozen and all-visible, so index builds and the first reads don't rewrite every page."""
    columns = sql.SQL(", ").join(map(sql.Identifier, table.columns))
    options = sql.SQL(", FREEZE" if freeze else "")
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv, NULL 'null'{})").format(
        target, columns, options
    )
    with cursor.copy(statement) as copy:
        for block in lines:
            copy.write(block)
    return cursor.rowcount


def _detach(cursor, table: Table) -> tuple[list[str], list[str]]:
    """Drop ``table``'s constraints and indexes; return the statements that rebuild them: keys
    and indexes, then foreign keys (to and from it)."""
    cursor.execute(_CONSTRAINTS, {"table": table.name})
    constraints = sorted(cursor.fetchall(), key=lambda row: row[1])  # keys first, then FKs
    cursor.execute(_INDEXES, {"table": table.name})
    indexes = cursor.fetchall()
    for _, _, owner, constraint, _ in reversed(constraints):
        cursor.execute(f"ALTER TABLE {owner} DROP CONSTRAINT {constraint}")
    for index, _ in indexes:
        cursor.execute(f"DROP INDEX {index}")
    keys: list[str] = []
    foreign_keys: list[str] = []
    for _, is_fk, owner, name, definition in constraints:
        add = f"ALTER TABLE {owner} ADD CONSTRAINT {name} {definition}"
        (foreign_keys if is_fk else keys).append(add)
    return [*keys, *(definition for _, definition in indexes)], foreign_keys
