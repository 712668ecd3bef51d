"""POST /v2/reviews/<id>/reports: a report with its reason, once per reporter; the first hides the
review from the lists and the meta (within the product's daily bound: test_reports_bounded.py).
And the legacy PUT .../report as a report without a reason."""

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from rest_framework.test import APIClient

from reviews import services
from reviews.meta.rebuild import meta_differences
from reviews.models import Review, ReviewReport
from reviews.tests.factories import review_make
from reviews.voters import address_voter, token_voter

pytestmark = pytest.mark.usefixtures("loaded")

TOKEN = "4f1a7e0c-reporter"


def report(api, review_id, body, token=TOKEN, **extra):
    headers = {} if token is None else {"HTTP_X_VOTER": token}
    return api.post(f"/v2/reviews/{review_id}/reports", body, format="json", **headers, **extra)


def listed(api, product_id: int) -> list[int]:
    return [
        result["review_id"]
        for sort in ("relevant", "newest", "helpful")
        for result in api.get(
            "/reviews", {"product_id": product_id, "count": 50, "sort": sort}
        ).json()["results"]
    ]


def reasons(review_id: int) -> list[tuple[str, str]]:
    return list(
        ReviewReport.objects.filter(review_id=review_id)
        .order_by("created_at", "reason")
        .values_list("reason", "note")
    )


@pytest.mark.parametrize("path", ["/v2/reviews/4/reports", "/v2/reviews/4/reports/"])
def test_a_first_report_is_201_with_the_report_and_hides_the_review(api, path):
    assert 4 in listed(api, 101)
    meta_before = api.get("/reviews/meta", {"product_id": 101}).json()
    body = {"reason": "offensive", "note": "Insults the seller."}
    response = api.post(path, body, format="json", HTTP_X_VOTER=TOKEN)
    assert response.status_code == 201
    assert response.json() == {"review_id": 4, "reason": "offensive", "note": "Insults the seller."}
    assert Review.objects.get(pk=4).reported is True
    assert 4 not in listed(api, 101)
    assert api.get("/reviews/4").status_code == 404
    meta = api.get("/reviews/meta", {"product_id": 101}).json()
    assert meta != meta_before
    assert "1" not in meta["ratings"]  # review 4 was the only visible rating 1
    assert not meta_differences()


def test_a_reporters_second_report_is_200_with_the_first_and_changes_nothing(api):
    assert report(api, 2, {"reason": "spam", "note": "first"}).status_code == 201
    services.reviews_restore(review_ids=[2])  # visible again: a report of it is answered
    again = report(api, 2, {"reason": "fake", "note": "second"})
    assert again.status_code == 200
    assert again.json() == {"review_id": 2, "reason": "spam", "note": "first"}
    assert reasons(2) == [("spam", "first")]


def test_a_hidden_review_answers_a_report_as_a_missing_one_and_records_nothing(api):
    assert report(api, 2, {"reason": "spam"}).status_code == 201
    hidden = report(api, 2, {"reason": "fake"}, REMOTE_ADDR="192.0.2.6")
    missing = report(api, 999_999, {"reason": "fake"}, REMOTE_ADDR="192.0.2.6")
    assert (hidden.status_code, hidden.content) == (missing.status_code, missing.content)
    assert hidden.status_code == 404
    # Without a token: the same answer.
    third = report(api, 2, {"reason": "other", "note": "odd"}, token=None, REMOTE_ADDR="192.0.2.7")
    assert third.status_code == 404
    # A review hidden before any report (loaded as reported) too.
    assert report(api, 5, {"reason": "spam"}).status_code == 404
    assert reasons(2) == [("spam", "")] and reasons(5) == []
    assert not meta_differences()


def test_the_reporter_is_stored_only_as_its_keyed_hash(api):
    report(api, 2, {"reason": "spam"})  # with an X-Voter token: the address reports
    report(api, 3, {"reason": "spam"}, token=None, REMOTE_ADDR="192.0.2.8")
    stored = dict(ReviewReport.objects.values_list("review_id", "reporter"))
    assert stored[2] == address_voter("127.0.0.1") != token_voter(TOKEN)
    assert stored[3] == address_voter("192.0.2.8") and "192.0.2.8" not in stored[3]


@pytest.mark.parametrize("note", [None, ""])
def test_an_empty_or_null_note_is_no_note(api, note):
    response = report(api, 2, {"reason": "fake", "note": note})
    assert response.status_code == 201
    assert response.json()["note"] == ""


def test_a_note_is_kept_exactly_as_written(api):
    note = '  Café <b>bold</b>\n"quoted" 😍 ' + "x" * 950
    response = report(api, 2, {"reason": "other", "note": note})
    assert response.json()["note"] == note
    assert reasons(2) == [("other", note)]


@pytest.mark.parametrize("review_id", ["987654", "0", "abc", "2147483648"])
def test_an_unknown_review_is_a_json_404(api, review_id):
    response = report(api, review_id, {"reason": "spam"})
    assert response.status_code == 404
    assert "no review" in response.json()["detail"]
    assert not ReviewReport.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "reason"),
        ({"reason": "unspecified"}, "reason"),
        ({"reason": "Spam"}, "reason"),
        ({"reason": "rude"}, "reason"),
        ({"reason": 1}, "reason"),
        ({"reason": None}, "reason"),
        ({"reason": "spam", "note": "x" * 1001}, "note"),
        ({"reason": "spam", "note": 5}, "note"),
        ({"reason": "spam", "note": ["a"]}, "note"),
        ({"reason": "spam", "note": "nul\x00byte"}, "note"),
        ([], "non_field_errors"),
        (None, "non_field_errors"),
    ],
)
def test_a_body_that_is_not_a_report_is_a_422_naming_the_field(api, body, field):
    response = api.post(
        "/v2/reviews/2/reports",
        json.dumps(body),
        content_type="application/json",
        HTTP_X_VOTER=TOKEN,
    )
    assert response.status_code == 422
    content = response.json()
    assert content["detail"] == "Error: Report body contains invalid entries"
    assert field in content["errors"]
    assert not ReviewReport.objects.exists()
    assert Review.objects.get(pk=2).reported is False


@pytest.mark.parametrize("token", ["", " x", "é", "x" * 201])
def test_an_invalid_voter_token_is_a_400_not_the_address(api, token):
    response = report(api, 2, {"reason": "spam"}, token=token)
    assert response.status_code == 400
    assert "X-Voter" in response.json()["detail"]
    assert not ReviewReport.objects.exists()


def test_a_report_is_a_few_indexed_statements_whatever_the_product(api, django_assert_num_queries):
    # The review (locked), the report, the product's lock and hides today, the hide, the purges
    # it owes; and the savepoint around them (the test's transaction is open).
    with django_assert_num_queries(8):
        assert report(api, 2, {"reason": "spam"}).status_code == 201
    services.reviews_restore(review_ids=[2])
    # A repeat: the review, the report that is not new, the first one read back.
    with django_assert_num_queries(5):
        assert report(api, 2, {"reason": "spam"}).status_code == 200


def test_a_retry_with_the_same_idempotency_key_gets_the_first_answer(api):
    first = report(api, 3, {"reason": "spam", "note": "n"}, HTTP_IDEMPOTENCY_KEY="report-1")
    retried = report(api, 3, {"reason": "spam", "note": "n"}, HTTP_IDEMPOTENCY_KEY="report-1")
    assert first.status_code == retried.status_code == 201
    assert retried.json() == first.json()
    assert report(api, 3, {"reason": "fake"}, HTTP_IDEMPOTENCY_KEY="report-1").status_code == 422
    assert reasons(3) == [("spam", "n")]


# -- the legacy PUT .../report ------------------------------------------------------------------


def test_the_legacy_report_is_a_report_without_a_reason_by_the_clients_address(api):
    response = api.put("/reviews/6/report", REMOTE_ADDR="192.0.2.9")
    assert response.status_code == 204 and response.content == b""
    stored = ReviewReport.objects.get(review_id=6)
    assert (stored.reason, stored.note) == ("unspecified", "")
    assert stored.reporter == address_voter("192.0.2.9")
    # The same client on the v2 route, without a token, once the review is restored: its report
    # is the legacy one.
    services.reviews_restore(review_ids=[6])
    again = report(api, 6, {"reason": "spam"}, token=None, REMOTE_ADDR="192.0.2.9")
    assert again.status_code == 200
    assert again.json() == {"review_id": 6, "reason": "unspecified", "note": ""}


def test_a_legacy_report_of_a_reported_review_is_still_a_404_and_records_nothing(api):
    assert api.put("/reviews/5/report").status_code == 404
    assert report(api, 2, {"reason": "spam"}).status_code == 201
    assert api.put("/reviews/2/report").status_code == 404
    assert reasons(2) == [("spam", "")]


# -- moderation -----------------------------------------------------------------------------------


def test_removing_a_review_deletes_its_reports(api):
    report(api, 2, {"reason": "spam"})
    report(api, 3, {"reason": "fake"})
    assert services.reviews_remove(review_ids=[2]) == 1
    assert list(ReviewReport.objects.values_list("review_id", flat=True)) == [3]
    assert not meta_differences()


def test_a_restored_review_keeps_its_reports_and_new_reports_only_queue_it(api):
    assert report(api, 2, {"reason": "spam"}).status_code == 201
    api.put("/reviews/2/report", REMOTE_ADDR="192.0.2.10")  # already hidden: a 404, nothing kept
    assert services.reviews_restore(review_ids=[2]) == 1
    assert 2 in listed(api, 101)
    # The reports it was restored over stay, and the same reporters change nothing.
    again = report(api, 2, {"reason": "fake"})
    assert (again.status_code, again.json()["reason"]) == (200, "spam")
    # A new reporter's report is recorded and queues it; only a moderator hides it again.
    assert report(api, 2, {"reason": "fake"}, REMOTE_ADDR="192.0.2.30").status_code == 201
    review = Review.objects.get(pk=2)
    assert (review.reported, review.awaiting_moderator, review.cleared) == (False, True, True)
    assert 2 in listed(api, 101)
    assert not meta_differences()
    assert services.reviews_hide(review_ids=[2]) == 1
    assert 2 not in listed(api, 101)
    assert not meta_differences()


def test_a_restored_review_reported_again_by_any_legacy_client_stays_visible(api):
    address = {"REMOTE_ADDR": "192.0.2.11"}
    assert api.put("/reviews/3/report", **address).status_code == 204
    services.reviews_restore(review_ids=[3])
    assert api.put("/reviews/3/report", **address).status_code == 204
    assert api.put("/reviews/3/report", REMOTE_ADDR="192.0.2.12").status_code == 204
    review = Review.objects.get(pk=3)
    assert (review.reported, review.awaiting_moderator) == (False, True)


@pytest.mark.django_db(transaction=True)
def test_parallel_reports_record_one_per_reporter_and_hide_the_review_once():
    review = review_make(product_id=301, rating=2)
    other = review_make(product_id=301, rating=5)

    def one(n):
        try:
            client = APIClient(HTTP_HOST="localhost")
            address = f"192.0.2.{n % 4 + 1}"  # four reporters
            return report(client, review.id, {"reason": "spam"}, REMOTE_ADDR=address).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(one, range(24)))
    # Each reporter's first report is recorded while the review is visible; once the first
    # report has hidden it, the others are answered as for a missing review.
    recorded = ReviewReport.objects.filter(review=review).count()
    assert 1 <= recorded <= 4 and statuses.count(201) == recorded
    assert set(statuses) <= {200, 201, 404}
    assert Review.objects.get(pk=review.id).reported is True
    assert Review.objects.get(pk=other.id).reported is False
    assert not meta_differences()
