"""Reads of API v2: a page of a product's filtered reviews, and its summary.

Each read is one SQL statement, so that everything it returns (the page, its total, the aggregate
version, the snapshot's latest review id; or the summary's counts and version) comes from one
snapshot of the database and agrees. Counts come from the aggregate cells (migration 0013)
whenever the filters are made of rating, recommend and photos alone; a search, or the verified
filter, is counted.
"""

import json
from dataclasses import dataclass
from hashlib import blake2b
from typing import Any

from django.contrib.postgres.search import SearchQuery
from django.db.models import Exists, Field, Func, OuterRef, QuerySet, Value
from django.db.models.lookups import GreaterThan, LessThan

from atelier.db import read_cursor
from reviews.meta.rebuild import PRODUCT_META_COUNTS
from reviews.models import (
    CELL_DIMENSIONS,
    SEARCH_CONFIG,
    VISIBLE,
    Review,
    ReviewPhoto,
    SearchDocument,
)
from reviews.selectors import REVIEW_COLUMNS, REVIEW_JSON_FIELDS
from reviews.v2.cursors import Cursor, Direction, PageRequest
from reviews.v2.document import CHARACTERISTIC_LABELS, Counts, Summary


@dataclass(frozen=True)
class ReviewFilters:
    """Which of a product's visible reviews a v2 read covers: every filter given narrows it."""

    product_id: int
    ratings: tuple[int, ...] = ()  # any of these (sorted, distinct); () is every rating
    recommend: bool | None = None
    with_photos: bool | None = None
    verified: bool | None = None  # a verified purchase, or not
    search: str = ""  # web search syntax, stemmed as English; blank searches nothing

    def given(self) -> dict[str, Any]:
        """The filters given, as the answers echo them."""
        given: dict[str, Any] = {}
        if self.ratings:
            given["rating"] = list(self.ratings)
        for name in ("recommend", "with_photos", "verified"):
            value = getattr(self, name)
            if value is not None:
                given[name] = "true" if value else "false"
        if self.search:
            given["q"] = self.search
        return given

    @property
    def digest(self) -> str:
        """A short digest of the product and the filters: a cursor belongs to one list."""
        canonical = repr((self.product_id, sorted(self.given().items())))
        return blake2b(canonical.encode(), digest_size=6).hexdigest()


def reviews_filtered(filters: ReviewFilters) -> QuerySet:
    """The product's visible reviews that pass ``filters``. Each condition is one the product's
    indexes answer (reviews_product_*_idx, reviews_product_search_idx for a search)."""
    reviews = Review.objects.filter(VISIBLE, product_id=filters.product_id)
    if len(filters.ratings) == 1:  # an equality, which the rating index orders by date within
        reviews = reviews.filter(rating=filters.ratings[0])
    elif filters.ratings:
        reviews = reviews.filter(rating__in=filters.ratings)
    if filters.recommend is not None:
        reviews = reviews.filter(recommend=filters.recommend)
    if filters.with_photos is not None:
        photos = Exists(ReviewPhoto.objects.filter(review_id=OuterRef("id")))
        reviews = reviews.filter(photos if filters.with_photos else ~photos)
    if filters.verified is not None:  # true: reviews_product_verified_idx
        reviews = reviews.filter(verified_purchase=filters.verified)
    if filters.search.strip():
        # The same expression as reviews_product_search_idx, so the index answers it.
        reviews = reviews.alias(search=SearchDocument()).filter(
            search=SearchQuery(filters.search, config=SEARCH_CONFIG, search_type="websearch")
        )
    return reviews


class Row(Func):
    """A row constructor, ``(a, b, c)``: compared with another, it orders lexicographically."""

    function = ""
    template = "(%(expressions)s)"
    output_field = Field()


# A review's characteristic ratings with their labels (char_reviews_review_idx, then
# characteristics_pkey); the labels come as one JSON parameter: name -> [label of 1, ..., of 5].
CHARACTERISTICS_JSON = """coalesce(
               (SELECT json_agg(json_build_object(
                           'id', c.id, 'name', c.name, 'value', rating.value,
                           'label', %s::jsonb -> c.name ->> (rating.value - 1))
                        ORDER BY c.id)
                  FROM characteristic_reviews AS rating
                  JOIN characteristics AS c ON c.id = rating.characteristic_id
                 WHERE rating.review_id = page.id),
               '[]')"""
# The voter's vote (review_votes_pkey).
MY_VOTE_JSON = """CASE WHEN EXISTS (SELECT FROM review_votes AS vote
                            WHERE vote.review_id = page.id AND vote.voter = %s)
                THEN 'up' ELSE 'none' END"""


def _result_json(*fields: str) -> str:
    return "json_build_object(\n           " + ",\n           ".join(fields) + ")"


# When the store replied (null without a reply), as the dates are written.
RESPONDED_AT_JSON = (
    "'responded_at', to_char(page.responded_at AT TIME ZONE 'UTC', "
    '\'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"\')'
)
VERIFIED_JSON = "'verified_purchase', page.verified_purchase"
# A v2 list result, and the same with the voter's vote.
RESULT_JSON = _result_json(
    REVIEW_JSON_FIELDS,
    RESPONDED_AT_JSON,
    VERIFIED_JSON,
    f"'characteristics', {CHARACTERISTICS_JSON}",
)
RESULT_JSON_WITH_VOTE = _result_json(
    REVIEW_JSON_FIELDS,
    RESPONDED_AT_JSON,
    VERIFIED_JSON,
    f"'characteristics', {CHARACTERISTICS_JSON}",
    f"'my_vote', {MY_VOTE_JSON}",
)


LABELS_PARAMETER = json.dumps(CHARACTERISTIC_LABELS)

# Whether a cell (of a product, or of its characteristics) is one the filters select. It is
# evaluated on each of the product's cells (at most 20 per product and per characteristic), never
# given to the primary key as an index condition: a prepared statement's generic plan cannot tell
# how many values ``= ANY(%s)`` holds and costs each as a search of its own, so PostgreSQL would
# plan the whole statement anew on every execution (about half a millisecond).
CELLS_SELECTED = " AND ".join(f"cell.{name} = ANY(%s)" for name in CELL_DIMENSIONS)


def cells_selected(filters: ReviewFilters) -> list[list] | None:
    """The values of each cell dimension (``CELL_DIMENSIONS``) that ``filters`` select, the
    parameters of ``CELLS_SELECTED``; None when a search or the verified filter is given, which
    cells cannot count."""
    if filters.search or filters.verified is not None:
        return None
    both = [False, True]
    return [
        list(filters.ratings or (1, 2, 3, 4, 5)),
        both if filters.recommend is None else [filters.recommend],
        both if filters.with_photos is None else [filters.with_photos],
    ]


@dataclass
class Page:
    results: str  # the JSON array of the page's reviews
    review_ids: list[int]  # theirs, in the page's order
    next: Cursor | None
    previous: Cursor | None
    total: int
    version: int


def review_page(*, filters: ReviewFilters, page: PageRequest, voter: str | None) -> Page:
    """The ``page`` of the reviews ``filters`` select: the first one in its sort, or the one after
    or before its cursor's position in the snapshot that pinned; with ``voter``'s votes."""
    statement, params = page_statement(filters=filters, page=page, voter=voter)
    sort, limit, cursor = page.sort, page.limit, page.cursor
    with read_cursor() as db:
        db.execute(statement, params)
        results, positions_json, fetched, latest, total, version = db.fetchone()
    snapshot = cursor.snapshot if cursor is not None else latest or 0
    positions = [
        tuple(key.decode(raw) for key, raw in zip(sort.keys, row, strict=True))
        for row in json.loads(positions_json or "[]")
    ]
    backwards = cursor is not None and cursor.direction == "previous"
    more = fetched > limit

    def at(position: tuple, direction: Direction) -> Cursor:
        return Cursor(sort.name, snapshot, direction, position, filters.digest)

    has_next = True if backwards else more
    has_previous = cursor is not None and (more if backwards else True)
    next_cursor = previous_cursor = None
    if positions:
        next_cursor = at(positions[-1], "next") if has_next else None
        previous_cursor = at(positions[0], "previous") if has_previous else None
    elif cursor is not None:
        # An empty page past the end (or before the start): the way back is from its position.
        if cursor.direction == "next":
            previous_cursor = at(cursor.position, "previous")
        else:
            next_cursor = at(cursor.position, "next")
    review_ids = [position[-1] for position in positions]  # every sort ends in the review id
    return Page(results, review_ids, next_cursor, previous_cursor, total or 0, version or 0)


def page_statement(
    *, filters: ReviewFilters, page: PageRequest, voter: str | None
) -> tuple[str, list]:
    """``review_page``'s statement and its parameters. It returns the page's reviews as a JSON
    array, the key values of each, how many rows it read (one more than ``limit`` when there are
    more), the latest review id (first pages only), the total (the sum of the cells selected or,
    with a search, a count), and the product's aggregate version."""
    sort, limit, cursor = page.sort, page.limit, page.cursor
    backwards = cursor is not None and cursor.direction == "previous"
    reviews = reviews_filtered(filters)
    cells = cells_selected(filters)
    product_id = filters.product_id
    rows = reviews
    if cursor is not None:
        rows = rows.filter(id__lte=cursor.snapshot)
        keys = Row(*(key.expression for key in sort.keys))
        position = Row(*(Value(value) for value in cursor.position))
        # Past the position in the way we read: with the sort, or against it going back.
        after = LessThan if sort.descending != backwards else GreaterThan
        rows = rows.filter(after(keys, position))
    key_names = [f"key_{key.name}" for key in sort.keys]
    rows = (
        rows.order_by(*sort.order_by(reverse=backwards))
        .annotate(**{name: key.expression for name, key in zip(key_names, sort.keys, strict=True)})
        .values(*REVIEW_COLUMNS, *key_names, "responded_at", "verified_purchase")[: limit + 1]
    )
    page_sql, page_params = rows.query.sql_with_params()
    if cells is not None:
        total_sql = (
            f"SELECT coalesce(sum(cell.review_count) FILTER (WHERE {CELLS_SELECTED}), 0)"
            " FROM product_meta_cells AS cell WHERE cell.product_id = %s"
        )
        total_params: list[Any] = [*cells, product_id]
    else:
        count_sql, count_params = reviews.values("id").query.sql_with_params()
        total_sql = f"SELECT count(*) FROM ({count_sql}) AS counted"
        total_params = list(count_params)
    # The page is read in the sort's order (backwards for a previous page) and shown in it.
    descending = sort.descending != backwards
    read_order = ", ".join(f"p.{name} {'DESC' if descending else 'ASC'}" for name in key_names)
    shown_order = "page.ord DESC" if backwards else "page.ord"
    statement = f"""
WITH page AS MATERIALIZED (
    SELECT p.*, row_number() OVER (ORDER BY {read_order}) AS ord FROM ({page_sql}) AS p
)
SELECT (SELECT coalesce(json_agg({RESULT_JSON if voter is None else RESULT_JSON_WITH_VOTE}
                                 ORDER BY {shown_order}) FILTER (WHERE page.ord <= %s), '[]')
          FROM page)::text,
       (SELECT json_agg(json_build_array({", ".join(f"page.{n}" for n in key_names)})
                        ORDER BY {shown_order}) FILTER (WHERE page.ord <= %s)
          FROM page)::text,
       (SELECT count(*) FROM page),
       {"(SELECT max(id) FROM reviews)" if cursor is None else "NULL"},
       ({total_sql}),
       meta.version
  FROM (SELECT) AS one LEFT JOIN product_meta AS meta ON meta.product_id = %s"""
    params = [
        *page_params,
        LABELS_PARAMETER,
        *([voter] if voter is not None else []),
        limit,
        limit,
        *total_params,
        product_id,
    ]
    return statement, params


# The product's aggregates (product_meta primary key), its characteristics
# (characteristics_product_idx) with theirs (characteristic_meta primary key), and its verified
# purchases (reviews_product_verified_idx: counted, they are few).
SUMMARY_STORED = f"""
SELECT meta.version, {", ".join(f"meta.{name}" for name in PRODUCT_META_COUNTS)},
       (SELECT json_agg(json_build_array(c.id, c.name, cm.value_1, cm.value_2, cm.value_3,
                                         cm.value_4, cm.value_5) ORDER BY c.id)
          FROM characteristics AS c
          LEFT JOIN characteristic_meta AS cm ON cm.characteristic_id = c.id
         WHERE c.product_id = %s)::text,
       (SELECT count(*) FROM reviews
         WHERE product_id = %s AND NOT reported AND verified_purchase)"""


def _filtered_counts(reviews: str, ratings: str, value_count: str) -> str:
    """The summary's filtered columns: the ratings and recommends of ``reviews`` (rows of
    ``rating``, ``recommend``, ``n`` and, only those counted, ``selected``), each
    characteristic's distribution over ``ratings`` (rows of ``characteristic_id``;
    ``value_count`` counts the value {n} of them), and the verified purchases among them (a
    count of its own, whose statement follows)."""
    counts = ", ".join(f"{value_count.format(n=n)} AS value_{n}" for n in range(1, 6))
    values = ", ".join(f"by_characteristic.value_{n}" for n in range(1, 6))
    sums = [
        f"coalesce(sum(f.n) FILTER (WHERE f.selected AND f.rating = {n}), 0)" for n in range(1, 6)
    ]
    sums += ["coalesce(sum(f.n) FILTER (WHERE f.selected AND NOT f.recommend), 0)"]
    sums += ["coalesce(sum(f.n) FILTER (WHERE f.selected AND f.recommend), 0)"]
    return f""",
       (SELECT json_build_array({", ".join(sums)})
          FROM {reviews} AS f)::text,
       (SELECT json_agg(json_build_array(by_characteristic.characteristic_id, {values}))
          FROM (SELECT f.characteristic_id, {counts}
                  FROM {ratings} AS f
                 GROUP BY 1) AS by_characteristic)::text,
       (SELECT count(*) FROM ({{verified}}) AS verified)"""


# Over a search, counted now: the filtered reviews' ratings and recommends, and their
# characteristic ratings (char_reviews_review_idx).
SUMMARY_FILTERED_COUNTED = _filtered_counts(
    "(SELECT filtered.rating, filtered.recommend, 1 AS n, true AS selected FROM filtered)",
    "(SELECT rating.characteristic_id, rating.value"
    " FROM filtered JOIN characteristic_reviews AS rating ON rating.review_id = filtered.id)",
    "count(*) FILTER (WHERE f.value = {n})",
)
# Over filters on rating, recommend and photos: the sum of the cells they select, of the
# product's cells and of each of its characteristics' (read by their primary keys).
SUMMARY_FILTERED_CELLS = _filtered_counts(
    f"(SELECT cell.rating, cell.recommend, cell.review_count AS n, {CELLS_SELECTED} AS selected"
    " FROM product_meta_cells AS cell WHERE cell.product_id = %s)",
    f"(SELECT cell.*, {CELLS_SELECTED} AS selected FROM characteristics AS c"
    " JOIN characteristic_meta_cells AS cell ON cell.characteristic_id = c.id"
    " WHERE c.product_id = %s)",
    "coalesce(sum(f.value_{n}) FILTER (WHERE f.selected), 0)",
)


def product_summary_get(*, filters: ReviewFilters) -> Summary:
    """The product's counts from its aggregates and, when ``filters`` narrow them, the same
    counts over the reviews they select."""
    product_id = filters.product_id
    statement = SUMMARY_STORED
    params: list[Any] = [product_id, product_id]
    cells = cells_selected(filters)
    narrowed = bool(filters.given())
    if narrowed:
        verified_sql, verified_params = (
            reviews_filtered(filters).filter(verified_purchase=True).values("id").query
        ).sql_with_params()
    if narrowed and cells is not None:
        statement += SUMMARY_FILTERED_CELLS.format(verified=verified_sql)
        params += [*cells, product_id, *cells, product_id, *verified_params]
    elif narrowed:
        filtered_sql, filtered_params = (
            reviews_filtered(filters).values("id", "rating", "recommend").query.sql_with_params()
        )
        statement = f"WITH filtered AS MATERIALIZED ({filtered_sql})\n{statement}"
        statement += SUMMARY_FILTERED_COUNTED.format(verified=verified_sql)
        params = [*filtered_params, *params, *verified_params]
    statement += "\n  FROM (SELECT) AS one LEFT JOIN product_meta AS meta ON meta.product_id = %s"
    params.append(product_id)
    with read_cursor() as db:
        db.execute(statement, params)
        row = db.fetchone()
    version, counts, characteristics_json, verified = row[0], row[1:8], row[8], row[9]
    filtered_json = row[10:]
    stored = json.loads(characteristics_json or "[]")
    everything = Counts(
        ratings={n: counts[n - 1] or 0 for n in range(1, 6)},
        recommend_false=counts[5] or 0,
        recommend_true=counts[6] or 0,
        verified_purchases=verified,
        characteristic_values={
            cid: {n: values[n - 1] or 0 for n in range(1, 6)} for cid, _, *values in stored
        },
    )
    filtered = None
    if filtered_json:
        totals = json.loads(filtered_json[0])
        filtered = Counts(
            ratings={n: totals[n - 1] for n in range(1, 6)},
            recommend_false=totals[5],
            recommend_true=totals[6],
            verified_purchases=filtered_json[2],
            characteristic_values={
                cid: dict(enumerate(values, start=1))
                for cid, *values in json.loads(filtered_json[1] or "[]")
            },
        )
    return Summary(
        product_id=product_id,
        version=version or 0,
        characteristics=[(cid, name) for cid, name, *_ in stored],
        all=everything,
        filters=filters.given(),
        filtered=filtered,
    )
