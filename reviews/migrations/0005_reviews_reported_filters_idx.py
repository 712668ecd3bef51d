"""The moderation queue's filters (rating, recommend) counted from a small index, without blocking
writes to reviews while it is built."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("reviews", "0004_reviews_admin_search_indexes"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="review",
            index=models.Index(
                condition=models.Q(("reported", True)),
                fields=["rating", "recommend"],
                name="reviews_reported_filters_idx",
            ),
        ),
    ]
