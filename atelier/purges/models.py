"""The purge outbox: each write records the purges it owes every cache node in its own
transaction, and ``purge_drain`` delivers them (atelier.purges.outbox)."""

from django.db import models
from django.db.models.functions import Now


class PurgeNode(models.Model):
    """A cache node the writes owe purges to, as the http://host:port URL it takes them at.
    ``purge_drain --nodes`` registers the topology's nodes."""

    url = models.TextField(primary_key=True)

    class Meta:
        db_table = "purge_nodes"

    def __str__(self) -> str:
        return self.url


class PendingPurge(models.Model):
    """A purge not yet delivered to ``node``: the tags (space-separated, xkey) and race key the
    cache takes; an empty ``tags`` with the race key "all" drops every object."""

    id = models.BigAutoField(primary_key=True)
    node = models.TextField()
    tags = models.TextField()
    race_key = models.TextField()
    created = models.DateTimeField(db_default=Now())

    class Meta:
        db_table = "pending_purges"
        indexes = [models.Index(fields=["node", "id"], name="pending_purges_node_idx")]

    def __str__(self) -> str:
        return f"{self.node}: {self.tags or 'everything'}"
