"""Database helpers the queries outside the ORM use: their one, typed home; which errors mean the
database is unavailable; and where a public read goes (a replica, or the leader)."""

import logging
from contextlib import contextmanager
from contextvars import ContextVar

import psycopg
from django.db import (
    DatabaseError,
    InterfaceError,
    InternalError,
    OperationalError,
    connection,
    connections,
)
from django.db.backends.utils import CursorWrapper

from atelier.metrics import REPLICA_READS

logger = logging.getLogger(__name__)

REPLICA = "replica"  # the DATABASES alias of the replicas (DATABASE_REPLICA_URL)


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


# -- reads on replicas ------------------------------------------------------------------------
# A public read may go to a replica (DATABASES["replica"]) only when that replica has applied
# every write whose cache purge came before the read. Each purge carries the leader's WAL position
# after its write committed (``purge_position``); the cache keeps the highest it received and
# sends it with every miss as X-Min-LSN (deploy/varnish/atelier.vcl); the read goes to the replica
# once the replica has replayed past it, and to the leader otherwise. A request without the header
# (not through the cache) reads on the leader.
READ_FENCE_HEADER = "HTTP_X_MIN_LSN"
_read_fence: ContextVar[int | None] = ContextVar("read_fence", default=None)
# The replica has replayed past the fence (a server that is not in recovery is the leader: exact).
FENCE_PASSED = (
    "SELECT NOT pg_is_in_recovery() OR pg_last_wal_replay_lsn() >= '0/0'::pg_lsn + %s::numeric"
)
POSITION_NOW = "SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint"


def replica_configured() -> bool:
    return REPLICA in connections.databases


@contextmanager
def read_fence(environ: dict):
    """The fence a request's reads respect while inside the block: its X-Min-LSN (digits only),
    or none."""
    raw = environ.get(READ_FENCE_HEADER, "")
    fence = int(raw) if raw.isdigit() and len(raw) <= 19 else None
    token = _read_fence.set(fence)
    try:
        yield
    finally:
        _read_fence.reset(token)


def read_cursor() -> CursorWrapper:
    """A cursor for a public read: the replica's when the request has a fence the replica has
    passed, the leader's (``prepared_cursor``) otherwise, or when the replica cannot be asked."""
    fence = _read_fence.get()
    if fence is None or not replica_configured():
        return prepared_cursor()
    replica = connections[REPLICA]
    try:
        with replica.cursor() as cursor:
            cursor.execute(FENCE_PASSED, [fence])
            passed = cursor.fetchone()[0]
    except DatabaseError:
        replica.close()
        passed = False
    REPLICA_READS.labels("replica" if passed else "leader").inc()
    if passed:
        prepared = getattr(replica, "prepared_cursor", None)  # as prepared_cursor does
        return prepared() if prepared is not None else replica.cursor()
    return prepared_cursor()


def purge_position() -> int | None:
    """The leader's WAL position now (after a write committed), for its purge to carry; None
    when there are no replicas to fence."""
    if not replica_configured():
        return None
    try:
        with connection.cursor() as cursor:
            cursor.execute(POSITION_NOW)
            return cursor.fetchone()[0]
    except DatabaseError as exc:
        # The write committed; its purge still goes out, without raising the fence (the
        # synchronous standby applied the write before it was acknowledged).
        logger.warning("no WAL position for the purge after a write: %s", exc)
        return None
