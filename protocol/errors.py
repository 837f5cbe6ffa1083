"""Typed errors of the line protocol.

Every error the protocol package reports about bad input is a :class:`ProtocolError`, and every
:class:`ProtocolError` is also a :class:`ValueError` (like gpiozero, the hierarchy inherits a builtin so
``except ValueError`` callers keep working). Single inheritance only: MicroPython cannot combine two
native exception bases.

Frame errors are not raised out of :meth:`protocol.link.Link.receive_bytes`: a noisy line is normal, so the
link drops the frame and reports the error as a :class:`protocol.link.LinkError` event instead.
"""


class ProtocolError(ValueError):
    """Base class: input that the line protocol does not accept."""


class FrameError(ProtocolError):
    """A frame that cannot be accepted; the link drops it (the peer retransmits if it mattered)."""


class CobsError(FrameError):
    """The bytes between two 0x00 delimiters are not a valid COBS encoding."""


class FrameTooLong(FrameError):
    """A frame longer than the protocol allows (4096 bytes decoded); it is skipped up to the next delimiter."""


class FrameTooShort(FrameError):
    """A decoded frame shorter than a header and a CRC."""


class CrcMismatch(FrameError):
    """The CRC-32C trailer does not match the header and payload: the frame was corrupted."""


class UnsupportedVersion(FrameError):
    """A frame of a protocol version this implementation does not speak."""

    def __init__(self, version: int) -> None:
        super().__init__("unsupported link protocol version %d" % version)
        self.version = version


class UnknownFrameType(FrameError):
    """A frame whose type field names no known frame type."""

    def __init__(self, frame_type: int) -> None:
        super().__init__("unknown frame type %d" % frame_type)
        self.frame_type = frame_type


class LengthMismatch(FrameError):
    """The header's length field disagrees with the number of payload bytes in the frame."""


class InvalidAck(FrameError):
    """A frame acknowledging a sequence number that was never sent in this session."""


class PayloadTooLarge(ProtocolError):
    """An application message larger than one frame can carry (see ``protocol.frame.MAX_PAYLOAD``)."""
