"""End to end: a moderator in a real headless Chromium signs in, works the reported queue, restores
one review and removes another; the public API then lists and counts the restored review and has
forgotten the removed one."""

import json
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from reviews.models import Review, ReviewPhoto
from reviews.tests.browser import chromium_page
from reviews.tests.factories import (
    characteristic_make,
    characteristic_review_make,
    photo_make,
    review_make,
)

pytestmark = pytest.mark.browser

PASSWORD = "a-long-moderator-password"  # the `moderator` fixture's


def api_get(base_url: str, path: str) -> dict:
    with urllib.request.urlopen(f"{base_url}{path}", timeout=15) as response:
        assert response.status == 200
        return json.load(response)


def public_view(base_url: str, product_id: int) -> tuple[set[int], dict]:
    """The product's listed review ids and its meta, as the store front-end sees them."""
    listed = api_get(base_url, f"/reviews/?product_id={product_id}&count=100")
    meta = api_get(base_url, f"/reviews/meta?product_id={product_id}")
    return {review["review_id"] for review in listed["results"]}, meta


def queue_row(page: Page, review_id: int):
    return page.locator("#result_list tbody tr").filter(
        has=page.locator(f'input[name="_selected_action"][value="{review_id}"]')
    )


def run_action(page: Page, review_id: int, action: str) -> None:
    queue_row(page, review_id).locator('input[name="_selected_action"]').check()
    page.select_option('select[name="action"]', action)
    page.locator('button[name="index"]').first.click()


def remove_after_confirming(page: Page, review_id: int, summary: str) -> None:
    run_action(page, review_id, "remove")
    expect(page.locator("#reviews-to-remove")).to_contain_text(summary)
    page.get_by_role("button", name="Yes, remove them").click()
    expect(page.locator(".messagelist")).to_contain_text("Removed 1 of 1 reviews.")


def moderate(page: Page, base_url: str, username: str, ids: dict[str, int]) -> None:
    """Sign in, open the queue, restore one review and remove another; then remove a visible
    review from the list of all reviews."""
    page.goto(f"{base_url}/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.locator("tr.model-review th a").click()  # the Reviews model on the admin index

    expect(queue_row(page, ids["restored"])).to_have_count(1)
    expect(queue_row(page, ids["removed"])).to_have_count(1)
    expect(queue_row(page, ids["kept"])).to_have_count(0)

    run_action(page, ids["restored"], "restore")
    expect(page.locator(".messagelist")).to_contain_text("Restored 1 of 1 reviews.")
    expect(queue_row(page, ids["restored"])).to_have_count(0)

    remove_after_confirming(page, ids["removed"], "Reported spam")
    expect(page.locator("#result_list")).to_have_count(0)  # the queue is empty

    page.locator("#changelist-filter").get_by_role("link", name="All", exact=True).first.click()
    expect(queue_row(page, ids["kept"])).to_have_count(1)
    remove_after_confirming(page, ids["spam"], "Visible spam")
    expect(queue_row(page, ids["spam"])).to_have_count(0)


@pytest.mark.django_db(transaction=True)
def test_moderator_restores_and_removes_reviews_in_a_browser(live_server, moderator):
    product_id = 31337
    kept = review_make(product_id=product_id, rating=5, recommend=True)
    spam = review_make(product_id=product_id, rating=2, recommend=False, summary="Visible spam")
    restored = review_make(product_id=product_id, rating=1, recommend=False, reported=True)
    removed = review_make(product_id=product_id, rating=3, reported=True, summary="Reported spam")
    fit = characteristic_make(product_id=product_id, name="Fit")
    for review, value in ((kept, 4), (spam, 1), (removed, 1)):
        characteristic_review_make(fit, review, value=value)
        photo_make(review)
    ids = {"kept": kept.id, "spam": spam.id, "restored": restored.id, "removed": removed.id}

    listed, meta = public_view(live_server.url, product_id)
    assert listed == {kept.id, spam.id}
    assert meta["ratings"] == {"2": "1", "5": "1"}
    assert meta["characteristics"]["Fit"]["value"] == "2.5000000000000000"

    with chromium_page() as page:
        moderate(page, live_server.url, moderator.username, ids)

    listed, meta = public_view(live_server.url, product_id)
    assert listed == {kept.id, restored.id}
    assert meta["ratings"] == {"1": "1", "5": "1"}
    assert meta["recommended"] == {"false": "1", "true": "1"}
    assert meta["characteristics"] == {"Fit": {"id": fit.id, "value": "4.0000000000000000"}}
    assert not Review.objects.filter(pk__in=[spam.id, removed.id]).exists()
    assert not ReviewPhoto.objects.filter(review_id__in=[spam.id, removed.id]).exists()
