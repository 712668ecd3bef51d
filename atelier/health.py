"""GET /health: whether this app server can reach its database (200) or not (503); GET
/health/live: whether it answers at all (200), whatever the database.

nginx and operators ask each app server directly; a 503 carries ``Retry-After`` so a balancer
or a client knows the server is alive but cannot serve yet. The cache probes /health/live: a
database that is down is every app server's, and the app's own JSON 503 says so better than a
cache with no backend left.
"""

import logging

from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    # Anything that stops a query (refused connection, a server that failed to start, a broken
    # socket) means "cannot serve": a health check answers 503 for it, never 500.
    except Exception:
        logger.warning("health check: database unreachable", exc_info=True)
        response = JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return JsonResponse({"status": "ok", "database": "ok"})


@never_cache
@require_safe
def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})
