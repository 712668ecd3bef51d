"""The v2 summary's JSON shape: a block of counts over a set of reviews.

Averages are exact: a string with 16 decimals, as the legacy meta renders them
(``reviews.meta.document.average_text``), beside the same rounded half-up to one decimal for
display.
"""

from typing import Any

from reviews.meta.document import average_text
from reviews.v2.labels import CHARACTERISTIC_LABELS
from reviews.v2.selectors import Counts


def label(name: str, value: int) -> str | None:
    labels = CHARACTERISTIC_LABELS.get(name)
    return labels[value - 1] if labels else None


def rounded_tenths(numerator: int, denominator: int) -> float | None:
    """``numerator / denominator`` rounded half-up to one decimal; None when nothing is counted."""
    if denominator == 0:
        return None
    tenths = (20 * numerator + denominator) // (2 * denominator)
    return tenths / 10


def counts_shape(counts: Counts, characteristics: list[tuple[int, str]]) -> dict[str, Any]:
    """Ratings, recommends and characteristic distributions of a set of reviews."""
    total = sum(counts.ratings.values())
    rating_sum = sum(rating * count for rating, count in counts.ratings.items())
    return {
        "total": total,
        "ratings": {str(rating): counts.ratings[rating] for rating in range(1, 6)},
        "average": average_text(rating_sum, total),
        "average_rounded": rounded_tenths(rating_sum, total),
        "recommended": {
            "count": counts.recommend_true,
            "percentage": rounded_tenths(100 * counts.recommend_true, total),
        },
        "characteristics": [
            characteristic_shape(cid, name, counts.characteristic_values.get(cid, {}))
            for cid, name in characteristics
        ],
    }


def characteristic_shape(cid: int, name: str, values: dict[int, int]) -> dict[str, Any]:
    count = sum(values.values())
    value_sum = sum(value * n for value, n in values.items())
    return {
        "id": cid,
        "name": name,
        "count": count,
        "average": average_text(value_sum, count),
        "average_rounded": rounded_tenths(value_sum, count),
        "distribution": [
            {"value": value, "label": label(name, value), "count": values.get(value, 0)}
            for value in range(1, 6)
        ],
    }
