"""Signed results: tagged COSE_Sign1 (RFC 9052, CBOR tag 18), ES256, over a CWT/EAT claim set (RFC 8392, RFC 9711).

The reader signs one result per completed reception with its device key; any COSE library verifies it offline.
Registered claims carry the device identity (``iss``, ``ueid``), time (``iat``, when the clock was set), the result id
(``cti``), the host's nonce (``eat_nonce``), software version and debug state; private claims (negative labels below
-65536, the CWT private-use range) carry what the reception system needs. docs/protocol.md lists every label.

What each method proves (``assurance``): PIN and smartphone — *card-signed*: the card's 利用者証明用 key signed
SHA-256(:data:`PIN_SIGNED_PREFIX` ‖ nonce), checkable against the certificate and its CA; face — *device-attested*:
the device says it matched a live face to the card photo, and adds what the card proved without a PIN; visual —
*staff-attested*, naming the staff member.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from typing import Any

import cbor2
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cwt import COSE, COSEKey
from cwt.cose_key_interface import COSEKeyInterface

from protocol.messages import MAX_COSE, MAX_UNIX_TIME, MIN_UNIX_TIME, NONCE_MAX_BYTES, NONCE_MIN_BYTES
from protocol.vocabulary import ASSURANCE_OF as ASSURANCE_OF
from protocol.vocabulary import Assurance as Assurance
from protocol.vocabulary import IssuerSignature as IssuerSignature
from protocol.vocabulary import Liveness as Liveness
from protocol.vocabulary import Method as Method

# -- claim labels ---------------------------------------------------------------------------------------------------
ISS, IAT, CTI, EAT_NONCE = 1, 6, 7, 10
UEID, DBGSTAT, SWNAME, SWVERSION = 256, 263, 270, 271
METHOD = -65537
ASSURANCE = -65538
AUTH_CERTIFICATE = -65539
CARD_PROOFS = -65540
FACE = -65541
CONSENTS = -65542
CONSENT_WORDING = -65543
STAFF_ID = -65544
CONFIG_HASH = -65545
CLOCK = -65546
PROTOCOL = -65547

PROTOCOL_NAME = "mynareader"
PROTOCOL_VERSION = 1
# What the card signs on the PIN path: SHA-256 over this prefix and then the host's nonce, never the bare nonce, so
# the signature is useless to any other protocol (or version of this one).
PIN_SIGNED_PREFIX = b"mynareader/1 JPKI user-authentication of host nonce\x00"
# On the face path the 券面事項確認AP's own key signs SHA-256 over this prefix and the nonce: card presence, bound to
# this host's request.
CARD_PRESENCE_PREFIX = b"mynareader/1 card-face AP presence for host nonce\x00"

# The documented ranges of docs/protocol.md section 9, checked before signing and after decoding.
CTI_BYTES = 16
CONFIG_HASH_BYTES = 32  # SHA-256
UEID_BYTES = 17  # RAND type: 0x01 + 16 bytes
MAX_TEXT = 64  # swversion, the consent wording's version, the staff id
MAX_COUNTER = 2**63 - 1  # fits a signed 64-bit integer in any language and in SQLite
MAX_FACE_FRAMES = 1000
MAX_RSA_BYTES = 512  # card signatures: RSA up to 4096 bits (the JPKI keys are 2048)
MAX_KEY_BYTES = 1024  # the card-face AP key, DER SubjectPublicKeyInfo
LANGUAGES = ("ja", "en")
PRESCRIPTIONS = ("electronic", "paper")

COSE_ALG_ES256 = -7
COSE_HEADER_ALG, COSE_HEADER_CRIT, COSE_HEADER_KID = 1, 2, 4
DBGSTAT_ENABLED, DBGSTAT_DISABLED = 0, 1  # RFC 9711 §4.2.9: a demo key means debug/emulation is on


#: The liveness verdicts an accepted face result may carry.
MATCH_LIVENESS = (Liveness.LIVE, Liveness.NOT_CHECKED)


class ResultError(ValueError):
    """A result that does not decode or does not carry well-formed claims."""


def pin_signed_message(nonce: bytes) -> bytes:
    """The message whose SHA-256 the card signs on the PIN path."""
    return PIN_SIGNED_PREFIX + nonce


def pin_signed_digest(nonce: bytes) -> bytes:
    return hashlib.sha256(pin_signed_message(nonce)).digest()


def card_presence_message(nonce: bytes) -> bytes:
    """The message whose SHA-256 the 券面事項確認AP signs on the face path."""
    return CARD_PRESENCE_PREFIX + nonce


def fingerprint_bytes(public_key: ec.EllipticCurvePublicKey) -> bytes:
    """SHA-256 of the DER SubjectPublicKeyInfo; also the COSE key id of the device's results."""
    spki = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(spki).digest()


def fingerprint(public_key: ec.EllipticCurvePublicKey) -> str:
    """The fingerprint as people compare it: lowercase hex in groups of four (``1a2b 3c4d …``)."""
    text = fingerprint_bytes(public_key).hex()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@dataclass(frozen=True)
class Consents:
    medical: bool  # ① 診療・お薬情報
    checkup: bool  # ② 特定健診情報 (False = 同意しない・40歳未満)
    limit: bool  # 限度額情報
    prescription: str | None = None  # 処方箋形式: "electronic" | "paper", when asked

    def to_cbor(self) -> dict[str, Any]:
        out: dict[str, Any] = {"medical": self.medical, "checkup": self.checkup, "limit": self.limit}
        if self.prescription is not None:
            out["prescription"] = self.prescription
        return out


@dataclass(frozen=True)
class CardProofs:
    """What the card proved, as the ``card_proofs`` claim carries it (docs/protocol.md): a card-signed result
    carries ``signature`` (the 利用者証明用 key over :func:`pin_signed_message`); a face result carries ``card_key``
    (the 券面事項確認AP's public key, SubjectPublicKeyInfo DER), ``presence_signature`` (that key over
    :func:`card_presence_message`) and ``issuer_signature`` (an :class:`IssuerSignature` value); a staff-attested
    result carries none."""

    signature: bytes | None = None
    card_key: bytes | None = None
    presence_signature: bytes | None = None
    issuer_signature: str | None = None

    def to_cbor(self) -> dict[str, Any]:
        return {name: value for name, value in (("signature", self.signature), ("card_key", self.card_key),
                                                ("presence_signature", self.presence_signature),
                                                ("issuer_signature", self.issuer_signature))
                if value is not None}  # fmt: skip


@dataclass(frozen=True)
class FaceEvidence:
    """What the device measured in the face match it attests: only a match makes a face result, so the score
    reached the threshold and no spoof was suspected."""

    score: float  # similarity, threshold ≤ score ≤ 1
    threshold: float  # the decision rule's threshold, 0 < threshold ≤ 1
    liveness: str  # a Liveness value: "live" or "not-checked" (never "spoof-suspected" in a result)
    frames: int  # frames scored in the attempt, 1 - MAX_FACE_FRAMES

    def to_cbor(self) -> dict[str, Any]:
        return {"score": self.score, "threshold": self.threshold, "liveness": self.liveness, "frames": self.frames}

    def check(self) -> None:
        for name, value in (("score", self.score), ("threshold", self.threshold)):
            if not (isinstance(value, float) and math.isfinite(value) and 0.0 < value <= 1.0):
                raise ResultError(f"face.{name} must be a number above 0 and at most 1")
        if self.score < self.threshold:
            raise ResultError("face.score is below face.threshold: that attempt was no match")
        if self.liveness not in list(MATCH_LIVENESS):
            raise ResultError("face.liveness must be live or not-checked in a result (a suspected spoof is no match)")
        if not 1 <= self.frames <= MAX_FACE_FRAMES:
            raise ResultError(f"face.frames must be 1-{MAX_FACE_FRAMES}")


@dataclass(frozen=True)
class ResultClaims:
    """One reception's result, as the device signs it and the host reads it back."""

    device: bytes  # ueid: 0x01 + 16 random bytes chosen at the device's first start
    cti: bytes  # unique result id
    nonce: bytes  # the host's nonce (eat_nonce)
    swversion: str
    demo: bool
    config_hash: bytes
    method: Method
    auth_certificate: bytes  # DER of the 利用者証明用電子証明書
    counter: int  # the device's result counter (monotonic, survives restarts)
    issued_at: int | None  # unix time, or None while the clock is unset
    consents: Consents
    consent_wording_version: str
    language: str
    card_proofs: dict[str, Any] = field(default_factory=dict)
    face: FaceEvidence | None = None
    staff_id: str | None = None

    @property
    def assurance(self) -> Assurance:
        return ASSURANCE_OF[self.method]

    def check(self) -> None:
        """Every documented length and range, and the claims' consistency with each other (docs/protocol.md
        section 9): checked before signing and after decoding, so the device never signs what a host must refuse,
        and a host never hands out what the device should not have signed."""
        if len(self.device) != UEID_BYTES or self.device[0] != 0x01:
            raise ResultError("ueid must be RAND type: 0x01 + 16 bytes")
        if len(self.cti) != CTI_BYTES:
            raise ResultError(f"cti must be {CTI_BYTES} bytes")
        if not NONCE_MIN_BYTES <= len(self.nonce) <= NONCE_MAX_BYTES:
            raise ResultError(f"eat_nonce must be {NONCE_MIN_BYTES}-{NONCE_MAX_BYTES} bytes")
        if len(self.config_hash) != CONFIG_HASH_BYTES:
            raise ResultError(f"the configuration hash must be {CONFIG_HASH_BYTES} bytes")
        if self.issued_at is not None and not MIN_UNIX_TIME <= self.issued_at < MAX_UNIX_TIME:
            raise ResultError("iat is not a Unix time in seconds between 2020 and 2100")
        if not 1 <= self.counter <= MAX_COUNTER:
            raise ResultError(f"clock.counter must be 1-{MAX_COUNTER}")
        _check_text(self.swversion, "swversion")
        _check_text(self.consent_wording_version, "consent wording version")
        if self.language not in LANGUAGES:
            raise ResultError(f"the consent wording's language must be one of {', '.join(LANGUAGES)}")
        if self.consents.prescription is not None and self.consents.prescription not in PRESCRIPTIONS:
            raise ResultError(f"consents.prescription must be one of {', '.join(PRESCRIPTIONS)}")
        if not 1 <= len(self.auth_certificate) <= MAX_COSE:
            raise ResultError("the auth certificate claim is empty or too long")
        if (self.staff_id is not None) != (self.method is Method.VISUAL):
            raise ResultError("a visual-check result, and only one, names the staff member")
        if self.staff_id is not None:
            _check_text(self.staff_id, "staff id")
        if (self.face is not None) != (self.method is Method.FACE):
            raise ResultError("a face result, and only one, carries the face evidence")
        if self.face is not None:
            self.face.check()
        self._check_card_proofs()

    def _check_card_proofs(self) -> None:
        proofs = self.card_proofs
        if self.assurance is Assurance.CARD_SIGNED:
            _proof_bytes(proofs, "signature", MAX_RSA_BYTES)
        elif self.method is Method.FACE:
            _proof_bytes(proofs, "card_key", MAX_KEY_BYTES)
            _proof_bytes(proofs, "presence_signature", MAX_RSA_BYTES)
            if proofs.get("issuer_signature") not in list(IssuerSignature):
                raise ResultError("card_proofs.issuer_signature must be one of "
                                  + ", ".join(v.value for v in IssuerSignature))

    @property
    def issuer(self) -> str:
        return f"{PROTOCOL_NAME}:{self.device.hex()}"

    def to_cbor(self) -> dict[int, Any]:
        claims: dict[int, Any] = {
            ISS: self.issuer,
            CTI: self.cti,
            EAT_NONCE: self.nonce,
            UEID: self.device,
            DBGSTAT: DBGSTAT_ENABLED if self.demo else DBGSTAT_DISABLED,
            SWNAME: PROTOCOL_NAME,
            SWVERSION: [self.swversion],
            PROTOCOL: PROTOCOL_VERSION,
            METHOD: self.method.value,
            ASSURANCE: self.assurance.value,
            AUTH_CERTIFICATE: self.auth_certificate,
            CARD_PROOFS: self.card_proofs,
            CONSENTS: self.consents.to_cbor(),
            CONSENT_WORDING: {"version": self.consent_wording_version, "language": self.language},
            CONFIG_HASH: self.config_hash,
            CLOCK: {"set": self.issued_at is not None, "counter": self.counter},
        }
        if self.issued_at is not None:
            claims[IAT] = self.issued_at
        if self.face is not None:
            claims[FACE] = self.face.to_cbor()
        if self.staff_id is not None:
            claims[STAFF_ID] = self.staff_id
        return claims

    @classmethod
    def from_cbor(cls, claims: object) -> ResultClaims:
        """Read back a claim set, checking every claim's presence, type, range and consistency (:meth:`check`);
        every problem is a :class:`ResultError`."""
        if not isinstance(claims, dict):
            raise ResultError("the payload is not a CBOR map of claims")
        reader = _Claims(claims)
        method_text = reader.text(METHOD)
        try:
            method = Method(method_text)
        except ValueError:
            raise ResultError(f"unknown method {method_text[:30]!r}") from None
        if reader.text(ASSURANCE) != ASSURANCE_OF[method].value:
            raise ResultError("the assurance claim does not match the method")
        if reader.uint(PROTOCOL) != PROTOCOL_VERSION:
            raise ResultError("a result of another protocol version")
        if reader.text(SWNAME) != PROTOCOL_NAME:
            raise ResultError(f"swname must be {PROTOCOL_NAME!r}")
        device = reader.bytes(UEID)
        if reader.text(ISS) != f"{PROTOCOL_NAME}:{device.hex()}":
            raise ResultError("iss does not name the ueid")
        dbgstat = reader.uint(DBGSTAT)
        if dbgstat not in (DBGSTAT_ENABLED, DBGSTAT_DISABLED):
            raise ResultError("unexpected dbgstat")
        swversion = reader.list(SWVERSION)
        if not swversion or not isinstance(swversion[0], str):
            raise ResultError("swversion must be [text, …]")
        consents = reader.map(CONSENTS)
        wording = reader.map(CONSENT_WORDING)
        clock = reader.map(CLOCK)
        face = reader.map(FACE, required=False)
        prescription = consents.get("prescription")
        result = cls(
            device=device,
            cti=reader.bytes(CTI),
            nonce=reader.bytes(EAT_NONCE),
            swversion=swversion[0],
            demo=dbgstat == DBGSTAT_ENABLED,
            config_hash=reader.bytes(CONFIG_HASH),
            method=method,
            auth_certificate=reader.bytes(AUTH_CERTIFICATE),
            counter=_typed(clock.get("counter"), int, "clock.counter"),
            issued_at=reader.uint(IAT) if IAT in claims else None,
            consents=Consents(
                _typed(consents.get("medical"), bool, "consents.medical"),
                _typed(consents.get("checkup"), bool, "consents.checkup"),
                _typed(consents.get("limit"), bool, "consents.limit"),
                None if prescription is None else _typed(prescription, str, "consents.prescription"),
            ),
            consent_wording_version=_typed(wording.get("version"), str, "consent wording version"),
            language=_typed(wording.get("language"), str, "consent wording language"),
            card_proofs=reader.proofs(CARD_PROOFS),
            face=None if face is None else FaceEvidence(
                _fraction(face.get("score"), "face.score"),
                _fraction(face.get("threshold"), "face.threshold"),
                _typed(face.get("liveness"), str, "face.liveness"),
                _typed(face.get("frames"), int, "face.frames"),
            ),
            staff_id=reader.text(STAFF_ID) if STAFF_ID in claims else None,
        )
        if _typed(clock.get("set"), bool, "clock.set") != (result.issued_at is not None):
            raise ResultError("clock.set disagrees with iat")
        result.check()
        return result


def _fraction(value: Any, name: str) -> float:
    """A score or threshold as a float, range-checked before the conversion (``float(10**400)`` overflows)."""
    _typed(value, (int, float), name)
    if not 0 < value <= 1:  # exact for ints of any size; NaN fails it
        raise ResultError(f"{name} must be a number above 0 and at most 1")
    return float(value)


def _check_text(value: str, name: str) -> None:
    if not 1 <= len(value) <= MAX_TEXT:
        raise ResultError(f"{name} must be 1-{MAX_TEXT} characters")


def _proof_bytes(proofs: dict[str, Any], name: str, max_length: int) -> None:
    value = proofs.get(name)
    if not isinstance(value, bytes) or not 1 <= len(value) <= max_length:
        raise ResultError(f"card_proofs.{name} must be 1-{max_length} bytes")


def _typed(value: Any, kind: type | tuple[type, ...], name: str) -> Any:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        raise ResultError(f"claim {name} missing or of the wrong type")
    return value


class _Claims:
    def __init__(self, claims: dict[Any, Any]) -> None:
        self.claims = claims

    def _get(self, label: int, kind: type, required: bool = True) -> Any:
        if label not in self.claims:
            if required:
                raise ResultError(f"claim {label} missing")
            return None
        return _typed(self.claims[label], kind, str(label))

    def text(self, label: int) -> str:
        value: str = self._get(label, str)
        return value

    def bytes(self, label: int) -> bytes:
        value: bytes = self._get(label, bytes)
        return value

    def uint(self, label: int) -> int:
        value: int = self._get(label, int)
        if value < 0:
            raise ResultError(f"claim {label} must not be negative")
        return value

    def list(self, label: int) -> list[Any]:
        value: list[Any] = self._get(label, list)
        return value

    def map(self, label: int, required: bool = True) -> Any:
        return self._get(label, dict, required)

    def proofs(self, label: int) -> dict[str, Any]:
        value: dict[Any, Any] = self.map(label)
        if not all(isinstance(key, str) for key in value):
            raise ResultError(f"claim {label} must be a map with text keys")
        return value


# -- COSE_Sign1 -------------------------------------------------------------------------------------------------------


def _cose_key(key: ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) -> COSEKeyInterface:
    public = key.public_key() if isinstance(key, ec.EllipticCurvePrivateKey) else key
    kid = fingerprint_bytes(public)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    else:
        pem = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return COSEKey.from_pem(pem, alg="ES256", kid=kid)


def sign_result(claims: ResultClaims, key: ec.EllipticCurvePrivateKey) -> bytes:
    """The tagged COSE_Sign1 of ``claims``; the protected header names ES256 and the key id (the fingerprint).
    Claims outside their documented ranges (:meth:`ResultClaims.check`) raise :class:`ResultError` and are not
    signed."""
    if not isinstance(key.curve, ec.SECP256R1):
        raise ValueError("results are signed with a P-256 key (ES256)")
    claims.check()
    kid = fingerprint_bytes(key.public_key())
    payload = cbor2.dumps(claims.to_cbor())
    signed: bytes = COSE.new().encode_and_sign(
        payload, _cose_key(key), protected={COSE_HEADER_ALG: COSE_ALG_ES256, COSE_HEADER_KID: kid}
    )
    return signed


@dataclass(frozen=True)
class SignedResult:
    """A COSE_Sign1 result taken apart but not yet verified."""

    kid: bytes
    claims: dict[Any, Any]
    payload_sha256: bytes  # what identifies the signed content: the same claims re-sent are the same result


def open_result(cose: bytes) -> SignedResult:
    """Parse the COSE_Sign1 envelope without verifying: the key id and the raw claims (to pick the key and report)."""
    try:
        obj = cbor2.loads(cose)
    except Exception as exc:  # noqa: BLE001 - cbor2 raises several types for bad input
        raise ResultError(f"not CBOR: {type(exc).__name__}") from None
    if not isinstance(obj, cbor2.CBORTag) or obj.tag != 18:
        raise ResultError("not a tagged COSE_Sign1 (CBOR tag 18)")
    body = obj.value
    if not (isinstance(body, list) and len(body) == 4 and isinstance(body[0], bytes) and isinstance(body[2], bytes)):
        raise ResultError("COSE_Sign1 must be [protected, unprotected, payload, signature]")
    try:
        protected = cbor2.loads(body[0]) if body[0] else {}
        claims = cbor2.loads(body[2])
    except Exception as exc:  # noqa: BLE001
        raise ResultError(f"COSE headers or payload not CBOR: {type(exc).__name__}") from None
    if not isinstance(protected, dict) or protected.get(COSE_HEADER_ALG) != COSE_ALG_ES256:
        raise ResultError("the protected header must name ES256 (-7)")
    if COSE_HEADER_CRIT in protected:
        # This protocol defines no critical header parameters, so any listed one is one we cannot honour.
        raise ResultError("the protected header lists critical parameters; none are defined")
    if not isinstance(body[1], dict):
        raise ResultError("the unprotected header must be a map")
    if body[1]:
        # Unsigned headers could be changed by anyone on the way; the protocol puts nothing there.
        raise ResultError("the unprotected header must be empty")
    kid = protected.get(COSE_HEADER_KID)
    if not isinstance(kid, bytes):
        raise ResultError("the protected header must carry the key id")
    if not isinstance(claims, dict):
        raise ResultError("the payload is not a claim set")
    return SignedResult(kid, claims, hashlib.sha256(body[2]).digest())


class BadSignature(ResultError):
    """The COSE signature does not verify with the given key: the result was altered or signed by another key."""


class UnknownKey(BadSignature):
    """The result names (by key id) a key other than the given one: another device signed it."""


def verify_result(cose: bytes, key: ec.EllipticCurvePublicKey) -> ResultClaims:
    """Verify the signature with ``key`` and return the checked claims."""
    signed = open_result(cose)  # structural checks first, so garbage gets a precise error
    if signed.kid != fingerprint_bytes(key):
        raise UnknownKey("signed by another key (the key id is not this key's fingerprint)")
    try:
        payload = COSE.new().decode(cose, _cose_key(key))
    except Exception as exc:  # noqa: BLE001 - cwt raises VerifyError/DecodeError; both mean "not this key's"
        raise BadSignature(f"signature does not verify: {type(exc).__name__}") from None
    return ResultClaims.from_cbor(cbor2.loads(payload))
