"""The connection health check: a live idle connection passes, one the server ended does not."""

import select

import pytest
from django.db import connection, connections

from atelier.db import prepared_cursor


@pytest.fixture
def other_connection(db):
    """A second connection to the test database, apart from the test's own."""
    other = connections.create_connection("default")
    other.ensure_connection()
    yield other
    other.close()


def test_an_idle_connection_is_usable(other_connection):
    assert other_connection.is_usable()
    assert other_connection.is_usable()  # checking consumes nothing


def test_a_connection_the_server_ended_is_not_usable(other_connection):
    backend = other_connection.connection.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [backend])
        assert cursor.fetchone()[0] is True
    # The server's goodbye reaches the socket within moments of the backend's exit.
    select.select([other_connection.connection.fileno()], [], [], 5)
    assert not other_connection.is_usable()


def test_a_closed_connection_is_not_usable(other_connection):
    other_connection.connection.close()
    assert not other_connection.is_usable()


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_a_statement_run_often_through_a_prepared_cursor_is_prepared_once():
    query = "SELECT %(n)s::integer * 2 AS doubled"
    answers = []
    for n in range(8):
        with prepared_cursor() as cursor:
            cursor.execute(query, {"n": n})
            answers.append(cursor.fetchone()[0])
    assert answers == [n * 2 for n in range(8)]
    assert [s for s in prepared_statements() if "doubled" in s] == [
        "SELECT $1::integer * 2 AS doubled"
    ]


@pytest.mark.django_db
def test_ordinary_cursors_prepare_nothing():
    for n in range(8):
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s::integer AS plain", [n])
    assert not [s for s in prepared_statements() if "plain" in s]
