"""The hot path (atelier.hotpath, reviews.hot) answers as Django does: the same requests,
generated over every hot route with valid and invalid input and with and without the headers the
middleware acts on, get the same status, headers, body and Prometheus counts from both; the plain
ones it answers without Django, and whatever it cannot judge it leaves to Django."""

import io
import json
import re
import sys
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import OperationalError, close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from prometheus_client import REGISTRY

from atelier.hotpath import HANDLED_MIDDLEWARE, HotPath
from reviews.hot import READS
from reviews.models import Review
from reviews.tests.v2_catalog import PRODUCT


@pytest.fixture
def connections_kept():
    """As Django's test client does: the test's transaction stays open across requests."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


class Django:
    """Django's WSGI application, counting the requests it answers."""

    def __init__(self):
        self.app = WSGIHandler()
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.app(environ, start_response)


def environ_of(path: str, query: str = "", headers: dict | None = None, method="GET") -> dict:
    environ = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "localhost",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
    }
    for name, value in (headers or {}).items():
        key = name.upper().replace("-", "_")
        if value is None:
            environ.pop(f"HTTP_{key}", None)
        elif key in ("CONTENT_LENGTH", "CONTENT_TYPE"):
            environ[key] = value
        else:
            environ[f"HTTP_{key}"] = value
    return environ


def call(app, environ: dict) -> tuple[str, list[tuple[str, str]], bytes]:
    answer: dict = {}

    def start_response(status, headers, exc_info=None):
        answer.update(status=status, headers=headers)

    chunks = app(dict(environ, **{"wsgi.input": io.BytesIO(b"")}), start_response)
    try:
        body = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    return answer["status"], answer["headers"], body


def django_metrics() -> dict:
    """django-prometheus' samples, the latencies by count only (their values differ)."""
    samples = {}
    for metric in REGISTRY.collect():
        for sample in metric.samples:
            if not sample.name.startswith("django_http") or sample.name.endswith("_created"):
                continue
            if "latency" in sample.name and not sample.name.endswith("_count"):
                continue
            samples[sample.name, tuple(sorted(sample.labels.items()))] = sample.value
    return samples


def counted(app, environ: dict):
    """The answer, and the metrics' changes while it was made."""
    before = django_metrics()
    answer = call(app, environ)
    after = django_metrics()
    changes = {key: after[key] - before.get(key, 0) for key in after}
    return answer, {key: change for key, change in changes.items() if change}


def without_made_ids(headers: list[tuple[str, str]], environ: dict) -> list[tuple[str, str]]:
    """The headers, without the values made for the request alone: its id when it gave none (or
    a malformed one), a new CSRF cookie's token and expiry when it sent a malformed one."""
    given = environ.get("HTTP_X_REQUEST_ID")
    ids = [value for name, value in headers if name == "X-Request-ID"]
    assert len(ids) == 1
    return [
        (name, re.sub(r"csrftoken=\w+; expires=[^;]+;", "csrftoken=-;", value))
        for name, value in headers
        if name != "X-Request-ID" or ids[0] == given
    ]


# -- what the requests are made of -----------------------------------------------------------
PARAMETER_NAMES = (
    "product_id", "page", "count", "sort", "rating", "recommend", "with_photos", "verified", "q",
    "limit", "cursor", "utm_source",
)  # fmt: skip
PARAMETER_VALUES = (
    "", "1", "2", "7", "8", "0", "-1", "x", "5.0", "1000", "1001", "10000", "99999999999",
    "2147483647", "2147483648", "newest", "helpful", "relevant", "oldest", "rating_high", "true",
    "false", "fit", "zipper", "é", " 5", "5 ", "a\x00b",
)  # fmt: skip
RAW_QUERIES = ("%ZZ", "product_id=7&&", "product_id=%37", "product_id=7;page=2", "product_id=\xe9")
HEADER_VALUES = {
    "X-Request-ID": ("req-1", "bad id!", "x" * 65, ""),
    "X-Voter": ("shopper-1", "", " lead", "x" * 300, "ok token", "tab\there"),
    "X-Shopper-Token": (
        "not-a-token",
        "eyJhbGciOiJIUzI1NiJ9.e30.c2ln",
        jwt.encode({"sub": "shopper-1", "exp": int(time.time()) + 3600}, "s" * 40, "HS256"),
    ),
    "Origin": ("https://shop.example", "https://evil.example"),
    "X-Min-LSN": ("0", "12345678", "999999999999999999999", "-1", "x"),
    "Cookie": ("csrftoken=bad", "a=b"),
    "Host": ("127.0.0.1:8000", "evil.example", "", "[::1]", "LOCALHOST."),
    "X-Forwarded-Proto": ("https", "http", "https, http"),
    "X-Requested-With": ("XMLHttpRequest",),
    "Accept": ("text/html", "application/xml"),
    "Content-Length": ("0", "2"),
}


def paths(review_ids: list[int]):
    ids = st.sampled_from([*map(str, review_ids), "999999", "0", "007", "x", "1.0", "é"])
    products = st.sampled_from(
        [str(PRODUCT), str(PRODUCT + 1), "999", "0", "x", "07", "2147483648"]
    )
    return st.one_of(
        st.sampled_from(["/reviews", "/reviews/", "/reviews/meta", "/reviews/meta/"]),
        ids.map(lambda review_id: f"/reviews/{review_id}"),
        st.tuples(products, st.sampled_from(["reviews", "reviews/", "summary", "summary/"])).map(
            lambda parts: f"/v2/products/{parts[0]}/{parts[1]}"
        ),
    )


def queries(cursors: list[str]):
    values = st.one_of(st.sampled_from(PARAMETER_VALUES + tuple(cursors)), st.text(max_size=4))
    pairs = st.lists(st.tuples(st.sampled_from(PARAMETER_NAMES), values), max_size=5)
    return st.one_of(
        pairs.map(urlencode),
        st.just(f"product_id={PRODUCT}"),
        st.sampled_from(RAW_QUERIES),
    )


def header_sets(etags: list[str]):
    values = dict(HEADER_VALUES, **{"If-None-Match": (*etags, "*", "garbage")})
    return st.fixed_dictionaries(
        {}, optional={name: st.sampled_from(choices) for name, choices in values.items()}
    )


def pools(django) -> tuple[list[str], list[str]]:
    """ETags and cursors of real answers, for the requests to reuse."""
    etags, cursors = [], []
    for path, query in [
        ("/reviews/meta", f"product_id={PRODUCT}"),
        ("/reviews", f"product_id={PRODUCT}&count=3"),
        (f"/v2/products/{PRODUCT}/summary", ""),
        (f"/v2/products/{PRODUCT}/reviews", "limit=3"),
        (f"/v2/products/{PRODUCT}/reviews", "sort=newest&rating=5&limit=2"),
    ]:
        _, headers, body = call(django, environ_of(path, query, {"X-Forwarded-Proto": "https"}))
        etags += [value for name, value in headers if name == "ETag"]
        if path.startswith("/v2/") and path.endswith("/reviews"):
            next_link = json.loads(body)["next"]
            cursors += parse_qs(urlsplit(next_link).query)["cursor"]
    return etags, cursors


# Settings, and the headers every request has unless it says otherwise (behind TLS, the proxy's
# X-Forwarded-Proto: without it, every request is redirected).
VARIANTS = {
    "defaults": ({}, {}),
    "behind a cache, for a store's origin": (
        {"CACHE_NODES": ["http://127.0.0.1:9"], "CORS_ALLOWED_ORIGINS": ["https://shop.example"]},
        {},
    ),
    "signing its shoppers": ({"SHOPPER_TOKEN_SECRETS": ["s" * 40]}, {}),
    "behind TLS": (
        {
            "SECURE_HSTS_SECONDS": 3600,
            "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
            "SECURE_HSTS_PRELOAD": True,
            "SECURE_SSL_REDIRECT": True,
        },
        {"X-Forwarded-Proto": "https"},
    ),
}


@pytest.mark.parametrize(("variant", "base_headers"), VARIANTS.values(), ids=VARIANTS)
def test_both_paths_answer_every_request_alike(catalog, connections_kept, variant, base_headers):
    review_ids = [
        *Review.objects.filter(product_id=PRODUCT, reported=False).values_list("id", flat=True)[:2],
        *Review.objects.filter(product_id=PRODUCT, reported=True).values_list("id", flat=True)[:1],
    ]
    with override_settings(**variant):
        django = Django()
        hot = HotPath(django, READS)
        etags, cursors = pools(django)
        answered_hot = []

        @settings(
            max_examples=250,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        @given(
            path=paths(review_ids),
            query=queries(cursors),
            headers=header_sets(etags),
            method=st.sampled_from(["GET"] * 6 + ["HEAD", "POST", "OPTIONS"]),
        )
        @example(path="/reviews/meta", query=f"product_id={PRODUCT}", headers={}, method="GET")
        def check(path, query, headers, method):
            environ = environ_of(path, query, {**base_headers, **headers}, method)
            (status, got_headers, body), changes = counted(django, environ)
            calls = django.calls
            (hot_status, hot_headers, hot_body), hot_changes = counted(hot, environ)
            assert (hot_status, hot_body) == (status, body)
            assert without_made_ids(hot_headers, environ) == without_made_ids(got_headers, environ)
            assert hot_changes == changes
            if django.calls == calls:
                answered_hot.append(path)

        check()
    assert answered_hot  # the comparison is not only Django against itself


PLAIN = [
    ("/reviews", f"product_id={PRODUCT}&page=2&count=3&sort=helpful"),
    ("/reviews/", f"product_id={PRODUCT}"),
    ("/reviews/meta", f"product_id={PRODUCT}"),
    ("/reviews/meta/", "product_id=999&utm_source=mail"),
    (f"/v2/products/{PRODUCT}/reviews", "rating=4&rating=5&q=zipper&sort=newest&limit=5"),
    (f"/v2/products/{PRODUCT}/reviews/", ""),
    (f"/v2/products/{PRODUCT}/summary", "with_photos=true"),
    (f"/v2/products/{PRODUCT}/reviews", "verified=true&sort=helpful"),
]


@pytest.mark.parametrize(("path", "query"), PLAIN)
def test_a_plain_read_is_answered_without_django(catalog, connections_kept, path, query):
    django = Django()
    status, _, _ = call(HotPath(django, READS), environ_of(path, query))
    assert status == "200 OK"
    assert django.calls == 0


def test_a_review_and_a_voters_page_are_answered_without_django(catalog, connections_kept):
    django = Django()
    hot = HotPath(django, READS)
    review_id = Review.objects.filter(product_id=PRODUCT, reported=False).values_list("id")[0][0]
    assert call(hot, environ_of(f"/reviews/{review_id}"))[0] == "200 OK"
    voter = environ_of(f"/v2/products/{PRODUCT}/reviews", "", {"X-Voter": "shopper-1"})
    status, headers, _ = call(hot, voter)
    assert (status, ("Cache-Control", "private, no-store") in headers) == ("200 OK", True)
    assert django.calls == 0


@pytest.mark.parametrize(
    ("path", "query", "headers", "status"),
    [
        ("/reviews", "product_id=x", {}, "422 Unprocessable Entity"),
        ("/reviews", f"product_id={PRODUCT}&product_id=8", {}, "422 Unprocessable Entity"),
        ("/reviews/999999", "", {}, "404 Not Found"),
        (f"/v2/products/{PRODUCT}/reviews", "cursor=forged", {}, "422 Unprocessable Entity"),
        (f"/v2/products/{PRODUCT}/reviews", "", {"X-Voter": " lead"}, "400 Bad Request"),
        ("/reviews/meta", f"product_id={PRODUCT}", {"Host": "evil.example"}, "400 Bad Request"),
        ("/reviews/meta", f"product_id={PRODUCT}", {"Origin": "https://a.example"}, "200 OK"),
    ],
)
def test_what_the_hot_path_does_not_judge_goes_to_django(
    catalog, connections_kept, path, query, headers, status
):
    django = Django()
    assert call(HotPath(django, READS), environ_of(path, query, headers))[0] == status
    assert django.calls == 1


def test_a_database_error_is_answered_by_django_with_its_503(
    catalog, connections_kept, monkeypatch
):
    def unreachable(**kwargs):
        raise OperationalError("connection to server failed")

    monkeypatch.setattr("reviews.selectors.product_meta_get", unreachable)
    django = Django()
    environ = environ_of("/reviews/meta", f"product_id={PRODUCT}")
    status, headers, body = call(HotPath(django, READS), environ)
    assert (status, django.calls) == ("503 Service Unavailable", 1)
    assert ("Retry-After", "5") in headers
    assert b"database cannot be reached" in body


def test_under_a_middleware_stack_it_was_not_written_for_everything_goes_to_django(
    catalog, connections_kept
):
    stack = [name for name in HANDLED_MIDDLEWARE if "clickjacking" not in name]
    with override_settings(MIDDLEWARE=stack):
        django = Django()
        hot = HotPath(django, READS)
        assert call(hot, environ_of("/reviews/meta", f"product_id={PRODUCT}"))[0] == "200 OK"
    assert (hot.reads, django.calls) == ({}, 1)
