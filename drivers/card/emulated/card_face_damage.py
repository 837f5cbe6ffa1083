"""Broken card face records (券面事項確認AP EF 0002), each made from a valid one and broken in one way.

The ``damaged`` profile carries :func:`offset_past_end`; the tests run the driver's parser over all of them
(:data:`MALFORMED`), and over :func:`tampered_photo`, which parses but whose issuer signature must fail.
"""

from __future__ import annotations

from collections.abc import Callable

from drivers.card import ber
from drivers.card.card_face import FIELD_TAGS, TAG_CARD_KEY, TAG_EXPIRY, TAG_PHOTO, TAG_SEX


def _table_start(record: bytes) -> int:
    outer = ber.parse_header(record)
    return outer.header_length + ber.parse_header(record, outer.header_length).header_length


def field_offset(record: bytes, tag: int) -> int:
    """Where the offset table says field ``tag`` begins."""
    entry = _table_start(record) + 2 * FIELD_TAGS.index(tag)
    return int.from_bytes(record[entry : entry + 2], "big")


def _value_offset(record: bytes, tag: int) -> int:
    offset = field_offset(record, tag)
    return offset + ber.parse_header(record, offset).header_length


def _patch(record: bytes, at: int, data: bytes) -> bytes:
    return record[:at] + data + record[at + len(data) :]


def offset_past_end(record: bytes) -> bytes:
    """The photo's table entry points 16 bytes past the end of the record."""
    entry = _table_start(record) + 2 * FIELD_TAGS.index(TAG_PHOTO)
    return _patch(record, entry, (len(record) + 16).to_bytes(2, "big"))


def truncated_tlv(record: bytes) -> bytes:
    """The record ends 10 bytes into what its last field claims (the outer length says so too)."""
    outer = ber.parse_header(record)
    return ber.encode(outer.tag, record[outer.header_length : -10])


def outer_claims_more(record: bytes) -> bytes:
    """The outer header claims 512 bytes more than follow it."""
    outer = ber.parse_header(record)
    value = record[outer.header_length :]
    return ber.encode(outer.tag, value + bytes(512))[: -512]


def wrong_tag(record: bytes) -> bytes:
    """Where the table expects DF23 (sex), the record holds a DF33."""
    return _patch(record, field_offset(record, TAG_SEX), b"\xdf\x33")


def photo_not_jp2(record: bytes) -> bytes:
    """The photo field starts with a PNG signature instead of the JP2 signature box."""
    return _patch(record, _value_offset(record, TAG_PHOTO), b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0d")


def bad_expiry(record: bytes) -> bytes:
    """The expiry is not a date (month 13)."""
    return _patch(record, _value_offset(record, TAG_EXPIRY), b"20351341")


def bad_card_key(record: bytes) -> bytes:
    """The card key's exponent is tagged 92 instead of 90."""
    return _patch(record, _value_offset(record, TAG_CARD_KEY), b"\x92")


def tampered_photo(record: bytes) -> bytes:
    """Well-formed, but one byte of the photo changed after the issuer signed it."""
    at = _value_offset(record, TAG_PHOTO) + 200
    return _patch(record, at, bytes((record[at] ^ 0x01,)))


MALFORMED: dict[str, Callable[[bytes], bytes]] = {
    f.__name__.replace("_", "-"): f
    for f in (offset_past_end, truncated_tlv, outer_claims_more, wrong_tag, photo_not_jp2, bad_expiry, bad_card_key)
}
