"""Restore the embedded server's backups to a point in time, into a new data directory, and check
the result with verify_meta."""

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from atelier.pgembedded import backup, server


class Command(BaseCommand):
    help = (
        "Restore ATELIER_BACKUP_DIR's backups as they were at --target-time into the new data"
        " directory --into, start it there, check its aggregates (verify_meta), then stop it"
        " (--keep leaves it running)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--target-time",
            required=True,
            type=datetime.fromisoformat,
            help="ISO 8601 with a time zone, e.g. 2026-12-07T20:15:00+00:00",
        )
        parser.add_argument("--into", required=True, type=Path, help="a new data directory")
        parser.add_argument("--keep", action="store_true", help="leave the restored server up")

    def handle(self, *args, target_time: datetime, into: Path, keep: bool, **options):
        if settings.BACKUP_DIR is None:
            raise CommandError("ATELIER_BACKUP_DIR is not set: there is nothing to restore from.")
        if target_time.tzinfo is None:
            raise CommandError("--target-time needs a time zone (…+00:00 or …Z).")
        try:
            restored = backup.restore(Path(settings.BACKUP_DIR), target_time, into.resolve())
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        chain = " + ".join(b.name for b in restored.chain)
        self.stdout.write(
            f"restored {chain} to {target_time.isoformat()} in {restored.pgdata}:"
            f" combined in {restored.seconds_combine:.1f} s,"
            f" recovered in {restored.seconds_recovery:.1f} s"
        )
        database = settings.DATABASES["default"]["NAME"]
        url = backup.restored_url(restored, database)
        check = subprocess.run(
            [sys.executable, "manage.py", "verify_meta"],
            env={**os.environ, "DATABASE_URL": url},
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
        )
        self.stdout.write(check.stdout.strip())
        if keep:
            self.stdout.write(f"left running: DATABASE_URL={url}")
        else:
            server.stop(restored.pgdata)
        if check.returncode:
            raise CommandError("the restored database's aggregates differ from its rows")
