"""The `relevant` sort: newer wins among equally helpful reviews, more helpful wins among equally
recent ones, and a very helpful old review yields to a recent one."""

import itertools
import math
from datetime import timedelta

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from atelier.ids import INT4_MAX
from reviews.tests.dates import from_epoch_ms
from reviews.tests.factories import review_make

pytestmark = pytest.mark.django_db

START = from_epoch_ms(1_600_000_000_000)
PRODUCTS = itertools.count(800_000)  # a fresh product for each generated example


def relevant_ids(api, product_id: int) -> list[int]:
    body = api.get("/reviews", {"product_id": product_id, "count": 50}).json()
    return [r["review_id"] for r in body["results"]]


def relevance(helpfulness: int, epoch_ms: int) -> float:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT review_relevance(%s, to_timestamp(0) + %s * interval '1 millisecond')",
            [helpfulness, epoch_ms],
        )
        return cursor.fetchone()[0]


def test_among_equally_helpful_reviews_the_newer_wins(api):
    older = review_make(product_id=7, helpfulness=10, date=START)
    newer = review_make(product_id=7, helpfulness=10, date=START + timedelta(seconds=1))
    assert relevant_ids(api, 7) == [newer.id, older.id]


def test_among_equally_recent_reviews_the_more_helpful_wins(api):
    helpful = review_make(product_id=7, helpfulness=3, date=START)
    less = review_make(product_id=7, helpfulness=2, date=START)
    assert relevant_ids(api, 7) == [helpful.id, less.id]


def test_a_very_helpful_old_review_yields_to_a_recent_one(api):
    old = review_make(product_id=7, helpfulness=1000, date=START)
    fairly_new = review_make(product_id=7, helpfulness=0, date=START + timedelta(days=30))
    recent = review_make(product_id=7, helpfulness=0, date=START + timedelta(days=365))
    # A month does not outweigh a thousand votes; a year does.
    assert relevant_ids(api, 7) == [recent.id, old.id, fairly_new.id]


MS = st.integers(0, 4_000_000_000_000)
HELPFULNESS = st.integers(0, INT4_MAX)


@settings(max_examples=60, deadline=None)
# At least a second apart: below that the float sum may not move.
@given(helpfulness=HELPFULNESS, earlier=MS, gap=st.integers(1000, 4_000_000_000_000))
def test_relevance_grows_with_recency(helpfulness, earlier, gap):
    assert relevance(helpfulness, earlier + gap) > relevance(helpfulness, earlier)


@settings(max_examples=60, deadline=None)
@given(less=st.integers(0, 10**6), extra=st.integers(1, 10**6), moment=MS)
def test_relevance_grows_with_helpfulness(less, extra, moment):
    assert relevance(less + extra, moment) > relevance(less, moment)


@settings(max_examples=200, deadline=None)
@given(helpfulness=HELPFULNESS, moment=st.integers(-(10**13), 4 * 10**12))
def test_relevance_is_the_formula_to_the_last_bit(helpfulness, moment):
    """ln(1 + helpfulness) + epoch seconds / 30 days, in double precision throughout."""
    seconds = float(moment * 1000) / 1_000_000
    assert relevance(helpfulness, moment) == math.log(1 + float(helpfulness)) + seconds / 2_592_000


def test_relevance_is_defined_for_the_largest_helpfulness():
    assert relevance(INT4_MAX, 0) == pytest.approx(21.487562597)


def expected_order(reviews, sort: str) -> list[int]:
    def key(review):
        epoch = review.date.timestamp()
        if sort == "newest":
            return (epoch, review.id)
        if sort == "helpful":
            return (review.helpfulness, epoch, review.id)
        return (math.log1p(review.helpfulness) + epoch / 2_592_000, review.id)

    return [review.id for review in sorted(reviews, key=key, reverse=True)]


@settings(max_examples=30, deadline=None)
@given(
    rows=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 4)), max_size=12),
    count=st.integers(1, 5),
    sort=st.sampled_from(["relevant", "newest", "helpful"]),
)
def test_pages_partition_the_reviews_in_sort_order(rows, count, sort):
    """Many ties (few helpfulness values, few days): pages still never overlap, miss nothing and
    follow the sort, ties broken by review_id descending."""
    product_id = next(PRODUCTS)
    reviews = [
        review_make(product_id=product_id, helpfulness=helpful, date=START + timedelta(days=day))
        for helpful, day in rows
    ]
    api = APIClient()
    paged = []
    for page in range(1, len(reviews) // count + 3):
        body = api.get(
            "/reviews", {"product_id": product_id, "sort": sort, "count": count, "page": page}
        ).json()
        assert len(body["results"]) <= count
        paged += [result["review_id"] for result in body["results"]]
    assert paged == expected_order(reviews, sort)
