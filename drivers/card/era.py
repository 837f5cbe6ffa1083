"""Japanese era (和暦) dates as the My Number card prints and keys them.

The card prints the birth date in the era form (「昭和55年 2月17日生」) and both 照合番号B and the 生年月日 key begin
with it as YYMMDD in the era year (docs/card.md, "Secrets and their counters": 1980-02-17 = 昭和55 → ``550217``). Each era begins on
the day after its predecessor's last day; dates before 明治 are refused, and :func:`from_era` refuses era dates
that fall outside their era (平成32年, 昭和64年1月8日).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# First day of each era (Gregorian), newest last.
ERAS: tuple[tuple[str, dt.date], ...] = (
    ("明治", dt.date(1868, 10, 23)),
    ("大正", dt.date(1912, 7, 30)),
    ("昭和", dt.date(1926, 12, 25)),
    ("平成", dt.date(1989, 1, 8)),
    ("令和", dt.date(2019, 5, 1)),
)


@dataclass(frozen=True)
class EraDate:
    era: str
    year: int  # 1 = the era's first (partial) year, 元年
    month: int
    day: int

    @property
    def yymmdd(self) -> str:
        """The six digits the card keys on: era year, month, day (era years above 99 do not occur)."""
        return f"{self.year % 100:02d}{self.month:02d}{self.day:02d}"

    def printed(self) -> str:
        """As printed on the card: 「昭和55年 2月17日」 (month and day padded to two places; year 1 is 元年)."""
        year = "元" if self.year == 1 else f"{self.year:2d}"
        return f"{self.era}{year}年{self.month:2d}月{self.day:2d}日"


def to_era(day: dt.date) -> EraDate:
    for name, start in reversed(ERAS):
        if day >= start:
            return EraDate(name, day.year - start.year + 1, day.month, day.day)
    raise ValueError(f"{day.isoformat()} is before the 明治 era")


def from_era(era: str, year: int, month: int, day: int) -> dt.date:
    """The Gregorian date of an era date, or :class:`ValueError` unless it is a real day inside that era: 昭和64年
    ends on 7 January, 平成元年 starts on 8 January, 平成31年 ends on 30 April, 令和元年 starts on 1 May."""
    starts = dict(ERAS)
    if era not in starts or year < 1:
        raise ValueError(f"{era}{year}年 is not an era year")
    start = starts[era]
    day_ = dt.date(start.year + year - 1, month, day)  # ValueError for 2月30日 and the like
    if to_era(day_) != EraDate(era, year, month, day):
        raise ValueError(f"{era}{year}年{month}月{day}日 is outside the {era} era")
    return day_


def printed_gregorian(day: dt.date) -> str:
    """A Gregorian date as the card prints its validity: 「2035年 2月17日」."""
    return f"{day.year}年{day.month:2d}月{day.day:2d}日"
