"""Each write path keeps the meta aggregates (product_meta, characteristic_meta and their cells)
equal to the base tables, and the meta read serves them."""

import json
from collections.abc import Mapping

import pytest
from django.db import connection, transaction

from reviews.models import CharacteristicMeta, CharacteristicReview, ProductMeta, Review
from reviews.selectors import PRODUCT_META_READ, product_meta_get
from reviews.tests.factories import (
    characteristic_make,
    characteristic_review_make,
    photo_make,
    review_make,
)
from reviews.tests.meta_oracle import assert_meta_exact, product_meta_from_base_tables, rows

pytestmark = pytest.mark.django_db


def product_counts(product_id: int) -> dict:
    meta: Mapping[str, object] = (
        ProductMeta.objects.filter(product_id=product_id).values().first() or {}
    )
    return {
        key: value for key, value in meta.items() if key not in ("product_id", "version") and value
    }


def distribution(characteristic) -> tuple[int, ...]:
    meta = CharacteristicMeta.objects.filter(characteristic=characteristic).first()
    if meta is None:
        return (0, 0, 0, 0, 0)
    return (meta.value_1, meta.value_2, meta.value_3, meta.value_4, meta.value_5)


def reviewed(product_id: int, rating: int, recommend: bool, ratings: dict) -> Review:
    """A review with its characteristic ratings, written like a POST: review first, one
    transaction."""
    with transaction.atomic():
        review = review_make(product_id=product_id, rating=rating, recommend=recommend)
        for characteristic, value in ratings.items():
            characteristic_review_make(characteristic, review, value)
    return review


def test_fresh_views_count_visible_reviews_and_their_ratings():
    fit = characteristic_make(product_id=5, name="Fit")
    reviewed(5, 5, True, {fit: 4})
    reviewed(5, 5, False, {fit: 2})
    reported = reviewed(5, 1, False, {fit: 1})
    Review.objects.filter(id=reported.id).update(reported=True)

    assert rows("product_meta_fresh") == {5: (0, 0, 0, 0, 2, 1, 1)}
    assert rows("characteristic_meta_fresh") == {fit.id: (0, 1, 0, 1, 0)}


def test_new_review_adds_its_rating_recommend_and_characteristic_ratings():
    fit, length = (
        characteristic_make(product_id=3),
        characteristic_make(product_id=3, name="Length"),
    )
    reviewed(3, 4, True, {fit: 5, length: 2})
    reviewed(3, 2, False, {fit: 3})

    assert product_counts(3) == {
        "rating_2": 1,
        "rating_4": 1,
        "recommend_false": 1,
        "recommend_true": 1,
    }
    assert distribution(fit) == (0, 0, 1, 0, 1)
    meta = CharacteristicMeta.objects.get(characteristic=fit)
    assert (meta.rating_count, meta.rating_sum) == (2, 8)
    assert_meta_exact()


def test_report_removes_a_review_and_restore_brings_it_back():
    fit = characteristic_make(product_id=4)
    kept = reviewed(4, 3, True, {fit: 3})
    review = reviewed(4, 5, False, {fit: 5})

    Review.objects.filter(id=review.id).update(reported=True)
    assert product_counts(4) == {"rating_3": 1, "recommend_true": 1}
    assert distribution(fit) == (0, 0, 1, 0, 0)
    assert_meta_exact()

    Review.objects.filter(id=review.id).update(reported=True)  # idempotent
    assert product_counts(4) == {"rating_3": 1, "recommend_true": 1}

    Review.objects.filter(id=review.id).update(reported=False)
    assert product_counts(4) == {
        "rating_3": 1,
        "rating_5": 1,
        "recommend_false": 1,
        "recommend_true": 1,
    }
    assert distribution(fit) == (0, 0, 1, 0, 1)
    assert kept.id != review.id
    assert_meta_exact()


def test_review_reported_at_insert_counts_nothing():
    fit = characteristic_make(product_id=6)
    with transaction.atomic():
        review = review_make(product_id=6, reported=True)
        characteristic_review_make(fit, review, 4)
    assert product_counts(6) == {}
    assert distribution(fit) == (0, 0, 0, 0, 0)
    assert_meta_exact()


def test_delete_cascades_through_ratings_and_photos():
    fit = characteristic_make(product_id=8)
    review = reviewed(8, 1, False, {fit: 1})
    reviewed(8, 2, True, {fit: 2})

    review.delete()  # the ORM deletes the ratings first, then the review

    assert product_counts(8) == {"rating_2": 1, "recommend_true": 1}
    assert distribution(fit) == (0, 1, 0, 0, 0)
    assert_meta_exact()


def test_delete_of_review_before_its_ratings_in_one_transaction():
    fit = characteristic_make(product_id=9)
    review = reviewed(9, 4, True, {fit: 4})
    with transaction.atomic(), connection.cursor() as cursor:
        # Foreign keys are deferred: the ratings may go after their review.
        cursor.execute("DELETE FROM reviews WHERE id = %s", [review.id])
        cursor.execute("DELETE FROM characteristic_reviews WHERE review_id = %s", [review.id])
    assert product_counts(9) == {}
    assert distribution(fit) == (0, 0, 0, 0, 0)
    assert_meta_exact()


def test_ratings_inserted_before_their_review_count_once():
    fit = characteristic_make(product_id=10)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO characteristic_reviews (characteristic_id, review_id, value)"
            " VALUES (%s, 999001, 5)",
            [fit.id],
        )
        cursor.execute(
            "INSERT INTO reviews (id, product_id, rating, date, summary, body, recommend,"
            " reported, reviewer_name, reviewer_email, helpfulness)"
            " VALUES (999001, 10, 5, now(), '', 'body', true, false, 'n', 'e@example.com', 0)"
        )
    assert distribution(fit) == (0, 0, 0, 0, 1)
    assert_meta_exact()


def test_change_of_rating_recommend_or_product_moves_the_counts():
    review = reviewed(11, 2, False, {})
    Review.objects.filter(id=review.id).update(rating=5)
    assert product_counts(11) == {"rating_5": 1, "recommend_false": 1}
    Review.objects.filter(id=review.id).update(recommend=True)
    assert product_counts(11) == {"rating_5": 1, "recommend_true": 1}
    Review.objects.filter(id=review.id).update(product_id=12)
    assert product_counts(11) == {}
    assert product_counts(12) == {"rating_5": 1, "recommend_true": 1}
    assert_meta_exact()


def test_change_of_a_characteristic_rating_moves_its_distribution():
    fit, size = characteristic_make(product_id=13), characteristic_make(product_id=13, name="Size")
    review = reviewed(13, 3, True, {fit: 1})
    CharacteristicReview.objects.filter(review=review).update(value=4)
    assert distribution(fit) == (0, 0, 0, 1, 0)
    CharacteristicReview.objects.filter(review=review).update(characteristic=size)
    assert distribution(fit) == (0, 0, 0, 0, 0)
    assert distribution(size) == (0, 0, 0, 1, 0)
    assert_meta_exact()


def test_helpful_vote_leaves_the_aggregates_untouched():
    review = reviewed(14, 4, True, {characteristic_make(product_id=14): 3})
    with connection.cursor() as cursor:
        cursor.execute("SELECT xmin::text FROM product_meta WHERE product_id = 14")
        version = cursor.fetchone()
        Review.objects.filter(id=review.id).update(helpfulness=7)
        cursor.execute("SELECT xmin::text FROM product_meta WHERE product_id = 14")
        assert cursor.fetchone() == version  # no new row version written
    assert_meta_exact()


def test_bulk_statements_apply_once_per_row():
    fits = {p: characteristic_make(product_id=p) for p in (20, 21, 22)}
    reviews = Review.objects.bulk_create(
        [
            Review(
                product_id=p,
                rating=1 + i % 5,
                recommend=i % 2 == 0,
                date="2021-01-01T00:00:00Z",
                body="b",
                reviewer_name="n",
                reviewer_email="e@example.com",
            )
            for i, p in enumerate([20, 21, 22] * 7)
        ]
    )
    CharacteristicReview.objects.bulk_create(
        [
            CharacteristicReview(characteristic=fits[r.product_id], review=r, value=r.rating)
            for r in reviews
        ]
    )
    assert_meta_exact("after bulk insert")
    Review.objects.filter(product_id__in=[20, 22]).update(reported=True)
    assert_meta_exact("after bulk report")
    Review.objects.filter(product_id=20).update(reported=False, rating=3)
    assert_meta_exact("after bulk restore with a rating change")
    Review.objects.filter(product_id__in=[21, 22]).delete()
    assert_meta_exact("after bulk delete")
    assert set(rows("product_meta")) == {20}


def test_truncate_empties_the_aggregates():
    reviewed(15, 5, True, {characteristic_make(product_id=15): 5})
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred check may be pending
        cursor.execute("TRUNCATE characteristic_reviews")
        assert rows("characteristic_meta") == {}
        assert_meta_exact("after truncating the ratings")
        cursor.execute("TRUNCATE reviews CASCADE")
    assert rows("product_meta") == {}
    assert rows("product_meta_cells") == {}
    assert_meta_exact()


def cells(product_id: int) -> dict[tuple, int]:
    """The product's nonzero cells: (rating, recommend, with_photos) -> reviews."""
    return {
        key[1:]: counts[0]
        for key, counts in rows("product_meta_cells").items()
        if key[0] == product_id
    }


def characteristic_cells(characteristic) -> dict[tuple, tuple[int, ...]]:
    return {
        key[1:]: counts
        for key, counts in rows("characteristic_meta_cells").items()
        if key[0] == characteristic.id
    }


def test_cells_split_the_counts_by_rating_recommend_and_photos():
    fit = characteristic_make(product_id=16)
    reviewed(16, 5, True, {fit: 4})
    with transaction.atomic():  # as a POST with photos: the review, its ratings, its photos
        review = reviewed(16, 5, True, {fit: 2})
        photo_make(review)
        photo_make(review)
    reviewed(16, 2, False, {fit: 1})

    assert cells(16) == {(5, True, False): 1, (5, True, True): 1, (2, False, False): 1}
    assert characteristic_cells(fit) == {
        (5, True, False): (0, 0, 0, 1, 0),
        (5, True, True): (0, 1, 0, 0, 0),
        (2, False, False): (1, 0, 0, 0, 0),
    }
    assert_meta_exact()


def test_a_reviews_first_photo_and_its_last_move_it_between_cells_with_a_new_version():
    fit = characteristic_make(product_id=17)
    review = reviewed(17, 3, True, {fit: 5})
    version = ProductMeta.objects.get(product_id=17).version

    first = photo_make(review)
    assert cells(17) == {(3, True, True): 1}
    assert characteristic_cells(fit) == {(3, True, True): (0, 0, 0, 0, 1)}
    assert ProductMeta.objects.get(product_id=17).version > version
    version = ProductMeta.objects.get(product_id=17).version

    second = photo_make(review)  # a second photo changes no cell, nor the version
    assert ProductMeta.objects.get(product_id=17).version == version
    first.delete()
    assert cells(17) == {(3, True, True): 1}
    second.delete()
    assert cells(17) == {(3, True, False): 1}
    assert characteristic_cells(fit) == {(3, True, False): (0, 0, 0, 0, 1)}
    assert ProductMeta.objects.get(product_id=17).version > version
    assert_meta_exact()


def test_photos_of_a_reported_review_move_nothing():
    review = reviewed(18, 4, True, {})
    Review.objects.filter(id=review.id).update(reported=True)
    version = ProductMeta.objects.get(product_id=18).version
    photo_make(review)
    assert cells(18) == {}
    assert ProductMeta.objects.get(product_id=18).version == version
    Review.objects.filter(id=review.id).update(reported=False)
    assert cells(18) == {(4, True, True): 1}
    assert_meta_exact()


def test_truncating_the_photos_moves_every_review_to_the_cells_without():
    fit = characteristic_make(product_id=19)
    photo_make(reviewed(19, 5, True, {fit: 3}))
    reviewed(19, 5, True, {fit: 3})
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred check may be pending
        cursor.execute("TRUNCATE reviews_photos")
    assert cells(19) == {(5, True, False): 2}
    assert characteristic_cells(fit) == {(5, True, False): (0, 0, 2, 0, 0)}
    assert_meta_exact()


def relations_read(plan: dict) -> set[str]:
    found = {plan["Relation Name"]} if "Relation Name" in plan else set()
    for child in plan.get("Plans", []):
        found |= relations_read(child)
    return found


def test_meta_reads_only_the_aggregates_and_the_characteristics():
    fit = characteristic_make(product_id=16)
    reviewed(16, 4, True, {fit: 4})
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + PRODUCT_META_READ, {"product_id": 16})
        plan = cursor.fetchone()[0][0]["Plan"]
    assert relations_read(plan) == {"product_meta", "characteristics", "characteristic_meta"}


def test_meta_served_from_aggregates_equals_the_base_tables(django_assert_num_queries):
    fit, size = characteristic_make(product_id=17), characteristic_make(product_id=17, name="Size")
    characteristic_make(product_id=17, name="Width")  # never rated: null
    for rating, recommend, fit_value in ((5, True, 1), (4, True, 2), (1, False, 2), (4, False, 5)):
        reviewed(17, rating, recommend, {fit: fit_value, size: 1})
    Review.objects.filter(product_id=17, rating=1).update(reported=True)
    with django_assert_num_queries(1):
        served = product_meta_get(product_id=17)
    assert json.dumps(served) == json.dumps(product_meta_from_base_tables(17))
    assert served["characteristics"]["Fit"]["value"] == "2.6666666666666667"
    assert served["characteristics"]["Size"]["value"] == "1.0000000000000000"
    assert served["characteristics"]["Width"]["value"] is None
