"""Reads of the public API: a page of a product's reviews, one review, a product's meta, and a
voter's vote or a reporter's report on one review.

Each read is one SQL statement that walks one named index. The list is built as JSON by PostgreSQL
itself (key order, ``null`` responses, millisecond ISO dates), so a page of 1,000 reviews costs no
Python per review.
"""

from dataclasses import dataclass

from django.db import connection

from atelier.db import read_cursor
from reviews.meta.document import CharacteristicStats, product_meta_shape

# The sorts whose order helpful votes change (reviews.invalidation purges their pages on a vote).
RANKED_BY_VOTES = frozenset({"relevant", "helpful"})
# Each sort is a fixed ORDER BY (never a bound parameter, which would sort by a constant), always
# ending in id DESC so that pages are deterministic, and each matching one partial index.
REVIEWS_ORDER_BY = {
    # reviews_product_newest_idx (product_id, date DESC, id DESC) WHERE NOT reported
    "newest": "date DESC, id DESC",
    # reviews_product_helpful_idx (product_id, helpfulness DESC, date DESC, id DESC)
    "helpful": "helpfulness DESC, date DESC, id DESC",
    # reviews_product_relevant_idx (product_id, review_relevance(helpfulness, date) DESC, id DESC)
    "relevant": "review_relevance(helpfulness, date) DESC, id DESC",
}

# One review as the API shows it, from a row of ``page``: keys in the contract's order, a JSON
# null response, the date in toISOString() form, and its photos from reviews_photos_review_idx
# (review_id, id), already in photo id order.
REVIEW_JSON_FIELDS = """'review_id', page.id,
           'rating', page.rating,
           'summary', page.summary,
           'recommend', page.recommend,
           'response', page.response,
           'body', page.body,
           'date', to_char(page.date AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           'reviewer_name', page.reviewer_name,
           'helpfulness', page.helpfulness,
           'photos', coalesce(
               (SELECT json_agg(json_build_object('id', photo.id, 'url', photo.url)
                                ORDER BY photo.id)
                  FROM reviews_photos AS photo
                 WHERE photo.review_id = page.id),
               '[]')"""
REVIEW_JSON = f"json_build_object(\n           {REVIEW_JSON_FIELDS})"
# A review's columns that the API shows (reviewer_email and reported never leave the database).
REVIEW_COLUMNS = (
    "id", "rating", "summary", "recommend", "response", "body", "date", "reviewer_name",
    "helpfulness",
)  # fmt: skip

# The page is cut in the inner query (an index scan that stops after offset + count rows); the
# outer query turns it into a JSON array in the same order.
REVIEWS_PAGE_JSON = f"""
SELECT coalesce(json_agg({REVIEW_JSON} ORDER BY {{order_by}}), '[]')::text,
       coalesce(array_agg(page.id), '{{{{}}}}')
  FROM (SELECT {", ".join(REVIEW_COLUMNS)}
          FROM reviews
         WHERE product_id = %(product_id)s AND NOT reported
         ORDER BY {{order_by}}
         LIMIT %(count)s OFFSET %(offset)s) AS page
"""
# reviews_pkey; a reported review is hidden here as everywhere.
REVIEW_ONE_JSON = f"""
SELECT page.product_id, {REVIEW_JSON}::text
  FROM (SELECT product_id, {", ".join(REVIEW_COLUMNS)}
          FROM reviews WHERE id = %(review_id)s AND NOT reported) AS page
"""


REVIEWS_PAGE_QUERIES = {
    sort: REVIEWS_PAGE_JSON.format(order_by=order_by) for sort, order_by in REVIEWS_ORDER_BY.items()
}


@dataclass(frozen=True)
class ReviewListPage:
    results: str  # the JSON array of the page's reviews
    review_ids: list[int]  # theirs, in no particular order


def review_list(*, product_id: int, page: int, count: int, sort: str) -> ReviewListPage:
    """The product's visible reviews on 1-based ``page``, as a JSON array (text)."""
    with read_cursor() as cursor:
        cursor.execute(
            REVIEWS_PAGE_QUERIES[sort],
            {"product_id": product_id, "count": count, "offset": (page - 1) * count},
        )
        results, review_ids = cursor.fetchone()
    return ReviewListPage(results=results, review_ids=review_ids)


def review_get(*, review_id: int) -> tuple[int, str] | None:
    """The review's product id and the review as a list result (JSON text), or None when there
    is none or it is reported."""
    with read_cursor() as cursor:
        cursor.execute(REVIEW_ONE_JSON, {"review_id": review_id})
        return cursor.fetchone()


# One statement, all primary-key or indexed lookups: the product's aggregate row (product_meta
# primary key), its characteristics (characteristics_product_idx) and each one's aggregate row
# (characteristic_meta primary key). The triggers of migration 0002 keep those rows exact in the
# writer's transaction, so nothing is counted at request time. Always at least one row: an unknown
# product gives one row of NULLs.
PRODUCT_META_READ = """
SELECT product.rating_1, product.rating_2, product.rating_3, product.rating_4, product.rating_5,
       product.recommend_false, product.recommend_true,
       characteristic.id, characteristic.name, meta.rating_count, meta.rating_sum
  FROM (SELECT) AS one
  LEFT JOIN product_meta AS product ON product.product_id = %(product_id)s
  LEFT JOIN characteristics AS characteristic ON characteristic.product_id = %(product_id)s
  LEFT JOIN characteristic_meta AS meta ON meta.characteristic_id = characteristic.id
"""


def product_meta_get(*, product_id: int) -> dict:
    """The product's meta document: rating and recommend counts, characteristic averages."""
    with read_cursor() as cursor:
        cursor.execute(PRODUCT_META_READ, {"product_id": product_id})
        rows = cursor.fetchall()
    counts = [count or 0 for count in rows[0][:7]]
    return product_meta_shape(
        product_id=product_id,
        rating_counts=dict(zip(range(1, 6), counts[:5], strict=True)),
        recommend_counts={False: counts[5], True: counts[6]},
        characteristics=[
            CharacteristicStats(id=cid, name=name, count=count or 0, total=total)
            for *_, cid, name, count, total in rows
            if cid is not None
        ],
    )


@dataclass(frozen=True)
class VoteState:
    """Whether a voter's helpful vote on a review is there, and the review's helpfulness."""

    up: bool
    helpfulness: int


# reviews_pkey, then review_votes_pkey.
REVIEW_VOTE_READ = """
SELECT EXISTS (SELECT FROM review_votes WHERE review_id = reviews.id AND voter = %(voter)s),
       helpfulness
  FROM reviews WHERE id = %(review_id)s AND NOT reported
"""


def review_vote_get(*, review_id: int, voter: str) -> VoteState | None:
    """The voter's vote on the review, or None when there is no such review or it is reported."""
    with connection.cursor() as cursor:
        cursor.execute(REVIEW_VOTE_READ, {"review_id": review_id, "voter": voter})
        row = cursor.fetchone()
    return None if row is None else VoteState(up=row[0], helpfulness=row[1])


@dataclass(frozen=True)
class Report:
    """A reporter's report of a review; ``new`` when the call that returned it made it."""

    reason: str
    note: str
    new: bool = False


# review_reports_pkey.
REVIEW_REPORT_READ = """
SELECT reason, note FROM review_reports WHERE review_id = %(review_id)s AND reporter = %(reporter)s
"""


def review_report_get(*, review_id: int, reporter: str) -> Report | None:
    """The reporter's report of the review (reported or not), or None when there is none."""
    with connection.cursor() as cursor:
        cursor.execute(REVIEW_REPORT_READ, {"review_id": review_id, "reporter": reporter})
        row = cursor.fetchone()
    return None if row is None else Report(reason=row[0], note=row[1])
