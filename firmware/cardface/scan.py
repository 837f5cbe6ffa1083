"""A scan over several frames: each frame is read on its own (:func:`firmware.cardface.frame.read_frame`), and a
reading is presented only when enough frames read the same three values and no frame read other ones."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import numpy as np

from firmware.cardface.frame import read_frame
from firmware.cardface.ocr import Ocr
from firmware.cardface.result import CardFaceReading, Refusal, ScanResult

MAX_FRAMES = 5  # frames looked at per scan
AGREEING_FRAMES = 2  # readings of the same values needed before they are presented
# When nothing was read, the reason given: the most telling one seen.
_PRECEDENCE = (Refusal.WESTERN_BIRTH_DATE, Refusal.INVALID_DATE, Refusal.INCONSISTENT, Refusal.UNREADABLE,
               Refusal.FACE_DOWN, Refusal.NO_CARD)


def _values(reading: CardFaceReading) -> tuple[object, ...]:
    return reading.birth.yymmdd, reading.birth.era, reading.expiry, reading.security_code


def vote(results: list[ScanResult], agreeing: int = AGREEING_FRAMES) -> ScanResult:
    """The reading ``agreeing`` frames gave alike, if no frame read anything else; otherwise the refusal."""
    readings = [r for r in results if isinstance(r, CardFaceReading)]
    if len({_values(r) for r in readings}) > 1:
        return Refusal.INCONSISTENT
    if len(readings) >= agreeing:
        confidence = {name: min(r.confidence.get(name, 0.0) for r in readings)
                      for name in ("birth", "expiry", "security_code")}
        return replace(readings[0], confidence={**confidence, "frames": float(len(readings))})
    refusals = [r for r in results if isinstance(r, Refusal)]
    for reason in _PRECEDENCE:
        if reason in refusals:
            return reason
    return Refusal.UNREADABLE


def scan(frames: Iterable[np.ndarray], ocr: Ocr, max_frames: int = MAX_FRAMES,
         agreeing: int = AGREEING_FRAMES) -> ScanResult:
    """Read frames until ``agreeing`` of them give the same values (or ``max_frames`` were read), then vote. A frame
    lives only as long as its reading: nothing is kept, nothing is written."""
    results: list[ScanResult] = []
    for count, frame in enumerate(frames, start=1):
        results.append(read_frame(frame, ocr))
        if Refusal.INCONSISTENT is vote(results, agreeing):
            break
        if sum(isinstance(r, CardFaceReading) for r in results) >= agreeing or count >= max_frames:
            break
    return vote(results, agreeing)
