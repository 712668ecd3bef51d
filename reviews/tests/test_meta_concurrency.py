"""Concurrent writers on the real server: no lost update, no deadlock, aggregates exact."""

import random
import threading
import time

import pytest
from django.db import close_old_connections, connection, transaction

from reviews import services
from reviews.meta.rebuild import meta_rebuild
from reviews.models import CharacteristicReview, ProductMeta, Review, ReviewPhoto, ReviewStatus
from reviews.selectors import product_meta_get
from reviews.tests.factories import characteristic_make
from reviews.tests.meta_oracle import assert_meta_exact, product_meta_from_base_tables

pytestmark = pytest.mark.django_db(transaction=True)


def in_threads(work, count: int, timeout: float = 60) -> list[BaseException]:
    """Run ``work(index)`` in ``count`` threads, each with its own connection; return errors."""
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def run(index: int) -> None:
        try:
            start.wait()
            work(index)
        except BaseException as error:  # reported to the test, not swallowed
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a writer hung"
    close_old_connections()
    return errors


def post(
    product_id: int,
    characteristics: list,
    rng: random.Random,
    pause: float = 0,
    status: str = ReviewStatus.PUBLISHED,
) -> None:
    """What POST /reviews does: the review, then its ratings and its photos (for some), in one
    transaction. A review posted pending (pre-moderation, the screen) is hidden until approved."""
    with transaction.atomic():
        review = Review.objects.create(
            product_id=product_id,
            status=status,
            reported=status != ReviewStatus.PUBLISHED,
            rating=rng.randint(1, 5),
            recommend=rng.random() < 0.5,
            date="2021-06-01T00:00:00Z",
            body="body",
            reviewer_name="name",
            reviewer_email="name@example.com",
        )
        time.sleep(pause)  # hold the product's aggregate row while the others queue on it
        CharacteristicReview.objects.bulk_create(
            CharacteristicReview(characteristic=c, review=review, value=rng.randint(1, 5))
            for c in characteristics
        )
        if rng.random() < 0.4:
            ReviewPhoto.objects.create(review=review, url="https://img.example.com/p.jpg")


def test_concurrent_posts_on_one_new_product_are_all_counted():
    characteristics = [characteristic_make(product_id=77, name=n) for n in ("Fit", "Size")]
    writers, each = 4, 8

    def work(index: int) -> None:
        rng = random.Random(index)
        for _ in range(each):
            post(77, characteristics, rng, pause=0.005)

    assert in_threads(work, writers) == []
    meta = ProductMeta.objects.get(product_id=77)
    counted = meta.rating_1 + meta.rating_2 + meta.rating_3 + meta.rating_4 + meta.rating_5
    assert counted == writers * each
    assert meta.recommend_false + meta.recommend_true == writers * each
    assert_meta_exact()


def test_mixed_concurrent_writes_neither_deadlock_nor_drift():
    products = (81, 82)
    characteristics = {
        p: [characteristic_make(product_id=p, name=n) for n in ("Fit", "Width")] for p in products
    }
    rng = random.Random(0)
    for _ in range(12):
        post(
            rng.choice(products),
            characteristics[81] if False else characteristics[products[0]],
            rng,
        )
    deadline = time.monotonic() + 20

    def work(index: int) -> None:
        rng = random.Random(100 + index)
        for _ in range(60):
            if time.monotonic() > deadline:
                return
            ids = list(Review.objects.values_list("id", flat=True))
            choice = rng.random()
            if choice < 0.35 or not ids:
                product_id = rng.choice(products)
                status = ReviewStatus.PENDING if rng.random() < 0.3 else ReviewStatus.PUBLISHED
                post(product_id, characteristics[product_id], rng, status=status)
            elif choice < 0.5:
                Review.objects.filter(id=rng.choice(ids)).update(reported=True)
            elif choice < 0.6:
                shown = Review.objects.filter(status=ReviewStatus.PUBLISHED)
                shown.filter(id=rng.choice(ids)).update(reported=False)
            elif choice < 0.8:
                # Admin bulk moderation over several products: approve, reject, publish, hide.
                chosen = rng.sample(ids, min(4, len(ids)))
                decide = rng.choice(
                    [
                        services.reviews_approve,
                        services.reviews_reject,
                        services.reviews_restore,
                        services.reviews_hide,
                    ]
                )
                decide(review_ids=chosen)
            elif choice < 0.88:
                Review.objects.filter(id=rng.choice(ids)).delete()  # ratings first, then review
            elif choice < 0.94:
                ReviewPhoto.objects.filter(review_id=rng.choice(ids)).delete()  # by a moderator
            else:
                Review.objects.filter(id=rng.choice(ids)).update(helpfulness=rng.randint(1, 9))

    assert in_threads(work, 4) == []
    assert_meta_exact()


def wait_until_blocked(query_start: str, seconds: float = 5) -> None:
    """Wait (bounded) until another backend waits on a lock in a statement starting so."""
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            # Activity is snapshotted once per transaction unless the snapshot is dropped.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE wait_event_type = 'Lock' AND query LIKE %s",
                [query_start + "%"],
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError(f"no statement {query_start!r} ever waited")


def test_delete_and_report_of_the_same_review_do_not_deadlock():
    fit = characteristic_make(product_id=90)
    rng = random.Random(9)
    post(90, [fit], rng)
    post(90, [fit], rng)
    review = Review.objects.order_by("id").first()
    assert review is not None
    ratings_deleted = threading.Event()

    def work(index: int) -> None:
        if index == 0:  # the admin deletes: the ORM removes the ratings, then the review
            with transaction.atomic():
                CharacteristicReview.objects.filter(review=review).delete()
                ratings_deleted.set()
                wait_until_blocked('UPDATE "reviews"')
                Review.objects.filter(id=review.id).delete()
        else:  # meanwhile a shopper reports it
            assert ratings_deleted.wait(10)
            Review.objects.filter(id=review.id).update(reported=True)

    assert in_threads(work, 2) == []
    assert not Review.objects.filter(id=review.id).exists()
    assert_meta_exact()


def test_rebuild_while_writing_and_reading_loses_nothing_and_serves_exact_meta():
    products = (91, 92, 93)
    characteristics = {p: [characteristic_make(product_id=p, name="Fit")] for p in products}
    rng = random.Random(3)
    for product_id in products:
        post(product_id, characteristics[product_id], rng)
    writers_left, counting = [2], threading.Lock()
    deadline = time.monotonic() + 20

    def writing() -> bool:
        with counting:
            return writers_left[0] > 0 and time.monotonic() < deadline

    def work(index: int) -> None:
        rng = random.Random(200 + index)
        if index == 0:  # the rebuild, range after tiny range, for as long as the writers write
            while writing():
                meta_rebuild(product_chunk=1, characteristic_chunk=1)
        elif index == 1:  # a reader: what meta serves equals the base tables, in one snapshot
            while writing():
                with transaction.atomic():
                    with connection.cursor() as cursor:
                        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                    for product_id in products:
                        served = product_meta_get(product_id=product_id)
                        assert served == product_meta_from_base_tables(product_id)
        else:  # writers: posts and reports
            try:
                for _ in range(40):
                    product_id = rng.choice(products)
                    post(product_id, characteristics[product_id], rng)
                    ids = list(
                        Review.objects.filter(product_id=product_id).values_list("id", flat=True)
                    )
                    Review.objects.filter(id=rng.choice(ids)).update(reported=rng.random() < 0.5)
            finally:
                with counting:
                    writers_left[0] -= 1

    assert in_threads(work, 4) == []
    assert_meta_exact()
