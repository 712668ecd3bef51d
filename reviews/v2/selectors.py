"""Reads of API v2: a page of a product's filtered reviews, and its summary.

Each read is one SQL statement, so that everything it returns (the page, its total, the
aggregate version, the snapshot's latest review id; or the summary's counts and version) comes
from one snapshot of the database and agrees. The filters' and the page's conditions come from
the ORM (``reviews.v2.filters``' FilterSet and the sort's keys), compiled into that statement;
the reviews are rendered as JSON by PostgreSQL, as the legacy list is (``reviews.selectors``).

Counts come from the aggregates whenever the filters are made of rating, recommend and photos
alone: the sum of the product's cells they select (``product_meta_cells`` and
``characteristic_meta_cells``, migration 0013), a few rows whatever the product's size. Only a
search (``q``) is counted from the reviews themselves.
"""

import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Field, Func, QuerySet, Value
from django.db.models.lookups import GreaterThan, LessThan

from atelier.db import prepared_cursor
from reviews.meta.rebuild import PRODUCT_META_COUNTS
from reviews.models import CELL_DIMENSIONS
from reviews.selectors import REVIEW_JSON_FIELDS, VISIBLE_COLUMNS
from reviews.v2.cursors import Cursor, Direction, Sort
from reviews.v2.labels import CHARACTERISTIC_LABELS

# The review's own columns, as the legacy list reads them.
PAGE_COLUMNS = tuple(VISIBLE_COLUMNS.split(", "))


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


def _review_json(*fields: str) -> str:
    return "json_build_object(\n           " + ",\n           ".join(fields) + ")"


# A v2 list result, without and with the voter's vote (keyed by whether the request has a voter).
REVIEW_JSON = {
    False: _review_json(REVIEW_JSON_FIELDS, f"'characteristics', {CHARACTERISTICS_JSON}"),
    True: _review_json(
        REVIEW_JSON_FIELDS,
        f"'characteristics', {CHARACTERISTICS_JSON}",
        f"'my_vote', {MY_VOTE_JSON}",
    ),
}


LABELS_PARAMETER = json.dumps(CHARACTERISTIC_LABELS)

# Each cell dimension's values, all of which a filter that does not name it selects.
CELL_VALUES: dict[str, list] = {
    "rating": [1, 2, 3, 4, 5],
    "recommend": [False, True],
    "with_photos": [False, True],
}
# Whether a cell (of a product, or of its characteristics) is one the filters select. It is
# evaluated on each of the product's cells (at most 20 per product and per characteristic), never
# given to the primary key as an index condition: a prepared statement's generic plan cannot tell
# how many values ``= ANY(%s)`` holds and costs each as a search of its own, so PostgreSQL would
# plan the whole statement anew on every execution (about half a millisecond).
CELLS_SELECTED = " AND ".join(f"cell.{name} = ANY(%s)" for name in CELL_DIMENSIONS)


def cells_selected(filters: dict[str, Any]) -> list[list] | None:
    """The values of each cell dimension that ``filters`` select (the parameters of
    ``CELLS_SELECTED``), or None when a filter is not one of them (a search)."""
    if not set(filters) <= set(CELL_DIMENSIONS):
        return None
    selected = []
    for name in CELL_DIMENSIONS:
        given = filters.get(name)
        if given is None:
            selected.append(CELL_VALUES[name])
        elif name == "rating":
            selected.append(list(given))
        else:
            selected.append([given == "true"])
    return selected


@dataclass
class Page:
    results: str  # the JSON array of the page's reviews
    next: Cursor | None
    previous: Cursor | None
    total: int
    version: int


def review_page(
    *,
    product_id: int,
    reviews: QuerySet,
    filters: dict[str, Any],
    filters_digest: str,
    sort: Sort,
    limit: int,
    cursor: Cursor | None,
    voter: str | None,
) -> Page:
    """A page of ``reviews`` (a product's visible reviews that pass ``filters``) in ``sort``: the
    first one, or the one after or before ``cursor``'s position in the snapshot it pinned."""
    statement, params = page_statement(
        product_id=product_id,
        reviews=reviews,
        cells=cells_selected(filters),
        sort=sort,
        limit=limit,
        cursor=cursor,
        voter=voter,
    )
    with prepared_cursor() as db:
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
        return Cursor(sort.name, snapshot, direction, position, filters_digest)

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
    return Page(results, next_cursor, previous_cursor, total or 0, version or 0)


def page_statement(
    *,
    product_id: int,
    reviews: QuerySet,
    cells: list[list] | None,
    sort: Sort,
    limit: int,
    cursor: Cursor | None,
    voter: str | None,
) -> tuple[str, list]:
    """``review_page``'s statement and its parameters. It returns the page's reviews as a JSON
    array, the key values of each, how many rows it read (one more than ``limit`` when there are
    more), the latest review id (first pages only), the total (the sum of the ``cells`` selected
    or, without them, a count of ``reviews``), and the product's aggregate version."""
    backwards = cursor is not None and cursor.direction == "previous"
    page = reviews
    if cursor is not None:
        page = page.filter(id__lte=cursor.snapshot)
        keys = Row(*(key.expression for key in sort.keys))
        position = Row(*(Value(value) for value in cursor.position))
        # Past the position in the way we read: with the sort, or against it going back.
        after = LessThan if sort.descending != backwards else GreaterThan
        page = page.filter(after(keys, position))
    key_names = [f"key_{key.name}" for key in sort.keys]
    page = (
        page.order_by(*sort.order_by(reverse=backwards))
        .annotate(**{name: key.expression for name, key in zip(key_names, sort.keys, strict=True)})
        .values(*PAGE_COLUMNS, *key_names)[: limit + 1]
    )
    page_sql, page_params = page.query.sql_with_params()
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
SELECT (SELECT coalesce(json_agg({REVIEW_JSON[voter is not None]}
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


@dataclass
class Counts:
    """Counts over a set of reviews: ratings, recommends, and each characteristic's values."""

    ratings: dict[int, int]
    recommend_true: int
    recommend_false: int
    characteristic_values: dict[int, dict[int, int]]  # characteristic id -> value -> count


@dataclass
class Summary:
    version: int
    characteristics: list[tuple[int, str]]  # the product's, by id
    all: Counts
    filtered: Counts | None


# The product's aggregates (product_meta primary key), its characteristics
# (characteristics_product_idx) with theirs (characteristic_meta primary key).
SUMMARY_STORED = f"""
SELECT meta.version, {", ".join(f"meta.{name}" for name in PRODUCT_META_COUNTS)},
       (SELECT json_agg(json_build_array(c.id, c.name, cm.value_1, cm.value_2, cm.value_3,
                                         cm.value_4, cm.value_5) ORDER BY c.id)
          FROM characteristics AS c
          LEFT JOIN characteristic_meta AS cm ON cm.characteristic_id = c.id
         WHERE c.product_id = %s)::text"""


def _filtered_counts(reviews: str, ratings: str, value_count: str) -> str:
    """The summary's filtered columns: the ratings and recommends of ``reviews`` (rows of
    ``rating``, ``recommend``, ``n`` and, only those counted, ``selected``), and each
    characteristic's distribution over ``ratings`` (rows of ``characteristic_id``;
    ``value_count`` counts the value {n} of them)."""
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
                 GROUP BY 1) AS by_characteristic)::text"""


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


def product_summary(*, product_id: int, reviews: QuerySet, filters: dict[str, Any]) -> Summary:
    """The product's counts from its aggregates and, when there are ``filters``, the same counts
    over ``reviews``, the product's visible reviews that pass them."""
    statement = SUMMARY_STORED
    params: list[Any] = [product_id]
    cells = cells_selected(filters)
    if filters and cells is not None:
        statement += SUMMARY_FILTERED_CELLS
        params += [*cells, product_id, *cells, product_id]
    elif filters:
        filtered_sql, filtered_params = reviews.values(
            "id", "rating", "recommend"
        ).query.sql_with_params()
        statement = f"WITH filtered AS MATERIALIZED ({filtered_sql})\n{statement}"
        statement += SUMMARY_FILTERED_COUNTED
        params = [*filtered_params, *params]
    statement += "\n  FROM (SELECT) AS one LEFT JOIN product_meta AS meta ON meta.product_id = %s"
    params.append(product_id)
    with prepared_cursor() as db:
        db.execute(statement, params)
        row = db.fetchone()
    version, counts, characteristics_json, filtered_json = row[0], row[1:8], row[8], row[9:]
    stored = json.loads(characteristics_json or "[]")
    everything = Counts(
        ratings={n: counts[n - 1] or 0 for n in range(1, 6)},
        recommend_false=counts[5] or 0,
        recommend_true=counts[6] or 0,
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
            characteristic_values={
                cid: dict(enumerate(values, start=1))
                for cid, *values in json.loads(filtered_json[1] or "[]")
            },
        )
    return Summary(
        version=version or 0,
        characteristics=[(cid, name) for cid, name, *_ in stored],
        all=everything,
        filtered=filtered,
    )
