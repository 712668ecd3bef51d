"""Indexes for the moderation admin's exact search, built without blocking writes to reviews."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("reviews", "0003_review_relevance_without_overflow"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="review",
            index=models.Index(fields=["reviewer_name"], name="reviews_reviewer_name_idx"),
        ),
        AddIndexConcurrently(
            model_name="review",
            index=models.Index(
                condition=models.Q(("reported", True)),
                fields=["product_id"],
                name="reviews_reported_product_idx",
            ),
        ),
    ]
