import pytest
from cobs import cobs as reference
from hypothesis import given, settings
from hypothesis import strategies as st

from protocol import cobs
from protocol.errors import CobsError, ProtocolError

VECTORS = [  # (data, encoding): the examples of the COBS paper / Wikipedia
    (b"", b"\x01"),
    (b"\x00", b"\x01\x01"),
    (b"\x00\x00", b"\x01\x01\x01"),
    (b"\x00\x11\x00", b"\x01\x02\x11\x01"),
    (b"\x11\x22\x00\x33", b"\x03\x11\x22\x02\x33"),
    (b"\x11\x22\x33\x44", b"\x05\x11\x22\x33\x44"),
    (b"\x11\x00\x00\x00", b"\x02\x11\x01\x01\x01"),
    (bytes(range(1, 255)), b"\xff" + bytes(range(1, 255))),
    (bytes(range(0, 255)), b"\x01\xff" + bytes(range(1, 255))),
    (bytes(range(1, 256)), b"\xff" + bytes(range(1, 255)) + b"\x02\xff"),
]


@pytest.mark.parametrize("data,encoded", VECTORS)
def test_known_vectors(data, encoded):
    assert cobs.encode(data) == encoded
    assert cobs.decode(encoded) == data


@given(st.binary(max_size=3000))
@settings(max_examples=500)
def test_matches_the_cobs_package(data):
    encoded = cobs.encode(data)
    assert encoded == reference.encode(data)
    assert b"\x00" not in encoded
    assert len(encoded) <= cobs.encoded_size_max(len(data))
    assert cobs.decode(encoded) == data


@given(st.lists(st.sampled_from([0, 1, 2, 0xFE, 0xFF]), max_size=600).map(bytes))
@settings(max_examples=500)
def test_long_runs_and_zeros_match_the_cobs_package(data):
    assert cobs.encode(data) == reference.encode(data)


@given(st.binary(max_size=600))
@settings(max_examples=1000)
def test_decode_accepts_and_rejects_what_the_cobs_package_does(data):
    try:
        expected = reference.decode(data)
    except reference.DecodeError:
        with pytest.raises(CobsError):
            cobs.decode(data)
    else:
        assert cobs.decode(data) == expected


def test_errors_are_typed_value_errors():
    for bad in (b"\x00", b"\x05\x11", b"\x03\x00\x01"):
        with pytest.raises(CobsError) as info:
            cobs.decode(bad)
        assert isinstance(info.value, ProtocolError) and isinstance(info.value, ValueError)
