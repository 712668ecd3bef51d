"""The changelist's queries as PostgreSQL plans them on a table of realistic shape: every list,
search and filter is served by an index, never by a scan of the whole reviews table."""

import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from reviews.models import Review

pytestmark = pytest.mark.django_db

ROWS = 20_000
# Any of the API's partial indexes on (product_id, ...) WHERE NOT reported serves the product arm.
VISIBLE_BY_PRODUCT = r"reviews_product_(newest|helpful|relevant|rating|rating_low)_idx"
# One review in 25 reported, names and products repeating as in the real data.
REVIEWS_FILL = """
INSERT INTO reviews (product_id, rating, date, summary, body, recommend, reported,
                     reviewer_name, reviewer_email, response, helpfulness)
SELECT n %% 2000 + 1, n %% 5 + 1, timestamptz '2020-01-01' + n * interval '1 hour', 'summary',
       'body', n %% 3 > 0, n %% 25 = 0, 'reviewer' || (n %% 9000), 'r@example.com', NULL, n %% 7
FROM generate_series(1, %s) AS n
"""


@pytest.fixture
def filled_reviews():
    with connection.cursor() as cursor:
        cursor.execute(REVIEWS_FILL, [ROWS])
        cursor.execute("ANALYZE reviews")


def changelist_plan(moderator, query: dict[str, str]) -> str:
    request = RequestFactory().get("/admin/reviews/review/", query)
    request.user = moderator
    changelist = admin.site._registry[Review].get_changelist_instance(request)
    sql, params = changelist.queryset[:50].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("query", "indexes"),
    [
        ({}, ["reviews_reported_queue_idx"]),
        ({"status": "all"}, ["reviews_pkey"]),
        ({"status": "visible", "rating": "2"}, ["reviews_pkey"]),
        ({"q": "reviewer42"}, ["reviews_reviewer_name_idx"]),
        ({"status": "all", "q": "reviewer42"}, ["reviews_reviewer_name_idx"]),
        (
            {"status": "all", "q": "1234"},
            [
                "reviews_pkey",
                "reviews_reviewer_name_idx",
                VISIBLE_BY_PRODUCT,
                "reviews_reported_product_idx",
            ],
        ),
        ({"status": "visible", "q": "1234"}, [VISIBLE_BY_PRODUCT]),
    ],
)
def test_changelist_lists_searches_and_filters_are_served_by_indexes(
    filled_reviews, moderator, query, indexes
):
    plan = changelist_plan(moderator, query)
    assert "Seq Scan on reviews" not in plan, plan
    for index in indexes:
        assert re.search(index, plan), plan


def test_queue_filters_are_counted_from_a_small_index(filled_reviews, moderator):
    request = RequestFactory().get(
        "/admin/reviews/review/", {"rating": "5", "recommend__exact": "0"}
    )
    request.user = moderator
    changelist = admin.site._registry[Review].get_changelist_instance(request)
    paginator = changelist.paginator
    bounded = paginator.object_list.order_by()[: paginator.exact_up_to + 1]
    sql, params = bounded.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN SELECT count(*) FROM ({sql}) AS bounded", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using reviews_reported_filters_idx" in plan, plan


def test_the_queues_reasons_come_from_the_reports_key_and_stay_out_of_the_counts(
    filled_reviews, moderator
):
    with connection.cursor() as cursor:
        # A few reports per reported review, and statistics that say so.
        cursor.execute(
            "INSERT INTO review_reports (review_id, reporter, reason, note, created_at)"
            " SELECT id, 'r' || n, 'spam', '', now() FROM reviews, generate_series(1, 3) AS n"
            " WHERE reported"
        )
        cursor.execute("ANALYZE review_reports")
    plan = changelist_plan(moderator, {})
    assert "review_reports_pkey" in plan, plan
    assert "Seq Scan on review_reports" not in plan, plan
    # The bounded count exactly as the paginator sends it (Django keeps the column in it).
    request = RequestFactory().get("/admin/reviews/review/", {"rating": "5"})
    request.user = moderator
    with CaptureQueriesContext(connection) as captured:
        admin.site._registry[Review].get_changelist_instance(request)
    (count_sql,) = [q["sql"] for q in captured.captured_queries if "COUNT(*)" in q["sql"]]
    assert "review_reports" in count_sql
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {count_sql}")
        count_plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "review_reports" not in count_plan, count_plan  # PostgreSQL drops the unused column
