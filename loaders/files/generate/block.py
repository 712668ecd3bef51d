"""One block of products: its plan (how many rows of each kind) and its four CSV parts.

Everything a block holds is drawn from random generators seeded by (seed, first product), so a
block is the same whichever process writes it; ids come from offsets the caller computes from
the plans of the blocks before it.
"""

import math
import random
from dataclasses import dataclass, field
from pathlib import Path

from loaders.files.generate.bad import KINDS, bad_row
from loaders.files.generate.text import POOL_SIZE, Pools

# Reviews per product: 7% have none (but do have characteristics); the rest are lognormal, so
# most have a handful and a long tail has hundreds. Tuned to the real mean of 5.77.
NO_REVIEWS = 0.07
REVIEWS_MU, REVIEWS_SIGMA, REVIEWS_MAX = 1.28, 1.1, 2000
# Characteristics come in families, as in the store: clothing, shoes, and simpler goods.
FAMILIES = (
    (0.42, ("Fit", "Length", "Comfort", "Quality")),
    (0.31, ("Size", "Width", "Comfort", "Quality")),
    (0.18, ("Comfort", "Quality")),
    (0.09, ("Quality",)),
)
PHOTO_CHANCE = 0.232  # of a review having photos; then 1-5 of them (0.47 per review overall)
PHOTO_COUNTS = (1,) * 45 + (2,) * 25 + (3,) * 15 + (4,) * 10 + (5,) * 5
RATINGS = (1,) * 8 + (2,) * 9 + (3,) * 17 + (4,) * 28 + (5,) * 38
RECOMMEND = {1: 0.15, 2: 0.35, 3: 0.7, 4: 0.92, 5: 0.97}
REPORTED = 0.02
RESPONDED = 0.09
DATE_FIRST_MS = 1_577_836_800_000  # 2020-01-01
DATE_SPAN_MS = 1_761_955_200_000 - DATE_FIRST_MS  # to 2025-11-01
PHOTO_SWAP = 0.1  # of a review's photos being listed out of id order, as in the real file


@dataclass
class BlockPlan:
    first_product: int
    reviews: list[int] = field(default_factory=list)  # per product
    families: list[tuple[str, ...]] = field(default_factory=list)  # per product
    photos: list[int] = field(default_factory=list)  # per review

    @property
    def counts(self) -> tuple[int, int, int, int]:
        """Rows of (reviews, photos, characteristics, characteristic ratings)."""
        return (
            sum(self.reviews),
            sum(self.photos),
            sum(len(names) for names in self.families),
            sum(n * len(names) for n, names in zip(self.reviews, self.families, strict=True)),
        )


def block_plan(seed: int, first_product: int, products: int) -> BlockPlan:
    rng = random.Random(f"{seed}:plan:{first_product}")
    plan = BlockPlan(first_product)
    weights = [weight for weight, _ in FAMILIES]
    for _ in range(products):
        if rng.random() < NO_REVIEWS:
            plan.reviews.append(0)
        else:
            count = int(rng.lognormvariate(REVIEWS_MU, REVIEWS_SIGMA))
            plan.reviews.append(min(max(count, 1), REVIEWS_MAX))
        plan.families.append(rng.choices(FAMILIES, weights)[0][1])
    for _ in range(sum(plan.reviews)):
        has = rng.random() < PHOTO_CHANCE
        plan.photos.append(PHOTO_COUNTS[int(rng.random() * 100)] if has else 0)
    return plan


@dataclass
class BlockOutput:
    """What a block wrote: per table, its part file, line count and injected bad lines."""

    parts: dict[str, Path]
    lines: dict[str, int]
    injected: list[tuple[str, int, str]]  # (table, line within the part, kind)


class _Part:
    def __init__(self, table: str, path: Path, bad_rate: float, rng: random.Random):
        self.table, self.path, self.bad_rate, self.rng = table, path, bad_rate, rng
        self.chunks: list[str] = []
        self.lines = 0
        self.injected: list[tuple[str, int, str]] = []

    def add(self, fields: list[str], extra_lines: int = 0) -> None:
        kind = None
        if self.bad_rate and self.rng.random() < self.bad_rate:
            kind = self.rng.choice(KINDS[self.table])
            if kind == "unterminated_quote" and extra_lines:
                kind = "stray_quote"  # the next line must be a whole row to end it
        if kind == "unterminated_quote":
            self._bad(kind, fields)
        self.chunks.append(",".join(fields))
        self.lines += 1 + extra_lines
        if kind is not None and kind != "unterminated_quote":
            self._bad(kind, fields)

    def _bad(self, kind: str, fields: list[str]) -> None:
        row = bad_row(self.table, kind, fields, self.rng)
        self.injected.append((self.table, self.lines + 1, kind))
        self.lines += 1 + row.count("\n")  # a bad row keeps a good row's text over lines
        self.chunks.append(row)

    def write(self) -> None:
        with self.path.open("w", encoding="utf-8", newline="") as stream:
            if self.chunks:
                stream.write("\n".join(self.chunks))
                stream.write("\n")


def block_write(
    plan: BlockPlan,
    offsets: tuple[int, int, int, int],
    *,
    seed: int,
    pools: Pools,
    bad_rate: float,
    directory: Path,
) -> BlockOutput:
    """Write the block's four parts into ``directory``; ids start after ``offsets``."""
    rng = random.Random(f"{seed}:rows:{plan.first_product}")
    bad_rng = random.Random(f"{seed}:bad:{plan.first_product}")
    rand = rng.random
    name = f"{plan.first_product:09d}.csv"
    parts = {
        table: _Part(table, directory / f"{table}.{name}", bad_rate, bad_rng) for table in KINDS
    }
    reviews, photos = parts["reviews"], parts["reviews_photos"]
    characteristics, ratings = parts["characteristics"], parts["characteristic_reviews"]
    review_id, photo_id, characteristic_id, rating_id = offsets
    review_index = 0
    for index, (count, names) in enumerate(zip(plan.reviews, plan.families, strict=True)):
        product = plan.first_product + index
        first_characteristic = characteristic_id + 1
        for characteristic in names:
            characteristic_id += 1
            characteristics.add([str(characteristic_id), str(product), f'"{characteristic}"'])
        for _ in range(count):
            review_id += 1
            rating = RATINGS[int(rand() * 100)]
            body = int(rand() * POOL_SIZE)
            person = int(rand() * POOL_SIZE)
            helpfulness = int(-math.log(1.0 - rand()) * 4)
            if rand() < 0.03:
                helpfulness += min(int(rand() ** -1.5), 5000)
            reviews.add(
                [
                    str(review_id),
                    str(product),
                    str(rating),
                    str(DATE_FIRST_MS + int(rand() * DATE_SPAN_MS)),
                    pools.summaries[int(rand() * POOL_SIZE)],
                    pools.bodies[body],
                    "true" if rand() < RECOMMEND[rating] else "false",
                    "true" if rand() < REPORTED else "false",
                    pools.names[person],
                    pools.emails[person],
                    pools.responses[int(rand() * 256)] if rand() < RESPONDED else "null",
                    str(helpfulness),
                ],
                pools.body_lines[body],
            )
            review_photos = plan.photos[review_index]
            review_index += 1
            ids = list(range(photo_id + 1, photo_id + 1 + review_photos))
            photo_id += review_photos
            if review_photos > 1 and rand() < PHOTO_SWAP:
                swap = int(rand() * (review_photos - 1))
                ids[swap], ids[swap + 1] = ids[swap + 1], ids[swap]
            for photo in ids:
                url = pools.photo_urls[int(rand() * POOL_SIZE)]
                photos.add([str(photo), str(review_id), url])
            for offset in range(len(names)):
                rating_id += 1
                value = max(1, min(5, rating + int(rand() * 3) - 1))
                ratings.add(
                    [str(rating_id), str(first_characteristic + offset), str(review_id), str(value)]
                )
    injected = []
    for part in parts.values():
        part.write()
        injected.extend(part.injected)
    return BlockOutput(
        parts={table: part.path for table, part in parts.items()},
        lines={table: part.lines for table, part in parts.items()},
        injected=injected,
    )
