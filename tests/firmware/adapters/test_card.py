"""Card results and driver errors as the flow's answers; the paired vocabularies agree."""

from __future__ import annotations

import datetime as dt

import pytest

from drivers.card import errors
from drivers.card.card_face import SignatureCheck
from drivers.card.emulated import pki
from drivers.card.info import CardInfo
from drivers.card.jpki import AuthCertificate, TokenKind
from firmware.adapters import card
from firmware.card_session import CardFaceOutcome, CardFaceRefusal
from firmware.reception.events import (
    CardFaceNotRead,
    CardFaceRead,
    CardRead,
    CardUnreadable,
    PinRejected,
    RequestFailed,
)
from firmware.reception.types import CardFaceProblem, CardKind, IssuerSignature


def test_every_token_kind_is_a_card_kind_of_the_same_name() -> None:
    assert set(card.CARD_KIND_OF_TOKEN) == set(TokenKind)
    assert all(kind.value == token.value for token, kind in card.CARD_KIND_OF_TOKEN.items())
    assert set(CardKind) - set(card.CARD_KIND_OF_TOKEN.values()) == {CardKind.MUTE}  # a mute card has no token


def test_every_signature_check_and_refusal_has_an_answer() -> None:
    assert set(card.ISSUER_SIGNATURE_OF_CHECK) == set(SignatureCheck)
    assert set(card.CARD_FACE_PROBLEM_OF_REFUSAL) == set(CardFaceRefusal)
    assert {v.value for v in IssuerSignature} == {v.value for v in SignatureCheck}  # the driver and the result agree


def test_a_card_read_is_judged_on_the_host_clock() -> None:
    creds = pki.issue_auth_certificate(pki.test_ca(), dt.date(1980, 2, 17), dt.date(2025, 4, 1))
    cert = AuthCertificate.from_der(creds.auth_certificate_der)
    info = CardInfo(TokenKind.CARD, "JPKIAPICCTOKEN2", cert, 3, None)
    now = (cert.not_after - dt.timedelta(days=10, hours=1)).timestamp()
    answer = card.card_read(7, info, now)
    assert answer.kind is CardKind.CARD and answer.pin_tries_left == 3
    assert answer.certificate is not None and answer.certificate.days_left == 10
    assert card.card_read(7, info, None).certificate.days_left is None  # type: ignore[union-attr]


@pytest.mark.parametrize(("error", "answer", "code"), [
    (errors.MalformedResponse("bad TLV"), CardUnreadable, "card.malformed"),
    (errors.FileNotFound(0x6A82, "SELECT EF"), CardUnreadable, "card.sw.6A82"),
    (errors.NoReader("gone"), RequestFailed, "card.reader_missing"),
    (errors.ServiceUnavailable("pcscd"), RequestFailed, "card.service"),
    (errors.CardRemovedError("pulled"), RequestFailed, "card.removed"),
    (errors.CardCommunicationError("io"), RequestFailed, "card.io"),
])  # fmt: skip
def test_a_read_that_fails_is_unreadable_or_a_device_failure(error: Exception, answer: type, code: str) -> None:
    out = card.read_failed(3, error)
    assert type(out) is answer and out.code == code and "TLV" not in out.code


def test_a_mute_card_is_read_as_mute() -> None:
    assert card.read_failed(3, errors.MuteCard("no answer")) == CardRead(3, CardKind.MUTE)


def test_pin_refusals() -> None:
    assert card.pin_refused(4, errors.WrongPin(0x63C1, "VERIFY", 1)) == PinRejected(4, 1)
    assert card.pin_refused(4, errors.PinBlocked(0x6983, "VERIFY")) == PinRejected(4, 0)
    assert card.pin_refused(4, errors.CardRemovedError("pulled")) == RequestFailed(4, "card.removed")


def test_card_face_outcomes() -> None:
    read = CardFaceOutcome(None, 10, None, b"jp2", SignatureCheck.VERIFIED, SignatureCheck.NOT_VERIFIABLE)
    assert card.card_face_answer(5, read) == CardFaceRead(5, True, IssuerSignature.NOT_VERIFIABLE)
    forged = CardFaceOutcome(None, 10, None, b"jp2", SignatureCheck.FAILED, SignatureCheck.VERIFIED)
    assert card.card_face_answer(5, forged) == CardFaceRead(5, False, IssuerSignature.VERIFIED)
    last = CardFaceOutcome(CardFaceRefusal.LAST_TRY, 1)
    assert card.card_face_answer(5, last) == CardFaceNotRead(5, CardFaceProblem.COLLATION_LOCKED)
    wrong = CardFaceOutcome(CardFaceRefusal.WRONG, 10, 9)
    assert not card.card_face_answer(5, wrong).problem.rescannable  # type: ignore[union-attr]
