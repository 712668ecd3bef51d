"""Which products the load tests ask for: a skewed popularity over the whole id range, plus the
last 10% of ids (the newest products, where a missing index hurts most).

Popularity follows Zipf's law (the product of rank r is asked for in proportion to 1/r), and the
ranks are scattered over the id range by a fixed bijection, so popular products are not all
small ids. The same scheme is written in Lua for wrk in ``loadtests/wrk/common.lua``.
"""

import math
import random
from dataclasses import dataclass

SCATTER_MULTIPLIER = 2_654_435_761  # Knuth's multiplicative hash constant: spreads ranks evenly
RECENT_SHARE = 0.25  # a quarter of the traffic goes to the last 10% of ids
RECENT_FRACTION = 0.10


@dataclass(frozen=True)
class ProductIds:
    max_id: int

    def __post_init__(self) -> None:
        if self.max_id < 1:
            raise ValueError("max_id must be at least 1")

    @property
    def multiplier(self) -> int:
        """The smallest multiplier >= SCATTER_MULTIPLIER coprime with max_id: a bijection."""
        multiplier = SCATTER_MULTIPLIER
        while math.gcd(multiplier, self.max_id) != 1:
            multiplier += 1
        return multiplier

    def by_rank(self, rank: int) -> int:
        """The product id of popularity rank ``rank`` (1 = most popular)."""
        return (rank - 1) * self.multiplier % self.max_id + 1

    def popular(self, rng: random.Random) -> int:
        """A product drawn by Zipf popularity (s = 1) over all of 1..max_id."""
        rank = int(math.exp(rng.random() * math.log(self.max_id + 1)))
        return self.by_rank(min(max(rank, 1), self.max_id))

    def recent(self, rng: random.Random) -> int:
        """A product drawn uniformly from the last 10% of ids."""
        first = self.max_id - max(1, int(self.max_id * RECENT_FRACTION)) + 1
        return rng.randint(first, self.max_id)

    def draw(self, rng: random.Random) -> int:
        return self.recent(rng) if rng.random() < RECENT_SHARE else self.popular(rng)
