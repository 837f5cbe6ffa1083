"""Camera frames of a rendered card side, made in memory: the card lying on the reader's dark tray as the card-face
camera would see it, under controlled capture conditions (tilt, perspective, blur, glare, exposure, noise, a finger).

Everything is drawn from a seeded :class:`random.Random`, so a frame depends on its seed alone; nothing is written.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter


@dataclass(frozen=True)
class Conditions:
    """One capture. Angles in degrees; ``perspective`` = how far (share of the card height) the far edge shrinks;
    ``blur`` = Gaussian radius in frame pixels; ``glare`` = peak added brightness (0-255) of a soft highlight;
    ``exposure`` = gain on the light; ``noise`` = sensor noise sigma; ``finger`` = a fingertip over a corner."""

    rotation: float = 0.0
    perspective: float = 0.0
    blur: float = 0.0
    glare: float = 0.0
    exposure: float = 1.0
    noise: float = 2.0
    finger: bool = False
    fill: float = 0.78  # card width as a share of the frame width


def _perspective_coefficients(src: list[tuple[float, float]], dst: list[tuple[float, float]]) -> list[float]:
    """PIL's PERSPECTIVE data: maps each output point ``dst[i]`` back to the input point ``src[i]``."""
    rows: list[list[float]] = []
    rhs: list[float] = []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    solution = np.linalg.solve(np.array(rows, dtype=np.float64), np.array(rhs, dtype=np.float64))
    return [float(c) for c in solution]


def _tray(size: tuple[int, int], rng: random.Random) -> Image.Image:
    """The dark, slightly uneven surface the card lies on."""
    width, height = size
    base = rng.randint(35, 70)
    small = np.random.default_rng(rng.getrandbits(32)).normal(base, 6, size=(height // 16 + 1, width // 16 + 1))
    tray = Image.fromarray(small.clip(0, 255).astype(np.uint8)).resize(size, Image.Resampling.BICUBIC)
    return Image.merge("RGB", (tray, tray, tray.point(lambda v: min(255, v + 6))))


def capture(card: Image.Image, conditions: Conditions, rng: random.Random,
            frame_size: tuple[int, int] = (1280, 960)) -> np.ndarray:
    """``card`` (a rendered side, RGB) as one camera frame: RGB ``uint8`` of shape (height, width, 3)."""
    width, height = frame_size
    card_w = conditions.fill * width
    card_h = card_w * card.height / card.width
    cx = width / 2 + rng.uniform(-0.04, 0.04) * width
    cy = height / 2 + rng.uniform(-0.04, 0.04) * height
    shrink = conditions.perspective * card_w / 2  # the far (top) edge is narrower
    corners = [(-card_w / 2 + shrink, -card_h / 2), (card_w / 2 - shrink, -card_h / 2),
               (card_w / 2, card_h / 2), (-card_w / 2, card_h / 2)]
    angle = math.radians(conditions.rotation)
    cos, sin = math.cos(angle), math.sin(angle)
    placed = [(cx + x * cos - y * sin, cy + x * sin + y * cos) for x, y in corners]
    source = [(0.0, 0.0), (float(card.width), 0.0), (float(card.width), float(card.height)), (0.0, float(card.height))]
    coefficients = _perspective_coefficients(source, placed)

    mask = Image.new("L", card.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, card.width - 1, card.height - 1), radius=36, fill=255)
    warped = card.transform(frame_size, Image.Transform.PERSPECTIVE, coefficients, Image.Resampling.BICUBIC)
    warped_mask = mask.transform(frame_size, Image.Transform.PERSPECTIVE, coefficients, Image.Resampling.BILINEAR)
    frame = _tray(frame_size, rng)
    frame.paste(warped, (0, 0), warped_mask)

    if conditions.finger:
        corner = placed[rng.randrange(4)]
        dx, dy = corner[0] - cx, corner[1] - cy
        norm = math.hypot(dx, dy)
        tip = (corner[0] - 0.06 * card_w * dx / norm, corner[1] - 0.06 * card_w * dy / norm)
        finger = Image.new("L", frame_size, 0)
        draw = ImageDraw.Draw(finger)
        radius = 0.075 * card_w
        far = (tip[0] + 4 * radius * dx / norm, tip[1] + 4 * radius * dy / norm)
        draw.line((tip, far), fill=255, width=int(2 * radius))
        draw.ellipse((tip[0] - radius, tip[1] - radius, tip[0] + radius, tip[1] + radius), fill=255)
        skin = Image.new("RGB", frame_size, (rng.randint(190, 225), rng.randint(140, 170), rng.randint(115, 140)))
        frame.paste(skin, (0, 0), finger.filter(ImageFilter.GaussianBlur(3)))

    pixels = np.asarray(frame, dtype=np.float32)
    if conditions.glare:
        gx = cx + rng.uniform(-0.3, 0.3) * card_w
        gy = cy + rng.uniform(-0.3, 0.3) * card_h
        sigma = rng.uniform(0.08, 0.16) * card_w
        ys, xs = np.mgrid[0:height, 0:width]
        spot = np.exp(-((xs - gx) ** 2 + (ys - gy) ** 2) / (2 * sigma**2)).astype(np.float32)
        pixels = pixels + conditions.glare * spot[:, :, None]
    pixels = pixels * conditions.exposure
    if conditions.blur:
        blurred = Image.fromarray(pixels.clip(0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(conditions.blur))
        pixels = np.asarray(blurred, dtype=np.float32)
    if conditions.noise:
        noise = np.random.default_rng(rng.getrandbits(32)).normal(0, conditions.noise, size=pixels.shape)
        pixels = pixels + noise.astype(np.float32)
    return pixels.clip(0, 255).astype(np.uint8)
