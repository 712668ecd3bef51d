"""The race of a miss and a write, through nginx and the cache: writers post reviews and helpful
votes on a few hot products while readers read their meta, their most helpful review first, and
that review's detail. Every counter only grows, so a read is stale when it shows less than the
writes acknowledged before it began. Run on the single server (test_cache.py) and with misses
served by standbys (test_ha_database.py)."""

import bisect
import http.client
import json
import threading
import time
from collections import defaultdict
from typing import Any

HOT_PRODUCTS = (1, 2, 3)
READS_MIN, WRITES_MIN = 50_000, 1_000
READERS, WRITERS = 6, 3
RACE_SECONDS_MAX = 240


def post_body(product_id: int, n: int = 0) -> dict:
    return {
        "product_id": product_id, "rating": 5, "body": f"Posted review {n}.", "recommend": True,
        "name": "race", "email": "race@example.com",
    }  # fmt: skip


def race(
    port: int,
    tracked: dict[int, int],
    baseline: dict[int, int],
    *,
    reads_min: int = READS_MIN,
    writes_min: int = WRITES_MIN,
) -> dict[str, Any]:
    """Race readers and writers on ``tracked``'s products (product: its review with helpfulness
    1000, the most helpful) whose meta counts ``baseline`` reviews, until at least ``reads_min``
    reads and ``writes_min`` writes; fail on any error or stale read. Returns the outcome."""
    products = tuple(tracked)
    lock = threading.Lock()
    acked: dict[str, defaultdict[int, list[float]]] = {  # kind -> product -> ack times
        kind: defaultdict(list) for kind in ("post", "vote")
    }
    reads: list[tuple[float, str, int, int]] = []  # (started, kind, product, value seen)
    outcome: dict[str, Any] = {"reads": 0, "writes": 0, "errors": [], "passes": 0}
    stop = threading.Event()
    deadline = time.monotonic() + RACE_SECONDS_MAX

    def writer(number: int) -> None:
        n = number
        while not stop.is_set() and time.monotonic() < deadline:
            n += WRITERS
            product_id = products[n % len(products)]
            # Each write as another shopper (a vote counts once per client): from an address of
            # its own, which nginx names to the app.
            source = f"127.18.{n // 256 % 256}.{n % 256 or 1}"
            conn = http.client.HTTPConnection(
                "127.0.0.1", port, timeout=10, source_address=(source, 0)
            )
            headers: dict[str, str] = {}
            if n % 2:
                kind, method, path = "vote", "PUT", f"/reviews/{tracked[product_id]}/helpful"
                body = None
            else:
                kind, method, path = "post", "POST", "/reviews"
                body = json.dumps(post_body(product_id, n)).encode()
                headers["Content-Type"] = "application/json"
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            acknowledged = time.monotonic()
            conn.close()
            with lock:
                if response.status not in (201, 204):
                    outcome["errors"].append((method, path, response.status))
                    continue
                acked[kind][product_id].append(acknowledged)
                outcome["writes"] += 1
                if outcome["writes"] >= writes_min and outcome["reads"] >= reads_min:
                    stop.set()

    def reader(number: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        n = number
        while not stop.is_set() and time.monotonic() < deadline:
            n += READERS
            product_id = products[n % len(products)]
            kind = ("meta", "list", "detail")[n // len(products) % 3]
            path = {
                "meta": f"/reviews/meta?product_id={product_id}",
                "list": f"/reviews?product_id={product_id}&sort=helpful&count=1",
                "detail": f"/reviews/{tracked[product_id]}",
            }[kind]
            started = time.monotonic()
            conn.request("GET", path)
            response = conn.getresponse()
            document = json.loads(response.read())
            if response.status != 200:
                with lock:
                    outcome["errors"].append(("GET", path, response.status))
                continue
            if kind == "meta":
                value = sum(int(count) for count in document["ratings"].values())
            elif kind == "list":
                value = document["results"][0]["helpfulness"]
            else:
                value = document["helpfulness"]
            with lock:
                reads.append((started, kind, product_id, value))
                outcome["reads"] += 1
                outcome["passes"] += response.getheader("X-Cache") == "PASS"

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    threads += [threading.Thread(target=reader, args=(i,)) for i in range(READERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=RACE_SECONDS_MAX + 30)

    assert outcome["errors"] == []
    assert outcome["reads"] >= reads_min and outcome["writes"] >= writes_min, outcome
    for times in [*acked["post"].values(), *acked["vote"].values()]:
        times.sort()
    stale = []
    for started, kind, product_id, value in reads:
        if kind == "meta":
            expected = baseline[product_id] + bisect.bisect_left(acked["post"][product_id], started)
        else:
            expected = 1000 + bisect.bisect_left(acked["vote"][product_id], started)
        if value < expected:
            stale.append((kind, product_id, value, expected))
    assert stale == [], f"{len(stale)} stale reads, first: {stale[:5]}"
    # The race was there to be lost: misses that a write overtook were delivered, not stored.
    assert outcome["passes"] > 0
    return outcome
