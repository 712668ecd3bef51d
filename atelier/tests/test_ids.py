"""The id range and the one parser of ids written as text."""

import pytest

from atelier.ids import INT4_MAX, positive_int4, whole_number_from_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", 1),
        ("0007", 7),
        (str(INT4_MAX), INT4_MAX),
        ("0", None),
        (str(INT4_MAX + 1), None),
        ("99999999999", None),  # 11 digits
        ("", None),
        ("-1", None),
        ("+1", None),
        (" 1", None),
        ("1.0", None),
        ("\u0661\u0662", None),  # Arabic-Indic digits: decimal to str.isdigit, not ASCII
        ("\uff15", None),
    ],
)
def test_ids_as_text_are_ascii_digits_in_the_int4_range(raw, expected):
    assert whole_number_from_text(raw) == expected


def test_a_smaller_maximum_and_more_digits():
    assert whole_number_from_text("1000", 1000) == 1000
    assert whole_number_from_text("1001", 1000) is None
    assert whole_number_from_text("0" * 15 + "5", digits=20) == 5
    assert whole_number_from_text("0" * 15 + "5") is None


@pytest.mark.parametrize(("value", "expected"), [(0, False), (1, True), (INT4_MAX, True),
                                                 (INT4_MAX + 1, False), (-5, False)])  # fmt: skip
def test_positive_int4(value, expected):
    assert positive_int4(value) is expected
