"""End to end: a developer opens the Swagger UI in headless Chromium, tries GET /reviews/meta out
and reads the live answer, all from locally served assets."""

import pytest
from playwright.sync_api import expect

from reviews.tests.browser import chromium_page
from reviews.tests.factories import characteristic_make, characteristic_review_make, review_make

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_swagger_ui_tries_an_endpoint_out(live_server):
    review = review_make(product_id=4242, rating=5)
    characteristic_review_make(characteristic_make(product_id=4242, name="Fit"), review, value=3)
    outside_requests = []

    with chromium_page() as page:
        page.on(
            "request",
            lambda request: (
                None
                if request.url.startswith(live_server.url)
                else outside_requests.append(request.url)
            ),
        )
        page.goto(f"{live_server.url}/api/docs/")
        # The legacy API's six operations, and the v2 writes beside them.
        expect(page.locator('.opblock[id^="operations-reviews-"]')).to_have_count(6)
        for operation_id in ("v2_reviews_vote_update", "v2_reviews_reports_create"):
            expect(page.locator(f"#operations-v2-{operation_id}")).to_have_count(1)
        operation = page.locator("#operations-reviews-reviews_meta_retrieve")
        operation.locator(".opblock-summary").click()
        operation.get_by_role("button", name="Try it out").click()
        operation.locator('input[placeholder="product_id"]').fill("4242")
        operation.get_by_role("button", name="Execute").click()
        answer = operation.locator(".live-responses-table .response .response-col_status")
        expect(answer.first).to_have_text("200")
        expect(operation.locator(".live-responses-table")).to_contain_text(
            '"value": "3.0000000000000000"'
        )

    assert outside_requests == []
