"""Prometheus metrics of an app server at /metrics, for the scraper that reaches app servers
directly (nginx refuses /metrics to everyone else).

Requests by route, method and status, and their latency, come from django-prometheus'
middleware; what only this service knows is counted here. Under gunicorn every worker writes its
numbers into PROMETHEUS_MULTIPROC_DIR (set by deploy/gunicorn.conf.py) and /metrics adds them up.
The HTTP cache's hits, misses and passes are Varnish's own counters, reported once for the whole
topology by the purge drainer (`manage.py purge_drain --varnish ...`, its own /metrics), with the
purge outbox's backlog.
"""

import json
import logging
import os
import subprocess

from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily

logger = logging.getLogger(__name__)

DATABASE_UNAVAILABLE = Counter(
    "atelier_database_unavailable_total",
    "Requests answered 503 because the database could not be reached.",
)
REPLICA_READS = Counter(
    "atelier_replica_reads_total",
    "Public reads with a fence (through the cache, replicas configured), by where they went:"
    " the replica, or the leader when the replica had not replayed past the fence.",
    ["target"],
)
RATE_LIMIT_REFUSALS = Counter(
    "atelier_rate_limit_refusals_total", "Requests refused past a rate limit.", ["policy"]
)
RATE_LIMIT_UNCHECKED = Counter(
    "atelier_rate_limit_unchecked_total",
    "Requests let through unchecked because the rate-limit counters could not be reached.",
    ["policy"],
)
CACHE_PURGES = Counter(
    "atelier_cache_purges_total",
    "Purges sent to HTTP cache nodes: delivered, or failed (logged; objects expire).",
    ["outcome"],
)
CACHE_PURGE_SECONDS = Histogram(
    "atelier_cache_purge_seconds",
    "Sending one purge to every cache node right after a write.",
    buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)

# The purge outbox's, from `manage.py purge_drain` (its own /metrics, atelier.purges.outbox).
PURGE_BACKLOG = Gauge(
    "atelier_purge_backlog", "Purges a cache node is owed and has not been delivered.", ["node"]
)
PURGE_LAG = Gauge(
    "atelier_purge_lag_seconds",
    "How long the oldest purge a cache node is owed has been due (0: caught up).",
    ["node"],
)
PURGE_DELIVERY = Histogram(
    "atelier_purge_delivery_seconds",
    "From a write to the outbox's delivery of one of its purges to a node (the repurge delay"
    " included).",
    buckets=(1.0, 2.0, 2.25, 2.5, 3.0, 4.0, 5.0, 10.0, 30.0, 60.0, 120.0, 600.0),
)
PURGE_DRAINED = Counter(
    "atelier_purges_drained_total",
    "Purges the outbox settled per cache node: delivered, or dropped with every object when the"
    " node was too far behind (emptied).",
    ["node", "outcome"],
)

# Varnish's counters, as atelier_cache_<name>_total.
VARNISH_COUNTERS = {
    "MAIN.cache_hit": ("hits", "Requests the HTTP cache answered from memory."),
    "MAIN.cache_miss": ("misses", "Requests the HTTP cache fetched from an app server."),
    "MAIN.s_pass": ("passes", "Requests the HTTP cache passed to an app server uncached."),
    "MAIN.n_expired": ("expired", "Objects that reached their maximum lifetime."),
    "MAIN.n_lru_nuked": ("evicted", "Objects evicted to make room (least recently used)."),
}


class VarnishCollector:
    """Cache nodes' counters from ``varnishstat -j`` at each scrape, labelled by node (the
    Varnish instance's working folder name); a node that cannot be read is left out."""

    def __init__(self, names: list[str]):
        self.names = names

    def collect(self):
        families = {
            key: CounterMetricFamily(f"atelier_cache_{name}", documentation, labels=["node"])
            for key, (name, documentation) in VARNISH_COUNTERS.items()
        }
        fields = [arg for counter in VARNISH_COUNTERS for arg in ("-f", counter)]
        for name in self.names:
            try:
                run = subprocess.run(
                    ["varnishstat", "-n", name, "-1", "-j", *fields],
                    capture_output=True,
                    text=True,
                    timeout=5,
                    check=True,
                )
                counters = json.loads(run.stdout)
                counters = counters.get("counters", counters)  # Varnish 6.5 and later
            except (OSError, subprocess.SubprocessError, ValueError) as error:
                logger.warning("cache counters unavailable (varnishstat -n %s): %s", name, error)
                continue
            for key, family in families.items():
                if key in counters:
                    family.add_metric([os.path.basename(name)], counters[key]["value"])
        yield from families.values()


class ScrapeMiddleware:
    """Answers GET /metrics before anything reads the request's Host: a scraper reaches each app
    server by its address (a container's IP, say), which no ALLOWED_HOSTS names, and nginx never
    lets the public ask (deploy/nginx/atelier-proxy.conf)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info in ("/metrics", "/metrics/") and request.method in ("GET", "HEAD"):
            return metrics(request)
        return self.get_response(request)


def metrics(request: HttpRequest) -> HttpResponse:
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
