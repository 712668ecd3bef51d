"""Loading generated data: the dirty files load to the clean tables, a killed load resumes."""

import csv
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection

from loaders.files.generate import INJECTED_FILE
from loaders.load import csv_directory_load
from loaders.tests.helpers import tables_dump, tables_empty

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_dirty_files_load_every_good_row_and_refuse_exactly_the_bad_ones(
    generated_clean, generated_dirty, tmp_path
):
    csv_directory_load(generated_clean)
    clean = tables_dump()
    tables_empty()

    report = csv_directory_load(generated_dirty, rejects_path=tmp_path / "rejects.csv")

    assert tables_dump() == clean
    with (generated_dirty / INJECTED_FILE).open() as stream:
        injected = [(row["file"], int(row["line"])) for row in csv.DictReader(stream)]
    with (tmp_path / "rejects.csv").open() as stream:
        refused = [(row["file"], int(row["line"])) for row in csv.DictReader(stream)]
    assert refused == injected
    assert report.rejected == len(injected)


def _load_subprocess(directory, rejects) -> subprocess.Popen:
    env = {**os.environ, "ATELIER_DB_NAME": connection.settings_dict["NAME"]}
    if "DATABASE_URL" in env:
        env["DATABASE_URL"] = env["DATABASE_URL"].rsplit("/", 1)[0] + "/" + env["ATELIER_DB_NAME"]
    command = [sys.executable, "manage.py", "load_csv", str(directory), "--rejects", str(rejects)]
    return subprocess.Popen(
        command, cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def _copy_progress(table: str | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(max(tuples_processed), 0) FROM pg_stat_progress_copy "
            "WHERE %s::text IS NULL OR relid = %s::regclass",
            [table, table],
        )
        return cursor.fetchone()[0]


def test_a_load_killed_in_the_middle_of_a_copy_resumes_to_the_clean_result(
    generated_dirty, tmp_path
):
    csv_directory_load(generated_dirty)
    expected = tables_dump()
    tables_empty()

    loader = _load_subprocess(generated_dirty, tmp_path / "rejects.csv")
    assert loader.stderr is not None
    deadline = time.monotonic() + 120
    while _copy_progress("characteristic_reviews") < 1000:
        assert loader.poll() is None, loader.stderr.read().decode()
        assert time.monotonic() < deadline
        time.sleep(0.002)
    loader.kill()
    loader.wait()

    partial = tables_dump()
    assert partial["reviews"] == expected["reviews"]
    assert partial["characteristic_reviews"] == []  # the file it was in left nothing behind
    csv_directory_load(generated_dirty)
    assert tables_dump() == expected


def test_loading_again_into_live_tables_leaves_them_readable(generated_dirty, tmp_path):
    csv_directory_load(generated_dirty)
    expected = tables_dump()

    loader = _load_subprocess(generated_dirty, tmp_path / "rejects.csv")
    assert loader.stderr is not None
    try:
        deadline = time.monotonic() + 120
        while _copy_progress() < 1000:  # a COPY into a temporary table, beside a locked live one
            assert loader.poll() is None, loader.stderr.read().decode()
            assert time.monotonic() < deadline
            time.sleep(0.002)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '200ms'")  # readers must not wait for the load
            cursor.execute(
                "SELECT (SELECT count(*) FROM reviews), (SELECT count(*) FROM reviews_photos), "
                "(SELECT count(*) FROM characteristics), "
                "(SELECT count(*) FROM characteristic_reviews)"
            )
            counts = cursor.fetchone()
            cursor.execute("RESET lock_timeout")
        assert loader.wait(timeout=120) == 0
    finally:
        if loader.poll() is None:
            loader.kill()
            loader.wait()

    assert list(counts) == [len(rows) for rows in expected.values()]
    assert tables_dump() == expected
