"""Database helpers the queries outside the ORM use: their one, typed home."""

import psycopg
from django.db import InterfaceError, InternalError, OperationalError, connection
from django.db.backends.utils import CursorWrapper


def prepared_cursor() -> CursorWrapper:
    """A cursor whose statements PostgreSQL prepares after a few runs on this connection: the
    project's backend (``atelier.postgresql``, under ``DATABASE_URL`` and the embedded server
    alike) has one; any other backend gives its plain cursor, so the queries still run."""
    prepared = getattr(connection, "prepared_cursor", None)
    return prepared() if prepared is not None else connection.cursor()


def unavailable(exc: BaseException) -> bool:
    """Whether a database error means "cannot serve now", not a fault of the request: the server
    cannot be reached or went away (OperationalError, InterfaceError), or this connection's node
    no longer takes writes (a failover made it a standby). The connection is then closed, so that
    the next request connects again, to whichever node leads by then."""
    read_only = isinstance(exc, InternalError) and isinstance(
        exc.__cause__, psycopg.errors.ReadOnlySqlTransaction
    )
    if read_only:
        connection.close()
    return read_only or isinstance(exc, OperationalError | InterfaceError)
