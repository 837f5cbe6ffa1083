"""The printed values found by their pattern, and the calendar checks (pure: no image, no OCR)."""

import datetime as dt

import pytest

from drivers.card.era import EraDate
from firmware.cardface import fields


@pytest.mark.parametrize(
    ("text", "eras", "ymd"),
    [
        ("昭和55年 2月17日生", ("昭和",), (55, 2, 17)),
        ("昭和 55 年  2 月 17 日 生  性別 女", ("昭和",), (55, 2, 17)),
        ("平成元年 1月 8日生", ("平成",), (1, 1, 8)),
        ("令和１年５月１日生", ("令和",), (1, 5, 1)),  # full-width digits
        ("大正15年12月24日生", ("大正",), (15, 12, 24)),
        ("召和55年 2月17日生", ("昭和", "令和"), (55, 2, 17)),  # 「昭」 misread: 和 leaves two eras
        ("F成 2年 8月31日生", ("平成",), (2, 8, 31)),
    ],
)
def test_era_birth_dates_are_found(text: str, eras: tuple[str, ...], ymd: tuple[int, int, int]) -> None:
    found = fields.find_birth(text)
    assert found is not None and found.eras == eras and (found.year, found.month, found.day) == ymd


@pytest.mark.parametrize("text", ["昭和55年 2月17日", "2035年 2月17日まで有効", "昭和年2月17日生", "55年2月17日生", ""])
def test_what_is_not_an_era_birth_date(text: str) -> None:
    assert fields.find_birth(text) is None


def test_a_western_birth_date_is_recognised_as_such() -> None:
    assert fields.find_birth("1980年 2月17日生") is None
    assert fields.is_western_birth("1980年 2月17日生")
    assert not fields.is_western_birth("昭和55年 2月17日生")


def test_validity_and_code() -> None:
    assert fields.find_validity("| 2035年 2月17日まで有効 |") == (2035, 2, 17)
    assert fields.find_validity("2035年 2月17日") is None
    assert fields.find_code("0042") == "0042"
    assert fields.find_code("| ０４２１ ") == "0421"
    for text in ["42", "12345", "1234567812345678", "12a4", "東京1234"]:
        assert fields.find_code(text) is None


@pytest.mark.parametrize(
    ("birth", "expiry", "expected"),
    [
        (fields.EraBirth(("昭和",), 64, 1, 7), dt.date(2030, 1, 7), EraDate("昭和", 64, 1, 7)),
        (fields.EraBirth(("昭和",), 64, 1, 8), dt.date(2030, 1, 8), None),  # 平成元年 by then
        (fields.EraBirth(("平成",), 31, 5, 1), dt.date(2030, 5, 1), None),  # 令和元年 by then
        (fields.EraBirth(("令和",), 1, 5, 1), dt.date(2030, 5, 1), EraDate("令和", 1, 5, 1)),
        (fields.EraBirth(("大正",), 1, 7, 29), dt.date(2030, 7, 29), None),  # still 明治
        (fields.EraBirth(("昭和",), 55, 2, 30), dt.date(2035, 2, 28), None),
        # 「?和55年」: 令和55年 would be born after the card expires, so 昭和 it is.
        (fields.EraBirth(("昭和", "令和"), 55, 2, 17), dt.date(2035, 2, 17), EraDate("昭和", 55, 2, 17)),
        # 「?和5年」 before a 2035 expiry: 昭和5年 and 令和5年 are both possible: not settled.
        (fields.EraBirth(("昭和", "令和"), 5, 2, 17), dt.date(2035, 2, 17), None),
    ],
)
def test_era_dates_are_checked_against_the_calendar(birth: fields.EraBirth, expiry: dt.date,
                                                    expected: EraDate | None) -> None:
    assert fields.era_date(birth, expiry) == expected


def test_validity_dates_must_be_real_and_in_the_cards_years() -> None:
    assert fields.validity_date(2035, 2, 17) == dt.date(2035, 2, 17)
    assert fields.validity_date(2035, 2, 29) is None
    assert fields.validity_date(2015, 2, 17) is None
    assert fields.validity_date(2035, 13, 1) is None
