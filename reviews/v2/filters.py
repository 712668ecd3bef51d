"""The v2 reads' filters as a query string gives them: a django-filter ``FilterSet`` declares and
checks them, and ``review_filters`` hands the selectors the typed value they build their query
from (``reviews.v2.selectors.ReviewFilters``).

Every filter combines with the others. A value that is not one of a filter's choices is a 422
naming it, never silently ignored; a parameter other than ``rating`` given twice is a 422 too.
"""

import django_filters

from reviews.exceptions import InputInvalid
from reviews.models import Review
from reviews.serializers import repeats_refuse
from reviews.v2.selectors import ReviewFilters

SEARCH_LENGTH_MAX = 200
BOOLEAN_CHOICES = (("true", "true"), ("false", "false"))
INVALID_FILTER = "Error: invalid filter provided"


class ReviewFilterSet(django_filters.FilterSet):
    """The filters' declaration and checks; the query itself is the selector's."""

    rating = django_filters.TypedMultipleChoiceFilter(
        choices=[(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        help_text="Only these star ratings; repeat it for several (rating=4&rating=5).",
    )
    recommend = django_filters.ChoiceFilter(
        choices=BOOLEAN_CHOICES,
        help_text="true: only reviews that recommend the product; false: only those that do not.",
    )
    with_photos = django_filters.ChoiceFilter(
        choices=BOOLEAN_CHOICES,
        help_text="true: only reviews with photos; false: only reviews without.",
    )
    verified = django_filters.ChoiceFilter(
        choices=BOOLEAN_CHOICES,
        help_text=(
            "true: only verified purchases (posted by a signed shopper who bought the product);"
            " false: only the others."
        ),
    )
    q = django_filters.CharFilter(
        max_length=SEARCH_LENGTH_MAX,
        help_text=(
            "Full-text search in summary and body, stemmed as English (web search syntax: words,"
            ' "a phrase", or, -word).'
        ),
    )

    class Meta:
        model = Review
        fields: list[str] = []


FILTER_NAMES = tuple(ReviewFilterSet.base_filters)
SINGLE_FILTERS = tuple(name for name in FILTER_NAMES if name != "rating")  # rating=4&rating=5


def review_filters(product_id: int, query) -> ReviewFilters:
    """The product's filters that ``query`` gives, checked."""
    repeats_refuse(query, SINGLE_FILTERS, {}, INVALID_FILTER)
    quick = quick_review_filters(product_id, query)
    return quick if quick is not None else filterset_filters(product_id, query)


def quick_review_filters(product_id: int, query) -> ReviewFilters | None:
    """What ``review_filters`` returns for none or plain filters; None for a filter given twice
    or anything ``quick_filters`` leaves to the FilterSet."""
    if any(len(query.getlist(name)) > 1 for name in SINGLE_FILTERS):
        return None
    if not any(name in query for name in FILTER_NAMES):
        return ReviewFilters(product_id)
    return quick_filters(product_id, query)


def filterset_filters(product_id: int, query) -> ReviewFilters:
    """The filters as the FilterSet reads them: every value judged, a 422 naming what is wrong."""
    form = ReviewFilterSet(data=query, queryset=Review.objects.none()).form
    if not form.is_valid():
        raise InputInvalid(detail=INVALID_FILTER, errors=form.errors)
    given = form.cleaned_data

    def flag(name: str) -> bool | None:
        return None if not given[name] else given[name] == "true"

    return ReviewFilters(
        product_id,
        ratings=tuple(sorted(set(given["rating"] or ()))),
        recommend=flag("recommend"),
        with_photos=flag("with_photos"),
        verified=flag("verified"),
        search=given["q"] or "",
    )


RATINGS = frozenset(str(n) for n in range(1, 6))
FLAGS = {None: None, "true": True, "false": False}


def quick_filters(product_id: int, query) -> ReviewFilters | None:
    """What ``filterset_filters`` returns for plain values (digits 1 to 5, true or false, a search
    of at most 200 characters), without building the FilterSet: it copies every filter and its
    form on each request, about half a millisecond. None for anything else, which the FilterSet
    judges, so that every error has one source (a test drives both with the same queries)."""
    ratings = query.getlist("rating")
    flags = [query.get(name) for name in ("recommend", "with_photos", "verified")]
    q = query.get("q")
    if not set(ratings) <= RATINGS or not all(flag in FLAGS for flag in flags):
        return None
    recommend, with_photos, verified = flags
    search = ""
    if q is not None:
        search = q.strip()  # as a form's CharField cleans it
        if "\x00" in q or len(search) > SEARCH_LENGTH_MAX:
            return None
    return ReviewFilters(
        product_id,
        ratings=tuple(sorted({int(rating) for rating in ratings})),
        recommend=FLAGS[recommend],
        with_photos=FLAGS[with_photos],
        verified=FLAGS[verified],
        search=search,
    )
