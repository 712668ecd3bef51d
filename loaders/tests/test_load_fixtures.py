"""Loading the hand-written fixture CSVs: every good row in, every bad row refused by line."""

import csv
import io
import shutil

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from loaders.load import LoadError, csv_directory_load
from loaders.tests.helpers import CLEAN, DIRTY, tables_dump, tables_empty
from reviews.models import CharacteristicReview, Review

pytestmark = pytest.mark.django_db(transaction=True)

# Every bad row of the dirty fixtures: (file, line, what the reason says). The other rows of those
# files are exactly the rows of the clean fixtures.
DIRTY_REJECTS = [
    ("reviews.csv", 3, "rating must be a whole number from 1 to 5, got '7'"),
    ("reviews.csv", 5, "rating must be a whole number from 1 to 5, got 'five'"),
    ("reviews.csv", 10, "date must be epoch milliseconds"),
    ("reviews.csv", 11, "recommend must be true or false, got 'maybe'"),
    ("reviews.csv", 13, "8 columns, expected 12"),
    ("reviews.csv", 14, "13 columns, expected 12"),
    ("reviews.csv", 16, "malformed quoting at character 32"),
    ("reviews.csv", 17, "a quoted field is never closed"),
    ("reviews.csv", 19, "helpfulness must be a whole number from 0"),
    ("reviews.csv", 20, "duplicate id 6"),
    ("reviews.csv", 22, "body is required"),
    ("reviews.csv", 23, "id must be a whole number from 1 to 2,147,483,647"),
    ("reviews.csv", 25, "date must be epoch milliseconds"),
    ("reviews_photos.csv", 3, "review_id 999 is not in reviews"),
    ("reviews_photos.csv", 5, "review_id 101 is not in reviews"),  # its review was refused
    ("reviews_photos.csv", 9, "2 columns, expected 3"),
    ("characteristics.csv", 6, "name must be one of"),
    ("characteristics.csv", 8, "product_id must be a whole number"),
    ("characteristics.csv", 12, "duplicate id 8"),
    ("characteristic_reviews.csv", 6, "characteristic_id 99 is not in characteristics"),
    ("characteristic_reviews.csv", 11, "review_id 999 is not in reviews"),
    ("characteristic_reviews.csv", 16, "value must be a whole number from 1 to 5, got '0'"),
    ("characteristic_reviews.csv", 21, "3 columns, expected 4"),
    ("characteristic_reviews.csv", 24, "characteristic_id 30 is not in characteristics"),
    ("characteristic_reviews.csv", 25, "duplicate id 17"),
]


def test_clean_fixtures_load_every_row_with_quirks_intact():
    report = csv_directory_load(CLEAN)

    assert (report.loaded, report.rejected) == (39, 0)
    assert [f.loaded for f in report.files] == [8, 5, 8, 18]
    multi_line = Review.objects.get(pk=3)
    assert multi_line.body == (
        "Fine for the price.\nThe zip sticks a little.\n\nStill wearing it daily."
    )
    assert 'The "relaxed fit" label is wrong.' in Review.objects.get(pk=2).body
    assert Review.objects.get(pk=8).reviewer_name == "commas,inc"
    assert Review.objects.get(pk=6).reviewer_name == "Renée"
    assert CharacteristicReview.objects.get(pk=18).characteristic_id == 7


def test_bare_null_response_is_sql_null_and_quoted_null_is_text():
    csv_directory_load(CLEAN)

    assert Review.objects.get(pk=1).response is None
    assert Review.objects.get(pk=5).response == "null"
    assert Review.objects.get(pk=5).summary == "null"
    assert Review.objects.filter(response__isnull=True).count() == 5


def test_each_bad_row_is_refused_with_its_line_and_every_good_row_loads(tmp_path):
    rejects_path = tmp_path / "rejects.csv"
    csv_directory_load(CLEAN)
    clean = tables_dump()
    tables_empty()

    report = csv_directory_load(DIRTY, rejects_path=rejects_path)

    assert tables_dump() == clean
    refused = [(r.file, r.line, r.reason) for r in report.rejects]
    assert [(file, line) for file, line, _ in refused] == [
        (file, line) for file, line, _ in DIRTY_REJECTS
    ]
    for (_, _, reason), (_, _, expected) in zip(refused, DIRTY_REJECTS, strict=True):
        assert expected in reason
    assert report.rejected == len(DIRTY_REJECTS)


def test_rejects_file_holds_file_line_reason_and_raw_text(tmp_path):
    rejects_path = tmp_path / "rejects.csv"

    csv_directory_load(DIRTY, rejects_path=rejects_path)

    with rejects_path.open(newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == len(DIRTY_REJECTS)
    unterminated = next(r for r in rows if r["file"] == "reviews.csv" and r["line"] == "17")
    assert unterminated["raw"].startswith('108,5,3,1633024800123,"Never closed,')
    photo = next(r for r in rows if r["file"] == "reviews_photos.csv" and r["line"] == "9")
    assert (photo["raw"], photo["reason"]) == ("22,6", "2 columns, expected 3")


def test_loading_again_changes_nothing_and_reports_rows_already_present():
    csv_directory_load(DIRTY)
    first = tables_dump()

    again = csv_directory_load(DIRTY)

    assert tables_dump() == first
    assert again.loaded == 0
    assert again.already_present == 39
    assert again.rejected == len(DIRTY_REJECTS)


def test_header_mismatch_is_refused_before_anything_is_written(tmp_path):
    shutil.copytree(CLEAN, tmp_path, dirs_exist_ok=True)
    ratings = tmp_path / "characteristic_reviews.csv"
    lines = ratings.read_text().splitlines(keepends=True)
    ratings.write_text("id,review_id,characteristic_id,value\n" + "".join(lines[1:]))

    with pytest.raises(LoadError, match=r"characteristic_reviews\.csv: the header is"):
        csv_directory_load(tmp_path)

    assert all(rows == [] for rows in tables_dump().values())


def test_sequences_continue_past_the_loaded_ids():
    csv_directory_load(DIRTY)

    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('reviews', 'id'))")
        assert cursor.fetchone()[0] == 9
        cursor.execute("SELECT nextval(pg_get_serial_sequence('characteristic_reviews', 'id'))")
        assert cursor.fetchone()[0] == 19


def test_indexes_and_constraints_are_back_after_a_bulk_load():
    with connection.cursor() as cursor:
        before = _schema(cursor)
        csv_directory_load(CLEAN)
        assert _schema(cursor) == before


def _schema(cursor) -> tuple[list, list]:
    cursor.execute(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
        "WHERE indrelid::regclass::text IN "
        "('reviews', 'reviews_photos', 'characteristics', 'characteristic_reviews') ORDER BY 1"
    )
    indexes = cursor.fetchall()
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint "
        "WHERE conrelid::regclass::text IN "
        "('reviews', 'reviews_photos', 'characteristics', 'characteristic_reviews') ORDER BY 1"
    )
    return indexes, cursor.fetchall()


def test_demo_data_loads_once_on_an_empty_database():
    out = io.StringIO()

    call_command("demo_data", products=200, stdout=out)
    first = tables_dump()
    call_command("demo_data", products=200, stdout=out)

    assert len(first["reviews"]) > 500
    assert tables_dump() == first
    assert "Reviews already present" in out.getvalue()


def test_load_csv_strict_fails_on_refused_rows_yet_loads_the_good_ones(tmp_path):
    with pytest.raises(CommandError, match="25 rows refused"):
        call_command("load_csv", str(DIRTY), "--strict", "--rejects", str(tmp_path / "r.csv"))

    assert len(tables_dump()["characteristic_reviews"]) == 18


def test_load_csv_takes_a_single_file_named_otherwise_by_its_header(tmp_path):
    export = tmp_path / "export-2021.csv"
    shutil.copy(CLEAN / "reviews.csv", export)
    out = io.StringIO()

    call_command("load_csv", str(export), "--rejects", str(tmp_path / "r.csv"), stdout=out)

    assert "8 reviews loaded in" in out.getvalue()
    assert "ready to serve in" in out.getvalue()
    assert Review.objects.count() == 8


def test_load_csv_fails_when_nothing_could_be_loaded(tmp_path):
    reviews = tmp_path / "reviews.csv"
    header = (CLEAN / "reviews.csv").read_text().splitlines()[0]
    reviews.write_text(f"{header}\n1,2,3\nnot,a,row\n")

    with pytest.raises(CommandError, match="nothing could be loaded"):
        call_command("load_csv", str(reviews), "--rejects", str(tmp_path / "r.csv"))


def test_crlf_line_endings_and_a_byte_order_mark_load_like_the_plain_files(tmp_path):
    csv_directory_load(CLEAN)
    clean = tables_dump()
    tables_empty()
    for source in CLEAN.iterdir():
        text = source.read_bytes().replace(b"\n", b"\r\n")
        (tmp_path / source.name).write_bytes(b"\xef\xbb\xbf" + text)

    report = csv_directory_load(tmp_path)

    assert report.rejected == 0
    assert tables_dump() == clean


def test_a_load_into_tables_with_other_rows_under_its_ids_refuses_them_and_their_children(
    tmp_path, client
):
    """A shopper's review took an id the dataset also uses: that CSV review is refused, and so
    are its photos and ratings; the shopper's review keeps exactly its own."""
    csv_directory_load(CLEAN)
    posted = client.post(
        "/reviews",
        {
            "product_id": 3,
            "rating": 5,
            "body": "Mine, posted through the API.",
            "recommend": True,
            "name": "shopper",
            "email": "shopper@example.com",
            "photos": ["https://example.com/mine.jpg"],
            "characteristics": {"1": 5, "2": 4},
        },
        content_type="application/json",
    )
    taken = int(posted["Location"].rsplit("/", 1)[1])
    before = tables_dump()
    dataset = tmp_path / "dataset"
    shutil.copytree(CLEAN, dataset)
    appended = {
        "reviews.csv": [
            f'{taken},7,1,1700000000000,"Theirs","Another product\'s review.",false,false,'
            '"other","other@example.com",null,0',
            '500,3,4,1700000000001,"New","A new review of product 3.",true,false,'
            '"new","new@example.com",null,0',
        ],
        "reviews_photos.csv": [f'900,{taken},"https://example.com/theirs.jpg"', '901,500,"https://example.com/new.jpg"'],
        "characteristic_reviews.csv": [f"800,6,{taken},2", "801,1,500,4"],
    }  # fmt: skip
    for name, rows in appended.items():
        with (dataset / name).open("a") as stream:
            stream.write("\n".join(rows) + "\n")

    report = csv_directory_load(dataset, rejects_path=tmp_path / "rejects.csv")

    after = tables_dump()
    mine = Review.objects.get(pk=taken)
    assert (mine.product_id, mine.body) == (3, "Mine, posted through the API.")
    assert [p.url for p in mine.photos.all()] == ["https://example.com/mine.jpg"]
    ratings = CharacteristicReview.objects.filter(review_id=taken)
    assert sorted(ratings.values_list("characteristic_id", "value")) == [(1, 5), (2, 4)]
    # Everything that was there is there unchanged; the new review came with its children.
    for table, table_rows in before.items():
        assert set(table_rows) <= set(after[table]), table
    assert Review.objects.filter(pk=500).exists()
    assert CharacteristicReview.objects.filter(pk=801, review_id=500).exists()
    with open(tmp_path / "rejects.csv", newline="") as stream:
        rejects = [(r["file"], r["reason"]) for r in csv.DictReader(stream)]
    assert rejects == [
        ("reviews.csv", f"id {taken} is taken by a different row of reviews already in the "
         "database: not loaded"),
        ("reviews_photos.csv", f"review_id {taken} is a row of reviews this load refused (its "
         "id is taken by a different one already in the database)"),
        ("characteristic_reviews.csv", f"review_id {taken} is a row of reviews this load refused "
         "(its id is taken by a different one already in the database)"),
    ]  # fmt: skip
    assert report.rejected == 3
    by_table = {f.table: f for f in report.files}
    # The clean rows, identical to what the first load wrote: already present, not doubled.
    assert by_table["reviews"].already_present == len(before["reviews"]) - 1
    assert by_table["reviews_photos"].loaded == 1
