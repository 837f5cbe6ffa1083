"""The reader's sans-IO message endpoint: what it answers and what it asks of the daemon."""

from __future__ import annotations

import math

import cbor2
import pytest

from protocol import messages
from protocol.messages import ErrorCode, Message
from protocol.reader import NONCE_ASK_BACKOFF, DeviceIdentity, HostError, ReaderEndpoint, RejectedByHost

IDENTITY = DeviceIdentity(b"\x01" + bytes(16), "PEM", "ab12", "0.1.0", demo=False)


def host(kind: str, fields: dict[str, object] | None = None, msg_id: int = 1) -> bytes:
    """A host message as the wire carries it, unchecked: a hostile host sends what our encoder would refuse."""
    return cbor2.dumps({"v": messages.VERSION, "t": kind, "id": msg_id, **(fields or {})})


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


@pytest.mark.parametrize("unix", [2**64, 10**400, -(2**70), 2**1000])
def test_a_bignum_set_time_is_a_typed_error_and_the_rest_of_the_burst_still_counts(unix: int) -> None:
    """Issue 15, point 3: float(10**400) raised OverflowError out of receive(), and the nonce pool that came in the
    same read was lost. Now the number's range is checked at decode: a typed error, and the next message counts."""
    endpoint = ReaderEndpoint(IDENTITY)
    replies = sent(endpoint.receive(host(messages.SET_TIME, {"unix": unix}, msg_id=4), 0.0).send)
    assert [(m.type, m["code"], m["re"]) for m in replies] == [(messages.ERROR, ErrorCode.BAD_FIELD, 4)]
    endpoint.receive(host(messages.NONCE_POOL, {"nonces": [b"n" * 16], "ttl": 60}, msg_id=5), 0.0)
    assert endpoint.nonces_available(1.0) == 1 and endpoint.wall_time(1.0) is None


@pytest.mark.parametrize(("kind", "fields"), [
    (messages.NONCE_POOL, {"nonces": [b"n" * 16], "ttl": 2**64}),
    (messages.NONCE_POOL, {"nonces": [b"n" * 16], "ttl": 0}),
    (messages.NONCE_POOL, {"nonces": [b"n" * 16], "ttl": 86401}),
    (messages.NONCE_POOL, {"nonces": [b"n" * 15], "ttl": 60}),
    (messages.NONCE_POOL, {"nonces": [7], "ttl": 60}),
    (messages.NONCE_POOL, {"nonces": [b"n" * 16] * 65, "ttl": 60}),
    (messages.HELLO, {"versions": [2**32]}),
    (messages.HELLO, {"versions": [-1]}),
])
def test_every_number_and_length_out_of_its_range_is_a_bad_field(kind: str, fields: dict[str, object]) -> None:
    endpoint = ReaderEndpoint(IDENTITY)
    replies = sent(endpoint.receive(host(kind, fields, msg_id=6), 0.0).send)
    assert [(m.type, m["code"], m["re"]) for m in replies] == [(messages.ERROR, ErrorCode.BAD_FIELD, 6)]
    assert endpoint.nonces_available(0.0) == 0


@pytest.mark.parametrize("fields", [{"code": 2**16}, {"code": 1, "re": 2**32}, {"code": -1}])
def test_an_unreadable_error_from_the_host_is_reported_not_answered(fields: dict[str, object]) -> None:
    out = ReaderEndpoint(IDENTITY).receive(host(messages.ERROR, fields, msg_id=6), 0.0)
    assert out.send == [] and [e.code for e in out.host_errors] == [ErrorCode.BAD_FIELD]


def test_set_time_before_any_valid_one_leaves_the_clock_unset() -> None:
    endpoint = ReaderEndpoint(IDENTITY)
    endpoint.receive(host(messages.SET_TIME, {"unix": math.nan}), 0.0)
    assert endpoint.wall_time(1.0) is None


def test_a_host_error_is_reported_not_answered() -> None:
    endpoint = ReaderEndpoint(IDENTITY)
    out = endpoint.receive(host(messages.ERROR, {"code": 1, "detail": "not CBOR", "re": 5}), 0.0)
    assert out.send == [] and out.host_errors == [HostError(1, "not CBOR", 5)]
