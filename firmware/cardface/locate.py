"""Finding the card in a frame, flattening it, and telling its face from its back — before any OCR.

The card is found by its outline (edges, then a brightness split as a second opinion): the four longest straight
sides of the outline's hull are intersected, so a finger over one corner does not move the corners that are seen.
The quadrilateral is warped to a flat card of ID-1 proportions (85.6 × 54 mm). A frame that is nothing but the card
(a scan or a rendered image) is taken whole.

The face is told from the back by the holder's photo: a large, upright block of continuous mid-tones (text is ink on
paper, a code block is black and white, the chip plate is small). A card without one is discarded unread
(:attr:`Side.BACK`): the My Number side is never passed to OCR. The photo is on the right of the face, which also
settles a card lying upside down.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np

from firmware.cardface.errors import FrameImageError

# The flattened card, about 300 dpi: large enough for 6-pt digits.
CARD_WIDTH, CARD_HEIGHT = 1012, 638
ID1_ASPECT = 85.6 / 54
DETECT_WIDTH = 640  # frames are searched for the card at this width
MIN_CARD_AREA = 0.12  # of the frame
EDGE_BAND = 10  # pixels along the flattened card's edges left out of the photo search
CORNER = 40  # and the squares of the rounded corners
MID_TONE_CEILING = 0.93  # of the paper's brightness: lighter is paper (or a washed-out photo background)


class Side(StrEnum):
    FACE = "face"
    BACK = "back"


@dataclass(frozen=True)
class PhotoBox:
    """Where the holder's photo lies on the flattened card (pixels)."""

    left: int
    top: int
    right: int
    bottom: int


@dataclass(frozen=True)
class FlatCard:
    """The card flattened to :data:`CARD_WIDTH` × :data:`CARD_HEIGHT`, greyscale, face up and upright when
    ``side`` is FACE."""

    grey: np.ndarray
    side: Side
    photo: PhotoBox | None


def _order(corners: np.ndarray) -> np.ndarray:
    """Corners as top-left, top-right, bottom-right, bottom-left, the long sides horizontal."""
    centre = corners.mean(axis=0)
    angles = np.arctan2(corners[:, 1] - centre[1], corners[:, 0] - centre[0])
    ordered = corners[np.argsort(angles)]  # clockwise from the left in image coordinates
    start = int(np.argmin(ordered.sum(axis=1)))
    ordered = np.roll(ordered, -start, axis=0)
    top = np.linalg.norm(ordered[1] - ordered[0]) + np.linalg.norm(ordered[2] - ordered[3])
    side = np.linalg.norm(ordered[3] - ordered[0]) + np.linalg.norm(ordered[2] - ordered[1])
    if side > top:  # the card stands on its short side: turn it a quarter
        ordered = np.roll(ordered, -1, axis=0)
    return ordered.astype(np.float32)


def _intersect(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> np.ndarray | None:
    p, r = a
    q, s = b
    cross = r[0] * s[1] - r[1] * s[0]
    if abs(cross) < 1e-6:
        return None
    t = ((q[0] - p[0]) * s[1] - (q[1] - p[1]) * s[0]) / cross
    point: np.ndarray = p + t * r
    return point


def _quad_from_hull(hull: np.ndarray) -> np.ndarray | None:
    """The card's corners from its outline's hull: the four longest sides of a simplified hull, as lines, met
    pairwise in angular order."""
    points = hull.reshape(-1, 2).astype(np.float64)
    perimeter = cv2.arcLength(hull, True)
    poly = cv2.approxPolyDP(hull, 0.012 * perimeter, True).reshape(-1, 2).astype(np.float64)
    if len(poly) < 4:
        return None
    edges = [(poly[i], poly[(i + 1) % len(poly)]) for i in range(len(poly))]
    longest = sorted(range(len(edges)), key=lambda i: -float(np.linalg.norm(edges[i][1] - edges[i][0])))[:4]
    longest.sort()  # keep the hull's order around the card
    lines = [(edges[i][0], edges[i][1] - edges[i][0]) for i in longest]
    corners = []
    for i in range(4):
        corner = _intersect(lines[i], lines[(i + 1) % 4])
        if corner is None:
            return None
        corners.append(corner)
    quad = np.array(corners)
    centre = points.mean(axis=0)
    if np.max(np.linalg.norm(quad - centre, axis=1)) > 2 * np.max(np.linalg.norm(points - centre, axis=1)):
        return None  # nearly parallel neighbours met far away: not a card outline
    return quad


def _plausible(quad: np.ndarray, frame_area: float) -> bool:
    ordered = _order(quad)
    area = cv2.contourArea(ordered)
    if area < MIN_CARD_AREA * frame_area or not cv2.isContourConvex(ordered.reshape(-1, 1, 2)):
        return False
    top = np.linalg.norm(ordered[1] - ordered[0]) + np.linalg.norm(ordered[2] - ordered[3])
    side = np.linalg.norm(ordered[3] - ordered[0]) + np.linalg.norm(ordered[2] - ordered[1])
    return bool(1.25 < top / side < 2.0)


def _candidates(small: np.ndarray) -> list[np.ndarray]:
    """Outlines that may be the card, largest first: from edges, and from a brightness split."""
    blurred = cv2.GaussianBlur(small, (5, 5), 0)
    median = float(np.median(blurred))
    edges = cv2.Canny(blurred, max(10.0, 0.5 * median), max(30.0, 1.2 * median))
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8), iterations=2)
    _, bright = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    bright = cv2.morphologyEx(bright, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    found = []
    for mask in (edges, bright):
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        found += sorted(contours, key=cv2.contourArea, reverse=True)[:3]
    return found


def find_card(grey: np.ndarray) -> np.ndarray | None:
    """The card's four corners in ``grey`` (ordered, frame pixels), or None when no card outline is in view."""
    height, width = grey.shape
    scale = DETECT_WIDTH / width if width > DETECT_WIDTH else 1.0
    small = cv2.resize(grey, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
    frame_area = float(small.shape[0] * small.shape[1])
    for contour in _candidates(small):
        hull = cv2.convexHull(contour)
        if cv2.contourArea(hull) > 0.97 * frame_area:
            continue  # the frame's own border
        quad = _quad_from_hull(hull)
        if quad is not None and _plausible(quad, frame_area):
            return _order(quad) / scale
    if 0.85 * ID1_ASPECT < width / height < 1.15 * ID1_ASPECT:
        # Nothing but the card: a scan, or a rendered front.
        return np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], dtype=np.float32)
    return None


def flatten(grey: np.ndarray, corners: np.ndarray) -> np.ndarray:
    target = np.array([[0, 0], [CARD_WIDTH - 1, 0], [CARD_WIDTH - 1, CARD_HEIGHT - 1], [0, CARD_HEIGHT - 1]],
                      dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(corners.astype(np.float32), target)
    flat: np.ndarray = cv2.warpPerspective(grey, matrix, (CARD_WIDTH, CARD_HEIGHT), flags=cv2.INTER_CUBIC,
                                           borderMode=cv2.BORDER_REPLICATE)
    return flat


def paper_level(grey: np.ndarray) -> np.ndarray:
    """The brightness the bare card would have at each pixel (light falls unevenly): a wide maximum, smoothed."""
    small = cv2.resize(grey, (CARD_WIDTH // 4, CARD_HEIGHT // 4), interpolation=cv2.INTER_AREA)
    level = cv2.dilate(small, np.ones((81, 81), np.uint8))
    level = cv2.GaussianBlur(level, (0, 0), 12)
    full: np.ndarray = cv2.resize(level, (CARD_WIDTH, CARD_HEIGHT), interpolation=cv2.INTER_LINEAR)
    return np.maximum(full.astype(np.float32), 1.0)


def find_photo(grey: np.ndarray) -> PhotoBox | None:
    """The holder's photo: a block of continuous mid-tones (neither paper nor ink) at least a sixth of the card wide
    and a third high, upright, filling most of its bounding rectangle (a washed-out background
    may drop out), and clear of the card's edges (a fingertip
    over a corner is a mid-tone blob too, but it comes in from the edge and is round)."""
    smooth = cv2.GaussianBlur(grey, (0, 0), 2).astype(np.float32)
    relative = smooth / paper_level(grey)
    mid = ((relative > 0.2) & (relative < MID_TONE_CEILING)).astype(np.uint8)
    mid = cv2.morphologyEx(mid, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    # The rounded corners and a pixel or two of tray along the edges are not the card.
    mid[:EDGE_BAND], mid[-EDGE_BAND:], mid[:, :EDGE_BAND], mid[:, -EDGE_BAND:] = 0, 0, 0, 0
    for rows in (slice(0, CORNER), slice(-CORNER, None)):
        for cols in (slice(0, CORNER), slice(-CORNER, None)):
            mid[rows, cols] = 0
    window = (CARD_WIDTH // 6, CARD_HEIGHT // 3)
    density = cv2.boxFilter(mid.astype(np.float32), -1, window, normalize=True, borderType=cv2.BORDER_CONSTANT)
    seed_y, seed_x = np.unravel_index(int(np.argmax(density)), density.shape)
    if density[seed_y, seed_x] < 0.7:
        return None
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mid)
    label = int(labels[seed_y, seed_x])
    if label == 0:
        return None
    x, y, w, h, area = (int(v) for v in stats[label])
    margin = EDGE_BAND + 2
    if x < margin or y < margin or x + w > CARD_WIDTH - margin or y + h > CARD_HEIGHT - margin:
        return None
    if not (CARD_WIDTH // 6 <= w <= 0.4 * CARD_WIDTH and CARD_HEIGHT // 3 <= h <= 0.75 * CARD_HEIGHT):
        return None
    if not 0.5 <= w / h <= 1.05 or area < 0.6 * w * h:
        return None
    return PhotoBox(x, y, x + w, y + h)


def locate(frame: np.ndarray) -> FlatCard | None:
    """The card of an RGB frame, flattened; None when no card is in view. The flattened grey of a card's back is
    blanked: only its side is kept."""
    if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8 or min(frame.shape[:2]) < 64:
        raise FrameImageError("a frame must be an RGB uint8 image of at least 64 × 64 pixels")
    grey = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)
    corners = find_card(grey)
    if corners is None:
        return None
    flat = flatten(grey, corners)
    photo = find_photo(flat)
    if photo is None:
        return FlatCard(np.zeros((1, 1), np.uint8), Side.BACK, None)
    if (photo.left + photo.right) / 2 < CARD_WIDTH / 2:  # upside down: the photo is on the right of the face
        flat = np.ascontiguousarray(flat[::-1, ::-1])
        photo = PhotoBox(CARD_WIDTH - photo.right, CARD_HEIGHT - photo.bottom,
                         CARD_WIDTH - photo.left, CARD_HEIGHT - photo.top)
    return FlatCard(flat, Side.FACE, photo)
