"""Three cache nodes behind nginx, kept exact by the purge outbox: a write is fresh on every node at
once; a node that missed purges (hung, then back) catches up by itself, long before its objects'
lifetime; and a write from an operator's shell, which knows no cache node, purges them all."""

import json
import time

import pytest
from django.db import connection

from atelier.purges import outbox
from deploy.processes import UnixHTTPConnection
from deploy.tests.clusters import cluster_on_test_database
from reviews import services
from reviews.tests.factories import review_make

pytestmark = pytest.mark.cluster

NODES = 3
PRODUCT = 5150
CATCH_UP_SECONDS_MAX = 20  # far below the objects' 600 s lifetime


@pytest.fixture(scope="module")
def three_nodes(django_db_setup, django_db_blocker, tmp_path_factory):
    with cluster_on_test_database(
        tmp_path_factory, "cache-nodes", apps=2, workers=1, limits=False, cache_nodes=NODES
    ) as running:
        yield running


def node_read(cluster, index: int, path: str) -> tuple[str | None, dict]:
    """GET ``path`` from cache node ``index`` itself: (its X-Cache, the document)."""
    conn = UnixHTTPConnection(cluster.cache_socket(index), timeout=10)
    try:
        conn.request("GET", path, headers={"Host": "localhost"})
        response = conn.getresponse()
        body = response.read()
        assert response.status == 200, body
        return response.getheader("X-Cache"), json.loads(body)
    finally:
        conn.close()


def reviews_counted(cluster, index: int) -> tuple[str | None, int]:
    cache, meta = node_read(cluster, index, f"/reviews/meta?product_id={PRODUCT}")
    return cache, sum(int(count) for count in meta["ratings"].values())


def post(n: int) -> None:
    """A review written from this process, as an operator's shell would: it knows no cache node,
    only the database."""
    services.review_create(
        product_id=PRODUCT, rating=4, summary="Solid", body=f"Written from a shell, number {n}.",
        recommend=True, reviewer_name="shell", reviewer_email="shell@example.com",
    )  # fmt: skip


def wait_counted(cluster, index: int, expected: int) -> float:
    """Seconds until node ``index`` counts ``expected`` reviews (fails past the bound)."""
    started = time.monotonic()
    while reviews_counted(cluster, index)[1] != expected:
        assert time.monotonic() - started < CATCH_UP_SECONDS_MAX, f"cache{index} still stale"
        time.sleep(0.1)
    return time.monotonic() - started


@pytest.mark.django_db(transaction=True)
def test_every_cache_node_is_kept_exact_by_the_outbox(three_nodes, settings):
    cluster = three_nodes
    outbox.register(cluster.cache_nodes())  # the test database was truncated before this test
    settings.CACHE_NODES = []  # this process purges nothing itself: only the outbox does
    review_make(product_id=PRODUCT)
    for index in range(1, NODES + 1):
        reviews_counted(cluster, index)
        assert reviews_counted(cluster, index) == ("HIT", 1)

    # A write from a shell: every node is purged by the outbox, without any app server.
    post(1)
    for index in range(1, NODES + 1):
        wait_counted(cluster, index, 2)
        assert reviews_counted(cluster, index) == ("HIT", 2)

    # Node 3 hangs: the writes meanwhile cannot reach it, and it keeps serving what it had.
    cluster.pause_cache(True, index=3)
    try:
        for n in (2, 3):
            post(n)
        for index in (1, 2):
            wait_counted(cluster, index, 4)
        time.sleep(1)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pending_purges WHERE node = %s", [cluster.cache_node(3)]
            )
            assert cursor.fetchone()[0] >= 2  # owed to node 3, kept
    finally:
        cluster.pause_cache(False, index=3)
    # Back: it gets every purge it missed, by itself, and the outbox empties.
    wait_counted(cluster, 3, 4)
    deadline = time.monotonic() + CATCH_UP_SECONDS_MAX
    while any(count for _, count, _ in outbox.backlog()):
        assert time.monotonic() < deadline, outbox.backlog()
        time.sleep(0.2)
