"""The counters behind the rate limits: one row per client and policy, for its current window."""

from django.db import models


class RateLimitCounter(models.Model):
    """How many requests ``bucket`` (a policy and a client) made in the window that began at
    ``window_start`` (seconds since the epoch, on the database's clock). The row is reused from
    window to window. UNLOGGED (migration 0001): a counter lost in a crash only forgives a window.
    """

    bucket = models.TextField(primary_key=True)
    window_start = models.BigIntegerField()
    hits = models.IntegerField()

    class Meta:
        db_table = "rate_limit_counters"

    def __str__(self) -> str:
        return f"{self.bucket}: {self.hits} since {self.window_start}"
