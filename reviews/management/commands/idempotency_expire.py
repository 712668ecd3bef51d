"""``manage.py idempotency_expire``: forget Idempotency-Keys older than 24 hours."""

from django.core.management.base import BaseCommand

from reviews.idempotency import RETENTION, idempotency_keys_expire


class Command(BaseCommand):
    help = f"Delete the Idempotency-Keys (and their answers) older than {RETENTION}."

    def handle(self, *args, **options):
        deleted = idempotency_keys_expire()
        self.stdout.write(f"{deleted:,} idempotency keys older than {RETENTION} deleted")
