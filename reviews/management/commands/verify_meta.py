"""``manage.py verify_meta``: compare the stored meta aggregates with the base tables."""

import time

from django.core.management.base import BaseCommand, CommandError

from reviews.meta.rebuild import meta_differences


class Command(BaseCommand):
    help = (
        "Compare the meta aggregates (product_meta, characteristic_meta and their cells) with a "
        "fresh computation from the base tables; print every product that differs and exit 1 if "
        "any does."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        found = meta_differences()
        for name in found.triggers_not_enabled:
            self.stdout.write(f"trigger {name} is missing or disabled")
        products = set(found.products)
        for product_id in found.product_ids():
            parts = ["ratings or recommended"] if product_id in products else []
            parts += [f"characteristic {cid}" for cid in found.characteristics.get(product_id, [])]
            self.stdout.write(f"product {product_id}: {', '.join(parts)} differ")
        for cid in found.characteristics.get(None, []):
            self.stdout.write(f"characteristic {cid} (no longer exists) differs")
        elapsed = time.monotonic() - started
        if found:
            raise CommandError(
                f"meta differs for {len(found.product_ids()):,} products "
                f"({len(found.triggers_not_enabled)} triggers not enabled) in {elapsed:.1f} s; "
                "run manage.py refresh_meta"
            )
        self.stdout.write(f"meta verified in {elapsed:.1f} s: no product differs")
