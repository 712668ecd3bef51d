"""The data model against the real PostgreSQL: constraints, exact dates, sequences."""

import json
from datetime import datetime, timedelta, timezone

import pytest
from django.db import IntegrityError, connection, transaction

from loaders.database.sequences import id_sequences_sync
from reviews import selectors
from reviews.models import Characteristic, CharacteristicReview, Review, ReviewPhoto
from reviews.tests.dates import from_epoch_ms, to_epoch_ms
from reviews.tests.factories import (
    characteristic_make,
    characteristic_review_make,
    photo_make,
    review_make,
)

pytestmark = pytest.mark.django_db

# Epoch-ms values in the CSV's range whose ms / 1000 is not exact in binary floating point.
EPOCH_MS = [1595000000123, 1611111111999, 1600000000001, 1590123456789, 1_000_000_000_001, 999]


@pytest.mark.parametrize("rating", [0, 6, -1, 32767])
def test_review_rating_outside_1_to_5_is_rejected(rating):
    with pytest.raises(IntegrityError, match="reviews_rating_range"), transaction.atomic():
        review_make(rating=rating)


@pytest.mark.parametrize("rating", [1, 5])
def test_review_rating_bounds_are_accepted(rating):
    assert Review.objects.get(pk=review_make(rating=rating).pk).rating == rating


def test_negative_helpfulness_is_rejected():
    with pytest.raises(IntegrityError, match="reviews_helpfulness_gte_0"), transaction.atomic():
        review_make(helpfulness=-1)


@pytest.mark.parametrize("value", [0, 6])
def test_characteristic_value_outside_1_to_5_is_rejected(value):
    characteristic = characteristic_make()
    review = review_make()
    with (
        pytest.raises(IntegrityError, match="characteristic_reviews_value_range"),
        transaction.atomic(),
    ):
        characteristic_review_make(characteristic, review, value=value)


def test_photo_of_a_missing_review_is_rejected():
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewPhoto.objects.create(review_id=987654321, url="https://example.com/x.jpg")
        connection.check_constraints()


@pytest.mark.parametrize("ms", EPOCH_MS)
def test_date_round_trips_to_the_millisecond(ms):
    review = review_make(date=from_epoch_ms(ms))
    stored = Review.objects.get(pk=review.pk).date
    assert to_epoch_ms(stored) == ms
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (extract(epoch FROM date) * 1000)::bigint FROM reviews WHERE id = %s",
            [review.pk],
        )
        assert cursor.fetchone()[0] == ms


@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        (from_epoch_ms(1595000000123), "2020-07-17T15:33:20.123Z"),
        (from_epoch_ms(1595000000000), "2020-07-17T15:33:20.000Z"),
        # Microseconds (a row not written through the API) are cut to the millisecond, not rounded.
        (from_epoch_ms(1595000000123) + timedelta(microseconds=999), "2020-07-17T15:33:20.123Z"),
        # Stored in UTC whatever the zone it was given in.
        (
            datetime(2020, 7, 17, 17, 33, 20, tzinfo=timezone(timedelta(hours=2))),
            "2020-07-17T15:33:20.000Z",
        ),
    ],
)
def test_the_api_shows_a_date_in_utc_with_milliseconds_and_z(moment, shown):
    review = review_make(date=moment)
    row = selectors.review_get(review_id=review.pk)
    assert row is not None
    assert json.loads(row[1])["date"] == shown


def test_sequences_continue_past_loaded_ids():
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO reviews (id, product_id, rating, date, summary, body, recommend,"
            " reported, reviewer_name, reviewer_email, response, helpfulness)"
            " VALUES (5000, 7, 5, now(), '', 'loaded', true, false, 'n', 'e@x.io', NULL, 0)"
        )
        cursor.execute(
            "INSERT INTO reviews_photos (id, review_id, url) VALUES (9000, 5000, 'a.jpg')"
        )
        id_sequences_sync(cursor)
    assert review_make().pk == 5001
    assert photo_make(Review.objects.get(pk=5000)).pk == 9001


def test_deleting_a_review_deletes_its_photos_and_ratings():
    review = review_make()
    other = review_make()
    characteristic = characteristic_make()
    photo_make(review)
    photo_make(other)
    characteristic_review_make(characteristic, review)
    characteristic_review_make(characteristic, other)
    review_id = review.pk
    review.delete()
    assert not ReviewPhoto.objects.filter(review_id=review_id).exists()
    assert not CharacteristicReview.objects.filter(review_id=review_id).exists()
    # Only its own: the other review's photo and rating, and the characteristic, stay.
    assert ReviewPhoto.objects.filter(review_id=other.pk).count() == 1
    assert CharacteristicReview.objects.filter(review_id=other.pk).count() == 1
    assert Characteristic.objects.filter(pk=characteristic.pk).exists()
