from __future__ import annotations

import os

import cbor2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from protocol import messages
from protocol.messages import ErrorCode, Message, MessageError

FUZZ_EXAMPLES = int(os.environ.get("MYNAREADER_FUZZ_EXAMPLES", "2000"))


def raw(**body: object) -> bytes:
    return cbor2.dumps({"v": 1, "id": 1, **body})


def test_every_message_type_round_trips() -> None:
    samples = [
        Message(messages.HELLO, 1, {"host": "reception-1", "versions": [1]}),
        Message(messages.GET_INFO, 2),
        Message(messages.NONCE_POOL, 3, {"nonces": [bytes(range(16))], "ttl": 600}),
        Message(messages.SET_MODE, 4, {"mode": "visual_check", "staff": "staff-7"}),
        Message(messages.CANCEL, 5),
        Message(messages.STATUS, 6),
        Message(messages.SET_TIME, 7, {"unix": 1795741914.5}),
        Message(messages.RESULT_ACK, 8, {"cti": bytes(range(16, 32))}),
        Message(messages.INFO, 9, {"device": b"\x01" + bytes(16), "public_key": "-----BEGIN…", "fingerprint": "ab",
                                   "firmware": "0.1.0", "versions": [1], "demo": True, "clock_set": False,
                                   "nonces": 0}),
        Message(messages.STATE, 10, {"state": "choose_method", "mode": "auto", "seq": 3}),
        Message(messages.RESULT, 11, {"cose": b"\xd2" * 100}),
        Message(messages.NEED_NONCES, 12, {"available": 1}),
        Message(messages.ERROR, 13, {"code": 4, "detail": "x", "re": 12}),
    ]
    assert {m.type for m in samples} == set(messages.SCHEMAS)
    for message in samples:
        assert messages.decode(messages.encode(message)) == message


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"\xff\x00", ErrorCode.MALFORMED),
        (cbor2.dumps([1, 2]), ErrorCode.MALFORMED),
        (cbor2.dumps({"v": 1, "t": "status"}), ErrorCode.MALFORMED),  # no id
        (raw(t="status", v=2), ErrorCode.UNSUPPORTED_VERSION),  # a future version
        (cbor2.dumps({"v": 2, "t": "status", "id": -1}), ErrorCode.UNSUPPORTED_VERSION),  # its id is not ours
        (cbor2.dumps({"v": 2}), ErrorCode.UNSUPPORTED_VERSION),
        (cbor2.dumps({"v": "1", "t": "status", "id": 1}), ErrorCode.MALFORMED),
        (raw(t="teleport"), ErrorCode.UNKNOWN_TYPE),
        (raw(t="set_mode"), ErrorCode.MISSING_FIELD),
        (raw(t="set_mode", mode="party"), ErrorCode.BAD_FIELD),
        (raw(t="nonce_pool", nonces=[], ttl=-1), ErrorCode.BAD_FIELD),
        (raw(t="status", colour="blue", crit=["colour"]), ErrorCode.UNKNOWN_CRITICAL_FIELD),
        (b"\x40" * 5000, ErrorCode.TOO_LARGE),
    ],
)
def test_bad_messages_get_the_documented_error_code(data: bytes, code: ErrorCode) -> None:
    with pytest.raises(MessageError) as caught:
        messages.decode(data)
    assert caught.value.code is code


def test_unknown_optional_fields_are_ignored_and_errors_name_the_message() -> None:
    assert messages.decode(raw(t="status", colour="blue")) == Message("status", 1)
    with pytest.raises(MessageError) as caught:
        messages.decode(cbor2.dumps({"v": 1, "id": 41, "t": "set_mode"}))
    reply = messages.error_reply(caught.value, 2)
    assert reply.type == "error" and reply["re"] == 41 and reply["code"] == ErrorCode.MISSING_FIELD


@settings(max_examples=FUZZ_EXAMPLES)
@given(st.one_of(st.binary(max_size=300),
                 st.dictionaries(st.sampled_from(["v", "t", "id", "crit", "mode", "nonces", "ttl", "cose", "x"]),
                                 st.one_of(st.integers(-2, 2**33), st.text(max_size=8), st.binary(max_size=8),
                                           st.lists(st.integers(), max_size=3), st.none(), st.booleans()),
                                 max_size=6).map(cbor2.dumps)))
def test_decoder_fuzz_gives_only_message_errors(data: bytes) -> None:
    try:
        messages.decode(data)
    except MessageError:
        pass
