"""Reports that cannot be weaponised: every report queues its review for a moderator; reports hide
at most REPORT_HIDES_PER_PRODUCT of one product's reviews a day (3 by default), even when they
come all at once; a review a moderator kept published is never hidden again by reports."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from reviews import services
from reviews.meta.rebuild import meta_differences
from reviews.models import Review, ReviewReport
from reviews.tests.factories import review_make

PRODUCT = 404


def product_reviews(count: int) -> list[int]:
    return [review_make(product_id=PRODUCT, rating=1 + n % 5).id for n in range(count)]


def report_from(api, review_id: int, n: int):
    return api.put(f"/reviews/{review_id}/report", REMOTE_ADDR=f"192.0.2.{n + 1}")


def states(review_ids: list[int]) -> dict[str, int]:
    reviews = Review.objects.filter(id__in=review_ids)
    return {
        "hidden": reviews.filter(reported=True).count(),
        "queued": reviews.filter(reported=False, awaiting_moderator=True).count(),
    }


@pytest.mark.django_db
def test_twenty_clients_reporting_twenty_reviews_hide_three_and_queue_the_rest(api):
    review_ids = product_reviews(20)
    for n, review_id in enumerate(review_ids):
        assert report_from(api, review_id, n).status_code == 204
    assert states(review_ids) == {"hidden": 3, "queued": 17}
    assert ReviewReport.objects.filter(review_id__in=review_ids).count() == 20
    listed = api.get("/reviews", {"product_id": PRODUCT, "count": 50}).json()["results"]
    assert len(listed) == 17
    ratings = api.get("/reviews/meta", {"product_id": PRODUCT}).json()["ratings"]
    assert sum(int(count) for count in ratings.values()) == 17
    assert not meta_differences()


@pytest.mark.django_db
def test_the_bound_is_per_product_and_per_day(api):
    review_ids = product_reviews(5)
    other = review_make(product_id=PRODUCT + 1).id
    for n, review_id in enumerate(review_ids[:3]):
        report_from(api, review_id, n)
    report_from(api, other, 9)  # another product's own bound
    assert Review.objects.get(pk=other).reported is True
    report_from(api, review_ids[3], 3)
    assert Review.objects.get(pk=review_ids[3]).reported is False
    # A day later the earlier hides no longer count.
    Review.objects.filter(id__in=review_ids[:3]).update(
        hidden_by_reports_at=timezone.now() - timedelta(hours=25)
    )
    report_from(api, review_ids[4], 4)
    assert Review.objects.get(pk=review_ids[4]).reported is True


@pytest.mark.django_db
@override_settings(REPORT_HIDES_PER_PRODUCT=0)
def test_with_a_bound_of_zero_reports_only_queue(api):
    review_ids = product_reviews(3)
    for n, review_id in enumerate(review_ids):
        report_from(api, review_id, n)
    assert states(review_ids) == {"hidden": 0, "queued": 3}


@pytest.mark.django_db
def test_a_kept_review_stays_published_through_reports_from_new_clients(api):
    review_id = product_reviews(1)[0]
    report_from(api, review_id, 0)
    assert services.reviews_restore(review_ids=[review_id]) == 1
    for n in range(1, 11):
        assert report_from(api, review_id, n).status_code == 204
    review = Review.objects.get(pk=review_id)
    assert (review.reported, review.awaiting_moderator, review.cleared) == (False, True, True)
    assert api.get(f"/reviews/{review_id}").status_code == 200
    # The moderator keeps it again: the queue is empty, the reports are its history.
    assert services.reviews_restore(review_ids=[review_id]) == 1
    assert Review.objects.get(pk=review_id).awaiting_moderator is False
    assert ReviewReport.objects.filter(review_id=review_id).count() == 11


@pytest.mark.django_db
def test_a_moderator_still_hides_a_kept_review(api):
    review_id = product_reviews(1)[0]
    services.reviews_restore(review_ids=[review_id])  # nothing to restore: not reported
    report_from(api, review_id, 0)
    assert services.reviews_restore(review_ids=[review_id]) == 1
    assert services.reviews_hide(review_ids=[review_id]) == 1
    review = Review.objects.get(pk=review_id)
    assert (review.reported, review.awaiting_moderator) == (True, False)
    assert api.get(f"/reviews/{review_id}").status_code == 404
    assert not meta_differences()


@pytest.mark.django_db(transaction=True)
def test_reports_all_at_once_never_pass_the_bound():
    review_ids = product_reviews(16)

    def one(n: int) -> int:
        try:
            client = APIClient(HTTP_HOST="localhost")
            return report_from(client, review_ids[n % 16], n).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(one, range(32)))
    # Each review's first report is a 204; a second one finds it hidden (404) or not (204).
    assert set(statuses) <= {204, 404} and statuses.count(204) >= 16
    found = states(review_ids)
    assert found["hidden"] == 3
    assert found["hidden"] + found["queued"] == 16
    assert not meta_differences()
