"""Take a base backup of the embedded server into the backup folder (ATELIER_BACKUP_DIR)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from atelier.pgembedded import backup, server


class Command(BaseCommand):
    help = (
        "A base backup of the embedded server into ATELIER_BACKUP_DIR: incremental on the newest"
        " one, or full (--full, or the first). Run it on a schedule (docs/backups.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="a full backup, not incremental")

    def handle(self, *args, full: bool, **options):
        if settings.BACKUP_DIR is None:
            raise CommandError("ATELIER_BACKUP_DIR is not set: there is nowhere to back up to.")
        if settings.DATABASES["default"]["ENGINE"] != "atelier.pgembedded":
            raise CommandError("DATABASE_URL is set: back that server up with its own tools.")
        info = server.ensure_running(database=settings.DATABASES["default"]["NAME"])
        taken = backup.base_backup(Path(settings.BACKUP_DIR), info, full=full)
        seconds = (taken.finished - taken.started).total_seconds()
        size = sum(f.stat().st_size for f in taken.path.rglob("*") if f.is_file())
        self.stdout.write(
            f"{taken.kind} backup {taken.name}: {size / 2**20:,.0f} MiB in {seconds:.1f} s"
            f" ({taken.path})"
        )
