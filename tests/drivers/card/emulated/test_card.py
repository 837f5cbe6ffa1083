"""The emulated card's interpreter on its own (no pcscd): the card behaviour docs/card.md describes."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from drivers.card.emulated import profiles
from drivers.card.emulated.card import EmulatedCard, PinKey

SELECT_JPKI = bytes.fromhex("00A4040C0AD392F000260100000001")
SELECT_COMMON = bytes.fromhex("00A4040C0AD3921000310001010100")


@pytest.fixture(scope="module")
def pristine() -> EmulatedCard:
    return profiles.build("normal", pin="1234")


@pytest.fixture
def card(pristine: EmulatedCard) -> EmulatedCard:
    pristine.power_on()
    key = pristine.applications[0].files[0x0018]
    assert isinstance(key, PinKey)
    key.remaining = key.max_tries
    return pristine


def run(card: EmulatedCard, hex_apdu: str | bytes) -> bytes:
    return card.process(bytes.fromhex(hex_apdu) if isinstance(hex_apdu, str) else hex_apdu)


def test_unknown_aids_and_files_answer_6a82(card: EmulatedCard) -> None:
    assert run(card, "00A4040C07A0000000030000") == b"\x6a\x82"
    assert run(card, "00A4020C023F00") == b"\x6a\x82"  # no DF selected, and no MF to select
    assert run(card, SELECT_JPKI) == b"\x90\x00"
    assert run(card, "00A4020C020099") == b"\x6a\x82"
    assert run(card, "00A4000C023F00") == b"\x6a\x86"


def test_files_are_padded_and_reads_past_the_end_are_refused(card: EmulatedCard) -> None:
    run(card, SELECT_JPKI)
    token = run(card, "00B0860000")  # 160-byte EF asked for 256: a short answer, not an error
    assert len(token) == 160 + 2 and token.endswith(b"\x90\x00")
    assert run(card, "00B000A000") == b"\x6b\x00"
    cert = run(card, "00B08A0004")[:4]
    assert cert[:2] == b"\x30\x82"
    size = int.from_bytes(cert[2:4], "big") + 4
    tail = run(card, bytes.fromhex("00B0") + size.to_bytes(2, "big") + b"\x10")
    assert tail == b"\xff" * 16 + b"\x90\x00"  # filler after the certificate


def test_security_state_is_per_df_and_lost_on_power_cycle(card: EmulatedCard) -> None:
    digest_info = bytes.fromhex("3031300d060960864801650304020105000420") + hashlib.sha256(b"n").digest()
    sign = bytes.fromhex("802A009733") + digest_info + b"\x00"
    run(card, SELECT_JPKI)
    assert run(card, sign) == b"\x69\x82"
    assert run(card, "002000980431323334") == b"\x90\x00"
    signature = run(card, sign)
    assert signature.endswith(b"\x90\x00") and len(signature) == 258
    creds_key = card.applications[0].files[0x0017]
    creds_key.key.public_key().verify(  # type: ignore[union-attr]
        signature[:-2], b"n", padding.PKCS1v15(), hashes.SHA256()
    )
    run(card, SELECT_COMMON)
    run(card, SELECT_JPKI)
    assert run(card, sign) == b"\x69\x82"  # SELECT of a DF dropped the verified state
    assert run(card, "002000980431323334") == b"\x90\x00"
    card.power_off()
    card.power_on()
    run(card, SELECT_JPKI)
    assert run(card, sign) == b"\x69\x82"  # so did the power cycle


def test_retry_counter_survives_power_cycles_and_locks(card: EmulatedCard) -> None:
    run(card, SELECT_JPKI)
    assert run(card, "00200098") == b"\x63\xc3"
    assert run(card, "002000980430303030") == b"\x63\xc2"
    card.power_off()
    card.power_on()
    run(card, SELECT_JPKI)
    assert run(card, "00200098") == b"\x63\xc2"
    assert run(card, "002000980430303030") == b"\x63\xc1"
    assert run(card, "002000980430303030") == b"\x63\xc0"
    assert run(card, "002000980431323334") == b"\x69\x84"  # locked: even the right PIN
    assert run(card, "00200098") == b"\x63\xc0"


def test_class_bytes_and_malformed_apdus(card: EmulatedCard) -> None:
    assert run(card, "0CA4040C0AD392F000260100000001") == b"\x68\x82"  # secure messaging
    assert run(card, "0CB0000000") == b"\x69\xfc"
    assert run(card, "01A4040C0AD392F000260100000001") == b"\x68\x81"  # logical channel
    assert run(card, "A0A4040C0AD392F000260100000001") == b"\x6e\x00"
    assert run(card, "00CA5F5100") == b"\x6d\x00"
    assert run(card, "00A4040C0AD392F0") == b"\x67\x00"  # Lc longer than the data
    assert run(card, "00A4") == b"\x67\x00"


def test_the_sign_password_side_answers_like_opensc_expects(card: EmulatedCard) -> None:
    run(card, SELECT_JPKI)
    assert run(card, "00A4020C02001B") == b"\x90\x00"
    assert run(card, "00200080") == b"\x63\xc5"
    assert run(card, "00B0000004") == b"\x69\x81"  # a key EF is not readable
    assert run(card, "00A4020C020001") == b"\x90\x00"
    assert run(card, "00B0000004") == b"\x69\x82"  # the signature certificate needs the password


def test_the_repr_of_a_card_shows_none_of_the_holders_data() -> None:
    card = profiles.build("normal", pin="8461")
    face = card.face
    assert face is not None
    text = repr(card)
    held = [face.my_number, face.birth.strftime("%Y%m%d"), repr(face.birth), face.name, face.address[0],
               face.collation_b, "8461"]
    for secret in held:
        assert secret not in text
        assert repr(secret.encode())[2:-1] not in text  # nor as bytes in a file's repr


@pytest.mark.parametrize(("profile", "answer"), [("iphone", b"\x90\x00"), ("android", b"\x69\x82")])
def test_an_iphone_signs_once_its_holder_approved_on_the_phone_and_an_android_needs_the_pin(
        profile: str, answer: bytes) -> None:  # fmt: skip
    phone = profiles.build(profile)
    phone.power_on()
    digest_info = bytes.fromhex("3031300d060960864801650304020105000420") + hashlib.sha256(b"n").digest()
    run(phone, SELECT_JPKI)
    assert run(phone, bytes.fromhex("802A009733") + digest_info + b"\x00")[-2:] == answer
