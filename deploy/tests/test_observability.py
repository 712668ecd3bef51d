"""Request ids from nginx to the app's JSON log lines and back; /metrics for the scraper only."""

import http.client
import json
import re
import time

import pytest

from deploy.processes import UnixHTTPConnection
from reviews.tests.factories import review_make

pytestmark = pytest.mark.cluster


def get(port: int, path: str, headers: dict[str, str] | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    response.read()
    return response


def app_log_lines(cluster, request_id: str, timeout: float = 10) -> list[dict]:
    """The app servers' JSON log lines about ``request_id`` (they may take a moment to land)."""
    deadline = time.monotonic() + timeout
    while True:
        found = [
            json.loads(line)
            for log in (cluster.run_dir / "logs").glob("app*.log")
            for line in log.read_text(errors="replace").splitlines()
            if line.startswith("{") and f'"request_id": "{request_id}"' in line
        ]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


@pytest.mark.django_db(transaction=True)
def test_a_request_id_goes_from_nginx_to_the_apps_log_and_back(cluster):
    answer = get(cluster.port, "/reviews/meta?product_id=abc", {"X-Request-ID": "trace-me-123"})
    assert answer.status == 422
    assert answer.headers.get_all("X-Request-ID") == ["trace-me-123"]
    [line] = app_log_lines(cluster, "trace-me-123")
    assert (line["logger"], line["level"]) == ("django.request", "WARNING")

    made = get(cluster.port, "/reviews/meta?product_id=abc", {"X-Request-ID": "not ok!"})
    [request_id] = made.headers.get_all("X-Request-ID")
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)  # nginx's own
    assert app_log_lines(cluster, request_id)


@pytest.mark.django_db(transaction=True)
def test_answers_from_the_cache_carry_each_requests_own_id(cluster):
    review_make(product_id=77)
    ids = []
    for n in range(3):
        answer = get(cluster.port, "/reviews/meta?product_id=77", {"X-Request-ID": f"read-{n}"})
        assert answer.status == 200
        ids.append(answer.headers.get_all("X-Request-ID"))
    assert answer.getheader("X-Cache") == "HIT"
    assert ids == [["read-0"], ["read-1"], ["read-2"]]


@pytest.mark.django_db(transaction=True)
def test_metrics_are_for_the_scraper_not_the_public(cluster):
    review_make(product_id=78)
    for _ in range(2):
        get(cluster.port, "/reviews/meta?product_id=78")
    assert get(cluster.port, "/metrics").status == 404
    assert get(cluster.port, "/metrics/").status == 404
    scraped = ""
    for index in (1, 2):
        conn = UnixHTTPConnection(cluster.socket_path(index), timeout=10)
        conn.request("GET", "/metrics")
        response = conn.getresponse()
        assert response.status == 200
        scraped += response.read().decode()
    assert "atelier_cache_hits_total" not in scraped  # the purger reports them, once
    served = re.findall(
        r'^django_http_requests_latency_seconds_by_view_method_count\{method="GET",'
        r'view="reviews-meta"\} ([0-9.]+)',
        scraped,
        re.MULTILINE,
    )
    assert sum(float(count) for count in served) >= 1  # the miss, summed over its workers
    purger_conn = http.client.HTTPConnection("127.0.0.1", cluster.purger_metrics_port(), timeout=10)
    purger_conn.request("GET", "/metrics")
    response = purger_conn.getresponse()
    assert response.status == 200
    purger = response.read().decode()
    assert re.search(r'^atelier_cache_hits_total\{node="varnish"\} [1-9]', purger, re.MULTILINE)
    assert re.search(r'^atelier_cache_misses_total\{node="varnish"\} [1-9]', purger, re.MULTILINE)
    node = cluster.cache_node()
    assert re.search(rf'^atelier_purge_backlog\{{node="{node}"\}} ', purger, re.MULTILINE)
