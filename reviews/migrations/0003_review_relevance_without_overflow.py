"""review_relevance() computed ``1 + helpfulness`` in integer arithmetic, so a review with the
largest helpfulness an integer holds (2,147,483,647) could be neither written nor loaded: the
relevant-sort index evaluates the function on every write. Adding in double precision gives the
same value for every other helpfulness (``ln(integer)`` was already ``ln(double precision)``), so
the index built on the old definition stays valid and needs no rebuild.
"""

from django.db import migrations

REVIEW_RELEVANCE_REPLACE = """
CREATE OR REPLACE FUNCTION review_relevance(helpfulness integer, reviewed_at timestamptz)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN ln(1 + greatest(helpfulness, 0)::double precision)
       + extract(epoch FROM reviewed_at)::double precision / 2592000.0
"""
REVIEW_RELEVANCE_RESTORE = """
CREATE OR REPLACE FUNCTION review_relevance(helpfulness integer, reviewed_at timestamptz)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN ln(1 + greatest(helpfulness, 0))::double precision
       + extract(epoch FROM reviewed_at)::double precision / 2592000.0
"""


class Migration(migrations.Migration):
    dependencies = [("reviews", "0002_meta_aggregates")]

    operations = [
        migrations.RunSQL(REVIEW_RELEVANCE_REPLACE, reverse_sql=REVIEW_RELEVANCE_RESTORE),
    ]
