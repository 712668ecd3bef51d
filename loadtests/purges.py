"""Purge latency over N cache nodes: what keeping every node exact costs a write, and how soon the
purge outbox delivers.

    .venv/bin/python -m loadtests.purges [--nodes 1,3] [--posts 300]

For each node count, a cluster of its own (2 app servers, N cache nodes, the purge drainer) on a
database of its own (``purges``, demo data) on the embedded server. One client posts reviews one
after another through nginx; after each 201 it reads the product's meta from every node directly,
which must count the new review (a stale read is reported, and fails the run). Printed per node
count: the posts' latency (p50, p99), the app servers' time to send one purge to every node
(``atelier_cache_purge_seconds``), and the outbox's delivery of each purge to each node, from the
write (``atelier_purge_delivery_seconds``: the 2 s repurge delay included). All on loopback, on
the machine's shared cores: compare the rows of one run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

REPO = Path(__file__).resolve().parent.parent
DATABASE = "purges"
PRODUCTS = 100


def manage(*args: str) -> None:
    env = dict(os.environ, ATELIER_DB_NAME=DATABASE)
    command = [sys.executable, str(REPO / "manage.py"), *args]
    subprocess.run(command, env=env, cwd=REPO, check=True, stdout=subprocess.DEVNULL)


def scrape(connection: http.client.HTTPConnection) -> dict[str, float]:
    """Sums and counts of the histograms in one /metrics answer."""
    connection.request("GET", "/metrics")
    text = connection.getresponse().read().decode()
    connection.close()
    values: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name.endswith(("_sum", "_count")) or sample.name.endswith("_bucket"):
                key = sample.name
                if sample.name.endswith("_bucket"):
                    key += f"{{le={sample.labels['le']}}}"
                values[key] = values.get(key, 0.0) + sample.value
    return values


def run(nodes: int, posts: int) -> dict[str, float | int]:
    from deploy.cluster import Cluster
    from deploy.cluster_config import Settings
    from deploy.processes import UnixHTTPConnection, free_port

    cluster = Cluster(REPO / ".data" / f"purges-{nodes}")
    cluster.port = free_port()
    cluster.start(
        Settings(
            apps=2, port=cluster.port, workers=1, database=DATABASE, limits=False,
            cache_nodes=nodes,
        ),
        prepare=False,
    )  # fmt: skip
    latencies, stale = [], 0
    try:
        conn = http.client.HTTPConnection("127.0.0.1", cluster.port, timeout=10)
        for n in range(posts):
            product = n % PRODUCTS + 1
            path = f"/reviews/meta?product_id={product}"
            counts = []
            for node in range(1, nodes + 1):  # cached on every node before the write
                counts.append(node_count(cluster, node, path, UnixHTTPConnection))
            body = json.dumps({
                "product_id": product, "rating": 5, "recommend": True, "name": "purge",
                "email": "purge@example.com", "body": f"purge latency, post {n}",
            }).encode()  # fmt: skip
            started = time.perf_counter()
            conn.request(
                "POST", "/reviews", body=body, headers={"Content-Type": "application/json"}
            )
            response = conn.getresponse()
            response.read()
            latencies.append(time.perf_counter() - started)
            assert response.status == 201, response.status
            for node in range(1, nodes + 1):
                stale += node_count(cluster, node, path, UnixHTTPConnection) != max(counts) + 1
        time.sleep(4)  # the outbox's second purges are due 2 s after each write
        app: dict[str, float] = {}
        for index in (1, 2):
            for key, value in scrape(
                UnixHTTPConnection(cluster.socket_path(index), timeout=10)
            ).items():
                app[key] = app.get(key, 0.0) + value
        port = cluster.purger_metrics_port()
        outbox = scrape(http.client.HTTPConnection("127.0.0.1", port, timeout=10))
    finally:
        cluster.stop()
    latencies.sort()
    delivered = outbox.get("atelier_purge_delivery_seconds_count", 0.0)
    return {
        "nodes": nodes,
        "posts": posts,
        "post_p50_ms": statistics.median(latencies) * 1000,
        "post_p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "purge_mean_ms": 1000
        * app["atelier_cache_purge_seconds_sum"]
        / max(app["atelier_cache_purge_seconds_count"], 1),
        "purges_sent": int(app["atelier_cache_purge_seconds_count"]),
        "outbox_delivered": int(delivered),
        "outbox_mean_s": outbox.get("atelier_purge_delivery_seconds_sum", 0.0) / max(delivered, 1),
        "outbox_within_2_5_s": outbox.get("atelier_purge_delivery_seconds_bucket{le=2.5}", 0.0)
        / max(delivered, 1),
        "stale_reads": stale,
    }


def node_count(cluster, node: int, path: str, connection_class) -> int:
    """The reviews counted by ``path``'s meta, read from cache node ``node`` itself."""
    conn = connection_class(cluster.cache_socket(node), timeout=10)
    try:
        conn.request("GET", path, headers={"Host": "localhost"})
        meta = json.loads(conn.getresponse().read())
    finally:
        conn.close()
    return sum(int(count) for count in meta["ratings"].values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", default="1,3", type=lambda s: [int(n) for n in s.split(",")])
    parser.add_argument("--posts", type=int, default=300)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atelier.settings")
    os.environ["ATELIER_DB_NAME"] = DATABASE
    from deploy.cluster_database import database_start, database_stop

    started = database_start(DATABASE)
    try:
        manage("migrate", "--noinput")
        manage("demo_data", "--products", str(PRODUCTS))
        rows = [run(nodes, args.posts) for nodes in args.nodes]
    finally:
        if started:
            database_stop()
    print(
        "| cache nodes | posts | post p50 ms | post p99 ms | one purge to every node, mean ms"
        " | outbox deliveries | outbox: write to delivery, mean s | within 2.5 s | stale reads |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['nodes']} | {r['posts']} | {r['post_p50_ms']:.1f} | {r['post_p99_ms']:.1f} | "
            f"{r['purge_mean_ms']:.2f} | {r['outbox_delivered']:,} | {r['outbox_mean_s']:.2f} | "
            f"{r['outbox_within_2_5_s']:.0%} | {r['stale_reads']} |"
        )
    return 1 if any(r["stale_reads"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
