from hypothesis import given, settings
from hypothesis import strategies as st

from protocol.crc32c import crc32c


def bitwise_crc32c(data):
    """An independent, bit-at-a-time CRC-32C (no table) to check the table-driven one."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 & -(crc & 1))
    return crc ^ 0xFFFFFFFF


def test_check_value():
    assert crc32c(b"123456789") == 0xE3069283


def test_rfc3720_vectors():
    # RFC 3720 appendix B.4 (iSCSI), CRC-32C results as the 32-bit value.
    assert crc32c(bytes(32)) == 0x8A9136AA
    assert crc32c(b"\xff" * 32) == 0x62A8AB43
    assert crc32c(bytes(range(32))) == 0x46DD794E
    assert crc32c(bytes(range(31, -1, -1))) == 0x113FDB5C


@given(st.binary(max_size=512))
@settings(max_examples=300)
def test_matches_bitwise_reference(data):
    assert crc32c(data) == bitwise_crc32c(data)


@given(st.binary(max_size=256), st.binary(max_size=256))
def test_incremental(a, b):
    assert crc32c(b, crc32c(a)) == crc32c(a + b)
