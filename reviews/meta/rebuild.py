"""The meta aggregates as a whole: rebuild them set-wise from the base tables, and verify them.

The triggers of migration 0002 keep ``product_meta`` and ``characteristic_meta`` exact on every
write; the views ``product_meta_fresh`` and ``characteristic_meta_fresh`` compute the same rows
from the base tables. A rebuild writes the views into the tables; a verification compares them.
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from django.db import connection, transaction

from reviews.invalidation import invalidate_on_commit

# Every trigger that keeps the aggregates (migrations 0002 and 0010), by table: a disabled one
# makes them stale (the counts, or the version API v2 reports with them).
META_TRIGGERS = {
    "reviews": tuple(
        f"reviews_meta_{event}" for event in ("insert", "update", "delete", "truncate")
    ),
    "characteristic_reviews": (
        *(
            f"characteristic_reviews_meta_{event}"
            for event in ("insert", "update", "delete", "truncate")
        ),
        *(f"characteristic_reviews_version_{event}" for event in ("insert", "update", "delete")),
    ),
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

# Held by a rebuild for one key range at a time: it conflicts with the ROW EXCLUSIVE every trigger
# takes first, so no aggregate write is in flight while the range is recomputed, and writers wait
# at most one range (reads never wait); and with itself, so that two rebuilds take turns (each
# may write product_meta rows: the versions of the products whose characteristics it corrected).
AGGREGATES_REBUILD_LOCK = "LOCK TABLE product_meta, characteristic_meta IN SHARE ROW EXCLUSIVE MODE"
# A new version for products whose characteristic rows a rebuild corrected (the row trigger of
# migration 0010 sets it).
PRODUCT_META_VERSION_BUMP = (
    "UPDATE product_meta SET version = version WHERE product_id = ANY(%(products)s)"
)


def _range_rebuild_sql(table: str, key: str, counts: tuple[str, ...], product: str) -> str:
    """One statement making ``table``'s rows with ``key`` in [first, stop) equal to the fresh
    view: deletes rows no longer backed by any counted row, writes only rows that differ. It
    returns how many rows it changed and their products (``product``: the product of ``k``)."""
    columns = ", ".join(counts)
    updates = ", ".join(f"{name} = excluded.{name}" for name in counts)
    stored = ", ".join(f"m.{name}" for name in counts)
    fresh = ", ".join(f"excluded.{name}" for name in counts)
    return f"""
WITH fresh AS MATERIALIZED (
    SELECT {key}, {columns} FROM {table}_fresh WHERE {key} >= %(first)s AND {key} < %(stop)s
),
gone AS (
    DELETE FROM {table} m
    WHERE m.{key} >= %(first)s AND m.{key} < %(stop)s
      AND NOT EXISTS (SELECT FROM fresh f WHERE f.{key} = m.{key})
    RETURNING m.{key} AS k
),
written AS (
    INSERT INTO {table} AS m ({key}, {columns})
    SELECT {key}, {columns} FROM fresh ORDER BY {key}
    ON CONFLICT ({key}) DO UPDATE SET {updates}
    WHERE ({stored}) IS DISTINCT FROM ({fresh})
    RETURNING m.{key} AS k
),
changed AS (SELECT k FROM gone UNION ALL SELECT k FROM written)
SELECT count(*),
       coalesce(array_agg(DISTINCT {product}) FILTER (WHERE {product} IS NOT NULL), '{{}}')
  FROM changed"""


PRODUCT_META_REBUILD_RANGE = _range_rebuild_sql(
    "product_meta", "product_id", PRODUCT_META_COUNTS, product="k"
)
# characteristics_pkey: a characteristic deleted meanwhile has no product left to purge.
CHARACTERISTIC_META_REBUILD_RANGE = _range_rebuild_sql(
    "characteristic_meta",
    "characteristic_id",
    CHARACTERISTIC_META_COUNTS,
    product="(SELECT product_id FROM characteristics WHERE id = k)",
)
# The key ranges to cover: every key a counted row or a stored row has. Only visible reviews
# count, so their min and max come from a partial index (reviews_product_newest_idx).
PRODUCT_META_KEYS = """
SELECT least(min(product_id), (SELECT min(product_id) FROM product_meta)),
       greatest(max(product_id), (SELECT max(product_id) FROM product_meta))
FROM reviews WHERE NOT reported"""
CHARACTERISTIC_META_KEYS = """
SELECT least(min(characteristic_id), (SELECT min(characteristic_id) FROM characteristic_meta)),
       greatest(max(characteristic_id), (SELECT max(characteristic_id) FROM characteristic_meta))
FROM characteristic_reviews"""


def _differences_sql(table: str, key: str, counts: tuple[str, ...]) -> str:
    """Keys whose stored counts differ from the fresh view; a row of zeros equals no row."""
    nonzero = " OR ".join(f"{name} <> 0" for name in counts)
    stored = ", ".join(f"coalesce(m.{name}, 0)" for name in counts)
    fresh = ", ".join(f"coalesce(f.{name}, 0)" for name in counts)
    return f"""
SELECT coalesce(f.{key}, m.{key}) AS {key}
FROM {table}_fresh f
FULL JOIN (SELECT * FROM {table} WHERE {nonzero}) m ON m.{key} = f.{key}
WHERE ({stored}) IS DISTINCT FROM ({fresh})"""


# One statement, so stored and fresh rows are read in one snapshot while writes go on.
META_DIFFERENCES = f"""
WITH products_differing AS ({_differences_sql("product_meta", "product_id", PRODUCT_META_COUNTS)}),
characteristics_differing AS ({
    _differences_sql("characteristic_meta", "characteristic_id", CHARACTERISTIC_META_COUNTS)
})
SELECT product_id, NULL::integer AS characteristic_id FROM products_differing
UNION ALL
SELECT c.product_id, d.characteristic_id
FROM characteristics_differing d LEFT JOIN characteristics c ON c.id = d.characteristic_id
ORDER BY 1 NULLS LAST, 2 NULLS FIRST"""

META_TRIGGERS_STATE = """
SELECT e.tgname, t.tgenabled
FROM unnest(%s::text[], %s::text[]) AS e(relname, tgname)
JOIN pg_class c ON c.relname = e.relname AND c.relnamespace = 'public'::regnamespace
LEFT JOIN pg_trigger t ON t.tgrelid = c.oid AND t.tgname = e.tgname
ORDER BY 1"""


@dataclass(frozen=True)
class RebuildResult:
    products_written: int
    characteristics_written: int


@dataclass
class Differences:
    """What a verification found: products whose ratings or recommend counts differ, and
    characteristics (by product; None when the characteristic no longer exists) that differ."""

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
    product_chunk: int = PRODUCT_CHUNK,
    characteristic_chunk: int = CHARACTERISTIC_CHUNK,
    progress: Callable[[str, int, int], None] | None = None,
    tables: Collection[str] = ("product_meta", "characteristic_meta"),
) -> RebuildResult:
    """Recompute every aggregate row of ``tables`` from the base tables, one key range per
    transaction.

    Safe while the API serves: readers see the old or the new rows of a range, both exact, and
    writers wait only while one range is being recomputed. Inside an outer transaction (a
    loader's) each range becomes a savepoint and the locks are held until that transaction ends.
    """
    products = characteristics = 0
    if "product_meta" in tables:
        products = _rebuild_table(
            PRODUCT_META_KEYS, PRODUCT_META_REBUILD_RANGE, product_chunk, "products", progress
        )
    if "characteristic_meta" in tables:
        characteristics = _rebuild_table(
            CHARACTERISTIC_META_KEYS,
            CHARACTERISTIC_META_REBUILD_RANGE,
            characteristic_chunk,
            "characteristics",
            progress,
            bump_versions=True,
        )
    return RebuildResult(products_written=products, characteristics_written=characteristics)


def _rebuild_table(
    keys_sql: str,
    rebuild_sql: str,
    chunk: int,
    label: str,
    progress: Callable[[str, int, int], None] | None,
    *,
    bump_versions: bool = False,
) -> int:
    with connection.cursor() as cursor:
        cursor.execute(keys_sql)
        low, high = cursor.fetchone()
    if low is None:
        return 0
    written = 0
    for first in range(low, high + 1, chunk):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(AGGREGATES_REBUILD_LOCK)
            cursor.execute(rebuild_sql, {"first": first, "stop": first + chunk})
            changed, products = cursor.fetchone()
            written += changed
            if bump_versions and products:
                cursor.execute(PRODUCT_META_VERSION_BUMP, {"products": products})
            # The cached meta of the products whose rows this range corrected.
            invalidate_on_commit(products=products)
        if progress is not None:
            progress(label, min(first + chunk - 1, high), high)
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
