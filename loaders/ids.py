"""A compact set of positive integer ids: one byte per id below a limit, a set above it.

Ids run 1..N densely, so a bytearray holds 20 million of them in 20 MB, whatever the file size.
"""

from collections.abc import Iterable

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
