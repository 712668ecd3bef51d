"""``manage.py load_csv DIR_OR_FILE...``: load the Atelier CSVs (see ``loaders.load``)."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from loaders.files.tables import BY_NAME
from loaders.load import LoadError, csv_files_load, directory_files, table_for


class Command(BaseCommand):
    help = (
        "Load reviews.csv, reviews_photos.csv, characteristics.csv and characteristic_reviews.csv "
        "(a directory of them, or single files) with COPY. Bad rows are refused into a rejects "
        "file; re-running is safe."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, help="a directory or CSV files")
        parser.add_argument(
            "--table", choices=sorted(BY_NAME), help="the table of a single file named otherwise"
        )
        parser.add_argument(
            "--rejects",
            type=Path,
            default=Path("load-rejects.csv"),
            help="where refused rows are written (default: ./load-rejects.csv)",
        )
        parser.add_argument(
            "--strict", action="store_true", help="exit with an error if any row was refused"
        )

    def handle(self, *args, paths, table, rejects, strict, **options):
        started = time.monotonic()
        try:
            files = self._files(paths, table)
            report = csv_files_load(files, rejects_path=rejects, progress=True, out=self.stdout)
        except LoadError as err:
            raise CommandError(str(err)) from err
        self.stdout.write(
            f"ready to serve in {time.monotonic() - started:,.0f} s (the last "
            f"{report.post_load_seconds:,.0f} s: sequences, statistics, meta aggregates)"
        )
        if report.rejected:
            self.stdout.write(f"{report.rejected:,} rows refused: see {rejects}")
        if strict and report.rejected:
            raise CommandError(f"{report.rejected:,} rows refused (--strict)")
        if report.loaded == 0 and report.already_present == 0:
            raise CommandError("nothing could be loaded")

    def _files(self, paths, table_name):
        files = []
        for path in paths:
            if path.is_dir():
                files.extend(directory_files(path))
            elif path.is_file():
                files.append((BY_NAME[table_name] if table_name else table_for(path), path))
            else:
                raise CommandError(f"{path}: no such file or directory")
        return files
