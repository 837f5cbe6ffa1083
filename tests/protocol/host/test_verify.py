"""The host's checks, each with the typed rejection an integrator can act on."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import replace

import cbor2
from cryptography.hazmat.primitives import serialization
import pytest

from drivers.card.emulated import pki
from protocol import results
from protocol.host import verify as v
from protocol.host.policy import DeviceAttested, HostPolicy, fingerprint_hex
from protocol.host.store import HostStore, StoreError
from protocol.results import Assurance, FaceEvidence, Method

from result_builders import (
    CA,
    CARD_FACE_KEY,
    HOLDER,
    card_sign,
    claims,
    device_key,
    sign_raw,
    with_unknown_key_algorithm,
)

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


FACE_OK = HostPolicy(DeviceAttested.ACCEPT, allow_unchecked_liveness=True)


@pytest.mark.parametrize(("method", "assurance"), [
    (Method.PIN, Assurance.CARD_SIGNED), (Method.SMARTPHONE_ANDROID, Assurance.CARD_SIGNED),
    (Method.FACE, Assurance.DEVICE_ATTESTED), (Method.VISUAL, Assurance.STAFF_ATTESTED)])
def test_good_results_are_accepted_with_their_assurance(setup, method, assurance) -> None:
    key, store, verifier, _ = setup
    verifier.policy = FACE_OK
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
    lenient = v.ResultVerifier(key.public_key(), store, [CA.certificate], HostPolicy(allow_demo=True),
                               clock=lambda: NOW)
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


# -- issue 15, point 1: every method's certificate, the issuer signature, the host's policy ---------------------------

EXPIRED = pki.issue_auth_certificate(CA, dt.date(1970, 1, 1), dt.date(2019, 6, 1))  # ended on 2024-01-01
FOREIGN = pki.issue_auth_certificate(pki.make_test_ca(), dt.date(1980, 2, 17), dt.date(2025, 3, 10))
DEVELOPMENT = HostPolicy.development()


@pytest.mark.parametrize("method", [Method.PIN, Method.FACE, Method.VISUAL])
@pytest.mark.parametrize("certificate", [EXPIRED, FOREIGN], ids=["expired", "untrusted-ca"])
def test_every_method_needs_a_certificate_from_the_ca_valid_at_the_results_time(setup, method, certificate) -> None:
    """Face and visual results were accepted with any certificate; the hospital keys the patient on it."""
    key, store, verifier, _ = setup
    verifier.policy = DEVELOPMENT  # the certificate alone must refuse it
    result = claims(method, issue(store), auth_certificate=certificate.auth_certificate_der)
    with pytest.raises(v.UntrustedCertificate):
        verifier.verify(results.sign_result(result, key))


@pytest.mark.parametrize("method", [Method.FACE, Method.VISUAL])
@pytest.mark.parametrize("certificate", [b"", b"\x30\x03\x02\x01\x01"], ids=["none", "not-x509"])
def test_a_face_or_visual_result_without_a_certificate_is_malformed(setup, method, certificate) -> None:
    key, store, verifier, _ = setup
    verifier.policy = DEVELOPMENT
    payload = claims(method, issue(store)).to_cbor()
    payload[results.AUTH_CERTIFICATE] = certificate
    with pytest.raises(v.MalformedResult):
        verifier.verify(sign_raw(payload, key))


def test_a_failed_issuer_signature_is_refused_whatever_the_policy(setup) -> None:
    key, store, verifier, _ = setup
    verifier.policy = DEVELOPMENT
    result = claims(Method.FACE, issue(store))
    forged = replace(result, card_proofs={**result.card_proofs, "issuer_signature": "failed"})
    with pytest.raises(v.BadIssuerSignature):
        verifier.verify(results.sign_result(forged, key))


def live_face(store: HostStore) -> results.ResultClaims:
    return claims(Method.FACE, issue(store), face=FaceEvidence(0.82, 0.71, "live", 3))


def test_device_attested_results_follow_the_hosts_policy_refused_by_default(setup) -> None:
    key, store, verifier, _ = setup
    assert verifier.policy == HostPolicy() and HostPolicy().device_attested is DeviceAttested.REFUSE
    with pytest.raises(v.DeviceAttestedRefused):
        verifier.verify(results.sign_result(live_face(store), key))
    verifier.policy = HostPolicy(DeviceAttested.LISTED, frozenset({fingerprint_hex(device_key().public_key())}))
    with pytest.raises(v.DeviceAttestedRefused, match="not listed"):
        verifier.verify(results.sign_result(live_face(store), key))
    listed = results.fingerprint(key.public_key()).upper()  # as people copy it: groups of four, any case
    verifier.policy = HostPolicy(DeviceAttested.LISTED, frozenset({listed}))
    assert verifier.verify(results.sign_result(live_face(store), key)).allowed_by == ("device-attested",)
    verifier.policy = HostPolicy(DeviceAttested.ACCEPT)
    assert verifier.verify(results.sign_result(live_face(store), key)).allowed_by == ("device-attested",)


def test_a_face_result_without_liveness_check_is_refused_on_production_and_says_so_when_allowed(setup) -> None:
    key, store, verifier, _ = setup
    verifier.policy = HostPolicy(DeviceAttested.ACCEPT)
    unchecked = claims(Method.FACE, issue(store))
    assert unchecked.face is not None and unchecked.face.liveness == "not-checked"
    with pytest.raises(v.LivenessNotChecked):
        verifier.verify(results.sign_result(unchecked, key))
    verifier.policy = HostPolicy(DeviceAttested.ACCEPT, allow_unchecked_liveness=True)
    report = verifier.verify(results.sign_result(unchecked, key)).as_json()
    assert report["proof"]["allowed_by_setting"] == ["device-attested", "liveness-not-checked"]
    assert report["proof"]["liveness"] == "not-checked" and "no liveness check ran" in report["proof"]["statement"]


@pytest.mark.parametrize(("method", "by", "words"), [
    (Method.PIN, "card", "Card-signed: the card's"),
    (Method.SMARTPHONE_IPHONE, "card", "Card-signed: the card's"),
    (Method.FACE, "device", "the card did not sign with its key"),
    (Method.VISUAL, "staff", "staff member 'staff-0042'"),
])
def test_the_result_says_what_was_proven_by_whom(setup, method, by, words) -> None:
    key, store, verifier, _ = setup
    verifier.policy = FACE_OK
    verified = verifier.verify(results.sign_result(claims(method, issue(store)), key))
    proof = verified.as_json()["proof"]
    assert proof["by"] == by and words in proof["statement"]
    assert proof["device"] == fingerprint_hex(key.public_key())
    assert proof["certificate_ca"] == CA.certificate.subject.rfc4514_string()
    assert proof["certificate_checked_at"] == "2026-11-27T01:00:00Z"  # the result's iat


# -- issue 15, point 5: malformed claims inside a validly signed result ------------------------------------------------

def _bad_version(der: bytes) -> bytes:
    assert der[8:12] == bytes.fromhex("a0030201")  # the version INTEGER (v3 = 2) is the 13th byte
    return der[:12] + b"\x05" + der[13:]


def _unknown_card_key() -> bytes:
    spki = CARD_FACE_KEY.public_key().public_bytes(serialization.Encoding.DER,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo)
    return spki.replace(bytes.fromhex("2a864886f70d010101"), bytes.fromhex("2a864886f70d010163"))


def _set(path: tuple[int | str, ...], value: object):
    def change(payload: dict) -> None:
        target = payload
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
    return change


@pytest.mark.parametrize(("method", "change"), [
    (Method.PIN, _set((results.AUTH_CERTIFICATE,), _bad_version(HOLDER.auth_certificate_der))),  # InvalidVersion
    (Method.VISUAL, _set((results.AUTH_CERTIFICATE,), _bad_version(HOLDER.auth_certificate_der))),
    (Method.PIN, _set((results.AUTH_CERTIFICATE,), with_unknown_key_algorithm(HOLDER.auth_certificate_der))),
    (Method.FACE, _set((results.CARD_PROOFS, "card_key"), _unknown_card_key())),  # UnsupportedAlgorithm
    (Method.FACE, _set((results.FACE, "score"), 10**400)),  # OverflowError from float()
    (Method.FACE, _set((results.FACE, "threshold"), -(10**400))),
], ids=["bad-version", "bad-version-visual", "unknown-key-algorithm", "unknown-card-key", "huge-score",
        "huge-threshold"])
def test_malformed_claims_are_typed_rejections_not_crashes(setup, method, change) -> None:
    key, store, verifier, _ = setup
    verifier.policy = DEVELOPMENT
    payload = claims(method, issue(store)).to_cbor()
    change(payload)
    with pytest.raises(v.MalformedResult):
        verifier.verify(sign_raw(payload, key))


def test_the_cli_verify_gives_a_typed_rejection_for_a_malformed_claim(setup) -> None:
    import json
    import subprocess
    import sys

    key, store, _, tmp_path = setup
    payload = claims(Method.PIN, issue(store)).to_cbor()
    payload[results.AUTH_CERTIFICATE] = _bad_version(HOLDER.auth_certificate_der)
    (tmp_path / "result.cose").write_bytes(sign_raw(payload, key))
    (tmp_path / "device.pem").write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    (tmp_path / "ca.pem").write_bytes(CA.certificate_pem)
    done = subprocess.run([sys.executable, "-m", "protocol.host.cli", "verify", "--trust", str(tmp_path / "device.pem"),
                           "--ca", str(tmp_path / "ca.pem"), str(tmp_path / "result.cose")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert json.loads(done.stdout)["reason"] == "malformed"


# -- issue 15, point 6: claims outside their documented ranges, and inconsistent ones ----------------------------------

OUT_OF_RANGE = {
    "counter-negative": (Method.PIN, (results.CLOCK, "counter"), -1),
    "counter-zero": (Method.PIN, (results.CLOCK, "counter"), 0),
    "counter-beyond-int64": (Method.PIN, (results.CLOCK, "counter"), 2**63),
    "score-below-threshold": (Method.FACE, (results.FACE, "score"), 0.5),  # threshold 0.71: no match
    "score-nan": (Method.FACE, (results.FACE, "score"), float("nan")),
    "score-above-1": (Method.FACE, (results.FACE, "score"), 1.5),
    "threshold-zero": (Method.FACE, (results.FACE, "threshold"), 0.0),
    "threshold-infinite": (Method.FACE, (results.FACE, "threshold"), float("inf")),
    "frames-negative": (Method.FACE, (results.FACE, "frames"), -5),
    "frames-zero": (Method.FACE, (results.FACE, "frames"), 0),
    "liveness-spoof-suspected": (Method.FACE, (results.FACE, "liveness"), "spoof-suspected"),
    "liveness-unknown": (Method.FACE, (results.FACE, "liveness"), "probably"),
    "issuer-signature-unknown": (Method.FACE, (results.CARD_PROOFS, "issuer_signature"), "skipped"),
    "face-evidence-on-a-pin-result": (Method.PIN, (results.FACE,),
                                      {"score": 0.9, "threshold": 0.7, "liveness": "live", "frames": 1}),
    "staff-on-a-pin-result": (Method.PIN, (results.STAFF_ID,), "staff-1"),
    "staff-empty": (Method.VISUAL, (results.STAFF_ID,), ""),
    "staff-too-long": (Method.VISUAL, (results.STAFF_ID,), "s" * 65),
    "language-unknown": (Method.PIN, (results.CONSENT_WORDING, "language"), "fr"),
    "prescription-unknown": (Method.PIN, (results.CONSENTS, "prescription"), "fax"),
    "swversion-empty": (Method.PIN, (results.SWVERSION,), [""]),
    "swname-other": (Method.PIN, (results.SWNAME,), "other"),
    "card-signature-missing": (Method.PIN, (results.CARD_PROOFS,), {}),
    "card-signature-too-long": (Method.PIN, (results.CARD_PROOFS, "signature"), b"\x00" * 513),
}


@pytest.mark.parametrize(("method", "path", "value"), OUT_OF_RANGE.values(), ids=OUT_OF_RANGE.keys())
def test_claims_outside_their_documented_ranges_are_malformed(setup, method, path, value) -> None:
    key, store, verifier, _ = setup
    verifier.policy = DEVELOPMENT
    payload = claims(method, issue(store)).to_cbor()
    _set(path, value)(payload)
    with pytest.raises(v.MalformedResult):
        verifier.verify(sign_raw(payload, key))
