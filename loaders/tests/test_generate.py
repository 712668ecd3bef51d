"""The generator: the real files' format and quirks, skewed counts, the same files per seed."""

import csv
import filecmp
from collections import Counter

from loaders.files.generate import INJECTED_FILE, csv_dataset_generate
from loaders.files.generate.bad import KINDS
from loaders.files.tables import LOAD_ORDER


def _rows(path):
    with path.open(newline="", encoding="utf-8") as stream:
        return list(csv.reader(stream))


def test_same_seed_writes_the_same_files_whatever_the_worker_count(tmp_path, generated_dirty):
    again = tmp_path / "again"
    csv_dataset_generate(again, products=4000, seed=11, bad_rate=0.01, workers=1)

    for name in [t.file_name for t in LOAD_ORDER] + [INJECTED_FILE]:
        assert filecmp.cmp(again / name, generated_dirty / name, shallow=False), name


def test_another_seed_writes_other_rows(tmp_path, generated_clean):
    csv_dataset_generate(tmp_path, products=4000, seed=12, workers=2)

    assert (tmp_path / "reviews.csv").read_bytes() != (generated_clean / "reviews.csv").read_bytes()


def test_files_have_the_exact_headers_and_the_legacy_formats(generated_clean):
    for table in LOAD_ORDER:
        with (generated_clean / table.file_name).open("rb") as stream:
            assert stream.readline() == table.header + b"\n"
    raw = (generated_clean / "reviews.csv").read_text()
    reviews = _rows(generated_clean / "reviews.csv")[1:]
    assert all(len(row[3]) == 13 and row[3].isdigit() for row in reviews)
    assert {row[6] for row in reviews} == {row[7] for row in reviews} == {"true", "false"}
    assert ",null," in raw  # bare null responses
    assert '""' in raw  # doubled quotes inside text
    assert any("\n" in row[5] for row in reviews)  # bodies over several lines
    assert any("," in row[4] for row in reviews)
    ids = [int(row[0]) for row in reviews]
    assert ids == list(range(1, len(reviews) + 1))
    assert [int(row[1]) for row in reviews] == sorted(int(row[1]) for row in reviews)


def test_distributions_are_skewed_like_the_real_data(generated_clean):
    reviews = _rows(generated_clean / "reviews.csv")[1:]
    per_product = Counter(int(row[1]) for row in reviews)
    products_with_characteristics = {
        int(row[1]) for row in _rows(generated_clean / "characteristics.csv")[1:]
    }
    counts = sorted(per_product.values())
    assert 5.2 < len(reviews) / 4000 < 6.4  # the real mean is 5.77
    assert counts[len(counts) // 2] <= 5 and counts[-1] >= 60  # most have few, a long tail
    assert len(products_with_characteristics - set(per_product)) > 100  # no reviews yet
    reported = sum(row[7] == "true" for row in reviews) / len(reviews)
    assert 0.01 < reported < 0.03
    helpfulness = sorted(int(row[11]) for row in reviews)
    assert helpfulness[len(helpfulness) // 2] < 5  # most reviews have a few votes
    assert helpfulness[-1] > 100  # and a few very many
    photos = _rows(generated_clean / "reviews_photos.csv")[1:]
    assert 0.4 < len(photos) / len(reviews) < 0.55
    photo_ids = [int(row[0]) for row in photos]
    assert photo_ids != sorted(photo_ids)  # not strictly ascending, as in the real file
    assert sorted(photo_ids) == list(range(1, len(photos) + 1))


def test_bad_rate_adds_every_kind_of_bad_row_and_lists_each(generated_dirty):
    injected = _rows(generated_dirty / INJECTED_FILE)[1:]
    kinds = {(file.removesuffix(".csv"), kind) for file, _, kind in injected}

    assert kinds == {(table, kind) for table, table_kinds in KINDS.items() for kind in table_kinds}
