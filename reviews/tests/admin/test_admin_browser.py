"""End to end: a moderator in a real headless Chromium signs in, works the reported queue, restores
one review and removes another; the effect is then read back."""

from contextlib import contextmanager

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from reviews.models import Review, ReviewPhoto
from reviews.tests.factories import (
    characteristic_make,
    characteristic_review_make,
    photo_make,
    review_make,
)

# Debian's chromium (installed by `make system-packages`), never a browser download of Playwright's.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "a-long-moderator-password"  # the `moderator` fixture's


@contextmanager
def chromium_page():
    """A page in headless Chromium. Playwright runs an event loop in this thread while it is open,
    so the test reads the database before and after, never inside (Django refuses it there)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = browser.new_page()
            page.set_default_timeout(15_000)
            yield page
        finally:
            browser.close()


def queue_row(page: Page, review_id: int):
    return page.locator("#result_list tbody tr").filter(
        has=page.locator(f'input[name="_selected_action"][value="{review_id}"]')
    )


def run_action(page: Page, review_id: int, action: str) -> None:
    queue_row(page, review_id).locator('input[name="_selected_action"]').check()
    page.select_option('select[name="action"]', action)
    page.locator('button[name="index"]').first.click()


def moderate(page: Page, base_url: str, username: str, ids: dict[str, int]) -> None:
    """Sign in, open the queue, restore one review and remove another (after confirming)."""
    page.goto(f"{base_url}/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.locator("tr.model-review th a").click()  # the Reviews model on the admin index

    expect(queue_row(page, ids["restored"])).to_have_count(1)
    expect(queue_row(page, ids["removed"])).to_have_count(1)
    expect(queue_row(page, ids["visible"])).to_have_count(0)

    run_action(page, ids["restored"], "restore")
    expect(page.locator(".messagelist")).to_contain_text("Restored 1 of 1 reviews.")
    expect(queue_row(page, ids["restored"])).to_have_count(0)

    run_action(page, ids["removed"], "remove")
    expect(page.locator("#reviews-to-remove")).to_contain_text("Spam link")
    page.get_by_role("button", name="Yes, remove them").click()
    expect(page.locator(".messagelist")).to_contain_text("Removed 1 of 1 reviews.")
    expect(page.locator("#result_list")).to_have_count(0)  # the queue is empty


@pytest.mark.django_db(transaction=True)
def test_moderator_restores_and_removes_reported_reviews_in_a_browser(live_server, moderator):
    product_id = 31337
    visible = review_make(product_id=product_id, rating=5, recommend=True)
    restored = review_make(product_id=product_id, rating=1, recommend=False, reported=True)
    removed = review_make(product_id=product_id, rating=3, reported=True, summary="Spam link")
    photo_make(removed)
    characteristic_review_make(characteristic_make(product_id=product_id), removed, value=2)
    ids = {"visible": visible.id, "restored": restored.id, "removed": removed.id}

    with chromium_page() as page:
        moderate(page, live_server.url, moderator.username, ids)

    assert not Review.objects.get(pk=restored.id).reported
    assert not Review.objects.filter(pk=removed.id).exists()
    assert not ReviewPhoto.objects.filter(review_id=removed.id).exists()
