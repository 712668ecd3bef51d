"""Request ids: each request is known by the id nginx gives it (X-Request-ID, a client's own when
it sent a well-formed one), or one made here when there is no nginx in front. It is on every log
line written while the request is served, and on the answer.
"""

import contextvars
import logging
import re
import uuid

from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest

HEADER = "X-Request-ID"
WELL_FORMED = re.compile(r"[A-Za-z0-9._-]{1,64}")

current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        given = request.headers.get(HEADER, "")
        request_id = given if WELL_FORMED.fullmatch(given) else uuid.uuid4().hex
        current.set(request_id)  # until the request is finished: Django logs a 4xx after us
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


@receiver(request_finished)
def request_id_forget(**kwargs) -> None:
    current.set("-")


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on each log record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current.get()
        return True
