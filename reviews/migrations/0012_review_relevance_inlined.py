"""review_relevance() written so that PostgreSQL inlines it.

PostgreSQL never inlined it, for two reasons: ``date_part('epoch', timestamptz)`` is marked STABLE
(other fields of a timestamptz depend on the session's time zone), and a SQL function declared
IMMUTABLE whose body calls a STABLE one is not inlined; and a STRICT function is inlined only if
its body is strict too, which ``greatest()`` is not. Every call ran the SQL-function executor,
about 2 microseconds. Index scans never
call it, but a search (``q``) in the relevant sort computes it for every matching review before
taking the first page: 10 ms for the 5,000 matches of a common word in a product of 10,000
reviews. ``date_part('epoch', reviewed_at AT TIME ZONE 'UTC')`` is immutable and the same double
for every value: both subtract the epoch from the same microsecond count and divide by 10^6 in
double precision (on the full dataset not one of 5.8 million values differs). Without STRICT a
NULL helpfulness would count as 0 instead of making the result NULL; both columns are NOT NULL.
So the index built with the old definition stays valid and is not rebuilt.
"""

from django.db import migrations

REVIEW_RELEVANCE_INLINED = """
CREATE OR REPLACE FUNCTION review_relevance(helpfulness integer, reviewed_at timestamptz)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ln(1 + greatest(helpfulness, 0)::double precision)
       + date_part('epoch', reviewed_at AT TIME ZONE 'UTC') / 2592000.0;
"""
REVIEW_RELEVANCE_STABLE_PART = """
CREATE OR REPLACE FUNCTION review_relevance(helpfulness integer, reviewed_at timestamptz)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN ln(1 + greatest(helpfulness, 0)::double precision)
       + date_part('epoch', reviewed_at) / 2592000.0;
"""


class Migration(migrations.Migration):
    dependencies = [("reviews", "0011_v2_list_indexes")]

    operations = [
        migrations.RunSQL(REVIEW_RELEVANCE_INLINED, reverse_sql=REVIEW_RELEVANCE_STABLE_PART),
    ]
