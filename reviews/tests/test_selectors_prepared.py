"""The hot reads run as prepared statements, which PostgreSQL can plan once per connection."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviews import selectors
from reviews.models import CELL_DIMENSIONS
from reviews.tests.factories import characteristic_make, review_make
from reviews.tests.v2_catalog import PRODUCT


def server_side(statement: str) -> str:
    """``statement`` as psycopg sends it to be prepared: each named placeholder a ``$n``, in the
    order of first appearance."""
    numbers: dict[str, int] = {}

    def number(match: re.Match) -> str:
        return f"${numbers.setdefault(match[1], len(numbers) + 1)}"

    return re.sub(r"%\((\w+)\)s", number, statement)


@pytest.mark.django_db
def test_review_pages_and_meta_are_prepared_statements():
    review_make(product_id=7)
    characteristic_make(product_id=7)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # nothing an earlier test prepared (psycopg follows)
    for page in range(1, 7):
        selectors.review_list(product_id=7, page=page, count=5, sort="newest")
        selectors.product_meta_get(product_id=7)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = {row[0] for row in cursor.fetchall()}
    assert statements == {
        server_side(selectors.REVIEWS_PAGE_QUERIES["newest"]),
        server_side(selectors.PRODUCT_META_READ),
    }


def plan_nodes(node: dict):
    yield node
    for child in node.get("Plans", []):
        yield from plan_nodes(child)


@pytest.mark.parametrize(
    "query",
    [{}, {"rating": "5"}, {"rating": ["4", "5"], "with_photos": "true", "recommend": "false"}],
    ids=["unfiltered", "one rating", "every cell dimension"],
)
@pytest.mark.parametrize("route", ["reviews", "summary"])
def test_v2_reads_find_the_cells_by_product_alone(api, catalog, route, query):
    """The cells a filter selects are picked from the product's cells, not searched for: a
    generic plan cannot tell how many values ``= ANY(%s)`` holds and costs each as an index
    search, which would make PostgreSQL plan those prepared statements anew on every read."""
    with CaptureQueriesContext(connection) as captured:
        assert api.get(f"/v2/products/{PRODUCT}/{route}", query).status_code == 200
    statements = [q["sql"] for q in captured.captured_queries if "_meta_cells" in q["sql"]]
    assert len(statements) == (0 if route == "summary" and not query else 1)
    for statement in statements:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (GENERIC_PLAN, FORMAT JSON) {statement}")
            plan = cursor.fetchone()[0][0]["Plan"]
        scans = [n for n in plan_nodes(plan) if n.get("Relation Name", "").endswith("_meta_cells")]
        assert scans
        for scan in scans:
            condition = scan.get("Index Cond", "")
            assert not any(name in condition for name in CELL_DIMENSIONS), condition
