import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from prometheus_client import REGISTRY, start_http_server

from atelier.metrics import VarnishCollector
from atelier.purges.outbox import drain


class Command(BaseCommand):
    help = (
        "Register the cache nodes writes owe purges to (--nodes, else ATELIER_CACHE_NODES) and"
        " deliver the purge outbox to each, in order, until stopped (SIGTERM)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--nodes", nargs="+", help="http://host:port of each cache node")
        parser.add_argument(
            "--metrics-port", type=int, help="serve this process's /metrics on this port"
        )
        parser.add_argument("--metrics-address", default="127.0.0.1")
        parser.add_argument(
            "--varnish",
            nargs="+",
            default=[],
            help="working folders (varnishd -n) of cache nodes on this machine: their counters"
            " go in /metrics",
        )

    def handle(self, *args, nodes, metrics_port, metrics_address, varnish, **options):
        nodes = nodes or settings.CACHE_NODES
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        if varnish:
            REGISTRY.register(VarnishCollector(varnish))
        if metrics_port:
            start_http_server(metrics_port, addr=metrics_address)
        self.stdout.write(f"draining the purge outbox to {', '.join(nodes) or 'no node'}")
        self.stdout.flush()
        drain(nodes, stop)
