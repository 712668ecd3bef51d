"""Split a CSV byte stream into records and a record into fields, RFC 4180 style.

A quoted field may span lines, so a record is one or more physical lines. A line with an
unterminated quote must not swallow the good rows after it: a following line that is by itself a
complete row always starts a new record, and the broken one is refused on its own.
"""

import re
from collections.abc import Callable, Iterable, Iterator

from loaders.fields import Refused

MAX_RECORD_LINES = 1000  # a longer quoted field is taken for an unterminated one
_FIELD = re.compile(rb'"([^"]*(?:""[^"]*)*)"|([^,"]*)')

UNTERMINATED = "malformed quoting: a quoted field is never closed"


def records(
    lines: Iterable[bytes], first_line: int, is_row: Callable[[bytes], object]
) -> Iterator[tuple[int, bytes, str | None]]:
    """Yield ``(line number, record, reason it is broken or None)``; line endings stripped."""
    start, parts = 0, []  # an open record: its first line number and its lines so far
    for number, line in enumerate(lines, first_line):
        line = line.rstrip(b"\n").removesuffix(b"\r")
        odd = line.count(b'"') & 1
        if not parts:
            if odd:
                start, parts = number, [line]
            elif line:
                yield number, line, None
            continue
        if not odd and is_row(line):
            yield start, b"\n".join(parts), UNTERMINATED
            start, parts = 0, []
            yield number, line, None
            continue
        parts.append(line)
        if odd:
            yield start, b"\n".join(parts), None
            start, parts = 0, []
        elif len(parts) >= MAX_RECORD_LINES:
            yield start, b"\n".join(parts), UNTERMINATED
            start, parts = 0, []
    if parts:
        yield start, b"\n".join(parts), UNTERMINATED


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
