"""PostgreSQL backend for the embedded server: commands start it when needed, requests never do.

A command (``migrate``, ``embedded_db start``, the cluster, a test run) makes sure the server is up
before connecting. An app server only connects to a running one (``EMBEDDED_POSTGRES_AUTOSTART``
is off under ``atelier.wsgi``): when it is stopped or restarting, the connection fails like any
unreachable database (a ``503``), an operator's stop holds, and no request waits for a start.
"""

from django.conf import settings

from atelier.pgembedded import server
from atelier.postgresql import base as postgresql


class DatabaseWrapper(postgresql.DatabaseWrapper):
    def get_connection_params(self) -> dict:
        params = super().get_connection_params()
        if settings.EMBEDDED_POSTGRES_AUTOSTART:
            info = server.ensure_running(database=self.settings_dict["NAME"] or "postgres")
        else:
            info = server.running()
        params["host"] = str(info.socket_dir)
        params["port"] = info.port
        return params
