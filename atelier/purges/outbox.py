"""The purge outbox: what a write owes each cache node, recorded in the write's own transaction and
delivered in order, with retries, by ``manage.py purge_drain``.

A write's purges go out twice. Right after its commit the app server sends them to its nodes
(atelier.httpcache), so that the write's answer follows its purge; a node that cannot be reached
then is skipped. The outbox sends each once more, ``CACHE_REPURGE_SECONDS`` after the write (for
a miss the first purge raced with, docs/cache.md), to each registered node in the order of the
writes. A node that was unreachable gets every purge it missed as soon as it answers again; one
that fell more than ``BACKLOG_MAX`` purges behind is emptied instead (replaying them would take
longer than the node takes to refill: about 0.3 ms a purge). So a lost purge leaves an
object stale until its node is reachable again, not for the object's lifetime, and a write from
any shell (a load, a refresh) purges the caches of a running topology.
"""

from __future__ import annotations

import http.client
import logging
import threading
from collections.abc import Iterable

from django.conf import settings
from django.db import DatabaseError, connection, transaction

from atelier.db import purge_position
from atelier.httpcache import RACE_KEY_ALL, Node, purge_headers
from atelier.metrics import PURGE_BACKLOG, PURGE_DELIVERY, PURGE_DRAINED, PURGE_LAG

logger = logging.getLogger(__name__)

# Purges fetched and sent per round; a node behind by more than BACKLOG_MAX is emptied instead.
BATCH = 500
BACKLOG_MAX = 2_000
# How often a node with nothing due is looked at, and how soon an unreachable one is tried again.
POLL_SECONDS = 0.2
RETRY_SECONDS = 0.25

RECORD = """
    INSERT INTO pending_purges (node, tags, race_key)
    SELECT nodes.url, purges.tags, purges.race_key
    FROM purge_nodes AS nodes, unnest(%s::text[], %s::text[]) AS purges(tags, race_key)
"""
LOCK_NODE = "SELECT 1 FROM purge_nodes WHERE url = %s FOR NO KEY UPDATE SKIP LOCKED"
DUE = """
    SELECT id, tags, race_key, extract(epoch FROM clock_timestamp() - created)::float8
    FROM pending_purges
    WHERE node = %s AND created <= clock_timestamp() - make_interval(secs => %s)
    ORDER BY id
    LIMIT %s
"""
BEHIND = "SELECT count(*) > %s FROM (SELECT FROM pending_purges WHERE node = %s LIMIT %s + 1) AS n"
BACKLOG = """
    SELECT nodes.url, count(pending.id),
           coalesce(extract(epoch FROM clock_timestamp() - min(pending.created)), 0)::float8
    FROM purge_nodes AS nodes LEFT JOIN pending_purges AS pending ON pending.node = nodes.url
    GROUP BY nodes.url
"""


def record(purges: Iterable[tuple[list[str], str]]) -> None:
    """Owe every registered node ``purges`` (tags and race key each), in the current transaction:
    they are owed exactly when the write commits."""
    purges = list(purges)
    if not purges:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            RECORD, [[" ".join(tags) for tags, _ in purges], [race for _, race in purges]]
        )


def record_everything() -> None:
    """Owe every registered node the drop of every object (a bulk load)."""
    record([([], RACE_KEY_ALL)])


def register(urls: Iterable[str]) -> None:
    """Make ``urls`` the nodes writes owe purges to; a node no longer listed is owed nothing."""
    urls = sorted(set(urls))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM purge_nodes WHERE url <> ALL(%s::text[])", [urls])
        cursor.execute("DELETE FROM pending_purges WHERE node <> ALL(%s::text[])", [urls])
        ensure_registered(urls)


def ensure_registered(urls: Iterable[str]) -> None:
    """Register ``urls`` if they are not (a database restored or truncated meanwhile)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO purge_nodes (url) SELECT unnest(%s::text[]) ON CONFLICT DO NOTHING",
            [sorted(set(urls))],
        )


def backlog() -> list[tuple[str, int, float]]:
    """Each registered node, its undelivered purges and the age of the oldest, in seconds."""
    with connection.cursor() as cursor:
        cursor.execute(BACKLOG)
        return cursor.fetchall()


class NodeDrainer:
    """Delivers one node's purges in order, in a thread of its own (each with its own database
    connection), so that a node that is cut off delays no other."""

    def __init__(self, url: str, *, delay: float, timeout: float):
        self.node = Node(url, timeout)
        self.delay = delay

    def drain_once(self) -> tuple[int, bool]:
        """Deliver what is due; (purges delivered, whether the node answered)."""
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(LOCK_NODE, [self.node.url])
            if cursor.fetchone() is None:  # another drainer has it, or it is no longer listed
                return 0, True
            cursor.execute(DUE, [self.node.url, self.delay, BATCH])
            due = cursor.fetchall()
            if not due:
                return 0, True
            position = purge_position()
            if len(due) == BATCH:
                cursor.execute(BEHIND, [BACKLOG_MAX, self.node.url, BACKLOG_MAX])
                if cursor.fetchone()[0]:
                    return self._empty(cursor, position)
            delivered: list[int] = []
            answered = True
            for purge_id, tags, race_key, age in due:
                if not self._send(purge_headers(tags.split(), race_key, position)):
                    answered = False
                    break
                delivered.append(purge_id)
                PURGE_DELIVERY.observe(age)
            cursor.execute("DELETE FROM pending_purges WHERE id = ANY(%s)", [delivered])
        PURGE_DRAINED.labels(self.node.url, "delivered").inc(len(delivered))
        return len(delivered), answered

    def _empty(self, cursor, position: int | None) -> tuple[int, bool]:
        """The node is too far behind to replay: drop every object it holds, then forget what it
        was owed until now (anything owed from now on is delivered as usual)."""
        if not self._send(purge_headers([], RACE_KEY_ALL, position)):
            return 0, False
        cursor.execute(
            "DELETE FROM pending_purges WHERE node = %s AND created <= clock_timestamp()"
            " RETURNING 1",
            [self.node.url],
        )
        dropped = len(cursor.fetchall())
        logger.warning("cache node %s was %d purges behind: emptied it", self.node.url, dropped)
        PURGE_DRAINED.labels(self.node.url, "emptied").inc(dropped)
        return dropped, True

    def _send(self, headers: dict[str, str]) -> bool:
        """One purge to the node; False (logged) when it cannot be reached."""
        try:
            self.node.purge(headers)
        except (OSError, http.client.HTTPException) as exc:
            logger.warning("cache node %s unreachable, will retry: %s", self.node.url, exc)
            return False
        return True

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                delivered, answered = self.drain_once()
            except DatabaseError as exc:  # the database is away (a failover): try again soon
                logger.warning("purge outbox unreachable: %s", exc)
                connection.close()
                delivered, answered = 0, False
            if not answered:
                stop.wait(RETRY_SECONDS)
            elif delivered < BATCH:
                stop.wait(POLL_SECONDS)
        connection.close()


def drain(urls: list[str], stop: threading.Event, *, report_every: float = 5.0) -> None:
    """Register ``urls`` and deliver their purges until ``stop`` is set, reporting each node's
    backlog (atelier_purge_backlog) every ``report_every`` seconds."""
    register(urls)
    threads = [
        threading.Thread(
            target=NodeDrainer(
                url, delay=settings.CACHE_REPURGE_SECONDS, timeout=settings.CACHE_PURGE_TIMEOUT
            ).run,
            args=(stop,),
            name=f"drain {url}",
            daemon=True,
        )
        for url in urls
    ]
    for thread in threads:
        thread.start()
    while not stop.is_set():
        try:
            ensure_registered(urls)
            for url, count, age in backlog():
                PURGE_BACKLOG.labels(url).set(count)
                if count == 0:
                    PURGE_LAG.labels(url).set(0)
                else:
                    PURGE_LAG.labels(url).set(max(age - settings.CACHE_REPURGE_SECONDS, 0))
        except DatabaseError as exc:
            logger.warning("purge backlog unknown: %s", exc)
            connection.close()
        stop.wait(report_every)
    for thread in threads:
        thread.join(timeout=5)
