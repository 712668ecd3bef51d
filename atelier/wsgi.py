"""WSGI entry point for gunicorn: the hot path (atelier.hotpath) in front of Django, which answers
the common read itself, with the screen's model loaded before the first request when the workflow
screens. ``ATELIER_HOT_PATH=false`` serves every request through Django. Serving
never starts the embedded database: commands do."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atelier.settings")
os.environ.setdefault("ATELIER_EMBEDDED_DB_AUTOSTART", "false")

django_application = get_wsgi_application()


def hot_path_application():
    from django.conf import settings

    from atelier.hotpath import HotPath
    from reviews.hot import READS
    from reviews.screening import model_load

    model_load()
    return HotPath(django_application, READS if settings.HOT_PATH else {})


application = hot_path_application()
