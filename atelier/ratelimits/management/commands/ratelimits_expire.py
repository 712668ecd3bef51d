from django.core.management.base import BaseCommand

from atelier.ratelimits.limits import counters_expire


class Command(BaseCommand):
    help = "Delete rate-limit counters of clients not seen for a day (or --hours)."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=24)

    def handle(self, *args, hours: int, **options):
        deleted = counters_expire(older_than_seconds=hours * 3600)
        self.stdout.write(f"{deleted} rate-limit counters expired")
