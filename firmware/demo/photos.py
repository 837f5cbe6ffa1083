"""What the demo's cameras see: real photos of the card holder (the public-domain portraits ``scripts/setup`` puts in
``.cache/face-test-images``) and the emulated card's rendered front lying on the reader's tray.

The chip photo is a passport-style crop around the face of one photo of the holder (as a card's photo is taken:
head and shoulders); the face camera shows another photo of the same person, or of someone else. A camera is a
``files:`` folder whose frames keep their names while their content changes: the camera sees whoever stands in front
of it now, and the daemon's camera never has to be reopened between patients.
"""

from __future__ import annotations

import dataclasses
import os
import random
from pathlib import Path

import numpy as np
from PIL import Image

from drivers.card.emulated import card_front, portrait
from drivers.card.emulated.card_capture import Conditions, capture
from drivers.card.emulated.profiles import ProfileCard

PORTRAITS = Path(__file__).resolve().parents[2] / ".cache" / "face-test-images"
HOLDER_CHIP = "obama.jpg"  # the photo on the card
HOLDER_LIVE = "obama2.jpg"  # the same person at the face camera
SOMEONE_ELSE = "biden.jpg"  # another person at the face camera
CARD_FACE_FRAMES = 3
CARD_FACE_SEED = 14  # the frames of the card on the tray depend on this seed alone
PRINTED_SERIAL = "3141592653589793"  # the card's printed serial is random per card; fixed so the frames are too


class PhotosMissing(RuntimeError):
    """The public-domain portraits are not there (``scripts/setup`` fetches them)."""


def portraits(root: Path = PORTRAITS) -> Path:
    if not (root / ".complete").is_file():
        raise PhotosMissing(f"the public-domain face photos are not in {root}: run scripts/setup")
    return root


def chip_photo(path: Path) -> bytes:
    """The card's photo made from a real photo: a 3:4 crop of head and shoulders around the largest face found
    (a card photo is framed so; the whole picture, flag and suit included, is not what a card carries)."""
    from firmware.face.detection import make_detector

    with Image.open(path) as source:
        image = source.convert("RGB")
    faces = make_detector().detect(np.asarray(image))
    if not faces:
        raise PhotosMissing(f"no face found in {path}")
    face = faces[0]
    width = face.width * 1.8
    height = width * 4 / 3
    cx, cy = (face.left + face.right) / 2, (face.top + face.bottom) / 2
    top = cy - 0.45 * height
    box = (max(0, int(cx - width / 2)), max(0, int(top)), min(image.width, int(cx + width / 2)),
           min(image.height, int(top + height)))  # fmt: skip
    return portrait.card_photo(image.crop(box))


def with_printed_serial(card: ProfileCard) -> ProfileCard:
    if card.face is not None:
        card.face = dataclasses.replace(card.face, serial=PRINTED_SERIAL)
    return card


def _replace(image: Image.Image, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    image.save(tmp, format="PNG")
    os.replace(tmp, path)  # a camera never reads half a frame


class Camera:
    """A ``files:`` camera folder of ``frames`` fixed names whose pictures are replaced for each patient."""

    def __init__(self, folder: Path, frames: int) -> None:
        self.folder = folder
        self.names = [folder / f"frame-{i}.png" for i in range(frames)]
        folder.mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        return f"files:{self.folder}?loop=1"

    def show(self, images: list[Image.Image]) -> None:
        for i, path in enumerate(self.names):
            _replace(images[i % len(images)], path)


def face_frames(photo: Path) -> list[Image.Image]:
    with Image.open(photo) as image:
        return [image.convert("RGB")]


def empty_tray() -> Image.Image:
    return Image.new("RGB", (1280, 960), (28, 30, 33))


def card_on_tray(card: ProfileCard, frames: int = CARD_FACE_FRAMES) -> list[Image.Image]:
    """The card-face camera's view of the card's front (a phone or a 住基カード has none: the empty tray)."""
    if card.face is None:
        return [empty_tray()]
    front = card_front.render_front(card.face)
    rng = random.Random(CARD_FACE_SEED)
    return [Image.fromarray(capture(front, Conditions(rotation=2.5), rng)) for _ in range(frames)]
