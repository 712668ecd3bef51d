"""Test-session wiring: static files without ``collectstatic``, and no embedded PostgreSQL left
behind that the test run itself started."""

import pytest


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """The manifest storage needs `collectstatic` (a clean clone has none); pages rendered in tests
    (admin, Swagger UI) only need the URLs."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


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
