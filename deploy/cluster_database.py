"""The database side of the local cluster: the app servers' environment (which database they use,
their gunicorn settings) and the embedded PostgreSQL server, started with the cluster when it was
not running and stopped with it.
"""

from __future__ import annotations

import os
import sys
from urllib.parse import urlsplit, urlunsplit

from deploy.cluster_config import REPO, Settings


def app_environment(settings: Settings, database_url: str | None = None) -> dict[str, str]:
    """The environment of the app servers: ours, pointed at ``database_url`` (the HA database)
    or else at ``settings.database`` if given."""
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="atelier.settings", PYTHONUNBUFFERED="1")
    env.update(settings.environment)
    if not settings.limits:
        env["ATELIER_RATE_LIMITS"] = "off"
    # Two worker processes a core in all, whatever the number of app servers (the balancing
    # study: four app servers of two workers on two cores served 23% less than of one).
    workers = settings.workers
    if workers is None and "GUNICORN_WORKERS" not in env:
        workers = max(1, 2 * (os.cpu_count() or 1) // settings.apps)
    for name, value in [
        ("GUNICORN_WORKERS", workers),
        ("GUNICORN_WORKER_CLASS", settings.worker_class),
        ("GUNICORN_THREADS", settings.threads),
    ]:
        if value is not None:
            env[name] = str(value)
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    elif settings.database:
        if env.get("DATABASE_URL"):
            parts = urlsplit(env["DATABASE_URL"])
            env["DATABASE_URL"] = urlunsplit(parts._replace(path="/" + settings.database))
        else:
            env["ATELIER_DB_NAME"] = settings.database
    return env


def _django() -> None:
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atelier.settings")
    import django

    django.setup()


def database_start(database: str | None) -> bool:
    """Make sure the embedded server runs (no-op with DATABASE_URL); True if we started it."""
    _django()
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "atelier.pgembedded":
        return False
    from atelier.pgembedded import server

    was_running = server.status() is not None
    server.ensure_running(database=database or settings.DATABASES["default"]["NAME"])
    return not was_running


def database_stop() -> None:
    _django()
    from atelier.pgembedded import server

    server.stop()
