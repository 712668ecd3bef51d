"""Small factories for tests: valid rows with overridable fields, written through the ORM."""

import itertools

from reviews.models import Characteristic, CharacteristicReview, Review, ReviewPhoto
from reviews.tests.dates import from_epoch_ms

_counter = itertools.count(1)


def review_make(**fields) -> Review:
    n = next(_counter)
    values = {
        "product_id": 1,
        "rating": 4,
        "date": from_epoch_ms(1_595_000_000_000 + n * 1000),
        "summary": f"Summary {n}",
        "body": f"Body of review {n}, long enough to read.",
        "recommend": True,
        "reviewer_name": f"reviewer{n}",
        "reviewer_email": f"reviewer{n}@example.com",
    }
    values.update(fields)
    return Review.objects.create(**values)


def photo_make(review: Review, **fields) -> ReviewPhoto:
    values = {"url": f"https://img.example.com/{review.id}.jpg"}
    values.update(fields)
    return ReviewPhoto.objects.create(review=review, **values)


def characteristic_make(product_id: int = 1, name: str = "Fit", **fields) -> Characteristic:
    return Characteristic.objects.create(product_id=product_id, name=name, **fields)


def characteristic_review_make(
    characteristic: Characteristic, review: Review, value: int = 3
) -> CharacteristicReview:
    return CharacteristicReview.objects.create(
        characteristic=characteristic, review=review, value=value
    )
