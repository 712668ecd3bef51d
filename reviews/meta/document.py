"""The meta document's shape and exact formatting, whatever the counts were read from.

Counts are strings, keys appear only when the count is above zero, and each characteristic's
average is a string with exactly 16 decimals rounded half-up: what PostgreSQL renders for
``avg(integer)`` of values in [1, 10), computed here with integers so that no float is involved.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

AVERAGE_DECIMALS = 16
_SCALE = 10**AVERAGE_DECIMALS


@dataclass(frozen=True)
class CharacteristicStats:
    id: int
    name: str
    count: int  # ratings of visible reviews
    total: int | None  # their sum (None when there are none)


def average_text(total: int, count: int) -> str | None:
    """``total / count`` with exactly 16 decimals, rounded half-up; None when ``count`` is 0."""
    if count == 0:
        return None
    scaled = (2 * total * _SCALE + count) // (2 * count)  # floor(x + 1/2): half-up for x >= 0
    whole, fraction = divmod(scaled, _SCALE)
    return f"{whole}.{fraction:0{AVERAGE_DECIMALS}d}"


def product_meta_shape(
    *,
    product_id: int,
    rating_counts: Mapping[int, int],
    recommend_counts: Mapping[bool, int],
    characteristics: Iterable[CharacteristicStats],
) -> dict:
    characteristic_values: dict[str, dict] = {}
    # By id, so that a product with two characteristics of one name shows the first one.
    for stats in sorted(characteristics, key=lambda stats: stats.id):
        characteristic_values.setdefault(
            stats.name,
            {"id": stats.id, "value": average_text(stats.total or 0, stats.count)},
        )
    return {
        "product_id": str(product_id),
        "ratings": {
            str(rating): str(rating_counts[rating])
            for rating in range(1, 6)
            if rating_counts.get(rating, 0) > 0
        },
        "recommended": {
            name: str(recommend_counts[flag])
            for name, flag in (("false", False), ("true", True))
            if recommend_counts.get(flag, 0) > 0
        },
        "characteristics": characteristic_values,
    }
