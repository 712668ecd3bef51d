"""Test support: exact conversions between the CSV's epoch milliseconds and datetimes (the
API's ISO form is made in SQL: reviews.selectors).

Integer arithmetic only: ``datetime.fromtimestamp(ms / 1000)`` can land a microsecond off.
"""

from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def from_epoch_ms(ms: int) -> datetime:
    return EPOCH + timedelta(milliseconds=ms)


def to_epoch_ms(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(milliseconds=1)
