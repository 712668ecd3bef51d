"""Idempotency-Key on POST /reviews and PUT .../helpful: a retried write happens once."""

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connections
from django.test import Client
from django.utils import timezone

from reviews.models import IdempotencyKey, Review
from reviews.tests.factories import review_make

BODY = {
    "product_id": 31, "rating": 4, "body": "Posted once, however often it is sent.",
    "recommend": True, "name": "retrier", "email": "retrier@example.com",
}  # fmt: skip


def post(client: Client, body: dict, key: str | None):
    headers: dict[str, Any] = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post("/reviews", json.dumps(body), content_type="application/json", **headers)


@pytest.mark.django_db
def test_a_retry_with_the_same_key_and_body_replays_the_first_answer(client):
    first = post(client, BODY, "key-1")
    reordered = dict(reversed(list(BODY.items())))  # the same JSON, keys in another order
    again = post(client, reordered, "key-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Location"] == first["Location"]
    assert again.content == first.content == b"Created"
    assert Review.objects.filter(product_id=31).count() == 1


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_refused(client):
    assert post(client, BODY, "key-2").status_code == 201
    other = post(client, {**BODY, "rating": 1}, "key-2")
    assert other.status_code == 422
    assert "already used for a different request" in other.json()["detail"]
    assert Review.objects.filter(product_id=31).count() == 1


@pytest.mark.django_db
def test_without_a_key_each_post_is_a_new_review(client):
    assert [post(client, BODY, None).status_code for _ in range(2)] == [201, 201]
    assert Review.objects.filter(product_id=31).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "x" * 256, "clé", "tab\there"])
def test_a_malformed_key_is_a_400(client, key):
    response = post(client, BODY, key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]
    assert not Review.objects.exists()


@pytest.mark.django_db
def test_a_failed_write_keeps_no_key_so_a_corrected_retry_goes_through(client):
    bad = {**BODY, "characteristics": {"999999": 5}}  # not a characteristic of the product
    assert post(client, bad, "key-3").status_code == 422
    assert not IdempotencyKey.objects.filter(key__endswith=" key-3").exists()
    assert post(client, BODY, "key-3").status_code == 201


@pytest.mark.django_db
def test_a_helpful_vote_with_a_key_counts_once(client):
    review = review_make(product_id=32)
    statuses = [
        client.put(f"/reviews/{review.id}/helpful", HTTP_IDEMPOTENCY_KEY="vote-1").status_code
        for _ in range(3)
    ]
    assert statuses == [204, 204, 204]
    review.refresh_from_db()
    assert review.helpfulness == 1
    other = client.put("/reviews/999999/helpful", HTTP_IDEMPOTENCY_KEY="vote-2")
    assert other.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_fifty_parallel_identical_posts_with_one_key_make_one_review():
    def send(_):
        try:
            return post(Client(), BODY, "parallel-key")
        finally:
            connections.close_all()  # each thread's own connection

    with ThreadPoolExecutor(max_workers=50) as pool:
        responses = list(pool.map(send, range(50)))
    assert {r.status_code for r in responses} == {201}
    assert len({r["Location"] for r in responses}) == 1
    assert Review.objects.filter(product_id=31).count() == 1


@pytest.mark.django_db
def test_keys_older_than_a_day_are_expired_by_the_command(client, capsys):
    post(client, BODY, "old-key")
    post(client, {**BODY, "rating": 2}, "new-key")
    IdempotencyKey.objects.filter(key__endswith=" old-key").update(
        created_at=timezone.now() - timedelta(hours=24, minutes=1)
    )
    call_command("idempotency_expire")
    assert "1 idempotency keys older than 1 day, 0:00:00 deleted" in capsys.readouterr().out
    [kept] = IdempotencyKey.objects.values_list("key", flat=True)
    assert kept.endswith(" new-key")


@pytest.mark.django_db
def test_a_key_belongs_to_its_client_another_clients_same_key_is_another_write(client):
    first = post(client, BODY, "shared-key")
    other = client.post(
        "/reviews",
        json.dumps(BODY),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="shared-key",
        REMOTE_ADDR="192.0.2.50",
    )
    assert (first.status_code, other.status_code) == (201, 201)
    assert first["Location"] != other["Location"]  # not the first client's answer replayed
    assert Review.objects.filter(product_id=31).count() == 2


@pytest.mark.django_db
def test_a_key_squatted_by_another_client_does_not_drop_a_helpful_vote(client):
    review = review_make(product_id=33)
    squatter = {"HTTP_IDEMPOTENCY_KEY": "victim-key", "REMOTE_ADDR": "192.0.2.51"}
    assert client.put("/reviews/999999/helpful", **squatter).status_code == 404
    assert client.put(f"/reviews/{review.id}/helpful", **squatter).status_code == 204
    victim = {"HTTP_IDEMPOTENCY_KEY": "victim-key", "REMOTE_ADDR": "192.0.2.52"}
    assert client.put(f"/reviews/{review.id}/helpful", **victim).status_code == 204
    review.refresh_from_db()
    assert review.helpfulness == 2
