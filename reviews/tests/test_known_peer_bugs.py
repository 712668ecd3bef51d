"""Regressions named after the bugs other implementations of this contract shipped.

Each is also covered by the contract tests; here each one is pinned by name.
"""

import pytest

from reviews.models import CharacteristicReview, Review

pytestmark = pytest.mark.usefixtures("loaded")


def results(api, **params):
    return api.get("/reviews", {"product_id": 101, **params}).json()["results"]


def test_characteristic_reviews_columns_are_not_swapped_when_loaded(api):
    # characteristic_id comes before review_id in the CSV; the fixture's ranges differ.
    pairs = set(CharacteristicReview.objects.values_list("characteristic_id", "review_id"))
    assert (1001, 1) in pairs and (1, 1001) not in pairs
    assert api.get("/reviews/meta", {"product_id": 101}).json()["characteristics"]["Fit"]["value"]


def test_sort_is_not_a_bound_parameter_that_sorts_by_a_constant(api):
    newest = [r["review_id"] for r in results(api, sort="newest", count=50)]
    helpful = [r["review_id"] for r in results(api, sort="helpful", count=50)]
    assert newest != helpful
    assert sorted(newest) == sorted(helpful)


def test_response_is_null_not_the_string_null(api):
    assert all(r["response"] != "null" for r in results(api, count=50))
    assert any(r["response"] is None for r in results(api, count=50))


def test_date_is_iso_not_an_epoch_string(api):
    for result in results(api, count=50):
        assert not result["date"].isdigit()
        assert result["date"].endswith("Z") and len(result["date"]) == 24


def test_results_say_review_id_not_id(api):
    for result in results(api, count=50):
        assert "review_id" in result and "id" not in result


def test_a_page_holds_count_results_not_page_plus_one_times_count(api):
    assert len(results(api, count=2, page=2)) == 2
    assert len(results(api, count=2, page=1)) == 2


def test_report_is_not_a_toggle(api):
    api.put("/reviews/1/report")
    api.put("/reviews/1/report")
    assert Review.objects.get(pk=1).reported is True


@pytest.mark.parametrize("action", ["helpful", "report"])
def test_put_answers_204_not_201(api, action):
    assert api.put(f"/reviews/2/{action}").status_code == 204


def test_averages_are_16_decimal_strings_not_rounded_numbers(api):
    for characteristic in (
        api.get("/reviews/meta", {"product_id": 101}).json()["characteristics"].values()
    ):
        value = characteristic["value"]
        assert isinstance(value, str)
        assert len(value.split(".")[1]) == 16
