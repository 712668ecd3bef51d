"""PUT /v2/reviews/<id>/response: store staff write (or clear) the public reply to a review with
a DRF token; it shows as `response` in both APIs and with its time (`responded_at`) in v2."""

import pytest
from rest_framework.authtoken.models import Token

from reviews.models import Review
from reviews.tests.factories import review_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_token(django_user_model) -> str:
    staff = django_user_model.objects.create_user(
        "store", password="a-long-password-1", is_staff=True
    )
    return Token.objects.create(user=staff).key


def reply(api, review_id, body, token=None):
    headers = {} if token is None else {"HTTP_AUTHORIZATION": f"Token {token}"}
    return api.put(f"/v2/reviews/{review_id}/response", body, format="json", **headers)


def v2_result(api, review: Review) -> dict:
    results = api.get(f"/v2/products/{review.product_id}/reviews").json()["results"]
    return next(result for result in results if result["review_id"] == review.id)


def test_staff_reply_shows_in_both_apis_with_its_time_in_v2(api, staff_token):
    review = review_make(product_id=606)
    assert v2_result(api, review)["responded_at"] is None
    answer = reply(api, review.id, {"response": "Thank you! The fit runs small."}, staff_token)
    assert answer.status_code == 200
    body = answer.json()
    assert body["review_id"] == review.id and body["response"] == "Thank you! The fit runs small."
    assert body["responded_at"].endswith("Z") and len(body["responded_at"]) == 24
    assert api.get(f"/reviews/{review.id}").json()["response"] == "Thank you! The fit runs small."
    shown = v2_result(api, review)
    assert (shown["response"], shown["responded_at"]) == (body["response"], body["responded_at"])
    cleared = reply(api, review.id, {"response": None}, staff_token)
    assert cleared.json() == {"review_id": review.id, "response": None, "responded_at": None}
    assert v2_result(api, review)["responded_at"] is None
    assert api.get(f"/reviews/{review.id}").json()["response"] is None


def test_only_store_staff_with_a_token_reply(api, django_user_model):
    review = review_make()
    shopper = django_user_model.objects.create_user("shopper", password="a-long-password-2")
    no_token = reply(api, review.id, {"response": "Hi"})
    assert no_token.status_code == 401 and no_token["WWW-Authenticate"] == "Token"
    assert reply(api, review.id, {"response": "Hi"}, "not-a-token").status_code == 401
    not_staff = Token.objects.create(user=shopper).key
    assert reply(api, review.id, {"response": "Hi"}, not_staff).status_code == 403
    assert Review.objects.get(pk=review.id).response is None


@pytest.mark.parametrize(
    "body", [{"response": 5}, {"response": "x" * 2001}, {"response": "a\x00"}, {}]
)
def test_a_reply_that_is_not_text_is_422(api, staff_token, body):
    review = review_make()
    answer = reply(api, review.id, body, staff_token)
    assert answer.status_code == 422
    assert "response" in answer.json()["errors"]


def test_a_reply_to_a_missing_review_is_404(api, staff_token):
    assert reply(api, 999_999, {"response": "Hi"}, staff_token).status_code == 404


def test_store_staff_reply_with_the_admins_session_and_its_csrf_token(django_user_model):
    from django.test import Client

    review = review_make()
    staff = django_user_model.objects.create_user("desk", password="a-long-password-3")
    browser = Client(HTTP_HOST="localhost", enforce_csrf_checks=True)
    browser.force_login(staff)
    url = f"/v2/reviews/{review.id}/response"

    def put(**headers):
        return browser.put(url, {"response": "Thanks!"}, content_type="application/json", **headers)

    assert put().status_code == 403  # not staff yet
    staff.is_staff = True
    staff.save()
    refused = put()  # no CSRF token: a page of another site cannot reply as the moderator
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    browser.get("/admin/")  # the admin sets its CSRF cookie
    csrf = browser.cookies["csrftoken"].value
    assert put(HTTP_X_CSRFTOKEN=csrf).status_code == 200
    assert Review.objects.get(pk=review.id).response == "Thanks!"
    browser.logout()
    assert put(HTTP_X_CSRFTOKEN=csrf).status_code == 401
