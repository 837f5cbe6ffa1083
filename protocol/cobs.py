"""Consistent Overhead Byte Stuffing (COBS), portable (CPython and MicroPython).

COBS turns any byte string into one without 0x00 bytes, at a cost of one byte plus at most one byte per 254,
so 0x00 can delimit frames on the line. This is the standard encoding (Cheshire & Baker, 1999), byte for byte
the same as the ``cobs`` package on PyPI, which the CPython tests check it against. MicroPython has no such
package, hence this one.
"""

from protocol.errors import CobsError

_ZERO = b"\x00"


def encoded_size_max(n: int) -> int:
    """The largest COBS encoding of ``n`` bytes (without the delimiter)."""
    return n + 1 + n // 254


def encode(data: bytes | bytearray | memoryview) -> bytes:
    """Encode ``data`` (bytes-like); the result contains no 0x00 byte. Delimiters are not added."""
    out = bytearray()
    blocks = bytes(data).split(_ZERO)
    last = len(blocks) - 1
    for i, block in enumerate(blocks):
        n = len(block)
        start = 0
        # Full runs of 254 non-zero bytes take code 0xFF, which implies no zero after them.
        while n - start >= 254:
            out.append(0xFF)
            out += block[start:start + 254]
            start += 254
        if i == last and n and start == n:
            # The data ends right after a full run: no final code byte (the standard form).
            break
        out.append(n - start + 1)
        out += block[start:]
    return bytes(out)


def decode(data: bytes | bytearray | memoryview) -> bytes:
    """Decode a COBS encoding (without delimiters). Raises :class:`CobsError` if ``data`` is not one."""
    data = bytes(data)
    n = len(data)
    out = bytearray()
    i = 0
    while i < n:
        code = data[i]
        if code == 0:
            raise CobsError("zero byte inside a COBS encoding at offset %d" % i)
        end = i + code
        if end > n:
            raise CobsError("COBS block at offset %d runs past the end" % i)
        block = data[i + 1:end]
        if _ZERO in block:
            raise CobsError("zero byte inside a COBS encoding")
        out += block
        i = end
        if code != 0xFF and i < n:
            out.append(0)
    return bytes(out)
