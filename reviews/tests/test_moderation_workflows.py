"""Moderation workflows: ``post`` publishes at once (the legacy behaviour), ``pre`` holds every new
review for a moderator, ``screened`` holds the ones the screen flags, with its reasons. A review
waiting or rejected is in no public read and no aggregate; approving it publishes it (and purges
what shows it) in one transaction; a screen that fails or overruns holds the review, never loses
it."""

import time

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from reviews import screening, services
from reviews.meta.rebuild import meta_differences
from reviews.models import Review, ReviewStatus
from reviews.tests.api import post, valid
from reviews.tests.factories import review_make

pytestmark = pytest.mark.usefixtures("loaded")

PRODUCT = 101
CLEAN = "Fits well and washes well. I wear it to work every week and it still looks new."


def posted(api, **changes) -> Review:
    response = post(api, valid(**{"body": CLEAN, **changes}))
    assert response.status_code == 201, response.content
    assert response.content == b"Created"  # the legacy answer, whatever the workflow
    return Review.objects.get(pk=int(response["Location"].rsplit("/", 1)[1]))


def public_reads(api, review_id: int) -> dict:
    """Where the review shows, and the counts that would include it."""
    listed = api.get("/reviews", {"product_id": PRODUCT, "count": 100}).json()["results"]
    v2 = api.get(f"/v2/products/{PRODUCT}/reviews", {"limit": 100}).json()["results"]
    meta = api.get("/reviews/meta", {"product_id": PRODUCT}).json()
    summary = api.get(f"/v2/products/{PRODUCT}/summary").json()
    return {
        "list": review_id in {r["review_id"] for r in listed},
        "v2": review_id in {r["review_id"] for r in v2},
        "detail": api.get(f"/reviews/{review_id}").status_code == 200,
        "helpful": api.put(f"/reviews/{review_id}/helpful").status_code == 204,
        "meta_total": sum(int(n) for n in meta["ratings"].values()),
        "summary_total": summary["total"],
    }


def test_post_moderation_publishes_at_once(api):
    before = public_reads(api, 0)
    review = posted(api)
    assert (review.status, review.reported, review.screen_reasons) == ("published", False, [])
    after = public_reads(api, review.id)
    assert after["list"] and after["v2"] and after["detail"]
    assert after["meta_total"] == before["meta_total"] + 1


def test_pre_moderation_holds_every_review_out_of_every_read_until_approved(
    api, settings, admin_user
):
    settings.MODERATION_WORKFLOW = "pre"
    before = public_reads(api, 0)
    review = posted(api)
    assert (review.status, review.reported) == ("pending", True)
    held = public_reads(api, review.id)
    assert held == {**before, "detail": False, "helpful": False}  # nowhere, counted nowhere
    assert api.put(f"/reviews/{review.id}/report").status_code == 404
    assert not meta_differences()

    assert services.reviews_approve(review_ids=[review.id], moderator=admin_user) == 1
    shown = public_reads(api, review.id)
    assert shown["list"] and shown["v2"] and shown["detail"]
    assert shown["meta_total"] == shown["summary_total"] == before["meta_total"] + 1
    review.refresh_from_db()
    assert (review.status, review.reported, review.cleared) == ("published", False, True)
    assert not meta_differences()
    # Approved: a report only queues it for a moderator.
    assert api.put(f"/reviews/{review.id}/report").status_code == 204
    review.refresh_from_db()
    assert (review.reported, review.awaiting_moderator) == (False, True)


@pytest.mark.django_db(transaction=True)  # purges are sent once the write commits
def test_approving_purges_what_shows_the_review_and_holding_purges_nothing(
    api, settings, cache_node
):
    settings.MODERATION_WORKFLOW = "pre"
    review = posted(api)
    assert cache_node == []  # nothing public changed
    services.reviews_approve(review_ids=[review.id])
    assert {purge["xkey"] for purge in cache_node} == {f"c{PRODUCT}", f"l{PRODUCT} r{review.id}"}


def test_rejecting_hides_a_published_review_and_keeps_a_pending_one_hidden(
    api, settings, admin_user
):
    published = posted(api)
    settings.MODERATION_WORKFLOW = "pre"
    pending = posted(api, name="second", email="second@example.com")
    total = public_reads(api, 0)["meta_total"]
    assert services.reviews_reject(review_ids=[published.id, pending.id], moderator=admin_user) == 2
    for review in (published, pending):
        review.refresh_from_db()
        assert (review.status, review.reported) == ("rejected", True)
        assert not public_reads(api, review.id)["list"]
    assert public_reads(api, 0)["meta_total"] == total - 1
    # A rejected review is not approved (approve takes pending ones), but a moderator can
    # restore it, which publishes it.
    assert services.reviews_approve(review_ids=[published.id]) == 0
    assert services.reviews_restore(review_ids=[published.id]) == 1
    assert public_reads(api, published.id)["list"]
    assert not meta_differences()


def test_a_restore_never_publishes_a_pending_review(api, settings):
    settings.MODERATION_WORKFLOW = "pre"
    pending = posted(api)
    assert services.reviews_restore(review_ids=[pending.id]) == 0
    assert services.reviews_hide(review_ids=[pending.id]) == 0
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_the_database_refuses_a_review_shown_but_not_published():
    review = review_make(product_id=PRODUCT)
    with pytest.raises(Exception, match="reviews_unpublished_hidden"):
        Review.objects.filter(pk=review.pk).update(status=ReviewStatus.PENDING)


# -- the screen --------------------------------------------------------------------------------


@pytest.fixture
def screened(settings):
    settings.MODERATION_WORKFLOW = "screened"
    screening.offensive_probability(["loaded"])  # the model, loaded before the first post
    return settings


@pytest.mark.parametrize(
    ("changes", "reasons"),
    [
        ({}, []),
        (
            {"summary": "Absolute garbage", "body": "Fuck this company, total bullshit."},
            [screening.OFFENSIVE],
        ),
        (
            {"body": "Great shoes! Cheap replicas at www.shoes-deals.example/buy today."},
            [screening.LINK],
        ),
        (
            {"body": "Sooooooooo comfortable, I love them so much!!!!!!!!"},
            [screening.REPEATED_CHARACTERS],
        ),
    ],
    ids=["clean", "offensive", "link", "repeated"],
)
def test_the_screen_publishes_clean_reviews_and_holds_flagged_ones_with_reasons(
    api, screened, changes, reasons
):
    review = posted(api, **changes)
    assert review.screen_reasons == reasons
    assert review.status == ("pending" if reasons else "published")
    assert public_reads(api, review.id)["list"] is not bool(reasons)
    assert not meta_differences()


def test_the_screen_holds_a_body_posted_again_on_any_product(api, screened):
    first = posted(api)
    assert first.status == "published"
    again = posted(api, product_id=102, characteristics={})
    assert (again.status, again.screen_reasons) == ("pending", [screening.DUPLICATE])


def test_the_screen_holds_a_burst_of_posts_on_one_product(api, screened):
    screened.SCREEN_BURST_PER_PRODUCT_HOUR = 3
    bodies = [f"{CLEAN} Review number {n} of the day." for n in range(5)]
    states = [posted(api, body=body).screen_reasons for body in bodies]
    # The product's published reviews of the last hour count, and so do the pending ones.
    assert states == [[], [], [], [screening.BURST], [screening.BURST]]


def test_a_screen_that_fails_holds_the_review_and_loses_nothing(api, screened, monkeypatch):
    def broken(texts):
        raise RuntimeError("model file missing")

    monkeypatch.setattr(screening, "offensive_probability", broken)
    review = posted(api)
    assert (review.status, review.screen_reasons) == ("pending", [screening.SCREEN_UNAVAILABLE])
    assert review.photos.count() == 2 and review.characteristic_ratings.count() == 2


def test_a_screen_that_overruns_its_budget_holds_the_review(api, screened, monkeypatch):
    screened.SCREEN_TIMEOUT_SECONDS = 0.05

    def slow(texts):
        time.sleep(0.5)
        return 0.0

    monkeypatch.setattr(screening, "offensive_probability", slow)
    started = time.monotonic()
    review = posted(api)
    assert time.monotonic() - started < 0.45  # the post did not wait for the model
    assert (review.status, review.screen_reasons) == ("pending", [screening.SCREEN_UNAVAILABLE])
    time.sleep(0.5)  # the overrun call ends before the next test swaps the model back


def test_an_unknown_workflow_stops_the_service_at_its_checks(settings):
    settings.MODERATION_WORKFLOW = "later"
    with pytest.raises(SystemCheckError, match=r"reviews\.E001"):
        call_command("check")
