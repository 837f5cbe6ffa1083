"""End to end through pcscd + vpcd: a camera image of the emulated card's front → 照合番号B → VERIFY → chip photo;
and every refusal stops before VERIFY (the channel's observer counts the VERIFYs that carry a value)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from drivers.camera import open_camera
from drivers.card.channel import CardChannel, Exchange
from drivers.card.emulated import card_front, pki, profiles
from drivers.card.emulated.card import EmulatedCard
from drivers.card.emulated.card_capture import Conditions, capture
from drivers.card.pcsc import PcscContext
from firmware.card_session import CardSession
from firmware.cardface.ocr import Ocr
from firmware.cardface.result import Refusal
from firmware.daemon.card_face import PROBLEM_OF_REFUSAL, scan_card_face
from firmware.daemon.session import SessionState
from firmware.daemon.workers import Job
from firmware.reception.events import CardFaceNotRead, CardFaceRead
from firmware.reception.types import CardFaceProblem, IssuerSignature

pytestmark = pytest.mark.pcsc


@pytest.fixture(scope="module")
def ocr() -> Iterator[Ocr]:
    with Ocr() as engines:
        yield engines


def camera_folder(card: EmulatedCard, folder: Path, side: str = "front") -> str:
    """What the card-face camera recorded: three frames of the card on the tray (the camera's input, not ours)."""
    assert card.face is not None
    render = card_front.render_back if side == "back" else card_front.render_front
    image = render(card.face)
    rng = random.Random(14)
    folder.mkdir()
    for i in range(3):
        Image.fromarray(capture(image, Conditions(rotation=2.5), rng)).save(folder / f"{i}.png")
    return f"files:{folder}"


def fixed_serial(card: EmulatedCard) -> EmulatedCard:
    """The printed serial is random per card; fixed here so that the test's frames depend on its seed alone."""
    assert card.face is not None
    card.face = dataclasses.replace(card.face, serial="3141592653589793")
    return card


NONCE = bytes(range(16))


def session(context: PcscContext, reader: str) -> tuple[SessionState, list[Exchange]]:
    """The daemon's session state after ReadCard: the card session and what the chip gave without a PIN."""
    channel = CardChannel(context.connect(reader))
    card = CardSession(channel)
    info = card.identify()
    assert info.auth_certificate is not None
    log: list[Exchange] = []
    channel.observers.append(log.append)
    state = SessionState(reader=reader, card=card, card_expiry=info.card_expiry,
                         certificate_not_after=info.auth_certificate.not_after, nonce=NONCE)
    return state, log


def verifies(log: list[Exchange]) -> int:
    """VERIFYs that carried a value (the empty VERIFY that asks for the tries left is 4 bytes)."""
    return sum(1 for exchange in log if exchange.name == "VERIFY" and exchange.sent > 5)


def job() -> Job:
    return Job(1, lambda _event: None)


def test_a_camera_image_of_the_front_opens_the_chip_photo(insert_card, context, tmp_path: Path, ocr: Ocr) -> None:
    inserted = insert_card(fixed_serial(profiles.build("normal")))
    state, log = session(context, inserted.reader)
    with open_camera(camera_folder(inserted.card, tmp_path / "camera")) as camera:
        answer = scan_card_face(job(), state, camera, ocr, pki.test_card_face_issuer().public_key())
    assert answer == CardFaceRead(1, True, IssuerSignature.VERIFIED)
    assert state.photo == inserted.card.face.photo  # type: ignore[union-attr]
    assert verifies(log) == 1


def test_the_back_never_reaches_verify(insert_card, context, tmp_path: Path, ocr: Ocr) -> None:
    inserted = insert_card("normal")
    state, log = session(context, inserted.reader)
    with open_camera(camera_folder(inserted.card, tmp_path / "camera", side="back")) as camera:
        answer = scan_card_face(job(), state, camera, ocr, None)
    assert answer == CardFaceNotRead(1, CardFaceProblem.FACE_DOWN)
    assert log == [] and state.photo is None  # nothing was sent to the card at all


def test_a_chip_mismatch_and_one_try_left_never_reach_verify(insert_card, context, tmp_path: Path,
                                                              ocr: Ocr) -> None:
    inserted = insert_card(fixed_serial(profiles.build("collation-one-try-left")))
    state, log = session(context, inserted.reader)
    folder = camera_folder(inserted.card, tmp_path / "camera")
    with open_camera(folder) as camera:
        answer = scan_card_face(job(), state, camera, ocr, None)
    assert answer == CardFaceNotRead(1, CardFaceProblem.COLLATION_LOCKED)
    state.card_expiry = dt.date(2036, 2, 17)  # the chip says another expiry than the card prints
    with open_camera(folder) as camera:
        answer = scan_card_face(job(), state, camera, ocr, None)
    assert answer == CardFaceNotRead(1, CardFaceProblem.UNREADABLE)
    assert verifies(log) == 0
    assert any(exchange.name == "VERIFY" for exchange in log)  # the tries were asked (the empty VERIFY)


def test_every_refusal_is_a_problem_the_flow_knows() -> None:
    assert set(PROBLEM_OF_REFUSAL) == set(Refusal)
