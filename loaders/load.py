"""Load the Atelier CSVs: every good row in, every bad row refused with its line and reason.

``csv_directory_load`` and ``csv_files_load`` are what the ``load_csv`` command and tests call.
Each file loads in its own transaction (a load killed half-way leaves the files before it
complete and nothing of the one it was in); re-running inserts only ids not yet there.
"""

import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from django.db import connection, transaction
from tqdm import tqdm

from loaders import bulk
from loaders.fields import Refused
from loaders.post_load import post_load
from loaders.records import record_at
from loaders.rejects import Reject, RejectsFile
from loaders.rows import RowChecker
from loaders.tables import BY_NAME, LOAD_ORDER, Table

READ_BYTES = 1 << 20  # the unit of reading, checking and sending


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
    out: TextIO | None = None,
) -> LoadReport:
    """Load ``(table, path)`` pairs in dependency order, then run ``post_load`` once."""
    files = sorted(files, key=lambda pair: LOAD_ORDER.index(pair[0]))
    for table, path in files:
        _header_check(table, path)
    rejects = RejectsFile(rejects_path)
    report = LoadReport(rejects_path=rejects_path)
    try:
        for table, path in files:
            file_report = _file_load(table, path, rejects, progress)
            report.files.append(file_report)
            if out is not None:
                out.write(file_report.summary() + "\n")
    finally:
        rejects.close()
        report.rejects = rejects.first
    started = time.monotonic()
    with connection.cursor() as cursor:  # no outer transaction: the rebuild commits per range
        post_load(cursor.cursor, tuple(table.name for table, _ in files))
    report.post_load_seconds = time.monotonic() - started
    return report


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


def _file_load(table: Table, path: Path, rejects: RejectsFile, progress: bool) -> FileReport:
    report = FileReport(table=table.name, path=path)
    started = time.monotonic()
    refused_before = rejects.count
    with transaction.atomic(), connection.cursor() as wrapper:
        cursor = wrapper.cursor
        empty = bulk.table_lock_empty(cursor, table)
        parents = {
            column: bulk.parent_ids(cursor, parent) for column, parent in table.parents.items()
        }
        lines = _checked_lines(table, path, RowChecker(table, parents), rejects, progress)
        if empty:
            report.loaded = bulk.copy_into_empty(cursor, table, lines)
        else:
            report.loaded, report.already_present = bulk.copy_merge(cursor, table, lines)
    report.rejected = rejects.count - refused_before
    report.seconds = time.monotonic() - started
    return report


def _checked_lines(
    table: Table, path: Path, checker: RowChecker, rejects: RejectsFile, progress: bool
) -> Iterator[bytes]:
    """Blocks of checked rows for COPY; refused rows go to ``rejects`` on the way.

    Runs of canonical rows are found by one regex call and checked together; anything else is
    taken one record at a time. Memory holds one read block and the record being completed.
    """
    file_name = path.name

    def refuse(line: int, reason: str, record: bytes) -> None:
        rejects.add(file_name, line, reason, record)

    run_match, is_row = table.run.match, checker.is_row
    with (
        path.open("rb") as stream,
        tqdm(
            total=path.stat().st_size,
            unit="B",
            unit_scale=True,
            desc=table.name,
            disable=None if progress else True,
            file=sys.stderr,
        ) as bar,
    ):
        stream.readline()  # the header, checked before the load began
        line, data, started, rows = 2, b"", time.monotonic(), 0
        single: list[bytes] = []  # rows checked one by one, sent together
        while True:
            block = stream.read(READ_BYTES)
            final = not block
            data += block
            if final and data and not data.endswith(b"\n"):
                data += b"\n"
            position = 0
            while position < len(data):
                run_end = run_match(data, position).end()
                if run_end > position:
                    if single:
                        yield b"".join(single)
                        single.clear()
                    run = data[position:run_end]
                    yield checker.run(run, line, refuse)
                    line += run.count(b"\n")
                    rows += run.count(b"\n")
                    position = run_end
                    continue
                record = record_at(data, position, is_row, final=final)
                if record is None:
                    break  # completed by the next block
                if record.broken is not None:
                    refuse(line, record.broken, record.text)
                elif record.text:
                    try:
                        single.append(checker.check(record.text))
                    except Refused as refusal:
                        refuse(line, str(refusal), record.text)
                position, line = record.end, line + record.lines
            if single:
                yield b"".join(single)
                single.clear()
            data = data[position:]
            if not bar.disable:
                rate = rows / max(time.monotonic() - started, 1e-3)
                bar.set_postfix_str(f"{rate:,.0f} lines/s", refresh=False)
                bar.update(stream.tell() - len(data) - bar.n)
            if final:
                return
