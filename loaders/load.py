"""Load the Atelier CSVs: every good row in, every bad row refused with its line and reason.

``csv_directory_load`` and ``csv_files_load`` are what the ``load_csv`` command and tests call.
Each file loads in its own transaction (a load killed half-way leaves the files before it
complete and nothing of the one it was in); re-running inserts only ids not yet there.
"""

import csv
import io
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from django.db import connection, transaction
from psycopg import IntegrityError

from loaders.database import bulk
from loaders.database.post_load import PostLoad, tables_analyze
from loaders.files.check import Checked, Checker, CheckFailed
from loaders.files.ids import IdSet
from loaders.files.rejects import Reject, RejectsFile
from loaders.files.tables import BY_NAME, LOAD_ORDER, Table


class LoadError(Exception):
    """A load refused as a whole before anything was written (missing file, wrong header)."""


@dataclass
class FileReport:
    table: str
    path: Path
    loaded: int = 0
    already_present: int = 0
    rejected: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        line = f"{self.loaded:,} {self.table} loaded in {self.seconds:,.0f} s"
        if self.already_present:
            line += f", {self.already_present:,} already present"
        if self.rejected:
            line += f", {self.rejected:,} refused"
        return line


@dataclass
class LoadReport:
    files: list[FileReport] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)  # the first ones; all are in the file
    rejects_path: Path | None = None
    post_load_seconds: float = 0.0

    @property
    def loaded(self) -> int:
        return sum(report.loaded for report in self.files)

    @property
    def already_present(self) -> int:
        return sum(report.already_present for report in self.files)

    @property
    def rejected(self) -> int:
        return sum(report.rejected for report in self.files)


def csv_directory_load(directory: Path | str, **options) -> LoadReport:
    """Load whichever of the four CSVs ``directory`` holds, parents first."""
    return csv_files_load(directory_files(Path(directory)), **options)


def directory_files(directory: Path) -> list[tuple[Table, Path]]:
    """The known CSVs ``directory`` holds, with their tables; refused when it holds none."""
    found = [(t, directory / t.file_name) for t in LOAD_ORDER if (directory / t.file_name).exists()]
    if not found:
        names = ", ".join(t.file_name for t in LOAD_ORDER)
        raise LoadError(f"{directory} holds none of {names}")
    return found


def table_for(path: Path) -> Table:
    """The table a file loads into: by its name (``reviews.csv``), else by its header."""
    if path.stem in BY_NAME:
        return BY_NAME[path.stem]
    header = _header(path)
    for table in LOAD_ORDER:
        if header == table.header:
            return table
    raise LoadError(f"{path}: neither its name nor its header says which table it is")


def csv_files_load(
    files: Sequence[tuple[Table, Path]],
    *,
    rejects_path: Path | None = None,
    progress: bool = False,
    out: TextIO | io.TextIOBase | None = None,  # a management command's stdout is the latter
) -> LoadReport:
    """Load ``(table, path)`` pairs in dependency order, then finish ``post_load`` (begun as
    each file commits)."""
    files = sorted(files, key=lambda pair: LOAD_ORDER.index(pair[0]))
    for table, path in files:
        _header_check(table, path)
    report = LoadReport(rejects_path=rejects_path)
    refused: dict[str, dict[int, str]] = {}  # table -> {id: reason}, refused by the database side
    with (
        Checker(files, _present_parent_ids(files), rejects_path, progress) as checker,
        PostLoad(early=not connection.in_atomic_block) as post_load,
    ):
        for table, path in files:
            file_report, checked = _file_load(table, path, checker, refused)
            post_load.committed(table.name)
            report.files.append(file_report)
            report.rejects += checked.first_rejects
            if out is not None:
                out.write(file_report.summary() + "\n")
        started = time.monotonic()
        with connection.cursor() as cursor:  # no outer transaction: the rebuild commits per range
            post_load.finish(cursor.cursor, tuple(table.name for table, _ in files))
    report.post_load_seconds = time.monotonic() - started
    # After the checker's own refusals (its process has closed the rejects file).
    report.rejects += _refusals_write(rejects_path, files, refused)
    return report


def _refusals_write(
    rejects_path: Path | None,
    files: Sequence[tuple[Table, Path]],
    refused: dict[str, dict[int, str]],
) -> list[Reject]:
    """Append the rows the database side refused to the rejects file, found again in their CSV
    (a rare event: only a load into tables holding other rows with the same ids has any)."""
    rejects = RejectsFile(rejects_path, append=True)
    try:
        for table, path in files:
            reasons = refused.get(table.name)
            if not reasons:
                continue
            with path.open(newline="", encoding="utf-8", errors="replace") as stream:
                reader, line = csv.reader(stream), 1
                for record in reader:
                    first_line, line = line, reader.line_num + 1
                    if record and record[0].strip().isdigit() and int(record[0]) in reasons:
                        raw = io.StringIO()
                        csv.writer(raw, lineterminator="").writerow(record)
                        rejects.add(path.name, first_line, reasons[int(record[0])],
                                    raw.getvalue().encode())  # fmt: skip
    finally:
        rejects.close()
    return rejects.first


def _header(path: Path) -> bytes:
    with path.open("rb") as stream:
        return stream.readline().rstrip(b"\n").removesuffix(b"\r").removeprefix(b"\xef\xbb\xbf")


def _header_check(table: Table, path: Path) -> None:
    header = _header(path)
    if header != table.header:
        shown = header.decode("utf-8", "backslashreplace")
        raise LoadError(
            f"{path}: the header is {shown!r}, expected {table.header.decode()!r}; nothing loaded"
        )


def _present_parent_ids(files: Sequence[tuple[Table, Path]]) -> dict[str, IdSet]:
    """The ids already in each table the files refer to (none for one about to be loaded empty).

    Read before the load, so the checker can run ahead; a parent row deleted meanwhile is caught by
    the foreign key when the child file is loaded, which then fails as a whole.
    """
    loading = {table.name for table, _ in files}
    parents = {parent for table, _ in files for parent in table.parents.values()}
    present = {}
    with transaction.atomic(), connection.cursor() as wrapper:
        for parent in sorted(parents):
            if parent not in loading or not bulk.table_empty(wrapper.cursor, parent):
                present[parent] = bulk.parent_ids(wrapper.cursor, parent)
    return present


def _cores_busy(checker: Checker) -> Callable[[], bool]:
    """Does the checker take cores the database server would use? Only when it runs here."""
    host = connection.connection.info.host
    if host.startswith("/") or host in ("localhost", "127.0.0.1", "::1"):
        return checker.running
    return lambda: False


def _file_load(
    table: Table, path: Path, checker: Checker, refused: dict[str, dict[int, str]]
) -> tuple[FileReport, Checked]:
    report = FileReport(table=table.name, path=path)
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as wrapper:
        cursor = wrapper.cursor
        empty = bulk.table_lock_empty(cursor, table)
        bulk.parents_lock(cursor, table)
        try:
            if empty:
                report.loaded = bulk.copy_into_empty(
                    cursor, table, checker.spool(table), cores_busy=_cores_busy(checker)
                )
            else:
                refused_parents = {name: set(ids) for name, ids in refused.items()}
                report.loaded, report.already_present, refused[table.name] = bulk.copy_merge(
                    cursor, table, checker.spool(table), refused_parents
                )
            # Planner statistics before commit: nothing is planned on an empty table's, nor
            # does ANALYZE wait for (or hold up) the next file, which locks this one if a parent.
            tables_analyze(cursor, (table.name,))
        except CheckFailed as failure:
            raise LoadError(f"{path}: {failure}; nothing of it loaded") from failure
        except IntegrityError as error:  # a parent row deleted since the load began
            raise LoadError(
                f"{path}: the database refused it ({error}); nothing of it loaded. Loading it "
                "again refuses only the rows that refer to rows deleted meanwhile."
            ) from error
    checked = checker.checked(table)
    report.rejected = checked.rejected + len(refused.get(table.name, ()))
    report.seconds = time.monotonic() - started
    return report, checked
