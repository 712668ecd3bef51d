"""Errors shared by every route: wrong methods, and a database that cannot be reached."""

import pytest
from django.db import OperationalError, connection
from django.db.backends.postgresql.base import DatabaseWrapper as PostgresWrapper

from reviews.exceptions import api_exception_handler

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("put", "/reviews"),
        ("delete", "/reviews/"),
        ("patch", "/reviews"),
        ("post", "/reviews/meta"),
        ("delete", "/reviews/meta/"),
        ("get", "/reviews/1/helpful"),
        ("post", "/reviews/1/helpful"),
        ("delete", "/reviews/1/report/"),
        ("get", "/reviews/1/report"),
        ("put", "/reviews/1"),
        ("delete", "/reviews/1/"),
    ],
)
def test_wrong_method_is_405(api, method, path):
    response = getattr(api, method)(path)
    assert response.status_code == 405
    assert "not allowed" in response.json()["detail"]


def test_unreachable_database_is_503_with_retry_after():
    """The handler is given the error a real connection attempt raises when no server listens."""
    settings = {**connection.settings_dict, "HOST": "/nonexistent-socket-dir", "PORT": "1"}
    unreachable = PostgresWrapper(settings, alias="unreachable")
    with pytest.raises(OperationalError) as raised:
        unreachable.ensure_connection()
    response = api_exception_handler(raised.value, {})
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "database cannot be reached" in response.data["detail"]
