"""PostgreSQL backend that makes sure the embedded server is up before connecting to it."""

from django.db.backends.postgresql import base as postgresql

from atelier.pgembedded import server


class DatabaseWrapper(postgresql.DatabaseWrapper):
    def get_connection_params(self) -> dict:
        params = super().get_connection_params()
        info = server.ensure_running(database=self.settings_dict["NAME"] or "postgres")
        params["host"] = str(info.socket_dir)
        params["port"] = info.port
        return params
