"""The little BER-TLV the card uses: tags of one or two bytes, definite lengths of up to three length bytes.

Parsing is strict: anything truncated or inconsistent raises :class:`~drivers.card.errors.MalformedResponse`.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.card.errors import MalformedResponse


@dataclass(frozen=True)
class Header:
    tag: int
    length: int
    header_length: int

    @property
    def total_length(self) -> int:
        return self.header_length + self.length


def parse_header(data: bytes, offset: int = 0) -> Header:
    """The tag and length at ``offset``; the value itself need not be present in ``data``."""
    pos = offset
    if pos >= len(data):
        raise MalformedResponse("TLV truncated before its tag")
    tag = data[pos]
    pos += 1
    if tag & 0x1F == 0x1F:
        # Multi-byte tag: the card only uses two-byte tags (DF21…, FF20…, 5F4E, 7F21).
        if pos >= len(data):
            raise MalformedResponse("TLV truncated inside a two-byte tag")
        if data[pos] & 0x80:
            raise MalformedResponse("tags longer than two bytes are not used by this card")
        tag = (tag << 8) | data[pos]
        pos += 1
    if pos >= len(data):
        raise MalformedResponse("TLV truncated before its length")
    first = data[pos]
    pos += 1
    if first < 0x80:
        length = first
    elif first in (0x81, 0x82, 0x83):
        count = first & 0x7F
        if pos + count > len(data):
            raise MalformedResponse("TLV truncated inside its length")
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    else:
        raise MalformedResponse(f"unsupported BER length byte {first:02X}")
    return Header(tag, length, pos - offset)


def parse_all(data: bytes) -> list[tuple[int, bytes]]:
    """Every TLV in ``data`` in order, as (tag, value); the TLVs must fill ``data`` exactly."""
    items: list[tuple[int, bytes]] = []
    pos = 0
    while pos < len(data):
        header = parse_header(data, pos)
        start = pos + header.header_length
        end = start + header.length
        if end > len(data):
            raise MalformedResponse(f"TLV {header.tag:X} claims {header.length} bytes, {len(data) - start} remain")
        items.append((header.tag, data[start:end]))
        pos = end
    return items


def encode(tag: int, value: bytes) -> bytes:
    """One TLV with the shortest definite length (used by the emulated card)."""
    tag_bytes = tag.to_bytes(2 if tag > 0xFF else 1, "big")
    n = len(value)
    if n < 0x80:
        length = bytes((n,))
    elif n <= 0xFF:
        length = bytes((0x81, n))
    elif n <= 0xFFFF:
        length = b"\x82" + n.to_bytes(2, "big")
    else:
        length = b"\x83" + n.to_bytes(3, "big")
    return tag_bytes + length + value
