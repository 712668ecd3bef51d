"""Where refused rows go: a CSV of file, line number, reason and the raw text, one row each."""

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

KEPT_IN_MEMORY = 1000  # the first refusals stay on the report too (messages, tests)


@dataclass(frozen=True)
class Reject:
    file: str
    line: int
    reason: str
    raw: str


class RejectsFile:
    """Collect refusals; written to ``path`` when one is given (header first, then one per row)."""

    def __init__(self, path: Path | None, *, append: bool = False):
        self.path = path
        self.count = 0
        self.first: list[Reject] = []
        self._stream: TextIO | None = None
        self._writer = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            header = not (append and path.exists())
            self._stream = path.open("a" if append else "w", newline="", encoding="utf-8")
            self._writer = csv.writer(self._stream, lineterminator="\n")
            if header:
                self._writer.writerow(["file", "line", "reason", "raw"])

    def add(self, file: str, line: int, reason: str, raw: bytes) -> None:
        reject = Reject(file, line, reason, raw.decode("utf-8", "backslashreplace"))
        self.count += 1
        if len(self.first) < KEPT_IN_MEMORY:
            self.first.append(reject)
        if self._writer is not None:
            self._writer.writerow([reject.file, reject.line, reject.reason, reject.raw])

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
