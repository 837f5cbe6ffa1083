"""Actions the reception flow asks the daemon to carry out, and the claims of a result.

Two kinds:

* **Outputs** (:class:`Show`, :class:`Beep`, :class:`DropSession`) are quick; the daemon does them at once, in order.
* **Requests** (:class:`Request` subclasses) start work on the card, the camera or the outbox. The daemon starts each
  one without blocking the flow and later feeds back an answer event carrying the same ``request_id``.

The PIN appears in exactly one action, :class:`VerifyPin`, and not even in its ``repr``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from firmware.reception.types import (
    BeepPattern,
    CardKind,
    EndReason,
    IssuerSignature,
    Language,
    Liveness,
    PrescriptionFormat,
    ReaderRole,
    StaffSource,
)
from protocol.vocabulary import ASSURANCE_OF, Assurance, Method
from firmware.reception.screens import Screen


class Action:
    """Base of every action."""

    __slots__ = ()


# --- outputs --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Show(Action):
    """Draw this screen (and speak its prompt, if it asks something)."""

    screen: Screen


@dataclass(frozen=True, slots=True)
class Beep(Action):
    """Sound a pattern on the buzzer (card detected, success, warning, error, card-forgotten reminder)."""

    pattern: BeepPattern


@dataclass(frozen=True, slots=True)
class DropSession(Action):
    """Forget everything of this session now: certificate, card face record, chip photo, face images and embeddings,
    signatures. A result already handed over by :class:`EmitResult` is not withdrawn."""

    reason: EndReason


# --- requests -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Request(Action):
    request_id: int


@dataclass(frozen=True, slots=True)
class ReadCard(Request):
    """Identify the card on ``reader`` (token label), read the auth certificate and the PIN tries left.
    Answer: ``CardRead`` or ``CardUnreadable``."""

    reader: ReaderRole = ReaderRole.CARD


@dataclass(frozen=True, slots=True)
class ScanCardFace(Request):
    """Read the card face with the card camera (照合番号B), then the card face record of the 券面事項確認AP (chip photo,
    card key) and its challenge proof. Answer: ``CardFaceRead`` or ``CardFaceNotRead``."""


@dataclass(frozen=True, slots=True)
class CaptureFace(Request):
    """One face attempt against the chip photo, with liveness, within ``seconds``; send ``FaceGuidance`` while it
    runs. Answer: ``FaceResult`` or ``FaceNotCaptured``."""

    attempt: int
    max_attempts: int
    seconds: float


@dataclass(frozen=True, slots=True)
class ReadPinTries(Request):
    """Read the tries left of the PIN with an empty VERIFY (costs nothing). Answer: ``PinTries``."""


@dataclass(frozen=True, slots=True)
class VerifyPin(Request):
    """VERIFY the PIN the patient typed. The only place the digits exist outside the keypad; the daemon hands them to
    the card driver and lets go of them. Answer: ``PinVerified`` or ``PinRejected``."""

    pin: str = field(default="", repr=False)

    def __repr__(self) -> str:
        return f"VerifyPin(request_id={self.request_id}, pin=<{len(self.pin)} digits>)"


@dataclass(frozen=True, slots=True)
class SignChallenge(Request):
    """Ask the card (or phone) to sign the domain-separated host nonce with the user-authentication key (an iPhone
    asks its holder first). Answer: ``Signed`` or ``SignRefused``."""


# --- results --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConsentAnswers:
    medical: bool  # ① 診療・お薬情報
    checkup: bool  # ② 特定健診情報 (False also for 同意しない・40歳未満)
    limit: bool  # 限度額情報 (to provide)
    prescription: PrescriptionFormat | None = None  # 処方箋形式, where configured


@dataclass(frozen=True, slots=True)
class StaffAttestation:
    staff_id: str
    source: StaffSource


@dataclass(frozen=True, slots=True)
class FaceMatch:
    score: float
    threshold: float
    liveness: Liveness
    attempts: int  # attempts used in this session, the successful one included


@dataclass(frozen=True, slots=True)
class CardFaceProof:
    card_key_verified: bool  # the 券面事項確認AP signed a fresh challenge with its key
    issuer_signature: IssuerSignature


@dataclass(frozen=True, slots=True)
class ReceptionClaims:
    """What the flow knows for the signed result. The daemon adds what it holds: the certificate itself, the card's
    signature over the nonce, the card face record's proofs, device identity and time."""

    method: Method
    card_kind: CardKind
    certificate_serial: str
    consents: ConsentAnswers
    consent_wording_version: str
    language: Language
    staff: StaffAttestation | None = None
    face: FaceMatch | None = None
    card_face: CardFaceProof | None = None

    @property
    def assurance(self) -> Assurance:
        """What the method proves (the protocol's rule: the flow does not restate it)."""
        return ASSURANCE_OF[self.method]


@dataclass(frozen=True, slots=True)
class EmitResult(Request):
    """Build, sign and queue the result. The daemon takes what it needs from the session when it starts this action
    (a following ``DropSession`` does not cancel it). Answer: ``ResultAccepted``."""

    claims: ReceptionClaims
