"""The HTTP cache tier of the local cluster (nginx -> Varnish -> app servers): what it keeps, under
which key, how every write keeps it exact (the race of a miss and a write included), and what a
client sees when the cache dies."""

import http.client
import json
import threading
import time
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.db import connection

from atelier import httpcache
from deploy.processes import UnixHTTPConnection, free_port
from deploy.tests.race import HOT_PRODUCTS, post_body, race
from reviews import services
from reviews.tests.factories import characteristic_make, characteristic_review_make, review_make

pytestmark = pytest.mark.cluster


@pytest.fixture
def cache(cluster, settings):
    """The cluster (its cache emptied), and this process purging it as the app servers do."""
    settings.CACHE_NODES = [cluster.cache_node()]
    return cluster


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def cache(self) -> str | None:
        return self.headers.get("x-cache")

    def json(self):
        return json.loads(self.body)


def get(port: int, path: str, headers: dict[str, str] | None = None) -> Answer:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        body = response.read()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, body)
    finally:
        conn.close()


def send(port: int, method: str, path: str, body: dict | None = None) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        response.read()
        return response
    finally:
        conn.close()


def product_make(product_id: int, reviews: int = 3) -> list[int]:
    fit = characteristic_make(product_id, "Fit")
    ids = []
    for n in range(reviews):
        review = review_make(product_id=product_id, rating=n % 5 + 1)
        characteristic_review_make(fit, review, 3)
        ids.append(review.id)
    return ids


@pytest.mark.django_db(transaction=True)
def test_a_second_identical_get_is_a_hit_with_the_same_etag(cache):
    product_make(1)
    for path in ["/reviews/meta?product_id=1", "/reviews?product_id=1"]:
        first, second = get(cache.port, path), get(cache.port, path)
        assert (first.status, first.cache) == (200, "MISS")
        assert (second.status, second.cache) == (200, "HIT")
        assert second.body == first.body
        assert second.headers["etag"] == first.headers["etag"]
        assert first.headers["etag"].startswith('"')  # strong
        assert first.headers["cache-control"] == "no-cache"
        assert "xkey" not in first.headers and "x-cache-race" not in first.headers


@pytest.mark.django_db(transaction=True)
def test_equivalent_requests_share_one_object(cache):
    review_id = product_make(1)[0]
    equivalent = {
        "/reviews?product_id=1&page=1&count=5&sort=relevant": [
            "/reviews/?product_id=1",
            "/reviews?sort=&count=5&product_id=1",
            "/reviews?count=05&page=&product_id=001&unknown=1",
        ],
        "/reviews/meta?product_id=1": [
            "/reviews/meta/?product_id=1",
            "/reviews/meta?x=&product_id=1",
        ],
        f"/reviews/{review_id}": [f"/reviews/{review_id}/", f"/reviews/0{review_id}?a=b"],
        # v2: the parameters the app reads, sorted; the others dropped.
        "/v2/products/1/reviews?limit=2&rating=1&rating=2&sort=newest": [
            "/v2/products/1/reviews?sort=newest&rating=2&rating=1&limit=2&utm_source=x",
            "/v2/products/1/reviews/?rating=2&limit=2&junk&rating=1&&sort=newest",
        ],
        "/v2/products/1/summary?recommend=true": [
            "/v2/products/1/summary/?recommend=true",
            "/v2/products/1/summary?fbclid=abc&recommend=true",
        ],
    }  # fmt: skip
    for canonical, others in equivalent.items():
        first = get(cache.port, canonical)
        assert (first.status, first.cache) == (200, "MISS"), canonical
        for other in others:
            answer = get(cache.port, other)
            assert (answer.status, answer.cache, answer.body) == (200, "HIT", first.body), other


@pytest.mark.django_db(transaction=True)
def test_a_v2_parameter_with_an_escaped_name_keeps_its_url_as_sent(cache):
    product_make(1)
    unfiltered = get(cache.port, "/v2/products/1/reviews")
    escaped = [get(cache.port, "/v2/products/1/reviews?r%61ting=1") for _ in range(2)]
    assert [a.cache for a in escaped] == ["MISS", "HIT"]
    assert escaped[0].json()["filters"] == {"rating": [1]}  # what the app read
    assert unfiltered.json()["filters"] == {}


@pytest.mark.django_db(transaction=True)
def test_requests_it_cannot_normalize_safely_and_errors_are_never_stored(cache):
    product_make(1)
    for path, status in [
        ("/reviews?product%5Fid=1", 200),  # an escaped name: the app reads product_id
        ("/reviews?product_id=1&page", 200),  # a name without "=" is an empty value to the app
        ("/reviews?product_id=abc", 422),
        ("/reviews/meta?product_id=0", 422),
        ("/reviews?product_id=2&product_id=1", 422),  # a parameter given twice
        ("/reviews?product_id=1&sort=newest&page=2&sort=helpful", 422),
        ("/reviews/meta?product_id=1&product_id=1", 422),
        ("/reviews/999999", 404),
    ]:
        answers = [get(cache.port, path) for _ in range(2)]
        assert [a.cache for a in answers] == ["PASS", "PASS"], path
        assert [a.status for a in answers] == [status, status], path


@pytest.mark.django_db(transaction=True)
def test_one_object_serves_every_origin_with_the_cors_headers_the_app_gives(cache, store_origin):
    product_make(1)
    for path in ["/reviews/meta?product_id=1", "/v2/products/1/summary"]:
        plain = get(cache.port, path)
        store = get(cache.port, path, {"Origin": store_origin})
        other = get(cache.port, path, {"Origin": "https://elsewhere.example"})
        assert (plain.cache, store.cache, other.cache) == ("MISS", "HIT", "HIT"), path
        assert store.body == other.body == plain.body
        # What the app answers itself, asked straight with the Origin (no cache in between).
        conn = UnixHTTPConnection(cache.socket_path(1), timeout=10)
        conn.request("GET", path, headers={"Origin": store_origin, "Host": "localhost"})
        direct = {k.lower(): v for k, v in conn.getresponse().getheaders()}
        conn.close()
        for name in ("access-control-allow-origin", "access-control-expose-headers"):
            assert store.headers[name] == direct[name], name
            assert name not in other.headers and name not in plain.headers
        assert store.headers["vary"].lower() == "origin"
        assert not any(name.startswith("x-cors") for name in store.headers)


@pytest.mark.django_db(transaction=True)
def test_if_none_match_gets_304_from_the_cache(cache):
    product_make(1)
    etag = get(cache.port, "/reviews/meta?product_id=1").headers["etag"]
    answer = get(cache.port, "/reviews/meta?product_id=1", {"If-None-Match": etag})
    assert (answer.status, answer.cache, answer.body) == (304, "HIT", b"")
    answer = get(cache.port, "/reviews/meta?product_id=1", {"If-None-Match": '"other"'})
    assert (answer.status, answer.cache) == (200, "HIT")


def warm(port: int, paths: list[str]) -> dict[str, Answer]:
    answers = {path: get(port, path) for path in paths}
    assert {get(port, path).cache for path in paths} == {"HIT"}
    return answers


@pytest.mark.django_db(transaction=True)
def test_every_public_write_makes_the_next_read_fresh(cache):
    review_id = product_make(1)[0]
    product_make(2)
    paths = [
        "/reviews/meta?product_id=1",
        "/reviews?product_id=1&sort=newest",
        f"/reviews/{review_id}",
    ]
    other = "/reviews/meta?product_id=2"

    before = warm(cache.port, [*paths, other])
    assert send(cache.port, "POST", "/reviews", post_body(1)).status == 201
    after = {path: get(cache.port, path) for path in paths[:2]}
    assert all(a.cache == "MISS" and a.body != before[p].body for p, a in after.items())
    assert get(cache.port, other).cache == "HIT"  # another product's objects stay

    before = warm(cache.port, paths)
    assert send(cache.port, "PUT", f"/reviews/{review_id}/helpful").status == 204
    detail = get(cache.port, paths[2])
    assert detail.cache == "MISS"
    assert detail.json()["helpfulness"] == before[paths[2]].json()["helpfulness"] + 1

    warm(cache.port, paths)
    assert send(cache.port, "PUT", f"/reviews/{review_id}/report").status == 204
    assert get(cache.port, paths[2]).status == 404
    listed = get(cache.port, paths[1])
    assert listed.cache == "MISS"
    assert review_id not in [r["review_id"] for r in listed.json()["results"]]


@pytest.mark.django_db(transaction=True)
def test_v2_reads_are_cached_purged_by_writes_and_private_with_a_voter(cache):
    review_id = product_make(1, reviews=4)[0]
    paths = [
        "/v2/products/1/reviews?sort=newest&limit=2",
        "/v2/products/1/reviews?rating=1&rating=2",
        "/v2/products/1/summary",
        "/v2/products/1/summary?recommend=true",
    ]
    first = warm(cache.port, paths)
    again = {path: get(cache.port, path) for path in paths}
    assert all((a.cache, a.body) == ("HIT", first[p].body) for p, a in again.items())
    # The next page's link is cached as well, under its own URL.
    next_page = first[paths[0]].json()["next"]
    assert get(cache.port, next_page).cache == "MISS"
    assert get(cache.port, next_page).cache == "HIT"
    # A shopper's own view (my_vote) is never stored, nor served from what others stored.
    mine = [get(cache.port, paths[0], {"X-Voter": "shopper"}) for _ in range(2)]
    assert [a.cache for a in mine] == ["PASS", "PASS"]
    assert all(r["my_vote"] == "none" for r in mine[1].json()["results"])
    assert mine[1].headers["cache-control"] == "private, no-store"

    assert send(cache.port, "POST", "/reviews", post_body(1)).status == 201
    after = {path: get(cache.port, path) for path in paths}
    assert all(a.cache == "MISS" for a in after.values())
    assert after[paths[2]].json()["total"] == first[paths[2]].json()["total"] + 1
    assert after[paths[2]].json()["version"] > first[paths[2]].json()["version"]
    assert get(cache.port, next_page).cache == "MISS"

    warm(cache.port, paths)
    assert send(cache.port, "PUT", f"/reviews/{review_id}/report").status == 204
    listed = get(cache.port, paths[0])
    assert listed.cache == "MISS"
    assert review_id not in [r["review_id"] for r in listed.json()["results"]]


@pytest.mark.django_db(transaction=True)
def test_a_helpful_vote_keeps_the_counts_and_the_pages_that_neither_show_nor_rank_it(cache):
    ids = product_make(3, reviews=8)
    voted = ids[0]  # the oldest: not on the first newest page of 5
    kept = [
        "/reviews/meta?product_id=3",
        "/v2/products/3/summary",
        "/reviews?product_id=3&count=5&sort=newest",
        "/v2/products/3/reviews?sort=newest&limit=5",
    ]
    purged = ["/reviews?product_id=3&count=5&sort=helpful", "/reviews?product_id=3",
              "/reviews?product_id=3&count=10&sort=newest", f"/reviews/{voted}"]  # fmt: skip
    before = {path: get(cache.port, path) for path in kept + purged}
    assert all(get(cache.port, path).cache == "HIT" for path in kept + purged)
    # Past the age under which a purge of the product's lists refetches any of its young list
    # objects (the race closing, vcl_hit); the counts have a race key of their own.
    time.sleep(5.5)
    assert send(cache.port, "PUT", f"/reviews/{voted}/helpful").status == 204
    for path in kept:
        again = get(cache.port, path)
        assert (again.cache, again.body) == ("HIT", before[path].body), path
    for path in purged:
        again = get(cache.port, path)
        assert again.cache == "MISS", path
    assert get(cache.port, f"/reviews/{voted}").json()["helpfulness"] == 1


@pytest.mark.django_db(transaction=True)
def test_every_moderation_write_makes_the_next_read_fresh(cache):
    review_id = product_make(1)[0]
    meta, detail = "/reviews/meta?product_id=1", f"/reviews/{review_id}"

    warm(cache.port, [meta, detail])
    services.review_respond(review_id=review_id, response="Thank you!")
    assert get(cache.port, detail).json()["response"] == "Thank you!"

    warm(cache.port, [meta, detail])
    services.reviews_hide(review_ids=[review_id])
    assert get(cache.port, detail).status == 404
    reported = get(cache.port, meta)
    assert reported.cache == "MISS"

    warm(cache.port, [meta])
    services.reviews_restore(review_ids=[review_id])
    assert get(cache.port, detail).status == 200
    assert get(cache.port, meta).body != reported.body

    warm(cache.port, [meta, detail])
    services.reviews_remove(review_ids=[review_id])
    assert get(cache.port, detail).status == 404
    assert get(cache.port, meta).cache == "MISS"


@pytest.mark.django_db(transaction=True)
def test_refresh_meta_purges_the_products_it_corrected(cache):
    product_make(1)
    product_make(2)
    with connection.cursor() as cursor:  # drift that only a rebuild corrects
        cursor.execute("UPDATE product_meta SET rating_1 = rating_1 + 7 WHERE product_id = 1")
    wrong = get(cache.port, "/reviews/meta?product_id=1")
    warm(cache.port, ["/reviews/meta?product_id=2"])

    call_command("refresh_meta", verbosity=0)

    fixed = get(cache.port, "/reviews/meta?product_id=1")
    assert fixed.cache == "MISS" and fixed.body != wrong.body
    assert get(cache.port, "/reviews/meta?product_id=2").cache == "HIT"


@pytest.mark.django_db(transaction=True)
def test_a_bulk_load_drops_every_cached_answer(cache, tmp_path):
    product_make(1)
    warm(cache.port, ["/reviews/meta?product_id=1"])
    (tmp_path / "reviews.csv").write_text(
        "id,product_id,rating,date,summary,body,recommend,reported,reviewer_name,"
        "reviewer_email,response,helpfulness\n"
        '900001,1,1,1596080481467,"Loaded","A loaded review body.",false,false,loader,'
        "loader@example.com,null,0\n"
    )
    call_command("load_csv", str(tmp_path), rejects=tmp_path / "rejects.csv", verbosity=0)
    meta = get(cache.port, "/reviews/meta?product_id=1")
    assert meta.cache == "MISS"
    assert meta.json()["recommended"]["false"] == "1"


def test_a_purge_that_cannot_be_delivered_is_counted_fails_nothing_and_the_node_is_skipped(
    settings, monkeypatch
):
    settings.CACHE_NODES = [f"http://127.0.0.1:{free_port()}"]  # nothing listens there
    failed_before = httpcache.counts.failed
    httpcache.purger().purge(tags=["c1"], race_key="c1")
    assert httpcache.counts.failed == failed_before + 1
    # Left to the outbox for a while: the next write does not wait on the node again.
    connects = []
    monkeypatch.setattr(httpcache.Node, "purge", lambda node, headers: connects.append(node))
    httpcache.purger().purge(tags=["c2"], race_key="c2")
    assert connects == [] and httpcache.counts.failed == failed_before + 2


@pytest.mark.django_db(transaction=True)
def test_killing_the_cache_fails_no_get_and_it_comes_back_empty(cache):
    product_make(1)
    paths = ["/reviews/meta?product_id=1", "/reviews?product_id=1"]
    warm(cache.port, paths)
    stop = threading.Event()
    statuses: list[int | str] = []  # a status, or the error that stood for one

    def reader():
        conn = http.client.HTTPConnection("127.0.0.1", cache.port, timeout=10)
        for n in range(20_000):  # a bound far above the few seconds this runs
            if stop.is_set():
                break
            try:
                conn.request("GET", paths[n % 2])
                response = conn.getresponse()
                response.read()
                statuses.append(response.status)
            except (OSError, http.client.HTTPException) as exc:
                statuses.append(repr(exc))
                conn.close()
        conn.close()

    readers = [threading.Thread(target=reader) for _ in range(4)]
    for thread in readers:
        thread.start()
    try:
        time.sleep(0.5)
        cache.kill_cache()
        time.sleep(1.5)
    finally:
        stop.set()
        for thread in readers:
            thread.join(timeout=30)
    assert len(statuses) > 100
    assert [s for s in statuses if s != 200] == []
    assert "cache.sock" in (cache.run_dir / "logs" / "nginx-error.log").read_text()

    cache.start_cache()
    # nginx tries the cache again within its fail_timeout (1 s); until then the app servers answer.
    for _ in range(50):
        first = get(cache.port, paths[0])
        if first.cache is not None:
            break
        time.sleep(0.1)
    assert first.cache == "MISS"  # nothing from before the restart
    assert get(cache.port, paths[1]).cache == "MISS"


# -- the race of a miss and a write -------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_no_read_that_starts_after_a_write_is_acknowledged_sees_the_state_before_it(cache):
    """deploy/tests/race.py, on the test database's single server."""
    tracked = {}
    for product_id in HOT_PRODUCTS:
        tracked[product_id] = review_make(product_id=product_id, helpfulness=1000).id
        product_make(product_id, reviews=2)
    race(cache.port, tracked, baseline=dict.fromkeys(HOT_PRODUCTS, 3))
