import struct

import pytest

from protocol import cobs
from protocol.crc32c import crc32c
from protocol.errors import (
    CobsError,
    CrcMismatch,
    FrameTooLong,
    FrameTooShort,
    LengthMismatch,
    UnknownFrameType,
    UnsupportedVersion,
)
from protocol.frame import (
    ACK,
    DATA,
    HEADER_SIZE,
    MAX_ENCODED,
    MAX_FRAME,
    MAX_PAYLOAD,
    SYN,
    Deframer,
    Frame,
    decode_frame,
    encode_frame,
    pack,
    unpack,
)


def sample(payload=b"hello", **kw):
    args = dict(type=DATA, src=0x11223344, dst=0x55667788, seq=7, ack=3, payload=payload, flags=0, window=8,
                tsval=1234, tsecr=999)
    args.update(kw)
    return Frame(**args)


def test_round_trip():
    f = sample()
    assert decode_frame(encode_frame(f)) == f
    assert unpack(pack(f)[:-1]) == f
    assert pack(f).endswith(b"\x00") and b"\x00" not in pack(f)[:-1]


def test_header_layout_is_little_endian_and_crc_covers_everything():
    raw = encode_frame(sample())
    assert raw[:4] == bytes([1, DATA, 0, 8])
    assert struct.unpack_from("<IIIIHHH", raw, 4) == (0x11223344, 0x55667788, 7, 3, 1234, 999, 5)
    assert raw[HEADER_SIZE:-4] == b"hello"
    assert struct.unpack("<I", raw[-4:])[0] == crc32c(raw[:-4])


def test_largest_payload_fits_and_one_more_byte_does_not():
    assert len(encode_frame(sample(b"\xaa" * MAX_PAYLOAD))) == MAX_FRAME
    assert len(pack(sample(b"\x00" * MAX_PAYLOAD))) - 1 <= MAX_ENCODED
    with pytest.raises(FrameTooLong):
        encode_frame(sample(b"\xaa" * (MAX_PAYLOAD + 1)))


def reframe(raw):
    """Give raw frame bytes a correct CRC again (to reach the checks after the CRC)."""
    body = raw[:-4]
    return body + struct.pack("<I", crc32c(body))


@pytest.mark.parametrize(
    "mutate,error",
    [
        (lambda r: r[:10], FrameTooShort),
        (lambda r: r[:-1] + bytes([r[-1] ^ 1]), CrcMismatch),
        (lambda r: bytes([r[0] ^ 0x80]) + r[1:], CrcMismatch),
        (lambda r: reframe(bytes([2]) + r[1:]), UnsupportedVersion),
        (lambda r: reframe(r[:1] + bytes([9]) + r[2:]), UnknownFrameType),
        (lambda r: reframe(r[:24] + b"\x06\x00" + r[26:]), LengthMismatch),
        (lambda r: reframe(r[:-4] + b"x" * MAX_FRAME + r[-4:]), FrameTooLong),
    ],
)
def test_bad_frames_raise_typed_errors(mutate, error):
    with pytest.raises(error):
        decode_frame(mutate(encode_frame(sample())))


def test_unsupported_version_names_the_version():
    raw = reframe(bytes([7]) + encode_frame(sample())[1:])
    with pytest.raises(UnsupportedVersion) as info:
        decode_frame(raw)
    assert info.value.version == 7


def test_deframer_splits_joins_and_skips_empty_frames():
    a, b = pack(sample(b"one")), pack(sample(b"two", seq=8))
    stream = b"\x00\x00" + a + b"\x00" + b
    d = Deframer()
    got = []
    for i in range(len(stream)):  # one byte at a time: frames split anywhere
        got += d.feed(stream[i:i + 1])
    assert [f.payload for f in got] == [b"one", b"two"]
    assert d.pending() == 0


def test_deframer_resyncs_after_garbage_and_a_half_frame():
    good = pack(sample(b"good"))
    half = pack(sample(b"lost"))[:20]
    d = Deframer()
    out = d.feed(b"\x13\x37garbage" + b"\x00" + half)  # garbage, then a half frame (a re-plug) ...
    out += d.feed(b"\x00" + good)  # ... ended by the sender's leading delimiter
    frames = [x for x in out if isinstance(x, Frame)]
    errors = [x for x in out if not isinstance(x, Frame)]
    assert [f.payload for f in frames] == [b"good"]
    assert len(errors) == 2 and all(isinstance(e, (CobsError, CrcMismatch, FrameTooShort)) for e in errors)


def test_deframer_rejects_oversize_once_and_recovers():
    d = Deframer()
    out = []
    for _ in range(10):
        out += d.feed(b"\x01" * 1000)  # 10 kB without a delimiter
    assert d.pending() == 0  # memory stays bounded
    out += d.feed(b"\x00" + pack(sample(b"after")))
    assert isinstance(out[0], FrameTooLong) and len(out) == 2
    assert out[1].payload == b"after"


def test_encoded_frame_just_over_the_limit_is_rejected():
    assert len(cobs.encode(bytes(MAX_FRAME))) == MAX_FRAME + 1
    with pytest.raises(FrameTooLong):
        unpack(b"\x01" * (MAX_ENCODED + 1))


def test_control_frames_carry_no_payload():
    for t in (ACK, SYN):
        f = sample(b"", type=t)
        assert len(encode_frame(f)) == HEADER_SIZE + 4
        assert decode_frame(encode_frame(f)) == f
