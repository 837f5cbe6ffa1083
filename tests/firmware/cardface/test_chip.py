"""The cross-check against the chip: a pure function over plain values."""

import datetime as dt

from drivers.card.era import EraDate
from firmware.cardface.chip import ChipFacts, cross_check
from firmware.cardface.result import CardFaceReading, Refusal

READING = CardFaceReading(EraDate("昭和", 55, 2, 17), dt.date(2035, 2, 17), "2285")
# The certificate ends at 23:59:59 JST on the birthday: 14:59:59 UTC the same day.
NOT_AFTER = dt.datetime(2030, 2, 17, 14, 59, 59, tzinfo=dt.timezone.utc)


def test_agreement_passes() -> None:
    assert cross_check(READING, ChipFacts(dt.date(2035, 2, 17), NOT_AFTER)) is None


def test_the_birthday_is_taken_in_japan_time() -> None:
    # 15:30 UTC on 16 February is 00:30 JST on the 17th: the birthday.
    late = dt.datetime(2030, 2, 16, 15, 30, tzinfo=dt.timezone.utc)
    assert cross_check(READING, ChipFacts(dt.date(2035, 2, 17), late)) is None
    # 14:00 UTC on 17 February is still the 17th in Japan, but 15:00 UTC on the 17th is the 18th.
    assert cross_check(READING, ChipFacts(dt.date(2035, 2, 17), NOT_AFTER + dt.timedelta(minutes=1))) \
        is Refusal.CHIP_MISMATCH


def test_any_disagreement_or_missing_value_refuses() -> None:
    for chip in [ChipFacts(dt.date(2036, 2, 17), NOT_AFTER),  # the year in 照合番号B
                 ChipFacts(dt.date(2035, 2, 18), NOT_AFTER),  # the printed validity
                 ChipFacts(dt.date(2035, 2, 17), NOT_AFTER - dt.timedelta(days=1)),  # the birthday
                 ChipFacts(None, NOT_AFTER), ChipFacts(dt.date(2035, 2, 17), None)]:
        assert cross_check(READING, chip) is Refusal.CHIP_MISMATCH


def test_29_february_meets_28_february_in_common_years() -> None:
    leap = CardFaceReading(EraDate("平成", 12, 2, 29), dt.date(2030, 2, 28), "0001")
    not_after = dt.datetime(2029, 2, 28, 14, 59, 59, tzinfo=dt.timezone.utc)
    assert cross_check(leap, ChipFacts(dt.date(2030, 2, 28), not_after)) is None
