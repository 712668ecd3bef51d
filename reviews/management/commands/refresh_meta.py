"""``manage.py refresh_meta``: rebuild the meta aggregates from the base tables, while serving."""

import time

from django.core.management.base import BaseCommand

from reviews.meta.rebuild import CHARACTERISTIC_CHUNK, PRODUCT_CHUNK, meta_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the meta aggregates (product_meta, characteristic_meta and their cells) from "
        "the reviews, ratings and photos, one key range per transaction (reads go on; writes "
        "wait at most one range)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--product-chunk", type=int, default=PRODUCT_CHUNK, metavar="N")
        parser.add_argument(
            "--characteristic-chunk", type=int, default=CHARACTERISTIC_CHUNK, metavar="N"
        )

    def handle(self, *args, product_chunk: int, characteristic_chunk: int, **options):
        started = time.monotonic()
        result = meta_rebuild(
            product_chunk=product_chunk,
            characteristic_chunk=characteristic_chunk,
            progress=self._progress if options["verbosity"] >= 1 else None,
        )
        written = ", ".join(f"{rows:,} of {table}" for table, rows in result.written.items())
        self.stdout.write(
            f"meta rebuilt in {time.monotonic() - started:.1f} s; rows rewritten: {written}"
        )

    def _progress(self, label: str, done: int, last: int) -> None:
        self.stdout.write(f"  {label}: up to id {done:,} of {last:,}")
