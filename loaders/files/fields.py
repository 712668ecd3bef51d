"""Field rules of the CSVs: each field checks one raw value and returns what COPY is sent.

A value that breaks its rule raises ``Refused`` with a reason a person can act on. The output is
canonical CSV for ``COPY ... (FORMAT csv, NULL 'null')``: text always quoted, a bare ``null`` only
where SQL NULL is meant, dates as PostgreSQL timestamps.
"""

from datetime import date

from atelier.ids import INT4_MAX

MAX_EPOCH_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z, the last instant PostgreSQL prints
_EPOCH_DAY = date(1970, 1, 1).toordinal()
_DAY_TEXT: dict[int, bytes] = {}


class Refused(ValueError):
    """A row PostgreSQL must not receive, with the reason it was refused."""


# Time of day from two lookups: " HH:MM:" by minute of the day, "SS.mmm+00" by ms of the minute.
_MINUTE_TEXT = [b" %02d:%02d:" % divmod(minute, 60) for minute in range(1440)]
_MILLI_TEXT = [b"%02d.%03d+00" % divmod(milli, 1000) for milli in range(60_000)]


def epoch_ms_to_sql(ms: int) -> bytes:
    """``1596080481467`` -> ``2020-07-30 03:41:21.467+00``: integer arithmetic, exact to the ms."""
    days, rest = divmod(ms, 86_400_000)
    day = _DAY_TEXT.get(days)
    if day is None:
        day = _DAY_TEXT[days] = date.fromordinal(_EPOCH_DAY + days).isoformat().encode()
    minute, milli = divmod(rest, 60_000)
    return day + _MINUTE_TEXT[minute] + _MILLI_TEXT[milli]


def quote(text: bytes) -> bytes:
    return b'"' + text.replace(b'"', b'""') + b'"'


class Field:
    def __init__(self, name: str):
        self.name = name

    def parse(self, raw: bytes, quoted: bool) -> tuple[object, bytes]:
        """(the value, its canonical CSV form); ``raw`` is unescaped when ``quoted``."""
        raise NotImplementedError

    def _refuse(self, raw: bytes, rule: str) -> Refused:
        shown = raw.decode("utf-8", "backslashreplace")
        if len(shown) > 40:
            shown = shown[:40] + "..."
        return Refused(f"{self.name} {rule}, got {shown!r}")


class Integer(Field):
    def __init__(self, name: str, *, minimum: int, maximum: int = INT4_MAX):
        super().__init__(name)
        self.minimum, self.maximum = minimum, maximum

    def parse(self, raw: bytes, quoted: bool) -> tuple[int, bytes]:
        rule = f"must be a whole number from {self.minimum:,} to {self.maximum:,}"
        if quoted or not raw.isdigit():
            raise self._refuse(raw, rule)
        value = int(raw)
        if not self.minimum <= value <= self.maximum:
            raise self._refuse(raw, rule)
        return value, b"%d" % value


class Id(Integer):
    def __init__(self, name: str):
        super().__init__(name, minimum=1)


class Reference(Integer):
    def __init__(self, name: str):
        super().__init__(name, minimum=1)


class Score(Integer):
    def __init__(self, name: str):
        super().__init__(name, minimum=1, maximum=5)


class EpochMs(Field):
    def parse(self, raw: bytes, quoted: bool) -> tuple[int, bytes]:
        rule = "must be epoch milliseconds (a whole number up to year 9999)"
        if quoted or not raw.isdigit() or int(raw) > MAX_EPOCH_MS:
            raise self._refuse(raw, rule)
        value = int(raw)
        return value, epoch_ms_to_sql(value)


class Boolean(Field):
    def parse(self, raw: bytes, quoted: bool) -> tuple[bool, bytes]:
        if quoted or raw not in (b"true", b"false"):
            raise self._refuse(raw, "must be true or false")
        return raw == b"true", raw


class Text(Field):
    def __init__(self, name: str, *, nullable: bool = False):
        super().__init__(name)
        self.nullable = nullable

    def parse(self, raw: bytes, quoted: bool) -> tuple[bytes | None, bytes]:
        if not quoted and raw == b"null":
            if self.nullable:
                return None, b"null"
            raise self._refuse(raw, "is required")
        if b"\x00" in raw:
            raise self._refuse(raw, "must not contain a NUL character")
        return raw, quote(raw)


class Choice(Text):
    def __init__(self, name: str, choices: tuple[str, ...]):
        super().__init__(name)
        self.choices = {choice.encode() for choice in choices}

    def parse(self, raw: bytes, quoted: bool) -> tuple[bytes | None, bytes]:
        if raw not in self.choices:
            names = ", ".join(sorted(choice.decode() for choice in self.choices))
            raise self._refuse(raw, f"must be one of {names}")
        return super().parse(raw, quoted)
