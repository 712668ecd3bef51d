"""GET /v2/products/<id>/summary: the aggregates' counts and distributions against a fresh count
of the rows, the filtered block against a fresh count of the filtered rows, labels, versions."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db.models import F

from reviews.meta.rebuild import meta_rebuild
from reviews.models import Characteristic, CharacteristicMeta, CharacteristicReview, Review
from reviews.tests.v2_catalog import FILTER_CASES, PRODUCT
from reviews.v2.document import CHARACTERISTIC_LABELS

URL = f"/v2/products/{PRODUCT}/summary"


def tenths(numerator: int, denominator: int) -> float | None:
    if not denominator:
        return None
    return float(
        (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    )


def sixteen(numerator: int, denominator: int) -> str | None:
    if not denominator:
        return None
    return str(
        (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(1).scaleb(-16), ROUND_HALF_UP)
    )


def fresh_counts(reviews) -> dict:
    """The counts block computed from the rows, without the aggregates or the app's code."""
    reviews = list(reviews)
    ratings = {str(n): sum(1 for r in reviews if r.rating == n) for n in range(1, 6)}
    total = len(reviews)
    rating_sum = sum(r.rating for r in reviews)
    recommended = sum(1 for r in reviews if r.recommend)
    characteristics = []
    for characteristic in Characteristic.objects.filter(product_id=PRODUCT).order_by("id"):
        values = list(
            CharacteristicReview.objects.filter(
                characteristic=characteristic, review__in=[r.id for r in reviews]
            ).values_list("value", flat=True)
        )
        labels = CHARACTERISTIC_LABELS[characteristic.name]
        characteristics.append(
            {
                "id": characteristic.id,
                "name": characteristic.name,
                "count": len(values),
                "average": sixteen(sum(values), len(values)),
                "average_rounded": tenths(sum(values), len(values)),
                "distribution": [
                    {"value": v, "label": labels[v - 1], "count": values.count(v)}
                    for v in range(1, 6)
                ],
            }
        )
    return {
        "total": total,
        "ratings": ratings,
        "average": sixteen(rating_sum, total),
        "average_rounded": tenths(rating_sum, total),
        "recommended": {"count": recommended, "percentage": tenths(100 * recommended, total)},
        "verified_purchases": sum(1 for r in reviews if r.verified_purchase),
        "characteristics": characteristics,
    }


def visible():
    return Review.objects.filter(product_id=PRODUCT, reported=False)


def test_the_summary_is_a_fresh_count_of_the_visible_reviews(api, catalog):
    body = api.get(URL).json()
    version = body.pop("version")
    assert version > 0
    assert body == {"product_id": PRODUCT, **fresh_counts(visible())}


@pytest.mark.parametrize("filters", FILTER_CASES[1:], ids=repr)
def test_the_filtered_block_is_a_fresh_count_of_the_filtered_reviews(api, catalog, filters):
    body = api.get(URL, filters).json()
    reviews = visible()
    if "rating" in filters:
        reviews = reviews.filter(rating__in=[int(r) for r in filters["rating"]])
    if "recommend" in filters:
        reviews = reviews.filter(recommend=filters["recommend"] == "true")
    if "with_photos" in filters:
        reviews = reviews.filter(photos__isnull=filters["with_photos"] != "true").distinct()
    if "verified" in filters:
        reviews = reviews.filter(verified_purchase=filters["verified"] == "true")
    if "q" in filters:
        family = {"zippers": "zipper", "fabric": "fabric"}[filters["q"]]
        reviews = [r for r in reviews if r.id in {c.id for c in catalog if family in c.families}]
    assert body["filtered"] == fresh_counts(reviews)
    # The whole product's block stays beside it, and the list agrees on the total.
    assert body["total"] == visible().count()
    listed = api.get(f"/v2/products/{PRODUCT}/reviews", filters).json()
    assert listed["total"] == body["filtered"]["total"]
    assert listed["version"] == body["version"]


def test_a_rating_changes_the_version_and_the_distribution(api, catalog):
    before = api.get(URL).json()
    rating = CharacteristicReview.objects.filter(review__reported=False).first()
    assert rating is not None
    rating.value = rating.value % 5 + 1
    rating.save()
    after = api.get(URL).json()
    assert after["version"] > before["version"]
    assert after["characteristics"] != before["characteristics"]
    assert {k: v for k, v in after.items() if k != "version"} == {
        "product_id": PRODUCT,
        **fresh_counts(visible()),
    }


def test_an_unknown_product_has_zero_counts_and_no_average(api, db):
    body = api.get("/v2/products/31337/summary").json()
    assert body["total"] == 0 and body["version"] == 0
    assert body["average"] is None and body["recommended"] == {"count": 0, "percentage": None}
    assert body["characteristics"] == []


def test_summaries_are_cacheable_and_tagged_with_the_products_counts(api, catalog, settings):
    settings.CACHE_NODES = ["http://127.0.0.1:9"]
    response = api.get(URL, {"rating": "5"})
    assert response["xkey"] == f"c{PRODUCT}"
    assert response["Cache-Control"] == "no-cache"
    assert api.get(URL, {"rating": "5"}, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_a_rebuild_that_corrects_a_characteristic_gives_its_product_a_new_version(api, catalog):
    before = api.get(URL).json()
    drifted = CharacteristicMeta.objects.filter(characteristic__product_id=PRODUCT)
    assert drifted.update(value_1=F("value_1") + 7) == 2
    assert meta_rebuild(tables=("characteristic_meta",)).written == {"characteristic_meta": 2}
    after = api.get(URL).json()
    assert after["version"] > before["version"]
    assert after == {**before, "version": after["version"]}


@pytest.mark.parametrize("query", [{}, {"rating": "5", "recommend": "true"}, {"q": "fit"}], ids=str)
def test_a_summary_is_one_statement(api, catalog, django_assert_num_queries, query):
    with django_assert_num_queries(1):
        assert api.get(URL, query).status_code == 200
