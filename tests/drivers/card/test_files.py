"""ApplicationFiles over a scripted transport: 6282 (end of file before Le) with data is a short final chunk."""

from __future__ import annotations

import pytest

from drivers.card import ber, errors
from drivers.card.channel import CardChannel
from drivers.card.files import ApplicationFiles
from scripted_transport import ScriptedTransport

OBJECT = ber.encode(0x30, bytes(range(256)) + bytes(40))  # 300 bytes: one full chunk and a short one


def test_data_with_6282_is_the_last_chunk_of_an_object() -> None:
    transport = ScriptedTransport(OBJECT[:256] + b"\x90\x00", OBJECT[256:] + b"\x62\x82")
    assert ApplicationFiles(CardChannel(transport)).read_object(0x000A) == OBJECT
    assert transport.sent[1] == bytes.fromhex("00B001002C")


def test_a_short_first_read_with_6282_gives_its_bytes() -> None:
    transport = ScriptedTransport(b"JPKIAPICCTOKEN2\x62\x82")
    assert ApplicationFiles(CardChannel(transport)).read_bytes(0x0006, 32) == b"JPKIAPICCTOKEN2"


def test_6282_without_data_is_end_of_file_with_its_status_word() -> None:
    transport = ScriptedTransport(OBJECT[:256] + b"\x90\x00", b"\x62\x82")
    with pytest.raises(errors.MalformedResponse) as caught:
        ApplicationFiles(CardChannel(transport)).read_object(0x000A)
    assert isinstance(caught.value.__cause__, errors.EndOfFile) and caught.value.__cause__.sw == 0x6282
