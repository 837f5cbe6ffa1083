"""Japanese era (和暦) dates as the My Number card prints and keys them.

The card prints the birth date in the era form (「昭和55年 2月17日生」) and both 照合番号B and the 生年月日 key begin
with it as YYMMDD in the era year (docs/card.md, "Secrets and their counters": 1980-02-17 = 昭和55 → ``550217``). Each era begins on
the day after its predecessor's last day; dates before 明治 are refused.
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


def printed_gregorian(day: dt.date) -> str:
    """A Gregorian date as the card prints its validity: 「2035年 2月17日」."""
    return f"{day.year}年{day.month:2d}月{day.day:2d}日"
