"""Test-session wiring: static files without ``collectstatic``, rate limits only where a test is
about them, and no embedded PostgreSQL left behind that the test run itself started."""

import pytest


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """The manifest storage needs `collectstatic` (a clean clone has none); pages rendered in tests
    (admin, Swagger UI) only need the URLs."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def rate_limits_off(request, settings):
    """Tests post and vote far more than a shopper: only tests marked ``rate_limits`` count them."""
    if request.node.get_closest_marker("rate_limits") is None:
        settings.RATE_LIMITS = dict.fromkeys(settings.RATE_LIMITS, "off")


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "atelier.pgembedded":
        return
    from django.db import connections

    from atelier.pgembedded import server

    connections.close_all()
    if server.started_by_this_process:
        server.stop()
