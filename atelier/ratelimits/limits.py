"""Rate limits per client, counted in PostgreSQL so that every app server shares them.

Each policy allows ``quota`` requests per client in fixed windows of ``window`` seconds, on the
database's clock. One statement per limited request counts it and says how many the client made
in the window and when the window ends; the answer carries them as the ``RateLimit`` and
``RateLimit-Policy`` headers of the IETF httpapi draft (draft-ietf-httpapi-ratelimit-headers).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from atelier.db import prepared_cursor

UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
LIMIT_FORMAT = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd]?)\s*$")


@dataclass(frozen=True)
class Policy:
    name: str
    quota: int
    window: int  # seconds

    @property
    def header(self) -> str:
        return f'"{self.name}";q={self.quota};w={self.window}'


@lru_cache(maxsize=64)
def policy(name: str, limit: str) -> Policy | None:
    """``limit`` as "COUNT/PERIOD" (PERIOD a number of seconds, or with a unit: 10m, 1h, 1d; a
    bare unit means one), or "off" (None: no limit)."""
    if limit.strip().lower() == "off":
        return None
    match = LIMIT_FORMAT.match(limit)
    if match is None or int(match[1]) < 1 or (match[2] and int(match[2]) < 1):
        raise ImproperlyConfigured(
            f"rate limit {name}: {limit!r} is not COUNT/PERIOD (like 20/1h or 60/60) or off"
        )
    return Policy(name, int(match[1]), int(match[2] or 1) * UNITS[match[3]])


View = TypeVar("View", bound=Callable)


def rate_limited(name: str, *, methods: tuple[str, ...] = ()) -> Callable[[View], View]:
    """Declare, on the view it guards, that ``name``'s limit (``settings.RATE_LIMITS``) counts
    each request to it: those of ``methods`` only, when given. The middleware reads the mark."""

    def mark(view: View) -> View:
        view.rate_limit = (name, frozenset(methods))  # type: ignore[attr-defined]
        return view

    return mark


def view_rate_limit(view: Callable, method: str) -> str | None:
    """The limit a request with ``method`` to ``view`` counts against, if any: its mark, or for a
    DRF viewset the mark of the action ``method`` routes to."""
    marked: object = view
    actions = getattr(view, "actions", None)  # what ViewSet.as_view() routes, by method
    if actions is not None:
        marked = getattr(view.cls, actions.get(method.lower(), ""), None)  # type: ignore[attr-defined]
    name, methods = getattr(marked, "rate_limit", (None, frozenset()))
    return name if not methods or method in methods else None


@dataclass(frozen=True)
class Outcome:
    policy: Policy
    hits: int  # this request included
    reset: int  # seconds until the window ends

    @property
    def allowed(self) -> bool:
        return self.hits <= self.policy.quota

    @property
    def headers(self) -> dict[str, str]:
        remaining = max(self.policy.quota - self.hits, 0)
        return {
            "RateLimit-Policy": self.policy.header,
            "RateLimit": f'"{self.policy.name}";r={remaining};t={self.reset}',
        }


# rate_limit_counters_pkey: the client's row for the policy, started again in each new window.
COUNTER_HIT = """
WITH clock AS (SELECT extract(epoch FROM statement_timestamp()) AS now)
INSERT INTO rate_limit_counters AS counter (bucket, window_start, hits)
SELECT %(bucket)s, floor(now / %(window)s)::bigint * %(window)s, 1 FROM clock
ON CONFLICT (bucket) DO UPDATE
   SET hits = CASE WHEN counter.window_start = EXCLUDED.window_start
                   THEN counter.hits + (counter.hits < 2147483647)::int ELSE 1 END,
       window_start = EXCLUDED.window_start
RETURNING hits, ceil(counter.window_start + %(window)s - (SELECT now FROM clock))::int"""


def hit(limit: Policy, client: str) -> Outcome:
    """Count one request of ``client`` under ``limit``. Raises the database's errors."""
    with prepared_cursor() as cursor:  # planned once per connection
        cursor.execute(COUNTER_HIT, {"bucket": f"{limit.name} {client}", "window": limit.window})
        hits, reset = cursor.fetchone()
    return Outcome(limit, hits, max(reset, 1))


# Counters whose window ended long ago (ratelimits_expire): clients not seen since.
COUNTERS_EXPIRE = """
DELETE FROM rate_limit_counters
 WHERE window_start < extract(epoch FROM statement_timestamp()) - %(seconds)s"""


def counters_expire(*, older_than_seconds: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(COUNTERS_EXPIRE, {"seconds": older_than_seconds})
        return cursor.rowcount
