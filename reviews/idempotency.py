"""Writes made at most once per ``Idempotency-Key`` (the IETF httpapi draft, as Stripe applies it).

The key's row is inserted in the same transaction as the write it guards. A second request with the
same key waits on that row (PostgreSQL's unique index) until the first commits, then gets the first
answer replayed; if the first rolled back (its app server died mid-write), the second makes the
write itself. So a retry never makes a second review, whatever moment the first one failed at.
The same key with a different request is refused (``IdempotencyKeyReused``). A key belongs to the
client that sent it: another client's same key is another key.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import orjson
from django.db import connection, transaction
from django.utils import timezone

from reviews.errors import IdempotencyKeyReused
from reviews.models import IdempotencyKey

RETENTION = timedelta(hours=24)
KEY_LENGTH_MAX = 255

# idempotency_keys_pkey: the first request with a key inserts its row; the others wait on it.
IDEMPOTENCY_KEYS_CLAIM = """
INSERT INTO idempotency_keys (key, fingerprint, status, location, body, created_at)
VALUES (%(key)s, %(fingerprint)s, 0, NULL, NULL, now())
ON CONFLICT (key) DO NOTHING
RETURNING key"""
IDEMPOTENCY_KEYS_ANSWER = """
UPDATE idempotency_keys SET status = %(status)s, location = %(location)s, body = %(body)s
 WHERE key = %(key)s"""


@dataclass(frozen=True)
class Answer:
    """What a write answers, all of it kept for a retry: its status, the Location of what it
    made, and its JSON body."""

    status: int
    location: str | None = None
    body: bytes | None = None  # JSON


def scoped_key(client: str, key: str) -> str:
    """The stored key: the client's voter hash, then the key as sent."""
    return f"{client} {key}"


def request_fingerprint(method: str, path: str, body: object = None) -> str:
    """The same request, whatever the order of its JSON keys: same fingerprint."""
    document = orjson.dumps([method, path, body], option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(document).hexdigest()


def answer_once(*, client: str, key: str, fingerprint: str, write: Callable[[], Answer]) -> Answer:
    """Run ``write`` unless ``client``'s request with ``key`` already ran; return its answer
    either way."""
    key = scoped_key(client, key)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(IDEMPOTENCY_KEYS_CLAIM, {"key": key, "fingerprint": fingerprint})
            claimed = cursor.fetchone() is not None
        if claimed:
            answer = write()
            with connection.cursor() as cursor:
                cursor.execute(
                    IDEMPOTENCY_KEYS_ANSWER,
                    {
                        "key": key,
                        "status": answer.status,
                        "location": answer.location,
                        "body": None if answer.body is None else answer.body.decode(),
                    },
                )
            return answer
    stored = IdempotencyKey.objects.get(pk=key)
    if stored.fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    body = None if stored.body is None else stored.body.encode()
    return Answer(status=stored.status, location=stored.location, body=body)


def idempotency_keys_expire(*, now=None) -> int:
    """Delete the keys older than the retention; return how many."""
    cutoff = (now or timezone.now()) - RETENTION
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
