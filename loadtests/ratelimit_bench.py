"""What the rate limits cost a write: POST /reviews through the whole Django stack, in process,
with the limits on and off in alternating blocks, and the counter's statement alone.

    .venv/bin/python -m loadtests.ratelimit_bench [--posts 600] [--hits 3000]

Everything runs in one transaction that is rolled back: the database is left as it was.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atelier.settings")

import django

django.setup()

from django.db import transaction  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from atelier.ratelimits import limits  # noqa: E402

BLOCK = 50
BODY = {
    "product_id": 2_000_000_001,
    "rating": 4,
    "body": "Posted by the rate-limit benchmark inside a transaction that is rolled back.",
    "recommend": True,
    "name": "bench",
    "email": "bench@example.com",
}
ON = {"reviews-post": "1000000/1h"}
OFF = {"reviews-post": "off"}


class Rollback(Exception):
    pass


def median_us(samples: list[float]) -> float:
    return statistics.median(samples) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=600)
    parser.add_argument("--hits", type=int, default=3000)
    args = parser.parse_args()
    client = Client(HTTP_HOST="localhost")
    times: dict[bool, list[float]] = {True: [], False: []}
    hits: dict[str, list[float]] = {"one client": [], "a new client each": []}
    try:
        with transaction.atomic():
            for block in range(args.posts // BLOCK):
                on = block % 2 == 0
                with override_settings(RATE_LIMITS=ON if on else OFF):
                    for n in range(BLOCK):
                        started = time.perf_counter()
                        response = client.post(
                            "/reviews", BODY, content_type="application/json",
                            REMOTE_ADDR=f"10.0.{block}.{n}",
                        )  # fmt: skip
                        times[on].append(time.perf_counter() - started)
                        assert response.status_code == 201, response.content
            policy = limits.Policy("bench", 10**9, 3600)
            for n in range(args.hits):
                for kind, client_name in (("one client", "c"), ("a new client each", f"c{n}")):
                    started = time.perf_counter()
                    limits.hit(policy, client_name)
                    hits[kind].append(time.perf_counter() - started)
            raise Rollback
    except Rollback:
        pass
    on_us, off_us = median_us(times[True]), median_us(times[False])
    print(f"POST /reviews, limits on:  median {on_us:7.0f} µs over {len(times[True])} posts")
    print(f"POST /reviews, limits off: median {off_us:7.0f} µs over {len(times[False])} posts")
    print(f"  added by the limit: {on_us - off_us:.0f} µs ({(on_us - off_us) / off_us:.1%})")
    for kind, samples in hits.items():
        print(f"counter statement alone, {kind}: median {median_us(samples):.0f} µs")


if __name__ == "__main__":
    main()
