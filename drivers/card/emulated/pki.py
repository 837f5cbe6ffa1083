"""A test PKI shaped like JPKI: a test CA and the holder's 利用者証明用電子証明書 (user-authentication certificate).

The shape follows the public facts (docs/card.md): RSA-2048 keys, a certificate identified by its serial,
key usage digitalSignature, and a not-after at the end of the holder's 5th birthday after issue (JST). Every name
says TEST: production hosts never trust this CA.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from functools import lru_cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

JST = dt.timezone(dt.timedelta(hours=9), "JST")
# The certificate policy OID of JPKI's user-authentication certificates (public: J-LIS certificate policy).
JPKI_AUTH_POLICY = x509.ObjectIdentifier("1.2.392.200149.8.5.1.3.30")


def birthday_in(year: int, birth: dt.date) -> dt.date:
    """The holder's birthday in ``year``; 29 February falls on 28 February in common years."""
    try:
        return birth.replace(year=year)
    except ValueError:
        return dt.date(year, 2, 28)


def nth_birthday_after(birth: dt.date, issued: dt.date, n: int) -> dt.date:
    """The n-th birthday strictly after the issue date (how JPKI and the card set their expiry)."""
    first_year = issued.year if birthday_in(issued.year, birth) > issued else issued.year + 1
    return birthday_in(first_year + n - 1, birth)


def end_of_day_jst(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), JST).astimezone(dt.timezone.utc)


@dataclass(frozen=True)
class TestCa:
    key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    @property
    def certificate_der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    @property
    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)


@dataclass(frozen=True)
class HolderCredentials:
    """What the card's JPKI-AP holds for one holder: the auth key pair and its certificate."""

    auth_key: rsa.RSAPrivateKey
    auth_certificate: x509.Certificate

    @property
    def auth_certificate_der(self) -> bytes:
        return self.auth_certificate.public_bytes(serialization.Encoding.DER)


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@lru_cache(maxsize=1)
def test_ca() -> TestCa:
    """The test CA (one per process: every emulated card of a run chains to it)."""
    return make_test_ca()


def make_test_ca() -> TestCa:
    """A new test CA (for tests that need a CA nobody trusts)."""
    key = new_rsa_key()
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "JPKI TEST"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "JPKI for user authentication TEST"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "mynareader emulated card TEST CA"),
        ]
    )
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=365 * 15))
        .not_valid_after(now + dt.timedelta(days=365 * 15))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return TestCa(key, cert)


def issue_auth_certificate(ca: TestCa, birth: dt.date, issued: dt.date) -> HolderCredentials:
    """A user-authentication certificate valid from the issue date to the end of the 5th birthday after it."""
    key = new_rsa_key()
    not_after = end_of_day_jst(nth_birthday_after(birth, issued, 5))
    not_before = dt.datetime.combine(issued, dt.time(0, 0), JST).astimezone(dt.timezone.utc)
    # Like the real one, the subject names no person: only a random identifier.
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
            x509.NameAttribute(NameOID.COMMON_NAME, secrets.token_hex(10).upper()),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(secrets.randbits(40) | (1 << 39))
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True
        )
        .add_extension(
            x509.CertificatePolicies([x509.PolicyInformation(JPKI_AUTH_POLICY, None)]), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False
        )
        .add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        [x509.DirectoryName(ca.certificate.subject)], None, None, None
                    )
                ]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        x509.oid.AuthorityInformationAccessOID.OCSP,
                        x509.UniformResourceIdentifier("http://ocsp.jpki-test.invalid/ocsp"),
                    )
                ]
            ),
            critical=False,
        )
        .sign(ca.key, hashes.SHA256())
    )
    return HolderCredentials(key, cert)


@lru_cache(maxsize=1)
def test_card_face_issuer() -> rsa.RSAPrivateKey:
    """The test issuer of the 券面 APs' signed records (one per process, like the test CA).

    On real cards the records are signed by a key certified in each AP's EF 0004, under a J-LIS key that is not
    public; here this one key signs the records and certifies itself in EF 0004. Hosts export its public key with
    ``mynareader emulate-card --export-issuer-key PATH`` to check the records of this process's cards.
    """
    return new_rsa_key()


def card_face_issuer_public_pem() -> bytes:
    return test_card_face_issuer().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@lru_cache(maxsize=1)
def test_session_key_delivery_key() -> rsa.RSAPrivateKey:
    """The public key the 入力補助AP's EF 0006 offers for session-key delivery. Shared by the process's cards:
    the emulator implements no session-key command, so only the key's shape matters to clients."""
    return new_rsa_key()
