"""The admin's session on an API route: the session and its user are built only under /admin/
(atelier.middleware), so a route that store staff may call from the admin's own browser session
loads them itself, for its requests only. DRF's SessionAuthentication then checks the user and
enforces CSRF, as for any session-authenticated API call."""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user
from django.utils.functional import SimpleLazyObject
from drf_spectacular.authentication import SessionScheme
from rest_framework.authentication import SessionAuthentication


class AdminSessionAuthentication(SessionAuthentication):
    def authenticate(self, request):
        django_request = request._request
        if not hasattr(django_request, "session"):
            key = django_request.COOKIES.get(settings.SESSION_COOKIE_NAME)
            django_request.session = import_module(settings.SESSION_ENGINE).SessionStore(key)
            django_request.user = SimpleLazyObject(lambda: get_user(django_request))
        return super().authenticate(request)


class AdminSessionScheme(SessionScheme):
    """The OpenAPI document names it as Django's session cookie (registered on import)."""

    target_class = "atelier.authentication.AdminSessionAuthentication"
