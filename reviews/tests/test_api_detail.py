"""GET /reviews/<id>, beside the contract: the review a POST's Location names."""

import pytest

from reviews.tests import oracle
from reviews.tests.api import post, valid

pytestmark = pytest.mark.usefixtures("loaded")


@pytest.mark.parametrize("row", oracle.rows("reviews"), ids=lambda row: f"review{row['id']}")
def test_review_detail_matches_the_csv_row(api, row):
    response = api.get(f"/reviews/{row['id']}")
    if row["reported"] == "true":
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        assert response.json() == oracle.review_result(row)
        assert list(response.json()) == list(oracle.review_result(row))


def test_location_of_a_posted_review_shows_it_as_the_list_does(api):
    location = post(api, valid(product_id=103, characteristics={}))["Location"]
    review = api.get(location).json()
    assert api.get(location + "/").json() == review
    listed = api.get("/reviews", {"product_id": 103}).json()["results"]
    assert listed == [review]
    assert review["photos"][0]["url"] == "https://example.com/a.jpg"


def test_review_detail_hides_a_review_once_reported(api):
    assert api.get("/reviews/1").status_code == 200
    api.put("/reviews/1/report")
    assert api.get("/reviews/1").status_code == 404


@pytest.mark.parametrize("review_id", ["987654", "0", "-1", "abc", "2147483648", "9" * 40])
def test_review_detail_of_unknown_or_malformed_id_is_404(api, review_id):
    response = api.get(f"/reviews/{review_id}")
    assert response.status_code == 404
    assert "no review" in response.json()["detail"]


def test_review_detail_is_one_query(api, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert api.get("/reviews/2").status_code == 200
