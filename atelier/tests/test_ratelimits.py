"""Rate limits per client on the public writes and the admin sign-in, counted in PostgreSQL."""

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from rest_framework.test import APIClient

from atelier.ratelimits.limits import Policy, counters_expire, policy
from reviews.models import Review
from reviews.tests.factories import review_make

pytestmark = pytest.mark.rate_limits

BODY = {
    "product_id": 9,
    "rating": 4,
    "summary": "Fine",
    "body": "A body long enough to be a review of this product, fifty characters or more.",
    "recommend": True,
    "name": "shopper",
    "email": "shopper@example.com",
}


def post(client, address: str):
    return client.post("/reviews", BODY, format="json", REMOTE_ADDR=address)


@pytest.fixture
def limits(settings):
    settings.RATE_LIMITS = {
        "reviews-post": "5/1h",
        "reviews-helpful": "3/1m",
        "reviews-report": "2/1h",
        "v2-vote": "3/1m",
        "v2-reports": "2/1h",
        "admin-login": "4/10m",
    }
    return settings.RATE_LIMITS


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        ("20/1h", Policy("p", 20, 3600)),
        ("60/60", Policy("p", 60, 60)),
        (" 5 / 10m ", Policy("p", 5, 600)),
        ("100/s", Policy("p", 100, 1)),
        ("3/2d", Policy("p", 3, 172800)),
        ("off", None),
        ("OFF", None),
    ],
)
def test_a_limit_is_count_per_period_or_off(limit, expected):
    assert policy("p", limit) == expected


@pytest.mark.parametrize("limit", ["", "20", "20/1w", "0/1h", "5/0", "-1/60", "a/b", "20/h/1"])
def test_a_malformed_limit_is_a_configuration_error(limit):
    with pytest.raises(ImproperlyConfigured, match="COUNT/PERIOD"):
        policy("p", limit)


@pytest.mark.django_db
def test_posts_past_the_limit_are_429_and_another_client_is_unaffected(limits):
    client = APIClient()
    statuses = [post(client, "198.51.100.1").status_code for _ in range(8)]
    assert statuses == [201] * 5 + [429] * 3
    assert Review.objects.count() == 5
    assert post(client, "198.51.100.2").status_code == 201


@pytest.mark.django_db
def test_answers_carry_the_ratelimit_headers_and_a_429_says_when_to_retry(limits):
    client = APIClient()
    first = post(client, "198.51.100.3")
    assert first["RateLimit-Policy"] == '"reviews-post";q=5;w=3600'
    name, remaining, reset = first["RateLimit"].split(";")
    assert (name, remaining) == ('"reviews-post"', "r=4")
    assert 1 <= int(reset.removeprefix("t=")) <= 3600
    for _ in range(4):
        post(client, "198.51.100.3")
    refused = post(client, "198.51.100.3")
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/json"
    assert "at most 5 per 3600 s" in refused.json()["detail"]
    assert refused["RateLimit"].startswith('"reviews-post";r=0;t=')
    assert refused["Retry-After"] == refused["RateLimit"].rsplit("t=", 1)[1]


@pytest.mark.django_db
def test_reads_are_not_limited_by_the_app(limits):
    client = APIClient()
    for _ in range(10):
        response = client.get("/reviews/meta?product_id=9", REMOTE_ADDR="198.51.100.4")
        assert response.status_code == 200 and "RateLimit" not in response


@pytest.mark.django_db
def test_votes_and_reports_have_limits_of_their_own(limits):
    client = APIClient()
    reviews = [review_make() for _ in range(5)]
    votes = [
        client.put(f"/reviews/{review.id}/helpful", REMOTE_ADDR="198.51.100.5").status_code
        for review in reviews
    ]
    assert votes == [204] * 3 + [429] * 2
    reports = [
        client.put(f"/reviews/{review.id}/report", REMOTE_ADDR="198.51.100.5").status_code
        for review in reviews
    ]
    assert reports == [204] * 2 + [429] * 3
    assert Review.objects.filter(reported=True).count() == 2
    assert post(client, "198.51.100.5").status_code == 201


@pytest.mark.django_db
def test_v2_votes_and_reports_have_limits_of_their_own_per_client(limits):
    client = APIClient()
    reviews = [review_make() for _ in range(4)]
    address: dict[str, Any] = {"REMOTE_ADDR": "198.51.100.12"}
    votes = [
        client.put(
            f"/v2/reviews/{review.id}/vote",
            {"value": "up"},
            format="json",
            HTTP_X_VOTER=f"token-{n}",  # another token is still the same client
            **address,
        )
        for n, review in enumerate(reviews)
    ]
    assert [vote.status_code for vote in votes] == [200] * 3 + [429]
    assert votes[0]["RateLimit-Policy"] == '"v2-vote";q=3;w=60'
    reports = [
        client.post(
            f"/v2/reviews/{review.id}/reports", {"reason": "spam"}, format="json", **address
        ).status_code
        for review in reviews
    ]
    assert reports == [201] * 2 + [429] * 2
    # The legacy routes count apart.
    assert client.put(f"/reviews/{reviews[3].id}/helpful", **address).status_code == 204


@pytest.mark.django_db
def test_admin_sign_in_attempts_are_limited_per_client(limits, client):
    def attempt(n: int):
        return client.post(
            "/admin/login/", {"username": f"u{n}", "password": "x"}, REMOTE_ADDR="198.51.100.6"
        )

    # Four wrong passwords are four answers of the form; the fifth is refused before it is
    # checked (and before django-axes would lock the client out, at five failures).
    assert [attempt(n).status_code for n in range(4)] == [200] * 4
    refused = attempt(4)
    assert refused.status_code == 429
    assert refused["RateLimit-Policy"] == '"admin-login";q=4;w=600'


@pytest.mark.django_db
def test_the_client_is_the_one_a_trusted_proxy_names(limits):
    client = APIClient()
    proxied: dict[str, Any] = {"REMOTE_ADDR": ""}  # nginx, on the Unix socket
    for _ in range(5):
        assert post(client, "127.0.0.1").status_code == 201  # the local client itself
    assert post(client, "127.0.0.1").status_code == 429
    assert (
        client.post(
            "/reviews", BODY, format="json", HTTP_X_FORWARDED_FOR="203.0.113.9", **proxied
        ).status_code
        == 201
    )


@pytest.mark.django_db(transaction=True)
def test_parallel_requests_never_pass_more_than_the_limit(limits):
    def one(_):
        try:
            return post(APIClient(), "198.51.100.7").status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(one, range(30)))
    assert sorted(statuses) == [201] * 5 + [429] * 25


@pytest.mark.django_db(transaction=True)
def test_when_the_counters_cannot_be_reached_requests_pass_and_it_is_logged(limits, caplog):
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE rate_limit_counters RENAME TO rate_limit_counters_away")
    try:
        with caplog.at_level(logging.WARNING, logger="atelier.ratelimits.middleware"):
            statuses = [post(APIClient(), "198.51.100.8").status_code for _ in range(7)]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE rate_limit_counters_away RENAME TO rate_limit_counters")
    assert statuses == [201] * 7
    assert "rate limit reviews-post not checked" in caplog.text


@pytest.mark.django_db
def test_a_new_window_starts_the_count_again(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "reviews-post": "2/1h"}
    client = APIClient()
    assert [post(client, "198.51.100.9").status_code for _ in range(3)] == [201, 201, 429]
    with connection.cursor() as cursor:  # the window began an hour ago
        cursor.execute("UPDATE rate_limit_counters SET window_start = window_start - 3600")
    assert post(client, "198.51.100.9").status_code == 201


@pytest.mark.django_db
def test_counters_of_clients_not_seen_for_a_day_expire(limits):
    post(APIClient(), "198.51.100.10")
    post(APIClient(), "198.51.100.11")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE rate_limit_counters SET window_start = window_start - 90000"
            " WHERE bucket LIKE '%%198.51.100.10'"
        )
    assert counters_expire(older_than_seconds=86400) == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT bucket FROM rate_limit_counters")
        assert [row[0] for row in cursor.fetchall()] == ["reviews-post 198.51.100.11"]


@pytest.mark.django_db
def test_a_clients_posts_on_one_product_are_limited_beside_its_own_limit(limits):
    limits["reviews-post-product"] = "2/1d"
    client = APIClient()
    assert [post(client, "198.51.100.20").status_code for _ in range(2)] == [201, 201]
    refused = post(client, "198.51.100.20")
    assert refused.status_code == 429
    assert "from one client on one product" in refused.json()["detail"]
    assert refused["RateLimit-Policy"] == '"reviews-post-product";q=2;w=86400'
    assert int(refused["Retry-After"]) >= 1
    other_product = client.post(
        "/reviews", {**BODY, "product_id": 10}, format="json", REMOTE_ADDR="198.51.100.20"
    )
    assert other_product.status_code == 201
    assert post(client, "198.51.100.21").status_code == 201  # another client
    assert Review.objects.filter(product_id=9, reviewer_name="shopper").count() == 3


@pytest.mark.django_db
def test_a_retried_post_gets_its_first_answer_not_the_product_limit(limits):
    limits["reviews-post-product"] = "1/1d"
    client = APIClient()
    keyed: dict[str, Any] = {"REMOTE_ADDR": "198.51.100.22", "HTTP_IDEMPOTENCY_KEY": "post-once-1"}
    first = client.post("/reviews", BODY, format="json", **keyed)
    retried = client.post("/reviews", BODY, format="json", **keyed)
    assert (first.status_code, retried.status_code) == (201, 201)
    assert retried["Location"] == first["Location"]
    assert post(client, "198.51.100.22").status_code == 429
