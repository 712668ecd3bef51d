"""Ids as PostgreSQL's integer columns hold them: 1 to INT4_MAX. The one home of that range, for
the API, the admin's search and the CSV loader alike (no Django here: the loader's CSV side
imports it too)."""

INT4_MAX = 2**31 - 1  # the largest id, helpfulness or product id an integer column holds


def positive_int4(value: int) -> bool:
    return 1 <= value <= INT4_MAX


def whole_number_from_text(raw: str, maximum: int = INT4_MAX, *, digits: int = 10) -> int | None:
    """``raw`` as a number in 1..maximum when it is at most ``digits`` ASCII digits (leading zeros
    allowed); None for anything else: a sign, a space, ``5.0``, ``١٢``, a number out of range."""
    if not (raw.isascii() and raw.isdigit() and len(raw) <= digits):
        return None
    value = int(raw)
    return value if 1 <= value <= maximum else None
