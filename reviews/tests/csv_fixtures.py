"""The test fixture CSVs (our own rows, in the real files' format) and a COPY helper to load them.

The fixtures carry the real files' quirks: bare ``null`` responses, ``""`` escapes, commas and a
line break inside quoted text, an empty summary, photos out of id order, a reported review,
characteristic_reviews with characteristic_id before review_id, and ids of different ranges per
table so that a column swap fails loudly.
"""

from pathlib import Path

from django.db import connection

from loaders.sequences import id_sequences_sync

FIXTURES = Path(__file__).parent / "fixtures"

# Parents before children, each with the header its file must have (COPY is positional).
HEADERS = {
    "reviews": "id,product_id,rating,date,summary,body,recommend,reported,reviewer_name,"
    "reviewer_email,response,helpfulness",
    "reviews_photos": "id,review_id,url",
    "characteristics": "id,product_id,name",
    "characteristic_reviews": "id,characteristic_id,review_id,value",
}
COPY_OPTIONS = "(FORMAT csv, HEADER true, NULL 'null')"
# The CSV date is epoch milliseconds: reviews are staged with a bigint date, then converted.
REVIEWS_STAGE = """
CREATE TEMP TABLE reviews_csv (
    id integer, product_id integer, rating smallint, date bigint, summary text, body text,
    recommend boolean, reported boolean, reviewer_name text, reviewer_email text,
    response text, helpfulness integer)
"""
REVIEWS_FROM_STAGE = """
INSERT INTO reviews (id, product_id, rating, date, summary, body, recommend, reported,
                     reviewer_name, reviewer_email, response, helpfulness)
SELECT id, product_id, rating, to_timestamp(0) + date * interval '1 millisecond', summary, body,
       recommend, reported, reviewer_name, reviewer_email, response, helpfulness
  FROM reviews_csv
"""


def fixture_csvs_load(directory: Path = FIXTURES) -> None:
    """COPY the four CSVs of ``directory`` into the tables, as a bulk load would."""
    with connection.cursor() as cursor:
        cursor.execute(REVIEWS_STAGE)
        for table, header in HEADERS.items():
            data = (directory / f"{table}.csv").read_bytes()
            assert data.split(b"\n", 1)[0].decode() == header, f"{table}.csv header"
            target = "reviews_csv" if table == "reviews" else table
            copy_sql = f"COPY {target} ({header}) FROM STDIN WITH {COPY_OPTIONS}"
            with cursor.cursor.copy(copy_sql) as copy:
                copy.write(data)
            if table == "reviews":
                cursor.execute(REVIEWS_FROM_STAGE)
                cursor.execute("DROP TABLE reviews_csv")
        id_sequences_sync(cursor)
