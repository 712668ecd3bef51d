"""Fixtures of the reviews tests: an API client and the fixture CSVs loaded into PostgreSQL."""

import pytest
from rest_framework.test import APIClient

from reviews.tests.csv_fixtures import fixture_csvs_load
from reviews.tests.v2_catalog import catalog_make


@pytest.fixture
def api():
    return APIClient(HTTP_HOST="localhost")


@pytest.fixture
def loaded(db):
    """The fixture CSVs, loaded with COPY in the test's transaction."""
    fixture_csvs_load()


@pytest.fixture
def catalog(db):
    """One product's 45 reviews of every kind, and a neighbour's (reviews.tests.v2_catalog)."""
    return catalog_make()
