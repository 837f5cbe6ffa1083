import datetime as dt

import pytest

from drivers.card.era import printed_gregorian, to_era


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
