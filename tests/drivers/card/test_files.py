"""ApplicationFiles over a scripted transport: 6282 (end of file before Le) with data is a short final chunk."""

from __future__ import annotations

import pytest

from drivers.card import apdu, ber, errors
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


def test_a_missing_ef_does_not_switch_sfi_addressing_off() -> None:
    transport = ScriptedTransport(b"\x6a\x82", b"\x6a\x82", b"abc\x90\x00")
    files = ApplicationFiles(CardChannel(transport))
    with pytest.raises(errors.FileNotFound) as caught:
        files.read_bytes(0x0009, 3)  # SFI read: 6A82; SELECT EF: 6A82 — the EF is missing
    assert caught.value.sw == 0x6A82 and files.sfi_supported
    assert files.read_bytes(0x0006, 3) == b"abc"
    assert transport.sent[2] == bytes.fromhex("00B0860003")  # still by SFI


@pytest.mark.parametrize("refusal", [b"\x6a\x82", b"\x6a\x86", b"\x67\x00"])
def test_an_sfi_refusal_for_an_ef_that_select_finds_switches_to_select(refusal: bytes) -> None:
    transport = ScriptedTransport(refusal, b"\x90\x00", b"abc\x90\x00")
    files = ApplicationFiles(CardChannel(transport))
    assert files.read_bytes(0x0006, 3) == b"abc"
    assert not files.sfi_supported
    assert transport.sent[1:] == [bytes.fromhex("00A4020C020006"), bytes.fromhex("00B0000003")]


def test_a_verify_refused_by_sfi_for_a_missing_key_leaves_sfi_on() -> None:
    transport = ScriptedTransport(b"\x6a\x88", b"\x6a\x82")
    files = ApplicationFiles(CardChannel(transport))
    with pytest.raises(errors.FileNotFound):
        files.send_by_reference(lambda ref: apdu.verify(ref, None), 0x0018)
    assert files.sfi_supported
