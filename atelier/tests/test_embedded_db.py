"""The embedded PostgreSQL: real server, reused rather than duplicated."""

from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from atelier.pgembedded import server

embedded = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "atelier.pgembedded",
    reason="DATABASE_URL is set: the embedded server is not in use",
)


@pytest.mark.django_db
def test_tests_run_on_their_own_test_database_whatever_the_server():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        assert cursor.fetchone()[0].startswith("test_")


@embedded
@pytest.mark.django_db
def test_the_tests_talk_to_the_embedded_postgresql_18():
    info = server.status()
    assert info is not None
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        version = int(cursor.fetchone()[0])
        cursor.execute("SHOW data_directory")
        data_directory = cursor.fetchone()[0]
    assert 180000 <= version < 190000
    assert Path(data_directory).resolve() == server.data_dir().resolve()


@embedded
@pytest.mark.django_db
def test_second_start_reuses_the_running_server():
    first = server.ensure_running()
    second = server.ensure_running()
    assert first.pid == second.pid
    running = server.status()
    assert running is not None
    assert running.pid == first.pid


@embedded
def test_tuning_is_applied():
    info = server.ensure_running()
    with server.connect(info) as conn:
        assert conn.execute("SHOW wal_level").fetchone() == ("minimal",)
        assert conn.execute("SHOW fsync").fetchone() == ("on",)
        assert conn.execute("SHOW synchronous_commit").fetchone() == ("on",)


@embedded
@pytest.mark.django_db
def test_a_connection_made_while_serving_never_starts_the_server(settings, tmp_path):
    from django.db import OperationalError

    from atelier.pgembedded.base import DatabaseWrapper

    settings.EMBEDDED_POSTGRES_DIR = tmp_path / "postgres"
    settings.EMBEDDED_POSTGRES_AUTOSTART = False
    wrapper = DatabaseWrapper({**connection.settings_dict}, alias="serving")
    with pytest.raises(OperationalError, match="embedded PostgreSQL is not running"):
        wrapper.ensure_connection()
    assert server.status(tmp_path / "postgres") is None
    assert not (tmp_path / "postgres").exists()


def test_the_wsgi_entry_point_turns_the_start_on_connect_off(tmp_path):
    import os
    import subprocess
    import sys

    script = (
        "import atelier.wsgi; from django.conf import settings; "
        "print(settings.EMBEDDED_POSTGRES_AUTOSTART)"
    )
    env = {k: v for k, v in os.environ.items() if k != "ATELIER_EMBEDDED_DB_AUTOSTART"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "False", result.stderr[-2000:]
