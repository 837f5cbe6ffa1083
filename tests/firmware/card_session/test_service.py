"""The card-session service through pyscard → pcscd → vpcd → the emulated card: what each step returns, what the
evidence holds, and that 照合番号B is never presented with one try left."""

from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from drivers.card import errors
from drivers.card.card_face import SignatureCheck
from drivers.card.channel import CardChannel, Exchange
from drivers.card.emulated import pki
from drivers.card.jpki import TokenKind
from firmware.card_session import CardFaceRefusal, CardSession
from protocol.results import card_presence_message, pin_signed_message

CODE_B = "55021720352285"
NONCE = bytes(range(16))

pytestmark = pytest.mark.pcsc


def session_on(context, reader: str) -> tuple[CardSession, list[Exchange]]:
    channel = CardChannel(context.connect(reader))
    log: list[Exchange] = []
    channel.observers.append(log.append)
    return CardSession(channel), log


def verifies(key: object, signature: bytes, message: bytes) -> bool:
    assert isinstance(key, rsa.RSAPublicKey)
    try:
        key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def test_the_pin_path_signs_the_domain_separated_nonce(insert_card, context) -> None:
    inserted = insert_card("normal", pin="1234")
    session, _ = session_on(context, inserted.reader)
    info = session.identify()
    assert info.kind is TokenKind.CARD and session.pin_tries_left() == 3
    with pytest.raises(errors.WrongPin) as wrong:
        session.verify_pin("9999")
    assert wrong.value.tries_left == 2 and session.pin_tries_left() == 2
    session.verify_pin("1234")
    signature = session.sign_nonce(NONCE)
    assert info.auth_certificate is not None
    assert verifies(info.auth_certificate.public_key(), signature, pin_signed_message(NONCE))
    assert session.evidence.card_signature == signature
    assert session.evidence.auth_certificate_der == info.auth_certificate.der
    assert "holds auth_certificate_der, card_signature" in repr(session.evidence)
    assert signature.hex() not in repr(session.evidence)
    session.drop()
    assert session.evidence.card_signature is None and session.evidence.auth_certificate_der is None


def test_the_face_path_proves_the_card_face_key_over_the_nonce(insert_card, context) -> None:
    inserted = insert_card("normal")
    session, _ = session_on(context, inserted.reader)
    session.identify()
    outcome = session.read_card_face(CODE_B, NONCE, pki.test_card_face_issuer().public_key())
    assert outcome.read and outcome.tries_left == 10 and outcome.photo == inserted.card.face.photo  # type: ignore[union-attr]
    assert (outcome.card_key, outcome.issuer_signature) == (SignatureCheck.VERIFIED, SignatureCheck.VERIFIED)
    evidence = session.evidence
    assert evidence.card_face_key_der is not None and evidence.presence_signature is not None
    key = serialization.load_der_public_key(evidence.card_face_key_der)
    assert verifies(key, evidence.presence_signature, card_presence_message(NONCE))
    assert not verifies(key, evidence.presence_signature, card_presence_message(bytes(16)))
    assert "photo" not in repr(outcome) or outcome.photo[:8].hex() not in repr(outcome)


def test_a_wrong_value_costs_a_try_and_says_how_many_are_left(insert_card, context) -> None:
    inserted = insert_card("normal")
    session, _ = session_on(context, inserted.reader)
    outcome = session.read_card_face("55021720359999", NONCE)
    assert (outcome.refusal, outcome.tries_left, outcome.tries_after) == (CardFaceRefusal.WRONG, 10, 9)
    assert outcome.photo == b"" and session.evidence.presence_signature is None


@pytest.mark.parametrize(("profile", "refusal"), [("collation-one-try-left", CardFaceRefusal.LAST_TRY),
                                                  ("collation-locked", CardFaceRefusal.LOCKED)])
def test_nothing_is_presented_with_one_try_left_or_locked(insert_card, context, profile: str,
                                                          refusal: CardFaceRefusal) -> None:
    inserted = insert_card(profile)
    session, log = session_on(context, inserted.reader)
    outcome = session.read_card_face(CODE_B, NONCE)
    assert outcome.refusal is refusal
    verifies_with_data = [e for e in log if e.name == "VERIFY" and e.sent > 5]
    assert verifies_with_data == [], "照合番号B was presented"


def test_a_token_without_the_card_face_application_is_refused_before_any_verify(insert_card, context) -> None:
    inserted = insert_card("android")
    session, log = session_on(context, inserted.reader)
    assert session.identify().kind is TokenKind.ANDROID
    assert session.read_card_face(CODE_B, NONCE).refusal is CardFaceRefusal.NO_APPLICATION
    assert not [e for e in log if e.name == "VERIFY" and e.sent > 5]
