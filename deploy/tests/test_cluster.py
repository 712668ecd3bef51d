"""The local cluster: two app servers behind nginx, and what a client sees when one of them dies."""

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import psycopg
import pytest
from django.db import connection

from deploy.cluster import Cluster, ClusterError
from deploy.cluster_config import Settings
from deploy.processes import UnixHTTPConnection, free_port
from loadtests.bench import REPO, locust_argv
from reviews.models import Review
from reviews.tests.factories import characteristic_make, characteristic_review_make, review_make

pytestmark = pytest.mark.cluster

CLIENTS = 4
PRODUCTS = 5
MAX_REQUESTS_PER_CLIENT = 5000  # a bound, far above what the few seconds of traffic send


@dataclass
class Outcome:
    method: str
    path: str
    status: int | None  # None: the client saw no HTTP answer at all
    location: str | None = None  # a 201's Location header, or what went wrong without an answer


def review_id(outcome: Outcome) -> int:
    """The id at the end of a 201's Location."""
    assert outcome.location is not None, outcome
    return int(outcome.location.rstrip("/").rsplit("/", 1)[1])


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
        except (OSError, http.client.HTTPException) as err:
            outcomes.append(Outcome(method, path, None, repr(err)))
            conn.close()
    conn.close()


def traffic_while(port: int, requests, fault) -> list[Outcome]:
    """Run CLIENTS clients, call ``fault()`` while they run, and return every outcome."""
    stop = threading.Event()
    outcomes: list[Outcome] = []
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


def test_cluster_start_brings_every_app_server_the_cache_and_nginx_up_healthy(cluster):
    assert [(name, health) for name, _, health in cluster.status()] == [
        ("app1", "healthy"),
        ("app2", "healthy"),
        ("cache", "healthy"),
        ("purger", "healthy"),
        ("scheduler", "healthy"),
        ("nginx", "healthy"),
    ]


def catalog_make() -> dict[int, list[int]]:
    """PRODUCTS products with reviews and two characteristics: {product: characteristic ids}."""
    catalog = {}
    for product_id in range(1, PRODUCTS + 1):
        fit, length = (
            characteristic_make(product_id, "Fit"),
            characteristic_make(product_id, "Length"),
        )
        for rating in (2, 4, 5):
            review = review_make(product_id=product_id, rating=rating)
            characteristic_review_make(fit, review, rating)
            characteristic_review_make(length, review, 3)
        catalog[product_id] = [fit.id, length.id]
    return catalog


def store_traffic(catalog: dict[int, list[int]]):
    """Request number n of a client: review pages and meta of each product, and every 5th a POST."""

    def request(n: int) -> tuple[str, str, bytes | None]:
        product_id = n % PRODUCTS + 1
        if n % 5 == 4:
            review = {
                "product_id": product_id, "rating": 5, "body": f"Review {n} under failover.",
                "recommend": True, "name": "failover", "email": "failover@example.com",
                "characteristics": {str(c): 4 for c in catalog[product_id]},
            }  # fmt: skip
            return "POST", "/reviews", json.dumps(review).encode()
        if n % 2:
            return "GET", f"/reviews/meta?product_id={product_id}", None
        return "GET", f"/reviews/?product_id={product_id}&count=10&sort=newest", None

    return request


@pytest.mark.django_db(transaction=True)
def test_no_get_fails_and_no_acknowledged_write_is_lost_when_an_app_server_is_killed(cluster):
    traffic = store_traffic(catalog_make())
    pid_before = {name: pid for name, pid, _ in cluster.status()}["app1"]

    def kill_and_restart():
        time.sleep(1)
        cluster.kill_app(1)  # SIGKILL to the whole process group: master and workers
        time.sleep(1)
        cluster.start_app(1)
        time.sleep(1)

    outcomes = traffic_while(cluster.port, traffic, kill_and_restart)

    gets = [o for o in outcomes if o.method == "GET"]
    posts = [o for o in outcomes if o.method == "POST"]
    assert len(gets) > 100 and len(posts) > 20
    # The fault really hit traffic: nginx saw app1 fail and moved those requests to app2.
    assert "app1.sock" in (cluster.run_dir / "logs" / "nginx-error.log").read_text()
    assert [o for o in gets if o.status != 200] == []
    # A POST in flight on the killed server may get a 502 (never resent); anything else is a 201.
    assert {o.status for o in posts} <= {201, 502}
    acknowledged = [review_id(o) for o in posts if o.status == 201]
    assert acknowledged
    assert Review.objects.filter(id__in=acknowledged).count() == len(acknowledged)
    status = {name: (pid, health) for name, pid, health in cluster.status()}
    assert status["app1"][1] == "healthy" and status["app1"][0] != pid_before


@pytest.mark.django_db(transaction=True)
def test_the_front_end_mix_runs_clean_through_the_cluster(cluster, tmp_path):
    catalog_make()
    host = f"http://127.0.0.1:{cluster.port}"
    argv = locust_argv(host, 4, 3, tmp_path / "mix", "--product-max", str(PRODUCTS))
    result = subprocess.run(argv, capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "LOAD TEST PASSED" in result.stdout
    with open(tmp_path / "mix_stats.csv") as stats:
        names = {line.split(",")[1] for line in stats.readlines()[1:]}
    assert {"/reviews", "/reviews/meta", "/reviews/[id]/helpful"} <= names


@pytest.mark.django_db(transaction=True)
def test_app_servers_reconnect_when_the_database_ends_their_connections(cluster):
    catalog_make()
    app1 = cluster.socket_path(1)

    def meta_status() -> int:
        conn = UnixHTTPConnection(app1, timeout=10)  # straight to app1: no retry by nginx
        conn.request("GET", "/reviews/meta?product_id=1")
        status = conn.getresponse().status
        conn.close()
        return status

    assert meta_status() == 200  # app1's worker now holds a persistent connection
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        assert cursor.fetchone()[0] >= 1
    assert [meta_status() for _ in range(5)] == [200] * 5


@pytest.mark.django_db(transaction=True)
def test_a_rolling_reload_loses_no_request(cluster):
    traffic = store_traffic(catalog_make())
    workers_before = {pid for name, pid, _ in cluster.status() if name.startswith("app")}

    def reload():
        time.sleep(0.5)
        cluster.reload()
        time.sleep(0.5)

    outcomes = traffic_while(cluster.port, traffic, reload)

    assert len(outcomes) > 100
    assert [o for o in outcomes if o.status not in (200, 201)] == []
    acknowledged = [int(o.location.rstrip("/").rsplit("/", 1)[1]) for o in outcomes if o.location]
    assert Review.objects.filter(id__in=acknowledged).count() == len(acknowledged)
    assert {pid for name, pid, _ in cluster.status() if name.startswith("app")} == workers_before


def test_fault_commands_refuse_an_app_server_out_of_range(cluster):
    command = [
        sys.executable,
        "deploy/cluster.py",
        "kill-app",
        "0",
        "--run-dir",
        str(cluster.run_dir),
    ]
    result = subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 1
    assert "no app server 0: this cluster has app servers 1 to 2" in result.stderr
    assert {health for *_, health in cluster.status()} == {"healthy"}


def test_the_cluster_command_reports_every_process_healthy(cluster):
    command = [sys.executable, "deploy/cluster.py", "status", "--run-dir", str(cluster.run_dir)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == [
        "app1",
        "app2",
        "cache",
        "purger",
        "scheduler",
        "nginx",
    ]
    assert all(line.endswith("healthy") and "unhealthy" not in line for line in lines)


def test_the_cluster_command_refuses_a_second_start_on_the_same_run_folder(cluster):
    command = [sys.executable, "deploy/cluster.py", "start", "--run-dir", str(cluster.run_dir)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 1
    assert "already running" in result.stderr
    assert {health for *_, health in cluster.status()} == {"healthy"}  # left as it was


def test_start_stops_what_it_started_when_the_database_is_unreachable(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"postgres://nobody@127.0.0.1:{free_port()}/nothing")
    broken = Cluster(tmp_path / "broken")
    with pytest.raises(ClusterError, match="migrate failed"):
        broken.start(Settings(apps=1, port=free_port()))
    assert broken.state() is None and broken.status() == []


@pytest.mark.django_db(transaction=True)
def test_start_clears_the_sockets_a_cluster_that_died_with_its_machine_left(tmp_path):
    """After a restart of the machine, the run folder still holds the sockets and the link of a
    restarted app server, with nothing listening on them."""
    run_dir = tmp_path / "crashed"
    run_dir.mkdir()
    (run_dir / "app1.sock").symlink_to("app1.starting.sock")  # dangling
    (run_dir / "app1.starting.sock").touch()
    revived = Cluster(run_dir)
    settings = Settings(
        apps=1, port=free_port(), workers=1, cache=False, limits=False,
        database=connection.settings_dict["NAME"],
    )  # fmt: skip
    revived.start(settings, prepare=False)
    try:
        assert [(name, health) for name, _, health in revived.status()] == [
            ("app1", "healthy"),
            ("scheduler", "healthy"),
            ("nginx", "healthy"),
        ]
    finally:
        revived.stop()


def database_connections_refused(refused: bool) -> None:
    """New connections to the test database fail (as when it is down), or work again; the app
    servers' current connections are ended so that they need new ones."""
    name = connection.settings_dict["NAME"]
    connection.ensure_connection()
    params = {**connection.get_connection_params(), "dbname": "postgres", "autocommit": True}
    params.pop("cursor_factory", None)
    with psycopg.connect(**params) as other:  # a database cannot refuse its own sessions
        other.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(not refused).lower()}')
    if refused:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


@pytest.mark.django_db(transaction=True)
def test_while_the_database_is_unreachable_every_request_gets_the_apps_json_503(cluster):
    catalog = catalog_make()
    review = {
        "product_id": 1, "rating": 5, "body": "During the outage.", "recommend": True,
        "name": "outage", "email": "outage@example.com",
    }  # fmt: skip
    requests = [
        ("GET", "/reviews/meta?product_id=1", None),
        ("GET", "/reviews?product_id=1", None),
        ("POST", "/reviews", json.dumps(review).encode()),
        ("PUT", "/reviews/1/report", None),
    ] * 10
    database_connections_refused(True)
    try:
        answers = []
        for method, path, body in requests:
            conn = http.client.HTTPConnection("127.0.0.1", cluster.port, timeout=10)
            headers = {"Content-Type": "application/json"} if body else {}
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            answers.append((response.status, response.getheader("Content-Type"),
                            response.getheader("Retry-After"), response.read()))  # fmt: skip
            conn.close()
    finally:
        database_connections_refused(False)
    assert {(status, kind, retry) for status, kind, retry, _ in answers} == {
        (503, "application/json", "5")
    }
    assert all(b"database" in body for *_, body in answers)
    started = time.monotonic()
    while time.monotonic() - started < 5:  # bounded; the service resumes at once
        conn = http.client.HTTPConnection("127.0.0.1", cluster.port, timeout=10)
        conn.request("GET", f"/reviews/meta?product_id={len(catalog)}")
        if conn.getresponse().status == 200:
            break
        conn.close()
    assert time.monotonic() - started < 1


@pytest.mark.django_db(transaction=True)
def test_a_retry_with_its_key_after_an_app_server_died_mid_post_makes_no_duplicate(cluster):
    """The worst moment: the review has committed, the answer is not sent yet (the app server is
    purging the cache, which hangs), and the app server dies. The client retries with its key."""
    review = {
        "product_id": 2, "rating": 4, "body": "Sent twice, written once.", "recommend": True,
        "name": "retry", "email": "retry@example.com",
    }  # fmt: skip
    body = json.dumps(review).encode()
    headers = {"Content-Type": "application/json", "Idempotency-Key": "mid-post-crash"}
    first: dict[str, int | str] = {}  # the status, or the error instead

    def first_attempt():
        conn = UnixHTTPConnection(cluster.socket_path(1), timeout=30)
        try:
            conn.request("POST", "/reviews", body=body, headers=headers)
            first["status"] = conn.getresponse().status
        except (OSError, http.client.HTTPException) as exc:
            first["error"] = repr(exc)  # its app server died under it: no answer

    cluster.pause_cache()
    try:
        attempt = threading.Thread(target=first_attempt)
        attempt.start()
        time.sleep(0.5)  # committed, now waiting on the purge (up to its 1 s timeout)
        assert Review.objects.filter(body="Sent twice, written once.").count() == 1
        cluster.kill_app(1)
        attempt.join(timeout=30)
    finally:
        cluster.pause_cache(False)
    assert "error" in first, first
    conn = http.client.HTTPConnection("127.0.0.1", cluster.port, timeout=30)
    conn.request("POST", "/reviews", body=body, headers=headers)  # the client's retry
    retried = conn.getresponse()
    retried.read()
    cluster.start_app(1)
    assert retried.status == 201
    assert (retried.getheader("Location") or "").startswith("/reviews/")
    assert Review.objects.filter(body="Sent twice, written once.").count() == 1


@pytest.mark.django_db(transaction=True)
def test_while_an_app_server_is_drained_the_cache_sends_it_no_read(cluster):
    catalog_make()
    app1 = cluster.status()[0][1]
    with cluster.drained(1):
        os.killpg(app1, signal.SIGSTOP)  # a read sent to it now would hang
        try:
            statuses = []
            for product_id in range(1, PRODUCTS + 1):
                for path in ("/reviews/meta", "/reviews"):
                    conn = http.client.HTTPConnection("127.0.0.1", cluster.port, timeout=5)
                    conn.request("GET", f"{path}?product_id={product_id}")
                    statuses.append(conn.getresponse().status)
                    conn.close()
        finally:
            os.killpg(app1, signal.SIGCONT)
    assert statuses == [200] * 2 * PRODUCTS


@pytest.mark.django_db(transaction=True)
def test_an_admin_sign_in_through_nginx_on_its_port_passes_the_csrf_origin_check(
    cluster, django_user_model
):
    """A browser posts the sign-in form with ``Origin: http://127.0.0.1:<port>``: Django must see
    the same host and port, so nginx passes the Host header as the client sent it."""
    django_user_model.objects.create_superuser("boss", "boss@example.com", "a-long-passphrase-42")
    origin = f"http://127.0.0.1:{cluster.port}"
    conn = http.client.HTTPConnection("127.0.0.1", cluster.port, timeout=30)
    # The CSRF cookie and the form's token, as the sign-in page would have set them (the test
    # cluster has no collected static files to render the page with).
    secret = "s" * 32
    cookie = f"csrftoken={secret}"
    form = urlencode(
        {"csrfmiddlewaretoken": secret, "username": "boss", "password": "a-long-passphrase-42"}
    )
    headers = {
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie, "Origin": origin,
        "Referer": f"{origin}/admin/login/",
    }  # fmt: skip
    conn.request("POST", "/admin/login/?next=/admin/", body=form, headers=headers)
    signed_in = conn.getresponse()
    signed_in.read()
    assert (signed_in.status, signed_in.getheader("Location")) == (302, "/admin/")


def test_a_restarted_app_server_is_reachable_only_once_it_is_healthy(cluster):
    path = cluster.socket_path(2)
    cluster.kill_app(2)

    def refused() -> bool:
        try:
            UnixHTTPConnection(path, timeout=1).connect()
        except (ConnectionRefusedError, FileNotFoundError):
            return True
        return False

    for _ in range(100):  # until its last worker has exited and closed the listening socket
        if refused():
            break
        time.sleep(0.05)
    started = threading.Thread(target=cluster.start_app, args=(2,))
    started.start()
    seen = set()
    while started.is_alive():  # while it boots, its path refuses: nginx and the cache move on
        conn = UnixHTTPConnection(path, timeout=5)
        try:
            conn.connect()
        except (ConnectionRefusedError, FileNotFoundError):
            seen.add("refused")
        else:  # reachable only through the link made once the new server was healthy
            seen.add("reached through the link" if path.is_symlink() else "reached while booting")
        conn.close()
        time.sleep(0.02)
    started.join()
    assert "refused" in seen and seen <= {"refused", "reached through the link"}
    assert path.is_symlink()
    conn = UnixHTTPConnection(path, timeout=5)
    conn.request("GET", "/health")
    assert conn.getresponse().status == 200


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/reviews/meta?product_id=1", "/reviews", "/admin/login/"])
def test_trace_is_405_with_allow_through_nginx(cluster, path):
    conn = http.client.HTTPConnection("127.0.0.1", cluster.port, timeout=10)
    conn.request("TRACE", path, headers={"Cookie": "sessionid=secret"})
    response = conn.getresponse()
    body = response.read()
    assert response.status == 405
    assert response.getheader("Allow") == "GET, HEAD, POST, PUT, OPTIONS"
    assert b"secret" not in body and json.loads(body) == {"detail": "Method not allowed."}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("length", [3000, 4100, 9000])
def test_a_long_request_line_is_a_4xx_never_a_500(cluster, length):
    conn = http.client.HTTPConnection("127.0.0.1", cluster.port, timeout=10)
    conn.request("GET", "/reviews/meta?product_id=" + "%7B" * (length // 3))
    response = conn.getresponse()
    response.read()
    assert response.status == (422 if length < 4096 else 414)


def json_request(port: int, method: str, path: str, body: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, json.dumps(body) if body is not None else None, headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


@pytest.mark.django_db(transaction=True)
def test_a_lock_held_on_the_reviews_costs_requests_a_json_503_not_an_upstream_timeout(cluster):
    """A lock held far longer than the app servers wait (an operator's ALTER, a stuck migration):
    each write and uncached read that needs it is a JSON 503 with Retry-After once the app's
    lock_timeout passes, never nginx's 504 or 502; once the lock is gone, writes go on at once
    (no app server was taken out of rotation)."""
    review_make(product_id=88)
    post = {
        "product_id": 88, "rating": 4, "body": "Held up by a lock.", "recommend": True,
        "name": "lock", "email": "lock@example.com",
    }  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        cursor.execute("LOCK TABLE reviews IN ACCESS EXCLUSIVE MODE")
        try:
            answers = [
                json_request(cluster.port, "POST", "/reviews", post),
                json_request(cluster.port, "GET", "/reviews?product_id=88&sort=newest"),
                json_request(cluster.port, "POST", "/reviews", post),
            ]
        finally:
            cursor.execute("ROLLBACK")
    for status, headers, body in answers:
        assert status == 503, body
        assert headers["Content-Type"].startswith("application/json")
        assert "Retry-After" in headers and "detail" in json.loads(body)
    for _ in range(4):  # both app servers, right away
        assert json_request(cluster.port, "POST", "/reviews", post)[0] == 201


@pytest.mark.django_db(transaction=True)
def test_the_cluster_knows_when_its_database_holds_no_review_yet(cluster):
    assert not cluster.has_reviews()  # `start` says so, and how to load some
    review_make(product_id=5)
    assert cluster.has_reviews()


@pytest.mark.django_db(transaction=True)
def test_nginx_changes_its_balancing_method_without_a_failed_request(cluster):
    review_make(product_id=9)
    try:
        for method in ("round-robin", "random"):
            cluster.rebalance(method)
            conf = (cluster.run_dir / "nginx.conf").read_text()
            upstream = conf.split("upstream atelier_app")[1].split("}")[0]
            assert ("random two least_conn;" in upstream) == (method == "random")
            assert ("least_conn" in upstream) == (method == "random")
            for _ in range(20):
                assert json_request(cluster.port, "GET", "/reviews/meta?product_id=9")[0] == 200
    finally:
        cluster.rebalance("least-conn")  # the default, as the other tests expect
    assert "least_conn;" in (cluster.run_dir / "nginx.conf").read_text()
