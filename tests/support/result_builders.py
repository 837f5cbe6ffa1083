"""Builders shared by the protocol tests: real keys, a JPKI-shaped test certificate, real card-style signatures."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace
from typing import Any

import cbor2

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from drivers.card.emulated import pki
from protocol import results
from protocol.results import Consents, FaceEvidence, Method, ResultClaims

CA = pki.test_ca()
HOLDER = pki.issue_auth_certificate(CA, dt.date(1980, 2, 17), dt.date(2025, 3, 10))
CARD_FACE_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
# Each result gets a new cti (the host refuses one it has seen): numbered, so that a test's bytes follow from its steps.
_CTIS = itertools.count(1)


def device_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def card_sign(key: rsa.RSAPrivateKey, message: bytes) -> bytes:
    return key.sign(message, padding.PKCS1v15(), hashes.SHA256())


def claims(method: Method, nonce: bytes, demo: bool = False, **changes: object) -> ResultClaims:
    proofs = results.CardProofs()
    face = None
    staff = None
    if method in (Method.PIN, Method.SMARTPHONE_ANDROID, Method.SMARTPHONE_IPHONE):
        proofs = results.CardProofs(signature=card_sign(HOLDER.auth_key, results.pin_signed_message(nonce)))
    elif method is Method.FACE:
        proofs = results.CardProofs(
            card_key=CARD_FACE_KEY.public_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo),
            presence_signature=card_sign(CARD_FACE_KEY, results.card_presence_message(nonce)),
            issuer_signature="verified",
        )
        face = FaceEvidence(score=0.82, threshold=0.71, liveness="not-checked", frames=3)
    elif method is Method.VISUAL:
        staff = "staff-0042"
    base = ResultClaims(
        device=b"\x01" + bytes(range(16)),
        cti=next(_CTIS).to_bytes(16, "big"),
        nonce=nonce,
        swversion="0.1.0",
        demo=demo,
        config_hash=bytes(32),
        method=method,
        auth_certificate=HOLDER.auth_certificate_der,
        counter=7,
        issued_at=int(dt.datetime(2026, 11, 27, 1, 0, tzinfo=dt.timezone.utc).timestamp()),
        consents=Consents(medical=True, checkup=False, limit=True, prescription="electronic"),
        consent_wording_version="ja-2024.12-r1",
        language="ja",
        card_proofs=proofs.to_cbor(),
        face=face,
        staff_id=staff,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def with_unknown_key_algorithm(certificate_der: bytes, ca: pki.TestCa = CA) -> bytes:
    """The certificate with its key's algorithm OID changed from rsaEncryption to an unknown one (…1.1.99) and
    signed again by ``ca``: it chains, but cryptography cannot load its key (UnsupportedAlgorithm)."""
    assert certificate_der[:2] == b"\x30\x82" and certificate_der[4:6] == b"\x30\x82"
    end = 8 + int.from_bytes(certificate_der[6:8], "big")
    rsa_encryption = bytes.fromhex("06092a864886f70d0101010500")
    tbs = certificate_der[4:end].replace(rsa_encryption, rsa_encryption[:-3] + b"\x63\x05\x00")
    assert len(tbs) == end - 4 and certificate_der[-261:-256] == bytes.fromhex("0382010100")
    return certificate_der[:4] + tbs + certificate_der[end:-256] + card_sign(ca.key, tbs)


def sign_raw(payload: dict[Any, Any], key: ec.EllipticCurvePrivateKey, protected: dict[Any, Any] | None = None,
             unprotected: object = None) -> bytes:
    """A validly signed COSE_Sign1 around any claim set and headers, bypassing the signing side's own checks: how a
    faulty or hostile signer would build one (the verifier must still refuse it with a typed error)."""
    header = {results.COSE_HEADER_ALG: results.COSE_ALG_ES256,
              results.COSE_HEADER_KID: results.fingerprint_bytes(key.public_key())}
    protected_bytes = cbor2.dumps(header if protected is None else protected)
    payload_bytes = cbor2.dumps(payload)
    to_sign = cbor2.dumps(["Signature1", protected_bytes, b"", payload_bytes])
    r, s = decode_dss_signature(key.sign(to_sign, ec.ECDSA(hashes.SHA256())))
    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    body = [protected_bytes, {} if unprotected is None else unprotected, payload_bytes, signature]
    return cbor2.dumps(cbor2.CBORTag(18, body))
