"""With SENTRY_DSN set, errors are reported to Sentry (here, a local HTTP server standing in for
its ingest endpoint); without it, sentry-sdk is not even started."""

import gzip
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
REPORT = """
import logging, django
django.setup()
import sentry_sdk
logging.getLogger("reviews").error("boom from the test")
sentry_sdk.flush(timeout=10)
print("client" if sentry_sdk.get_client().is_active() else "no client")
"""


def run(env: dict[str, str]) -> str:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "atelier.settings", **env}
    done = subprocess.run(
        [sys.executable, "-c", REPORT], cwd=REPO, env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def decoded(body: bytes, encoding: str | None) -> bytes:
    """sentry-sdk compresses with Brotli when it is installed, with gzip otherwise."""
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "br":
        import brotli

        return brotli.decompress(body)
    return body


def test_errors_reach_sentry_when_a_dsn_is_set():
    received: list[tuple[str, bytes]] = []

    class Ingest(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, decoded(body, self.headers.get("Content-Encoding"))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Ingest)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        dsn = f"http://publickey@127.0.0.1:{server.server_port}/42"
        assert run({"SENTRY_DSN": dsn}) == "client"
    finally:
        server.shutdown()
    assert any(
        path.startswith("/api/42/envelope/") and b"boom from the test" in body
        for path, body in received
    ), received


def test_without_a_dsn_nothing_is_reported():
    assert run({"SENTRY_DSN": ""}) == "no client"
