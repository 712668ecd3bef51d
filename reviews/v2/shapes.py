"""The v2 answers' JSON shapes: a review of a list page, and a summary block of counts.

Averages are exact: a string with 16 decimals, as the legacy meta renders them
(``reviews.meta.average_text``), beside the same rounded half-up to one decimal for display.
"""

from datetime import UTC, datetime
from typing import Any

from reviews.meta import average_text
from reviews.v2.selectors import Counts

# What each point of a characteristic's 1..5 scale means to a shopper, as the storefront shows it.
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


def label(name: str, value: int) -> str | None:
    labels = CHARACTERISTIC_LABELS.get(name)
    return labels[value - 1] if labels else None


def rounded_tenths(numerator: int, denominator: int) -> float | None:
    """``numerator / denominator`` rounded half-up to one decimal; None when nothing is counted."""
    if denominator == 0:
        return None
    tenths = (20 * numerator + denominator) // (2 * denominator)
    return tenths / 10


def date_text(moment: datetime) -> str:
    """The legacy API's date form: UTC, to the millisecond, with a Z."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def review_shape(row: dict, *, with_vote: bool) -> dict[str, Any]:
    """A list result: the legacy review's fields in its order, then the characteristic ratings
    (and the voter's vote, when the request named a voter)."""
    review = {
        "review_id": row["id"],
        "rating": row["rating"],
        "summary": row["summary"],
        "recommend": row["recommend"],
        "response": row["response"],
        "body": row["body"],
        "date": date_text(row["date"]),
        "reviewer_name": row["reviewer_name"],
        "helpfulness": row["helpfulness"],
        "photos": row["photo_list"],
        "characteristics": [
            {
                "id": rating["id"],
                "name": rating["name"],
                "value": rating["value"],
                "label": label(rating["name"], rating["value"]),
            }
            for rating in row["characteristic_list"]
        ],
    }
    if with_vote:
        review["my_vote"] = "up" if row["my_votes"] else "none"
    return review


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
