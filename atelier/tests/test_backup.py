"""Backups and point-in-time restore of the embedded server, as a user runs them (the manage.py
commands, on a server and a backup folder of their own): WAL archived, a full then an incremental
base backup, and restores to moments between known writes that hold exactly the writes made before
each moment, with exact aggregates (verify_meta), in new data directories."""

import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from atelier.pgembedded import server

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def store(tmp_path):
    """A data folder and a backup folder, and manage.py run on them."""
    env = dict(
        os.environ,
        ATELIER_DATA_DIR=str(tmp_path / "data"),
        ATELIER_BACKUP_DIR=str(tmp_path / "backups"),
        ATELIER_DB_NAME="atelier",
    )
    env.pop("DATABASE_URL", None)

    def manage(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    yield manage, tmp_path
    for pgdata in [tmp_path / "data" / "postgres", *tmp_path.glob("restored-*")]:
        server.stop(pgdata)


def write(tmp_path: Path, marker: str) -> None:
    """A review posted on the source server (the aggregates' triggers count it)."""
    info = server.status(tmp_path / "data" / "postgres")
    assert info is not None
    with server.connect(info, "atelier") as conn:
        conn.execute(
            "INSERT INTO reviews (product_id, rating, date, summary, body, recommend, reported,"
            " reviewer_name, reviewer_email, helpfulness)"
            " VALUES (1, 5, now(), 'backup', %s, true, false, 'n', 'n@example.com', 0)",
            [marker],
        )


def moment() -> str:
    """Now, between two writes a second apart on each side."""
    time.sleep(1.1)
    now = datetime.now(UTC).isoformat()
    time.sleep(1.1)
    return now


def markers(restored: Path) -> list[str]:
    info = server.status(restored)
    assert info is not None
    with server.connect(info, "atelier") as conn:
        rows = conn.execute(
            "SELECT body FROM reviews WHERE body LIKE 'marker %%' ORDER BY id"
        ).fetchall()
    return [body for (body,) in rows]


def test_a_restore_holds_exactly_the_writes_before_its_target(store):
    manage, tmp_path = store
    manage("migrate", "--noinput")
    manage("demo_data", "--products", "20")
    assert "full backup" in manage("db_backup")
    write(tmp_path, "marker A")
    between_a_and_b = moment()
    write(tmp_path, "marker B")
    assert "incremental backup" in manage("db_backup")
    write(tmp_path, "marker C")
    between_c_and_d = moment()
    write(tmp_path, "marker D")
    info = server.status(tmp_path / "data" / "postgres")
    assert info is not None
    with psycopg.connect(host=str(info.socket_dir), port=info.port, user="postgres") as conn:
        conn.execute("SELECT pg_switch_wal()")  # D's segment archived now, not in a minute
    assert (tmp_path / "backups" / "wal").is_dir()

    early = tmp_path / "restored-early"
    out = manage("db_restore", "--target-time", between_a_and_b, "--into", str(early), "--keep")
    assert "-full to" in out and "no product differs" in out
    assert markers(early) == ["marker A"]

    late = tmp_path / "restored-late"
    out = manage("db_restore", "--target-time", between_c_and_d, "--into", str(late), "--keep")
    assert "-full + " in out and "-incremental to" in out  # the chain, combined
    assert "no product differs" in out
    assert markers(late) == ["marker A", "marker B", "marker C"]


def test_a_restore_refuses_a_data_directory_in_use_and_a_time_before_any_backup(store, tmp_path):
    manage, _ = store
    manage("migrate", "--noinput")
    manage("db_backup")
    taken = tmp_path / "used"
    taken.mkdir()
    (taken / "PG_VERSION").write_text("18\n")
    env_target = datetime.now(UTC).isoformat()
    with pytest.raises(AssertionError, match="not empty"):
        manage("db_restore", "--target-time", env_target, "--into", str(taken))
    with pytest.raises(AssertionError, match="no base backup finished before"):
        manage(
            "db_restore",
            "--target-time",
            "2020-01-01T00:00:00+00:00",
            "--into",
            str(tmp_path / "x"),
        )
