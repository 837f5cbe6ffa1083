"""The daemon's ``ScanCardFace``: the card-face camera's frames → 照合番号B (firmware.cardface) → the chip's check of
the printed values → the card-session service's VERIFY and card face record → the flow's answer.

Runs on the card worker: it owns the card, and the scan's frames live only for their reading. A refused scan never
reaches VERIFY; a value the card refuses spends a try and is never presented again in the session.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from cryptography.hazmat.primitives.asymmetric import rsa

from drivers.camera import FrameSource, FramesExhaustedError
from firmware.adapters.card import card_face_answer
from firmware.cardface.chip import ChipFacts, cross_check
from firmware.cardface.ocr import Ocr
from firmware.cardface.result import Refusal
from firmware.cardface.scan import MAX_FRAMES, scan
from firmware.daemon.session import SessionState
from firmware.daemon.workers import Job
from firmware.reception.events import CardFaceNotRead, Event, RequestFailed
from firmware.reception.faults import Fault
from firmware.reception.types import CardFaceProblem

PROBLEM_OF_REFUSAL: dict[Refusal, CardFaceProblem] = {
    Refusal.NO_CARD: CardFaceProblem.NOT_FOUND,
    Refusal.FACE_DOWN: CardFaceProblem.FACE_DOWN,
    Refusal.UNREADABLE: CardFaceProblem.UNREADABLE,
    Refusal.INCONSISTENT: CardFaceProblem.UNREADABLE,
    Refusal.INVALID_DATE: CardFaceProblem.UNREADABLE,
    Refusal.WESTERN_BIRTH_DATE: CardFaceProblem.UNREADABLE,
    Refusal.CHIP_MISMATCH: CardFaceProblem.UNREADABLE,
    Refusal.COLLATION_LOCKED: CardFaceProblem.COLLATION_LOCKED,
}
"""The scan's documented refusals as the flow's problems (docs/cardface.md); a test keeps it total."""


def _frames(camera: FrameSource, job: Job) -> Iterator[np.ndarray]:
    for _ in range(MAX_FRAMES):
        if job.cancelled.is_set():
            return
        try:
            yield camera.read()
        except FramesExhaustedError:  # a finite source (files:) ran out: the scan votes on what it saw
            return


def scan_card_face(job: Job, state: SessionState, camera: FrameSource | None, ocr: Ocr,
                   issuer_key: rsa.RSAPublicKey | None) -> Event:  # fmt: skip
    if camera is None:
        return RequestFailed(job.request_id, Fault.CARD_FACE_CAMERA.value)
    if state.card is None or state.nonce is None:
        return RequestFailed(job.request_id, Fault.CARD_IO.value)
    reading = scan(_frames(camera, job), ocr)
    if isinstance(reading, Refusal):
        return CardFaceNotRead(job.request_id, PROBLEM_OF_REFUSAL[reading])
    mismatch = cross_check(reading, ChipFacts(state.card_expiry, state.certificate_not_after))
    if mismatch is not None:
        return CardFaceNotRead(job.request_id, PROBLEM_OF_REFUSAL[mismatch])
    outcome = state.card.read_card_face(reading.collation_b, state.nonce, issuer_key)
    if outcome.read:
        state.photo = outcome.photo
    return card_face_answer(job.request_id, outcome)
