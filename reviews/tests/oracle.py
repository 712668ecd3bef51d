"""Expected API responses computed straight from the fixture CSVs, independently of the app.

Python's csv module reads the files; sorting, rounding and date formatting are written here again
on purpose (Decimal with ROUND_HALF_UP, float relevance, strftime), so that a bug in the app's
SQL or formatting cannot hide in its own oracle.
"""

import csv
import math
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext

from reviews.tests.csv_fixtures import FIXTURES


def rows(table: str) -> list[dict]:
    with open(FIXTURES / f"{table}.csv", newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        # csv drops the quoting that tells a bare null from "null"; the fixtures never quote it.
        return [dict(zip(header, row, strict=True)) for row in reader]


def iso(ms: int) -> str:
    seconds, millis = divmod(ms, 1000)
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S") + f".{millis:03d}Z"


def visible_reviews(product_id: int) -> list[dict]:
    return [
        r
        for r in rows("reviews")
        if int(r["product_id"]) == product_id and r["reported"] == "false"
    ]


def sort_key(sort: str):
    def key(r):
        ms, helpful, rid = int(r["date"]), int(r["helpfulness"]), int(r["id"])
        if sort == "newest":
            return (ms, rid)
        if sort == "helpful":
            return (helpful, ms, rid)
        return (math.log1p(helpful) + (ms / 1000) / (30 * 86400), rid)

    return key


def review_result(r: dict) -> dict:
    photos = sorted(
        (p for p in rows("reviews_photos") if p["review_id"] == r["id"]), key=lambda p: int(p["id"])
    )
    return {
        "review_id": int(r["id"]),
        "rating": int(r["rating"]),
        "summary": r["summary"],
        "recommend": r["recommend"] == "true",
        "response": None if r["response"] == "null" else r["response"],
        "body": r["body"],
        "date": iso(int(r["date"])),
        "reviewer_name": r["reviewer_name"],
        "helpfulness": int(r["helpfulness"]),
        "photos": [{"id": int(p["id"]), "url": p["url"]} for p in photos],
    }


def review_list(product_id: int, page: int = 1, count: int = 5, sort: str = "relevant") -> dict:
    ordered = sorted(visible_reviews(product_id), key=sort_key(sort), reverse=True)
    window = ordered[(page - 1) * count : page * count]
    return {
        "product": str(product_id),
        "page": page - 1,
        "count": count,
        "results": [review_result(r) for r in window],
    }


def average(values: list[int]) -> str:
    with localcontext() as context:
        context.prec = 60
        mean = Decimal(sum(values)) / Decimal(len(values))
        return str(mean.quantize(Decimal(1).scaleb(-16), rounding=ROUND_HALF_UP))


def product_meta(product_id: int) -> dict:
    visible = visible_reviews(product_id)
    visible_ids = {r["id"] for r in visible}
    ratings = {}
    for star in "12345":
        n = sum(1 for r in visible if r["rating"] == star)
        if n:
            ratings[star] = str(n)
    recommended = {}
    for flag in ("false", "true"):
        n = sum(1 for r in visible if r["recommend"] == flag)
        if n:
            recommended[flag] = str(n)
    characteristics = {}
    for c in sorted(rows("characteristics"), key=lambda c: int(c["id"])):
        if int(c["product_id"]) != product_id:
            continue
        values = [
            int(cr["value"])
            for cr in rows("characteristic_reviews")
            if cr["characteristic_id"] == c["id"] and cr["review_id"] in visible_ids
        ]
        characteristics[c["name"]] = {
            "id": int(c["id"]),
            "value": average(values) if values else None,
        }
    return {
        "product_id": str(product_id),
        "ratings": ratings,
        "recommended": recommended,
        "characteristics": characteristics,
    }
