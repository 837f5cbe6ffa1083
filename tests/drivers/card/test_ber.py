import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.card import ber, errors


def test_header_forms() -> None:
    assert ber.parse_header(bytes.fromhex("3082048a")) == ber.Header(0x30, 0x048A, 4)
    assert ber.parse_header(bytes.fromhex("ff2065")) == ber.Header(0xFF20, 0x65, 3)
    assert ber.parse_header(bytes.fromhex("df2781ff")) == ber.Header(0xDF27, 0xFF, 4)


@pytest.mark.parametrize("raw", ["", "30", "3082", "308204", "df", "ff20", "3084000000ff", "ff20ff01"])
def test_truncated_or_unsupported_headers_are_typed_errors(raw: str) -> None:
    with pytest.raises(errors.MalformedResponse):
        ber.parse_header(bytes.fromhex(raw))


def test_parse_all_round_trips_and_rejects_overruns() -> None:
    data = ber.encode(0xDF21, b"\x00\x0e") + ber.encode(0xDF22, b"x" * 300)
    assert ber.parse_all(data) == [(0xDF21, b"\x00\x0e"), (0xDF22, b"x" * 300)]
    with pytest.raises(errors.MalformedResponse):
        ber.parse_all(data[:-1])


@settings(max_examples=2000)
@given(st.binary(max_size=64))
def test_any_bytes_parse_or_raise_malformed(data: bytes) -> None:
    try:
        items = ber.parse_all(data)
    except errors.MalformedResponse:
        return
    assert sum(len(value) for _, value in items) <= len(data)
    assert ber.parse_all(b"".join(ber.encode(tag, value) for tag, value in items)) == items
