"""WSGI entry point for gunicorn. Serving never starts the embedded database: commands do."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atelier.settings")
os.environ.setdefault("ATELIER_EMBEDDED_DB_AUTOSTART", "false")

application = get_wsgi_application()
