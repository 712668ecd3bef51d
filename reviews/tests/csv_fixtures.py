"""The API tests' fixture CSVs: our own rows in the real files' format, loaded by the real loader.

The fixtures carry the real files' quirks: bare ``null`` responses, ``""`` escapes, commas and a
line break inside quoted text, an empty summary, trailing spaces, photos out of id order, a bare
file name as a photo, a reported review, characteristic_reviews with characteristic_id before
review_id, and ids of different ranges per table so that a column swap cannot load quietly.
"""

import csv
from pathlib import Path

from loaders.load import csv_directory_load

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_csvs_load(directory: Path = FIXTURES) -> None:
    """Load every fixture row; a refused row is a broken fixture, so it fails the test."""
    report = csv_directory_load(directory)
    assert report.rejected == 0, report.rejects
    assert report.loaded == sum(_row_count(path) for path in directory.glob("*.csv"))


def _row_count(path: Path) -> int:
    with path.open(newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1
