"""The v2 list's and summary's query parameters: the filters (a django-filter ``FilterSet`` over
a product's visible reviews) and the page (sort, limit, cursor).

Every filter combines with the others. A value that is not one of a filter's choices is a 422
naming it, never silently ignored; a parameter other than ``rating`` given twice is a 422 too.
"""

import re
from typing import Any

import django_filters
from django.contrib.postgres.search import SearchQuery
from django.db.models import Exists, OuterRef, QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reviews.exceptions import InputInvalid
from reviews.models import SEARCH_CONFIG, VISIBLE, Review, ReviewPhoto, SearchDocument
from reviews.serializers import (
    InputSerializer,
    QueryWholeNumberField,
    SortField,
    quick_whole_number,
)
from reviews.v2.cursors import SORTS

LIMIT_MAX = 100
LIMIT_DEFAULT = 10
SEARCH_LENGTH_MAX = 200
CURSOR_LENGTH_MAX = 1000
# What django.core.signing writes: URL-safe base64 and its separators.
CURSOR_PATTERN = r"^[A-Za-z0-9_.:-]*$"
BOOLEAN_CHOICES = (("true", "true"), ("false", "false"))
INVALID_FILTER = "Error: invalid filter provided"


class ReviewFilterSet(django_filters.FilterSet):
    rating = django_filters.TypedMultipleChoiceFilter(
        choices=[(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        method="filter_rating",
        help_text="Only these star ratings; repeat it for several (rating=4&rating=5).",
    )
    recommend = django_filters.ChoiceFilter(
        choices=BOOLEAN_CHOICES,
        method="filter_recommend",
        help_text="true: only reviews that recommend the product; false: only those that do not.",
    )
    with_photos = django_filters.ChoiceFilter(
        choices=BOOLEAN_CHOICES,
        method="filter_with_photos",
        help_text="true: only reviews with photos; false: only reviews without.",
    )
    q = django_filters.CharFilter(
        method="filter_search",
        max_length=SEARCH_LENGTH_MAX,
        help_text=(
            "Full-text search in summary and body, stemmed as English (web search syntax: words,"
            ' "a phrase", or, -word).'
        ),
    )

    class Meta:
        model = Review
        fields: list[str] = []

    def filter_rating(self, queryset: QuerySet, name: str, value: list[int]) -> QuerySet:
        if not value:
            return queryset
        ratings = sorted(set(value))
        # One rating is an equality, which the rating index orders by date within.
        if len(ratings) == 1:
            return queryset.filter(rating=ratings[0])
        return queryset.filter(rating__in=ratings)

    def filter_recommend(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(recommend=value == "true")

    def filter_with_photos(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        photos = Exists(ReviewPhoto.objects.filter(review_id=OuterRef("id")))
        return queryset.filter(photos if value == "true" else ~photos)

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value.strip():
            return queryset
        # The same expression as reviews_product_search_idx, so the index answers it.
        return queryset.alias(search=SearchDocument()).filter(
            search=SearchQuery(value, config=SEARCH_CONFIG, search_type="websearch")
        )


def visible_reviews(product_id: int) -> QuerySet:
    return Review.objects.filter(VISIBLE, product_id=product_id)


def filtered(product_id: int, query) -> tuple[QuerySet, dict[str, Any]]:
    """The product's visible reviews that pass the query's filters, and the filters as parsed
    (only those given)."""
    repeats_refuse(query, allowed={"rating"})
    if not any(name in query for name in ReviewFilterSet.base_filters):
        return visible_reviews(product_id), {}  # no FilterSet to build (a copy of every filter)
    filterset = ReviewFilterSet(data=query, queryset=visible_reviews(product_id))
    if not filterset.is_valid():
        raise InputInvalid(detail=INVALID_FILTER, errors=filterset.errors)
    given = {
        name: value
        for name, value in filterset.form.cleaned_data.items()
        if value not in (None, "", [])
    }
    if "rating" in given:
        given["rating"] = sorted(set(given["rating"]))
    return filterset.qs, given


def repeats_refuse(query, *, allowed: set[str]) -> None:
    names = {*ReviewFilterSet.base_filters, *ReviewPageInputSerializer._declared_fields}
    repeated = [name for name in sorted(names - allowed) if len(query.getlist(name)) > 1]
    if repeated:
        raise InputInvalid(
            detail=INVALID_FILTER,
            errors={name: ["Given more than once; give it once."] for name in repeated},
        )


@extend_schema_field(
    # One schema, not DRF-spectacular's oneOf for a blank-allowed field, which "" matches twice.
    {"type": "string", "maxLength": CURSOR_LENGTH_MAX, "pattern": CURSOR_PATTERN}
)
class CursorField(serializers.Field):
    """An opaque cursor as it travels: what django.core.signing writes, at most 1,000
    characters; empty means none (as an empty parameter means its default elsewhere)."""

    default_error_messages = {"invalid": "Not a cursor of this list."}

    def to_internal_value(self, data):
        if not isinstance(data, str) or len(data) > CURSOR_LENGTH_MAX:
            self.fail("invalid")
        if not re.fullmatch(CURSOR_PATTERN, data):
            self.fail("invalid")
        return data or None

    def to_representation(self, value):
        return value


class ReviewPageInputSerializer(InputSerializer):
    """Which page of the filtered list: its sort and size, or a cursor from an earlier page."""

    sort = SortField(
        choices=list(SORTS),
        required=False,
        default=None,
        help_text=(
            "relevant (default), newest, oldest, helpful, rating_high or rating_low; empty means"
            " the default; a cursor carries its own sort."
        ),
    )
    limit = QueryWholeNumberField(
        min_value=1,
        max_value=LIMIT_MAX,
        default=LIMIT_DEFAULT,
        help_text=f"Reviews per page, 1 to {LIMIT_MAX} (default {LIMIT_DEFAULT}).",
    )
    cursor = CursorField(
        required=False,
        help_text="Opaque: the next or previous link of an earlier page carries it (empty: none).",
    )

    details = {
        "sort": "Error: invalid sort provided",
        "limit": f"Error: invalid limit provided; a whole number from 1 to {LIMIT_MAX}",
        "cursor": "Error: invalid cursor provided",
    }
    fallback_detail = INVALID_FILTER

    @classmethod
    def quick_validated(cls, data) -> dict | None:
        """A plain sort and limit, no cursor: what a first page asks (see InputSerializer)."""
        sort = data.get("sort") or None  # sort= (empty): the default
        limit = quick_whole_number(data, "limit", LIMIT_DEFAULT, LIMIT_MAX)
        if "cursor" in data or limit is None or (sort is not None and sort not in SORTS):
            return None
        return {"limit": limit} if sort is None else {"sort": sort, "limit": limit}


def page_params(query) -> dict[str, Any]:
    params = dict(ReviewPageInputSerializer.validated(query))
    params.setdefault("sort", None)
    params.setdefault("cursor", None)
    return params
