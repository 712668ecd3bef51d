"""Abuse through the whole stack (nginx, the cache, two app servers): clients reporting a
product's reviews from many addresses (each loopback address 127.0.0.x is a client of its own,
named to the app by nginx) hide at most the product's daily bound and queue the rest, in every
cached read too; a review a moderator kept stays published through new reports."""

import http.client
import json

import pytest

from reviews import services
from reviews.models import Review
from reviews.tests.factories import review_make

pytestmark = pytest.mark.cluster

PRODUCT = 5150


def request(port: int, method: str, path: str, source: str = "127.0.0.1"):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    try:
        conn.request(method, path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def listed(port: int) -> set[int]:
    status, body = request(port, "GET", f"/reviews?product_id={PRODUCT}&count=100&sort=newest")
    assert status == 200
    return {result["review_id"] for result in json.loads(body)["results"]}


def rated(port: int) -> int:
    status, body = request(port, "GET", f"/reviews/meta?product_id={PRODUCT}")
    assert status == 200
    return sum(int(count) for count in json.loads(body)["ratings"].values())


@pytest.mark.django_db(transaction=True)
def test_twenty_addresses_reporting_twenty_reviews_hide_three_and_queue_the_rest(cluster):
    review_ids = [review_make(product_id=PRODUCT, rating=1 + n % 5).id for n in range(20)]
    assert listed(cluster.port) == set(review_ids)  # now cached
    assert rated(cluster.port) == 20
    for n, review_id in enumerate(review_ids):
        source = f"127.0.0.{10 + n}"
        assert request(cluster.port, "PUT", f"/reviews/{review_id}/report", source)[0] == 204
    hidden = set(
        Review.objects.filter(id__in=review_ids, reported=True).values_list("id", flat=True)
    )
    queued = Review.objects.filter(id__in=review_ids, reported=False, awaiting_moderator=True)
    assert len(hidden) == 3 and queued.count() == 17
    assert listed(cluster.port) == set(review_ids) - hidden
    assert rated(cluster.port) == 17


@pytest.mark.django_db(transaction=True)
def test_a_kept_review_stays_visible_through_reports_from_new_addresses(cluster):
    review_id = review_make(product_id=PRODUCT + 1).id
    assert request(cluster.port, "PUT", f"/reviews/{review_id}/report", "127.0.0.40")[0] == 204
    assert request(cluster.port, "GET", f"/reviews/{review_id}")[0] == 404
    assert services.reviews_restore(review_ids=[review_id]) == 1
    for n in range(10):
        source = f"127.0.0.{41 + n}"
        assert request(cluster.port, "PUT", f"/reviews/{review_id}/report", source)[0] == 204
    assert request(cluster.port, "GET", f"/reviews/{review_id}")[0] == 200
    review = Review.objects.get(pk=review_id)
    assert (review.reported, review.awaiting_moderator) == (False, True)
