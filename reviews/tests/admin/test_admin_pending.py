"""The pending queue: reviews waiting for approval, newest first, with the screen's reasons; bulk
approve and reject; and every moderator action on a review's page (who, what, when)."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from reviews.models import Review, ReviewStatus
from reviews.tests.factories import review_make

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:reviews_review_changelist")


def pending(**fields) -> Review:
    return review_make(status=ReviewStatus.PENDING, reported=True, **fields)


def act(client, action: str, ids, query: str = "?status=pending"):
    data = {"action": action, ACTION_CHECKBOX_NAME: [str(i) for i in ids], "index": 0}
    return client.post(CHANGELIST + query, data)


def test_the_pending_queue_lists_waiting_reviews_with_the_screens_reasons(moderator_client):
    held = pending(summary="Held one", screen_reasons=["link", "offensive language"])
    waiting = pending(summary="Waiting one")
    review_make(summary="Published one")
    review_make(summary="Hidden one", reported=True)
    rejected = review_make(summary="Rejected one", status=ReviewStatus.REJECTED, reported=True)

    page = moderator_client.get(CHANGELIST, {"status": "pending"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Held one" in html and "Waiting one" in html
    assert "Published one" not in html and "Hidden one" not in html
    assert "link, offensive language" in html  # the screen column, where the reports are
    assert [r.pk for r in page.context["cl"].result_list] == [waiting.pk, held.pk]

    hidden_queue = moderator_client.get(CHANGELIST).content.decode()  # the default queue
    assert "Hidden one" in hidden_queue and "Held one" not in hidden_queue
    rejected_queue = moderator_client.get(CHANGELIST, {"status": "rejected"})
    assert [r.pk for r in rejected_queue.context["cl"].result_list] == [rejected.pk]


def test_bulk_approve_and_reject_change_only_what_they_apply_to(moderator_client):
    approve = [pending(), pending()]
    reject = [pending(), review_make()]
    assert act(moderator_client, "approve", [r.pk for r in approve]).status_code == 302
    assert act(moderator_client, "reject", [r.pk for r in reject], "?status=all").status_code == 302
    for review in approve:
        review.refresh_from_db()
        assert (review.status, review.reported, review.cleared) == ("published", False, True)
    for review in reject:
        review.refresh_from_db()
        assert (review.status, review.reported) == ("rejected", True)


def test_a_reviews_page_shows_every_moderator_action_and_decides_it(moderator_client):
    review = pending(screen_reasons=["same text as another review"])
    url = reverse("admin:reviews_review_change", args=[review.pk])
    page = moderator_client.get(url).content.decode()
    assert "No moderator has acted on it." in page
    assert "same text as another review" in page
    assert 'name="_approve"' in page and 'name="_reject"' in page

    moderator_client.post(url, {"_approve": "1"})
    moderator_client.post(url, {"_report": "1"})
    review.refresh_from_db()
    assert (review.status, review.reported) == ("published", True)

    page = moderator_client.get(url).content.decode()
    history = page.split('class="review-history"', 1)[1].split("</table>", 1)[0]
    rows = history.split("<tr>")[2:]  # after the header row
    assert len(rows) == 2
    assert "moderator" in rows[0] and "Reported by a moderator" in rows[0]  # newest first
    assert "moderator" in rows[1] and "Approved" in rows[1]
