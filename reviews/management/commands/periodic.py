"""The periodic commands, run by the topology (the cluster's and compose's ``scheduler``), not by
hand: expired idempotency keys and rate-limit counters every hour; with ATELIER_BACKUP_DIR, an
incremental base backup every hour (the first one full) and a full one every day."""

import logging
import signal
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

logger = logging.getLogger(__name__)

HOUR, DAY = 3600, 86400


@dataclass
class Job:
    command: str
    every: float  # seconds
    arguments: list[str] = field(default_factory=list)
    first_after: float = 0.0  # seconds after the start

    def __str__(self) -> str:
        return " ".join([self.command, *self.arguments])


def jobs(*, backups: bool) -> list[Job]:
    scheduled = [Job("idempotency_expire", HOUR), Job("ratelimits_expire", HOUR)]
    if backups:
        scheduled += [Job("db_backup", HOUR), Job("db_backup", DAY, ["--full"], first_after=DAY)]
    return scheduled


class Command(BaseCommand):
    help = (
        "Run the periodic commands on their schedule until stopped (SIGTERM): idempotency_expire"
        " and ratelimits_expire hourly; with ATELIER_BACKUP_DIR, db_backup hourly (incremental)"
        " and daily (full)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="run every job once, now, and exit (a check)"
        )

    def handle(self, *args, once: bool, **options):
        scheduled = jobs(backups=settings.BACKUP_DIR is not None)
        if once:
            failed = [job for job in scheduled if not self.run(job)]
            if failed:
                raise SystemExit(f"failed: {', '.join(map(str, failed))}")
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        started = time.monotonic()
        due = {id(job): started + job.first_after for job in scheduled}
        self.stdout.write(
            "scheduled: " + "; ".join(f"{job} every {job.every:.0f} s" for job in scheduled)
        )
        self.stdout.flush()
        while not stop.is_set():
            now = time.monotonic()
            for job in scheduled:
                if due[id(job)] <= now:
                    self.run(job)
                    due[id(job)] = time.monotonic() + job.every
            stop.wait(max(0.0, min(due.values()) - time.monotonic()))

    def run(self, job: Job) -> bool:
        """Run ``job`` now; a failure is logged, and the job is tried again at its next turn."""
        if not connection.in_atomic_block:  # (a test's transaction keeps its connection)
            close_old_connections()  # an hour-old connection the server may have dropped
        try:
            call_command(job.command, *job.arguments, stdout=self.stdout)
        except Exception:
            logger.exception("periodic %s failed", job)
            return False
        return True
