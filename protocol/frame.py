"""Link frames: the header, the CRC-32C trailer, COBS framing on the wire, and a resynchronising deframer.

Portable (CPython and MicroPython). Layout, all integers little-endian (normative text: docs/protocol.md)::

    offset size field
         0    1 version      1 for this protocol
         1    1 type         1 DATA, 2 ACK, 3 SYN, 4 SYNACK
         2    1 flags        bit 0 GAP: the sender holds frames beyond `ack` (a duplicate ack asking for
                             a fast retransmit); other bits are sent as 0 and ignored
         3    1 window       frames the sender of this frame will buffer beyond `ack` (its receive window)
         4    4 src epoch    the sender's link epoch (random, non-zero, new at every start)
         8    4 dst epoch    the receiver's epoch as the sender knows it; 0 = not known yet
        12    4 seq          DATA: this frame's sequence number; other types: the sender's next one
        16    4 ack          cumulative: the next sequence number the sender expects from the receiver
        20    2 tsval        the sender's clock when it sent this frame, milliseconds mod 65536 (0 never used)
        22    2 tsecr        echo of the tsval of the peer's frame that last advanced `ack`; 0 = none
        24    2 length       payload bytes that follow
        26    n payload      DATA only (other types carry none)
      26+n    4 crc32c       CRC-32C of bytes 0 .. 26+n-1

On the wire each frame is COBS-encoded and followed by a 0x00 delimiter; a burst of frames starts with an
extra 0x00 so that a half frame left on the line (garbage, a re-plug) ends before ours begins.
"""

import struct

from protocol.cobs import decode as cobs_decode, encode as cobs_encode, encoded_size_max
from protocol.crc32c import crc32c
from protocol.errors import (
    CrcMismatch,
    FrameTooLong,
    FrameTooShort,
    LengthMismatch,
    ProtocolError,
    UnknownFrameType,
    UnsupportedVersion,
)

VERSION = 1

DATA = 1
ACK = 2
SYN = 3
SYNACK = 4
TYPE_NAMES = {DATA: "DATA", ACK: "ACK", SYN: "SYN", SYNACK: "SYNACK"}

FLAG_GAP = 0x01

HEADER_FORMAT = "<BBBBIIIIHHH"
HEADER_SIZE = 26
CRC_SIZE = 4
#: Largest frame, header + payload + CRC, before COBS encoding.
MAX_FRAME = 4096
#: Largest application message one DATA frame carries.
MAX_PAYLOAD = MAX_FRAME - HEADER_SIZE - CRC_SIZE
#: Largest COBS encoding of a frame, i.e. the most bytes the deframer accepts between two delimiters.
MAX_ENCODED = encoded_size_max(MAX_FRAME)

DELIMITER = b"\x00"


class Frame:
    """One decoded link frame. Plain attributes; ``payload`` is ``bytes``."""

    __slots__ = ("type", "flags", "window", "src", "dst", "seq", "ack", "tsval", "tsecr", "payload")

    def __init__(
        self,
        type: int,
        src: int,
        dst: int,
        seq: int = 0,
        ack: int = 0,
        payload: bytes | bytearray = b"",
        flags: int = 0,
        window: int = 1,
        tsval: int = 0,
        tsecr: int = 0,
    ) -> None:
        self.type = type
        self.flags = flags
        self.window = window
        self.src = src
        self.dst = dst
        self.seq = seq
        self.ack = ack
        self.tsval = tsval
        self.tsecr = tsecr
        self.payload = bytes(payload)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Frame):
            return False
        return (
            self.type == other.type
            and self.flags == other.flags
            and self.window == other.window
            and self.src == other.src
            and self.dst == other.dst
            and self.seq == other.seq
            and self.ack == other.ack
            and self.tsval == other.tsval
            and self.tsecr == other.tsecr
            and self.payload == other.payload
        )

    def __repr__(self) -> str:
        return "Frame(%s, src=%08x, dst=%08x, seq=%d, ack=%d, flags=%d, window=%d, ts=%d/%d, %d bytes)" % (
            TYPE_NAMES.get(self.type, str(self.type)),
            self.src,
            self.dst,
            self.seq,
            self.ack,
            self.flags,
            self.window,
            self.tsval,
            self.tsecr,
            len(self.payload),
        )


def encode_frame(frame: Frame) -> bytes:
    """The frame's bytes before COBS: header, payload, CRC-32C."""
    n = len(frame.payload)
    if HEADER_SIZE + n + CRC_SIZE > MAX_FRAME:
        raise FrameTooLong("payload of %d bytes exceeds %d" % (n, MAX_PAYLOAD))
    body = struct.pack(
        HEADER_FORMAT,
        VERSION,
        frame.type,
        frame.flags,
        frame.window,
        frame.src,
        frame.dst,
        frame.seq & 0xFFFFFFFF,
        frame.ack & 0xFFFFFFFF,
        frame.tsval,
        frame.tsecr,
        n,
    ) + frame.payload
    return body + struct.pack("<I", crc32c(body))


def decode_frame(raw: bytes | bytearray) -> Frame:
    """Parse the bytes of one frame (after COBS decoding). Raises a :class:`FrameError` subclass."""
    n = len(raw)
    if n > MAX_FRAME:
        raise FrameTooLong("frame of %d bytes exceeds %d" % (n, MAX_FRAME))
    if n < HEADER_SIZE + CRC_SIZE:
        raise FrameTooShort("frame of %d bytes is shorter than header and CRC" % n)
    (crc,) = struct.unpack("<I", raw[n - CRC_SIZE:])
    if crc32c(raw[: n - CRC_SIZE]) != crc:
        raise CrcMismatch("CRC-32C mismatch")
    version, ftype, flags, window, src, dst, seq, ack, tsval, tsecr, length = struct.unpack(
        HEADER_FORMAT, raw[:HEADER_SIZE]
    )
    if version != VERSION:
        raise UnsupportedVersion(version)
    if ftype not in TYPE_NAMES:
        raise UnknownFrameType(ftype)
    if length != n - HEADER_SIZE - CRC_SIZE:
        raise LengthMismatch("length field %d, payload %d" % (length, n - HEADER_SIZE - CRC_SIZE))
    return Frame(ftype, src, dst, seq, ack, raw[HEADER_SIZE: n - CRC_SIZE], flags, window, tsval, tsecr)


def pack(frame: Frame) -> bytes:
    """The frame as sent on the wire: COBS encoding followed by the 0x00 delimiter."""
    return cobs_encode(encode_frame(frame)) + DELIMITER


def unpack(encoded: bytes | bytearray) -> Frame:
    """Decode the bytes between two delimiters. Raises a :class:`FrameError` subclass."""
    if len(encoded) > MAX_ENCODED:
        raise FrameTooLong("encoded frame of %d bytes exceeds %d" % (len(encoded), MAX_ENCODED))
    return decode_frame(cobs_decode(encoded))


class Deframer:
    """Splits a byte stream at 0x00 delimiters and decodes each frame.

    :meth:`feed` returns, in stream order, a :class:`Frame` for every good frame and a :class:`FrameError`
    instance (returned, not raised) for every bad one. Empty frames (two delimiters in a row) are skipped
    silently. A run longer than :data:`MAX_ENCODED` without a delimiter is reported once as
    :class:`FrameTooLong` and skipped up to the next delimiter, so memory stays bounded and the stream
    resynchronises at the next frame.
    """

    def __init__(self) -> None:
        self._buf = bytearray()
        self._discarding = False

    def feed(self, data: bytes | bytearray | memoryview) -> "list[Frame | ProtocolError]":
        if not isinstance(data, (bytes, bytearray)):
            data = bytes(data)
        out: list[Frame | ProtocolError] = []
        start = 0
        n = len(data)
        while start < n:
            end = data.find(DELIMITER, start)
            if end < 0:
                if not self._discarding:
                    if len(self._buf) + n - start > MAX_ENCODED:
                        self._discarding = True
                        self._buf = bytearray()
                        out.append(FrameTooLong("more than %d bytes without a delimiter" % MAX_ENCODED))
                    else:
                        self._buf += data[start:]
                break
            if self._discarding:
                self._discarding = False
            else:
                segment = data[start:end]
                if self._buf:
                    self._buf += segment
                    segment = bytes(self._buf)
                    self._buf = bytearray()
                if segment:
                    try:
                        out.append(unpack(segment))
                    except ProtocolError as e:
                        out.append(e)
            start = end + 1
        return out

    def pending(self) -> int:
        """Bytes held of a frame whose delimiter has not arrived yet."""
        return len(self._buf)


__all__ = [
    "VERSION",
    "DATA",
    "ACK",
    "SYN",
    "SYNACK",
    "FLAG_GAP",
    "HEADER_SIZE",
    "CRC_SIZE",
    "MAX_FRAME",
    "MAX_PAYLOAD",
    "MAX_ENCODED",
    "Frame",
    "encode_frame",
    "decode_frame",
    "pack",
    "unpack",
    "Deframer",
]
