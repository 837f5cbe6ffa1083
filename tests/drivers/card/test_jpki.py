"""The JPKI-AP through pyscard → pcscd → vpcd → the emulated card."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.x509.oid import NameOID

from drivers.card import errors
from drivers.card.channel import CardChannel, Exchange
from drivers.card.emulated import profiles
from drivers.card.emulated.card import BinaryFile, PinKey
from drivers.card.jpki import EF_AUTH_PIN, JpkiAp
from drivers.card.pcsc import PcscContext

pytestmark = pytest.mark.pcsc

PIN = "8461"
WRONG = "5973"


def open_jpki(context: PcscContext, reader: str) -> tuple[JpkiAp, list[Exchange]]:
    channel = CardChannel(context.connect(reader))
    log: list[Exchange] = []
    channel.observers.append(log.append)
    jpki = JpkiAp(channel)
    jpki.select()
    return jpki, log


def pin_key(card: profiles.EmulatedCard) -> PinKey:
    key = card.applications[0].files[EF_AUTH_PIN]
    assert isinstance(key, PinKey)
    return key


def test_reads_label_and_the_same_certificate_the_card_holds(insert_card, context) -> None:
    inserted = insert_card("normal", pin=PIN)
    jpki, log = open_jpki(context, inserted.reader)
    assert jpki.token_label() == "JPKIAPICCTOKEN2"
    cert = jpki.auth_certificate()
    assert cert.der == inserted.card.applications[0].files[0x000A].data  # type: ignore[union-attr]
    # Card inserted → token label + certificate: SELECT AP, label, 5 chunks of the ~1.1 KB certificate.
    assert len(log) <= 8
    cert.certificate.verify_directly_issued_by(jpki.auth_ca_certificate())


def test_pin_round_is_at_most_four_apdus_and_the_signature_verifies(insert_card, context) -> None:
    inserted = insert_card("normal", pin=PIN)
    jpki, log = open_jpki(context, inserted.reader)
    cert = jpki.auth_certificate()
    log.clear()
    assert jpki.pin_tries_left() == 3
    jpki.verify_pin(PIN)
    digest = hashlib.sha256(b"nonce").digest()
    signature = jpki.sign(digest)
    assert len(log) <= 4
    cert.certificate.public_key().verify(signature, b"nonce", padding.PKCS1v15(), hashes.SHA256())  # type: ignore[call-arg,union-attr]


def test_a_wrong_pin_costs_exactly_one_try_and_a_right_one_resets_the_counter(insert_card, context) -> None:
    inserted = insert_card("normal", pin=PIN)
    jpki, _ = open_jpki(context, inserted.reader)
    with pytest.raises(errors.WrongPin) as caught:
        jpki.verify_pin(WRONG)
    assert caught.value.tries_left == 2
    assert pin_key(inserted.card).remaining == 2
    assert jpki.pin_tries_left() == 2
    jpki.verify_pin(PIN)
    assert pin_key(inserted.card).remaining == 3


def test_a_pin_that_is_not_four_ascii_digits_is_refused_before_any_apdu(insert_card, context) -> None:
    inserted = insert_card("normal", pin=PIN)
    jpki, log = open_jpki(context, inserted.reader)
    log.clear()
    count = inserted.card.apdu_count
    for bad in ["123", "12345", "12a4", "１２３４", "١٢٣٤", "", "12 4", "846\n", None, 8461]:
        with pytest.raises(errors.InvalidPinFormat):
            jpki.verify_pin(bad)  # type: ignore[arg-type]
    assert log == [] and inserted.card.apdu_count == count
    assert pin_key(inserted.card).remaining == 3


def test_signing_before_verify_is_refused(insert_card, context) -> None:
    inserted = insert_card("normal")
    jpki, _ = open_jpki(context, inserted.reader)
    with pytest.raises(errors.SecurityStatusNotSatisfied) as caught:
        jpki.sign(bytes(32))
    assert caught.value.sw == 0x6982


def test_one_try_left_and_locked_profiles(insert_card, context) -> None:
    inserted = insert_card("one-try-left", pin=PIN)
    jpki, _ = open_jpki(context, inserted.reader)
    assert jpki.pin_tries_left() == 1
    with pytest.raises(errors.PinBlocked):
        jpki.verify_pin(WRONG)
    assert jpki.pin_tries_left() == 0
    with pytest.raises(errors.PinBlocked) as caught:
        jpki.verify_pin(PIN)  # even the right PIN: the card answers 6984
    assert caught.value.sw == 0x6984
    inserted.remove()

    locked = insert_card("pin-locked", pin=PIN)
    jpki, _ = open_jpki(context, locked.reader)
    assert jpki.pin_tries_left() == 0


def test_verify_data_is_redacted_in_the_apdu_log(insert_card, context, caplog) -> None:
    inserted = insert_card("normal", pin=PIN)
    caplog.set_level(logging.DEBUG, logger="drivers.card.apdu")
    jpki, _ = open_jpki(context, inserted.reader)
    with pytest.raises(errors.WrongPin) as caught:
        jpki.verify_pin(WRONG)
    jpki.verify_pin(PIN)
    text = caplog.text + str(caught.value) + repr(caught.value)
    assert "VERIFY" in caplog.text
    for secret in (PIN, WRONG):
        assert secret not in text
        assert secret.encode().hex() not in text.replace(" ", "").lower()


def test_cards_that_refuse_sfi_addressing_are_read_with_select(insert_card, context) -> None:
    card = profiles.build("normal", pin=PIN)

    def refuse_sfi(_card: object, apdu: bytes) -> bytes | None:
        ins, p1, p2 = apdu[1], apdu[2], apdu[3]
        if (ins == 0xB0 and p1 & 0x80) or (ins in (0x20, 0x2A) and p2 not in (0x00, 0x80)):
            return b"\x6a\x86"
        return None

    card.quirks.append(refuse_sfi)
    inserted = insert_card(card)
    jpki, log = open_jpki(context, inserted.reader)
    assert jpki.token_label() == "JPKIAPICCTOKEN2"
    cert = jpki.auth_certificate()
    assert jpki.pin_tries_left() == 3
    jpki.verify_pin(PIN)
    cert.certificate.public_key().verify(  # type: ignore[call-arg,union-attr]
        jpki.sign(hashlib.sha256(b"x").digest()), b"x", padding.PKCS1v15(), hashes.SHA256()
    )
    assert pin_key(inserted.card).remaining == 3
    # One refused SFI read, then SELECT EF before each file and key.
    assert sum(1 for e in log if e.sw == 0x6A86) == 1


def ec_certificate_der() -> bytes:
    """A well-formed certificate whose key is EC, which no JPKI card carries."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "TEST EC")])
    now = dt.datetime.now(dt.timezone.utc)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
            .sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER))


@pytest.mark.parametrize("broken", ["version", "ec-key", "unknown-key-algorithm"])
def test_a_certificate_with_a_bad_version_or_a_non_rsa_key_is_malformed(insert_card, context, broken) -> None:
    """``unknown-key-algorithm`` (issue 15, point 4): a key type cryptography does not know raised its
    UnsupportedAlgorithm, no ValueError, out of the driver (``mynareader card info`` printed a traceback)."""
    card = profiles.build("normal", pin=PIN)
    files = card.applications[0].files
    if broken == "version":
        # The certificate's version INTEGER (v3 = 2) is the 13th byte: 30 82 LL LL 30 82 LL LL A0 03 02 01 <02>.
        for fid in (0x000A, 0x000B):
            good = files[fid]
            assert isinstance(good, BinaryFile) and good.data[8:12] == bytes.fromhex("a0030201")
            files[fid] = BinaryFile(good.data[:12] + b"\x05" + good.data[13:], size=good.size)
    elif broken == "ec-key":
        files[0x000A] = BinaryFile(ec_certificate_der(), size=0x0800)
    else:
        good = files[0x000A]
        assert isinstance(good, BinaryFile)
        rsa_encryption = bytes.fromhex("2a864886f70d010101")  # the key's OID, 1.2.840.113549.1.1.1
        assert good.data.count(rsa_encryption) == 1
        files[0x000A] = BinaryFile(good.data.replace(rsa_encryption, rsa_encryption[:-1] + b"\x63"), size=good.size)
    inserted = insert_card(card)
    jpki, _ = open_jpki(context, inserted.reader)
    with pytest.raises(errors.MalformedResponse):
        jpki.auth_certificate()
    if broken == "version":
        with pytest.raises(errors.MalformedResponse):
            jpki.auth_ca_certificate()


def test_a_card_using_61xx_6282_and_9000_on_the_empty_verify_is_read_and_counted(insert_card, context) -> None:
    inserted = insert_card("quirky", pin=PIN)
    jpki, log = open_jpki(context, inserted.reader)
    cert = jpki.auth_certificate()
    assert cert.der == inserted.card.applications[0].files[0x000A].data  # type: ignore[union-attr]
    assert any(e.name == "GET RESPONSE" for e in log)
    assert jpki.files.read_bytes(0x0008, 16) == b"\x8f\x8f\x00"  # a 3-byte EF: data with 6282
    assert log[-1].sw == 0x6282
    assert jpki.pin_tries_left() == 3
    jpki.verify_pin(PIN)
    assert jpki.pin_tries_left() == 3 and log[-1].sw == 0x9000  # verified: no counter, reported as full
    jpki.sign(hashlib.sha256(b"nonce").digest())
