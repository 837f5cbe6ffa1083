"""The card-session service: the card operations of one reception on an open :class:`CardChannel`.

Blocking (each call is a few APDUs through pcscd): the daemon runs it on its card worker thread. Every method either
returns what the flow needs or raises the driver's typed error (:mod:`drivers.card.errors`); nothing is retried
here, because a retried VERIFY costs the patient a try.

What the result needs later — the auth certificate, the card's signature over the host nonce, the card-face AP's
key and presence signature, the issuer check — is kept in :attr:`CardSession.evidence`; the chip photo is handed to
the face matcher and kept nowhere else. :meth:`CardSession.drop` forgets all of it (the flow's ``DropSession``).
Nothing read is logged: the certificate names no person, and nothing else personal is read (the card face record's
other fields are discarded by the parser).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from drivers.card import errors
from drivers.card.card_face import CardFaceAp, SignatureCheck
from drivers.card.channel import CardChannel
from drivers.card.info import NO_USABLE_PIN, CardInfo, read_card_info
from drivers.card.jpki import AuthCertificate, JpkiAp, TokenKind
from protocol.results import card_presence_message, pin_signed_digest


class CardFaceRefusal(StrEnum):
    """Why the face path gave no chip photo (before or at 照合番号B)."""

    NO_APPLICATION = "no_application"  # a token without the 券面事項確認AP (smartphone, 住基カード)
    LOCKED = "locked"  # 照合番号B is locked
    LAST_TRY = "last_try"  # one try left: a misread value would lock it, so nothing is presented
    WRONG = "wrong"  # the card refused the value (a try was spent)


@dataclass(frozen=True, slots=True)
class CardFaceOutcome:
    """The face path's answer: the chip photo and what the card proved, or why not.

    ``photo`` is the JPEG 2000 of the chip (memory only; hand it to the face matcher and let go of it)."""

    refusal: CardFaceRefusal | None = None
    tries_left: int | None = None  # 照合番号B tries left before the VERIFY
    tries_after: int | None = None  # and after a VERIFY the card refused
    photo: bytes = field(default=b"", repr=False)
    card_key: SignatureCheck | None = None
    issuer_signature: SignatureCheck | None = None
    expiry: dt.date | None = None  # the card's expiry as the card face record states it

    @property
    def read(self) -> bool:
        return self.refusal is None


@dataclass(slots=True)
class SessionEvidence:
    """What the signed result will need of this card session; all of it is dropped with the session."""

    auth_certificate_der: bytes | None = None
    card_signature: bytes | None = None  # over the domain-separated host nonce (PIN and smartphone paths)
    card_face_key_der: bytes | None = None  # the 券面事項確認AP's public key (SubjectPublicKeyInfo DER)
    presence_signature: bytes | None = None  # that key's signature over the card-presence message and nonce
    issuer_signature: SignatureCheck | None = None

    def __repr__(self) -> str:
        held = [name for name in self.__slots__ if getattr(self, name) is not None]
        return f"SessionEvidence(holds {', '.join(held) or 'nothing'})"


class CardSession:
    """The card operations of one reception, in order. Not thread-safe: one worker owns it."""

    def __init__(self, channel: CardChannel) -> None:
        self.channel = channel
        self.evidence = SessionEvidence()
        self._jpki = JpkiAp(channel)
        self._certificate: AuthCertificate | None = None
        self._jpki_selected = False

    def identify(self) -> CardInfo:
        """What needs no PIN: the kind (token label), the auth certificate, the PIN tries, the card expiry."""
        info = read_card_info(self.channel)
        # read_card_info leaves the 共通AP selected on a card, the JPKI-AP on a phone
        self._jpki_selected = info.kind in (TokenKind.ANDROID, TokenKind.IPHONE)
        self._certificate = info.auth_certificate
        if info.auth_certificate is not None:
            self.evidence.auth_certificate_der = info.auth_certificate.der
        return info

    def _select_jpki(self) -> None:
        # Only when another AP was selected since: a SELECT would clear the PIN the card just verified.
        if not self._jpki_selected:
            self._jpki.select()
            self._jpki_selected = True

    def pin_tries_left(self) -> int | None:
        """The PIN's tries left (the empty VERIFY, which costs nothing); None when this token has no usable PIN."""
        self._select_jpki()
        try:
            return self._jpki.pin_tries_left()
        except NO_USABLE_PIN:
            return None

    def verify_pin(self, pin: str) -> None:
        """VERIFY the PIN: returns when correct; :class:`~drivers.card.errors.WrongPin` (tries left) or
        :class:`~drivers.card.errors.PinBlocked` otherwise. The digits are not kept."""
        self._select_jpki()
        self._jpki.verify_pin(pin)

    def sign_nonce(self, nonce: bytes) -> bytes:
        """The card signs the domain-separated host nonce with the user-authentication key (after the PIN, or on a
        phone after its holder agreed); checked against the certificate read in :meth:`identify`."""
        self._select_jpki()
        digest = pin_signed_digest(nonce)
        signature = self._jpki.sign(digest)
        if self._certificate is not None:
            try:
                self._certificate.public_key().verify(signature, digest, padding.PKCS1v15(),
                                                      Prehashed(hashes.SHA256()))  # fmt: skip
            except InvalidSignature:
                raise errors.MalformedResponse("the card's signature does not verify with its certificate") from None
        self.evidence.card_signature = signature
        return signature

    def read_card_face(self, collation_b: str, nonce: bytes | None, issuer_key: rsa.RSAPublicKey | None = None,
                       *, risk_last_try: bool = False) -> CardFaceOutcome:  # fmt: skip
        """The face path: read 照合番号B's tries, VERIFY it, read the card face record, and have the 券面事項確認AP
        prove its key over the card-presence message of ``nonce`` (None: a random challenge, for a check that
        makes no result).

        With one try left nothing is presented unless ``risk_last_try`` (a technician typing the value by hand):
        a misread value would lock the card's face path. The value is never kept."""
        ap = CardFaceAp(self.channel)
        self._jpki_selected = False
        try:
            ap.select()
        except errors.FileNotFound:
            return CardFaceOutcome(CardFaceRefusal.NO_APPLICATION)
        tries = ap.collation_b_tries_left()
        if tries == 0:
            return CardFaceOutcome(CardFaceRefusal.LOCKED, tries)
        if tries == 1 and not risk_last_try:
            return CardFaceOutcome(CardFaceRefusal.LAST_TRY, tries)
        try:
            ap.verify_collation_b(collation_b)
        except errors.WrongPin as exc:
            return CardFaceOutcome(CardFaceRefusal.WRONG, tries, exc.tries_left)
        except errors.PinBlocked:
            return CardFaceOutcome(CardFaceRefusal.LOCKED, tries, 0)
        challenge = None if nonce is None else card_presence_message(nonce)
        face = ap.read_card_face(issuer_key, challenge)
        assert face.card_key is not None  # read_card_face always asks the card
        evidence = self.evidence
        evidence.card_face_key_der = face.card_public_key_der
        evidence.presence_signature = face.card_key.signature
        evidence.issuer_signature = face.issuer_signature
        return CardFaceOutcome(None, tries, None, face.photo, face.card_key.result, face.issuer_signature, face.expiry)

    def drop(self) -> None:
        """Forget the session's evidence (the flow's ``DropSession``)."""
        self.evidence = SessionEvidence()
        self._certificate = None
