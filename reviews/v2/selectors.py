"""Reads of API v2: a page of a product's filtered reviews, and its summary.

Each read runs in one REPEATABLE READ, READ ONLY transaction, so that the page, its total and the
aggregate version it reports (or the summary's counts and its version) come from one snapshot of
the database and agree with each other.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection, transaction
from django.db.models import Count, Field, Func, Max, OuterRef, Q, QuerySet, Value
from django.db.models.functions import JSONObject
from django.db.models.lookups import GreaterThan, LessThan

from reviews.models import (
    Characteristic,
    CharacteristicMeta,
    CharacteristicReview,
    ProductMeta,
    Review,
    ReviewPhoto,
    ReviewVote,
)
from reviews.v2.cursors import Cursor, Direction, Sort

REVIEW_FIELDS = (
    "id",
    "rating",
    "summary",
    "recommend",
    "response",
    "body",
    "date",
    "reviewer_name",
    "helpfulness",
)


class Row(Func):
    """A row constructor, ``(a, b, c)``: compared with another, it orders lexicographically."""

    function = ""
    template = "(%(expressions)s)"
    output_field = Field()


@contextmanager
def one_snapshot() -> Iterator[None]:
    """A read-only transaction whose statements all see the database as of its first one (inside
    a caller's transaction, that transaction as it is)."""
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


@dataclass
class Page:
    rows: list[dict]
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
    """A page of ``reviews`` (a product's filtered visible reviews) in ``sort``: the first one,
    or the one after or before ``cursor``'s position in the snapshot it pinned."""
    with one_snapshot():
        snapshot = cursor.snapshot if cursor else _latest_review_id()
        backwards = cursor is not None and cursor.direction == "previous"
        page = reviews.filter(id__lte=snapshot)
        if cursor is not None:
            keys = Row(*(key.expression for key in sort.keys))
            position = Row(*(Value(value) for value in cursor.position))
            # Past the position in the way we read: with the sort, or against it going back.
            after = LessThan if sort.descending != backwards else GreaterThan
            page = page.filter(after(keys, position))
        rows = list(
            page.order_by(*sort.order_by(reverse=backwards))
            .annotate(**_key_annotations(sort), **_review_extras(voter))
            .values(*REVIEW_FIELDS, *_key_annotations(sort), *_review_extras(voter))[: limit + 1]
        )
        more = len(rows) > limit
        rows = rows[:limit]
        if backwards:
            rows.reverse()
        total = _total(product_id, reviews, filters)
        version = _version(product_id)

    def at(row: dict, direction) -> Cursor:
        position = tuple(row[f"key_{key.name}"] for key in sort.keys)
        return Cursor(sort.name, snapshot, direction, position, filters_digest)

    has_next = more if not backwards else True
    has_previous = cursor is not None and (more if backwards else True)
    next_cursor = previous_cursor = None
    if rows:
        next_cursor = at(rows[-1], "next") if has_next else None
        previous_cursor = at(rows[0], "previous") if has_previous else None
    elif cursor is not None:
        # An empty page past the end (or before the start): the way back is from its position.
        turned: Direction = "previous" if cursor.direction == "next" else "next"
        previous_cursor = Cursor(sort.name, snapshot, turned, cursor.position, filters_digest)
        if turned == "next":
            next_cursor, previous_cursor = previous_cursor, None
    return Page(rows, next_cursor, previous_cursor, total, version)


def _latest_review_id() -> int:
    return Review.objects.aggregate(latest=Max("id"))["latest"] or 0


def _key_annotations(sort: Sort) -> dict[str, Any]:
    return {f"key_{key.name}": key.expression for key in sort.keys}


def _review_extras(voter: str | None) -> dict[str, Any]:
    """Per review: its photos (in id order), its characteristic ratings, and the voter's vote."""
    extras: dict[str, Any] = {
        "photo_list": ArraySubquery(
            ReviewPhoto.objects.filter(review_id=OuterRef("id"))
            .order_by("id")
            .values(json=JSONObject(id="id", url="url"))
        ),
        "characteristic_list": ArraySubquery(
            CharacteristicReview.objects.filter(review_id=OuterRef("id"))
            .order_by("characteristic_id")
            .values(
                json=JSONObject(id="characteristic_id", name="characteristic__name", value="value")
            )
        ),
    }
    if voter is not None:
        extras["my_votes"] = ArraySubquery(
            ReviewVote.objects.filter(review_id=OuterRef("id"), voter=voter).values("voter")
        )
    return extras


def _total(product_id: int, reviews: QuerySet, filters: dict[str, Any]) -> int:
    """The filtered set's size: from the product's aggregates when they hold it (no filter, one
    on rating, or one on recommend), counted otherwise."""
    if set(filters) <= {"rating"} or set(filters) == {"recommend"}:
        meta = ProductMeta.objects.filter(product_id=product_id).first()
        if meta is None:
            return 0
        if "recommend" in filters:
            return meta.recommend_true if filters["recommend"] == "true" else meta.recommend_false
        ratings = filters.get("rating") or range(1, 6)
        return sum(getattr(meta, f"rating_{n}") for n in ratings)
    return reviews.count()


def _version(product_id: int) -> int:
    return (
        ProductMeta.objects.filter(product_id=product_id).values_list("version", flat=True).first()
        or 0
    )


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


def product_summary(*, product_id: int, reviews: QuerySet | None) -> Summary:
    """The product's counts from its aggregates and, for ``reviews`` (its filtered visible
    reviews, when the request has filters), the same counts computed from them."""
    with one_snapshot():
        meta = ProductMeta.objects.filter(product_id=product_id).first()
        characteristics = list(
            Characteristic.objects.filter(product_id=product_id)
            .order_by("id")
            .values_list("id", "name")
        )
        stored = {
            row["characteristic_id"]: {n: row[f"value_{n}"] for n in range(1, 6)}
            for row in CharacteristicMeta.objects.filter(
                characteristic_id__in=[cid for cid, _ in characteristics]
            ).values("characteristic_id", *(f"value_{n}" for n in range(1, 6)))
        }
        everything = Counts(
            ratings={n: getattr(meta, f"rating_{n}") if meta else 0 for n in range(1, 6)},
            recommend_true=meta.recommend_true if meta else 0,
            recommend_false=meta.recommend_false if meta else 0,
            characteristic_values=stored,
        )
        filtered = None if reviews is None else _counts(reviews)
        return Summary(
            version=meta.version if meta else 0,
            characteristics=characteristics,
            all=everything,
            filtered=filtered,
        )


def _counts(reviews: QuerySet) -> Counts:
    totals = reviews.aggregate(
        **{f"rating_{n}": Count("id", filter=Q(rating=n)) for n in range(1, 6)},
        recommend_true=Count("id", filter=Q(recommend=True)),
        recommend_false=Count("id", filter=Q(recommend=False)),
    )
    values: dict[int, dict[int, int]] = {}
    for characteristic_id, value, count in (
        CharacteristicReview.objects.filter(review__in=reviews.values("id"))
        .values("characteristic_id", "value")
        .annotate(n=Count("id"))
        .values_list("characteristic_id", "value", "n")
    ):
        values.setdefault(characteristic_id, {})[value] = count
    return Counts(
        ratings={n: totals[f"rating_{n}"] for n in range(1, 6)},
        recommend_true=totals["recommend_true"],
        recommend_false=totals["recommend_false"],
        characteristic_values=values,
    )
