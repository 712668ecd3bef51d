"""Middleware of the project: HEAD answered without a body, what only the admin (and the docs)
need run only for them, and a 503 for a page whose database cannot be reached.

The public API and the health check use no session, user or flash message, yet building them for
each request (a cookie signer, a message store, a lazy user) cost about a tenth of a review read's
Python time. These subclasses run Django's middleware only under the admin's URL prefix; being
subclasses, they still satisfy the admin's system checks.
"""

from csp.middleware import CSPMiddleware
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.deprecation import MiddlewareMixin

from atelier.db import unavailable


class HeadWithoutBodyMiddleware:
    """A HEAD answer is the GET's headers without its body (RFC 9110). Django's handler leaves
    the body in, which gunicorn drops with a warning on every HEAD."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.method == "HEAD" and isinstance(response, HttpResponse):
            if not response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
            response.content = b""
        return response


class AdminOnly(MiddlewareMixin):
    """Put first among the bases of a Django middleware (itself a MiddlewareMixin)."""

    def __init__(self, get_response):
        super().__init__(get_response)
        self.prefixes = self.prefixes_get()

    @staticmethod
    def prefixes_get() -> tuple[str, ...]:
        return (reverse("admin:index"),)

    def __call__(self, request):
        if request.path_info.startswith(self.prefixes):
            return super().__call__(request)
        return self.get_response(request)


class AdminSessionMiddleware(AdminOnly, SessionMiddleware):
    pass


class AdminAuthenticationMiddleware(AdminOnly, AuthenticationMiddleware):
    pass


class AdminMessageMiddleware(AdminOnly, MessageMiddleware):
    pass


class PagesCSPMiddleware(AdminOnly, CSPMiddleware):
    """The Content-Security-Policy of the HTML pages: the admin's and the API docs'. (The API
    answers JSON, which no browser runs.)"""

    @staticmethod
    def prefixes_get() -> tuple[str, ...]:
        return (reverse("admin:index"), reverse("swagger-ui"))


class DatabaseUnavailableMiddleware:
    """A page outside the API (the admin) whose database cannot be reached, or is a standby
    since a failover, answers 503 with ``Retry-After`` like the API, never a 500. (The API's
    views answer their own: reviews.exceptions.)"""

    RETRY_AFTER_SECONDS = 5

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not unavailable(exception):
            return None
        response = JsonResponse(
            {"detail": "Service temporarily unavailable: the database cannot be reached."},
            status=503,
        )
        response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        return response
