"""CardChannel over a scripted transport (the layer below ours): 61xx chaining, 6Cxx retries, observer records."""

from __future__ import annotations

import pickle

import pytest

from drivers.card import apdu, errors
from drivers.card.channel import MAX_RESPONSE, CardChannel, Exchange
from scripted_transport import ScriptedTransport


def test_61xx_is_followed_with_get_response_and_the_pieces_joined() -> None:
    transport = ScriptedTransport(b"abc\x61\x05", b"defgh\x61\x00", bytes(256) + b"\x90\x00")
    response = CardChannel(transport).send(apdu.read_binary(0, 256))
    assert response == apdu.Response(b"abcdefgh" + bytes(256), 0x9000)
    assert transport.sent[1:] == [bytes.fromhex("00C0000005"), bytes.fromhex("00C0000000")]


def test_an_endless_61xx_chain_ends_in_malformed_response_with_its_status_word() -> None:
    transport = ScriptedTransport(b"\x61\x00", bytes(256) + b"\x61\x00")
    with pytest.raises(errors.MalformedResponse) as caught:
        CardChannel(transport).send(apdu.read_binary(0, 256))
    assert caught.value.sw == 0x6100
    assert len(transport.sent) <= MAX_RESPONSE // 256 + 2


def test_an_endless_chain_of_empty_pieces_ends_too() -> None:
    transport = ScriptedTransport(b"\x61\x10")
    with pytest.raises(errors.MalformedResponse) as caught:
        CardChannel(transport).send(apdu.read_binary(0, 16))
    assert caught.value.sw == 0x6110
    assert len(transport.sent) <= MAX_RESPONSE // 256 + 2


def test_6cxx_repeats_a_read_with_the_le_the_card_asked_for() -> None:
    transport = ScriptedTransport(b"\x6c\x11", bytes(17) + b"\x90\x00")
    assert CardChannel(transport).call(apdu.read_binary(0, 256)) == bytes(17)
    assert transport.sent == [bytes.fromhex("00B0000000"), bytes.fromhex("00B0000011")]


def test_6cxx_on_a_verify_is_not_answered_by_sending_the_pin_again() -> None:
    transport = ScriptedTransport(b"\x6c\x04", b"\x90\x00")
    command = apdu.verify(0x98, b"8461")
    with pytest.raises(errors.WrongLength) as caught:
        CardChannel(transport).call(command)
    assert caught.value.sw == 0x6C04
    assert transport.sent == [bytes.fromhex("0020009804") + b"8461"]


def test_an_observers_record_of_a_verify_holds_no_pin() -> None:
    records: list[Exchange] = []
    channel = CardChannel(ScriptedTransport(b"\x63\xc2"))
    channel.observers.append(records.append)
    with pytest.raises(errors.WrongPin):
        channel.call(apdu.verify(0x98, b"8461"))
    (record,) = records
    assert (record.name, record.sent, record.received, record.sw) == ("VERIFY", 9, 2, 0x63C2)
    kept = pickle.dumps(record) + repr(record).encode()
    assert b"8461" not in kept and "8461".encode("utf-16-le") not in kept
