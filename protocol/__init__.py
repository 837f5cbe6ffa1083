"""mynareader's line protocol, sans-IO.

Portable core (CPython and MicroPython; imports nothing else of ours and nothing outside MicroPython's subset):
``protocol.errors``, ``protocol.cobs``, ``protocol.crc32c``, ``protocol.frame``, ``protocol.link``. The asyncio
binding for real ports, ``protocol.serial_link``, needs CPython and pyserial and is not imported here.

Normative description: docs/protocol.md.
"""

from protocol.errors import (
    CobsError,
    CrcMismatch,
    FrameError,
    FrameTooLong,
    FrameTooShort,
    InvalidAck,
    LengthMismatch,
    PayloadTooLarge,
    ProtocolError,
    UnknownFrameType,
    UnsupportedVersion,
)
from protocol.frame import MAX_PAYLOAD
from protocol.link import Acked, Connected, Delivered, Event, Link, LinkError, PeerRestarted

#: The modules that must stay MicroPython-portable (checked by tests/protocol/test_portable.py).
PORTABLE_MODULES = ("__init__", "errors", "cobs", "crc32c", "frame", "link")

__all__ = [
    "Link",
    "Event",
    "Delivered",
    "Acked",
    "Connected",
    "PeerRestarted",
    "LinkError",
    "MAX_PAYLOAD",
    "ProtocolError",
    "FrameError",
    "CobsError",
    "FrameTooLong",
    "FrameTooShort",
    "CrcMismatch",
    "UnsupportedVersion",
    "UnknownFrameType",
    "LengthMismatch",
    "InvalidAck",
    "PayloadTooLarge",
    "PORTABLE_MODULES",
]
