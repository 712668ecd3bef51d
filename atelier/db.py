"""Database helpers the queries outside the ORM use: their one, typed home."""

from django.db import connection
from django.db.backends.utils import CursorWrapper


def prepared_cursor() -> CursorWrapper:
    """A cursor whose statements PostgreSQL prepares after a few runs on this connection: the
    project's backend (``atelier.postgresql``, under ``DATABASE_URL`` and the embedded server
    alike) has one; any other backend gives its plain cursor, so the queries still run."""
    prepared = getattr(connection, "prepared_cursor", None)
    return prepared() if prepared is not None else connection.cursor()
