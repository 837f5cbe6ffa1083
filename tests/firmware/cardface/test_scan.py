"""The scan on frames of the emulated card: read, refused, the back discarded unread, nothing written."""

import dataclasses
import datetime as dt
import random
import sys
from collections.abc import Iterator
from functools import lru_cache

import numpy as np
import pytest

from drivers.card.emulated import card_front, profiles
from drivers.card.emulated.card_capture import Conditions, capture
from drivers.card.emulated.card_face_aps import PrintedFace
from firmware.cardface.ocr import Ocr
from firmware.cardface.result import CardFaceReading, Refusal
from firmware.cardface.scan import scan, vote


@lru_cache(maxsize=1)
def face() -> PrintedFace:
    printed = profiles.build("normal").face
    assert printed is not None
    return dataclasses.replace(printed, serial="3141592653589793")  # the card's serial is random: fixed here


@pytest.fixture(scope="module")
def ocr() -> Iterator[Ocr]:
    with Ocr() as engines:
        yield engines


def burst(side: str, seed: int, count: int = 3, style: card_front.Style = card_front.DEFAULT_STYLE,
          printed: PrintedFace | None = None, **conditions: float) -> list[np.ndarray]:
    rng = random.Random(seed)
    render = card_front.render_back if side == "back" else card_front.render_front
    image = render(printed or face(), style)
    return [capture(image, Conditions(**conditions), rng) for _ in range(count)]  # type: ignore[arg-type]


def test_a_clean_burst_is_read_and_gives_the_chips_code(ocr: Ocr) -> None:
    result = scan(burst("front", 1, rotation=3), ocr)
    assert isinstance(result, CardFaceReading)
    assert result.collation_b == face().collation_b == "55021720352285"
    assert (result.birth.era, result.birth.year, result.expiry) == ("昭和", 55, dt.date(2035, 2, 17))
    assert result.confidence["frames"] == 2.0 and 0.5 < result.confidence["security_code"] <= 1.0
    assert "55021720352285" not in repr(result) and "2285" not in repr(result)


def test_the_back_is_discarded_before_any_ocr(ocr: Ocr) -> None:
    before = ocr.calls
    assert scan(burst("back", 2), ocr) is Refusal.FACE_DOWN
    assert ocr.calls == before  # the number side never reached Tesseract


def test_a_frame_without_a_card_is_refused(ocr: Ocr) -> None:
    tray = np.full((480, 640, 3), 50, dtype=np.uint8)
    assert scan([tray, tray], ocr) is Refusal.NO_CARD


def test_a_western_birth_date_is_refused_with_its_own_reason(ocr: Ocr) -> None:
    style = dataclasses.replace(card_front.DEFAULT_STYLE, western_birth=True)
    assert scan(burst("front", 3, style=style), ocr) is Refusal.WESTERN_BIRTH_DATE


def test_a_leading_zero_code_and_an_era_boundary_read(ocr: Ocr) -> None:
    printed = dataclasses.replace(face(), birth=dt.date(1989, 1, 8), expiry=dt.date(2029, 1, 8), security_code="0042")
    result = scan(burst("front", 4, printed=printed), ocr)
    assert isinstance(result, CardFaceReading)
    assert (result.birth.era, result.birth.year, result.security_code) == ("平成", 1, "0042")
    assert result.collation_b == "01010820290042"


def test_frames_that_disagree_are_refused() -> None:
    first = CardFaceReading(profiles_era(), dt.date(2035, 2, 17), "2285")
    other = dataclasses.replace(first, security_code="2286")
    assert vote([first, other, first]) is Refusal.INCONSISTENT
    assert vote([first, Refusal.UNREADABLE]) is Refusal.UNREADABLE  # one frame is not two
    assert vote([first, first]) == first
    assert vote([Refusal.FACE_DOWN, Refusal.NO_CARD]) is Refusal.FACE_DOWN


def profiles_era():  # type: ignore[no-untyped-def]
    from drivers.card.era import to_era

    return to_era(dt.date(1980, 2, 17))


def test_no_file_is_opened_for_writing_during_a_scan(ocr: Ocr) -> None:
    frames = burst("front", 5) + burst("back", 6, count=1)
    written: list[str] = []
    active = True

    def audit(event: str, args: tuple[object, ...]) -> None:
        if not active:
            return
        if event == "open" and len(args) > 1:
            mode, flags = args[1], args[2] if len(args) > 2 else 0
            if (isinstance(mode, str) and any(m in mode for m in "wax+")) or (
                    isinstance(flags, int) and flags & 0o3):  # O_WRONLY | O_RDWR
                written.append(str(args[0]))
        if event in {"os.mkdir", "os.rename", "os.remove", "shutil.copyfile", "tempfile.mkstemp"}:
            written.append(f"{event} {args[0]}")

    sys.addaudithook(audit)
    try:
        assert isinstance(scan(frames, ocr), CardFaceReading)
        assert scan(frames[-1:], ocr) is Refusal.FACE_DOWN
    finally:
        active = False  # audit hooks cannot be removed: this one goes quiet
    assert written == []
