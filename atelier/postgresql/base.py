"""Django's PostgreSQL backend with a cheaper connection health check, and prepared statements
for the hot reads.

With ``CONN_HEALTH_CHECKS``, Django checks a persistent connection before each request's first
query by running ``SELECT 1``: one more round trip per request, about a tenth of a review read's
cost on both sides. Between requests a healthy connection is idle and has nothing to read; when the
server ends it (restart, crash, ``pg_terminate_backend``) it sends an error and closes the socket,
which makes the socket readable. So polling the socket tells the same thing for a system call.
"""

import select
import time

import psycopg
from django.conf import settings
from django.db.backends.postgresql import base as postgresql
from psycopg import pq

# Django binds parameters client-side (psycopg's ClientCursor), so PostgreSQL parses and plans
# every statement anew. A server-side binding cursor lets psycopg prepare a statement once it has
# run prepare_threshold (5) times on a connection: the hot reads then skip planning, which was
# about a third of their time in PostgreSQL. (Django turns automatic preparation off unless
# OPTIONS asks for it; client-side cursors never prepare either way.)
PREPARE_THRESHOLD = 5
# Between two attempts to connect while no server takes the connection.
CONNECT_RETRY_SECONDS = 0.2


class DatabaseWrapper(postgresql.DatabaseWrapper):
    def get_connection_params(self) -> dict:
        params = super().get_connection_params()
        if params.get("prepare_threshold") is None:
            params["prepare_threshold"] = PREPARE_THRESHOLD
        return params

    def get_new_connection(self, conn_params):
        """Connect, retrying for up to ``DATABASE_CONNECT_WAIT_SECONDS`` while no server takes
        the connection: during a planned switchover of an HA database there is no leader for a
        few seconds, and a request that waits for the next one is better served than refused.
        Retrying a connection is always safe: nothing was sent. (0, the default: one attempt.)"""
        deadline = time.monotonic() + settings.DATABASE_CONNECT_WAIT_SECONDS
        while True:
            try:
                return super().get_new_connection(conn_params)
            except psycopg.OperationalError:
                if time.monotonic() + CONNECT_RETRY_SECONDS > deadline:
                    raise
                time.sleep(CONNECT_RETRY_SECONDS)

    def is_usable(self) -> bool:
        conn = self.connection
        if conn is None or conn.closed or conn.broken:
            return False
        if conn.info.transaction_status != pq.TransactionStatus.IDLE:
            return super().is_usable()  # mid-transaction: only a query can tell
        try:
            readable, _, _ = select.select([conn.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        # Anything waiting on an idle connection is the server's goodbye (or, rarely, a notice):
        # either way a fresh connection is the safe choice.
        return not readable

    def prepared_cursor(self):
        """A cursor (with Django's query logging and error wrapping) whose statements psycopg
        prepares after their PREPARE_THRESHOLD-th run on this connection."""
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            # The stubs give ServerBindingCursor no psycopg Cursor base (it takes the connection)
            # and leave out Django's private _prepare_cursor, which wraps it as cursor() does.
            cursor = postgresql.ServerBindingCursor(self.connection)  # type: ignore[call-arg]
            return self._prepare_cursor(cursor)  # type: ignore[attr-defined]
