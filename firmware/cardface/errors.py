"""The card-face scan's errors (refusals are results, not errors: see :mod:`firmware.cardface.result`)."""

from __future__ import annotations


class CardFaceError(Exception):
    """Base class of the card-face scan's errors."""


class FrameImageError(CardFaceError, ValueError):
    """A frame is not an RGB ``uint8`` image the scan can use."""


class OcrUnavailable(CardFaceError, RuntimeError):
    """tesserocr or Tesseract's Japanese model is not installed (scripts/setup installs both)."""
