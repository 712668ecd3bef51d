"""GET /v2/products/<id>/reviews: filters and sorts against an oracle, keyset paging both ways,
the snapshot under concurrent posts and votes, totals and versions, and the plans."""

import random
import re
import threading
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.db import connection
from django.http import QueryDict

from reviews.models import Review
from reviews.services import review_mark_helpful
from reviews.tests.api import RESULT_KEYS
from reviews.tests.factories import review_make
from reviews.tests.v2_catalog import FILTER_CASES, PRODUCT, catalog_make
from reviews.v2.cursors import SORTS, Cursor, PageRequest
from reviews.v2.filters import review_filters
from reviews.v2.selectors import ReviewFilters, page_statement
from reviews.voters import token_voter


def oracle(
    catalog, sort: str, *, rating=(), recommend=None, with_photos=None, verified=None, q=None
):
    """The expected order of review ids, computed here from the rows as made."""
    chosen = []
    for review in catalog:
        if review.reported:
            continue
        if rating and review.rating not in rating:
            continue
        if recommend is not None and review.recommend != recommend:
            continue
        if with_photos is not None and review.has_photos != with_photos:
            continue
        if verified is not None and review.verified_purchase != verified:
            continue
        if q is not None and q not in review.families:
            continue
        chosen.append(review)
    keys = {
        "newest": lambda r: (r.date, r.id),
        "oldest": lambda r: (r.date, r.id),
        "helpful": lambda r: (r.helpfulness, r.date, r.id),
        "rating_high": lambda r: (r.rating, r.date, r.id),
        "rating_low": lambda r: (-r.rating, r.date, r.id),
        "relevant": lambda r: (r.relevance, r.id),
    }
    if sort == "relevant":
        relevance = dict(
            Review.objects.filter(id__in=[r.id for r in chosen])
            .extra(select={"relevance": "review_relevance(helpfulness, date)"})
            .values_list("id", "relevance")
        )
        for review in chosen:
            review.relevance = relevance[review.id]
    return [r.id for r in sorted(chosen, key=keys[sort], reverse=sort != "oldest")]


def walk(api, first: str, params=None, *, headers=None):
    """Every page from ``first`` on, following next links: (ids, pages)."""
    pages = [api.get(first, params, headers=headers or {})]
    while pages[-1].json()["next"]:
        assert pages[-1].status_code == 200
        pages.append(api.get(pages[-1].json()["next"], headers=headers or {}))
        assert len(pages) < 100
    ids = [review["review_id"] for page in pages for review in page.json()["results"]]
    return ids, pages


URL = f"/v2/products/{PRODUCT}/reviews"


@pytest.mark.parametrize("sort", sorted(SORTS))
@pytest.mark.parametrize("filters", FILTER_CASES, ids=repr)
def test_pages_in_order_match_the_oracle_and_the_total(api, catalog, sort, filters):
    ids, pages = walk(api, URL, {**filters, "sort": sort, "limit": 4})
    expected = oracle(
        catalog,
        sort,
        rating={int(r) for r in filters.get("rating", [])},
        recommend={"true": True, "false": False}.get(filters.get("recommend")),
        with_photos={"true": True, "false": False}.get(filters.get("with_photos")),
        verified={"true": True, "false": False}.get(filters.get("verified")),
        q={"zippers": "zipper", "fabric": "fabric"}.get(filters.get("q")),
    )
    assert ids == expected
    assert all(len(page.json()["results"]) == 4 for page in pages[:-1])
    assert {page.json()["total"] for page in pages} == {len(expected)}
    assert pages[0].json()["previous"] is None


@pytest.mark.parametrize("sort", sorted(SORTS))
def test_previous_links_walk_back_through_the_same_pages(api, catalog, sort):
    _, pages = walk(api, URL, {"sort": sort, "limit": 5})
    assert len(pages) >= 4
    back = [pages[-1]]
    while back[-1].json()["previous"]:
        back.append(api.get(back[-1].json()["previous"]))
    assert [page.json()["results"] for page in reversed(back)] == [
        page.json()["results"] for page in pages
    ]


def test_a_result_has_the_legacy_fields_then_the_reply_time_the_purchase_and_characteristics(
    api, catalog
):
    rated = next(r for r in catalog if not r.reported and r.characteristic_ratings.exists())
    results = api.get(URL, {"sort": "newest", "limit": 100}).json()["results"]
    result = next(r for r in results if r["review_id"] == rated.id)
    assert list(result) == [*RESULT_KEYS, "responded_at", "verified_purchase", "characteristics"]
    legacy = api.get(f"/reviews/{rated.id}").json()
    assert result["responded_at"] is None  # no reply yet
    assert result["verified_purchase"] is rated.verified_purchase
    v2_only = ("responded_at", "verified_purchase", "characteristics")
    assert {k: v for k, v in result.items() if k not in v2_only} == legacy
    fit_value = rated.characteristic_ratings.get(characteristic__name="Fit").value
    assert result["characteristics"][0] == {
        "id": rated.characteristic_ratings.get(characteristic__name="Fit").characteristic_id,
        "name": "Fit",
        "value": fit_value,
        "label": [
            "Runs tight",
            "Runs slightly tight",
            "Perfect",
            "Runs slightly loose",
            "Runs loose",
        ][fit_value - 1],
    }


def test_the_snapshot_keeps_later_posts_out_and_changed_keys_are_the_only_moves(api, catalog):
    """Between pages, new reviews are posted and votes change helpfulness: the walk shows every
    review of the snapshot whose key did not change exactly once, and no new review."""
    first = api.get(URL, {"sort": "helpful", "limit": 6}).json()
    seen = [r["review_id"] for r in first["results"]]
    posted, voted = [], set()
    page = first
    rng = random.Random(3)
    while page["next"]:
        posted.append(review_make(product_id=PRODUCT, helpfulness=rng.choice([0, 3, 50])).id)
        target = rng.choice([r for r in catalog if not r.reported])
        if review_mark_helpful(review_id=target.id, voter=f"v{len(posted)}"):
            voted.add(target.id)
        page = api.get(page["next"]).json()
        seen += [r["review_id"] for r in page["results"]]
    unchanged = {r.id for r in catalog if not r.reported} - voted
    assert not set(seen) & set(posted)
    assert all(seen.count(rid) == 1 for rid in unchanged)
    assert unchanged <= set(seen)


def test_version_and_total_follow_the_aggregates(api, catalog):
    before = api.get(URL).json()
    review_make(product_id=PRODUCT, rating=5)
    after = api.get(URL).json()
    assert after["version"] > before["version"]
    assert after["total"] == before["total"] + 1
    summary = api.get(f"/v2/products/{PRODUCT}/summary").json()
    assert summary["version"] == after["version"]
    # A helpful vote changes no aggregate: the same version.
    review_mark_helpful(review_id=after["results"][0]["review_id"], voter="someone")
    assert api.get(URL).json()["version"] == after["version"]


def test_my_vote_shows_the_voters_own_votes_and_is_never_cached(api, catalog):
    voted = next(r for r in catalog if not r.reported)
    voter = token_voter("shopper-1")
    assert voter is not None
    review_mark_helpful(review_id=voted.id, voter=voter)
    response = api.get(URL, {"limit": 100}, headers={"X-Voter": "shopper-1"})
    votes = {r["review_id"]: r["my_vote"] for r in response.json()["results"]}
    assert votes[voted.id] == "up"
    assert set(votes.values()) == {"up", "none"}
    assert response["Cache-Control"] == "private, no-store"
    assert "my_vote" not in api.get(URL).json()["results"][0]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"rating": "6"}, "rating"),
        ({"recommend": "yes"}, "recommend"),
        ({"with_photos": "1"}, "with_photos"),
        ({"q": "x" * 201}, "q"),
        ({"sort": "random"}, "sort"),
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"sort": ["newest", "oldest"]}, "sort"),
    ],
)
def test_bad_parameters_are_422_naming_the_field(api, catalog, params, field):
    response = api.get(URL, params)
    assert response.status_code == 422
    assert field in response.json()["errors"]


def test_a_cursor_belongs_to_its_filters_and_sort(api, catalog):
    link = api.get(URL, {"sort": "newest", "limit": 3}).json()["next"]
    cursor = parse_qs(urlsplit(link).query)["cursor"][0]
    assert api.get(URL, {"cursor": cursor}).status_code == 200
    assert api.get(URL, {"cursor": cursor, "sort": "newest"}).status_code == 200
    assert api.get(URL, {"cursor": cursor, "sort": "oldest"}).status_code == 422
    assert api.get(URL, {"cursor": cursor, "rating": "5"}).status_code == 422
    assert api.get(URL, {"cursor": cursor[:-2] + "xx"}).status_code == 422
    other_product = api.get(f"/v2/products/{PRODUCT + 1}/reviews", {"cursor": cursor})
    assert other_product.status_code == 422
    assert "cursor" in other_product.json()["errors"]


def test_a_page_is_the_same_answer_from_one_second_to_the_next(api, catalog, monkeypatch):
    first = api.get(URL, {"sort": "newest", "limit": 3})
    later = time.time() + 5
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    again = api.get(URL, {"sort": "newest", "limit": 3})
    assert again.content == first.content and again["ETag"] == first["ETag"]


def test_a_cursor_signed_with_a_time_as_they_once_were_still_reads(api, catalog):
    link = api.get(URL, {"sort": "newest", "limit": 3}).json()["next"]
    cursor = Cursor.decode(parse_qs(urlsplit(link).query)["cursor"][0])
    payload = signing.Signer(salt="reviews.v2.cursor").unsign_object(cursor.encode())
    timed = signing.dumps(payload, salt="reviews.v2.cursor", compress=True)
    assert Cursor.decode(timed) == cursor
    same_page = api.get(URL, {"cursor": timed, "limit": 3}).json()["results"]
    assert same_page == api.get(link).json()["results"]


@pytest.mark.parametrize("product_id", ["abc", "0", "2147483648", "-1"])
def test_a_path_id_that_is_not_a_product_id_is_404(api, db, product_id):
    assert api.get(f"/v2/products/{product_id}/reviews").status_code == 404


def test_an_unknown_product_has_an_empty_list(api, db):
    body = api.get("/v2/products/424242/reviews/").json()
    assert body["results"] == [] and body["total"] == 0 and body["version"] == 0
    assert body["next"] is None and body["previous"] is None


def test_a_query_of_stop_words_only_matches_nothing(api, catalog):
    body = api.get(URL, {"q": "the and"}).json()
    assert body["results"] == [] and body["total"] == 0


def page_plan(statement: str, params: list, plan_cache_mode: str, *, bitmaps: bool = False) -> str:
    # Tiny tables: force the planner's hand (no sequential scan, no sort; with ``bitmaps``, only
    # bitmap scans, the way a GIN index is read).
    """The plan of the page statement as a prepared statement: with its parameters known (a
    custom plan) and as the generic plan a connection switches to after a few runs."""
    numbers = iter(range(1, len(params) + 1))
    prepared = re.sub("%s", lambda _: f"${next(numbers)}", statement)
    with connection.cursor() as cursor:
        # Statistics of the catalog as made, whatever ran before (a fresh table has none).
        cursor.execute("ANALYZE reviews")
        cursor.execute("SET LOCAL enable_seqscan = off")
        for setting in ("enable_indexscan",) if bitmaps else ("enable_bitmapscan", "enable_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute(f"SET LOCAL plan_cache_mode = {plan_cache_mode}")
        cursor.execute(f"PREPARE page_plan AS {prepared}")
        try:
            arguments = ", ".join(["%s"] * len(params))
            cursor.execute(f"EXPLAIN EXECUTE page_plan ({arguments})", params)
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("DEALLOCATE page_plan")


@pytest.mark.parametrize("plan_cache_mode", ["force_custom_plan", "force_generic_plan"])
@pytest.mark.parametrize("sort", sorted(SORTS))
@pytest.mark.parametrize("paged", [False, True], ids=["first page", "cursor page"])
def test_each_page_is_one_scan_of_its_sorts_index(api, catalog, sort, paged, plan_cache_mode):
    cursor = None
    if paged:
        link = api.get(URL, {"sort": sort, "limit": 4}).json()["next"]
        cursor = Cursor.decode(parse_qs(urlsplit(link).query)["cursor"][0])
    statement, params = page_statement(
        filters=ReviewFilters(PRODUCT), page=PageRequest(SORTS[sort], 4, cursor), voter=None
    )
    plan = page_plan(statement, params, plan_cache_mode)
    top = plan.split("InitPlan", 1)[0]
    backward = "Backward " if sort == "oldest" else ""
    assert f"Index Scan {backward}using {SORTS[sort].index} on reviews" in top, plan
    assert "Sort" not in top, plan
    # The cursor's row comparison is where the scan starts: an index condition, not a filter.
    condition = next(line for line in top.splitlines() if "Index Cond" in line)
    assert "(product_id = " in condition
    assert ("ROW(" in condition) == paged, plan
    assert "Filter" not in top, plan


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("sort", ["newest", "relevant", "rating_low"])
def test_paging_while_another_connection_posts_and_votes(api, sort):
    """A writer thread posts reviews and votes on its own connection while pages are read: no
    review of the snapshot whose key did not change is missed or repeated, none posted after the
    first page appears."""
    catalog = catalog_make()
    stop, posted, voted = threading.Event(), list[int](), set[int]()

    def writer() -> None:
        rng = random.Random(sort)
        try:
            while not stop.is_set() and len(posted) < 200:
                posted.append(review_make(product_id=PRODUCT, rating=rng.randint(1, 5)).id)
                target = rng.choice(catalog)
                if review_mark_helpful(review_id=target.id, voter=f"w{len(posted)}"):
                    voted.add(target.id)
        finally:
            connection.close()

    first = api.get(URL, {"sort": sort, "limit": 3}).json()
    thread = threading.Thread(target=writer)
    thread.start()
    try:
        seen = [r["review_id"] for r in first["results"]]
        page = first
        while page["next"]:
            page = api.get(page["next"]).json()
            seen += [r["review_id"] for r in page["results"]]
    finally:
        stop.set()
        thread.join(timeout=30)
    assert posted, "the writer wrote nothing while the pages were read"
    key_changed = voted if sort == "relevant" else set()
    unchanged = {r.id for r in catalog if not r.reported} - key_changed
    assert not set(seen) & set(posted)
    assert sorted(rid for rid in seen if rid in unchanged) == sorted(unchanged)


@pytest.mark.parametrize(
    ("query", "sort", "index"),
    [
        # One rating, newest first: the rating index gives that order for one rating.
        ("rating=5", "newest", "Index Scan using reviews_product_rating_idx"),
        # Full-text search: the GIN index of (product_id, text) finds the product's matches.
        ("q=zippers", "newest", "Bitmap Index Scan on reviews_product_search_idx"),
        ("q=buckle -fabric", "helpful", "Bitmap Index Scan on reviews_product_search_idx"),
    ],
)
@pytest.mark.parametrize("plan_cache_mode", ["force_custom_plan", "force_generic_plan"])
def test_filters_worth_an_index_are_read_from_it(catalog, query, sort, index, plan_cache_mode):
    # On 45 rows, which index the planner picks is a matter of its estimates (a product's btree
    # and a filter can cost less, rightly). Without the others (dropped inside the test's
    # transaction), the index must answer the filter itself: it can only when the statement's
    # expressions are the index's, in custom and generic plans alike.
    with connection.cursor() as cursor:
        for index_name in {each.index for each in SORTS.values()} - {index.split()[-1]}:
            cursor.execute(f"DROP INDEX {index_name}")
    statement, params = page_statement(
        filters=review_filters(PRODUCT, QueryDict(query)),
        page=PageRequest(SORTS[sort], 4),
        voter=None,
    )
    plan = page_plan(statement, params, plan_cache_mode, bitmaps="q=" in query)
    top = plan.split("InitPlan", 1)[0]
    assert index in top, plan
    if "q=" in query:  # the match itself is the index's condition: the index expression matched
        condition = top.split(index, 1)[1].splitlines()[1]
        assert "Index Cond:" in condition and "@@" in condition, plan
    else:
        assert "Sort" not in top, plan


@pytest.mark.parametrize(
    "query",
    [{}, {"rating": ["4", "5"], "with_photos": "true"}, {"q": "fit", "sort": "helpful"}],
    ids=["unfiltered", "cells", "search"],
)
@pytest.mark.parametrize("voter", [False, True], ids=["anonymous", "voter"])
def test_a_page_is_one_statement_first_or_by_cursor(
    api, catalog, django_assert_num_queries, query, voter
):
    headers = {"HTTP_X_VOTER": "one-statement"} if voter else {}
    with django_assert_num_queries(1):
        first = api.get(URL, {**query, "limit": 3}, **headers)
    assert first.status_code == 200
    if first.json()["next"] is not None:
        with django_assert_num_queries(1):
            assert api.get(first.json()["next"], **headers).status_code == 200
