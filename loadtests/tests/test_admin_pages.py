"""The admin benchmark runs every page it times, on small data, and writes nothing."""

import io

import pytest

from loadtests.admin_pages import bench_settings, run
from reviews.models import Review
from reviews.tests.factories import photo_make, review_make

pytestmark = pytest.mark.django_db


def test_every_admin_page_answers_and_the_benchmark_leaves_the_data_alone(settings):
    bench_settings(settings)
    reported = [review_make(reported=True) for _ in range(3)]
    photo_make(reported[0])
    out = io.StringIO()
    timings = run(1, out)
    # A one-page list ignores the page number, so even "page 200" answers here.
    assert {t.status for t in timings} == {200}
    assert "reported queue" in out.getvalue()
    assert Review.objects.filter(reported=True).count() == 3
