"""The local cluster: two app servers behind nginx, and what a client sees when one of them dies."""

import http.client
import socket
import threading
import time
from dataclasses import dataclass

import pytest

from deploy.cluster import Cluster, Settings

CLIENTS = 4
MAX_REQUESTS_PER_CLIENT = 5000  # a bound, far above what the few seconds of traffic send


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(django_db_setup, django_db_blocker, tmp_path_factory):
    """Two app servers (one worker each) behind nginx, on the test database."""
    from django.db import connection

    running = Cluster(tmp_path_factory.mktemp("cluster"))
    running.port = free_port()
    database = connection.settings_dict["NAME"]
    running.start(Settings(apps=2, port=running.port, workers=1, database=database), prepare=False)
    yield running
    running.stop()


@dataclass
class Outcome:
    method: str
    path: str
    status: int | None  # None: the client saw no HTTP answer at all
    location: str | None = None


def send_traffic(port: int, requests, stop: threading.Event, outcomes: list[Outcome]) -> None:
    """One client on a keep-alive connection through nginx, until ``stop`` (or the bound)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for number in range(MAX_REQUESTS_PER_CLIENT):
        if stop.is_set():
            break
        method, path, body = requests(number)
        try:
            headers = {"Content-Type": "application/json"} if body else {}
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            outcomes.append(Outcome(method, path, response.status, response.getheader("Location")))
        except (OSError, http.client.HTTPException):
            outcomes.append(Outcome(method, path, None))
            conn.close()
    conn.close()


def traffic_while(port: int, requests, fault) -> list[Outcome]:
    """Run CLIENTS clients, call ``fault()`` while they run, and return every outcome."""
    stop, outcomes = threading.Event(), []
    clients = [
        threading.Thread(target=send_traffic, args=(port, requests, stop, outcomes))
        for _ in range(CLIENTS)
    ]
    for client in clients:
        client.start()
    try:
        fault()
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=30)
    return outcomes


def test_cluster_start_brings_every_app_server_and_nginx_up_healthy(cluster):
    assert [(name, health) for name, _, health in cluster.status()] == [
        ("app1", "healthy"),
        ("app2", "healthy"),
        ("nginx", "healthy"),
    ]


def test_no_get_fails_while_an_app_server_is_killed_and_restarted(cluster):
    pid_before = {name: pid for name, pid, _ in cluster.status()}["app1"]

    def kill_and_restart():
        time.sleep(1)
        cluster.kill_app(1)  # SIGKILL to the whole process group: master and workers
        time.sleep(1)
        cluster.start_app(1)
        time.sleep(1)

    outcomes = traffic_while(cluster.port, lambda n: ("GET", "/health", None), kill_and_restart)

    assert len(outcomes) > 100
    # The fault really hit traffic: nginx saw app1 fail and moved those requests to app2.
    assert "app1.sock" in (cluster.run_dir / "logs" / "nginx-error.log").read_text()
    assert [o for o in outcomes if o.status != 200] == []
    status = {name: (pid, health) for name, pid, health in cluster.status()}
    assert status["app1"][1] == "healthy" and status["app1"][0] != pid_before
