"""POST /reviews: 201 Created with Location, all-or-nothing writes, every invalid entry a 422."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from reviews.models import CharacteristicReview, Review, ReviewPhoto
from reviews.tests.api import post, valid

pytestmark = pytest.mark.usefixtures("loaded")

INVALID_BODY = "Error: Review body contains invalid entries"


def counts() -> tuple[int, int, int]:
    return (
        Review.objects.count(),
        ReviewPhoto.objects.count(),
        CharacteristicReview.objects.count(),
    )


@pytest.mark.parametrize("path", ["/reviews", "/reviews/"])
def test_post_review_answers_201_created_with_location(api, path):
    response = post(api, valid(), path)
    assert response.status_code == 201
    assert response.content == b"Created"
    review = Review.objects.latest("id")
    assert response["Location"] == f"/reviews/{review.id}"


def test_post_review_writes_review_photos_and_ratings(api):
    before = datetime.now(UTC)
    post(api, valid(summary="  spaced  "))
    review = Review.objects.latest("id")
    assert review.product_id == 101
    assert review.rating == 4
    assert review.summary == "  spaced  "
    assert review.body == "Fits well and washes well."
    assert review.recommend is True
    assert review.reviewer_name == "jackson11"
    assert review.reviewer_email == "jackson11@example.com"
    assert review.helpfulness == 0
    assert review.reported is False
    assert review.response is None
    assert before - timedelta(milliseconds=1) <= review.date <= datetime.now(UTC)
    assert review.date.microsecond % 1000 == 0
    assert list(review.photos.order_by("id").values_list("url", flat=True)) == [
        "https://example.com/a.jpg",
        "b.png",
    ]
    assert dict(review.characteristic_ratings.values_list("characteristic_id", "value")) == {
        1001: 4,
        1002: 3,
    }


def test_posted_review_shows_in_the_very_next_list_and_meta(api):
    meta_before = api.get("/reviews/meta", {"product_id": 101}).json()
    post(api, valid(rating=3, recommend=False, characteristics={"1003": 1}))
    review_id = Review.objects.latest("id").id
    newest = api.get("/reviews", {"product_id": 101, "sort": "newest", "count": 1}).json()
    result = newest["results"][0]
    assert result["review_id"] == review_id
    assert result["response"] is None and result["helpfulness"] == 0
    assert [p["url"] for p in result["photos"]] == ["https://example.com/a.jpg", "b.png"]
    meta = api.get("/reviews/meta", {"product_id": 101}).json()
    assert meta["ratings"]["3"] == "1" and "3" not in meta_before["ratings"]
    assert meta["recommended"]["false"] == str(int(meta_before["recommended"]["false"]) + 1)
    # Comfort was 5, 4, 1 over visible reviews; now 5, 4, 1, 1.
    assert meta["characteristics"]["Comfort"]["value"] == "2.7500000000000000"


def test_post_review_summary_photos_and_characteristics_are_optional(api):
    response = post(api, valid(summary=..., photos=..., characteristics=...))
    assert response.status_code == 201
    review = Review.objects.latest("id")
    assert review.summary == ""
    assert not review.photos.exists() and not review.characteristic_ratings.exists()


def test_post_review_ignores_unknown_and_protected_keys(api):
    response = post(
        api,
        valid(
            reported=True,
            helpfulness=999,
            date="1999-01-01T00:00:00.000Z",
            response="We love you",
            review_id=1,
            id=1,
            favourite_colour="teal",
        ),
    )
    assert response.status_code == 201
    review = Review.objects.latest("id")
    assert review.id > 10
    assert (review.reported, review.helpfulness, review.response) == (False, 0, None)
    assert review.date.year >= 2026


def test_post_review_accepts_digit_strings_for_numbers(api):
    body = valid(product_id="101", rating="5", characteristics={"1001": "2"})
    assert post(api, body).status_code == 201
    assert Review.objects.latest("id").rating == 5


def test_post_review_with_a_characteristic_of_another_product_writes_nothing(api):
    before = counts()
    # 1004 belongs to product 102: the valid 1001 rating must not be written either.
    response = post(api, valid(characteristics={"1001": 5, "1004": 3}))
    assert response.status_code == 422
    assert response.json()["detail"] == INVALID_BODY
    assert "1004" in response.json()["errors"]["characteristics"][0]
    assert counts() == before


def test_post_review_with_an_unknown_characteristic_writes_nothing(api):
    before = counts()
    response = post(api, valid(characteristics={"987654": 5}))
    assert response.status_code == 422
    assert counts() == before


LONG = "x" * 5000
INVALID_ENTRIES = [
    ("rating", ...),
    ("rating", 0),
    ("rating", 6),
    ("rating", 4.5),
    ("rating", "five"),
    ("rating", True),
    ("rating", None),
    ("rating", 10**40),
    ("summary", "s" * 256),
    ("summary", 5),
    ("summary", None),
    ("body", ...),
    ("body", ""),
    ("body", "   \n\t "),
    ("body", "b" * 1001),
    ("body", "nul\x00byte"),
    ("body", ["a list"]),
    ("recommend", ...),
    ("recommend", "perhaps"),
    ("recommend", None),
    ("recommend", 0),
    ("recommend", 1),
    ("recommend", "yes"),
    ("recommend", "true"),
    ("name", ...),
    ("name", ""),
    ("name", "n" * 61),
    ("name", "bad\x00name"),
    ("email", ...),
    ("email", "not-an-email"),
    ("email", "a" * 50 + "@example.com"),
    ("photos", "https://example.com/a.jpg"),
    ("photos", [f"https://example.com/{n}.jpg" for n in range(6)]),
    ("photos", [""]),
    ("photos", [LONG]),
    ("photos", [{"url": "a.jpg"}]),
    ("photos", None),
    ("photos", ["javascript:alert(document.domain)"]),
    ("photos", [" javascript:alert(1)"]),
    ("photos", ["JaVaScRiPt:alert(1)"]),
    ("photos", ["data:text/html,<script>alert(1)</script>"]),
    ("photos", ["vbscript:msgbox(1)"]),
    ("photos", ["file:///etc/passwd"]),
    ("photos", ["//evil.example/a.jpg"]),
    ("photos", ["https://"]),
    ("photos", ["https://example.com/a.jpg", "java\tscript:alert(1)"]),
    # What would end an HTML attribute or tag a storefront writes by string, and traversal.
    ("photos", ["IMG 2041.jpg"]),
    ("photos", ['x" onerror="alert(1).png']),
    ("photos", ["<script>.png"]),
    ("photos", ["it's.png"]),
    ("photos", ["https://example.com/a b.jpg"]),
    ("photos", ['https://example.com/a.jpg"onerror=alert(1)']),
    ("photos", ["https://example.com/<svg>"]),
    ("photos", ["../etc/passwd"]),
    ("photos", ["photos/../../secret.png"]),
    ("photos", ["./a.png"]),
    ("photos", [".."]),
    ("characteristics", [4, 3]),
    ("characteristics", {"1001": 0}),
    ("characteristics", {"1001": 6}),
    ("characteristics", {"1001": "great"}),
    ("characteristics", {"Fit": 3}),
    ("characteristics", {"-1001": 3}),
    ("characteristics", {"99999999999999999999": 3}),
    ("characteristics", {str(n): 3 for n in range(10_000)}),
    ("characteristics", None),
]


@pytest.mark.parametrize(("field", "value"), INVALID_ENTRIES)
def test_post_review_invalid_entry_is_422_naming_the_field(api, field, value):
    before = counts()
    response = post(api, valid(**{field: value}))
    assert response.status_code == 422, response.content
    assert response.json()["detail"] == INVALID_BODY
    assert list(response.json()["errors"]) == [field]
    assert counts() == before


@pytest.mark.parametrize(
    "photo",
    ["b.png", "IMG_2041.jpg", "photos/b.png", "..b.png", "HTTPS://example.com/a.jpg?w=640#top"],
)
def test_post_review_takes_http_urls_and_plain_file_names_as_photos(api, photo):
    response = post(api, valid(photos=[photo]))
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("product_id", [..., 0, -5, "abc", 2**31, 10**30, None, 1.5])
def test_post_review_invalid_product_id_is_422_naming_it(api, product_id):
    before = counts()
    response = post(api, valid(product_id=product_id))
    assert response.status_code == 422
    assert response.json()["detail"] == INVALID_BODY
    assert list(response.json()["errors"]) == ["product_id"]
    assert counts() == before


def test_post_review_lists_every_invalid_field(api):
    response = post(api, {"product_id": 101, "rating": 9, "photos": [""] * 6})
    assert set(response.json()["errors"]) == {
        "rating",
        "body",
        "recommend",
        "name",
        "email",
        "photos",
    }


@pytest.mark.parametrize("body", ["null", "[]", '"text"', "42", "{}"])
def test_post_review_body_not_an_object_is_422(api, body):
    response = api.post("/reviews", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"] == INVALID_BODY


@pytest.mark.parametrize(
    "raw",
    [
        b"{",
        b'{"product_id": 101,}',
        b"not json",
        b'{"rating": NaN}',
        b'{"a": "\xff\xfe"}',
        b'{"rating": 1' + b"0" * 5000 + b"}",
        b"[" * 100_000 + b"]" * 100_000,  # nested past any parser's depth
        b'{"body": "\\ud800"}',  # a lone surrogate, which no text column can store
    ],
)
def test_post_review_malformed_json_is_400(api, raw):
    before = counts()
    response = api.post("/reviews", raw, content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]
    assert counts() == before


def test_post_review_with_ten_thousand_keys_is_fine(api):
    body = valid(**{f"extra{n}": n for n in range(10_000)})
    assert post(api, body).status_code == 201


def test_post_review_body_over_256_kib_is_413(api):
    response = post(api, valid(padding="p" * 300_000))
    assert response.status_code == 413
    assert "at most" in response.json()["detail"]


def test_post_review_not_sent_as_json_is_415(api):
    response = api.post("/reviews", {"product_id": 101})  # multipart form
    assert response.status_code == 415
    assert "application/json" in response.json()["detail"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.dictionaries(
        st.sampled_from([*valid(), "extra"]),
        st.none()
        | st.booleans()
        | st.integers(-(2**70), 2**70)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(max_size=20)
        | st.lists(st.text(max_size=5), max_size=7)
        | st.dictionaries(st.text(max_size=6), st.integers(-3, 9), max_size=4),
    )
)
def test_no_post_body_produces_a_server_error(body):
    response = post(APIClient(), {**valid(), **body})
    assert response.status_code in (201, 422), (body, response.content)


def test_post_review_is_one_statement_per_table_in_one_transaction(api, django_assert_num_queries):
    # SAVEPOINT / RELEASE stand for BEGIN / COMMIT inside the test's own transaction;
    # then the characteristics check, one INSERT each for review, photos and ratings, and one
    # of the purges the review owes the cache nodes (the purge outbox).
    with django_assert_num_queries(7):
        assert post(api, valid()).status_code == 201
    with django_assert_num_queries(4):
        assert post(api, valid(photos=[], characteristics={})).status_code == 201


def test_post_review_failing_on_its_last_insert_leaves_nothing_behind(api):
    """All or nothing for real: a trigger (this test's own) refuses the ratings' INSERT, the last
    of the three, after the review and its photos were written."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION pg_temp.refuse() RETURNS trigger LANGUAGE plpgsql AS"
            " $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER refuse_ratings BEFORE INSERT ON characteristic_reviews"
            " FOR EACH ROW EXECUTE FUNCTION pg_temp.refuse()"
        )
    before = counts()
    with pytest.raises(Exception, match="refused by the test"):
        post(api, valid())
    assert counts() == before


def test_post_and_put_ignore_the_authorization_header(api):
    token = {"HTTP_AUTHORIZATION": "ghp_a-token-for-the-old-host"}
    response = api.post("/reviews", json.dumps(valid()), content_type="application/json", **token)
    assert response.status_code == 201
    review_id = response["Location"].rsplit("/", 1)[1]
    assert api.put(f"/reviews/{review_id}/helpful", **token).status_code == 204
    assert api.put(f"/reviews/{review_id}/report", **token).status_code == 204
