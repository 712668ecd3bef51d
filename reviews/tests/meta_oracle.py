"""Test helpers: the stored aggregates checked by the production oracle, an aggregate table's rows
(a row of zeros counts as no row), and the meta document counted from the base tables."""

from typing import Any

from django.db import connection

from reviews.meta.rebuild import META_TABLES, meta_differences


def rows(relation: str) -> dict[Any, tuple[int, ...]]:
    table = META_TABLES[relation.removesuffix("_fresh")]
    width = len(table.key)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(table.key + table.counts)} FROM {relation}")
        return {
            row[0] if width == 1 else row[:width]: row[width:]
            for row in cursor.fetchall()
            if any(row[width:])
        }


def assert_meta_exact(context: str = "") -> None:
    """Every stored aggregate equals a fresh count, by the one oracle there is: what
    ``manage.py verify_meta`` runs (``meta_differences``)."""
    differences = meta_differences()
    assert not differences, f"the aggregates differ from the base tables {context}: {differences}"


def product_meta_from_base_tables(product_id: int) -> dict:
    """The meta document counted from the base tables, averages rounded half-up to 16 decimals by
    PostgreSQL: what the aggregate-backed selector must answer byte for byte.

    Not ``avg(integer)::text`` itself: it renders 20 decimals when the mean's leading digits equal
    the count's (two ratings of 1 give "1.00000000000000000000"); the contract says 16. Dividing at
    scale 30 then rounding is exact for any count below 10**13. Counted are the published reviews
    not hidden, written out here: the service itself keys on ``reported`` alone."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rating::text, count(*)::text FROM reviews"
            " WHERE product_id = %s AND status = 'published' AND NOT reported"
            " GROUP BY rating ORDER BY rating",
            [product_id],
        )
        ratings = dict(cursor.fetchall())
        cursor.execute(
            "SELECT recommend::text, count(*)::text FROM reviews"
            " WHERE product_id = %s AND status = 'published' AND NOT reported"
            " GROUP BY recommend ORDER BY recommend",
            [product_id],
        )
        recommended = dict(cursor.fetchall())
        cursor.execute(
            "SELECT c.id, c.name,"
            " round(sum(cr.value) FILTER (WHERE r.status = 'published' AND NOT r.reported)"
            "::numeric(60, 30) / nullif(count(cr.value)"
            " FILTER (WHERE r.status = 'published' AND NOT r.reported), 0), 16)::text"
            " FROM characteristics c"
            " LEFT JOIN characteristic_reviews cr ON cr.characteristic_id = c.id"
            " LEFT JOIN reviews r ON r.id = cr.review_id"
            " WHERE c.product_id = %s GROUP BY c.id ORDER BY c.id",
            [product_id],
        )
        characteristics: dict[str, dict] = {}
        for cid, name, average in cursor.fetchall():
            characteristics.setdefault(name, {"id": cid, "value": average})
    return {
        "product_id": str(product_id),
        "ratings": ratings,
        "recommended": recommended,  # boolean::text: "false" sorts (and shows) before "true"
        "characteristics": characteristics,
    }
