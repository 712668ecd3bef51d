"""The client side of the HTTP cache tier (Varnish with xkey): purge tagged objects on every node.

A purge names the objects' tags (``xkey``) and a race key that the cache records with the time, so
that a miss already in flight when the purge arrived is not kept (deploy/varnish/atelier.vcl).
It goes to every configured node, and once more ``CACHE_REPURGE_SECONDS`` later, for an object the
first one raced with (docs/cache.md). A node that cannot be reached is logged and counted, never
raised: the write it follows has committed, and the objects' lifetime bounds what the lost purge
leaves stale.
"""

import heapq
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

from atelier.metrics import CACHE_PURGES

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


class _Node:
    """One cache node, with a keep-alive connection per thread."""

    def __init__(self, url: str, timeout: float):
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"a cache node is an http://host:port URL, not {url!r}")
        self.url, self.host, self.port = url, parts.hostname, parts.port or 80
        self.timeout = timeout
        self._local = threading.local()

    def purge(self, headers: dict[str, str]) -> None:
        for attempt in (1, 2):  # a kept-alive connection the node closed meanwhile: once more
            connection = getattr(self._local, "connection", None)
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
                if attempt == 2:
                    raise
                continue
            if response.status != 200:
                raise http.client.HTTPException(f"{response.status} {response.reason}")
            return


class Purger:
    """Sends purges to the nodes now, and again after ``repurge_after`` seconds."""

    def __init__(self, nodes: Iterable[str], *, timeout: float, repurge_after: float):
        self.nodes = [_Node(url, timeout) for url in nodes]
        self.repurge_after = repurge_after
        self._later: list[tuple[float, int, dict[str, str]]] = []
        self._wakeup = threading.Condition()
        self._sequence = 0
        self._thread: threading.Thread | None = None

    def purge(self, *, tags: Iterable[str], race_key: str, position: int | None = None) -> None:
        """Purge ``tags`` on every node; ``position``, the leader's WAL position once the write
        committed, raises the node's read fence for replicas (atelier.db) when given."""
        if not self.nodes:
            return
        headers = {"xkey": " ".join(tags), "X-Cache-Race": race_key}
        if position is not None:
            headers["X-Purge-LSN"] = str(position)
        self._send(headers)
        if self.repurge_after > 0:
            self._schedule(headers)

    def _send(self, headers: dict[str, str]) -> None:
        for node in self.nodes:
            try:
                node.purge(headers)
            except (OSError, http.client.HTTPException) as exc:
                _count(failed=True)
                logger.warning(
                    "cache purge not delivered to %s (tags %s): %s", node.url, headers["xkey"], exc
                )
            else:
                _count(failed=False)

    def _schedule(self, headers: dict[str, str]) -> None:
        with self._wakeup:
            self._sequence += 1
            due = time.monotonic() + self.repurge_after
            heapq.heappush(self._later, (due, self._sequence, headers))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._repurge_loop, name="cache-repurge", daemon=True
                )
                self._thread.start()
            self._wakeup.notify()

    def _repurge_loop(self) -> None:
        while True:
            with self._wakeup:
                while not self._later or self._later[0][0] > time.monotonic():
                    timeout = self._later[0][0] - time.monotonic() if self._later else None
                    self._wakeup.wait(timeout)
                _, _, headers = heapq.heappop(self._later)
            self._send(headers)


_purger: Purger | None = None
_purger_lock = threading.Lock()


def purger() -> Purger:
    """The process's purger, built from the settings on first use."""
    global _purger
    with _purger_lock:
        if _purger is None:
            _purger = Purger(
                settings.CACHE_NODES,
                timeout=settings.CACHE_PURGE_TIMEOUT,
                repurge_after=settings.CACHE_REPURGE_SECONDS,
            )
        return _purger


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs) -> None:
    global _purger
    if setting.startswith("CACHE_"):
        with _purger_lock:
            _purger = None
