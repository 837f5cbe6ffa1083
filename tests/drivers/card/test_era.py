import datetime as dt

import pytest

from drivers.card.era import from_era, printed_gregorian, to_era


@pytest.mark.parametrize(
    ("day", "era", "year", "yymmdd", "printed"),
    [
        (dt.date(1980, 2, 17), "昭和", 55, "550217", "昭和55年 2月17日"),  # docs/card.md's example
        (dt.date(1989, 1, 7), "昭和", 64, "640107", "昭和64年 1月 7日"),
        (dt.date(1989, 1, 8), "平成", 1, "010108", "平成元年 1月 8日"),
        (dt.date(2019, 4, 30), "平成", 31, "310430", "平成31年 4月30日"),
        (dt.date(2019, 5, 1), "令和", 1, "010501", "令和元年 5月 1日"),
        (dt.date(1926, 12, 24), "大正", 15, "151224", "大正15年12月24日"),
        (dt.date(1926, 12, 25), "昭和", 1, "011225", "昭和元年12月25日"),
    ],
)
def test_era_dates(day: dt.date, era: str, year: int, yymmdd: str, printed: str) -> None:
    converted = to_era(day)
    assert (converted.era, converted.year, converted.yymmdd, converted.printed()) == (era, year, yymmdd, printed)


def test_before_meiji_is_refused_and_gregorian_validity_is_printed_like_the_card() -> None:
    with pytest.raises(ValueError):
        to_era(dt.date(1868, 1, 1))
    assert printed_gregorian(dt.date(2035, 2, 17)) == "2035年 2月17日"


@pytest.mark.parametrize(
    ("era", "year", "month", "day", "expected"),
    [
        ("昭和", 55, 2, 17, dt.date(1980, 2, 17)),
        ("昭和", 64, 1, 7, dt.date(1989, 1, 7)),
        ("平成", 1, 1, 8, dt.date(1989, 1, 8)),
        ("平成", 31, 4, 30, dt.date(2019, 4, 30)),
        ("令和", 1, 5, 1, dt.date(2019, 5, 1)),
        ("大正", 1, 7, 30, dt.date(1912, 7, 30)),
        ("大正", 15, 12, 24, dt.date(1926, 12, 24)),
        ("昭和", 1, 12, 25, dt.date(1926, 12, 25)),
        ("平成", 12, 2, 29, dt.date(2000, 2, 29)),
    ],
)
def test_from_era_inverts_to_era(era: str, year: int, month: int, day: int, expected: dt.date) -> None:
    assert from_era(era, year, month, day) == expected
    assert to_era(expected).yymmdd == f"{year % 100:02d}{month:02d}{day:02d}"


@pytest.mark.parametrize(
    ("era", "year", "month", "day"),
    [
        ("昭和", 64, 1, 8),  # 平成元年 began that day
        ("平成", 1, 1, 7),
        ("平成", 31, 5, 1),  # 令和元年
        ("令和", 1, 4, 30),
        ("平成", 32, 1, 1),
        ("大正", 1, 7, 29),  # still 明治45年
        ("大正", 15, 12, 25),
        ("昭和", 55, 2, 30),
        ("平成", 11, 2, 29),  # 1999: no 29 February
        ("昭和", 0, 1, 1),
        ("天保", 5, 1, 1),
    ],
)
def test_from_era_refuses_days_outside_their_era(era: str, year: int, month: int, day: int) -> None:
    with pytest.raises(ValueError):
        from_era(era, year, month, day)
