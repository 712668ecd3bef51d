"""The v2 summary's JSON document, in plain Python: blocks of counts over a set of reviews, with
what each point of a characteristic's scale means to a shopper.

Averages are exact: a string with 16 decimals, as the legacy meta renders them
(``reviews.meta.document.average_text``), beside the same rounded half-up to one decimal.
"""

from dataclasses import dataclass
from typing import Any

from reviews.meta.document import average_text

# Each characteristic's 1..5 scale, as the storefront shows it.
CHARACTERISTIC_LABELS = {
    "Size": (
        "A size too small",
        "½ a size too small",
        "Perfect",
        "½ a size too big",
        "A size too wide",
    ),
    "Width": ("Too narrow", "Slightly narrow", "Perfect", "Slightly wide", "Too wide"),
    "Comfort": ("Uncomfortable", "Slightly uncomfortable", "Ok", "Comfortable", "Perfect"),
    "Quality": ("Poor", "Below average", "What I expected", "Pretty great", "Perfect"),
    "Length": ("Runs short", "Runs slightly short", "Perfect", "Runs slightly long", "Runs long"),
    "Fit": ("Runs tight", "Runs slightly tight", "Perfect", "Runs slightly loose", "Runs loose"),
}


@dataclass
class Counts:
    """Counts over a set of reviews: ratings, recommends, and each characteristic's values."""

    ratings: dict[int, int]
    recommend_true: int
    recommend_false: int
    verified_purchases: int  # posted by signed shoppers who bought the product
    characteristic_values: dict[int, dict[int, int]]  # characteristic id -> value -> count


@dataclass
class Summary:
    product_id: int
    version: int
    characteristics: list[tuple[int, str]]  # the product's, by id
    all: Counts
    filters: dict[str, Any]  # the filters given, as the answer echoes them
    filtered: Counts | None  # over the reviews they select; None without filters


def summary_document(summary: Summary) -> dict[str, Any]:
    """The summary as ``GET /v2/products/<id>/summary`` answers it."""
    document: dict[str, Any] = {
        "product_id": summary.product_id,
        "version": summary.version,
        **counts_shape(summary.all, summary.characteristics),
    }
    if summary.filtered is not None:
        document["filters"] = summary.filters
        document["filtered"] = counts_shape(summary.filtered, summary.characteristics)
    return document


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
        "verified_purchases": counts.verified_purchases,
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
