"""Card identification and the PIN-less reads, one emulated profile at a time."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.card import common_ap, errors
from drivers.card.channel import CardChannel
from drivers.card.info import PinState, read_card_info
from drivers.card.jpki import AuthCertificate, TokenKind

pytestmark = pytest.mark.pcsc

NOW = dt.datetime.now(dt.timezone.utc)


def info_for(insert_card, context, profile: str):
    inserted = insert_card(profile)
    with context.connect(inserted.reader) as connection:
        return read_card_info(CardChannel(connection))


def test_normal_card(insert_card, context) -> None:
    info = info_for(insert_card, context, "normal")
    assert (info.kind, info.token_label, info.supported, info.reason) == (TokenKind.CARD, "JPKIAPICCTOKEN2", True, None)
    assert info.pin_tries_left == 3
    assert info.card_expiry == dt.date(2035, 2, 17)
    cert = info.auth_certificate
    assert cert is not None and not cert.expired(NOW)
    # Valid to the end of the holder's 5th birthday after issue, JST (born 1980-02-17, issued 2025-03-10).
    assert cert.not_after == dt.datetime(2030, 2, 17, 14, 59, 59, tzinfo=dt.timezone.utc)
    assert cert.serial_hex == format(cert.serial, "x") and not cert.serial_hex.startswith("0")


def test_expired_and_expiring_certificates(insert_card, context) -> None:
    expired = info_for(insert_card, context, "cert-expired")
    assert expired.auth_certificate is not None and expired.auth_certificate.expired(NOW)
    assert expired.auth_certificate.days_left(NOW) < 0
    assert expired.supported  # the card is readable; the flow decides what to say
    expiring = info_for(insert_card, context, "cert-expiring")
    assert expiring.auth_certificate is not None
    assert 0 <= expiring.auth_certificate.days_left(NOW) <= 30


@pytest.mark.parametrize(
    ("profile", "kind", "label", "supported"),
    [
        ("android", TokenKind.ANDROID, "JPKIAPGPSETOKEN", True),
        ("iphone", TokenKind.IPHONE, "JPKIAPIOSTOKEN", True),
        ("juki", TokenKind.JUKI, "JPKIAPICCTOKEN", False),
    ],
)
def test_tokens_are_told_apart_by_label(insert_card, context, profile, kind, label, supported) -> None:
    info = info_for(insert_card, context, profile)
    assert (info.kind, info.token_label, info.supported) == (kind, label, supported)
    assert info.card_expiry is None  # smartphones and 住基カード have no 共通AP card record
    if supported:
        assert info.auth_certificate is not None
    else:
        assert info.auth_certificate is None and info.reason and "住基" in info.reason


def test_a_card_without_the_jpki_application_is_unknown(insert_card, context) -> None:
    from drivers.card.emulated.card import EmulatedCard

    inserted = insert_card(EmulatedCard(bytes.fromhex("3B8F8001804F0CA000000306030001000000006A"), []))
    with context.connect(inserted.reader) as connection:
        info = read_card_info(CardChannel(connection))
    assert (info.kind, info.supported, info.token_label) == (TokenKind.UNKNOWN, False, None)


@pytest.mark.parametrize(
    "record",
    [b"", b"\x01", b"\x01\x1c2035", b"\x01\x04abcd", b"\x02\x1c" + b"0" * 28, b"\x01\x1c" + b"0" * 20 + b"20351341"],
)
def test_card_information_record_parse_errors_are_typed(record: bytes) -> None:
    with pytest.raises(errors.MalformedResponse):
        common_ap.parse_card_expiry(record)


@settings(max_examples=300)
@given(st.binary(max_size=300))
def test_any_bytes_as_a_certificate_or_record_give_typed_errors(data: bytes) -> None:
    for parse in (AuthCertificate.from_der, common_ap.parse_card_expiry):
        try:
            parse(data)
        except errors.MalformedResponse:
            pass


def test_card_info_reads_a_card_that_chains_its_answers_with_61xx(insert_card, context) -> None:
    inserted = insert_card("quirky")
    with context.connect(inserted.reader) as connection:
        info = read_card_info(CardChannel(connection))
    assert info.pin_state is PinState.USABLE and info.pin_tries_left == 3
    assert info.auth_certificate is not None and info.card_expiry is not None
