"""API v2 reads on the full dataset plus a few generated products of 10,000 reviews each: the
server time of every kind of v2 read, one request at a time, in the app's own process.

    ATELIER_DATA_DIR=/path/to/full/data .venv/bin/python -m loadtests.v2_bench
        [--big-products 3] [--products 300] [--rounds 3] [--seed 1] [--out out/v2]
        [--cached --duration 10]

Server time is a request's whole way through Django (middleware, view, every query, rendering)
measured around ``django.test.Client``, with no HTTP cache in front and no network between: what
an app server spends on it, without what a load generator on the same two cores would add.

The products asked for: the big generated ones (made on the first run with the same statements a
bulk insert would use, the aggregate triggers on, and kept), the most-reviewed products of the
dataset, and random ones. The reads: a first page of 10 in every sort; the pages further on a
big product (cursor pages, ``--pages`` deep); each filter and some combinations; the summary,
alone and with each filter; and the legacy meta and first page of 10 of the same products, as the
yardstick of what the machine allows that run. Each scenario prints p50, p99 and max, and p99 over
5 ms is marked.

``--cached`` then starts the cluster (nginx, Varnish, two app servers), asks once for the legacy
meta, the legacy first page, the v2 summary and the v2 first page of every product above, and
runs wrk over each of the four sets of URLs, now all cache hits: requests/s as a share of nginx
serving a static file in the same run, and p99.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atelier.settings")
os.environ.setdefault("ATELIER_RATE_LIMITS", "off")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from loadtests.meta_bench import most_reviewed  # noqa: E402
from reviews.meta.rebuild import meta_differences  # noqa: E402
from reviews.v2.cursors import SORTS  # noqa: E402

BIG_REVIEWS = 10_000
TARGET_MS = 5.0
WORDS = [
    "comfortable",
    "fit",
    "zipper",
    "fabric",
    "color",
    "soft",
    "strap",
    "buckle",
    "sole",
    "heel",
    "size",
    "narrow",
    "wide",
    "quality",
    "stitching",
    "leather",
    "laces",
    "waterproof",
    "warm",
    "light",
    "heavy",
    "cheap",
    "price",
    "gift",
    "daily",
    "walking",
    "running",
    "great",
    "terrible",
    "love",
    "return",
    "small",
    "large",
    "perfect",
]
CHARACTERISTICS = ("Fit", "Length", "Comfort", "Quality")

# One statement per table, as a bulk insert would run them: the triggers keep the aggregates.
BIG_REVIEWS_INSERT = """
INSERT INTO reviews (product_id, rating, date, summary, body, recommend, reported,
                     reviewer_name, reviewer_email, response, helpfulness)
SELECT %(product)s,
       CASE WHEN x < 0.10 THEN 1 WHEN x < 0.18 THEN 2 WHEN x < 0.30 THEN 3
            WHEN x < 0.55 THEN 4 ELSE 5 END,
       timestamptz '2019-01-01' + n * interval '53 minutes',
       w[1 + (n * 7) %% cardinality(w)] || ' ' || w[1 + (n * 11) %% cardinality(w)],
       (SELECT string_agg(w[1 + abs(hashint8(n::bigint * 1000 + k)) %% cardinality(w)], ' ')
          FROM generate_series(1, 12 + n %% 30) AS k),
       random() < 0.8, random() < 0.02, 'shopper' || n, 'shopper' || n || '@example.com',
       NULL, floor(exp(random() * 4))::int - 1
FROM generate_series(1, %(count)s) AS n, LATERAL (SELECT random() AS x) AS r,
     (SELECT %(words)s::text[] AS w) AS words
"""
BIG_CHARACTERISTICS_INSERT = """
INSERT INTO characteristics (product_id, name) SELECT %(product)s, unnest(%(names)s::text[])
"""
BIG_RATINGS_INSERT = """
INSERT INTO characteristic_reviews (characteristic_id, review_id, value)
SELECT c.id, r.id, 1 + floor(random() * 5)::int
FROM reviews r JOIN characteristics c ON c.product_id = r.product_id
WHERE r.product_id = %(product)s
"""
BIG_PHOTOS_INSERT = """
INSERT INTO reviews_photos (review_id, url)
SELECT id, 'https://img.example.com/big/' || id || '.jpg'
FROM reviews WHERE product_id = %(product)s AND random() < 0.4
"""
BIG_PRODUCTS = """
SELECT product_id FROM product_meta
WHERE rating_1 + rating_2 + rating_3 + rating_4 + rating_5 >= %(at_least)s
ORDER BY product_id
"""


def big_products(wanted: int) -> list[int]:
    """The generated products of 10,000 reviews, made now if fewer than ``wanted`` exist."""
    with connection.cursor() as cursor:
        cursor.execute(BIG_PRODUCTS, {"at_least": BIG_REVIEWS * 9 // 10})
        found = [row[0] for row in cursor.fetchall()]
        if len(found) >= wanted:
            return found[:wanted]
        cursor.execute("SELECT max(product_id) FROM characteristics")
        after = max(cursor.fetchone()[0] or 0, *found, 0)
    for product in range(after + 1, after + 1 + wanted - len(found)):
        started = time.monotonic()
        params: dict[str, Any] = {"product": product, "count": BIG_REVIEWS, "words": WORDS}
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(BIG_REVIEWS_INSERT, params)
            cursor.execute(BIG_CHARACTERISTICS_INSERT, {**params, "names": list(CHARACTERISTICS)})
            cursor.execute(BIG_RATINGS_INSERT, params)
            cursor.execute(BIG_PHOTOS_INSERT, params)
        found.append(product)
        print(
            f"  made product {product}: {BIG_REVIEWS:,} reviews"
            f" in {time.monotonic() - started:.1f} s"
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reviews, characteristic_reviews, reviews_photos")
    return found


FILTERS: dict[str, dict[str, Any]] = {
    "rating=5": {"rating": "5"},
    "rating=1": {"rating": "1"},
    "rating=4,5": {"rating": ["4", "5"]},
    "recommend=false": {"recommend": "false"},
    "with_photos": {"with_photos": "true"},
    "q common": {"q": "comfortable"},
    "q rare": {"q": "waterproof leather"},
    "rating=5 + with_photos": {"rating": "5", "with_photos": "true"},
    "rating=1 + q": {"rating": "1", "q": "zipper"},
}


def scenarios(big: list[int], products: list[int], pages: int, rng: random.Random):
    """(scenario, path, params) for every read to time, in a shuffled order."""
    reads: list[tuple[str, str, dict[str, Any], bool]] = []
    everyone = big + products
    for product in everyone:
        base, large = f"/v2/products/{product}", product in big
        for sort in SORTS:
            reads.append(
                (f"list first page, sort={sort}", f"{base}/reviews", {"sort": sort}, large)
            )
        for name, filters in FILTERS.items():
            reads.append((f"list {name}", f"{base}/reviews", {**filters, "sort": "newest"}, large))
            reads.append((f"summary {name}", f"{base}/summary", filters, large))
        reads.append(("summary", f"{base}/summary", {}, large))
        # The legacy reads in the same run: what the machine allows the same requests.
        reads.append(("legacy meta", "/reviews/meta", {"product_id": product}, large))
        reads.append(("legacy first page", "/reviews", {"product_id": product, "count": 10}, large))
    rng.shuffle(reads)
    deep = [
        (f"list cursor pages, sort={sort}", f"/v2/products/{product}/reviews", sort)
        for product in big
        for sort in SORTS
    ]
    return reads, deep, pages


def timed_get(client: Client, path: str, params: dict | None = None) -> tuple[float, dict]:
    started = time.perf_counter()
    response = client.get(path, params or {})
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{path} {params}: {response.status_code} {response.content[:200]!r}")
    return elapsed, response.json()


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


CACHED_SETS = {
    "legacy meta": "/reviews/meta?product_id={}",
    "legacy first page": "/reviews?product_id={}&page=1&count=5&sort=relevant",
    "v2 summary": "/v2/products/{}/summary",
    "v2 first page": "/v2/products/{}/reviews?sort=relevant&limit=5",
}


def cached_bench(products: list[int], seconds: int, out: Path) -> list[dict]:
    """Each set of URLs through the cluster once (filling the cache), then under wrk."""
    from deploy.cluster import Cluster
    from deploy.cluster_config import Settings
    from deploy.processes import free_port
    from loadtests.bench import StaticBaseline, run_wrk

    run = out / "cached"
    run.mkdir(parents=True, exist_ok=True)
    with StaticBaseline(run / "static") as static:
        baseline = static.rps(16, seconds)
    print(f"static baseline, 16 connections: {baseline:,.0f} req/s")
    cluster, port = Cluster(REPO / ".data" / "v2-bench-cluster"), free_port()
    cluster.start(Settings(apps=2, port=port, cache=True, limits=False), prepare=False)
    rows = []
    try:
        for name, pattern in CACHED_SETS.items():
            paths = [pattern.format(product) for product in products]
            sizes = []
            for path in paths:
                connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection_.request("GET", path)
                sizes.append(len(connection_.getresponse().read()))
                connection_.close()
            listing = run / f"{name.replace(' ', '-')}.txt"
            listing.write_text("\n".join(paths) + "\n")
            figures = run_wrk("paths.lua", port, seconds, 16, listing)
            mean_bytes = sum(sizes) / len(sizes)
            row = {"set": name, **figures, "share": figures["rps"] / baseline, "bytes": mean_bytes}
            rows.append(row)
            print(
                f"{name:20} {figures['rps']:9,.0f} req/s {row['share']:6.1%} of static,"
                f" p99 {figures['p99_ms']:.2f} ms, errors {figures['errors']},"
                f" {mean_bytes:,.0f} bytes on average"
            )
    finally:
        cluster.stop()
    return rows


def table(title: str, samples: dict[str, list[float]]) -> list[dict]:
    """Print p50, p99 and max of each scenario; return them as rows."""
    rows = []
    print(f"{title}:\n{'scenario':42} {'n':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for scenario in sorted(samples):
        times = samples[scenario]
        p50, p99 = percentile(times, 0.5) * 1000, percentile(times, 0.99) * 1000
        row = {"set": title, "scenario": scenario, "n": len(times), "p50_ms": p50,
               "p99_ms": p99, "max_ms": max(times) * 1000}  # fmt: skip
        rows.append(row)
        mark = "  OVER" if p99 > TARGET_MS else ""
        print(f"{scenario:42} {len(times):6} {p50:8.2f} {p99:8.2f} {row['max_ms']:8.2f}{mark}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--big-products", type=int, default=3)
    parser.add_argument("--products", type=int, default=300, help="random products, beside")
    parser.add_argument("--most-reviewed", type=int, default=50)
    parser.add_argument("--pages", type=int, default=20, help="cursor pages per big product")
    parser.add_argument("--rounds", type=int, default=3, help="passes over every read")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=REPO / "out" / "v2")
    parser.add_argument(
        "--cached", action="store_true", help="also: cached reads through the cluster"
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per cached run")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {os.getloadavg()[0]:.1f}")
    big = big_products(args.big_products)
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(product_id) FROM characteristics")
        product_max = cursor.fetchone()[0]
    products = most_reviewed(args.most_reviewed + len(big))
    products = [p for p in products if p not in big][: args.most_reviewed]
    products += [rng.randint(1, product_max) for _ in range(args.products)]
    print(f"big products {big}; {len(products)} others")

    client = Client(HTTP_HOST="localhost")
    reads, deep, pages = scenarios(big, products, args.pages, rng)
    samples: dict[str, list[float]] = defaultdict(list)
    on_big: dict[str, list[float]] = defaultdict(list)  # the same, on the big products alone
    timed_get(client, "/v2/products/1/summary")  # connect, import, warm the first plans
    for round_ in range(args.rounds + 1):  # the first round warms the caches: not counted
        for scenario, path, params, large in reads:
            elapsed, _ = timed_get(client, path, params)
            if round_:
                samples[scenario].append(elapsed)
                if large:
                    on_big[scenario].append(elapsed)
        for scenario, path, sort in deep:
            elapsed, page = timed_get(client, path, {"sort": sort})
            for _ in range(pages):
                if not page["next"]:
                    break
                elapsed, page = timed_get(client, page["next"])
                if round_:
                    samples[scenario].append(elapsed)
                    on_big[scenario].append(elapsed)
        print(f"  round {round_} {'(warm-up) ' if not round_ else ''}done", flush=True)

    rows = table("every product", samples)
    rows += table(f"the {len(big)} products of {BIG_REVIEWS:,} reviews alone", on_big)
    every = [t for name, times in samples.items() if not name.startswith("legacy") for t in times]
    print(
        f"all v2 reads: {len(every)} requests, p50 {percentile(every, 0.5) * 1000:.2f} ms,"
        f" p99 {percentile(every, 0.99) * 1000:.2f} ms; load average {os.getloadavg()[0]:.1f}"
    )
    differences = meta_differences()
    print(f"verify_meta after the run: {differences or 'clean'}")
    cached = cached_bench(big + products, args.duration, args.out) if args.cached else []
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / f"{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps({"big_products": big, "rows": rows, "cached": cached}, indent=1))
    print(f"results in {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
