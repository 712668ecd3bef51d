"""Reports in the moderation admin: the queue shows each review's reasons with their counts (from
the page's own query), and a review's page lists its reports with their notes, read-only."""

import re

import pytest
from django.urls import reverse

from reviews.models import Review, ReviewReport
from reviews.tests.admin.changelist import CHANGELIST, changelist_sql, listed_ids
from reviews.tests.factories import photo_make, review_make

pytestmark = pytest.mark.django_db

TIMES = "\N{MULTIPLICATION SIGN}"


def reports_make(review: Review, *reasons: str, note: str = "") -> None:
    start = ReviewReport.objects.filter(review=review).count()
    ReviewReport.objects.bulk_create(
        ReviewReport(review=review, reporter=f"reporter-{start + n}", reason=reason, note=note)
        for n, reason in enumerate(reasons)
    )


def queue_column(response) -> dict[int, str]:
    """The "reports" cell of each listed review."""
    content = response.content.decode()
    cells = re.findall(r'<td class="field-reports">(.*?)</td>', content)
    return dict(zip(listed_ids(response), cells, strict=True))


def test_the_queue_shows_each_reviews_reasons_with_counts_most_given_first(moderator_client):
    spammy = review_make(reported=True)
    reports_make(spammy, "spam", "fake", "spam", "spam")
    mixed = review_make(reported=True)
    reports_make(mixed, "off_topic", "unspecified")
    hidden_by_a_moderator = review_make(reported=True)
    response, _ = changelist_sql(moderator_client)
    column = queue_column(response)
    assert column[spammy.id] == f"spam {TIMES}3, fake {TIMES}1"
    assert column[mixed.id] == f"off-topic {TIMES}1, unspecified {TIMES}1"
    assert column[hidden_by_a_moderator.id] in ("", "-")


def test_the_reasons_cost_no_query_per_row(moderator_client):
    def queue_with(n: int) -> int:
        for _ in range(n):
            review = review_make(reported=True)
            reports_make(review, "spam", "fake", "other")
            photo_make(review)
        response, statements = changelist_sql(moderator_client)
        assert all(queue_column(response).values())
        return len(statements)

    small = queue_with(2)
    assert queue_with(20) == small


def test_a_restored_review_keeps_its_reports_in_the_all_list(moderator_client):
    review = review_make(reported=False)
    reports_make(review, "spam")
    response = moderator_client.get(CHANGELIST, {"status": "all"})
    assert queue_column(response)[review.id] == f"spam {TIMES}1"


def test_a_reviews_page_lists_its_reports_with_their_notes_escaped(moderator_client):
    review = review_make(reported=True)
    reports_make(review, "spam", "spam", note="Same text on <b>ten</b> products")
    reports_make(review, "fake")
    page = moderator_client.get(reverse("admin:reviews_review_change", args=[review.id]))
    assert page.status_code == 200
    content = page.content.decode()
    assert f"spam {TIMES}2, fake {TIMES}1" in content
    assert "Same text on &lt;b&gt;ten&lt;/b&gt; products" in content
    assert "<b>ten</b>" not in content
    assert content.count("<tr><td>") == 3
    assert 'name="reason"' not in content and 'name="note"' not in content  # read-only


def test_a_reviews_page_without_reports_says_so(moderator_client):
    review = review_make(reported=True)
    page = moderator_client.get(reverse("admin:reviews_review_change", args=[review.id]))
    assert "No reports." in page.content.decode()


def test_a_reviews_page_lists_only_its_newest_reports(moderator_client, monkeypatch):
    monkeypatch.setattr("reviews.admin.moderation.REPORTS_LISTED_MAX", 2)
    review = review_make(reported=True)
    reports_make(review, "spam", "spam", "spam", "fake")
    content = moderator_client.get(
        reverse("admin:reviews_review_change", args=[review.id])
    ).content.decode()
    assert content.count("<tr><td>") == 2
    assert f"spam {TIMES}3, fake {TIMES}1" in content  # the counts still cover every report


def test_the_response_is_saved_on_a_page_with_reports(moderator_client):
    """The page's form as a browser posts it back, with the reports shown."""
    review = review_make(reported=True)
    reports_make(review, "spam", "other", note="a note")
    url = reverse("admin:reviews_review_change", args=[review.id])
    content = moderator_client.get(url).content.decode()
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', content))
    response = moderator_client.post(url, {**hidden, "response": "We looked into it."})
    assert response.status_code == 302
    assert Review.objects.get(pk=review.id).response == "We looked into it."
    assert ReviewReport.objects.filter(review=review).count() == 2
