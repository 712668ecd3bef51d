"""Writes made at most once per ``Idempotency-Key`` (the IETF httpapi draft, as Stripe applies it).

The key's row is inserted in the same transaction as the write it guards. A second request with the
same key waits on that row (PostgreSQL's unique index) until the first commits, then gets the first
answer replayed; if the first rolled back (its app server died mid-write), the second makes the
write itself. So a retry never makes a second review, whatever moment the first one failed at.
The same key with a different request is refused (422).
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import orjson
from django.db import connection, transaction
from django.utils import timezone

from reviews.exceptions import IdempotencyKeyReused
from reviews.models import IdempotencyKey

RETENTION = timedelta(hours=24)
KEY_LENGTH_MAX = 255

# idempotency_keys_pkey: the first request with a key inserts its row; the others wait on it.
IDEMPOTENCY_KEYS_CLAIM = """
INSERT INTO idempotency_keys (key, fingerprint, status, location, created_at)
VALUES (%(key)s, %(fingerprint)s, 0, NULL, now())
ON CONFLICT (key) DO NOTHING
RETURNING key"""
IDEMPOTENCY_KEYS_ANSWER = (
    "UPDATE idempotency_keys SET status = %(status)s, location = %(location)s WHERE key = %(key)s"
)


@dataclass(frozen=True)
class Answer:
    status: int
    location: str | None = None


def request_fingerprint(method: str, path: str, body: object = None) -> str:
    """The same request, whatever the order of its JSON keys: same fingerprint."""
    document = orjson.dumps([method, path, body], option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(document).hexdigest()


def answer_once(*, key: str, fingerprint: str, write: Callable[[], Answer]) -> Answer:
    """Run ``write`` unless a request with ``key`` already ran; return the answer either way."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(IDEMPOTENCY_KEYS_CLAIM, {"key": key, "fingerprint": fingerprint})
            claimed = cursor.fetchone() is not None
        if claimed:
            answer = write()
            with connection.cursor() as cursor:
                cursor.execute(
                    IDEMPOTENCY_KEYS_ANSWER,
                    {"key": key, "status": answer.status, "location": answer.location},
                )
            return answer
    stored = IdempotencyKey.objects.get(pk=key)
    if stored.fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    return Answer(status=stored.status, location=stored.location)


def idempotency_keys_expire(*, now=None) -> int:
    """Delete the keys older than the retention; return how many."""
    cutoff = (now or timezone.now()) - RETENTION
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
