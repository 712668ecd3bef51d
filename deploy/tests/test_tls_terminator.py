"""Behind a TLS terminator: with ATELIER_HTTPS=true, nginx keeps the X-Forwarded-Proto of the
terminators it lists, so their HTTPS requests are served (with HSTS) and only plain HTTP is
redirected; anyone else's claim is replaced by what nginx saw. Each loopback address (127.0.0.x)
is a client of its own."""

import http.client

import pytest

from deploy.cluster import Cluster
from deploy.tests.clusters import cluster_on_test_database

pytestmark = pytest.mark.cluster

TERMINATOR = "127.0.0.2"


@pytest.fixture(scope="module")
def behind_tls(django_db_setup, django_db_blocker, tmp_path_factory):
    """One app server behind nginx, HTTPS enforced, with a TLS terminator at 127.0.0.2."""
    with cluster_on_test_database(
        tmp_path_factory,
        "tls",
        apps=1,
        workers=1,
        cache=False,
        limits=False,
        environment={"ATELIER_HTTPS": "true"},
        tls_terminators=[TERMINATOR],
    ) as running:
        yield running


def get(cluster: Cluster, source: str, path: str, proto: str | None = None):
    conn = http.client.HTTPConnection(
        "127.0.0.1", cluster.port, timeout=10, source_address=(source, 0)
    )
    headers = {} if proto is None else {"X-Forwarded-Proto": proto}
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def test_the_terminators_https_requests_are_served_with_hsts(behind_tls):
    response = get(behind_tls, TERMINATOR, "/reviews/meta?product_id=1", proto="https")
    assert response.status == 200
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]


@pytest.mark.parametrize(
    ("source", "proto"), [(TERMINATOR, None), (TERMINATOR, "http"), ("127.0.0.3", "https")]
)
def test_plain_http_and_anyone_elses_claim_are_redirected(behind_tls, source, proto):
    response = get(behind_tls, source, "/reviews/meta?product_id=1", proto=proto)
    assert response.status == 301
    assert response.headers["Location"].startswith("https://")


def test_the_health_check_answers_over_plain_http(behind_tls):
    assert get(behind_tls, "127.0.0.3", "/health").status == 200
