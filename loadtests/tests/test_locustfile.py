"""The locustfile's verdict: a run fails on any 5xx (and on an error rate over 0.1%)."""

import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from loadtests.bench import REPO, locust_argv


def run_locust(host: str, out: Path, *args: str) -> subprocess.CompletedProcess:
    """A 3-second run of the real locustfile by 4 users."""
    argv = locust_argv(host, 4, 3, out / "run", *args)
    return subprocess.run(argv, capture_output=True, text=True, cwd=REPO, timeout=60)


class AlwaysUnavailable(BaseHTTPRequestHandler):
    def do_any(self):
        self.send_response(503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_PUT = do_any

    def log_message(self, *args):
        pass


@pytest.fixture
def failing_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), AlwaysUnavailable)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.slow
def test_a_load_test_run_fails_on_server_errors_and_writes_its_reports(failing_server, tmp_path):
    result = run_locust(failing_server, tmp_path, "--product-max", "50")
    assert result.returncode == 1
    assert "server errors (5xx)" in result.stdout + result.stderr
    assert (tmp_path / "run_stats.csv").exists() and (tmp_path / "run.html").exists()
