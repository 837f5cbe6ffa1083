from __future__ import annotations

from dataclasses import replace

import cbor2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from protocol import results
from protocol.results import Method, ResultClaims, ResultError

from result_builders import claims, device_key, sign_raw


@pytest.mark.parametrize("method", list(Method))
def test_results_round_trip_through_cose_sign1(method: Method) -> None:
    key = device_key()
    original = claims(method, b"n" * 16)
    cose = results.sign_result(original, key)
    tag = cbor2.loads(cose)
    assert tag.tag == 18 and len(tag.value) == 4
    protected = cbor2.loads(tag.value[0])
    assert protected == {1: -7, 4: results.fingerprint_bytes(key.public_key())}
    back = results.verify_result(cose, key.public_key())
    assert back == original
    assert back.assurance is results.ASSURANCE_OF[method]


def test_registered_and_private_claim_labels() -> None:
    payload = cbor2.loads(cbor2.loads(results.sign_result(claims(Method.PIN, b"x" * 16), device_key())).value[2])
    assert payload[1] == "mynareader:01" + bytes(range(16)).hex()  # iss
    assert payload[256][0] == 0x01 and len(payload[256]) == 17  # ueid, RAND type
    assert payload[10] == b"x" * 16 and isinstance(payload[7], bytes) and isinstance(payload[6], int)
    assert payload[263] == results.DBGSTAT_DISABLED and payload[271] == ["0.1.0"]
    assert all(label < -65536 for label in payload if label < 0)


def test_demo_results_say_so_in_dbgstat() -> None:
    payload = cbor2.loads(cbor2.loads(results.sign_result(claims(Method.PIN, b"x" * 16, demo=True),
                                                          device_key())).value[2])
    assert payload[263] == results.DBGSTAT_ENABLED


def test_clock_unset_results_carry_the_counter_and_no_iat() -> None:
    key = device_key()
    cose = results.sign_result(claims(Method.PIN, b"x" * 16, issued_at=None, counter=99), key)
    payload = cbor2.loads(cbor2.loads(cose).value[2])
    assert 6 not in payload and payload[results.CLOCK] == {"set": False, "counter": 99}
    assert results.verify_result(cose, key.public_key()).issued_at is None


def test_fingerprint_is_grouped_sha256_of_the_spki() -> None:
    text = results.fingerprint(device_key().public_key())
    groups = text.split(" ")
    assert len(groups) == 16 and all(len(g) == 4 for g in groups) and text == text.lower()


def test_the_pin_message_is_domain_separated() -> None:
    nonce = b"\x00" * 16
    assert results.pin_signed_message(nonce).startswith(b"mynareader/1 ")
    assert results.pin_signed_message(nonce) != nonce
    assert results.card_presence_message(nonce) != results.pin_signed_message(nonce)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda p: p.pop(results.METHOD),
        lambda p: p.__setitem__(results.METHOD, "telepathy"),
        lambda p: p.__setitem__(results.ASSURANCE, "card-signed"),  # on a face result
        lambda p: p.__setitem__(results.UEID, b"\x02" + bytes(16)),
        lambda p: p.__setitem__(results.PROTOCOL, 2),
        lambda p: p.__setitem__(results.CLOCK, {"set": True, "counter": 1}) or p.pop(6),
        lambda p: p.pop(results.FACE),
        lambda p: p.__setitem__(results.CONSENTS, {"medical": "yes"}),
    ],
)
def test_malformed_claim_sets_are_typed_errors(mutate) -> None:
    payload = claims(Method.FACE, b"n" * 16).to_cbor()
    mutate(payload)
    with pytest.raises(ResultError):
        ResultClaims.from_cbor(payload)


@settings(max_examples=500)
@given(st.binary(max_size=200))
def test_any_bytes_open_as_a_typed_error(data: bytes) -> None:
    with pytest.raises(ResultError):
        results.open_result(data)


SIZE_ERRORS = [
    {"cti": b""}, {"cti": bytes(15)}, {"cti": bytes(17)},
    {"nonce": b""}, {"nonce": bytes(15)}, {"nonce": bytes(65)},
    {"config_hash": b""}, {"config_hash": bytes(31)}, {"config_hash": bytes(33)},
]


@pytest.mark.parametrize("changes", SIZE_ERRORS)
def test_claims_of_the_wrong_size_are_refused_when_signing(changes) -> None:
    with pytest.raises(ResultError):
        results.sign_result(replace(claims(Method.VISUAL, b"n" * 16), **changes), device_key())


@pytest.mark.parametrize("changes", SIZE_ERRORS)
def test_claims_of_the_wrong_size_are_malformed_when_verifying(changes) -> None:
    key = device_key()
    cose = sign_raw(replace(claims(Method.VISUAL, b"n" * 16), **changes).to_cbor(), key)
    with pytest.raises(ResultError):
        results.verify_result(cose, key.public_key())


def test_the_size_limits_themselves_are_accepted() -> None:
    key = device_key()
    for nonce in (bytes(16), bytes(64)):
        signed = results.sign_result(claims(Method.VISUAL, nonce), key)
        assert results.verify_result(signed, key.public_key()).nonce == nonce
