"""Long seeded random sequences of writes, checked against the base tables after every step."""

import json
import random

import pytest
from django.db import connection, transaction

from reviews import services
from reviews.models import Characteristic, CharacteristicReview, Review, ReviewPhoto, ReviewStatus
from reviews.selectors import product_meta_get
from reviews.tests.factories import characteristic_make
from reviews.tests.meta_oracle import assert_meta_exact, product_meta_from_base_tables

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

PRODUCTS = (1, 2, 3, 4)
STEPS = 400


class Writer:
    """Applies one random write per call, the way the API, the admin or a script would."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.characteristics = {
            p: [characteristic_make(product_id=p, name=n) for n in ("Fit", "Length", "Comfort")]
            for p in PRODUCTS
        }

    def new_review(self, product_id: int) -> Review:
        # Published, or waiting for a moderator (pre-moderation, the screen), or rejected.
        status = self.rng.choices(list(ReviewStatus), [8, 1, 1])[0]
        return Review(
            product_id=product_id,
            rating=self.rng.randint(1, 5),
            recommend=self.rng.random() < 0.7,
            status=status,
            reported=status != ReviewStatus.PUBLISHED or self.rng.random() < 0.1,
            date="2021-06-01T00:00:00Z",
            body="body",
            reviewer_name="name",
            reviewer_email="name@example.com",
        )

    def ratings_of(self, review: Review) -> list[CharacteristicReview]:
        characteristics = self.characteristics[review.product_id]
        chosen = self.rng.sample(characteristics, min(len(characteristics), self.rng.randint(0, 3)))
        return [
            CharacteristicReview(characteristic=c, review=review, value=self.rng.randint(1, 5))
            for c in chosen
        ]

    def some_reviews(self, most: int) -> list[int]:
        ids = list(Review.objects.values_list("id", flat=True))
        return self.rng.sample(ids, min(len(ids), self.rng.randint(1, most)))

    def create(self):
        with transaction.atomic():
            review = self.new_review(self.rng.choice(PRODUCTS))
            review.save()
            for rating in self.ratings_of(review):
                rating.save()

    def bulk_create(self):
        with transaction.atomic():
            reviews = Review.objects.bulk_create(
                [self.new_review(self.rng.choice(PRODUCTS)) for _ in range(self.rng.randint(2, 8))]
            )
            ratings = [r for review in reviews for r in self.ratings_of(review)]
            CharacteristicReview.objects.bulk_create(ratings)

    def report(self):
        Review.objects.filter(id__in=self.some_reviews(1)).update(reported=True)

    def restore(self):
        chosen = self.some_reviews(1)
        Review.objects.filter(id__in=chosen, status=ReviewStatus.PUBLISHED).update(reported=False)

    def bulk_moderate(self):
        hide = self.rng.random() < 0.5
        chosen = Review.objects.filter(id__in=self.some_reviews(6))
        if not hide:  # only a published review may be shown (reviews_unpublished_hidden)
            chosen = chosen.filter(status=ReviewStatus.PUBLISHED)
        chosen.update(reported=hide)

    def approve(self):
        services.reviews_approve(review_ids=self.some_reviews(4))

    def reject(self):
        services.reviews_reject(review_ids=self.some_reviews(3))

    def publish(self):
        services.reviews_restore(review_ids=self.some_reviews(3))

    def change_rating(self):
        Review.objects.filter(id__in=self.some_reviews(2)).update(rating=self.rng.randint(1, 5))

    def change_recommend(self):
        Review.objects.filter(id__in=self.some_reviews(2)).update(recommend=self.rng.random() < 0.5)

    def mark_helpful(self):
        for review_id in self.some_reviews(1):
            Review.objects.filter(id=review_id).update(helpfulness=self.rng.randint(0, 50))

    def delete(self):
        Review.objects.filter(id__in=self.some_reviews(1)).delete()

    def bulk_delete(self):
        Review.objects.filter(id__in=self.some_reviews(5)).delete()

    def delete_review_then_ratings(self):
        ids = self.some_reviews(2)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM reviews WHERE id = ANY(%s)", [ids])
            cursor.execute("DELETE FROM characteristic_reviews WHERE review_id = ANY(%s)", [ids])
            cursor.execute("DELETE FROM reviews_photos WHERE review_id = ANY(%s)", [ids])

    def change_characteristic_rating(self):
        ids = list(CharacteristicReview.objects.values_list("id", flat=True)[:200])
        chosen = self.rng.sample(ids, min(len(ids), 3))
        CharacteristicReview.objects.filter(id__in=chosen).update(value=self.rng.randint(1, 5))

    def delete_characteristic_rating(self):
        rating = CharacteristicReview.objects.order_by("?").first()
        if rating is not None:
            rating.delete()

    def add_photos(self):
        ReviewPhoto.objects.bulk_create(
            ReviewPhoto(review_id=review_id, url="https://img.example.com/p.jpg")
            for review_id in self.some_reviews(3)
            for _ in range(self.rng.randint(1, 2))
        )

    def delete_photos(self):
        photos = list(ReviewPhoto.objects.values_list("id", flat=True))
        chosen = self.rng.sample(photos, min(len(photos), self.rng.randint(1, 3)))
        ReviewPhoto.objects.filter(id__in=chosen).delete()

    def move_photo(self):
        photo = ReviewPhoto.objects.order_by("?").first()
        if photo is not None:
            ReviewPhoto.objects.filter(id=photo.id).update(review_id=self.some_reviews(1)[0])

    def delete_characteristic(self):
        product_id = self.rng.choice(PRODUCTS)
        Characteristic.objects.filter(product_id=product_id, name="Comfort").delete()
        self.characteristics[product_id] = [
            c for c in self.characteristics[product_id] if c.name != "Comfort"
        ]

    def step(self) -> str:
        writes = [
            (self.create, 8),
            (self.bulk_create, 3),
            (self.report, 3),
            (self.restore, 2),
            (self.bulk_moderate, 2),
            (self.approve, 2),
            (self.reject, 2),
            (self.publish, 1),
            (self.change_rating, 2),
            (self.change_recommend, 2),
            (self.mark_helpful, 2),
            (self.delete, 2),
            (self.bulk_delete, 1),
            (self.delete_review_then_ratings, 1),
            (self.change_characteristic_rating, 2),
            (self.delete_characteristic_rating, 1),
            (self.add_photos, 3),
            (self.delete_photos, 2),
            (self.move_photo, 1),
            (self.delete_characteristic, 0.1),
        ]
        write = self.rng.choices([w for w, _ in writes], [weight for _, weight in writes])[0]
        write()
        return write.__name__


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_write_sequences_keep_meta_equal_to_the_base_tables(seed):
    rng = random.Random(seed)
    writer = Writer(rng)
    for step in range(STEPS):
        if step % 10 == 0 or Review.objects.count() < 3:
            writer.create()
        name = writer.step()
        assert_meta_exact(f"after step {step} ({name}) of seed {seed}")
        if step % 10 == 9:
            for product_id in (*PRODUCTS, 404):
                served = json.dumps(product_meta_get(product_id=product_id))
                expected = json.dumps(product_meta_from_base_tables(product_id))
                assert served == expected, f"meta of {product_id} after step {step}, seed {seed}"
    assert Review.objects.filter(reported=False).exists()
