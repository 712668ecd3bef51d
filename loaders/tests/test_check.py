"""The checker process: parents from the database or from the files before, failures, spools."""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from loaders import load
from loaders.files.check import SPOOL_PREFIX, Checker, CheckFailed, spools_stale_remove
from loaders.files.tables import BY_NAME, LOAD_ORDER, REVIEWS
from loaders.load import LoadError, csv_files_load
from loaders.tests.helpers import CLEAN, DIRTY, tables_dump, tables_empty
from reviews.models import ReviewPhoto


@pytest.mark.django_db(transaction=True)
def test_files_loaded_one_by_one_check_against_the_parents_already_in_the_database(tmp_path):
    files = [(table, DIRTY / table.file_name) for table in LOAD_ORDER]
    together = csv_files_load(files)
    expected = tables_dump()
    tables_empty()

    apart = [csv_files_load([file]) for file in files]

    assert tables_dump() == expected
    assert [reject.line for report in apart for reject in report.rejects] == [
        reject.line for reject in together.rejects
    ]


def test_a_failing_checker_fails_the_file_and_leaves_no_spool(tmp_path):
    missing = tmp_path / "reviews.csv"
    with Checker([(REVIEWS, missing)], {}, None, False) as checker:
        with pytest.raises(CheckFailed, match="No such file"):
            b"".join(checker.spool(REVIEWS))
        spool_dir = checker.spool_dir
    assert not spool_dir.exists()


def test_the_checker_writes_each_file_for_copy_and_reports_its_refusals(tmp_path):
    table = BY_NAME["characteristics"]
    with Checker([(table, DIRTY / table.file_name)], {}, tmp_path / "rejects.csv", False) as c:
        rows = b"".join(c.spool(table)).splitlines()
        checked = c.checked(table)
    clean_rows = (CLEAN / table.file_name).read_bytes().splitlines()[1:]
    assert rows == clean_rows
    assert checked.rejected == len(checked.first_rejects) == 3
    assert len((tmp_path / "rejects.csv").read_text().splitlines()) == 1 + 3


def test_spool_folders_of_loads_no_longer_running_are_removed():
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], **_OUT)
    dead = Path(tempfile.mkdtemp(prefix=f"{SPOOL_PREFIX}{finished.stdout.strip()}-"))
    alive = Path(tempfile.mkdtemp(prefix=f"{SPOOL_PREFIX}1-"))  # init never goes away
    try:
        spools_stale_remove()
        assert not dead.exists()
        assert alive.exists()
    finally:
        shutil.rmtree(alive, ignore_errors=True)
        shutil.rmtree(dead, ignore_errors=True)


_OUT: dict[str, Any] = {"capture_output": True, "text": True, "check": True}


@pytest.mark.django_db(transaction=True)
def test_a_parent_deleted_after_the_load_began_fails_its_child_file_cleanly(monkeypatch):
    photos = BY_NAME["reviews_photos"]
    csv_files_load([(REVIEWS, CLEAN / REVIEWS.file_name)])
    first_photo = (CLEAN / photos.file_name).read_text().splitlines()[1]
    review_id = int(first_photo.split(",")[1])
    read_before_the_delete = load._present_parent_ids

    def present_then_deleted(files):
        present = read_before_the_delete(files)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM reviews WHERE id = %s", [review_id])
        return present

    monkeypatch.setattr(load, "_present_parent_ids", present_then_deleted)
    with pytest.raises(LoadError, match=r"reviews_photos\.csv: the database refused it"):
        csv_files_load([(photos, CLEAN / photos.file_name)])
    assert ReviewPhoto.objects.count() == 0

    monkeypatch.undo()
    report = csv_files_load([(photos, CLEAN / photos.file_name)])
    assert [reject.reason for reject in report.rejects] == [
        f"review_id {review_id} is not in reviews"
    ] * first_photos_of(review_id, CLEAN / photos.file_name)


def first_photos_of(review_id: int, path: Path) -> int:
    """How many photos of ``path`` belong to ``review_id``."""
    rows = path.read_text().splitlines()[1:]
    return sum(int(row.split(",")[1]) == review_id for row in rows)


@pytest.mark.django_db(transaction=True)
def test_paths_relative_to_where_the_load_is_run_from(tmp_path, monkeypatch):
    shutil.copytree(DIRTY, tmp_path / "export")
    monkeypatch.chdir(tmp_path)

    report = csv_files_load(
        [(table, Path("export") / table.file_name) for table in LOAD_ORDER],
        rejects_path=Path("rejects.csv"),
    )

    assert report.loaded == sum(len(rows) for rows in tables_dump().values())
    written = (tmp_path / "rejects.csv").read_text().splitlines()
    assert len(written) == 1 + report.rejected > 1
