"""Test-session wiring: leave no embedded PostgreSQL behind that the test run itself started."""

import pytest


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
