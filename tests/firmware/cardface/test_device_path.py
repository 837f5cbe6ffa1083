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
from drivers.card.info import read_card_info
from drivers.card.pcsc import PcscContext
from firmware.cardface.chip import ChipFacts, open_card_face
from firmware.cardface.ocr import Ocr
from firmware.cardface.result import CardFaceReading, Refusal
from firmware.cardface.scan import scan

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


def session(context: PcscContext, reader: str) -> tuple[CardChannel, ChipFacts, list[Exchange]]:
    channel = CardChannel(context.connect(reader))
    info = read_card_info(channel)
    assert info.auth_certificate is not None
    log: list[Exchange] = []
    channel.observers.append(log.append)
    return channel, ChipFacts(info.card_expiry, info.auth_certificate.not_after), log


def verifies(log: list[Exchange]) -> int:
    """VERIFYs that carried a value (the empty VERIFY that asks for the tries left is 4 bytes)."""
    return sum(1 for exchange in log if exchange.name == "VERIFY" and exchange.sent > 5)


def test_a_camera_image_of_the_front_opens_the_chip_photo(insert_card, context, tmp_path: Path, ocr: Ocr) -> None:
    inserted = insert_card(fixed_serial(profiles.build("normal")))
    with open_camera(camera_folder(inserted.card, tmp_path / "camera")) as camera:
        reading = scan(camera, ocr)
    assert isinstance(reading, CardFaceReading)
    channel, chip, log = session(context, inserted.reader)
    face = open_card_face(channel, reading, chip, pki.test_card_face_issuer().public_key())
    assert not isinstance(face, Refusal)
    assert face.photo == inserted.card.face.photo  # type: ignore[union-attr]
    assert face.card_key is not None and face.card_key.result.value == "verified"
    assert verifies(log) == 1


def test_the_back_never_reaches_verify(insert_card, context, tmp_path: Path, ocr: Ocr) -> None:
    inserted = insert_card("normal")
    with open_camera(camera_folder(inserted.card, tmp_path / "camera", side="back")) as camera:
        assert scan(camera, ocr) is Refusal.FACE_DOWN
    # The flow answers CardFaceNotRead(FACE_DOWN): nothing is sent to the card at all.
    assert inserted.card.face is not None


def test_a_chip_mismatch_and_one_try_left_never_reach_verify(insert_card, context, tmp_path: Path,
                                                              ocr: Ocr) -> None:
    inserted = insert_card(fixed_serial(profiles.build("collation-one-try-left")))
    with open_camera(camera_folder(inserted.card, tmp_path / "camera")) as camera:
        reading = scan(camera, ocr)
    assert isinstance(reading, CardFaceReading)
    channel, chip, log = session(context, inserted.reader)
    assert open_card_face(channel, reading, chip) is Refusal.COLLATION_LOCKED
    other_expiry = ChipFacts(dt.date(2036, 2, 17), chip.certificate_not_after)
    assert open_card_face(channel, reading, other_expiry) is Refusal.CHIP_MISMATCH
    assert verifies(log) == 0
    assert any(exchange.name == "VERIFY" for exchange in log)  # the tries were asked (the empty VERIFY)
