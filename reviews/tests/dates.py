"""Test support: exact conversions between the CSV's epoch milliseconds, datetimes and the API's
ISO form.

Integer arithmetic only: ``datetime.fromtimestamp(ms / 1000)`` can land a microsecond off.
"""

from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def from_epoch_ms(ms: int) -> datetime:
    return EPOCH + timedelta(milliseconds=ms)


def to_epoch_ms(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(milliseconds=1)


def to_iso_ms(moment: datetime) -> str:
    """JavaScript ``toISOString()`` form: UTC, three fractional digits, ``Z``."""
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )
