"""The query strings' quick path agrees with the serializers: same result, or it steps aside."""

from django.http import QueryDict
from hypothesis import assume, given
from hypothesis import strategies as st

from reviews.exceptions import InputInvalid
from reviews.serializers import ProductMetaInputSerializer, ReviewListInputSerializer

# Values near every edge: blanks, signs, spaces, leading zeros, non-ASCII digits, limits.
VALUES = st.one_of(
    st.sampled_from(
        ["", "0", "1", "5", "007", "-1", "+1", " 1", "1 ", "1.0", "1e3", "٣", "1_000", "abc",
         "999", "1000", "1001", "10000", "10001", "2147483647", "2147483648", "99999999999",
         "relevant", "newest", "helpful", "Newest", "relevant "]
    ),
    st.integers(min_value=-10, max_value=2**32).map(str),
    st.text(max_size=6),
)  # fmt: skip
NAMES = st.sampled_from(["product_id", "page", "count", "sort", "other"])
QUERIES = st.lists(st.tuples(NAMES, VALUES), max_size=6)

# Queries the quick path mostly takes: a product id, then parameters that are mostly plain (and
# sometimes one of the edge values above), so most examples reach the comparison.
PLAIN = {
    "product_id": st.integers(1, 2**31 - 1).map(str),
    "page": st.one_of(st.just(""), st.integers(1, 200).map(str)),
    "count": st.one_of(st.just(""), st.integers(1, 1000).map(str)),
    "sort": st.sampled_from(["", "relevant", "newest", "helpful"]),
    "other": VALUES,
}
MOSTLY_PLAIN = NAMES.flatmap(
    lambda name: st.tuples(st.just(name), st.one_of(PLAIN[name], PLAIN[name], PLAIN[name], VALUES))
)
QUICK_QUERIES = st.builds(
    lambda first, rest: [first, *rest],
    st.tuples(st.just("product_id"), PLAIN["product_id"]),
    st.lists(MOSTLY_PLAIN, max_size=5),
)


def query_dict(pairs) -> QueryDict:
    query = QueryDict(mutable=True)
    for name, value in pairs:
        query.appendlist(name, value)
    return query


def serializer_result(serializer, query):
    """What the full serializer makes of it: the validated data, or the 422 it raises."""
    validated = serializer(data=query)
    return dict(validated.validated_data) if validated.is_valid() else InputInvalid


@given(QUICK_QUERIES)
def test_quick_path_for_review_lists_agrees_with_the_serializer_when_it_takes(pairs):
    query = query_dict(pairs)
    quick = ReviewListInputSerializer.quick_validated(query)
    assume(quick is not None)
    assert quick == serializer_result(ReviewListInputSerializer, query)


@given(QUICK_QUERIES)
def test_quick_path_for_meta_agrees_with_the_serializer_when_it_takes(pairs):
    query = query_dict(pairs)
    quick = ProductMetaInputSerializer.quick_validated(query)
    assume(quick is not None)
    assert quick == serializer_result(ProductMetaInputSerializer, query)


@given(QUERIES)
def test_quick_path_for_review_lists_steps_aside_when_the_serializer_refuses(pairs):
    query = query_dict(pairs)
    assume(serializer_result(ReviewListInputSerializer, query) is InputInvalid)
    assert ReviewListInputSerializer.quick_validated(query) is None


@given(QUERIES)
def test_quick_path_for_meta_steps_aside_when_the_serializer_refuses(pairs):
    query = query_dict(pairs)
    assume(serializer_result(ProductMetaInputSerializer, query) is InputInvalid)
    assert ProductMetaInputSerializer.quick_validated(query) is None


ORDINARY_LISTS = [
    "product_id=71719",
    "product_id=1&page=3&count=1000&sort=helpful",
    "product_id=5&count=500&sort=newest",
    "product_id=5&sort=&page=&count=",
]


def test_quick_path_takes_the_front_ends_ordinary_requests():
    for text in ORDINARY_LISTS:
        query = QueryDict(text)
        quick = ReviewListInputSerializer.quick_validated(query)
        assert quick is not None
        assert quick == serializer_result(ReviewListInputSerializer, query)
    assert ProductMetaInputSerializer.quick_validated(QueryDict("product_id=2")) == {
        "product_id": 2
    }
