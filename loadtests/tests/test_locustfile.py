"""The locustfile's verdict: a run fails on any 5xx (and on an error rate over 0.1%)."""

import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LOCUST = Path(sys.executable).parent / "locust"


def run_locust(host: str, out: Path, *args: str) -> subprocess.CompletedProcess:
    """A short headless run of the real locustfile, with its CSV and HTML reports in ``out``."""
    return subprocess.run(
        [str(LOCUST), "--config", str(REPO / "loadtests" / "locust.conf"), "--host", host,
         "--users", "4", "--spawn-rate", "4", "--run-time", "3s",
         "--csv", str(out / "run"), "--html", str(out / "run.html"), *args],
        capture_output=True, text=True, cwd=REPO, timeout=60,
    )  # fmt: skip


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


def test_a_load_test_run_fails_on_server_errors_and_writes_its_reports(failing_server, tmp_path):
    result = run_locust(failing_server, tmp_path, "--product-max", "50")
    assert result.returncode == 1
    assert "server errors (5xx)" in result.stdout + result.stderr
    assert (tmp_path / "run_stats.csv").exists() and (tmp_path / "run.html").exists()
