"""The moderator's queues fit a laptop: at 1400 px wide, in headless Chromium, every column of the
reported queue, the reported-but-published queue and the pending queue (with the screen's
reasons) is on the screen, and a summary reads as a
line or two, not a word per line. A screenshot of each is kept in out/screenshots/."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from reviews.models import ReviewReport, ReviewStatus
from reviews.tests.browser import chromium_page
from reviews.tests.factories import photo_make, review_make

pytestmark = pytest.mark.browser

PASSWORD = "a-long-moderator-password"  # the `moderator` fixture's
WIDTH = 1400
SCREENSHOTS = Path(__file__).resolve().parents[3] / "out" / "screenshots"
SUMMARY = "Comfortable from the first day, but the sizing runs a half size small"
BODY = (
    "I wore these every day for a month of walking to work. The sole is firm and the lining has "
    "held up, but order a half size up: the toe box is narrow and the heel slips at first. "
) * 3
REASONS = ["spam", "offensive", "off_topic", "fake", "other"]
SCREEN_REASONS = [
    "offensive language",
    "link",
    "repeated characters",
    "same text as another review",
]
ICONS = ["icon-yes.svg", "icon-no.svg", "search.svg", "calendar-icons.svg", "icon-clock.svg"]


def queue_fits(page: Page, status: str) -> None:
    """The queue's page has no horizontal scroll, every column header is on the screen, and the
    summary column is wide enough to read."""
    page.goto(f"{page.url.split('/admin/')[0]}/admin/reviews/review/?status={status}")
    expect(page.locator("#result_list tbody tr").first).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"admin-queue-{status}-{WIDTH}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    for header in page.locator("#result_list thead th").all():
        box = header.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH
    # A summary column squeezed to a word per line is narrower than this.
    summary = page.locator("#result_list tbody .field-summary").first.bounding_box()
    assert summary is not None and summary["width"] >= 110


@pytest.mark.django_db(transaction=True)
def test_the_queues_show_every_column_at_1400_px(live_server, moderator):
    for n in range(6):
        hidden = review_make(product_id=777, reported=True, summary=SUMMARY, body=BODY)
        queued = review_make(product_id=778, awaiting_moderator=True, summary=SUMMARY, body=BODY)
        held = review_make(
            product_id=779,
            status=ReviewStatus.PENDING,
            reported=True,
            screen_reasons=SCREEN_REASONS[: n % 4 + 1],
            summary=SUMMARY,
            body=BODY,
        )
        for review in (hidden, queued, held):
            for photo in range(5):  # real images, served by the test server: real widths
                photo_make(review, url=f"{live_server.url}/static/admin/img/{ICONS[photo]}?{n}")
            ReviewReport.objects.bulk_create(
                ReviewReport(review=review, reporter=f"r{review.id}-{k}", reason=reason)
                for k, reason in enumerate(REASONS[: n % 5 + 1])
            )

    with chromium_page(width=WIDTH, height=900) as page:
        page.goto(f"{live_server.url}/admin/")
        page.fill("#id_username", moderator.username)
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.locator("#site-name")).to_be_visible()
        for status in ("reported", "queued", "pending"):
            queue_fits(page, status)
