"""Prometheus metrics of an app server at /metrics, for the scraper that reaches app servers
directly (nginx refuses /metrics to everyone else).

Requests by route, method and status, and their latency, come from django-prometheus'
middleware; what only this service knows is counted here. Under gunicorn every worker writes its
numbers into PROMETHEUS_MULTIPROC_DIR (set by deploy/gunicorn.conf.py) and /metrics adds them up.
The HTTP cache's hits, misses and passes are Varnish's own counters, read with varnishstat when
ATELIER_CACHE_VARNISH_NAME names a Varnish instance on this machine (the local cluster sets it).
"""

import json
import logging
import os
import subprocess

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
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

# Varnish's counters, as atelier_cache_<name>_total.
VARNISH_COUNTERS = {
    "MAIN.cache_hit": ("hits", "Requests the HTTP cache answered from memory."),
    "MAIN.cache_miss": ("misses", "Requests the HTTP cache fetched from an app server."),
    "MAIN.s_pass": ("passes", "Requests the HTTP cache passed to an app server uncached."),
    "MAIN.n_expired": ("expired", "Objects that reached their maximum lifetime."),
    "MAIN.n_lru_nuked": ("evicted", "Objects evicted to make room (least recently used)."),
}


class VarnishCollector:
    """The cache's counters from ``varnishstat -j`` at each scrape; nothing when it fails."""

    def __init__(self, name: str):
        self.name = name

    def collect(self):
        fields = [arg for counter in VARNISH_COUNTERS for arg in ("-f", counter)]
        try:
            run = subprocess.run(
                ["varnishstat", "-n", self.name, "-1", "-j", *fields],
                capture_output=True,
                text=True,
                timeout=5,
                check=True,
            )
            counters = json.loads(run.stdout)
            counters = counters.get("counters", counters)  # the JSON of Varnish 6.5 and later
        except (OSError, subprocess.SubprocessError, ValueError) as error:
            logger.warning("cache counters unavailable (varnishstat -n %s): %s", self.name, error)
            return
        for key, (name, documentation) in VARNISH_COUNTERS.items():
            if key in counters:
                family = CounterMetricFamily(f"atelier_cache_{name}", documentation)
                family.add_metric([], counters[key]["value"])
                yield family


def metrics(request: HttpRequest) -> HttpResponse:
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    body = generate_latest(registry)
    if settings.CACHE_VARNISH_NAME:
        cache = CollectorRegistry()
        cache.register(VarnishCollector(settings.CACHE_VARNISH_NAME))
        body += generate_latest(cache)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
