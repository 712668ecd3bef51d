"""Middleware that only the admin (and the docs) need runs only for them.

The public API and the health check use no session, user or flash message, yet building them for
each request (a cookie signer, a message store, a lazy user) cost about a tenth of a review read's
Python time. These subclasses run Django's middleware only under the admin's URL prefix; being
subclasses, they still satisfy the admin's system checks.
"""

from csp.middleware import CSPMiddleware
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.urls import reverse
from django.utils.deprecation import MiddlewareMixin


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
