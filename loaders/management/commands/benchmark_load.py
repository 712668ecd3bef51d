"""``manage.py benchmark_load --csv DIR --reset``: time a full load against plain ``\\copy``.

Optionally generates the dataset first (``--generate``). It empties the four tables: run it on a
database meant for benchmarks, never on one whose reviews matter.
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from loaders import benchmark
from loaders.files.generate import csv_dataset_generate
from loaders.management.commands.generate_csv import REAL_PRODUCTS


class Command(BaseCommand):
    help = (
        "Benchmark the loader on full-scale data: per-file timings and rows/s, the plain psql "
        "\\copy plus index build of the same files, their ratio, and the loader's peak memory."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--csv", type=Path, required=True, help="the four CSVs (or where to write them)"
        )
        parser.add_argument("--generate", action="store_true", help="generate the CSVs first")
        parser.add_argument("--products", type=int, default=REAL_PRODUCTS)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--reset", action="store_true", help="required: the four tables are emptied first"
        )

    def handle(self, *args, csv, generate, products, seed, reset, **options):
        if not reset:
            raise CommandError("benchmark_load empties the review tables: pass --reset to confirm")
        write = self.stdout.write
        if generate:
            started = time.monotonic()
            generated = csv_dataset_generate(csv, products=products, seed=seed)
            rows = sum(generated.rows.values())
            write(f"generated {rows:,} rows in {time.monotonic() - started:,.1f} s")

        write("plain psql \\copy into unindexed tables, then the same keys and indexes:")
        benchmark.plain_drop()
        steps = benchmark.plain_copy(csv)
        for step in steps:
            write(step.line())
        plain_copy = sum(step.seconds for step in steps if step.rows)
        plain_total = sum(step.seconds for step in steps)
        write(f"  plain total: {plain_total:,.1f} s ({plain_copy:,.1f} s copying)")
        benchmark.plain_drop()

        write("loader (check, COPY, keys and indexes, foreign keys, post_load):")
        benchmark.tables_reset()
        report, loader_total = benchmark.loader_run(csv)
        for file in report.files:
            write(benchmark.Step(f"load {file.path.name}", file.loaded, file.seconds).line())
        write(
            benchmark.Step(
                "post_load, what remained after the last file", 0, report.post_load_seconds
            ).line()
        )
        write(
            f"  loader total: {loader_total:,.1f} s, {report.loaded:,} rows, "
            f"{report.rejected:,} refused"
        )
        write(f"  loader without post_load: {loader_total - report.post_load_seconds:,.1f} s")
        write(
            f"ratio loader / plain: {loader_total / plain_total:.2f} "
            f"(without post_load: {(loader_total - report.post_load_seconds) / plain_total:.2f})"
        )
        loader, checker = benchmark.peak_memory_mb()
        write(f"peak memory (max RSS): loader {loader:,.0f} MB, checker process {checker:,.0f} MB")
