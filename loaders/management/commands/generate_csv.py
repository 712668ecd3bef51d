"""``manage.py generate_csv --out DIR``: write a realistic Atelier dataset (with
loaders.files.generate)."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from loaders.files.generate import INJECTED_FILE, blocks_count, csv_dataset_generate

REAL_PRODUCTS = 1_000_011


class Command(BaseCommand):
    help = (
        "Write reviews.csv, reviews_photos.csv, characteristics.csv and characteristic_reviews.csv "
        "in the legacy format. The default size matches the real files; the same seed gives the "
        "same files."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, required=True, help="directory to write into")
        parser.add_argument("--products", type=int, default=REAL_PRODUCTS)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--bad-rate",
            type=float,
            default=0.0,
            help=f"add this fraction of bad rows (listed in {INJECTED_FILE})",
        )
        parser.add_argument("--workers", type=int, help="processes (default: one per core)")

    def handle(self, *args, out, products, seed, bad_rate, workers, **options):
        if products < 1:
            raise CommandError("--products must be at least 1")
        if not 0 <= bad_rate < 1:
            raise CommandError("--bad-rate must be at least 0 and below 1")
        started = time.monotonic()
        with tqdm(total=blocks_count(products), unit="block", disable=None) as bar:
            generated = csv_dataset_generate(
                out,
                products=products,
                seed=seed,
                bad_rate=bad_rate,
                workers=workers,
                on_block=bar.update,
            )
        seconds = time.monotonic() - started
        for table, rows in generated.rows.items():
            self.stdout.write(f"{rows:,} {table}")
        if generated.injected:
            self.stdout.write(f"{generated.injected:,} bad rows added, listed in {INJECTED_FILE}")
        total = sum(generated.rows.values())
        self.stdout.write(f"{total:,} rows generated in {out} in {seconds:,.0f} s")
