"""The four Atelier CSV files: their exact headers, the rules each field obeys, and load order.

A ``Table`` is the single description of one file that both the generator and the loader follow.
"""

import re
from dataclasses import dataclass, field
from functools import cached_property

from loaders.files import fields as f


@dataclass(frozen=True)
class Table:
    name: str  # the database table, and the file's stem
    fields: tuple[f.Field, ...]
    # A row already in canonical form (what the generator writes), matched in one regex call.
    # Named groups: ``id``, one per reference column, and ``date`` when the row has one.
    fast: re.Pattern[bytes]
    parents: dict[str, str] = field(default_factory=dict)  # reference column -> parent table

    @cached_property
    def row(self) -> re.Pattern[bytes]:
        """One canonical row and its newline: ``finditer`` over a run of them yields each row."""
        return re.compile(self.fast.pattern + b"\n")

    @cached_property
    def run(self) -> re.Pattern[bytes]:
        """The longest run of canonical rows from a position, matched at C speed."""
        plain = re.sub(rb"\(\?P<\w+>", b"(?:", self.fast.pattern)
        return re.compile(b"(?:" + plain + b"\n)*")

    def run_at(self, data: bytes, start: int) -> "Run":
        """The longest run of canonical rows in ``data`` from ``start`` (maybe empty).

        Integer-only rows are matched by one regex call and split later. Rows with text are
        matched one by one, which also gives what checking them needs (ids, references, dates):
        one pass over their bytes rather than two.
        """
        if self.integers_only:
            run = self.run.match(data, start)
            assert run is not None  # a repeat of zero or more rows matches anywhere
            return Run(data, start, run.end(), None)
        matches: list[re.Match[bytes]] = []
        end = start
        for match in self.row.finditer(data, start):
            if match.start() != end:
                break  # something else comes first: the run ends there
            matches.append(match)
            end = match.end()
        return Run(data, start, end, matches)

    @property
    def integers_only(self) -> bool:
        return b'"' not in self.fast.pattern

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.fields)

    @property
    def header(self) -> bytes:
        return ",".join(self.columns).encode()

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"


@dataclass(frozen=True)
class Run:
    """Canonical rows, each ending in a newline: ``data[start:end]``, with each row's match
    (spans in ``data``) for tables whose rows hold text."""

    data: bytes
    start: int
    end: int
    matches: list[re.Match[bytes]] | None

    @cached_property
    def text(self) -> bytes:
        return self.data[self.start : self.end]


def _fast(*parts: str) -> re.Pattern[bytes]:
    return re.compile(",".join(parts).encode())


_ID = r"(?P<id>[1-9]\d{0,9})"
_INT = r"(?:0|[1-9]\d{0,9})"
_SCORE = r"[1-5]"
_BOOL = r"(?:true|false)"
_QUOTED = r'"[^"]*(?:""[^"]*)*"'


def _ref(name: str) -> str:
    return rf"(?P<{name}>[1-9]\d{{0,9}})"


REVIEWS = Table(
    name="reviews",
    fields=(
        f.Id("id"),
        f.Integer("product_id", minimum=1),
        f.Score("rating"),
        f.EpochMs("date"),
        f.Text("summary"),
        f.Text("body"),
        f.Boolean("recommend"),
        f.Boolean("reported"),
        f.Text("reviewer_name"),
        f.Text("reviewer_email"),
        f.Text("response", nullable=True),
        f.Integer("helpfulness", minimum=0),
    ),
    fast=_fast(
        _ID,
        r"[1-9]\d{0,9}",
        _SCORE,
        r"(?P<date>\d{1,15})",
        _QUOTED,
        _QUOTED,
        _BOOL,
        _BOOL,
        _QUOTED,
        _QUOTED,
        rf"(?:null|{_QUOTED})",
        _INT,
    ),
)

REVIEWS_PHOTOS = Table(
    name="reviews_photos",
    fields=(f.Id("id"), f.Reference("review_id"), f.Text("url")),
    fast=_fast(_ID, _ref("review_id"), _QUOTED),
    parents={"review_id": "reviews"},
)

CHARACTERISTIC_NAMES = ("Fit", "Length", "Comfort", "Quality", "Size", "Width")

CHARACTERISTICS = Table(
    name="characteristics",
    fields=(
        f.Id("id"),
        f.Integer("product_id", minimum=1),
        f.Choice("name", CHARACTERISTIC_NAMES),
    ),
    fast=_fast(_ID, r"[1-9]\d{0,9}", '"(?:{})"'.format("|".join(CHARACTERISTIC_NAMES))),
)

CHARACTERISTIC_REVIEWS = Table(
    name="characteristic_reviews",
    # characteristic_id comes before review_id in the file, as in the legacy export.
    fields=(
        f.Id("id"),
        f.Reference("characteristic_id"),
        f.Reference("review_id"),
        f.Score("value"),
    ),
    fast=_fast(_ID, _ref("characteristic_id"), _ref("review_id"), _SCORE),
    parents={"characteristic_id": "characteristics", "review_id": "reviews"},
)

# Parents before children: a child row is checked against the parent rows already loaded.
LOAD_ORDER = (REVIEWS, REVIEWS_PHOTOS, CHARACTERISTICS, CHARACTERISTIC_REVIEWS)
BY_NAME = {table.name: table for table in LOAD_ORDER}
