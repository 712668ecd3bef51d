"""``manage.py demo_data``: on a database without reviews, generate and load a small dataset."""

import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand

from loaders.files.generate import csv_dataset_generate
from loaders.load import csv_directory_load
from reviews.models import Review


class Command(BaseCommand):
    help = (
        "First run only: when the database holds no reviews, generate a demo dataset "
        "(realistic, a few thousand products) and load it. Does nothing otherwise."
    )

    def add_arguments(self, parser):
        parser.add_argument("--products", type=int, default=3000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, products, seed, **options):
        if Review.objects.exists():
            if options["verbosity"] > 0:
                self.stdout.write("Reviews already present: no demo data loaded.")
            return
        with tempfile.TemporaryDirectory(prefix="atelier-demo-") as directory:
            csv_dataset_generate(Path(directory), products=products, seed=seed, workers=1)
            out = self.stdout if options["verbosity"] > 0 else None
            report = csv_directory_load(directory, out=out)
        self.stdout.write(f"    {report.loaded:,} rows for products 1 to {products:,}")
