"""A compact set of positive integer ids: one byte per id below a limit, a set above it.

Ids run 1..N densely, so a bytearray holds 20 million of them in 20 MB, whatever the file size.
"""

from collections.abc import Iterable
from operator import itemgetter

DENSE_LIMIT = 1 << 27  # ids above this (only bad rows, in practice) go to a plain set


class IdSet:
    def __init__(self, ids: Iterable[int] = ()):
        self.flags = bytearray()
        self.sparse: set[int] = set()
        for value in ids:
            self.add(value)

    def __contains__(self, value: int) -> bool:
        if value < len(self.flags):
            return self.flags[value] == 1
        return value in self.sparse

    def add(self, value: int) -> bool:
        """Add ``value``; False when it was already there."""
        flags = self.flags
        if value < len(flags):
            if flags[value]:
                return False
            flags[value] = 1
            return True
        if value < DENSE_LIMIT:
            flags.extend(bytes(max(value + 1, 2 * len(flags), 1 << 16) - len(flags)))
            flags[value] = 1
            return True
        if value in self.sparse:
            return False
        self.sparse.add(value)
        return True

    def update(self, ids: list[int]) -> None:
        if not self.add_all(ids):
            for value in ids:
                self.add(value)

    def add_all(self, ids: list[int]) -> bool:
        """Add every id of ``ids`` when none is already here nor repeated; else add none."""
        if not ids:
            return True
        low, high = min(ids), max(ids)
        if low < 1 or high >= DENSE_LIMIT:
            return False
        flags = self.flags
        if high >= len(flags):
            flags.extend(bytes(max(high + 1, 2 * len(flags), 1 << 16) - len(flags)))
        if high - low + 1 == len(ids) and ids == list(range(low, high + 1)):
            if flags.find(1, low, high + 1) != -1:
                return False
            flags[low : high + 1] = b"\x01" * len(ids)
            return True
        if len(set(ids)) != len(ids) or 1 in _values(flags, ids):
            return False
        for value in ids:
            flags[value] = 1
        return True

    def union(self, other: "IdSet") -> "IdSet":
        """A new set of the ids of both."""
        if not other.flags and not other.sparse:
            return self
        if not self.flags and not self.sparse:
            return other
        size = max(len(self.flags), len(other.flags))
        # Flags are 0 or 1 bytes, so OR-ing the whole arrays as two integers ORs each id's flag.
        mine, theirs = (int.from_bytes(s.flags.ljust(size, b"\0"), "little") for s in (self, other))
        union = IdSet()
        union.flags = bytearray((mine | theirs).to_bytes(size, "little"))
        union.sparse = self.sparse | other.sparse
        return union

    def has_all(self, ids: list[int]) -> bool:
        """Is every id of ``ids`` here? (False also when some are beyond the dense range.)"""
        if not ids:
            return True
        if min(ids) < 0 or max(ids) >= len(self.flags):
            return False
        return 0 not in _values(self.flags, ids)


def _values(flags: bytearray, ids: list[int]) -> tuple[int, ...]:
    values = itemgetter(*ids)(flags)
    return values if len(ids) > 1 else (values,)
