"""Inspect, start or stop the embedded PostgreSQL server of this checkout."""

import subprocess

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from atelier.pgembedded import server


class Command(BaseCommand):
    help = "Start, stop or show the embedded PostgreSQL server (used when DATABASE_URL is unset)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["start", "stop", "status", "url", "with"])
        parser.add_argument(
            "command",
            nargs="*",
            help="with: run this command, then stop the server if this call started it",
        )

    def handle(self, *args, action: str, command: list[str], **options):
        embedded = settings.DATABASES["default"]["ENGINE"] == "atelier.pgembedded"
        if action == "with" and not embedded:
            raise SystemExit(subprocess.call(command))
        if not embedded:
            raise CommandError(
                "DATABASE_URL is set: this project is not using its embedded server."
            )
        pgdata = server.data_dir()
        if action == "start":
            info = server.ensure_running(database=settings.DATABASES["default"]["NAME"])
            self.stdout.write(f"embedded PostgreSQL running (pid {info.pid}, data {pgdata})")
        elif action == "stop":
            stopped = server.stop()
            self.stdout.write("stopped" if stopped else "not running")
        elif action == "status":
            found = server.status()
            self.stdout.write(
                f"running (pid {found.pid}, data {pgdata})" if found else "not running"
            )
        elif action == "with":
            if not command:
                raise CommandError("usage: embedded_db with -- COMMAND [ARG...]")
            was_running = server.status() is not None
            server.ensure_running(database=settings.DATABASES["default"]["NAME"])
            try:
                code = subprocess.call(command)
            finally:
                if not was_running:
                    server.stop()
            if code:
                raise SystemExit(code)
        else:
            info = server.ensure_running(database=settings.DATABASES["default"]["NAME"])
            name = settings.DATABASES["default"]["NAME"]
            self.stdout.write(f"postgresql://{server.SUPERUSER}@/{name}?host={info.socket_dir}")
