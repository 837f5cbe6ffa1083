"""The reader's sans-IO message endpoint: what it answers and what it asks of the daemon."""

from __future__ import annotations

import math

import pytest

from protocol import messages
from protocol.messages import ErrorCode, Message
from protocol.reader import NONCE_ASK_BACKOFF, DeviceIdentity, HostError, ReaderEndpoint, RejectedByHost

IDENTITY = DeviceIdentity(b"\x01" + bytes(16), "PEM", "ab12", "0.1.0", demo=False)


def host(kind: str, fields: dict[str, object] | None = None, msg_id: int = 1) -> bytes:
    return messages.encode(Message(kind, msg_id, dict(fields or {})))


def sent(payloads: list[bytes]) -> list[Message]:
    return [messages.decode(p) for p in payloads]


def test_only_an_explicit_acceptance_deletes_a_result_and_a_rejected_one_is_not_resent() -> None:
    endpoint = ReaderEndpoint(IDENTITY)
    for cti in (b"a" * 16, b"b" * 16, b"c" * 16):
        endpoint.result(cti, b"cose-" + cti)
    accepted = endpoint.receive(host(messages.RESULT_ACK, {"cti": b"a" * 16, "accepted": True}), 0.0)
    refused = endpoint.receive(host(messages.RESULT_ACK, {"cti": b"b" * 16, "accepted": False,
                                                          "reason": "expired-nonce"}), 0.0)
    silent = endpoint.receive(host(messages.RESULT_ACK, {"cti": b"c" * 16}), 0.0)
    assert (accepted.acknowledged, accepted.rejected) == ([b"a" * 16], [])
    assert (refused.acknowledged, refused.rejected) == ([], [RejectedByHost(b"b" * 16, "expired-nonce")])
    assert (silent.acknowledged, silent.rejected) == ([], [RejectedByHost(b"c" * 16, "")])
    assert endpoint.unacknowledged() == []  # none of them goes again after a reconnect
    again = endpoint.receive(host(messages.RESULT_ACK, {"cti": b"b" * 16, "accepted": True}), 0.0)
    assert (again.acknowledged, again.rejected) == ([], [])  # a late ack cannot delete what was set aside


def test_an_idle_pool_that_expires_asks_for_nonces_once_then_after_the_back_off() -> None:
    endpoint = ReaderEndpoint(IDENTITY)
    endpoint.receive(host(messages.NONCE_POOL, {"nonces": [bytes([n]) * 16 for n in range(4)], "ttl": 60}), 0.0)
    assert endpoint.poll(59.0).send == []  # four unexpired nonces: nothing to ask
    asked = sent(endpoint.poll(60.0).send)  # the TTL passed with no take
    assert [(m.type, m["available"]) for m in asked] == [(messages.NEED_NONCES, 0)]
    assert endpoint.poll(61.0).send == [] and endpoint.poll(60.0 + NONCE_ASK_BACKOFF - 1).send == []
    assert [m.type for m in sent(endpoint.poll(60.0 + NONCE_ASK_BACKOFF).send)] == [messages.NEED_NONCES]
    endpoint.receive(host(messages.NONCE_POOL, {"nonces": [b"n" * 16], "ttl": 60}), 100.0)
    # New nonces arrived (still too few): the next check asks again at once.
    assert [m["available"] for m in sent(endpoint.poll(101.0).send)] == [1]


@pytest.mark.parametrize("unix", [math.nan, math.inf, -math.inf, -1, 0, 1_795_000_000_000, 4102444800, 1e300])
def test_set_time_refuses_implausible_values_and_keeps_the_old_time(unix: float) -> None:
    endpoint = ReaderEndpoint(IDENTITY)
    assert endpoint.receive(host(messages.SET_TIME, {"unix": 1_795_000_000}), 10.0).send == []
    replies = sent(endpoint.receive(host(messages.SET_TIME, {"unix": unix}, msg_id=9), 20.0).send)
    assert [(m.type, m["code"], m["re"]) for m in replies] == [(messages.ERROR, ErrorCode.BAD_FIELD, 9)]
    assert endpoint.wall_time(30.0) == 1_795_000_020


def test_set_time_before_any_valid_one_leaves_the_clock_unset() -> None:
    endpoint = ReaderEndpoint(IDENTITY)
    endpoint.receive(host(messages.SET_TIME, {"unix": math.nan}), 0.0)
    assert endpoint.wall_time(1.0) is None


def test_a_host_error_is_reported_not_answered() -> None:
    endpoint = ReaderEndpoint(IDENTITY)
    out = endpoint.receive(host(messages.ERROR, {"code": 1, "detail": "not CBOR", "re": 5}), 0.0)
    assert out.send == [] and out.host_errors == [HostError(1, "not CBOR", 5)]
