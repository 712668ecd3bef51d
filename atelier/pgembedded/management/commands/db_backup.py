"""Take a base backup of the database server into the backup folder (ATELIER_BACKUP_DIR): the
embedded server, or the one DATABASE_URL names (the HA database's leader)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from atelier.pgembedded import backup, server


def _server() -> dict:
    """Where the server to back up is: the embedded one, or the one DATABASE_URL names (of an
    HA database, the leader: the node that takes the URL's read-write connection)."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "atelier.pgembedded":
        info = server.ensure_running(database=database["NAME"])
        return {"host": str(info.socket_dir), "port": info.port, "user": server.SUPERUSER}
    from django.db import connection

    connection.ensure_connection()
    found = connection.connection.info
    return {"host": found.host, "port": found.port, "user": found.user, "password": found.password}


class Command(BaseCommand):
    help = (
        "A base backup of the database server into ATELIER_BACKUP_DIR: incremental on the newest"
        " one, or full (--full, or the first). Run it on a schedule (docs/backups.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="a full backup, not incremental")

    def handle(self, *args, full: bool, **options):
        if settings.BACKUP_DIR is None:
            raise CommandError("ATELIER_BACKUP_DIR is not set: there is nowhere to back up to.")
        try:
            taken = backup.base_backup(Path(settings.BACKUP_DIR), **_server(), full=full)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        seconds = (taken.finished - taken.started).total_seconds()
        size = sum(f.stat().st_size for f in taken.path.rglob("*") if f.is_file())
        self.stdout.write(
            f"{taken.kind} backup {taken.name}: {size / 2**20:,.0f} MiB in {seconds:.1f} s"
            f" ({taken.path})"
        )
