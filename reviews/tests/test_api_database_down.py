"""End to end: the API served by gunicorn while its database cannot be reached answers 503 with
Retry-After on every route, never a 500."""

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"
UNREACHABLE = "postgres://postgres@%2Fnonexistent-socket-dir:5432/atelier"
REVIEW = {
    "product_id": 1,
    "rating": 5,
    "body": "b",
    "recommend": True,
    "name": "n",
    "email": "a@b.co",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server_without_database():
    port = free_port()
    process = subprocess.Popen(
        [str(GUNICORN), "atelier.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=REPO,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": UNREACHABLE, "DJANGO_SECRET_KEY": "t"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/reviews?product_id=1", None),
        ("GET", "/reviews/meta?product_id=1", None),
        ("GET", "/reviews/1", None),
        ("GET", "/v2/products/1/reviews", None),
        ("GET", "/v2/products/1/summary", None),
        ("POST", "/reviews", REVIEW),
        ("PUT", "/reviews/1/helpful", None),
        ("PUT", "/reviews/1/report", None),
    ],
)
def test_every_route_answers_503_when_the_database_is_down(
    server_without_database, method, path, body
):
    request = urllib.request.Request(
        server_without_database + path,
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(request, timeout=10)
    assert answer.value.code == 503
    assert answer.value.headers["Retry-After"] == "5"
    assert b"database cannot be reached" in answer.value.read()


def test_a_moderator_signing_in_gets_a_503_not_a_500(server_without_database):
    """The admin's sign-in needs the database (the account, the lockout records): while it
    cannot be reached the answer is a 503 with Retry-After, like the API's."""
    import http.cookiejar
    import re
    import urllib.parse

    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = browser.open(server_without_database + "/admin/login/", timeout=10).read().decode()
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found is not None
    token = found.group(1)
    form = {"csrfmiddlewaretoken": token, "username": "moderator", "password": "x" * 20}
    request = urllib.request.Request(
        server_without_database + "/admin/login/",
        data=urllib.parse.urlencode(form).encode(),
        headers={"Referer": server_without_database + "/admin/login/"},
    )
    with pytest.raises(urllib.error.HTTPError) as answer:
        browser.open(request, timeout=10)
    assert answer.value.code == 503
    assert answer.value.headers["Retry-After"] == "5"
    assert b"database cannot be reached" in answer.value.read()


@pytest.mark.django_db(transaction=True)  # the session's setting applies to its next transactions
def test_a_write_on_a_node_that_became_a_standby_is_a_503_and_the_next_connects_again(api):
    """After a failover, a connection kept from before may point at a node that no longer takes
    writes (read-only): the write is a JSON 503, never a 500, and the connection is dropped so
    that the next request connects to whichever node leads."""
    from django.db import connection

    from reviews.models import Review
    from reviews.tests.api import post, valid

    with connection.cursor() as cursor:
        cursor.execute("SET default_transaction_read_only = on")  # what a standby refuses
    before = Review.objects.count()
    refused = post(api, valid(product_id=77, characteristics={}, photos=[]))
    assert refused.status_code == 503 and refused["Retry-After"]
    assert "cannot be reached" in refused.json()["detail"]
    assert connection.connection is None  # closed: the next request connects again
    assert post(api, valid(product_id=77, characteristics={}, photos=[])).status_code == 201
    assert Review.objects.count() == before + 1
