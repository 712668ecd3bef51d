"""Signed shoppers (X-Shopper-Token, a JWT the storefront signs with the store's secret): with a
secret set, v2 votes and reports need one, a shopper's vote counts once whatever else the request
says, and a shopper reviews a product once; forged, expired or incomplete tokens are refused.
Without a secret, today's behaviour, and a v2 reporter is its address, never a made-up token."""

import time

import jwt
import pytest
from django.test import override_settings

from reviews.models import Review, ReviewReport
from reviews.tests.api import RESULT_KEYS, post, valid
from reviews.tests.factories import review_make

SECRET, OLD_SECRET = "s" * 40, "o" * 40
signed = override_settings(SHOPPER_TOKEN_SECRETS=[SECRET, OLD_SECRET])


def token(sub="shopper-7", secret=SECRET, ttl: int | None = 600, **claims) -> str:
    """A shopper token; ``sub=None`` or ``ttl=None`` leaves that claim out."""
    expires = None if ttl is None else int(time.time()) + ttl
    payload = {"sub": sub, "exp": expires, **claims}
    return jwt.encode({k: v for k, v in payload.items() if v is not None}, secret, "HS256")


def vote(api, review_id, shopper_token=None, voter=None):
    headers = {}
    if shopper_token is not None:
        headers["HTTP_X_SHOPPER_TOKEN"] = shopper_token
    if voter is not None:
        headers["HTTP_X_VOTER"] = voter
    return api.put(f"/v2/reviews/{review_id}/vote", {"value": "up"}, format="json", **headers)


def report(api, review_id, **headers):
    return api.post(
        f"/v2/reviews/{review_id}/reports", {"reason": "spam"}, format="json", **headers
    )


@pytest.mark.django_db
@signed
@pytest.mark.parametrize(
    "shopper_token",
    [
        None,  # none at all
        token(secret="x" * 40),  # forged
        token(ttl=-60),  # expired
        token(sub=None),  # no sub
        token(ttl=None),  # no exp
        jwt.encode({"sub": "a", "exp": int(time.time()) + 600}, None, "none"),  # unsigned
        "not a token",
    ],
)
def test_votes_and_reports_need_a_token_the_store_signed(api, shopper_token):
    review = review_make()
    for answer in (
        vote(api, review.id, shopper_token, voter="made-up"),
        report(
            api,
            review.id,
            **({} if shopper_token is None else {"HTTP_X_SHOPPER_TOKEN": shopper_token}),
        ),
    ):
        assert answer.status_code == 401
        assert answer["WWW-Authenticate"].startswith("Shopper-Token")
        assert "X-Shopper-Token" in answer.json()["detail"]
    assert Review.objects.get(pk=review.id).helpfulness == 0
    assert not ReviewReport.objects.filter(review_id=review.id).exists()


@pytest.mark.django_db
@signed
def test_a_hundred_votes_of_one_signed_shopper_count_once(api):
    review = review_make()
    for n in range(100):
        # A new token each time (another issue time), another X-Voter: still one shopper.
        answer = vote(api, review.id, token(ttl=600 + n, jti=str(n)), voter=f"v{n}")
        assert answer.status_code == 200
    assert Review.objects.get(pk=review.id).helpfulness == 1
    assert vote(api, review.id, token(sub="shopper-8", secret=OLD_SECRET)).status_code == 200
    assert Review.objects.get(pk=review.id).helpfulness == 2  # another shopper, a rotated secret


@pytest.mark.django_db
@signed
def test_a_signed_shopper_reports_once_and_sees_their_own_votes(api):
    review = review_make(product_id=77)
    assert vote(api, review.id, token()).status_code == 200
    mine = api.get("/v2/products/77/reviews", HTTP_X_SHOPPER_TOKEN=token(), HTTP_X_VOTER="x")
    assert mine.json()["results"][0]["my_vote"] == "up"
    assert mine["Cache-Control"] == "private, no-store"
    assert "my_vote" not in api.get("/v2/products/77/reviews").json()["results"][0]
    first = report(api, review.id, HTTP_X_SHOPPER_TOKEN=token())
    again = report(api, review.id, HTTP_X_SHOPPER_TOKEN=token(ttl=900))
    assert (first.status_code, again.status_code) in {(201, 200), (201, 404)}
    assert ReviewReport.objects.filter(review_id=review.id).count() == 1


@pytest.mark.django_db
@signed
def test_a_signed_shopper_reviews_a_product_once(api):
    headers = {"HTTP_X_SHOPPER_TOKEN": token()}
    body = valid(product_id=88, characteristics={}, photos=[])
    assert api.post("/reviews", body, format="json", **headers).status_code == 201
    second = api.post("/reviews", body, format="json", **headers)
    assert second.status_code == 409
    assert "already reviewed" in second.json()["detail"]
    assert (
        api.post("/reviews", {**body, "product_id": 89}, format="json", **headers).status_code
        == 201
    )
    assert (
        post(api, body).status_code == 201
    )  # without a token: anonymous, as the legacy store posts
    refused = api.post("/reviews", body, format="json", HTTP_X_SHOPPER_TOKEN=token(ttl=-5))
    assert refused.status_code == 401
    assert Review.objects.filter(product_id=88).count() == 2


@pytest.mark.django_db
def test_without_a_secret_a_v2_reporter_is_its_address_not_a_made_up_token(api):
    review = review_make(product_id=99)
    other = review_make(product_id=99)
    assert report(api, review.id, HTTP_X_VOTER="first").status_code == 201
    assert report(api, other.id, HTTP_X_VOTER="a").status_code == 201
    assert report(api, other.id, HTTP_X_VOTER="b").status_code in {200, 404}
    assert ReviewReport.objects.filter(review_id=other.id).count() == 1
    assert report(api, other.id, HTTP_X_VOTER=" bad").status_code in {400, 404}


@pytest.mark.django_db
@signed
def test_a_verified_purchase_shows_filters_and_counts_in_v2_only(api):
    bought = {"HTTP_X_SHOPPER_TOKEN": token(sub="buyer", verified_purchases=[66, 67])}
    browsed = {"HTTP_X_SHOPPER_TOKEN": token(sub="browser", verified_purchases=[12])}
    body = valid(product_id=66, characteristics={}, photos=[])
    for headers in (bought, browsed, {}):  # a buyer, a shopper who bought something else, anyone
        assert api.post("/reviews", body, format="json", **headers).status_code == 201
    posted = Review.objects.filter(product_id=66).order_by("id")
    assert [r.verified_purchase for r in posted] == [True, False, False]

    listed = api.get("/v2/products/66/reviews", {"sort": "oldest"}).json()
    assert [r["verified_purchase"] for r in listed["results"]] == [True, False, False]
    verified = api.get("/v2/products/66/reviews", {"verified": "true"}).json()
    assert [r["review_id"] for r in verified["results"]] == [posted[0].id]
    assert verified["total"] == 1 and verified["filters"] == {"verified": "true"}
    summary = api.get("/v2/products/66/summary", {"verified": "false"}).json()
    assert summary["verified_purchases"] == 1
    assert (summary["filtered"]["total"], summary["filtered"]["verified_purchases"]) == (2, 0)
    # The legacy shapes do not change.
    legacy = api.get("/reviews", {"product_id": 66}).json()["results"]
    assert all(list(result) == RESULT_KEYS for result in legacy)


@pytest.mark.django_db
def test_without_a_secret_no_review_is_a_verified_purchase(api):
    headers = {"HTTP_X_SHOPPER_TOKEN": token(verified_purchases=[65])}
    body = valid(product_id=65, characteristics={}, photos=[])
    assert api.post("/reviews", body, format="json", **headers).status_code == 201
    assert Review.objects.get(product_id=65).verified_purchase is False
