"""The card session's results and the card driver's errors, as the reception flow's answers."""

from __future__ import annotations

from drivers.card import errors
from drivers.card.card_face import SignatureCheck
from drivers.card.info import CardInfo
from drivers.card.jpki import TokenKind
from firmware.card_session import CardFaceOutcome, CardFaceRefusal
from firmware.reception.events import (
    AuthCertificate,
    CardFaceNotRead,
    CardFaceRead,
    CardRead,
    CardUnreadable,
    PinRejected,
    PinTries,
    RequestFailed,
)
from firmware.reception.faults import Fault
from firmware.reception.types import CardFaceProblem, CardKind, IssuerSignature

CARD_KIND_OF_TOKEN: dict[TokenKind, CardKind] = {
    TokenKind.CARD: CardKind.CARD,
    TokenKind.ANDROID: CardKind.ANDROID,
    TokenKind.IPHONE: CardKind.IPHONE,
    TokenKind.JUKI: CardKind.JUKI,
    TokenKind.UNKNOWN: CardKind.UNKNOWN,
}
"""The driver's token kinds (by JPKI token label) as the flow's card kinds; a test keeps it total."""

ISSUER_SIGNATURE_OF_CHECK: dict[SignatureCheck, IssuerSignature] = {
    SignatureCheck.VERIFIED: IssuerSignature.VERIFIED,
    SignatureCheck.FAILED: IssuerSignature.FAILED,
    SignatureCheck.NOT_VERIFIABLE: IssuerSignature.NOT_VERIFIABLE,
}

CARD_FACE_PROBLEM_OF_REFUSAL: dict[CardFaceRefusal, CardFaceProblem] = {
    CardFaceRefusal.NO_APPLICATION: CardFaceProblem.RECORD_INVALID,
    CardFaceRefusal.LOCKED: CardFaceProblem.COLLATION_LOCKED,
    CardFaceRefusal.LAST_TRY: CardFaceProblem.COLLATION_LOCKED,
    CardFaceRefusal.WRONG: CardFaceProblem.UNREADABLE,  # the scan misread: never presented again this session
}


def card_read(request_id: int, info: CardInfo, now: float | None) -> CardRead:
    """``ReadCard``'s answer; ``now`` is the host-set clock in Unix seconds (None while unset)."""
    certificate = info.auth_certificate
    judged = None if certificate is None else AuthCertificate.judged(certificate.serial_hex, certificate.not_after,
                                                                     now)  # fmt: skip
    return CardRead(request_id, CARD_KIND_OF_TOKEN[info.kind], judged, info.pin_tries_left)


def failure_code(error: Exception) -> str:
    """The fault code a card error shows on the device-error screen and in the log (never its message: a
    status word's trace may name the command)."""
    if isinstance(error, errors.NoReader):
        return Fault.CARD_READER_MISSING.value
    if isinstance(error, errors.ServiceUnavailable):
        return Fault.CARD_SERVICE.value
    if isinstance(error, errors.CardRemovedError):
        return "card.removed"
    if isinstance(error, errors.StatusWordError):
        return f"card.sw.{error.sw:04X}"
    if isinstance(error, errors.MalformedResponse):
        return "card.malformed"
    return Fault.CARD_IO.value


def read_failed(request_id: int, error: Exception) -> CardRead | CardUnreadable | RequestFailed:
    """``ReadCard`` went wrong: a card whose chip does not answer is a mute card, one that answers wrongly is
    unreadable; a reader or service that fails is a device failure."""
    if isinstance(error, errors.MuteCard):
        return CardRead(request_id, CardKind.MUTE)
    code = failure_code(error)
    if isinstance(error, (errors.MalformedResponse, errors.StatusWordError)):
        return CardUnreadable(request_id, code)
    return RequestFailed(request_id, code)


def pin_tries(request_id: int, tries: int | None) -> PinTries:
    return PinTries(request_id, tries)


def pin_refused(request_id: int, error: Exception) -> PinRejected | RequestFailed:
    """``VerifyPin`` did not pass: a wrong PIN (tries left), a locked one (0), or a device failure."""
    if isinstance(error, errors.WrongPin):
        return PinRejected(request_id, error.tries_left)
    if isinstance(error, errors.PinBlocked):
        return PinRejected(request_id, 0)
    return RequestFailed(request_id, failure_code(error))


def card_face_answer(request_id: int, outcome: CardFaceOutcome) -> CardFaceRead | CardFaceNotRead:
    """``ScanCardFace``'s answer from the card side (the card-face camera's own problems are answered by the scan)."""
    if outcome.refusal is not None:
        return CardFaceNotRead(request_id, CARD_FACE_PROBLEM_OF_REFUSAL[outcome.refusal])
    assert outcome.card_key is not None and outcome.issuer_signature is not None
    return CardFaceRead(request_id, outcome.card_key is SignatureCheck.VERIFIED,
                        ISSUER_SIGNATURE_OF_CHECK[outcome.issuer_signature])  # fmt: skip
