"""The client side of the HTTP cache tier (Varnish with xkey): purge tagged objects on every node.

A purge names the objects' tags (``xkey``) and a race key that the cache records with the time, so
that a miss already in flight when the purge arrived is not kept (deploy/varnish/atelier.vcl).
Right after a write commits, its purges go to every node this app server knows (``purger``); a
node that cannot be reached is logged, counted and left alone for ``SKIP_SECONDS``, never raised:
the write has committed, and the purge outbox (atelier.purges) delivers it again to every node,
in order and until the node answers.
"""

import http.client
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from atelier.metrics import CACHE_PURGE_SECONDS, CACHE_PURGES

logger = logging.getLogger(__name__)

# The race key of a purge that drops every object (a bulk load).
RACE_KEY_ALL = "all"


@dataclass
class PurgeCounts:
    delivered: int = 0
    failed: int = 0


counts = PurgeCounts()
_counts_lock = threading.Lock()


def _count(*, failed: bool) -> None:
    CACHE_PURGES.labels("failed" if failed else "delivered").inc()
    with _counts_lock:
        if failed:
            counts.failed += 1
        else:
            counts.delivered += 1


# After a node failed a purge, this app server sends it none for this long (the outbox does): a
# node cut off from the network costs each worker's writes one timeout a second, not one each.
SKIP_SECONDS = 1.0


class Node:
    """One cache node, with a keep-alive connection per thread."""

    def __init__(self, url: str, timeout: float):
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"a cache node is an http://host:port URL, not {url!r}")
        self.url, self.host, self.port = url, parts.hostname, parts.port or 80
        self.timeout = timeout
        self.skip_until = 0.0
        self._local = threading.local()

    def purge(self, headers: dict[str, str]) -> None:
        while True:
            connection = getattr(self._local, "connection", None)
            kept_alive = connection is not None
            if connection is None:
                connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                self._local.connection = connection
            try:
                connection.request("PURGE", "/", headers=headers)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                connection.close()
                self._local.connection = None
                if kept_alive:  # the node may have closed it meanwhile: once more, on a new one
                    continue
                raise
            if response.status != 200:
                raise http.client.HTTPException(f"{response.status} {response.reason}")
            return


def purge_headers(tags: Iterable[str], race_key: str, position: int | None) -> dict[str, str]:
    """A purge's headers: the tags (xkey), the race key, and the leader's WAL position after the
    write when known (it raises the node's read fence for replicas, atelier.db)."""
    headers = {"xkey": " ".join(tags), "X-Cache-Race": race_key}
    if position is not None:
        headers["X-Purge-LSN"] = str(position)
    return headers


class Purger:
    """Sends a write's purges to the nodes as soon as it has committed."""

    def __init__(self, nodes: Iterable[str], *, timeout: float):
        self.nodes = [Node(url, timeout) for url in nodes]

    def purge(self, *, tags: Iterable[str], race_key: str, position: int | None = None) -> None:
        """Purge ``tags`` on every node; ``position``, the leader's WAL position once the write
        committed, raises the node's read fence for replicas (atelier.db) when given."""
        if not self.nodes:
            return
        headers = purge_headers(tags, race_key, position)
        with CACHE_PURGE_SECONDS.time():
            self._send(headers)

    def _send(self, headers: dict[str, str]) -> None:
        for node in self.nodes:
            if node.skip_until > time.monotonic():
                _count(failed=True)
                continue
            try:
                node.purge(headers)
            except (OSError, http.client.HTTPException) as exc:
                node.skip_until = time.monotonic() + SKIP_SECONDS
                _count(failed=True)
                logger.warning(
                    "cache purge not delivered to %s (tags %s), left to the outbox: %s",
                    node.url, headers["xkey"], exc,
                )  # fmt: skip
            else:
                _count(failed=False)


_purger: Purger | None = None
_purger_lock = threading.Lock()


def purger() -> Purger:
    """The process's purger, built from the settings on first use."""
    global _purger
    with _purger_lock:
        if _purger is None:
            _purger = Purger(settings.CACHE_NODES, timeout=settings.CACHE_PURGE_TIMEOUT)
        return _purger


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs) -> None:
    global _purger
    if setting.startswith("CACHE_"):
        with _purger_lock:
            _purger = None
