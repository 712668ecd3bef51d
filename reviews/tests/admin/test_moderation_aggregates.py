"""Moderation keeps the per-product aggregates exact: after each action the stored meta equals a
fresh computation from the base tables."""

import pytest

from reviews.meta.rebuild import meta_differences
from reviews.models import CharacteristicMeta, ProductMeta
from reviews.services import reviews_hide, reviews_remove, reviews_restore
from reviews.tests.factories import characteristic_make, characteristic_review_make, review_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def product():
    """Two products, so an action on one must leave the other's aggregates alone."""
    reviews = {}
    for product_id in (1, 2):
        fit = characteristic_make(product_id=product_id, name="Fit")
        for n, (rating, reported) in enumerate([(5, False), (4, False), (1, True), (2, True)]):
            review = review_make(
                product_id=product_id, rating=rating, reported=reported, recommend=n % 2 == 0
            )
            characteristic_review_make(fit, review, value=rating)
            reviews[(product_id, rating)] = review
    assert not meta_differences()
    return reviews


def histogram(product_id: int) -> list[int]:
    meta = ProductMeta.objects.get(pk=product_id)
    return [getattr(meta, f"rating_{n}") for n in range(1, 6)]


def test_restore_keeps_aggregates_exact(product, moderator):
    reviews_restore(review_ids=[product[(1, 1)].id, product[(1, 2)].id], moderator=moderator)
    assert not meta_differences()
    assert histogram(1) == [1, 1, 0, 1, 1]
    assert histogram(2) == [0, 0, 0, 1, 1]


def test_report_keeps_aggregates_exact(product, moderator):
    reviews_hide(review_ids=[product[(1, 5)].id], moderator=moderator)
    assert not meta_differences()
    assert histogram(1) == [0, 0, 0, 1, 0]


def test_remove_keeps_aggregates_exact(product, moderator):
    removed = [product[(1, 5)].id, product[(1, 1)].id, product[(2, 4)].id]
    reviews_remove(review_ids=removed, moderator=moderator)
    assert not meta_differences()
    assert histogram(1) == [0, 0, 0, 1, 0]
    assert histogram(2) == [0, 0, 0, 0, 1]
    fit = CharacteristicMeta.objects.get(characteristic__product_id=1)
    assert (fit.rating_count, fit.rating_sum) == (1, 4)


def test_a_sequence_of_actions_keeps_aggregates_exact(product, moderator):
    ids = [review.id for review in product.values()]
    for step, action in enumerate([reviews_hide, reviews_restore, reviews_remove] * 2):
        action(review_ids=ids[step::3], moderator=moderator)
        assert not meta_differences(), f"after step {step} ({action.__name__})"
