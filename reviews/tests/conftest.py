"""Fixtures of the reviews tests: an API client, the fixture CSVs loaded into PostgreSQL, a
product catalog for API v2, and a cache node that records the purges it gets."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rest_framework.test import APIClient

from reviews.tests.csv_fixtures import fixture_csvs_load
from reviews.tests.v2_catalog import catalog_make


@pytest.fixture
def api():
    return APIClient(HTTP_HOST="localhost")


@pytest.fixture
def loaded(db):
    """The fixture CSVs, loaded with COPY in the test's transaction."""
    fixture_csvs_load()


@pytest.fixture
def catalog(db):
    """One product's 45 reviews of every kind, and a neighbour's (reviews.tests.v2_catalog)."""
    return catalog_make()


@pytest.fixture
def cache_node(settings):
    """An HTTP server that records the PURGE requests it gets; the app's only cache node."""
    purges: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_PURGE(self):
            purges.append({"xkey": self.headers["xkey"], "race": self.headers["X-Cache-Race"]})
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.CACHE_NODES = [f"http://127.0.0.1:{server.server_address[1]}"]
    yield purges
    server.shutdown()
    server.server_close()
