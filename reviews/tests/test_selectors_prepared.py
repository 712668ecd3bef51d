"""The hot reads run as prepared statements: PostgreSQL plans each once per connection."""

import pytest
from django.db import connection

from reviews import selectors
from reviews.tests.factories import characteristic_make, review_make


@pytest.mark.django_db
def test_review_pages_and_meta_are_prepared_statements():
    review_make(product_id=7)
    characteristic_make(product_id=7)
    for page in range(1, 7):
        selectors.review_list(product_id=7, page=page, count=5, sort="newest")
        selectors.product_meta_get(product_id=7)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = [row[0] for row in cursor.fetchall()]
    assert any("FROM reviews" in s and "json_agg" in s for s in statements)
    assert any("product_meta" in s for s in statements)
