"""Bad query strings of GET /reviews and /reviews/meta: 422 with the contract's messages."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

INVALID_PRODUCT_ID = {"detail": "Error: invalid product_id provided"}

BAD_PRODUCT_IDS = [
    None,  # missing
    "",
    "abc",
    "0",
    "-3",
    "1.5",
    "5.0",
    "1e3",
    "true",
    "2147483648",  # beyond any integer id
    "99999999999999999999999999999999",
    "1" * 5000,
    "\uff15",  # a full-width digit five
    "5_000",
    " 7",
    "7\x00",
]


def query(**params):
    return {key: value for key, value in params.items() if value is not None}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/reviews", "/reviews/", "/reviews/meta", "/reviews/meta/"])
@pytest.mark.parametrize("product_id", BAD_PRODUCT_IDS)
def test_invalid_product_id_is_422_with_the_contract_message(api, path, product_id):
    response = api.get(path, query(product_id=product_id))
    assert response.status_code == 422
    assert response.json()["detail"] == INVALID_PRODUCT_ID["detail"]
    assert "product_id" in response.json()["errors"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "parameter", "allowed"),
    [
        ({"page": "0"}, "page", "from 1 up"),
        ({"page": "-1"}, "page", "from 1 up"),
        ({"page": "x"}, "page", "from 1 up"),
        ({"page": "99999999999999999999"}, "page", "from 1 up"),
        ({"page": "11", "count": "1000"}, "page", "page * count at most 10000"),
        ({"page": "10001"}, "page", "page * count at most 10000"),
        ({"count": "0"}, "count", "from 1 to 1000"),
        ({"count": "1001"}, "count", "from 1 to 1000"),
        ({"count": "1000000000"}, "count", "from 1 to 1000"),
        ({"count": "five"}, "count", "from 1 to 1000"),
        ({"sort": "oldest"}, "sort", "relevant, newest, helpful"),
        ({"sort": "date DESC; DROP TABLE reviews"}, "sort", "relevant, newest, helpful"),
        ({"sort": "Newest"}, "sort", "relevant, newest, helpful"),
    ],
)
def test_invalid_page_count_or_sort_is_422_naming_the_parameter(api, params, parameter, allowed):
    response = api.get("/reviews", {"product_id": 1, **params})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail.startswith(f"Error: invalid {parameter} provided")
    assert allowed in detail
    assert parameter in response.json()["errors"]


@pytest.mark.django_db
def test_deepest_allowed_page_is_served(api):
    response = api.get("/reviews", {"product_id": 1, "page": 10, "count": 1000})
    assert response.status_code == 200
    assert response.json()["page"] == 9


@pytest.mark.django_db
def test_invalid_product_id_is_reported_before_other_parameters(api):
    response = api.get("/reviews", {"product_id": "x", "count": "0", "sort": "bad"})
    assert response.json()["detail"] == INVALID_PRODUCT_ID["detail"]
    assert set(response.json()["errors"]) == {"product_id", "count", "sort"}


@pytest.mark.django_db
@settings(max_examples=60, deadline=None)
@given(
    params=st.dictionaries(
        st.sampled_from(["product_id", "page", "count", "sort", "other"]),
        st.text(max_size=30) | st.integers(-(2**70), 2**70).map(str),
    )
)
def test_no_query_string_produces_a_server_error(params):
    api = APIClient()
    for path in ("/reviews", "/reviews/meta"):
        response = api.get(path, params)
        assert response.status_code in (200, 422), (path, params, response.content)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/reviews?product_id=1&product_id=2", "product_id"),
        ("/reviews?product_id=1&product_id=1", "product_id"),
        ("/reviews?product_id=1&sort=newest&sort=helpful", "sort"),
        ("/reviews?product_id=1&page=1&page=2", "page"),
        ("/reviews/meta?product_id=1&product_id=2", "product_id"),
    ],
)
def test_a_parameter_given_twice_is_422_naming_it(api, path, field):
    response = api.get(path)
    assert response.status_code == 422
    assert response.json()["errors"] == {field: ["Given more than once; give it once."]}
