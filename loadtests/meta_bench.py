"""The meta aggregates on the full dataset: how fast meta is read from them (against counting the
base tables at request time), and what their triggers add to a POST and to a helpful vote.

    ATELIER_DATA_DIR=/path/to/full/data .venv/bin/python -m loadtests.meta_bench
        [--reads 2000] [--writes 300] [--seed 1] [--no-triggers-off] [--bulk]

Meta: ``product_meta_get`` (the selector behind GET /reviews/meta, one query) for ``--reads``
random product ids, after a warm-up pass over the same ids, then the same ids counted from the
base tables. Writes: ``review_create`` (what POST /reviews runs, with three characteristic ratings
and a photo, committed) and ``review_mark_helpful``, alternating blocks with the aggregate
triggers enabled and disabled (``ALTER TABLE ... DISABLE TRIGGER``: run it on a database nobody
else writes to, or pass ``--no-triggers-off`` to time only the triggered writes). Every review it
posts is deleted at the end and ``verify_meta`` must still be clean.

``--bulk`` (minutes, heavy): the two ways a bulk load can keep the aggregates, on the whole
dataset, each inside a transaction that is rolled back: every review and every rating inserted
again (new ids) by one statement each with the triggers on, against the same statements with the
triggers off plus a rebuild of all aggregates from empty (what a load does).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atelier.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402

from reviews.meta.rebuild import (  # noqa: E402
    META_TABLES,
    META_TRIGGERS,
    meta_differences,
    meta_rebuild,
)
from reviews.selectors import product_meta_get  # noqa: E402
from reviews.services import review_create, review_mark_helpful, reviews_remove  # noqa: E402

TRIGGER_TABLES = tuple(META_TRIGGERS)  # the tables whose triggers keep the aggregates
BLOCK = 25  # writes per block; blocks alternate between triggers on and off


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50 = ordered[len(ordered) // 2]
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    mean = statistics.fmean(ordered)
    return f"p50 {p50 * 1000:.3f} ms, p99 {p99 * 1000:.3f} ms, mean {mean * 1000:.3f} ms"


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def products_max() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(product_id) FROM characteristics")
        return cursor.fetchone()[0]


def most_reviewed(count: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT product_id FROM product_meta"
            " ORDER BY rating_1 + rating_2 + rating_3 + rating_4 + rating_5 DESC LIMIT %s",
            [count],
        )
        return [row[0] for row in cursor.fetchall()]


# The baseline: what a service without the aggregates would run for each meta request, counting
# the product's visible reviews and ratings in one statement.
META_COUNTED = """
SELECT (SELECT json_object_agg(rating, n) FROM (
          SELECT rating, count(*) AS n FROM reviews
           WHERE product_id = %(product_id)s AND NOT reported GROUP BY rating) AS by_rating),
       (SELECT json_object_agg(recommend, n) FROM (
          SELECT recommend, count(*) AS n FROM reviews
           WHERE product_id = %(product_id)s AND NOT reported GROUP BY recommend) AS by_recommend),
       (SELECT json_agg(json_build_array(id, name, average)) FROM (
          SELECT c.id, c.name, avg(cr.value) FILTER (WHERE NOT r.reported) AS average
            FROM characteristics AS c
            LEFT JOIN characteristic_reviews AS cr ON cr.characteristic_id = c.id
            LEFT JOIN reviews AS r ON r.id = cr.review_id
           WHERE c.product_id = %(product_id)s GROUP BY c.id) AS by_characteristic)
"""


def meta_counted(product_id: int) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(META_COUNTED, {"product_id": product_id})
        return cursor.fetchone()


def meta_bench(product_ids: list[int], label: str) -> None:
    for product_id in product_ids:  # warm-up: the same pages the measured pass reads
        product_meta_get(product_id=product_id)
    served = [timed(partial(product_meta_get, product_id=p)) for p in product_ids]
    print(f"meta from the aggregates, {label}: {percentiles(served)}")
    counted = [timed(partial(meta_counted, p)) for p in product_ids]
    print(f"meta counted from the base tables (one statement): {percentiles(counted)}")
    ratio = statistics.median(counted) / statistics.median(served)
    print(f"  ratio of medians, counted / served: {ratio:.1f}")


def triggers_set(enabled: bool) -> None:
    with connection.cursor() as cursor:
        for table in TRIGGER_TABLES:
            action = "ENABLE" if enabled else "DISABLE"
            cursor.execute(f"ALTER TABLE {table} {action} TRIGGER USER")


def characteristics_of(product_ids: list[int]) -> dict[int, list[int]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT product_id, array_agg(id ORDER BY id) FROM characteristics"
            " WHERE product_id = ANY(%s) GROUP BY product_id",
            [product_ids],
        )
        return dict(cursor.fetchall())


def writes_bench(rng: random.Random, product_ids: list[int], writes: int, off: bool) -> None:
    characteristics = characteristics_of(product_ids)
    rated = [p for p in product_ids if p in characteristics]
    posted: dict[bool, list[int]] = {True: [], False: []}
    post_times: dict[bool, list[float]] = {True: [], False: []}
    helpful_times: dict[bool, list[float]] = {True: [], False: []}
    modes = [True, False] if off else [True]
    try:
        for block in range(writes // BLOCK):
            enabled = modes[block % len(modes)]
            triggers_set(enabled)
            for _ in range(BLOCK):
                product_id = rng.choice(rated)
                ratings = {cid: rng.randint(1, 5) for cid in characteristics[product_id][:3]}
                started = time.perf_counter()
                review_id = review_create(
                    product_id=product_id,
                    rating=rng.randint(1, 5),
                    summary="Benchmark",
                    body="Posted by the meta benchmark; deleted when it ends.",
                    recommend=rng.random() < 0.7,
                    reviewer_name="bench",
                    reviewer_email="bench@example.com",
                    photos=["bench.jpg"],
                    characteristics=ratings,
                )
                post_times[enabled].append(time.perf_counter() - started)
                posted[enabled].append(review_id)
                helpful_times[enabled].append(
                    timed(partial(review_mark_helpful, review_id=review_id, voter="bench"))
                )
    finally:
        # Each review goes the way it came: triggered ones with the triggers on.
        for enabled in modes:
            triggers_set(enabled)
            reviews_remove(review_ids=posted[enabled])  # with their ratings, photos and votes
        triggers_set(True)
    for name, samples in (("POST", post_times), ("helpful", helpful_times)):
        print(f"{name} with the triggers:    {percentiles(samples[True])}")
        if off:
            print(f"{name} without the triggers: {percentiles(samples[False])}")
            ratio = statistics.median(samples[True]) / statistics.median(samples[False])
            print(f"  {name} cost ratio (medians, with / without): {ratio:.3f}")


# Every row again under a new id, as one bulk statement per table.
REVIEWS_INSERT_AGAIN = """
INSERT INTO reviews (id, product_id, rating, date, summary, body, recommend, reported,
                     reviewer_name, reviewer_email, response, helpfulness)
SELECT id + %(offset)s, product_id, rating, date, summary, body, recommend, reported,
       reviewer_name, reviewer_email, response, helpfulness
FROM reviews"""
RATINGS_INSERT_AGAIN = """
INSERT INTO characteristic_reviews (id, characteristic_id, review_id, value)
SELECT id + %(offset)s, characteristic_id, review_id + %(review_offset)s, value
FROM characteristic_reviews"""


def bulk_bench() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM reviews")
        review_offset = cursor.fetchone()[0]
        cursor.execute("SELECT max(id) FROM characteristic_reviews")
        offset = cursor.fetchone()[0]
    params = {"offset": offset, "review_offset": review_offset}
    for enabled in (False, True):
        with transaction.atomic(), connection.cursor() as cursor:
            triggers_set(enabled)
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            reviews = timed(lambda: cursor.execute(REVIEWS_INSERT_AGAIN, {"offset": review_offset}))
            ratings = timed(lambda: cursor.execute(RATINGS_INSERT_AGAIN, params))
            total = reviews + ratings
            line = f"reviews {reviews:.1f} s + ratings {ratings:.1f} s"
            if not enabled:
                for table in META_TABLES:
                    cursor.execute(f"DELETE FROM {table}")
                rebuild = timed(meta_rebuild)
                total += rebuild
                line += f" + rebuild from empty {rebuild:.1f} s"
            print(
                f"bulk insert of the whole dataset again, triggers {'on' if enabled else 'off'}:"
                f" {line} = {total:.1f} s"
            )
            transaction.set_rollback(True)
    triggers_set(True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=2000)
    parser.add_argument("--writes", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-triggers-off", dest="off", action="store_false")
    parser.add_argument("--bulk", action="store_true")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    last = products_max()
    product_ids = [rng.randint(1, last) for _ in range(args.reads)]
    print(f"database {connection.settings_dict['NAME']}, products 1..{last:,}")
    meta_bench(product_ids, f"{len(product_ids):,} random products")
    meta_bench(most_reviewed(100), "the 100 most reviewed products")
    writes_bench(rng, product_ids, args.writes, args.off)
    if args.bulk:
        bulk_bench()
    found = meta_differences()
    print("verify_meta after the writes:", "DIFFERS" if found else "clean")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
