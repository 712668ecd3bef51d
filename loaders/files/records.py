"""Split CSV bytes into records and a record into fields, RFC 4180 style.

A quoted field may span lines, so a record is one or more physical lines. A line with an
unterminated quote must not swallow the good rows after it: a following line that is by itself a
complete row always starts a new record, and the broken one is refused on its own.
"""

import re
from collections.abc import Callable
from typing import NamedTuple

from loaders.files.fields import Refused

MAX_RECORD_LINES = 1000  # a longer quoted field is taken for an unterminated one
_FIELD = re.compile(rb'"([^"]*(?:""[^"]*)*)"|([^,"]*)')

UNTERMINATED = "malformed quoting: a quoted field is never closed"


class Record(NamedTuple):
    text: bytes  # line endings stripped; empty for a blank line
    end: int  # where the next record starts
    lines: int  # physical lines it spans
    broken: str | None  # why it cannot be a row, when it cannot


def record_at(
    data: bytes, start: int, is_row: Callable[[bytes], object], *, final: bool
) -> Record | None:
    """The record starting at ``start``; None when ``data`` ends before it does (unless
    ``final``: the end of the data then ends it). Every line must end with a newline."""
    parts: list[bytes] = []
    position = start
    while True:
        newline = data.find(b"\n", position)
        if newline < 0:
            if final and parts:
                return Record(b"\n".join(parts), position, len(parts), UNTERMINATED)
            return None
        line = data[position:newline].removesuffix(b"\r")
        odd = line.count(b'"') & 1
        if not parts:
            if not odd:
                return Record(line, newline + 1, 1, None)
        elif not odd and is_row(line):
            return Record(b"\n".join(parts), position, len(parts), UNTERMINATED)
        parts.append(line)
        position = newline + 1
        if parts[1:] and odd:
            return Record(b"\n".join(parts), position, len(parts), None)
        if len(parts) >= MAX_RECORD_LINES:
            return Record(b"\n".join(parts), position, len(parts), UNTERMINATED)


def split_fields(record: bytes) -> list[tuple[bytes, bool]]:
    """``[(value, was it quoted)]`` with ``""`` unescaped; refuses malformed quoting."""
    fields, position, end = [], 0, len(record)
    while True:
        match = _FIELD.match(record, position)
        assert match is not None  # the unquoted branch matches the empty string
        quoted = match.group(1)
        if quoted is None:
            fields.append((match.group(2), False))
        else:
            fields.append((quoted.replace(b'""', b'"'), True))
        position = match.end()
        if position == end:
            return fields
        if record[position] != ord(","):
            raise Refused(f"malformed quoting at character {position + 1}")
        position += 1
