"""The host's checks, each with the typed rejection an integrator can act on."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import replace

import cbor2
import pytest

from drivers.card.emulated import pki
from protocol import results
from protocol.host import verify as v
from protocol.host.store import HostStore, StoreError
from protocol.results import Assurance, Method

from result_builders import CA, HOLDER, card_sign, claims, device_key, sign_raw

NOW = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.timezone.utc).timestamp()


@pytest.fixture
def setup(tmp_path):
    key = device_key()
    store = HostStore(tmp_path / "host.sqlite")
    verifier = v.ResultVerifier(key.public_key(), store, [CA.certificate], clock=lambda: NOW)
    yield key, store, verifier, tmp_path
    store.close()


def issue(store: HostStore, ttl: float = 600) -> bytes:
    return store.issue(1, ttl, NOW)[0]


@pytest.mark.parametrize(("method", "assurance"), [
    (Method.PIN, Assurance.CARD_SIGNED), (Method.SMARTPHONE_ANDROID, Assurance.CARD_SIGNED),
    (Method.FACE, Assurance.DEVICE_ATTESTED), (Method.VISUAL, Assurance.STAFF_ATTESTED)])
def test_good_results_are_accepted_with_their_assurance(setup, method, assurance) -> None:
    key, store, verifier, _ = setup
    verified = verifier.verify(results.sign_result(claims(method, issue(store)), key))
    assert verified.assurance is assurance
    report = verified.as_json()
    assert report["assurance"] == assurance.value and report["certificate_serial_hex"] == format(
        HOLDER.auth_certificate.serial_number, "x")


def test_tampered_result(setup) -> None:
    key, store, verifier, _ = setup
    cose = bytearray(results.sign_result(claims(Method.PIN, issue(store)), key))
    tag = cbor2.loads(bytes(cose))
    payload = cbor2.loads(tag.value[2])
    payload[results.CONSENTS]["medical"] = False  # flip a consent
    tag.value[2] = cbor2.dumps(payload)
    with pytest.raises(v.TamperedResult):
        verifier.verify(cbor2.dumps(tag))


def test_another_devices_key(setup) -> None:
    _, store, verifier, _ = setup
    with pytest.raises(v.UntrustedDevice):
        verifier.verify(results.sign_result(claims(Method.PIN, issue(store)), device_key()))


def test_replay_is_rejected_also_after_a_host_restart(setup) -> None:
    key, store, verifier, tmp_path = setup
    cose = results.sign_result(claims(Method.PIN, issue(store)), key)
    verifier.verify(cose)
    with pytest.raises(v.ReplayedResult):
        verifier.verify(cose)
    store.close()
    restarted = v.ResultVerifier(key.public_key(), HostStore(tmp_path / "host.sqlite"), [CA.certificate],
                                 clock=lambda: NOW)
    with pytest.raises(v.ReplayedResult):
        restarted.verify(cose)
    # A new result id on the used nonce is a reused nonce, after the restart too.
    nonce = results.verify_result(cose, key.public_key()).nonce
    with pytest.raises(v.ReusedNonce):
        restarted.verify(results.sign_result(claims(Method.PIN, nonce), key))
    restarted.store.close()


def test_unissued_and_expired_nonces(setup) -> None:
    key, store, verifier, _ = setup
    with pytest.raises(v.UnknownNonce):
        verifier.verify(results.sign_result(claims(Method.PIN, b"\x07" * 16), key))
    stale = store.issue(1, 60, NOW - 3600)[0]
    with pytest.raises(v.ExpiredNonce):
        verifier.verify(results.sign_result(claims(Method.PIN, stale), key))


def test_demo_results_need_allow_demo(setup) -> None:
    key, store, verifier, _ = setup
    cose = results.sign_result(claims(Method.PIN, issue(store), demo=True), key)
    with pytest.raises(v.DemoResult):
        verifier.verify(cose)
    lenient = v.ResultVerifier(key.public_key(), store, [CA.certificate], allow_demo=True, clock=lambda: NOW)
    assert lenient.verify(cose).claims.demo


def test_pin_signature_that_does_not_match_the_certificate(setup) -> None:
    key, store, verifier, _ = setup
    nonce = issue(store)
    other = pki.issue_auth_certificate(CA, dt.date(1990, 5, 1), dt.date(2025, 6, 1))
    forged = claims(Method.PIN, nonce, card_proofs={"signature": card_sign(other.auth_key,
                                                                           results.pin_signed_message(nonce))})
    with pytest.raises(v.BadCardSignature):
        verifier.verify(results.sign_result(forged, key))
    bare = claims(Method.PIN, nonce, card_proofs={"signature": card_sign(HOLDER.auth_key, nonce)})  # no prefix
    with pytest.raises(v.BadCardSignature):
        verifier.verify(results.sign_result(bare, key))


def test_certificate_outside_the_configured_cas(setup) -> None:
    key, store, _, _ = setup
    foreign_ca = pki.make_test_ca()
    verifier = v.ResultVerifier(key.public_key(), store, [foreign_ca.certificate], clock=lambda: NOW)
    with pytest.raises(v.UntrustedCertificate):
        verifier.verify(results.sign_result(claims(Method.PIN, issue(store)), key))
    nothing_trusted = v.ResultVerifier(key.public_key(), store, [], clock=lambda: NOW)
    with pytest.raises(v.UntrustedCertificate):
        nothing_trusted.verify(results.sign_result(claims(Method.PIN, issue(store)), key))


def test_face_presence_signature_must_match_the_nonce(setup) -> None:
    key, store, verifier, _ = setup
    good = claims(Method.FACE, issue(store))
    moved = replace(good, nonce=issue(store))  # proofs made for another nonce
    with pytest.raises(v.BadCardSignature):
        verifier.verify(results.sign_result(moved, key))


def test_a_rejected_result_records_nothing(setup) -> None:
    key, store, verifier, _ = setup
    nonce = issue(store)
    with pytest.raises(v.DemoResult):
        verifier.verify(results.sign_result(claims(Method.PIN, nonce, demo=True), key))
    assert verifier.verify(results.sign_result(claims(Method.PIN, nonce), key)).claims.nonce == nonce


def test_garbage_is_malformed(setup) -> None:
    _, _, verifier, _ = setup
    for data in (b"", b"\xd2\x80", cbor2.dumps(cbor2.CBORTag(18, [b"", {}, b"", b""])), b"\x00" * 40):
        with pytest.raises(v.MalformedResult):
            verifier.verify(data)



def test_a_correctly_signed_raw_result_verifies(setup) -> None:
    """The raw builder the malformed-result tests use makes results the verifier accepts when nothing is wrong."""
    key, store, verifier, _ = setup
    assert verifier.verify(sign_raw(claims(Method.PIN, issue(store)).to_cbor(), key)).claims.method is Method.PIN


@pytest.mark.parametrize("iat", [2**63, 2**64 - 1, 1_795_000_000_000, 10**30, 0, 1_000_000_000])
def test_an_impossible_iat_is_malformed_not_a_crash(setup, iat: int) -> None:
    key, store, verifier, _ = setup
    payload = claims(Method.PIN, issue(store)).to_cbor()
    payload[results.IAT] = iat
    with pytest.raises(v.MalformedResult, match="iat"):
        verifier.verify(sign_raw(payload, key))



@pytest.mark.parametrize(("crit", "unprotected"), [
    ([99], None), ([], None), (None, {4: b"kid"}), (None, {33: b"x5chain"}), (None, [1, 2]), (None, b"\xa0")])
def test_header_extensions_and_non_map_headers_are_malformed(setup, crit, unprotected) -> None:
    key, store, verifier, _ = setup
    protected = {results.COSE_HEADER_ALG: results.COSE_ALG_ES256,
                 results.COSE_HEADER_KID: results.fingerprint_bytes(key.public_key())}
    if crit is not None:
        protected[results.COSE_HEADER_CRIT] = crit
    cose = sign_raw(claims(Method.PIN, issue(store)).to_cbor(), key, protected=protected, unprotected=unprotected)
    with pytest.raises(v.MalformedResult, match="header"):
        verifier.verify(cose)


def test_a_full_store_raises_the_real_error_typed_and_records_nothing(tmp_path) -> None:
    store = HostStore(tmp_path / "host.sqlite")
    try:
        pages = store._db.execute("PRAGMA page_count").fetchone()[0]
        store._db.execute(f"PRAGMA max_page_count = {pages}")  # a full disk, as SQLite sees it
        with pytest.raises(StoreError) as raised:
            store.issue(5000, 600, NOW)
        assert isinstance(raised.value.__cause__, sqlite3.OperationalError)
        assert "full" in str(raised.value) and "no transaction" not in str(raised.value)
        assert store.outstanding(NOW) == 0
    finally:
        store.close()


def test_a_corrupt_store_is_a_store_error(tmp_path) -> None:
    (tmp_path / "host.sqlite").write_bytes(b"this is not a database, just some text" * 100)
    with pytest.raises(StoreError, match="not a database"):
        HostStore(tmp_path / "host.sqlite")
