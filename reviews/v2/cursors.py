"""Keyset pagination of the v2 review list: the sorts, their keys, and the opaque cursors.

Every sort is a tuple of keys that all run one way and end in the review id, so a position in the
list is one row of key values and "after it" is one row comparison, ``(k1, k2, id) < (v1, v2, v)``
for a descending sort, which the sort's index scan starts from (an ascending sort reads the same
index backwards). Where a sort mixes directions (lowest rating first, newest first within one),
the key is negated instead (``rating * -1``), matching its index.

A cursor is the position of a page's edge, the sort, which way to read, the snapshot and a digest
of the filters, signed so that a client can neither forge nor edit one. The snapshot is the
highest review id when the first page was read: later pages never show reviews posted after it.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from django.core import signing
from django.db.models import Expression, F, Func, IntegerField

from reviews.models import relevance

SALT = "reviews.v2.cursor"

Direction = Literal["next", "previous"]


@dataclass(frozen=True)
class Key:
    """One key of a sort: its expression, and how its values travel in a cursor."""

    name: str
    expression: Expression | F
    kind: type  # int, float or datetime

    def encode(self, value: Any) -> Any:
        return value.isoformat() if self.kind is datetime else value

    def decode(self, raw: Any) -> Any:
        if self.kind is datetime:
            if not isinstance(raw, str):
                raise ValueError(raw)
            return datetime.fromisoformat(raw)
        if self.kind is float and isinstance(raw, int | float) and not isinstance(raw, bool):
            return float(raw)
        if self.kind is int and isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        raise ValueError(raw)


class Negated(Func):
    """``(x * -1)`` with the -1 written in the statement, as in the rating_low index: a bound
    parameter there would keep a prepared statement's generic plan off the index."""

    template = "(%(expressions)s * -1)"
    output_field = IntegerField()


DATE = Key("date", F("date"), datetime)
ID = Key("id", F("id"), int)


@dataclass(frozen=True)
class Sort:
    name: str
    keys: tuple[Key, ...]
    descending: bool
    index: str  # the index a page of this sort is read from

    @property
    def ranked_by_votes(self) -> bool:
        """Whether helpful votes change this sort's order."""
        return any(key.name in ("helpfulness", "relevance") for key in self.keys)

    def order_by(self, *, reverse: bool = False) -> list:
        descending = self.descending != reverse
        return [key.expression.desc() if descending else key.expression.asc() for key in self.keys]


SORTS = {
    sort.name: sort
    for sort in (
        Sort(
            "relevant",
            (Key("relevance", relevance(), float), ID),
            True,
            "reviews_product_relevant_idx",
        ),
        Sort("newest", (DATE, ID), True, "reviews_product_newest_idx"),
        Sort("oldest", (DATE, ID), False, "reviews_product_newest_idx"),
        Sort(
            "helpful",
            (Key("helpfulness", F("helpfulness"), int), DATE, ID),
            True,
            "reviews_product_helpful_idx",
        ),
        Sort(
            "rating_high",
            (Key("rating", F("rating"), int), DATE, ID),
            True,
            "reviews_product_rating_idx",
        ),
        Sort(
            "rating_low",
            (Key("rating_negated", Negated(F("rating")), int), DATE, ID),
            True,
            "reviews_product_rating_low_idx",
        ),
    )
}
DEFAULT_SORT = "relevant"


class CursorInvalid(ValueError):
    """Not a cursor of this list: forged, damaged, or of another sort or filters."""


@dataclass(frozen=True)
class Cursor:
    sort: str
    snapshot: int  # the highest review id the list shows
    direction: Direction  # read the page after the position (next) or before it (previous)
    position: tuple  # the key values of the edge row
    filters: str  # digest of the filters the position belongs to

    def encode(self) -> str:
        keys = SORTS[self.sort].keys
        payload = {
            "s": self.sort,
            "n": self.snapshot,
            "d": self.direction[0],
            "k": [key.encode(value) for key, value in zip(keys, self.position, strict=True)],
            "f": self.filters,
        }
        # Signed without a time, so that the same page always links the same cursor: its answer
        # keeps its ETag (and is revalidated with a 304) from one second to the next.
        return signing.Signer(salt=SALT).sign_object(payload, compress=True)

    @classmethod
    def decode(cls, token: str) -> "Cursor":
        try:
            if token.count(":") == 2:  # value:time:signature, as they once were
                payload = signing.loads(token, salt=SALT)
            else:
                payload = signing.Signer(salt=SALT).unsign_object(token)
            sort = SORTS[payload["s"]]
            raw_keys = payload["k"]
            if not isinstance(raw_keys, list) or len(raw_keys) != len(sort.keys):
                raise ValueError(raw_keys)
            position = tuple(key.decode(raw) for key, raw in zip(sort.keys, raw_keys, strict=True))
            snapshot, direction, filters = payload["n"], payload["d"], payload["f"]
            if not isinstance(snapshot, int) or direction not in ("n", "p"):
                raise ValueError(payload)
        except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
            raise CursorInvalid("Not a cursor of this list.") from exc
        return cls(
            sort=sort.name,
            snapshot=snapshot,
            direction="next" if direction == "n" else "previous",
            position=position,
            filters=str(filters),
        )


@dataclass(frozen=True)
class PageRequest:
    """Which page of a filtered list: the first in ``sort``, or the one ``cursor`` points to."""

    sort: Sort
    limit: int
    cursor: Cursor | None = None
