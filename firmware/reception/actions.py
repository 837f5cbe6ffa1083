"""Actions the reception flow asks the daemon to carry out, and the claims of a result.

Two kinds:

* **Outputs** (:class:`Show`, :class:`Beep`, :class:`DropSession`) are quick; the daemon does them at once, in order.
* **Requests** (:class:`Request` subclasses) start work on the card, the camera or the outbox. The daemon starts each
  one without blocking the flow and later feeds back an answer event carrying the same ``request_id``.

The PIN appears in exactly one action, :class:`VerifyPin`, and not even in its ``repr``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from firmware.reception.types import (
    BeepPattern,
    CardKind,
    EndReason,
    HostMode,
    IssuerSignature,
    Language,
    Liveness,
    ModeRefusal,
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


@dataclass(frozen=True, slots=True)
class Cancel(Action):
    """The flow no longer waits for the answer to request ``request_id`` (the patient switched to the PIN during a
    capture, a step timed out, the card left, the host cancelled): stop that work now — the camera stops, the card
    operation is abandoned at its next APDU. Whatever answer still comes is ignored. It never withdraws what is
    already durable: a result the outbox took is delivered."""

    request_id: int


@dataclass(frozen=True, slots=True)
class ModeRefused(Action):
    """The host asked for ``mode`` and the flow did not take it now; tell the host why (the line protocol's error
    to ``set_mode``). The mode in force is :attr:`ReceptionFlow.mode`."""

    mode: HostMode
    reason: ModeRefusal


# --- requests -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Request(Action):
    """Work for the daemon. Requests whose ``uses_host_nonce`` is True need the host's nonce: the daemon takes one
    nonce from the pool at the session's first such request and uses that same nonce for every later one of the
    session (the card's signature, the card-face AP's presence proof and the result must name one nonce); it forgets
    it at :class:`DropSession`. With no valid nonce it answers ``NonceUnavailable``. Any request may be answered
    ``RequestFailed``."""

    request_id: int

    uses_host_nonce: ClassVar[bool] = False


@dataclass(frozen=True, slots=True)
class ReadCard(Request):
    """Identify the card on ``reader`` (token label), read the auth certificate and the PIN tries left.
    Answer: ``CardRead`` or ``CardUnreadable``."""

    reader: ReaderRole = ReaderRole.CARD


@dataclass(frozen=True, slots=True)
class ScanCardFace(Request):
    """Read the card face with the card camera (照合番号B), then the card face record of the 券面事項確認AP (chip photo,
    card key) and its challenge proof. Answer: ``CardFaceRead`` or ``CardFaceNotRead``."""

    uses_host_nonce: ClassVar[bool] = True


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

    uses_host_nonce: ClassVar[bool] = True


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
    frames: int  # frames scored in the successful attempt


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

    uses_host_nonce: ClassVar[bool] = True

    claims: ReceptionClaims
