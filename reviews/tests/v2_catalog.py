"""A product's reviews of every kind for the API v2 tests (the ``catalog`` fixture)."""

import random
from datetime import UTC, datetime, timedelta

from reviews.tests.factories import (
    characteristic_make,
    characteristic_review_make,
    photo_make,
    review_make,
)

PRODUCT = 7
# Words and the forms the reviews use them in: English stemming makes each family one lexeme.
FAMILIES = {
    "zipper": ("zipper", "zippers"),
    "fabric": ("fabric", "fabrics"),
    "buckle": ("buckle", "buckles"),
}
FILLER = ("nice", "shoe", "walk", "daily", "color", "box")
START = datetime(2021, 3, 1, tzinfo=UTC)


def catalog_make():
    """A product with 45 reviews of every kind (some reported, some pending or rejected, some
    verified purchases, some sharing a date or a helpfulness, some with photos and ratings of two
    characteristics), and a neighbour's."""
    rng = random.Random(15)
    moderation = random.Random(16)  # the states and purchases, apart from the older choices
    fit, size = characteristic_make(PRODUCT, "Fit"), characteristic_make(PRODUCT, "Size")
    made = []
    for n in range(45):
        words = [rng.choice(FILLER) for _ in range(6)]
        families = rng.sample(sorted(FAMILIES), rng.randint(0, 2))
        words += [rng.choice(FAMILIES[family]) for family in families]
        rng.shuffle(words)
        review = review_make(
            product_id=PRODUCT,
            rating=rng.randint(1, 5),
            recommend=rng.random() < 0.7,
            helpfulness=rng.choice([0, 0, 1, 2, 5, 13]),
            # Every third review shares its date with the one before: ties broken by id.
            date=START + timedelta(hours=n - n % 3 * (n % 2)),
            summary=" ".join(words[:3]),
            body=" ".join(words[3:]) + ".",
            reported=rng.random() < 0.1,
            verified_purchase=moderation.random() < 0.3,
        )
        state = moderation.choices(["published", "pending", "rejected"], [85, 8, 7])[0]
        if state != "published":  # a review not published is hidden (reviews_unpublished_hidden)
            review.status, review.reported = state, True
            review.save(update_fields=["status", "reported"])
        review.families = set(families)  # type: ignore[attr-defined]
        review.has_photos = rng.random() < 0.4  # type: ignore[attr-defined]
        if review.has_photos:  # type: ignore[attr-defined]
            photo_make(review)
        if rng.random() < 0.8:
            characteristic_review_make(fit, review, rng.randint(1, 5))
            characteristic_review_make(size, review, rng.randint(1, 5))
        made.append(review)
    review_make(product_id=PRODUCT + 1, summary="zipper")  # another product: never listed
    return made


FILTER_CASES = [
    {},
    {"rating": ["5"]},
    {"rating": ["1", "2"]},
    {"recommend": "false"},
    {"with_photos": "true"},
    {"with_photos": "false", "recommend": "true"},
    {"q": "zippers"},
    {"q": "fabric", "rating": ["3", "4", "5"]},
    {"verified": "true"},
    {"verified": "false", "rating": ["4", "5"]},
]
