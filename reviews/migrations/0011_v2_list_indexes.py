"""Indexes of the API v2 list: the rating sorts and full-text search, built without blocking
writes (CREATE INDEX CONCURRENTLY). On the full dataset the search index is the long one: it
stems the text of every review once."""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.contrib.postgres.operations import AddIndexConcurrently, BtreeGinExtension
from django.db import migrations, models
from django.db.models.expressions import CombinedExpression


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("reviews", "0010_product_meta_version"),
    ]

    operations = [
        # product_id in a GIN index, beside the text's lexemes.
        BtreeGinExtension(),
        AddIndexConcurrently(
            model_name="review",
            index=models.Index(
                models.F("product_id"),
                models.OrderBy(models.F("rating"), descending=True),
                models.OrderBy(models.F("date"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                condition=models.Q(("reported", False)),
                name="reviews_product_rating_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="review",
            index=models.Index(
                models.F("product_id"),
                models.OrderBy(
                    CombinedExpression(models.F("rating"), "*", models.Value(-1)),
                    descending=True,
                ),
                models.OrderBy(models.F("date"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                condition=models.Q(("reported", False)),
                name="reviews_product_rating_low_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="review",
            index=django.contrib.postgres.indexes.GinIndex(
                models.F("product_id"),
                django.contrib.postgres.search.SearchVector("summary", "body", config="english"),
                condition=models.Q(("reported", False)),
                name="reviews_product_search_idx",
            ),
        ),
    ]
