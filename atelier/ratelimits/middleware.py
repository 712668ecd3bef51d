"""The rate limits in front of the views that declare one (``limits.rate_limited``): the writes of
the public API and the admin sign-in.

A view's policy is the one its mark names for the request's method; its limit comes from the
``RATE_LIMITS`` setting. Every answer of a limited route carries the ``RateLimit`` headers; past
the limit the answer is a JSON 429 with ``Retry-After`` and the view does not run. When the
counters cannot be reached, the request passes and the failure is logged: a database outage is
then answered by the view itself (503), never blamed on the client.
"""

import logging

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, JsonResponse

from atelier.clients import client_address
from atelier.metrics import RATE_LIMIT_REFUSALS, RATE_LIMIT_UNCHECKED
from atelier.ratelimits import limits

logger = logging.getLogger(__name__)


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        outcome = getattr(request, "rate_limit", None)
        if outcome is not None:
            for name, value in outcome.headers.items():
                if not response.has_header(name):  # a view's own refusal names its own limit
                    response[name] = value
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        name = limits.view_rate_limit(view_func, request.method or "")
        if not name:
            return None
        client = client_address(request)
        outcome = limit_check(name, client)
        if outcome is None:
            return None
        request.rate_limit = outcome  # type: ignore[attr-defined]  # ours, read in __call__
        if outcome.allowed:
            return None
        logger.info("rate limit %s: %s refused (%d requests)", name, client, outcome.hits)
        return refusal(outcome, "from one client here")


def refusal(outcome: limits.Outcome, scope: str) -> JsonResponse:
    """The JSON 429 of a request past ``outcome``'s limit; ``scope`` says what the limit counts
    ("from one client here")."""
    detail, headers = refused(outcome, scope)
    response = JsonResponse({"detail": detail}, status=429)
    for name, value in headers.items():
        response[name] = value
    return response


def refused(outcome: limits.Outcome, scope: str) -> tuple[str, dict[str, str]]:
    """Count a refusal under ``outcome``'s limit; the detail and headers of its 429."""
    limit = outcome.policy
    RATE_LIMIT_REFUSALS.labels(limit.name).inc()
    detail = (
        f"Too many requests: at most {limit.quota} per {limit.window} s {scope}. "
        f"Retry after {outcome.reset} s."
    )
    return detail, {"Retry-After": str(outcome.reset), **outcome.headers}


def limit_check(name: str, key: str) -> limits.Outcome | None:
    """Count one request under ``name``'s limit for ``key`` (a client, or a client and what it
    writes to): its outcome, or None when the limit is off or its counters cannot be reached
    (logged; the request passes)."""
    limit = limits.policy(name, settings.RATE_LIMITS.get(name, "off"))
    if limit is None:
        return None
    try:
        return limits.hit(limit, key)
    except DatabaseError as exc:
        logger.warning("rate limit %s not checked (counters unreachable): %s", name, exc)
        RATE_LIMIT_UNCHECKED.labels(name).inc()
        return None
