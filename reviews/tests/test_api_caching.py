"""What the API tells an HTTP cache and browsers (ETag, 304, Cache-Control, tags), and the purges
its writes send once they commit, received by a real HTTP server standing in for a cache node."""

import pytest
from django.db import transaction

from reviews import services
from reviews.invalidation import TAGGED_REVIEWS_MAX, race_key
from reviews.tests.factories import review_make


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/reviews/meta?product_id=7", "/reviews?product_id=7"])
def test_a_read_has_a_strong_etag_and_asks_browsers_to_revalidate(client, path):
    review_make(product_id=7)
    response = client.get(path)
    assert response.status_code == 200
    assert response["ETag"].startswith('"') and len(response["ETag"]) == 34
    assert response["Cache-Control"] == "no-cache"
    assert "xkey" not in response  # no cache configured: nothing to tag for it


@pytest.mark.django_db
def test_the_etag_changes_with_the_content_and_a_match_gets_304(client):
    review = review_make(product_id=7)
    etag = client.get("/reviews/meta?product_id=7")["ETag"]
    not_modified = client.get("/reviews/meta?product_id=7", HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified["ETag"] == etag
    services.review_mark_helpful(review_id=review.id, voter="v")  # meta unchanged: same ETag
    assert client.get("/reviews/meta?product_id=7")["ETag"] == etag
    review_make(product_id=7, rating=1)
    changed = client.get("/reviews/meta?product_id=7", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


@pytest.mark.django_db
def test_with_a_cache_configured_answers_carry_the_tags_of_what_they_show(client, cache_node):
    first, second = review_make(product_id=1234), review_make(product_id=1234)
    shown = f"r{first.id} r{second.id}"
    expected = {
        "/reviews/meta?product_id=1234": "c1234",
        "/v2/products/1234/summary": "c1234",
        # Newest first: helpful votes change what the page shows, not its order.
        "/reviews/?product_id=1234&sort=newest": f"l1234 {shown}",
        "/v2/products/1234/reviews?sort=newest": f"l1234 {shown}",
        "/v2/products/1234/reviews?sort=oldest": f"l1234 {shown}",
        # Sorted by votes: any vote on the product's reviews may reorder them.
        "/reviews/?product_id=1234&sort=helpful": f"l1234 v1234 {shown}",
        "/reviews/?product_id=1234": f"l1234 v1234 {shown}",
        "/v2/products/1234/reviews?sort=helpful": f"l1234 v1234 {shown}",
        f"/reviews/{first.id}": f"r{first.id}",
    }
    for path, tags in expected.items():
        response = client.get(path)
        assert response.status_code == 200, path
        counts = tags.startswith("c")  # counts race apart from lists and reviews
        assert response["X-Cache-Race"] == race_key(1234, counts=counts) == ("c" * counts + "234")
        assert sorted(response["xkey"].split()) == sorted(tags.split()), path
    assert "xkey" not in client.get("/reviews?product_id=abc")  # errors are never tagged


@pytest.mark.django_db
def test_a_list_page_too_long_to_name_its_reviews_stands_for_any_of_them(client, cache_node):
    for _ in range(TAGGED_REVIEWS_MAX + 1):
        review_make(product_id=1235)
    response = client.get("/reviews/?product_id=1235&sort=newest&count=1000")
    assert response["xkey"] == "l1235 a1235"
    response = client.get(f"/reviews/?product_id=1235&sort=newest&count={TAGGED_REVIEWS_MAX}")
    tags = response["xkey"].split()
    assert tags[0] == "l1235" and len(tags) == 1 + TAGGED_REVIEWS_MAX and "a1235" not in tags


@pytest.mark.django_db(transaction=True)
def test_each_write_purges_what_it_changed_once_it_has_committed(client, cache_node):
    review = review_make(product_id=55)
    response = client.post(
        "/reviews",
        {
            "product_id": 55,
            "rating": 5,
            "body": "Purged on commit.",
            "recommend": True,
            "name": "tester",
            "email": "tester@example.com",
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    counts = {"xkey": "c55", "race": "c55"}  # the counts, under a race key of their own
    assert cache_node == [counts, {"xkey": "l55", "race": "55"}]  # and the lists

    assert client.put(f"/reviews/{review.id}/helpful").status_code == 204
    assert client.put(f"/reviews/{review.id}/report").status_code == 204
    services.review_respond(review_id=review.id, response="Thanks")
    services.reviews_restore(review_ids=[review.id])
    assert cache_node[2:] == [
        {"xkey": f"v55 a55 r{review.id}", "race": "55"},  # a vote: what shows it, ranked lists
        counts,  # hidden
        {"xkey": f"l55 r{review.id}", "race": "55"},
        {"xkey": f"a55 r{review.id}", "race": "55"},  # a response: what shows the review
        counts,  # restored
        {"xkey": f"l55 r{review.id}", "race": "55"},
    ]


@pytest.mark.django_db(transaction=True)
def test_nothing_is_purged_when_the_write_changes_nothing(client, cache_node):
    assert client.put("/reviews/999999/helpful").status_code == 404
    review = review_make(product_id=56)
    assert client.put(f"/reviews/{review.id}/helpful").status_code == 204
    cache_node.clear()
    assert client.put(f"/reviews/{review.id}/helpful").status_code == 204  # the same voter again
    assert services.reviews_restore(review_ids=[999999]) == 0
    assert cache_node == []


@pytest.mark.django_db(transaction=True)
def test_a_write_whose_transaction_rolls_back_purges_nothing(cache_node):
    review = review_make(product_id=8)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.review_mark_helpful(review_id=review.id, voter="v")
        assert cache_node == []  # not before the commit
        raise RuntimeError("rolled back")
    assert cache_node == []
    services.review_mark_helpful(review_id=review.id, voter="v")
    assert cache_node == [{"xkey": f"v8 a8 r{review.id}", "race": "8"}]


@pytest.mark.django_db(transaction=True)
def test_a_v2_vote_purges_only_when_the_count_changes(client, cache_node):
    review = review_make(product_id=57)
    expected = {"xkey": f"v57 a57 r{review.id}", "race": "57"}

    def vote(value: str, token: str = "voter-1") -> int:
        return client.put(
            f"/v2/reviews/{review.id}/vote",
            {"value": value},
            content_type="application/json",
            HTTP_X_VOTER=token,
        ).json()["helpfulness"]

    assert vote("none") == 0  # no vote to take back
    assert cache_node == []
    assert vote("up") == 1
    assert cache_node == [expected]
    assert vote("up") == 1  # the same voter again
    assert cache_node == [expected]
    assert vote("none") == 0
    assert cache_node == [expected] * 2


@pytest.mark.django_db(transaction=True)
def test_a_v2_report_purges_when_it_hides_the_review_only(client, cache_node):
    review = review_make(product_id=58)

    def report(token: str) -> int:
        return client.post(
            f"/v2/reviews/{review.id}/reports",
            {"reason": "spam"},
            content_type="application/json",
            HTTP_X_VOTER=token,
        ).status_code

    assert report("reporter-1") == 201
    assert cache_node == [
        {"xkey": "c58", "race": "c58"},
        {"xkey": f"l58 r{review.id}", "race": "58"},
    ]
    cache_node.clear()
    assert report("reporter-2") == 404  # already hidden: nothing cached changes
    assert cache_node == []
    services.reviews_restore(review_ids=[review.id])
    cache_node.clear()
    assert report("reporter-1") == 200  # a report it was restored over: it stays visible
    assert cache_node == []
