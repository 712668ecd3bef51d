"""Field rules and CSV splitting, without a database: dates exact, quoting round-trips."""

from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from loaders.files.fields import MAX_EPOCH_MS, epoch_ms_to_sql, quote
from loaders.files.records import split_fields
from loaders.tests.helpers import records
from reviews.tests.dates import from_epoch_ms


@given(st.integers(min_value=0, max_value=MAX_EPOCH_MS))
def test_epoch_ms_becomes_the_exact_timestamp(ms):
    assert datetime.fromisoformat(epoch_ms_to_sql(ms).decode()) == from_epoch_ms(ms)


texts = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00\r"))


@given(st.lists(texts, min_size=1, max_size=6))
def test_quoted_text_with_commas_quotes_and_newlines_splits_back_exactly(values):
    row = b",".join(quote(value.encode()) for value in values)

    (record,) = list(records(row + b"\n", 2, lambda line: False))

    assert record[0] == 2 and record[2] is None
    assert [value for value, _ in split_fields(record[1])] == [v.encode() for v in values]


def test_a_line_that_is_a_whole_row_ends_an_unterminated_quote():
    data = b'1,"never closed\nmore text\n2,ok\n3,ok\n'

    found = list(records(data, 2, lambda line: line.endswith(b",ok")))

    assert [(line, broken is None) for line, _, broken in found] == [
        (2, False),
        (4, True),
        (5, True),
    ]
