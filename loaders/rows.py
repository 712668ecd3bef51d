"""Check one record against its table's rules and return the line COPY is sent.

Canonical rows (all the generator writes, nearly all real rows) pass one regex; anything else is
parsed field by field, so a refusal names the field and the rule. Ids must be new in the file and
references must point at rows already in the database.
"""

from loaders.fields import INT4_MAX, Refused, epoch_ms_to_sql
from loaders.ids import IdSet
from loaders.records import split_fields
from loaders.tables import Table


class RowChecker:
    def __init__(self, table: Table, parents: dict[str, IdSet]):
        self.table = table
        self.parents = parents  # reference column -> ids present in the parent table
        self.seen = IdSet()
        self._fast = table.fast.fullmatch
        self._refs = tuple(table.parents)
        self._has_date = "date" in table.fast.groupindex

    def is_row(self, line: bytes) -> bool:
        """Is this line, on its own, a complete canonical row?"""
        return self._fast(line) is not None

    def check(self, record: bytes) -> bytes:
        """The canonical line (ending in a newline) for COPY, or raise ``Refused``."""
        match = self._fast(record)
        # Non-ASCII or NUL bytes take the slow path, which checks UTF-8 and refuses NUL.
        if (
            match is not None
            and int(match["id"]) <= INT4_MAX
            and record.isascii()
            and b"\x00" not in record
        ):
            row_id = int(match["id"])
            refs = [int(match[column]) for column in self._refs]
            if self._has_date:
                start, end = match.span("date")
                record = record[:start] + epoch_ms_to_sql(int(match["date"])) + record[end:]
            line = record + b"\n"
        else:
            row_id, refs, line = self._parse(record)
        for column, ref in zip(self._refs, refs, strict=True):
            if ref > INT4_MAX or ref not in self.parents[column]:
                raise Refused(f"{column} {ref} is not in {self.table.parents[column]}")
        if not self.seen.add(row_id):
            raise Refused(f"duplicate id {row_id}: an earlier row of the file has it")
        return line

    def _parse(self, record: bytes) -> tuple[int, list[int], bytes]:
        if b"\x00" in record:
            raise Refused("contains a NUL character")
        try:
            record.decode("utf-8")
        except UnicodeDecodeError as err:
            raise Refused(f"not valid UTF-8 at byte {err.start + 1}") from None
        fields = split_fields(record)
        expected = len(self.table.fields)
        if len(fields) != expected:
            raise Refused(f"{len(fields)} columns, expected {expected}")
        values, canonical = {}, []
        for rule, (raw, quoted) in zip(self.table.fields, fields, strict=True):
            values[rule.name], text = rule.parse(raw, quoted)
            canonical.append(text)
        refs = [values[column] for column in self._refs]
        return values["id"], refs, b",".join(canonical) + b"\n"
