"""Verify a reader's result before handing it to the reception system.

Checks, in order (docs/protocol.md, "Verifying a result"): the COSE structure; the signature with the pinned device
key (another device's key and a tampered result are told apart by the key id); every claim's type, range and
consistency; demo results unless allowed; for **every** method, the auth certificate against the configured JPKI CA
certificates and its validity at the result's time; the card's proofs (PIN and smartphone: the card's signature over
the domain-separated nonce message; face: the 券面事項確認AP's presence signature over the nonce, and an issuer
signature that did not fail); the host's policy for device-attested results and for face results without a
liveness check (:class:`~protocol.host.policy.HostPolicy`); and last, atomically in the store, that the nonce was
issued by this host, is unexpired and unused, and that the result id was never seen. A result that fails any check
raises a :class:`ResultRejected` subclass whose ``reason`` is a stable code; nothing is recorded for it. Without a
store (offline verification of a saved result) the nonce and replay checks are skipped, and the result says so.

Two ways to use it: :meth:`ResultVerifier.verify` checks and records a result in one call (it is then handed out);
the host SDK's client uses :meth:`ResultVerifier.admit` and :meth:`ResultVerifier.commit` around the integrator's
hand-over, so that a result is acknowledged to the reader only once the integrator has it, and a resend is
recognised (docs/protocol.md, "Acknowledgement").
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from protocol import results
from protocol.host.policy import (
    ALLOWED_DEMO,
    ALLOWED_DEVICE_ATTESTED,
    ALLOWED_UNCHECKED_LIVENESS,
    HostPolicy,
    fingerprint_hex,
)
from protocol.host.store import HandOver, HostStore, NonceProblem, Rejected
from protocol.results import Assurance, IssuerSignature, Liveness, Method, ResultClaims


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


class BadIssuerSignature(ResultRejected):
    """The device found the issuer's signature over the card face record wrong: the photo may not be the card's."""

    reason = "bad-issuer-signature"


class DeviceAttestedRefused(ResultRejected):
    """The host's policy does not take the device's word (for this device) that the face matched."""

    reason = "device-attested-refused"


class LivenessNotChecked(ResultRejected):
    """A face result without a liveness check, on a host that does not allow those."""

    reason = "liveness-not-checked"


#: Every rejection code, as docs/protocol.md lists them.
REASONS = tuple(cls.reason for cls in (
    MalformedResult, UntrustedDevice, TamperedResult, DemoResult, UntrustedCertificate, BadCardSignature,
    BadIssuerSignature, DeviceAttestedRefused, LivenessNotChecked, UnknownNonce, ExpiredNonce, ReusedNonce,
    ReplayedResult))

_NONCE_ERRORS = {NonceProblem.UNKNOWN: UnknownNonce, NonceProblem.EXPIRED: ExpiredNonce, NonceProblem.USED: ReusedNonce}


class ProvenBy(StrEnum):
    """Whose word a result rests on."""

    CARD = "card"  # the card's own key signed this host's nonce
    DEVICE = "device"  # the reader says the holder's face matched the card's photo
    STAFF = "staff"  # a staff member says they checked the holder against the card


PROVEN_BY = {Assurance.CARD_SIGNED: ProvenBy.CARD, Assurance.DEVICE_ATTESTED: ProvenBy.DEVICE,
             Assurance.STAFF_ATTESTED: ProvenBy.STAFF}


@dataclass(frozen=True)
class VerifiedResult:
    """A result that passed every check. ``allowed_by`` names the host settings without which it would have been
    refused (``"device-attested"``, ``"liveness-not-checked"``, ``"demo-result"``); ``redelivered`` is True when
    the host took it before but never confirmed the hand-over (it stopped in between): the integrator may have
    it already, under the same ``result_id``."""

    claims: ResultClaims
    certificate: x509.Certificate
    ca: x509.Certificate  # the configured CA certificate the auth certificate chains to
    device_fingerprint: str  # fingerprint_hex() of the device key that signed it
    checked_at: dt.datetime  # when the certificate was found valid: the result's iat, or the host's clock
    allowed_by: tuple[str, ...] = ()
    nonce_checked: bool = True  # False when verified offline, without the host's nonce and replay records
    redelivered: bool = False

    @property
    def assurance(self) -> Assurance:
        return self.claims.assurance

    @property
    def proven_by(self) -> ProvenBy:
        return PROVEN_BY[self.claims.assurance]

    def statement(self) -> str:
        """What this result proves and on whose word, in one plain sentence (also in :meth:`as_json`)."""
        c = self.claims
        certificate = ("the auth certificate chains to the configured JPKI CA and was valid at the result's time")
        if self.proven_by is ProvenBy.CARD:
            return (f"Card-signed: the card's (or smartphone's) JPKI user-authentication key signed this host's "
                    f"nonce after the holder entered the PIN on the reader; {certificate}.")
        if self.proven_by is ProvenBy.DEVICE:
            assert c.face is not None
            liveness = ("no liveness check ran, so a photo held to the camera cannot be ruled out"
                        if c.face.liveness == Liveness.NOT_CHECKED else "the reader's liveness check passed")
            return (f"Device-attested: the reader with key {self.device_fingerprint[:16]}… says the holder's live "
                    f"face matched the photo on the card's chip (score {c.face.score:.3f}, threshold "
                    f"{c.face.threshold:.3f}); {liveness}; the card's face-record key signed this host's nonce, so "
                    f"the card was present; the issuer's signature over the card face record: "
                    f"{c.card_proofs['issuer_signature']}; {certificate}, but the card did not sign with its key: that "
                    f"this certificate and that photo belong to one card is the reader's word.")
        return (f"Staff-attested: staff member {c.staff_id!r} confirmed the holder against the card, as recorded by "
                f"the reader with key {self.device_fingerprint[:16]}…; {certificate}, but the card did not sign.")

    def as_json(self) -> dict[str, Any]:
        c = self.claims
        proof: dict[str, Any] = {
            "by": self.proven_by.value,
            "statement": self.statement(),
            "device": self.device_fingerprint,
            "certificate_ca": self.ca.subject.rfc4514_string(),
            "certificate_checked_at": _iso(self.checked_at),
            "allowed_by_setting": list(self.allowed_by),
        }
        if c.method is Method.FACE:
            assert c.face is not None
            proof |= {"card_presence": "signature-verified", "issuer_signature": c.card_proofs["issuer_signature"],
                      "liveness": c.face.liveness}
        return {
            "result_id": c.cti.hex(),
            "device": c.device.hex(),
            "method": c.method.value,
            "assurance": c.assurance.value,
            "proof": proof,
            "certificate_serial_hex": format(self.certificate.serial_number, "x"),
            "certificate_not_after": _iso(self.certificate.not_valid_after_utc),
            "issued_at": None if c.issued_at is None else _iso(dt.datetime.fromtimestamp(c.issued_at, dt.timezone.utc)),
            "clock_set": c.issued_at is not None,
            "counter": c.counter,
            "consents": c.consents.to_cbor(),
            "consent_wording": {"version": c.consent_wording_version, "language": c.language},
            "face": None if c.face is None else c.face.to_cbor(),
            "staff_id": c.staff_id,
            "demo": c.demo,
            "firmware": c.swversion,
            "nonce_checked": self.nonce_checked,
            "redelivered": self.redelivered,
        }


@dataclass(frozen=True)
class AlreadyAccepted:
    """A resend of a result the host took and handed over before (its acknowledgement was lost, or the host
    restarted before sending it): acknowledged as accepted again, not handed over twice."""

    result_id: bytes


def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class ResultVerifier:
    def __init__(
        self,
        device_key: ec.EllipticCurvePublicKey,
        store: HostStore | None,
        ca_certificates: Sequence[x509.Certificate] = (),
        policy: HostPolicy | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.device_key = device_key
        self.store = store
        self.ca_certificates = list(ca_certificates)
        self.policy = policy if policy is not None else HostPolicy()
        self.clock = clock

    @property
    def device_fingerprint(self) -> str:
        return fingerprint_hex(self.device_key)

    # -- one call -------------------------------------------------------------------------------------------------

    def verify(self, cose: bytes) -> VerifiedResult:
        """Check ``cose`` and, with a store, record it as handed out (nonce consumed, result id seen): a second call
        with the same result is a :class:`ReplayedResult`."""
        claims, digest = self.authenticate(cose)
        result = self.check(claims)
        if self.store is None:
            return result
        try:
            self.store.consume(claims.nonce, claims.cti, self.clock(), digest)
        except Rejected as rejected:
            raise _rejection(rejected) from None
        return result

    # -- around a hand-over ---------------------------------------------------------------------------------------

    def admit(self, cose: bytes) -> VerifiedResult | AlreadyAccepted:
        """Check ``cose`` and record it as pending hand-over (needs a store). A resend of a result handed over
        before is :class:`AlreadyAccepted` (whatever the policy says now: the integrator has it); a resend of one
        never confirmed comes back ``redelivered``. Call :meth:`commit` once the integrator has it."""
        if self.store is None:
            raise ValueError("admit() records the hand-over: it needs a HostStore")
        claims, digest = self.authenticate(cose)
        try:
            if self.store.lookup(claims.cti, digest) is HandOver.DELIVERED:
                return AlreadyAccepted(claims.cti)
            result = self.check(claims)
            standing = self.store.reserve(claims.nonce, claims.cti, digest, self.clock())
        except Rejected as rejected:
            raise _rejection(rejected) from None
        if standing is HandOver.DELIVERED:  # another client on the same store was quicker
            return AlreadyAccepted(claims.cti)
        return VerifiedResult(result.claims, result.certificate, result.ca, result.device_fingerprint,
                              result.checked_at, result.allowed_by, redelivered=standing is HandOver.PENDING)

    def commit(self, result: VerifiedResult) -> None:
        """The integrator has ``result`` durably: from now on it is acknowledged, and never handed over again."""
        if self.store is None:
            raise ValueError("commit() records the hand-over: it needs a HostStore")
        self.store.delivered(result.claims.cti, self.clock())

    # -- the checks -----------------------------------------------------------------------------------------------

    def authenticate(self, cose: bytes) -> tuple[ResultClaims, bytes]:
        """The COSE structure, the pinned key's signature and every claim's type, range and consistency: the checked
        claims and the SHA-256 of the signed payload (which identifies the result's content)."""
        try:
            signed = results.open_result(cose)
            claims = results.verify_result(cose, self.device_key)
        except results.UnknownKey:
            raise UntrustedDevice("signed by a device key that is not the pinned one") from None
        except results.BadSignature as exc:
            raise TamperedResult(str(exc)) from None
        except results.ResultError as exc:
            raise MalformedResult(str(exc)) from None
        return claims, signed.payload_sha256

    def check(self, claims: ResultClaims) -> VerifiedResult:
        """Everything that needs no store: demo state, the certificate (every method), the card's proofs and the
        host's policy. Raises a :class:`ResultRejected`; returns the result, not yet recorded."""
        allowed: list[str] = []
        if claims.demo:
            if not self.policy.allow_demo:
                raise DemoResult("a demo result (emulated hardware, demo key); the host does not allow demo results")
            allowed.append(ALLOWED_DEMO)
        certificate = _load_certificate(claims.auth_certificate)
        checked_at = dt.datetime.fromtimestamp(
            claims.issued_at if claims.issued_at is not None else self.clock(), dt.timezone.utc)
        ca = self._check_chain(certificate, checked_at)
        if claims.assurance is Assurance.CARD_SIGNED:
            _verify_rsa(_public_key(certificate), claims.card_proofs["signature"],
                        results.pin_signed_message(claims.nonce),
                        "the card's signature does not verify with the certificate")
        elif claims.method is Method.FACE:
            allowed += self._check_face(claims)
        return VerifiedResult(claims, certificate, ca, self.device_fingerprint, checked_at, tuple(allowed),
                              nonce_checked=self.store is not None)

    def _check_face(self, claims: ResultClaims) -> list[str]:
        proofs = claims.card_proofs
        try:
            card_key = serialization.load_der_public_key(proofs["card_key"])
        except (ValueError, UnsupportedAlgorithm) as exc:
            raise MalformedResult(f"the card-face AP key is not a usable public key: {type(exc).__name__}") from None
        _verify_rsa(card_key, proofs["presence_signature"], results.card_presence_message(claims.nonce),
                    "the card-face AP's presence signature does not verify")
        if proofs["issuer_signature"] == IssuerSignature.FAILED:
            raise BadIssuerSignature("the reader found the issuer's signature over the card face record wrong")
        if not self.policy.accepts_device_attested(self.device_key):
            raise DeviceAttestedRefused(
                "device-attested results are accepted only from listed devices, and this device is not listed"
                if self.policy.attesting_devices else "device-attested results are refused on this host")
        allowed = [ALLOWED_DEVICE_ATTESTED]
        assert claims.face is not None  # ResultClaims.check: a face result carries the evidence
        if claims.face.liveness == Liveness.NOT_CHECKED:
            if not self.policy.allow_unchecked_liveness:
                raise LivenessNotChecked("no liveness check ran; the host does not allow unchecked face results")
            allowed.append(ALLOWED_UNCHECKED_LIVENESS)
        return allowed

    def _check_chain(self, certificate: x509.Certificate, at: dt.datetime) -> x509.Certificate:
        try:
            valid = certificate.not_valid_before_utc <= at <= certificate.not_valid_after_utc
        except ValueError as exc:
            raise MalformedResult(f"the auth certificate's validity does not parse: {exc}") from None
        if not valid:
            raise UntrustedCertificate("the auth certificate was not valid at the time of the result")
        for ca in self.ca_certificates:
            if ca.subject != certificate.issuer:
                continue
            try:
                certificate.verify_directly_issued_by(ca)
            except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
                continue
            return ca
        raise UntrustedCertificate("the auth certificate was not issued by a configured CA")


def _rejection(rejected: Rejected) -> ResultRejected:
    if rejected.replayed:
        return ReplayedResult("another result was accepted under this result id")
    assert rejected.nonce_problem is not None
    return _NONCE_ERRORS[rejected.nonce_problem](f"nonce {rejected.nonce_problem.value}")


def _load_certificate(der: bytes) -> x509.Certificate:
    try:
        return x509.load_der_x509_certificate(der)
    except (ValueError, x509.InvalidVersion) as exc:  # InvalidVersion is no ValueError
        raise MalformedResult(f"the auth certificate claim is not X.509: {type(exc).__name__}") from None


def _public_key(certificate: x509.Certificate) -> object:
    try:
        return certificate.public_key()
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise MalformedResult(f"the auth certificate's key is not usable: {type(exc).__name__}") from None


def _verify_rsa(key: object, signature: bytes, message: bytes, failure: str) -> None:
    if not isinstance(key, rsa.RSAPublicKey):
        raise MalformedResult("expected an RSA key")
    try:
        key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise BadCardSignature(failure) from None
