"""A moderator signs in to the admin in headless Chromium through nginx on a port of its own:
the browser's Origin (with the port) must match the Host nginx passes, or Django refuses the form
(CSRF), and the admin's pages and assets come through the proxy under their Content-Security-Policy.
"""

import pytest
from playwright.sync_api import expect

from reviews.moderators import moderators_group_ensure
from reviews.tests.browser import chromium_page
from reviews.tests.factories import review_make

pytestmark = [pytest.mark.browser, pytest.mark.cluster]

PASSWORD = "a-long-moderator-password"


@pytest.mark.django_db(transaction=True)
def test_a_moderator_signs_in_through_the_cluster_and_opens_the_queue(cluster, django_user_model):
    moderator = django_user_model.objects.create_user(
        username="moderator", password=PASSWORD, is_staff=True
    )
    moderator.groups.add(moderators_group_ensure())
    reported = review_make(reported=True, summary="Reported through the proxy")
    base = f"http://127.0.0.1:{cluster.port}"

    with chromium_page() as page:
        stylesheets = []
        page.on(
            "response",
            lambda response: (
                stylesheets.append(response.status) if response.url.endswith(".css") else None
            ),
        )
        page.goto(f"{base}/admin/")
        page.fill("#id_username", "moderator")
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.locator("#site-name")).to_be_visible()
        page.locator("tr.model-review th a").click()
        expect(page.locator("#result_list")).to_contain_text("Reported through the proxy")
        assert page.url.startswith(f"{base}/admin/reviews/review/")

    assert stylesheets and set(stylesheets) == {200}
    assert reported.id
