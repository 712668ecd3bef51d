"""Dates keep their milliseconds exactly through a load, whatever the value."""

import random

import pytest

from loaders.files.fields import MAX_EPOCH_MS
from loaders.load import csv_directory_load
from reviews.models import Review
from reviews.tests.dates import to_epoch_ms

pytestmark = pytest.mark.django_db(transaction=True)

EDGES = [0, 1, 999, 1000, 86_399_999, 951_782_400_000, 1_596_080_481_467, MAX_EPOCH_MS]


def test_every_millisecond_survives_the_load(tmp_path):
    rng = random.Random(20)
    values = EDGES + [rng.randrange(MAX_EPOCH_MS) for _ in range(200)]
    rows = [
        f'{n},1,4,{ms},"s","b",true,false,"n","e@example.com",null,0'
        for n, ms in enumerate(values, 1)
    ]
    header = "id,product_id,rating,date,summary,body,recommend,reported,reviewer_name,"
    header += "reviewer_email,response,helpfulness"
    (tmp_path / "reviews.csv").write_text("\n".join([header, *rows]) + "\n")

    csv_directory_load(tmp_path)

    loaded = dict(Review.objects.values_list("id", "date"))
    assert {n: to_epoch_ms(date) for n, date in loaded.items()} == dict(enumerate(values, 1))
