"""PostgreSQL backend that makes sure the embedded server is up before connecting to it."""

from atelier.pgembedded import server
from atelier.postgresql import base as postgresql


class DatabaseWrapper(postgresql.DatabaseWrapper):
    def get_connection_params(self) -> dict:
        params = super().get_connection_params()
        info = server.ensure_running(database=self.settings_dict["NAME"] or "postgres")
        params["host"] = str(info.socket_dir)
        params["port"] = info.port
        return params
