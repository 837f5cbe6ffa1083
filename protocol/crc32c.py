"""CRC-32C (Castagnoli), portable (CPython and MicroPython).

The iSCSI / SCTP / ext4 CRC (RFC 3720 §B.4): reflected polynomial 0x82F63B78, initial value and final XOR
0xFFFFFFFF. Check value: ``crc32c(b"123456789") == 0xE3069283``. Table-driven, one byte per step.
"""


def _make_table() -> tuple[int, ...]:
    table: list[int] = []
    for i in range(256):
        c = i
        for _ in range(8):
            if c & 1:
                c = (c >> 1) ^ 0x82F63B78
            else:
                c >>= 1
        table.append(c)
    return tuple(table)


_TABLE = _make_table()


def crc32c(data: bytes | bytearray | memoryview, crc: int = 0) -> int:
    """CRC-32C of ``data`` (bytes-like). Pass a previous result as ``crc`` to continue over more data."""
    table = _TABLE
    c = crc ^ 0xFFFFFFFF
    for b in data:
        c = table[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF
