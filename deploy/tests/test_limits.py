"""Rate limits through the whole stack: nginx's per-client request limit in front of the cache,
and the app's limits on writes, shared by the app servers. Each loopback address (127.0.0.x) is a
client of its own, for nginx and for the app alike."""

import http.client
import json

import pytest

from deploy.cluster import Cluster
from deploy.tests.clusters import cluster_on_test_database
from reviews.models import Review

pytestmark = pytest.mark.cluster

POST_LIMIT = 20
BODY = json.dumps(
    {
        "product_id": 31,
        "rating": 5,
        "body": "Posted again and again by one client, until the limit says no more.",
        "recommend": True,
        "name": "flooder",
        "email": "flooder@example.com",
    }
).encode()


@pytest.fixture(scope="module")
def limited(django_db_setup, django_db_blocker, tmp_path_factory):
    """The cache and two app servers behind nginx, with the default per-client request limit
    (50 requests/s, bursts of 500) and at most 20 posts an hour per client."""
    with cluster_on_test_database(
        tmp_path_factory,
        "limited",
        apps=2,
        workers=1,
        # The client's own limit; not its limit on one product (atelier/tests/test_ratelimits.py).
        environment={
            "ATELIER_RATE_LIMIT_REVIEWS_POST": f"{POST_LIMIT}/1h",
            "ATELIER_RATE_LIMIT_REVIEWS_POST_PRODUCT": "off",
        },
    ) as running:
        yield running


def client(cluster: Cluster, address: str) -> http.client.HTTPConnection:
    return http.client.HTTPConnection(
        "127.0.0.1", cluster.port, timeout=10, source_address=(address, 0)
    )


def send(conn: http.client.HTTPConnection, method: str, path: str, body: bytes | None = None):
    headers = {"Content-Type": "application/json"} if body else {}
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    return response, response.read()


@pytest.mark.django_db(transaction=True)
def test_400_posts_from_one_client_are_refused_past_the_limit_and_others_post(limited):
    flooder = client(limited, "127.0.0.3")
    answers = [send(flooder, "POST", "/reviews", BODY) for _ in range(400)]
    statuses = [response.status for response, _ in answers]
    assert statuses == [201] * POST_LIMIT + [429] * (400 - POST_LIMIT)
    assert Review.objects.filter(product_id=31).count() == POST_LIMIT
    response, body = answers[-1]
    assert json.loads(body)["detail"].startswith("Too many requests")
    assert response.getheader("RateLimit-Policy") == f'"reviews-post";q={POST_LIMIT};w=3600'
    assert response.getheader("RateLimit").startswith('"reviews-post";r=0;t=')
    assert int(response.getheader("Retry-After")) > 0
    # Both app servers served the flood, and neither let more through: the counters are shared.
    response, _ = send(client(limited, "127.0.0.4"), "POST", "/reviews", BODY)
    assert response.status == 201


@pytest.mark.django_db(transaction=True)
def test_a_client_reading_faster_than_a_storefront_gets_429_from_nginx(limited):
    scraper = client(limited, "127.0.0.5")
    statuses: list[int] = []
    refused: tuple[http.client.HTTPResponse, bytes] | None = None
    for _ in range(1500):
        response, body = send(scraper, "GET", "/reviews/meta?product_id=31")
        statuses.append(response.status)
        if response.status == 429 and refused is None:
            refused = response, body
    assert set(statuses) == {200, 429}
    assert statuses[:500] == [200] * 500  # the burst a page of the store never comes near
    assert refused is not None
    response, body = refused
    assert json.loads(body)["detail"].startswith("Too many requests from this client")
    assert response.getheader("Retry-After") == "1"
    assert response.getheader("RateLimit-Policy") == '"requests";q=50;w=1'
    assert response.getheader("Content-Type") == "application/json"
    # Another client is not slowed by this one.
    response, _ = send(client(limited, "127.0.0.6"), "GET", "/reviews/meta?product_id=31")
    assert response.status == 200
