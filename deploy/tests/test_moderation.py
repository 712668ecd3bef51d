"""Moderation through the whole stack (nginx, the cache, an app server), for each workflow that
holds reviews: a review waiting for a moderator is in no public read — legacy list, detail and
meta, v2 list and summary, cached or not — and in no aggregate until a moderator approves it; then
every read shows it at once (the approval purges what shows it). A signed shopper's verified
purchase shows in v2, filters and counts; a merchant reply shows in both APIs."""

import http.client
import json
import time

import jwt
import pytest

from deploy.tests.clusters import cluster_on_test_database
from reviews import services
from reviews.meta.rebuild import meta_differences
from reviews.models import Review

pytestmark = pytest.mark.cluster

PRODUCT = 6160
SECRET = "cluster-moderation-secret-" + "x" * 20
CLEAN = "Comfortable from the first day and the color is exactly like the photos on the site."
OFFENSIVE = "This is the worst shit I have ever bought, fuck this company and its liars."


@pytest.fixture(scope="module", params=["pre", "screened"])
def moderated(request, django_db_setup, django_db_blocker, tmp_path_factory):
    """The cache and one app server behind nginx, under a workflow that holds reviews, the store
    signing its shoppers."""
    with cluster_on_test_database(
        tmp_path_factory,
        f"moderation-{request.param}",
        apps=1,
        workers=1,
        limits=False,
        environment={"ATELIER_MODERATION": request.param, "ATELIER_SHOPPER_TOKEN_SECRET": SECRET},
    ) as running:
        running.workflow = request.param  # type: ignore[attr-defined]
        yield running


def send(port: int, method: str, path: str, body: dict | None = None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = dict(headers or {})
        payload = None if body is None else json.dumps(body).encode()
        if payload is not None:
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def read(port: int, path: str) -> dict:
    status, _, body = send(port, "GET", path)
    assert status == 200, (path, body)
    return json.loads(body)


def public(port: int, review_id: int, product: int = PRODUCT) -> dict:
    """Where a review shows through the cluster, and the product's counts."""
    legacy = read(port, f"/reviews?product_id={product}&count=100&sort=newest")["results"]
    v2 = read(port, f"/v2/products/{product}/reviews?limit=100")["results"]
    meta = read(port, f"/reviews/meta?product_id={product}")
    return {
        "legacy": review_id in {r["review_id"] for r in legacy},
        "v2": review_id in {r["review_id"] for r in v2},
        "detail": send(port, "GET", f"/reviews/{review_id}")[0] == 200,
        "meta": sum(int(n) for n in meta["ratings"].values()),
        "summary": read(port, f"/v2/products/{product}/summary")["total"],
    }


def review_body(body: str, product: int = PRODUCT) -> dict:
    return {
        "product_id": product,
        "rating": 5,
        "summary": "Great",
        "body": body,
        "recommend": True,
        "name": "shopper",
        "email": "shopper@example.com",
    }


def posted(port: int, body: dict, headers=None) -> int:
    status, answer, content = send(port, "POST", "/reviews", body, headers)
    assert (status, content) == (201, b"Created")
    return int(answer["Location"].rsplit("/", 1)[1])


def shopper_token(sub: str, bought: list[int]) -> str:
    claims = {"sub": sub, "exp": int(time.time()) + 600, "verified_purchases": bought}
    return jwt.encode(claims, SECRET, "HS256")


@pytest.mark.django_db(transaction=True)
def test_a_held_review_is_in_no_public_read_until_approved(moderated, settings):
    settings.CACHE_NODES = [moderated.cache_node()]
    port = moderated.port
    first = posted(port, review_body(CLEAN + " First."))
    before = public(port, 0)  # and now cached
    body = OFFENSIVE if moderated.workflow == "screened" else CLEAN + " Second."
    held = posted(port, review_body(body))
    review = Review.objects.get(pk=held)
    assert review.status == "pending"
    if moderated.workflow == "screened":
        assert review.screen_reasons == ["offensive language"]
        assert Review.objects.get(pk=first).status == "published"  # a clean one is not held
    for _ in range(2):  # missed, then from the cache
        assert public(port, held) == {**before, "detail": False}
    assert not meta_differences()

    assert services.reviews_approve(review_ids=[held]) == 1
    shown = public(port, held)
    assert shown["legacy"] and shown["v2"] and shown["detail"]
    assert shown["meta"] == shown["summary"] == before["meta"] + 1
    assert not meta_differences()


@pytest.mark.django_db(transaction=True)
def test_a_verified_purchase_and_a_merchant_reply_show_through_the_cache(moderated, settings):
    settings.CACHE_NODES = [moderated.cache_node()]
    port, product = moderated.port, PRODUCT + 1
    buyer = {"X-Shopper-Token": shopper_token("buyer", [product])}
    verified = posted(port, review_body(CLEAN + " Bought it.", product), buyer)
    other = posted(port, review_body(CLEAN + " Just looking.", product))
    services.reviews_approve(review_ids=[verified, other])
    path = f"/v2/products/{product}/reviews?verified=true"
    assert [r["review_id"] for r in read(port, path)["results"]] == [verified]
    assert read(port, f"/v2/products/{product}/summary")["verified_purchases"] == 1
    listed = read(port, f"/v2/products/{product}/reviews?sort=oldest")["results"]
    assert [(r["review_id"], r["verified_purchase"]) for r in listed] == [
        (verified, True),
        (other, False),
    ]

    services.review_respond(review_id=verified, response="Thank you for your order!")
    legacy = read(port, f"/reviews?product_id={product}&sort=newest")["results"]
    assert {r["review_id"]: r["response"] for r in legacy}[verified] == "Thank you for your order!"
    v2 = {r["review_id"]: r for r in read(port, path)["results"]}[verified]
    assert v2["response"] == "Thank you for your order!" and v2["responded_at"] is not None
