"""An empty aggregate table is filled in one pass, equal to the fresh views; a table holding rows
is rebuilt range by range and ends equal to them too."""

import pytest
from django.db import connection

from loaders.database.post_load import AGGREGATE_TABLES, post_load
from reviews.meta.fill import meta_fill_empty, meta_table_fill_if_empty
from reviews.models import CharacteristicMeta, ProductMeta, Review, ReviewStatus
from reviews.tests.factories import (
    characteristic_make,
    characteristic_review_make,
    photo_make,
    review_make,
)
from reviews.tests.meta_oracle import assert_meta_exact, rows

pytestmark = pytest.mark.django_db

LOADED = ("reviews", "reviews_photos", "characteristics", "characteristic_reviews")


@pytest.fixture
def catalogue():
    """Products whose counts only a correct fill gets right: reported reviews, reviews without
    ratings, characteristics without ratings or rated only through reported reviews, reviews
    waiting for a moderator or rejected."""
    fit, length = characteristic_make(product_id=7), characteristic_make(7, "Length")
    characteristic_make(7, "Quality")  # never rated
    for rating, value in ((5, 4), (3, 1), (5, 5)):
        review = review_make(product_id=7, rating=rating, recommend=rating > 3)
        characteristic_review_make(fit, review, value)
        characteristic_review_make(length, review, 6 - value)
    review_make(product_id=7, rating=2, recommend=False)  # no ratings
    reported = review_make(product_id=7, rating=1, recommend=False)
    characteristic_review_make(fit, reported, 2)
    characteristic_review_make(length, reported, 2)

    comfort = characteristic_make(product_id=8, name="Comfort")  # only rated by reported reviews
    hidden = review_make(product_id=8, rating=4)
    characteristic_review_make(comfort, hidden, 3)
    review_make(product_id=9, rating=5)  # a product with one review, no characteristics
    # Rated and photographed, but pending and rejected: counted nowhere.
    for status in (ReviewStatus.PENDING, ReviewStatus.REJECTED):
        unpublished = review_make(product_id=7, rating=1, status=status, reported=True)
        characteristic_review_make(fit, unpublished, 1)
        photo_make(unpublished)
    photo_make(review)  # one photo on a review of 7 with ratings, two on the reported one
    photo_make(reported)
    photo_make(reported)
    Review.objects.filter(id__in=[reported.id, hidden.id]).update(reported=True)
    assert 8 not in rows("product_meta_fresh")
    assert rows("product_meta_fresh")[7][0] == 0  # no 1-star review of 7 counts
    assert comfort.id not in rows("characteristic_meta_fresh")


def aggregates_empty() -> None:
    """As after a first bulk load, which writes the base tables with the triggers off."""
    with connection.cursor() as cursor:
        for table in AGGREGATE_TABLES:
            cursor.execute(f"DELETE FROM {table}")


def table_file(table: str) -> int:
    """The table's file on disk: a fill truncates the table first, a ranged rebuild does not."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_filenode(%s)", [table])
        return cursor.fetchone()[0]


def stored_rows(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        return cursor.fetchone()[0]


def test_fill_of_empty_tables_equals_the_fresh_views(catalogue):
    aggregates_empty()
    filled = meta_fill_empty()
    assert filled == {
        "product_meta": 2,  # products 7 and 9
        "characteristic_meta": 2,  # fit and length
        # 7: (5, true, with and without photos), (3, false), (2, false); 9: (5, false)
        "product_meta_cells": 5,
        "characteristic_meta_cells": 6,  # fit and length: (5, true, twice), (3, false)
    }
    assert_meta_exact("after a fill")
    assert stored_rows("product_meta") == 2  # no row of zeros for product 8 or comfort
    assert CharacteristicMeta.objects.get(characteristic__name="Fit").rating_sum == 4 + 1 + 5

    # The keys are back: the triggers' upserts (ON CONFLICT on them) go on from the filled rows.
    fit = CharacteristicMeta.objects.get(characteristic__name="Fit").characteristic
    characteristic_review_make(fit, review_make(product_id=7, rating=4), 2)
    assert_meta_exact("after a write following the fill")


def test_fill_leaves_a_table_holding_rows_untouched(catalogue):
    ProductMeta.objects.filter(product_id=7).update(rating_5=70)  # stale, but not empty
    CharacteristicMeta.objects.all().delete()
    files = {table: table_file(table) for table in AGGREGATE_TABLES}

    assert meta_table_fill_if_empty("product_meta") is None
    assert meta_fill_empty() == {"characteristic_meta": 2}  # the cells are not empty either
    assert ProductMeta.objects.get(product_id=7).rating_5 == 70
    assert table_file("product_meta") == files["product_meta"]
    assert table_file("characteristic_meta") != files["characteristic_meta"]


def test_fill_inside_a_transaction_leaves_its_planner_settings_behind(catalogue):
    aggregates_empty()
    with connection.cursor() as cursor:
        cursor.execute("SHOW work_mem")
        work_mem = cursor.fetchone()[0]
        meta_fill_empty()
        cursor.execute("SELECT current_setting('work_mem'), current_setting('enable_hashagg')")
        assert cursor.fetchone() == (work_mem, "on")


def test_post_load_fills_empty_tables_and_rebuilds_the_others(catalogue):
    aggregates_empty()
    ProductMeta.objects.create(product_id=99, rating_3=1)  # a stray row: product_meta not empty
    files = {table: table_file(table) for table in AGGREGATE_TABLES}
    with connection.cursor() as cursor:
        post_load(cursor.cursor, LOADED)

    assert_meta_exact("after post_load")
    assert not ProductMeta.objects.filter(product_id=99).exists()  # removed by the ranged rebuild
    assert table_file("product_meta") == files["product_meta"]
    assert table_file("characteristic_meta") != files["characteristic_meta"]


def test_post_load_rebuild_of_stale_tables_equals_the_fresh_views(catalogue):
    ProductMeta.objects.filter(product_id=7).update(rating_5=70)
    CharacteristicMeta.objects.filter(characteristic__name="Length").update(value_2=9)
    files = {table: table_file(table) for table in AGGREGATE_TABLES}
    with connection.cursor() as cursor:
        post_load(cursor.cursor, LOADED)

    assert_meta_exact("after post_load")
    assert {table: table_file(table) for table in AGGREGATE_TABLES} == files
