"""Fixtures of the reviews tests: an API client, the fixture CSVs loaded into PostgreSQL, and
static files served without a ``collectstatic`` run."""

import pytest
from rest_framework.test import APIClient

from reviews.tests.csv_fixtures import fixture_csvs_load


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """The manifest storage needs `collectstatic`; pages (admin, Swagger UI) only need the URLs."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def api():
    return APIClient(HTTP_HOST="localhost")


@pytest.fixture
def loaded(db):
    """The fixture CSVs, loaded with COPY in the test's transaction."""
    fixture_csvs_load()
