"""The moderation services: set-wise restore, report and remove, each recorded in the admin log."""

import pytest
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType

from reviews.models import CharacteristicReview, Review, ReviewPhoto
from reviews.services import reviews_hide, reviews_remove, reviews_restore
from reviews.tests.factories import (
    characteristic_make,
    characteristic_review_make,
    photo_make,
    review_make,
)

pytestmark = pytest.mark.django_db


def reported_ids() -> set[int]:
    return set(Review.objects.filter(reported=True).values_list("id", flat=True))


def test_restore_unreports_only_the_given_reviews(moderator):
    first, second, third = (review_make(reported=True) for _ in range(3))
    assert reviews_restore(review_ids=[first.id, second.id], moderator=moderator) == 2
    assert reported_ids() == {third.id}


def test_report_marks_only_the_given_reviews(moderator):
    first, second, third = (review_make() for _ in range(3))
    assert reviews_hide(review_ids=[first.id, third.id], moderator=moderator) == 2
    assert reported_ids() == {first.id, third.id}
    assert not Review.objects.get(pk=second.id).reported


def test_remove_deletes_reviews_with_their_photos_and_ratings(moderator):
    fit = characteristic_make()
    doomed, kept = review_make(reported=True), review_make()
    for review in (doomed, kept):
        photo_make(review)
        characteristic_review_make(fit, review, value=2)
    assert reviews_remove(review_ids=[doomed.id], moderator=moderator) == 1
    assert list(Review.objects.values_list("id", flat=True)) == [kept.id]
    assert list(ReviewPhoto.objects.values_list("review_id", flat=True)) == [kept.id]
    assert list(CharacteristicReview.objects.values_list("review_id", flat=True)) == [kept.id]


def test_each_changed_review_is_logged_with_its_moderator(moderator):
    restored = review_make(reported=True, product_id=77)
    removed = review_make()
    reviews_restore(review_ids=[restored.id], moderator=moderator)
    reviews_remove(review_ids=[removed.id], moderator=moderator)
    entries = LogEntry.objects.order_by("id")
    assert [(e.user_id, e.object_id, e.action_flag) for e in entries] == [
        (moderator.id, str(restored.id), CHANGE),
        (moderator.id, str(removed.id), DELETION),
    ]
    assert entries[0].object_repr == f"Review {restored.id} of product 77"
    assert "Restored" in entries[0].get_change_message()


def test_reviews_already_in_the_target_state_are_neither_changed_nor_logged(moderator):
    visible = review_make()
    reported = review_make(reported=True)
    assert reviews_restore(review_ids=[visible.id], moderator=moderator) == 0
    assert reviews_hide(review_ids=[reported.id], moderator=moderator) == 0
    assert reviews_remove(review_ids=[987_654_321], moderator=moderator) == 0
    assert not LogEntry.objects.exists()


def test_without_a_moderator_nothing_is_logged():
    review = review_make(reported=True)
    assert reviews_restore(review_ids=[review.id]) == 1
    assert not LogEntry.objects.exists()


def test_no_ids_means_no_query(django_assert_num_queries, moderator):
    with django_assert_num_queries(0):
        assert reviews_remove(review_ids=[], moderator=moderator) == 0


def test_many_reviews_cost_a_fixed_number_of_statements(django_assert_num_queries, moderator):
    """One statement per table, one insert of log entries and one of the purges owed (the purge
    outbox), whatever the number of reviews (plus the savepoint pair of the service's own
    transaction inside the test's)."""
    ContentType.objects.get_for_model(Review)  # cached for the process, as in a server
    few = [review_make(reported=True).id for _ in range(2)]
    many = [review_make(reported=True).id for _ in range(20)]
    with django_assert_num_queries(5):
        reviews_restore(review_ids=few, moderator=moderator)
    with django_assert_num_queries(5):
        reviews_restore(review_ids=many, moderator=moderator)
    with django_assert_num_queries(9):
        reviews_remove(review_ids=many, moderator=moderator)
