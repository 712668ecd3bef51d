"""PUT /reviews/<id>/helpful and /report: 204 with an empty body, 404 for unknown ids."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from rest_framework.test import APIClient

from atelier.ids import INT4_MAX
from reviews.models import Review, ReviewVote
from reviews.tests import oracle
from reviews.tests.factories import review_make

pytestmark = pytest.mark.usefixtures("loaded")

BAD_IDS = ["987654", "0", "-1", "abc", "1.0", "99999999999", "2147483648", "1" * 300, "%201"]


def helpfulness(review_id: int) -> int:
    return Review.objects.get(pk=review_id).helpfulness


@pytest.mark.parametrize("path", ["/reviews/1/helpful", "/reviews/1/helpful/"])
def test_helpful_adds_one_vote_and_answers_204_empty(api, path):
    before = helpfulness(1)
    response = api.put(path)
    assert response.status_code == 204
    assert response.content == b""
    assert "Content-Type" not in response
    assert helpfulness(1) == before + 1


def test_a_client_votes_once_per_review_and_is_answered_204_every_time(api):
    before, before_other = helpfulness(1), helpfulness(3)
    for _ in range(3):
        assert api.put("/reviews/1/helpful", REMOTE_ADDR="198.51.100.7").status_code == 204
    assert helpfulness(1) == before + 1
    assert api.put("/reviews/1/helpful", REMOTE_ADDR="198.51.100.8").status_code == 204
    assert helpfulness(1) == before + 2
    assert api.put("/reviews/3/helpful", REMOTE_ADDR="198.51.100.7").status_code == 204
    assert helpfulness(3) == before_other + 1  # the same client's first vote on another review
    assert ReviewVote.objects.filter(review_id=1).count() == 2


def test_the_voter_is_the_client_the_trusted_proxy_names_and_is_stored_hashed(api):
    before = helpfulness(1)
    proxy = {"REMOTE_ADDR": ""}  # nginx, on the Unix socket
    for client in ["203.0.113.1", "203.0.113.2", "203.0.113.1"]:
        api.put("/reviews/1/helpful", HTTP_X_FORWARDED_FOR=client, **proxy)
    assert helpfulness(1) == before + 2
    # An untrusted peer's own X-Forwarded-For is not believed: the peer is the voter.
    for forged in ["192.0.2.1", "192.0.2.2"]:
        api.put("/reviews/1/helpful", HTTP_X_FORWARDED_FOR=forged, REMOTE_ADDR="198.51.100.9")
    assert helpfulness(1) == before + 3
    voters = list(ReviewVote.objects.filter(review_id=1).values_list("voter", flat=True))
    assert len(voters) == 3 and not any(
        "203.0.113" in voter or "198.51" in voter for voter in voters
    )


@pytest.mark.django_db(transaction=True)
def test_parallel_votes_of_one_client_count_once(api):
    review = review_make()

    def vote(_):
        try:
            return (
                APIClient(HTTP_HOST="localhost")
                .put(f"/reviews/{review.id}/helpful", REMOTE_ADDR="198.51.100.20")
                .status_code
            )
        finally:
            connection.close()

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(vote, range(24))) == {204}
    assert helpfulness(review.id) == 1


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"data": "{}", "content_type": "application/json"},
        {"data": "null", "content_type": "application/json"},
        {"data": "", "content_type": "application/json"},
        {"data": '{"helpfulness": 1000}', "content_type": "application/json"},
    ],
)
@pytest.mark.parametrize("action", ["helpful", "report"])
def test_put_without_body_or_with_any_body_is_fine(api, action, kwargs):
    assert api.put(f"/reviews/2/{action}", **kwargs).status_code == 204


def test_helpful_is_one_statement_and_the_purges_it_owes(api, django_assert_num_queries):
    # In its own transaction (a savepoint pair inside the test's): the vote, then the purges it
    # owes the cache nodes (the purge outbox).
    with django_assert_num_queries(4):
        assert api.put("/reviews/1/helpful").status_code == 204


def test_helpful_touches_only_that_review(api):
    others = dict(Review.objects.exclude(pk=1).values_list("id", "helpfulness"))
    api.put("/reviews/1/helpful")
    assert dict(Review.objects.exclude(pk=1).values_list("id", "helpfulness")) == others


def test_helpful_saturates_instead_of_overflowing(api):
    review = review_make(helpfulness=INT4_MAX - 1)
    for client in ["198.51.100.1", "198.51.100.2"]:
        assert api.put(f"/reviews/{review.id}/helpful", REMOTE_ADDR=client).status_code == 204
    assert helpfulness(review.id) == INT4_MAX


@pytest.mark.parametrize("action", ["helpful", "report"])
@pytest.mark.parametrize("review_id", BAD_IDS)
def test_unknown_or_malformed_review_id_is_404(api, action, review_id):
    before = list(Review.objects.order_by("id").values_list("helpfulness", "reported"))
    response = api.put(f"/reviews/{review_id}/{action}")
    assert response.status_code == 404
    assert "no review" in response.json()["detail"]
    assert list(Review.objects.order_by("id").values_list("helpfulness", "reported")) == before


@pytest.mark.parametrize("path", ["/reviews/4/report", "/reviews/4/report/"])
def test_report_hides_the_review_from_lists_and_meta(api, path):
    assert 4 in [
        r["review_id"]
        for r in api.get("/reviews", {"product_id": 101, "count": 50}).json()["results"]
    ]
    response = api.put(path)
    assert response.status_code == 204
    assert response.content == b""
    assert Review.objects.get(pk=4).reported is True
    for sort in ("relevant", "newest", "helpful"):
        body = api.get("/reviews", {"product_id": 101, "count": 50, "sort": sort}).json()
        assert 4 not in [r["review_id"] for r in body["results"]]
    meta = api.get("/reviews/meta", {"product_id": 101}).json()
    # Review 4 was the only visible rating 1 and one of two "false" recommendations.
    assert "1" not in meta["ratings"]
    assert meta["recommended"]["false"] == "1"
    expected = oracle.product_meta(101)
    assert meta["characteristics"]["Fit"]["value"] != expected["characteristics"]["Fit"]["value"]
    assert meta["characteristics"]["Fit"]["value"] == oracle.average([4, 3, 2, 5, 4])


def test_a_second_report_is_a_404_as_the_reviews_get_never_a_toggle(api):
    assert api.put("/reviews/6/report").status_code == 204
    for _ in range(2):
        assert api.put("/reviews/6/report").status_code == 404
        assert api.get("/reviews/6").status_code == 404
        assert Review.objects.get(pk=6).reported is True


def test_report_is_a_few_indexed_statements(api, django_assert_num_queries):
    # The review (locked), the report, the product's lock and hides today, the hide, the purges
    # it owes; and the savepoint around them (the test's transaction is open).
    with django_assert_num_queries(8):
        assert api.put("/reviews/6/report").status_code == 204


def test_helpful_on_a_reported_review_is_a_404_and_counts_nothing(api):
    assert api.get("/reviews/5").status_code == 404
    assert api.put("/reviews/5/helpful").status_code == 404
    review = Review.objects.get(pk=5)
    assert (review.helpfulness, review.reported) == (99, True)
