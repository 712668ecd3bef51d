"""Moderation actions from the changelist: restore, report, and remove after a confirmation."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.urls import reverse

from reviews.admin.moderation import ACTION_LIMIT, ReviewAdmin
from reviews.models import Review, ReviewPhoto, ReviewVote
from reviews.tests.factories import (
    characteristic_make,
    characteristic_review_make,
    photo_make,
    review_make,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:reviews_review_changelist")


def act(client, action: str, ids, query: str = "", **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [str(i) for i in ids], **extra}
    return client.post(CHANGELIST + query, data)


def test_restore_action_unreports_and_logs_who_did_it(moderator_client, moderator):
    chosen, other = review_make(reported=True), review_make(reported=True)
    response = act(moderator_client, "restore", [chosen.id], index=0)
    assert response.status_code == 302
    assert not Review.objects.get(pk=chosen.id).reported
    assert Review.objects.get(pk=other.id).reported
    entry = LogEntry.objects.get()
    assert (entry.user_id, entry.object_id, entry.action_flag) == (
        moderator.id,
        str(chosen.id),
        CHANGE,
    )


def test_report_action_hides_visible_reviews(moderator_client):
    review = review_make()
    act(moderator_client, "report", [review.id], "?status=visible", index=0)
    assert Review.objects.get(pk=review.id).reported
    assert LogEntry.objects.get().user.username == "moderator"


def test_remove_asks_for_confirmation_before_deleting(moderator_client):
    review = review_make(reported=True, summary="Spam spam spam")
    photo_make(review)
    response = act(moderator_client, "remove", [review.id], index=0)
    assert response.status_code == 200
    assert "Spam spam spam" in response.content.decode()
    assert Review.objects.filter(pk=review.id).exists()


def test_confirmed_remove_deletes_the_reviews_and_logs_it(moderator_client, moderator):
    review, kept = review_make(reported=True), review_make(reported=True)
    photo_make(review)
    ReviewVote.objects.create(review=review, voter="v")
    ReviewVote.objects.create(review=kept, voter="v")
    response = act(moderator_client, "remove", [review.id], post="yes")
    assert response.status_code == 302
    assert list(Review.objects.values_list("id", flat=True)) == [kept.id]
    assert not ReviewPhoto.objects.exists()
    assert list(ReviewVote.objects.values_list("review_id", flat=True)) == [kept.id]
    entry = LogEntry.objects.get()
    assert (entry.user_id, entry.action_flag) == (moderator.id, DELETION)


def test_django_delete_selected_is_replaced_by_remove(moderator_client):
    review_make(reported=True)
    actions = moderator_client.get(CHANGELIST).context["action_form"].fields["action"].choices
    names = [name for name, _ in actions]
    assert "delete_selected" not in names
    assert {"restore", "remove", "report"} <= set(names)


def test_selecting_all_over_the_limit_changes_nothing(moderator_client, monkeypatch):
    monkeypatch.setattr("reviews.admin.moderation.ACTION_LIMIT", 2)
    reviews = [review_make(reported=True) for _ in range(3)]
    response = act(moderator_client, "restore", [reviews[0].id], index=0, select_across=1)
    assert response.status_code == 302
    assert Review.objects.filter(reported=True).count() == 3
    assert not LogEntry.objects.exists()


def test_selecting_all_within_the_limit_acts_on_the_whole_filtered_list(moderator_client):
    queue = [review_make(reported=True, rating=1) for _ in range(3)]
    other = review_make(reported=True, rating=5)
    act(moderator_client, "restore", [queue[0].id], "?rating=1", index=0, select_across=1)
    assert set(Review.objects.filter(reported=True).values_list("id", flat=True)) == {other.id}
    assert ACTION_LIMIT >= 50  # a whole page can always be acted on


def test_the_change_page_delete_removes_through_the_service(moderator_client):
    review = review_make(reported=True)
    photo_make(review)
    url = reverse("admin:reviews_review_delete", args=[review.id])
    assert moderator_client.post(url, {"post": "yes"}).status_code == 302
    assert not Review.objects.filter(pk=review.id).exists()
    assert LogEntry.objects.get().action_flag == DELETION


def test_moderators_cannot_add_reviews_or_edit_characteristics(moderator_client):
    assert moderator_client.get(reverse("admin:reviews_review_add")).status_code == 403
    response = moderator_client.get(reverse("admin:reviews_characteristic_changelist"))
    assert response.status_code == 200
    assert moderator_client.get(reverse("admin:reviews_characteristic_add")).status_code == 403


def test_the_review_page_restores_its_review_and_returns_to_the_queue(moderator_client):
    review = review_make(reported=True)
    url = reverse("admin:reviews_review_change", args=[review.id])
    assert 'name="_restore"' in moderator_client.get(url).content.decode()
    response = moderator_client.post(url, {"_restore": "1"})
    assert response.status_code == 302
    assert response.url.startswith(CHANGELIST)
    assert not Review.objects.get(pk=review.id).reported
    assert LogEntry.objects.get().action_flag == CHANGE


def test_the_review_page_reports_a_visible_review(moderator_client):
    review = review_make()
    url = reverse("admin:reviews_review_change", args=[review.id])
    assert 'name="_report"' in moderator_client.get(url).content.decode()
    moderator_client.post(url, {"_report": "1"})
    assert Review.objects.get(pk=review.id).reported


def test_saving_the_review_page_writes_only_the_response(moderator_client):
    review = review_make(rating=2, body="Original body")
    url = reverse("admin:reviews_review_change", args=[review.id])
    data = {
        "response": "Sorry to hear that: we have sent a replacement.",
        "rating": "5",
        "body": "Rewritten",
        **{
            f"{prefix}-{key}": "0"
            for prefix in ("photos", "characteristic_ratings")
            for key in ("TOTAL_FORMS", "INITIAL_FORMS")
        },
    }
    assert moderator_client.post(url, data).status_code == 302
    saved = Review.objects.get(pk=review.id)
    assert (saved.response, saved.rating, saved.body) == (data["response"], 2, "Original body")


@pytest.mark.parametrize("admin_name", ["productmeta", "characteristicmeta", "characteristic"])
def test_derived_rows_are_visible_but_not_editable(moderator_client, admin_name):
    review = review_make(product_id=5150)
    characteristic_review_make(characteristic_make(product_id=5150), review, value=3)
    listing = moderator_client.get(reverse(f"admin:reviews_{admin_name}_changelist"))
    assert listing.status_code == 200
    row = listing.context["cl"].result_list[0]
    change_url = reverse(f"admin:reviews_{admin_name}_change", args=[row.pk])
    page = moderator_client.get(change_url)
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert moderator_client.post(change_url, {}).status_code == 403
    assert moderator_client.get(reverse(f"admin:reviews_{admin_name}_add")).status_code == 403


@pytest.mark.parametrize("bad_id", ["abc", "99999999999", "-1"])
@pytest.mark.parametrize("action", ["restore", "remove", "report"])
def test_forged_ids_in_an_action_change_nothing_and_do_not_fail(moderator_client, action, bad_id):
    review = review_make(reported=True)
    response = act(moderator_client, action, [bad_id], index=0)
    assert response.status_code in {200, 302}
    assert Review.objects.get(pk=review.id).reported
    assert not LogEntry.objects.exists()


def test_saving_a_response_keeps_a_report_and_votes_that_arrived_meanwhile(
    moderator_client, monkeypatch
):
    review = review_make(helpfulness=3)
    save_form = ReviewAdmin.save_form

    def shopper_writes_meanwhile(self, request, form, change):
        # Between the page reading the review and saving it, a shopper reports it and votes.
        Review.objects.filter(pk=review.id).update(reported=True, helpfulness=4)
        return save_form(self, request, form, change)

    monkeypatch.setattr(ReviewAdmin, "save_form", shopper_writes_meanwhile)
    data = {
        "response": "Thank you for the feedback.",
        **{
            f"{prefix}-{key}": "0"
            for prefix in ("photos", "characteristic_ratings")
            for key in ("TOTAL_FORMS", "INITIAL_FORMS")
        },
    }
    url = reverse("admin:reviews_review_change", args=[review.id])
    assert moderator_client.post(url, data).status_code == 302
    saved = Review.objects.get(pk=review.id)
    assert (saved.response, saved.reported, saved.helpfulness) == (data["response"], True, 4)
