"""GET /reviews: every field of every result against the fixture CSVs, sorts, paging, queries."""

import pytest
from django.db import connection

from reviews.selectors import REVIEWS_PAGE_QUERIES
from reviews.tests import oracle
from reviews.tests.api import RESULT_KEYS
from reviews.tests.factories import review_make

pytestmark = pytest.mark.usefixtures("loaded")


@pytest.mark.parametrize("sort", ["relevant", "newest", "helpful"])
@pytest.mark.parametrize("product_id", [101, 102, 103, 104, 999])
def test_review_list_matches_the_csv_rows_field_by_field(api, product_id, sort):
    response = api.get("/reviews/", {"product_id": product_id, "sort": sort, "count": 100})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == oracle.review_list(product_id, count=100, sort=sort)


def test_review_list_default_request_is_page_0_of_5_relevant(api):
    body = api.get("/reviews", {"product_id": 101}).json()
    assert list(body) == ["product", "page", "count", "results"]
    assert body["product"] == "101"
    assert body["page"] == 0
    assert body["count"] == 5
    assert body == oracle.review_list(101)
    assert len(body["results"]) == 5


def test_review_list_results_have_the_contract_keys_in_order(api):
    results = api.get("/reviews", {"product_id": 101, "count": 50}).json()["results"]
    assert results
    for result in results:
        assert list(result) == RESULT_KEYS
        for photo in result["photos"]:
            assert list(photo) == ["id", "url"]


def test_review_list_response_is_json_null_not_the_string(api):
    raw = api.get("/reviews", {"product_id": 101, "count": 50}).content
    assert b'"null"' not in raw
    results = api.get("/reviews", {"product_id": 101, "count": 50}).json()["results"]
    responses = {r["review_id"]: r["response"] for r in results}
    assert responses[1] is None
    assert responses[2] == "Thanks for the kind words, Ana!"


def test_review_list_dates_are_iso_with_milliseconds(api):
    results = api.get("/reviews", {"product_id": 101, "sort": "newest", "count": 50}).json()
    dates = {r["review_id"]: r["date"] for r in results["results"]}
    assert dates[1] == "2021-03-06T03:06:40.123Z"
    assert dates[7] == "2020-09-13T12:26:40.000Z"


def test_review_list_photos_are_ordered_by_id_and_empty_when_none(api):
    results = api.get("/reviews", {"product_id": 101, "count": 50}).json()["results"]
    photos = {r["review_id"]: [p["id"] for p in r["photos"]] for r in results}
    assert photos[2] == [502, 503]
    assert photos[3] == []


def test_review_list_never_shows_reported_reviews(api):
    for sort in ("relevant", "newest", "helpful"):
        for page in (1, 2, 3):
            body = api.get(
                "/reviews", {"product_id": 101, "sort": sort, "count": 2, "page": page}
            ).json()
            assert 5 not in [r["review_id"] for r in body["results"]]
    assert api.get("/reviews", {"product_id": 104}).json()["results"] == []


def test_review_list_ties_break_by_review_id_descending(api):
    # Reviews 2 and 3 share date and helpfulness: the higher id comes first in every sort.
    for sort in ("relevant", "newest", "helpful"):
        ids = [
            r["review_id"]
            for r in api.get("/reviews", {"product_id": 101, "sort": sort, "count": 50}).json()[
                "results"
            ]
        ]
        assert ids.index(3) == ids.index(2) - 1


def test_review_list_newest_and_helpful_orders(api):
    def ids(sort):
        body = api.get("/reviews", {"product_id": 101, "sort": sort, "count": 50}).json()
        return [r["review_id"] for r in body["results"]]

    assert ids("newest") == [6, 3, 2, 1, 7, 4]
    assert ids("helpful") == [4, 1, 3, 2, 7, 6]


@pytest.mark.parametrize("sort", ["relevant", "newest", "helpful"])
def test_review_list_pages_never_overlap_and_cover_everything(api, sort):
    whole = api.get("/reviews", {"product_id": 101, "sort": sort, "count": 1000}).json()
    paged = []
    for page in range(1, 5):
        body = api.get(
            "/reviews", {"product_id": 101, "sort": sort, "count": 2, "page": page}
        ).json()
        assert body["page"] == page - 1
        assert body["count"] == 2
        paged += body["results"]
    assert paged == whole["results"]
    assert len({r["review_id"] for r in paged}) == len(paged) == 6


def test_review_list_same_request_same_answer(api):
    for _ in range(3):
        review_make(product_id=101, date=review_make(product_id=101).date)  # more date ties
    query = {"product_id": 101, "count": 3, "page": 2}
    first = api.get("/reviews", query).content
    assert all(api.get("/reviews", query).content == first for _ in range(3))


def test_review_list_answers_both_trailing_slash_forms(api):
    assert api.get("/reviews", {"product_id": 101}).json() == (
        api.get("/reviews/", {"product_id": 101}).json()
    )


def test_review_list_ignores_the_authorization_header(api):
    response = api.get("/reviews", {"product_id": 101}, HTTP_AUTHORIZATION="ghp_oldtoken")
    assert response.status_code == 200


def test_review_list_empty_sort_means_relevant(api):
    assert api.get("/reviews", {"product_id": 101, "sort": ""}).json() == oracle.review_list(101)


@pytest.mark.parametrize("count", [1, 5, 1000])
def test_review_list_is_one_query_whatever_the_page_size(api, django_assert_num_queries, count):
    for _ in range(12):
        review_make(product_id=101)
    with django_assert_num_queries(1):
        body = api.get("/reviews", {"product_id": 101, "count": count}).json()
    assert len(body["results"]) == min(count, 18)


@pytest.mark.parametrize("plan_cache_mode", ["force_custom_plan", "force_generic_plan"])
@pytest.mark.parametrize(
    ("sort", "index"),
    [
        ("newest", "reviews_product_newest_idx"),
        ("helpful", "reviews_product_helpful_idx"),
        ("relevant", "reviews_product_relevant_idx"),
    ],
)
def test_review_list_sorts_walk_their_index(sort, index, plan_cache_mode):
    """With its parameters known (a custom plan) and as the prepared statement it becomes after a
    few runs on a connection (a generic plan)."""
    statement = (
        REVIEWS_PAGE_QUERIES[sort]
        .replace("%(product_id)s", "$1")
        .replace("%(count)s", "$2")
        .replace("%(offset)s", "$3")
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # tiny tables: force the planner's hand
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"SET LOCAL plan_cache_mode = {plan_cache_mode}")
        cursor.execute(f"PREPARE page_plan (integer, integer, integer) AS {statement}")
        try:
            cursor.execute("EXPLAIN EXECUTE page_plan (101, 5, 0)")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("DEALLOCATE page_plan")
    assert f"Index Scan using {index} on reviews" in plan
    assert ("(product_id = $1)" in plan) == (plan_cache_mode == "force_generic_plan")
    assert "reviews_photos_review_idx" in plan
    assert "Seq Scan" not in plan
    # The page comes straight off the index: no sort node below the LIMIT.
    assert plan.index("Limit") < plan.index(index)
    assert "Sort Key" not in plan.split("Limit", 1)[1].split("SubPlan", 1)[0]
