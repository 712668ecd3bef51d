"""The meta aggregates as a whole: rebuild them set-wise from the base tables, and verify them.

The triggers of migrations 0002 and 0013 keep the tables of ``META_TABLES`` exact on every write:
``product_meta`` and ``characteristic_meta``, and the same split by rating, recommend and photos
(``product_meta_cells``, ``characteristic_meta_cells``). A view ``<table>_fresh`` computes each
one's rows from the base tables. A rebuild writes the views into the tables; a verification
compares them.
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from django.db import connection, transaction

from reviews.invalidation import invalidate_on_commit
from reviews.models import CELL_DIMENSIONS

EVENTS = ("insert", "update", "delete", "truncate")
# Every trigger that keeps the aggregates (migrations 0002, 0010 and 0013), by table: a disabled
# one makes them stale (the counts, or the version API v2 reports with them).
META_TRIGGERS = {
    "reviews": tuple(
        f"reviews_meta_{event}{cells}" for event in EVENTS for cells in ("", "_cells")
    ),
    "characteristic_reviews": (
        *(
            f"characteristic_reviews_meta_{event}{cells}"
            for event in EVENTS
            for cells in ("", "_cells")
        ),
        *(f"characteristic_reviews_version_{event}" for event in EVENTS[:3]),
    ),
    "reviews_photos": tuple(f"reviews_photos_meta_{event}_cells" for event in EVENTS),
    "product_meta": ("product_meta_version",),
}

PRODUCT_META_COUNTS = (
    "rating_1",
    "rating_2",
    "rating_3",
    "rating_4",
    "rating_5",
    "recommend_false",
    "recommend_true",
)
CHARACTERISTIC_META_COUNTS = ("value_1", "value_2", "value_3", "value_4", "value_5")

# Key ranges small enough that each is an indexed nested-loop join of well under a second on the
# full dataset (a wider characteristic range tips the planner into hashing every review).
PRODUCT_CHUNK = 20_000
CHARACTERISTIC_CHUNK = 10_000
# The cells take three to four times as long per key (each review is also looked up in the photos),
# so their ranges are narrower: about 0.1 s each, like the others, on the full dataset.
PRODUCT_CELLS_CHUNK = 5_000
CHARACTERISTIC_CELLS_CHUNK = 3_000

# The product of a characteristic's row (characteristics_pkey): a characteristic deleted
# meanwhile has no product left to purge.
PRODUCT_OF_CHARACTERISTIC = "(SELECT product_id FROM characteristics WHERE id = k)"


@dataclass(frozen=True)
class MetaTable:
    """An aggregate table, beside its ``<name>_fresh`` view: its key (a rebuild walks ranges of
    the first column), its counts, and whose rows it counts (``counted``: the base table and
    condition whose key column bounds the ranges)."""

    name: str
    key: tuple[str, ...]
    counts: tuple[str, ...]
    counted: str
    chunk: int

    @property
    def per_product(self) -> bool:
        return self.key[0] == "product_id"

    @property
    def product(self) -> str:
        """The product of a row whose first key column is ``k``, in SQL."""
        return "k" if self.per_product else PRODUCT_OF_CHARACTERISTIC


# Only visible reviews count: their product ids' min and max come from a partial index
# (reviews_product_newest_idx).
_PRODUCTS_COUNTED = "reviews WHERE NOT reported"
_CHARACTERISTICS_COUNTED = "characteristic_reviews"
META_TABLES = {
    table.name: table
    for table in (
        MetaTable(
            "product_meta", ("product_id",), PRODUCT_META_COUNTS, _PRODUCTS_COUNTED, PRODUCT_CHUNK
        ),
        MetaTable(
            "characteristic_meta",
            ("characteristic_id",),
            CHARACTERISTIC_META_COUNTS,
            _CHARACTERISTICS_COUNTED,
            CHARACTERISTIC_CHUNK,
        ),
        MetaTable(
            "product_meta_cells",
            ("product_id", *CELL_DIMENSIONS),
            ("review_count",),
            _PRODUCTS_COUNTED,
            PRODUCT_CELLS_CHUNK,
        ),
        MetaTable(
            "characteristic_meta_cells",
            ("characteristic_id", *CELL_DIMENSIONS),
            CHARACTERISTIC_META_COUNTS,
            _CHARACTERISTICS_COUNTED,
            CHARACTERISTIC_CELLS_CHUNK,
        ),
    )
}

# Held by a rebuild for one key range at a time: it conflicts with the ROW EXCLUSIVE every trigger
# takes first, so no aggregate write is in flight while the range is recomputed, and writers wait
# at most one range (reads never wait); and with itself, so that two rebuilds take turns (each
# may write product_meta rows: the versions of the products whose other rows it corrected).
AGGREGATES_REBUILD_LOCK = f"LOCK TABLE {', '.join(META_TABLES)} IN SHARE ROW EXCLUSIVE MODE"
# A new version for products whose characteristic or cell rows a rebuild corrected (the row
# trigger of migration 0010 sets it).
PRODUCT_META_VERSION_BUMP = (
    "UPDATE product_meta SET version = version WHERE product_id = ANY(%(products)s)"
)


def _range_rebuild_sql(table: MetaTable) -> str:
    """One statement making ``table``'s rows whose first key column is in [first, stop) equal to
    the fresh view: deletes rows no longer backed by any counted row, writes only rows that
    differ. It returns how many rows it changed and their products."""
    first, keys, counts = table.key[0], ", ".join(table.key), table.counts
    columns = ", ".join(counts)
    same_key = " AND ".join(f"f.{name} = m.{name}" for name in table.key)
    updates = ", ".join(f"{name} = excluded.{name}" for name in counts)
    stored = ", ".join(f"m.{name}" for name in counts)
    fresh = ", ".join(f"excluded.{name}" for name in counts)
    return f"""
WITH fresh AS MATERIALIZED (
    SELECT {keys}, {columns} FROM {table.name}_fresh
    WHERE {first} >= %(first)s AND {first} < %(stop)s
),
gone AS (
    DELETE FROM {table.name} m
    WHERE m.{first} >= %(first)s AND m.{first} < %(stop)s
      AND NOT EXISTS (SELECT FROM fresh f WHERE {same_key})
    RETURNING m.{first} AS k
),
written AS (
    INSERT INTO {table.name} AS m ({keys}, {columns})
    SELECT {keys}, {columns} FROM fresh ORDER BY {keys}
    ON CONFLICT ({keys}) DO UPDATE SET {updates}
    WHERE ({stored}) IS DISTINCT FROM ({fresh})
    RETURNING m.{first} AS k
),
changed AS (SELECT k FROM gone UNION ALL SELECT k FROM written)
SELECT count(*),
       coalesce(array_agg(DISTINCT {table.product}) FILTER (WHERE {table.product} IS NOT NULL),
                '{{}}')
  FROM changed"""


def _keys_sql(table: MetaTable) -> str:
    """The first key column's range to cover: every key a counted row or a stored row has."""
    first = table.key[0]
    return f"""
SELECT least(min({first}), (SELECT min({first}) FROM {table.name})),
       greatest(max({first}), (SELECT max({first}) FROM {table.name}))
FROM {table.counted}"""


def _differences_sql(table: MetaTable) -> str:
    """The first key column of rows whose stored counts differ from the fresh view; a row of
    zeros equals no row."""
    first, counts = table.key[0], table.counts
    nonzero = " OR ".join(f"{name} <> 0" for name in counts)
    same_key = " AND ".join(f"m.{name} = f.{name}" for name in table.key)
    stored = ", ".join(f"coalesce(m.{name}, 0)" for name in counts)
    fresh = ", ".join(f"coalesce(f.{name}, 0)" for name in counts)
    return f"""
SELECT DISTINCT coalesce(f.{first}, m.{first}) AS k
FROM {table.name}_fresh f
FULL JOIN (SELECT * FROM {table.name} WHERE {nonzero}) m ON {same_key}
WHERE ({stored}) IS DISTINCT FROM ({fresh})"""


# One statement, so stored and fresh rows are read in one snapshot while writes go on: the
# products whose own rows differ, and the characteristics that do (by product).
_PRODUCTS_DIFFERING = "\nUNION\n".join(
    _differences_sql(table) for table in META_TABLES.values() if table.per_product
)
_CHARACTERISTICS_DIFFERING = "\nUNION\n".join(
    _differences_sql(table) for table in META_TABLES.values() if not table.per_product
)
META_DIFFERENCES = f"""
WITH products_differing AS ({_PRODUCTS_DIFFERING}),
characteristics_differing AS ({_CHARACTERISTICS_DIFFERING})
SELECT k AS product_id, NULL::integer AS characteristic_id FROM products_differing
UNION ALL
SELECT c.product_id, d.k
FROM characteristics_differing d LEFT JOIN characteristics c ON c.id = d.k
ORDER BY 1 NULLS LAST, 2 NULLS FIRST"""

META_TRIGGERS_STATE = """
SELECT e.tgname, t.tgenabled
FROM unnest(%s::text[], %s::text[]) AS e(relname, tgname)
JOIN pg_class c ON c.relname = e.relname AND c.relnamespace = 'public'::regnamespace
LEFT JOIN pg_trigger t ON t.tgrelid = c.oid AND t.tgname = e.tgname
ORDER BY 1"""


@dataclass(frozen=True)
class RebuildResult:
    written: dict[str, int]  # rows changed (rewritten or removed), by table


@dataclass
class Differences:
    """What a verification found: products whose counts differ (of all their reviews or of a
    cell), and characteristics (by product; None when the characteristic no longer exists)
    whose counts differ."""

    products: list[int] = field(default_factory=list)
    characteristics: dict[int | None, list[int]] = field(default_factory=dict)
    triggers_not_enabled: list[str] = field(default_factory=list)

    def product_ids(self) -> list[int]:
        ids = set(self.products) | {key for key in self.characteristics if key is not None}
        return sorted(ids)

    def __bool__(self) -> bool:
        return bool(self.products or self.characteristics or self.triggers_not_enabled)


def meta_rebuild(
    *,
    product_chunk: int | None = None,
    characteristic_chunk: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    tables: Collection[str] = tuple(META_TABLES),
) -> RebuildResult:
    """Recompute every aggregate row of ``tables`` from the base tables, one key range per
    transaction (``product_chunk`` or ``characteristic_chunk`` keys: each table's own by default).

    Safe while the API serves: readers see the old or the new rows of a range, both exact, and
    writers wait only while one range is being recomputed. Inside an outer transaction (a
    loader's) each range becomes a savepoint and the locks are held until that transaction ends.
    """
    written = {}
    for name in tables:
        table = META_TABLES[name]
        chunk = product_chunk if table.per_product else characteristic_chunk
        written[name] = _rebuild_table(table, chunk or table.chunk, progress)
    return RebuildResult(written)


def _rebuild_table(
    table: MetaTable, chunk: int, progress: Callable[[str, int, int], None] | None
) -> int:
    with connection.cursor() as cursor:
        cursor.execute(_keys_sql(table))
        low, high = cursor.fetchone()
    if low is None:
        return 0
    rebuild_sql = _range_rebuild_sql(table)
    written = 0
    for first in range(low, high + 1, chunk):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(AGGREGATES_REBUILD_LOCK)
            cursor.execute(rebuild_sql, {"first": first, "stop": first + chunk})
            changed, products = cursor.fetchone()
            written += changed
            # product_meta's own trigger gives its corrected rows a new version.
            if table.name != "product_meta" and products:
                cursor.execute(PRODUCT_META_VERSION_BUMP, {"products": products})
            # The cached meta of the products whose rows this range corrected.
            invalidate_on_commit(products=products)
        if progress is not None:
            progress(table.name, min(first + chunk - 1, high), high)
    return written


def meta_differences() -> Differences:
    """Compare every stored aggregate with a fresh computation from the base tables."""
    found = Differences()
    with connection.cursor() as cursor:
        cursor.execute(META_DIFFERENCES)
        for product_id, characteristic_id in cursor.fetchall():
            if characteristic_id is None:
                found.products.append(product_id)
            else:
                found.characteristics.setdefault(product_id, []).append(characteristic_id)
        found.triggers_not_enabled = meta_triggers_not_enabled(cursor)
    return found


def meta_triggers_not_enabled(cursor) -> list[str]:
    """Aggregate triggers that are missing or disabled (as a bulk load may leave them)."""
    tables = [table for table, names in META_TRIGGERS.items() for _ in names]
    names = [name for names in META_TRIGGERS.values() for name in names]
    cursor.execute(META_TRIGGERS_STATE, [tables, names])
    # 'O' fires in the ordinary (origin) replication role: enabled.
    return [name for name, enabled in cursor.fetchall() if enabled not in ("O", "A")]
