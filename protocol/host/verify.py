"""Verify a reader's result before handing it to the reception system.

Checks, in order: the COSE structure; the signature with the pinned device key (another device's key and a tampered
result are told apart by the key id); demo results unless allowed; the card's proofs (PIN and smartphone: the card's
signature over the domain-separated nonce message against the certificate, and the certificate against the configured
CA certificates; face: the 券面事項確認AP's presence signature over the nonce); and last, atomically in the store, that
the nonce was issued by this host, is unexpired and unused, and that the result id was never seen. A result that fails
any check raises a :class:`ResultRejected` subclass; nothing is recorded for it. Without a store (offline
verification of a saved result) the nonce and replay checks are skipped, and the result says so.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from protocol import results
from protocol.host.store import HostStore, NonceProblem, Rejected
from protocol.results import Assurance, Method, ResultClaims


class ResultRejected(ValueError):
    """A result that must not be handed out; ``reason`` is a stable short code for logs and JSON."""

    reason = "rejected"


class MalformedResult(ResultRejected):
    reason = "malformed"


class UntrustedDevice(ResultRejected):
    reason = "untrusted-device"


class TamperedResult(ResultRejected):
    reason = "bad-signature"


class DemoResult(ResultRejected):
    reason = "demo-result"


class UnknownNonce(ResultRejected):
    reason = "unknown-nonce"


class ExpiredNonce(ResultRejected):
    reason = "expired-nonce"


class ReusedNonce(ResultRejected):
    reason = "reused-nonce"


class ReplayedResult(ResultRejected):
    reason = "replayed-result"


class BadCardSignature(ResultRejected):
    reason = "bad-card-signature"


class UntrustedCertificate(ResultRejected):
    reason = "untrusted-certificate"


_NONCE_ERRORS = {NonceProblem.UNKNOWN: UnknownNonce, NonceProblem.EXPIRED: ExpiredNonce, NonceProblem.USED: ReusedNonce}


@dataclass(frozen=True)
class VerifiedResult:
    claims: ResultClaims
    certificate: x509.Certificate
    nonce_checked: bool = True  # False when verified offline, without the host's nonce and replay records

    @property
    def assurance(self) -> Assurance:
        return self.claims.assurance

    def as_json(self) -> dict[str, Any]:
        c = self.claims
        return {
            "result_id": c.cti.hex(),
            "device": c.device.hex(),
            "method": c.method.value,
            "assurance": c.assurance.value,
            "certificate_serial_hex": format(self.certificate.serial_number, "x"),
            "certificate_not_after": self.certificate.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "issued_at": None if c.issued_at is None else dt.datetime.fromtimestamp(c.issued_at, dt.timezone.utc)
            .strftime("%Y-%m-%dT%H:%M:%SZ"),
            "clock_set": c.issued_at is not None,
            "counter": c.counter,
            "consents": c.consents.to_cbor(),
            "consent_wording": {"version": c.consent_wording_version, "language": c.language},
            "face": None if c.face is None else c.face.to_cbor(),
            "staff_id": c.staff_id,
            "demo": c.demo,
            "firmware": c.swversion,
            "nonce_checked": self.nonce_checked,
        }


class ResultVerifier:
    def __init__(
        self,
        device_key: ec.EllipticCurvePublicKey,
        store: HostStore | None,
        ca_certificates: Sequence[x509.Certificate] = (),
        allow_demo: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.device_key = device_key
        self.store = store
        self.ca_certificates = list(ca_certificates)
        self.allow_demo = allow_demo
        self.clock = clock

    def verify(self, cose: bytes) -> VerifiedResult:
        try:
            claims = results.verify_result(cose, self.device_key)
        except results.UnknownKey:
            raise UntrustedDevice("signed by a device key that is not the pinned one") from None
        except results.BadSignature as exc:
            raise TamperedResult(str(exc)) from None
        except results.ResultError as exc:
            raise MalformedResult(str(exc)) from None
        if claims.demo and not self.allow_demo:
            raise DemoResult("a demo result (emulated hardware, demo key); pass allow_demo to accept it")
        try:
            certificate = x509.load_der_x509_certificate(claims.auth_certificate)
        except ValueError:
            raise MalformedResult("the auth certificate claim is not X.509") from None
        self._check_card_proofs(claims, certificate)
        if self.store is None:
            return VerifiedResult(claims, certificate, nonce_checked=False)
        try:
            self.store.consume(claims.nonce, claims.cti, self.clock())
        except Rejected as rejected:
            if rejected.replayed:
                raise ReplayedResult("this result id was already accepted") from None
            assert rejected.nonce_problem is not None
            raise _NONCE_ERRORS[rejected.nonce_problem](f"nonce {rejected.nonce_problem.value}") from None
        return VerifiedResult(claims, certificate)

    # -- the card's proofs ---------------------------------------------------------------------------------------

    def _check_card_proofs(self, claims: ResultClaims, certificate: x509.Certificate) -> None:
        proofs = claims.card_proofs
        if claims.assurance is Assurance.CARD_SIGNED:
            signature = proofs.get("signature")
            if not isinstance(signature, bytes):
                raise MalformedResult("a card-signed result must carry the card's signature")
            self._check_chain(certificate, claims)
            _verify_rsa(certificate.public_key(), signature, results.pin_signed_message(claims.nonce),
                        "the card's signature does not verify with the certificate")
        elif claims.method is Method.FACE:
            card_key, signature = proofs.get("card_key"), proofs.get("presence_signature")
            if not isinstance(card_key, bytes) or not isinstance(signature, bytes):
                raise MalformedResult("a face result must carry the card-face AP key and its presence signature")
            try:
                key = serialization.load_der_public_key(card_key)
            except ValueError:
                raise MalformedResult("the card-face AP key is not a public key") from None
            _verify_rsa(key, signature, results.card_presence_message(claims.nonce),
                        "the card-face AP's presence signature does not verify")

    def _check_chain(self, certificate: x509.Certificate, claims: ResultClaims) -> None:
        at = dt.datetime.fromtimestamp(claims.issued_at or self.clock(), dt.timezone.utc)
        if not certificate.not_valid_before_utc <= at <= certificate.not_valid_after_utc:
            raise UntrustedCertificate("the auth certificate was not valid at the time of the result")
        for ca in self.ca_certificates:
            if ca.subject != certificate.issuer:
                continue
            try:
                certificate.verify_directly_issued_by(ca)
            except (ValueError, TypeError, InvalidSignature):
                continue
            return
        raise UntrustedCertificate("the auth certificate was not issued by a configured CA")


def _verify_rsa(key: object, signature: bytes, message: bytes, failure: str) -> None:
    if not isinstance(key, rsa.RSAPublicKey):
        raise MalformedResult("expected an RSA key")
    try:
        key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise BadCardSignature(failure) from None
