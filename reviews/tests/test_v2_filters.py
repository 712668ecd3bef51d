"""The v2 filters' two readings agree: the quick one for plain values and the FilterSet's, which
judges everything else (and answers every error)."""

from django.http import QueryDict
from hypothesis import given, settings
from hypothesis import strategies as st

from reviews.exceptions import InputInvalid
from reviews.v2.filters import filterset_filters, quick_filters
from reviews.v2.selectors import ReviewFilters

VALUES = st.one_of(
    st.sampled_from(
        ["", "1", "5", "6", "05", "true", "false", "True", " ", "fit", "  fit  ", "a\x00b",
         "x" * 200, " " + "x" * 200 + " ", "x" * 201, "\u3000fit\u3000", "1 "]
    ),
    st.text(max_size=12),
)  # fmt: skip


def query_of(**lists: list[str]) -> QueryDict:
    query = QueryDict(mutable=True)
    for name, values in lists.items():
        query.setlist(name, values)
    return query


@settings(max_examples=400, deadline=None)
@given(
    rating=st.lists(VALUES, max_size=3),
    recommend=st.lists(VALUES, max_size=1),
    with_photos=st.lists(VALUES, max_size=1),
    verified=st.lists(VALUES, max_size=1),
    q=st.lists(VALUES, max_size=1),
)
def test_the_quick_reading_is_the_filtersets_wherever_it_answers(
    rating, recommend, with_photos, verified, q
):
    query = query_of(
        rating=rating, recommend=recommend, with_photos=with_photos, verified=verified, q=q
    )
    quick = quick_filters(7, query)
    try:
        full: ReviewFilters | None = filterset_filters(7, query)
    except InputInvalid:
        full = None
    if quick is not None:
        assert quick == full


def test_plain_filters_are_read_without_the_filterset():
    query = query_of(
        rating=["5", "4", "5"],
        recommend=["true"],
        with_photos=["false"],
        verified=["true"],
        q=[" fit "],
    )
    expected = ReviewFilters(
        7, ratings=(4, 5), recommend=True, with_photos=False, verified=True, search="fit"
    )
    assert quick_filters(7, query) == expected == filterset_filters(7, query)
