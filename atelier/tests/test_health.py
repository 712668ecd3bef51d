"""GET /health answers 200 when the database answers, 503 (never 500) when it does not."""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from deploy.cluster_config import GUNICORN_CONF, REPO
from deploy.processes import UnixHTTPConnection


@pytest.mark.django_db
def test_health_is_ok_when_the_database_answers(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_accepts_a_trailing_slash_and_refuses_writes(client):
    assert client.get("/health/").status_code == 200
    assert client.post("/health").status_code == 405


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_health_is_503_with_retry_after_when_the_database_is_unreachable(tmp_path):
    sock_path = tmp_path / "app.sock"
    env = dict(
        os.environ,
        DATABASE_URL=f"postgres://nobody@127.0.0.1:{closed_port()}/nothing",
        GUNICORN_BIND=f"unix:{sock_path}",
        GUNICORN_WORKERS="1",
        DJANGO_LOG_LEVEL="CRITICAL",
    )
    app = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONF)],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            conn = UnixHTTPConnection(sock_path, timeout=5)
            try:
                conn.request("GET", "/health")
                response = conn.getresponse()
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.1)
        assert response.status == 503
        assert response.getheader("Retry-After") == "5"
        assert json.loads(response.read()) == {"status": "unavailable", "database": "unreachable"}
    finally:
        os.killpg(app.pid, signal.SIGTERM)
        app.wait(timeout=30)
