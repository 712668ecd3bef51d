"""Bulk loads run with the triggers off; their last step leaves the meta aggregates exact."""

import csv
import re
from pathlib import Path

import pytest

from loaders.load import csv_directory_load
from reviews.meta.rebuild import meta_differences
from reviews.models import ProductMeta, Review
from reviews.services import review_report_add
from reviews.tests.meta_oracle import assert_meta_exact

# Committed loads, as in real use (a load is several transactions).
pytestmark = pytest.mark.django_db(transaction=True)

LOADER_FIXTURES = Path(__file__).resolve().parents[2] / "loaders" / "tests" / "fixtures" / "clean"
# The leading id columns of each file (all unquoted integers): shifted, they make new rows.
LEADING_IDS = {
    "reviews.csv": 2,  # id, product_id
    "reviews_photos.csv": 2,  # id, review_id
    "characteristics.csv": 2,  # id, product_id
    "characteristic_reviews.csv": 3,  # id, characteristic_id, review_id
}


def shifted_copy(source: Path, target: Path, by: int) -> None:
    """The four CSVs again, byte for byte but for their leading ids moved up by ``by``.

    Edited as text, so quoting (a quoted "null" is text, a bare null is none) stays as it was;
    csv.reader only says where each record (some span lines) starts.
    """
    for name, count in LEADING_IDS.items():
        lines = (source / name).read_text(encoding="utf-8").splitlines(keepends=True)
        reader, starts, line = csv.reader(lines), [], 0
        for _ in reader:
            starts.append(line)
            line = reader.line_num
        ids = re.compile(r"^\d+" + r",\d+" * (count - 1) + ",")
        for start in starts[1:]:  # not the header
            shift = ",".join(str(int(v) + by) for v in lines[start].split(",")[:count]) + ","
            lines[start] = ids.sub(shift, lines[start], count=1)
        (target / name).write_text("".join(lines), encoding="utf-8")


def test_meta_is_exact_after_a_load_into_empty_and_into_live_tables(tmp_path):
    first = csv_directory_load(LOADER_FIXTURES)  # empty tables: COPY, then post_load
    assert first.loaded > 0 and first.rejected == 0
    assert ProductMeta.objects.exists()
    assert_meta_exact("after the first load")

    # The API keeps writing between loads, through the triggers.
    unreported = Review.objects.filter(reported=False).order_by("id").first()
    assert unreported is not None
    review_report_add(review_id=unreported.id, reporter="r")
    assert_meta_exact("after a report")

    shifted_copy(LOADER_FIXTURES, tmp_path, by=100_000)
    second = csv_directory_load(tmp_path)  # live tables: merged, triggers off, then post_load
    assert second.loaded == first.loaded and second.rejected == 0
    assert ProductMeta.objects.filter(product_id__gt=100_000).exists()
    assert_meta_exact("after loading more into live tables")
    assert not meta_differences()
