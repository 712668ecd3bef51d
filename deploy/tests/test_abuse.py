"""Abuse through the whole stack (nginx, the cache, two app servers): clients reporting a
product's reviews from many addresses (each loopback address 127.0.0.x is a client of its own,
named to the app by nginx) hide at most the product's daily bound and queue the rest, in every
cached read too; a review a moderator kept stays published through new reports. With the store
signing its shoppers, unsigned and forged voters are refused, one shopper counts once, and a
shopper's own votes never come from the shared cache."""

import http.client
import json
import time

import jwt
import pytest

from deploy.tests.clusters import cluster_on_test_database
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


# -- signed shoppers ------------------------------------------------------------------------------
SECRET = "cluster-shopper-secret-" + "x" * 20


@pytest.fixture(scope="module")
def signing(django_db_setup, django_db_blocker, tmp_path_factory):
    """The cache and one app server behind nginx, the store signing its shoppers."""
    with cluster_on_test_database(
        tmp_path_factory,
        "signing",
        apps=1,
        workers=1,
        limits=False,
        environment={"ATELIER_SHOPPER_TOKEN_SECRET": SECRET},
    ) as running:
        yield running


def shopper_token(sub: str, secret: str = SECRET) -> str:
    return jwt.encode({"sub": sub, "exp": int(time.time()) + 600}, secret, "HS256")


def send(port: int, method: str, path: str, headers: dict[str, str], body: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        payload = None if body is None else json.dumps(body).encode()
        if payload is not None:
            headers = {**headers, "Content-Type": "application/json"}
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


@pytest.mark.django_db(transaction=True)
def test_with_a_secret_unsigned_and_forged_voters_are_refused_and_one_shopper_counts_once(signing):
    review = review_make(product_id=PRODUCT + 2)
    vote = f"/v2/reviews/{review.id}/vote"
    up = {"value": "up"}
    for headers in (
        {"X-Voter": "made-up"},
        {"X-Shopper-Token": shopper_token("shopper-1", secret="forged" * 8)},
    ):
        status, answer, _ = send(signing.port, "PUT", vote, headers, up)
        assert status == 401 and answer["WWW-Authenticate"].startswith("Shopper-Token")
    for n in range(100):
        status, _, _ = send(
            signing.port,
            "PUT",
            vote,
            {"X-Shopper-Token": shopper_token("shopper-1"), "X-Voter": f"v{n}"},
            up,
        )
        assert status == 200
    assert Review.objects.get(pk=review.id).helpfulness == 1


@pytest.mark.django_db(transaction=True)
def test_a_shoppers_own_votes_never_come_from_the_shared_cached_list(signing):
    review = review_make(product_id=PRODUCT + 3)
    page = f"/v2/products/{PRODUCT + 3}/reviews"
    for _ in range(2):  # cached for everyone, without anyone's votes
        status, _, body = send(signing.port, "GET", page, {})
        assert status == 200 and "my_vote" not in json.loads(body)["results"][0]
    token = {"X-Shopper-Token": shopper_token("shopper-2")}
    assert (
        send(signing.port, "PUT", f"/v2/reviews/{review.id}/vote", token, {"value": "up"})[0] == 200
    )
    for _ in range(2):  # the vote purged the page: cached again, still without anyone's votes
        status, headers, body = send(signing.port, "GET", page, {})
        assert "my_vote" not in json.loads(body)["results"][0]
    assert headers["X-Cache"] == "HIT"
    status, headers, body = send(signing.port, "GET", page, token)
    assert status == 200 and json.loads(body)["results"][0]["my_vote"] == "up"
    assert headers["Cache-Control"] == "private, no-store"
