"""The purge outbox (atelier.purges): a write owes its purges to every registered cache node from
its own transaction, and the drainer delivers them to each node in order, keeps them while the
node cannot be reached, and empties a node too far behind."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection, transaction

from atelier.httpcache import RACE_KEY_ALL
from atelier.purges import outbox
from atelier.purges.outbox import NodeDrainer
from deploy.processes import free_port
from reviews import services
from reviews.tests.factories import review_make

pytestmark = pytest.mark.django_db


class RecordingNode:
    """An HTTP server on a fixed port that records the purges it gets; it can go away and come
    back on the same port."""

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.purges: list[tuple[str, str]] = []
        self.server: ThreadingHTTPServer | None = None

    def up(self) -> None:
        purges = self.purges

        class Handler(BaseHTTPRequestHandler):
            def do_PURGE(self):
                purges.append((self.headers["xkey"], self.headers["X-Cache-Race"]))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.allow_reuse_address = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def down(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture
def nodes():
    made = [RecordingNode(), RecordingNode()]
    for node in made:
        node.up()
    outbox.register([node.url for node in made])
    yield made
    for node in made:
        node.down()


def pending(node: str) -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tags, race_key FROM pending_purges WHERE node = %s ORDER BY id", [node]
        )
        return cursor.fetchall()


def drainer(node: RecordingNode) -> NodeDrainer:
    return NodeDrainer(node.url, delay=0, timeout=1)


def test_a_write_owes_its_purges_to_every_node_with_its_own_commit(nodes):
    review = review_make(product_id=7)
    with transaction.atomic():
        services.review_mark_helpful(review_id=review.id, voter="shopper-1")
    owed = [(f"v7 a7 r{review.id}", "7")]
    assert pending(nodes[0].url) == owed and pending(nodes[1].url) == owed
    with pytest.raises(RuntimeError), transaction.atomic():
        services.review_mark_helpful(review_id=review.id, voter="shopper-2")
        raise RuntimeError("the write fails after its purge was recorded")
    assert pending(nodes[0].url) == owed  # the rolled-back write owes nothing


def test_each_node_gets_its_purges_in_order_and_they_are_settled(nodes):
    outbox.record([(["c1"], "c1"), (["l1", "r5"], "1"), ([], RACE_KEY_ALL)])
    assert drainer(nodes[0]).drain_once() == (3, True)
    assert nodes[0].purges == [("c1", "c1"), ("l1 r5", "1"), ("", RACE_KEY_ALL)]
    assert pending(nodes[0].url) == [] and len(pending(nodes[1].url)) == 3


def test_a_purge_is_not_due_before_the_repurge_delay(nodes):
    outbox.record([(["c1"], "c1")])
    assert NodeDrainer(nodes[0].url, delay=60, timeout=1).drain_once() == (0, True)
    assert nodes[0].purges == [] and len(pending(nodes[0].url)) == 1


def test_a_node_that_was_unreachable_gets_every_purge_it_missed_in_order(nodes):
    cut, other = nodes
    cut.down()
    for n in range(5):
        outbox.record([([f"c{n}"], f"c{n}")])
    assert drainer(cut).drain_once() == (0, False)
    assert len(pending(cut.url)) == 5  # kept
    assert drainer(other).drain_once() == (5, True)  # the other node is not held up
    cut.up()
    assert drainer(cut).drain_once() == (5, True)
    assert cut.purges == [(f"c{n}", f"c{n}") for n in range(5)]
    assert pending(cut.url) == []


def test_a_node_too_far_behind_is_emptied_instead(nodes, monkeypatch):
    monkeypatch.setattr(outbox, "BATCH", 3)
    monkeypatch.setattr(outbox, "BACKLOG_MAX", 5)
    outbox.record([([f"r{n}"], "1") for n in range(8)])
    assert drainer(nodes[0]).drain_once() == (8, True)
    assert nodes[0].purges == [("", RACE_KEY_ALL)]
    assert pending(nodes[0].url) == []
    outbox.record([(["r9"], "1")])  # owed after the emptying: delivered as usual
    assert drainer(nodes[0]).drain_once() == (1, True)
    assert nodes[0].purges[-1] == ("r9", "1")


def test_registering_drops_what_a_node_no_longer_listed_is_owed(nodes):
    outbox.record([(["c1"], "c1")])
    outbox.register([nodes[1].url])
    assert pending(nodes[0].url) == [] and pending(nodes[1].url) == [("c1", "c1")]
    outbox.record([(["c2"], "c2")])
    assert pending(nodes[0].url) == []


def test_the_backlog_names_each_node_and_its_oldest_purge(nodes):
    outbox.record([(["c1"], "c1"), (["c2"], "c2")])
    drainer(nodes[0]).drain_once()
    backlog = {url: (count, age) for url, count, age in outbox.backlog()}
    assert backlog[nodes[0].url] == (0, 0)
    assert backlog[nodes[1].url][0] == 2 and backlog[nodes[1].url][1] >= 0
