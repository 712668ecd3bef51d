"""GET /reviews/meta: every field against the fixture CSVs, exact averages, one query."""

from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviews.meta.document import CharacteristicStats, average_text, product_meta_shape
from reviews.tests import oracle

pytestmark = pytest.mark.usefixtures("loaded")


@pytest.mark.parametrize("product_id", [101, 102, 103, 104, 999])
def test_product_meta_matches_the_csv_rows_field_by_field(api, product_id):
    response = api.get("/reviews/meta", {"product_id": product_id})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == oracle.product_meta(product_id)


def test_product_meta_shape_types_and_order(api):
    body = api.get("/reviews/meta/", {"product_id": 101}).json()
    assert list(body) == ["product_id", "ratings", "recommended", "characteristics"]
    assert body["product_id"] == "101"
    # Review 5 (rating 3) is reported: no "3" key at all, rather than "0".
    assert body["ratings"] == {"1": "1", "2": "1", "4": "2", "5": "2"}
    assert list(body["ratings"]) == sorted(body["ratings"])
    assert body["recommended"] == {"false": "2", "true": "4"}
    assert list(body["characteristics"]) == ["Fit", "Length", "Comfort"]
    assert body["characteristics"]["Fit"] == {"id": 1001, "value": "3.1666666666666667"}
    assert body["characteristics"]["Length"] == {"id": 1002, "value": "2.8333333333333333"}
    assert body["characteristics"]["Comfort"] == {"id": 1003, "value": "3.3333333333333333"}


def test_product_meta_unrated_characteristic_is_null(api):
    body = api.get("/reviews/meta", {"product_id": 102}).json()
    assert body["characteristics"]["Quality"] == {"id": 1006, "value": None}
    assert body["characteristics"]["Size"]["value"] == "2.5000000000000000"


def test_product_meta_of_unknown_product_is_empty(api):
    assert api.get("/reviews/meta", {"product_id": 424242}).json() == {
        "product_id": "424242",
        "ratings": {},
        "recommended": {},
        "characteristics": {},
    }


def test_product_meta_of_product_with_characteristics_but_no_reviews(api):
    body = api.get("/reviews/meta", {"product_id": 103}).json()
    assert body["ratings"] == {} and body["recommended"] == {}
    assert body["characteristics"] == {
        "Fit": {"id": 1007, "value": None},
        "Length": {"id": 1008, "value": None},
    }


def test_product_meta_is_one_query(api, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert api.get("/reviews/meta", {"product_id": 101}).status_code == 200


def decimal_average(total: int, count: int) -> str:
    with localcontext() as context:
        context.prec = 80
        mean = Decimal(total) / Decimal(count)
        return str(mean.quantize(Decimal("1E-16"), rounding=ROUND_HALF_UP))


@pytest.mark.parametrize(
    ("total", "count", "expected"),
    [
        (5, 2, "2.5000000000000000"),
        (5, 3, "1.6666666666666667"),
        (61, 19, "3.2105263157894737"),
        (48, 19, "2.5263157894736842"),
        (1, 1, "1.0000000000000000"),
        (5, 1, "5.0000000000000000"),
        # An exact tie at the 17th decimal: half-up goes to ...13 where half-even keeps ...12.
        (2**17 + 1, 2**17, "1.0000076293945313"),
    ],
)
def test_average_text_has_16_decimals_rounded_half_up(total, count, expected):
    assert average_text(total, count) == expected


@given(count=st.integers(1, 10**7), data=st.data())
def test_average_text_equals_decimal_half_up(count, data):
    total = data.draw(st.integers(count, 5 * count))
    assert average_text(total, count) == decimal_average(total, count)


def test_average_text_of_nothing_is_none():
    assert average_text(0, 0) is None


def test_product_meta_shows_the_lower_id_of_two_characteristics_with_one_name():
    meta = product_meta_shape(
        product_id=9,
        rating_counts={},
        recommend_counts={},
        characteristics=[
            CharacteristicStats(id=31, name="Fit", count=1, total=2),
            CharacteristicStats(id=30, name="Fit", count=0, total=None),
        ],
    )
    assert meta["characteristics"] == {"Fit": {"id": 30, "value": None}}
