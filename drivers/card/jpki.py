"""公的個人認証AP (JPKI-AP): token label, the 利用者証明用電子証明書, its PIN and the signature with its key.

Keys and PINs are named by short file identifier where the card allows (VERIFY P2 = 98, COMPUTE SIGNATURE P2 = 97),
so the PIN round is three APDUs: tries, VERIFY, sign. Cards that refuse SFI references get SELECT EF first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from drivers.card import apdu, errors
from drivers.card.channel import CardChannel
from drivers.card.files import ApplicationFiles

JPKI_AID = bytes.fromhex("D392F000260100000001")

EF_TOKEN_INFO = 0x0006
EF_AUTH_CERTIFICATE = 0x000A
EF_AUTH_CA_CERTIFICATE = 0x000B
EF_AUTH_KEY = 0x0017
EF_AUTH_PIN = 0x0018
AUTH_PIN_MAX_TRIES = 3  # every public source (docs/card.md)
AUTH_KEY_BITS = 2048  # both JPKI keys are RSA-2048 (docs/card.md); the card signs nothing else


def _load_certificate(der: bytes, what: str) -> x509.Certificate:
    """Parse DER from the card; anything cryptography refuses (InvalidVersion is no ValueError) is MalformedResponse."""
    try:
        return x509.load_der_x509_certificate(der)
    except (ValueError, x509.InvalidVersion) as exc:
        raise errors.MalformedResponse(f"{what} is not valid X.509: {exc}") from exc


class TokenKind(StrEnum):
    CARD = "card"
    ANDROID = "android"
    IPHONE = "iphone"
    JUKI = "juki"
    UNKNOWN = "unknown"


TOKEN_LABELS = {
    "JPKIAPICCTOKEN2": TokenKind.CARD,
    "JPKIAPGPSETOKEN": TokenKind.ANDROID,
    "JPKIAPIOSTOKEN": TokenKind.IPHONE,
    "JPKIAPICCTOKEN": TokenKind.JUKI,
}


@dataclass(frozen=True)
class AuthCertificate:
    """The 利用者証明用電子証明書. It names no person: its serial is what reception systems key on."""

    der: bytes
    serial: int
    issuer: str
    not_before: dt.datetime
    not_after: dt.datetime

    @classmethod
    def from_der(cls, der: bytes) -> AuthCertificate:
        """The certificate, or MalformedResponse if it does not parse or its key is not RSA-2048 (the card's)."""
        cert = _load_certificate(der, "the auth certificate")
        _rsa_key(cert)
        try:
            return cls(der, cert.serial_number, cert.issuer.rfc4514_string(),
                       cert.not_valid_before_utc, cert.not_valid_after_utc)
        except ValueError as exc:
            raise errors.MalformedResponse(f"the auth certificate is not valid X.509: {exc}") from exc

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_der_x509_certificate(self.der)

    def public_key(self) -> rsa.RSAPublicKey:
        return _rsa_key(self.certificate)

    @property
    def serial_hex(self) -> str:
        return format(self.serial, "x")

    def expired(self, now: dt.datetime) -> bool:
        return now > self.not_after

    def days_left(self, now: dt.datetime) -> int:
        """Whole days until the certificate expires (0 on its last day, negative once expired)."""
        return (self.not_after - now) // dt.timedelta(days=1)

    def __repr__(self) -> str:
        return f"AuthCertificate(serial={self.serial_hex}, not_after={self.not_after.isoformat()})"


def _rsa_key(cert: x509.Certificate) -> rsa.RSAPublicKey:
    try:
        key = cert.public_key()
    except (ValueError, UnsupportedAlgorithm) as exc:  # UnsupportedAlgorithm (an unknown key type) is no ValueError
        raise errors.MalformedResponse(f"the auth certificate's public key does not parse: {exc}") from exc
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size != AUTH_KEY_BITS:
        raise errors.MalformedResponse(f"the auth certificate's key is not RSA-{AUTH_KEY_BITS}")
    return key


def check_pin_format(pin: str) -> bytes:
    """The PIN as sent to the card: exactly 4 ASCII digits, or :class:`InvalidPinFormat` (no APDU, no try lost)."""
    if not isinstance(pin, str) or len(pin) != 4 or not (pin.isascii() and pin.isdigit()):
        raise errors.InvalidPinFormat("the PIN must be exactly 4 digits 0-9")
    return pin.encode("ascii")


class JpkiAp:
    """The JPKI application of one card (or smartphone) on an open channel."""

    def __init__(self, channel: CardChannel) -> None:
        self.channel = channel
        self.files = ApplicationFiles(channel)
        self._certificate: AuthCertificate | None = None

    def select(self) -> None:
        """SELECT the AP; :class:`FileNotFound` if the card has none (not a My Number card or smartphone)."""
        self.channel.call(apdu.select_df(JPKI_AID))

    def token_label(self) -> str:
        raw = self.files.read_bytes(EF_TOKEN_INFO, 32)
        text = raw.rstrip(b" \x00")
        if not text or not all(0x20 < b < 0x7F for b in text):
            raise errors.MalformedResponse("the token label is not printable ASCII")
        return text.decode("ascii")

    def auth_certificate(self) -> AuthCertificate:
        self._certificate = AuthCertificate.from_der(self.files.read_object(EF_AUTH_CERTIFICATE))
        return self._certificate

    def auth_ca_certificate(self) -> x509.Certificate:
        return _load_certificate(self.files.read_object(EF_AUTH_CA_CERTIFICATE), "the CA certificate")

    # -- PIN --------------------------------------------------------------------------------------------------

    def pin_tries_left(self) -> int:
        """Tries left before the PIN locks, read with the empty VERIFY (costs no try). 0 = locked."""
        command, response = self.files.send_by_reference(lambda ref: apdu.verify(ref, None), EF_AUTH_PIN)
        return apdu.tries_left(response.sw, command, AUTH_PIN_MAX_TRIES)

    def verify_pin(self, pin: str) -> None:
        """VERIFY the 4-digit PIN: returns on success, raises :class:`WrongPin` (with tries left) or
        :class:`PinBlocked`. A PIN that is not 4 ASCII digits is refused before any APDU."""
        secret = check_pin_format(pin)
        command, response = self.files.send_by_reference(lambda ref: apdu.verify(ref, secret), EF_AUTH_PIN)
        apdu.check(response, command)

    def sign(self, message_hash: bytes) -> bytes:
        """Sign a SHA-256 hash with the user-authentication key (after :meth:`verify_pin`).

        The signature is checked against the certificate read in this session, if any, so a card that answers
        with garbage is caught here.
        """
        if len(message_hash) != 32:
            raise ValueError("sign() takes a 32-byte SHA-256 hash")
        digest_info = apdu.sha256_digest_info(message_hash)
        command, response = self.files.send_by_reference(lambda ref: apdu.compute_signature(ref, digest_info),
                                                          EF_AUTH_KEY)
        signature = apdu.check(response, command)
        if len(signature) != 256:
            raise errors.MalformedResponse(f"signature of {len(signature)} bytes, expected 256 (RSA-2048)")
        if self._certificate is not None:
            public_key = self._certificate.public_key()
            try:
                public_key.verify(signature, message_hash, padding.PKCS1v15(), Prehashed(hashes.SHA256()))
            except InvalidSignature as exc:
                raise errors.MalformedResponse("the card's signature does not verify with its certificate") from exc
        return signature

