"""Test helper: the stored meta aggregates side by side with the oracle, the set-wise views that
compute the same rows from the base tables (a row of zeros counts as no row)."""

from django.db import connection

from reviews.aggregates import CHARACTERISTIC_META_COUNTS, PRODUCT_META_COUNTS

TABLES = {
    "product_meta": ("product_id", PRODUCT_META_COUNTS),
    "characteristic_meta": ("characteristic_id", CHARACTERISTIC_META_COUNTS),
}


def rows(relation: str) -> dict[int, tuple[int, ...]]:
    key, counts = TABLES[relation.removesuffix("_fresh")]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {key}, {', '.join(counts)} FROM {relation}")
        return {row[0]: row[1:] for row in cursor.fetchall() if any(row[1:])}


def assert_meta_exact(context: str = "") -> None:
    for table in TABLES:
        stored, fresh = rows(table), rows(f"{table}_fresh")
        assert stored == fresh, f"{table} differs from the base tables {context}"
