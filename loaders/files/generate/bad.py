"""Bad rows for testing the loader: each is a good row of the file broken in one known way.

A bad row is an extra line next to the good row it was made from (the good data stays exactly
what the seed gives), so a dirty file must load to the same tables as the clean one and refuse
exactly the injected lines. An unterminated quote goes before a one-line row, the rest after.
"""

import random

ORPHAN_BASE = 2_000_000_000  # references from here up point at nothing

KINDS = {
    "reviews": (
        "rating_out_of_range",
        "rating_not_a_number",
        "bad_date",
        "bad_boolean",
        "negative_helpfulness",
        "too_few_columns",
        "too_many_columns",
        "stray_quote",
        "unterminated_quote",
        "duplicate_id",
    ),
    "reviews_photos": (
        "orphan_review",
        "review_not_a_number",
        "too_few_columns",
        "stray_quote",
        "duplicate_id",
    ),
    "characteristics": (
        "unknown_name",
        "product_not_a_number",
        "too_many_columns",
        "duplicate_id",
    ),
    "characteristic_reviews": (
        "value_out_of_range",
        "value_not_a_number",
        "orphan_characteristic",
        "orphan_review",
        "too_few_columns",
        "duplicate_id",
    ),
}


def _set(fields: list[str], index: int, value: str) -> list[str]:
    return [*fields[:index], value, *fields[index + 1 :]]


def bad_row(table: str, kind: str, fields: list[str], rng: random.Random) -> str:
    """``fields`` (a good row, CSV-formatted) broken as ``kind``, as one CSV record."""
    if kind == "too_few_columns":
        fields = fields[:-1]
    elif kind == "too_many_columns":
        fields = [*fields, "0"]
    elif kind == "duplicate_id":
        fields = list(fields)  # the same row again
    elif kind == "stray_quote":
        fields = _set(
            fields, len(fields) - 1 if table == "reviews_photos" else 4, '"a "stray" one"'
        )
    elif kind == "unterminated_quote":
        fields = _set(fields, 5, fields[5][:-1])  # the body loses its closing quote
    elif kind in ("rating_out_of_range", "value_out_of_range"):
        column = 2 if table == "reviews" else 3
        fields = _set(fields, column, rng.choice(("0", "6", "9", "-1", "10")))
    elif kind in ("rating_not_a_number", "value_not_a_number"):
        column = 2 if table == "reviews" else 3
        fields = _set(fields, column, rng.choice(("four", "", "4.5", '"4"')))
    elif kind == "bad_date":
        fields = _set(
            fields, 3, rng.choice(("2021-03-04", "-1", "", "99999999999999999", "1.6e12"))
        )
    elif kind == "bad_boolean":
        fields = _set(fields, rng.choice((6, 7)), rng.choice(("yes", "TRUE", "1", "", '"true"')))
    elif kind == "negative_helpfulness":
        fields = _set(fields, 11, str(-rng.randint(1, 50)))
    elif kind == "orphan_review":
        column = 1 if table == "reviews_photos" else 2
        fields = _set(fields, column, str(ORPHAN_BASE + rng.randrange(100_000_000)))
    elif kind == "orphan_characteristic":
        fields = _set(fields, 1, str(ORPHAN_BASE + rng.randrange(100_000_000)))
    elif kind in ("review_not_a_number", "product_not_a_number"):
        fields = _set(fields, 1, rng.choice(("abc", "", "12x", "-4")))
    elif kind == "unknown_name":
        fields = _set(fields, 2, rng.choice(('"Colour"', '"Weight"', '"fit"', "null")))
    else:
        raise ValueError(f"unknown bad row kind {kind!r}")
    return ",".join(fields)
