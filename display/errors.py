"""Typed errors of the display package. Each also inherits the builtin a caller would naturally catch."""

from __future__ import annotations


class DisplayError(Exception):
    """Base of every display error."""


class UnknownScreen(DisplayError, KeyError):
    """No renderer for this screen id."""


class BadParameters(DisplayError, ValueError):
    """The parameters do not match what the screen's renderer draws (missing, unexpected, wrong type or value)."""


class UnknownWording(DisplayError, KeyError):
    """A consent wording version display does not carry (the result must quote the wording actually shown)."""


class TextDoesNotFit(DisplayError, ValueError):
    """A text cannot be laid out at the minimum size even with pagination (a single word wider than its box)."""


class FontMissing(DisplayError, FileNotFoundError):
    """A required font file is not installed (Debian `fonts-morisawa-bizud-gothic`, `fonts-noto-cjk`)."""


class PanelError(DisplayError, RuntimeError):
    """A panel backend could not be configured or refused an image."""
