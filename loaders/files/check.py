"""Check the CSVs in a process of their own, running ahead of the database.

One checker process reads the files in load order, refuses bad rows to the rejects file and writes
the rows COPY is to get to a spool file per table. The loader COPYs a spool while it is still being
written, so checking (Python, one core) and copying (PostgreSQL, the other) overlap; and while
PostgreSQL builds one table's indexes, the checker is already through the next files.

A child file is checked against its parents' ids: those the database held when the load began
plus those the checker passed in the parent's file (whose COPY comes before the child's).
This module does not touch the database, so the process needs no Django.
"""

import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from loaders.files.fields import Refused
from loaders.files.ids import IdSet
from loaders.files.records import record_at
from loaders.files.rejects import Reject, RejectsFile
from loaders.files.rows import RowChecker
from loaders.files.tables import BY_NAME, Table

READ_BYTES = 1 << 20  # the unit of reading, checking and sending
WAIT_SECONDS = 0.02  # how often the loader looks again at a spool that has caught up
SPOOL_PREFIX = "atelier-load-"
PROJECT_ROOT = Path(__file__).resolve().parents[2]  # where ``-m loaders.files.check`` imports from


class CheckFailed(Exception):
    """The checker process failed or stopped; nothing of the file it was in is loaded."""


@dataclass
class Checked:
    """A file the checker is through: how many rows it refused, and the first few."""

    table: str
    rejected: int
    first_rejects: list[Reject] = field(default_factory=list)


@dataclass
class Job:
    """What the checker process is asked: the files, in load order, and the ids already loaded."""

    files: list[tuple[str, str]]  # (table name, path)
    present_ids: dict[str, IdSet]  # of each parent table, as the database held them
    rejects_path: Path | None
    progress: bool
    loader_pid: int


class Checker:
    """The loader's side of the checker process: spools to COPY from, and what each file refused.

    The two sides speak through files in the spool folder only: ``<table>.csv`` appears when the
    checker starts a file, ``<table>.checked`` when it is through it, ``failed`` when it failed.
    Neither side ever waits for the other to read. Use it as a context manager: leaving it stops
    the process and removes the folder.
    """

    def __init__(
        self,
        files: Sequence[tuple[Table, Path]],
        present_ids: dict[str, IdSet],
        rejects_path: Path | None,
        progress: bool,
    ):
        spools_stale_remove()
        self.spool_dir = Path(tempfile.mkdtemp(prefix=f"{SPOOL_PREFIX}{os.getpid()}-"))
        job = Job(
            files=[(table.name, str(path.resolve())) for table, path in files],
            present_ids=present_ids,
            rejects_path=rejects_path.resolve() if rejects_path is not None else None,
            progress=progress,
            loader_pid=os.getpid(),
        )
        (self.spool_dir / "job.pickle").write_bytes(pickle.dumps(job))
        self._process: subprocess.Popen | None = None

    def __enter__(self) -> "Checker":
        command = [sys.executable, "-m", "loaders.files.check", str(self.spool_dir)]
        paths = [str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, paths))}
        self._process = subprocess.Popen(command, env=env)
        return self

    @property
    def process(self) -> subprocess.Popen:
        assert self._process is not None, "the checker runs inside its with block"
        return self._process

    def __exit__(self, *exc_info) -> None:
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait()
        shutil.rmtree(self.spool_dir, ignore_errors=True)

    def spool(self, table: Table) -> Iterator[bytes]:
        """The checked rows of ``table`` as the checker writes them, to the end of its file."""
        path, checked = self.spool_dir / table.file_name, self._checked_path(table)
        while not path.exists():
            self._wait()
        with path.open("rb") as stream:
            path.unlink()  # the space is freed once both processes are done, killed or not
            while True:
                done = checked.exists()  # before the read: then that read reaches the end
                block = stream.read(READ_BYTES)
                if block:
                    yield block
                elif done:
                    return
                else:
                    self._wait()

    def running(self) -> bool:
        """Is the checker still at work (on one of the files to come)?"""
        return self.process.poll() is None

    def checked(self, table: Table) -> Checked:
        path = self._checked_path(table)
        while not path.exists():
            self._wait()
        return pickle.loads(path.read_bytes())

    def _checked_path(self, table: Table) -> Path:
        return self.spool_dir / f"{table.name}.checked"

    def _wait(self) -> None:
        """Give the checker a moment; raise when it has failed or stopped."""
        if self.process.poll() is not None:
            failed = self.spool_dir / "failed"
            if failed.exists():
                raise CheckFailed(failed.read_text())
            raise CheckFailed(f"the checker process stopped (exit code {self.process.returncode})")
        time.sleep(WAIT_SECONDS)


def files_check(spool_dir: Path) -> None:
    """The checker process: check each file of the job in turn into ``spool_dir/<table>.csv``."""
    job: Job = pickle.loads((spool_dir / "job.pickle").read_bytes())
    rejects = RejectsFile(job.rejects_path)
    loaded_ids: dict[str, IdSet] = {}  # of files whose rows a later file refers to
    later_parents = {parent for name, _ in job.files for parent in BY_NAME[name].parents.values()}
    try:
        for name, path in job.files:
            table = BY_NAME[name]
            parents = {
                column: job.present_ids.get(parent, IdSet()).union(loaded_ids.get(parent, IdSet()))
                for column, parent in table.parents.items()
            }
            checker = RowChecker(table, parents)
            refused_before, first_before = rejects.count, len(rejects.first)
            with (spool_dir / table.file_name).open("wb", buffering=0) as spool:
                for block in checked_blocks(table, Path(path), checker, rejects, job.progress):
                    if os.getppid() != job.loader_pid:
                        return  # the loader is gone (killed): stop writing for nobody
                    spool.write(block)
            if name in later_parents:
                loaded_ids[name] = checker.seen
            checked = Checked(name, rejects.count - refused_before, rejects.first[first_before:])
            _write_at_once(spool_dir / f"{name}.checked", pickle.dumps(checked))
    except Exception as error:
        _write_at_once(spool_dir / "failed", f"checking failed: {error!r}".encode())
        raise
    finally:
        rejects.close()


def _write_at_once(path: Path, data: bytes) -> None:
    """Write ``path`` so that a reader sees either no file or all of it."""
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    partial.replace(path)


def checked_blocks(
    table: Table, path: Path, checker: RowChecker, rejects: RejectsFile, progress: bool
) -> Iterator[bytes]:
    """Blocks of checked rows for COPY; refused rows go to ``rejects`` on the way.

    Runs of canonical rows are found by one regex call and checked together; anything else is
    taken one record at a time. Memory holds one read block and the record being completed.
    """
    file_name = path.name

    def refuse(line: int, reason: str, record: bytes) -> None:
        rejects.add(file_name, line, reason, record)

    run_at, is_row = table.run_at, checker.is_row
    with (
        path.open("rb") as stream,
        tqdm(
            total=path.stat().st_size,
            unit="B",
            unit_scale=True,
            desc=f"checking {table.name}",
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
                run = run_at(data, position)
                if run.end > position:
                    if single:
                        yield b"".join(single)
                        single.clear()
                    yield checker.run(run, line, refuse)
                    lines = run.text.count(b"\n")
                    line, rows, position = line + lines, rows + lines, run.end
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


def spools_stale_remove() -> None:
    """Remove spool folders of loads whose process is gone (killed before it could clean up)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{SPOOL_PREFIX}*"):
        pid = folder.name.removeprefix(SPOOL_PREFIX).split("-", 1)[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    # Through the module's own name, so what it pickles is ``loaders.files.check.Checked``.
    from loaders.files.check import files_check as main

    main(Path(sys.argv[1]))
