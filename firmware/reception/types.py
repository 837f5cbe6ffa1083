"""The words the reception flow speaks: small enums and value types shared by its events, actions and screens.

Everything here is plain data with no behaviour beyond validation, so that :mod:`display` and :mod:`protocol` can
mirror the values (the line protocol sends the ``.value`` strings) without importing the flow.
"""

from __future__ import annotations

from enum import StrEnum

from protocol.vocabulary import IssuerSignature as IssuerSignature
from protocol.vocabulary import Liveness as Liveness


class Language(StrEnum):
    """The language of a session's screens, voice prompts and consent wording."""

    JA = "ja"
    EN = "en"

    def other(self) -> Language:
        return Language.EN if self is Language.JA else Language.JA


class ReaderRole(StrEnum):
    """Which reader a card event came from: the card reader, or the separate generic NFC reader for smartphones."""

    CARD = "card"
    PHONE = "phone"


class CardKind(StrEnum):
    """What the card driver identified (by the JPKI token label, never by ATR)."""

    CARD = "card"  # JPKIAPICCTOKEN2: a My Number card
    ANDROID = "android"  # JPKIAPGPSETOKEN: the smartphone certificate on an Android phone
    IPHONE = "iphone"  # JPKIAPIOSTOKEN: the smartphone certificate on an iPhone
    JUKI = "juki"  # JPKIAPICCTOKEN: the old 住基カード (unsupported)
    UNKNOWN = "unknown"  # an IC card without the JPKI application (a credit card, a transit card, …)
    MUTE = "mute"  # a card was detected but its chip does not answer (no IC chip, or a broken one)

    @property
    def is_smartphone(self) -> bool:
        return self in (CardKind.ANDROID, CardKind.IPHONE)

    @property
    def is_supported_kind(self) -> bool:
        """True for the kinds the reception can use (a smartphone only where the device accepts smartphones)."""
        return self in (CardKind.CARD, CardKind.ANDROID, CardKind.IPHONE)


class Option(StrEnum):
    """A choice a screen offers on its buttons; the daemon maps a physical button to the option drawn beside it."""

    SMARTPHONE = "smartphone"
    IPHONE = "iphone"
    ANDROID = "android"
    FACE = "face"
    PIN = "pin"
    RETRY = "retry"
    CONTINUE = "continue"
    BACK = "back"
    AGREE = "agree"
    DISAGREE = "disagree"
    DISAGREE_OR_UNDER_40 = "disagree_or_under_40"
    PROVIDE = "provide"
    DONT_PROVIDE = "dont_provide"
    E_PRESCRIPTION = "e_prescription"
    PAPER_PRESCRIPTION = "paper_prescription"
    OK = "ok"
    # Drawn only on the staff screen, and honoured only while staff authority is present at the reader.
    CONFIRM_IDENTITY = "confirm_identity"
    REJECT_IDENTITY = "reject_identity"


class Key(StrEnum):
    """A key of the 3×4 keypad: ten digits, 訂正 (clear the entry) and 決定 (enter)."""

    D0 = "0"
    D1 = "1"
    D2 = "2"
    D3 = "3"
    D4 = "4"
    D5 = "5"
    D6 = "6"
    D7 = "7"
    D8 = "8"
    D9 = "9"
    CORRECT = "correct"
    ENTER = "enter"

    @property
    def is_digit(self) -> bool:
        return len(self.value) == 1


class FaceCue(StrEnum):
    """Guidance during a face capture attempt (from the face module) shown with the countdown."""

    LOOK_AT_CAMERA = "look_at_camera"
    MOVE_CLOSER = "move_closer"
    MOVE_BACK = "move_back"
    MORE_LIGHT = "more_light"
    HOLD_STILL = "hold_still"
    ONE_PERSON = "one_person"
    TURN_LEFT = "turn_left"  # liveness cue: turn your head
    TURN_RIGHT = "turn_right"


class CardFaceProblem(StrEnum):
    """Why the card-face scan (照合番号B → 券面事項確認AP) did not give the chip photo."""

    FACE_DOWN = "face_down"  # the camera saw the back of the card (the My Number side): discarded unread
    NOT_FOUND = "not_found"  # no card face in view, glare, out of focus
    UNREADABLE = "unreadable"  # the printed fields could not be read reliably
    COLLATION_LOCKED = "collation_locked"  # 照合番号B is locked (or has one try left and the device will not risk it)
    RECORD_INVALID = "record_invalid"  # the card face record or its photo is malformed

    @property
    def rescannable(self) -> bool:
        """True when the patient can fix it by placing the card again (face up, flat)."""
        return self in (CardFaceProblem.FACE_DOWN, CardFaceProblem.NOT_FOUND)


class PinUnavailable(StrEnum):
    """Why the PIN cannot be offered."""

    LOCKED = "locked"  # 3 wrong entries in a row; only the municipal office can reset it
    NOT_SET = "not_set"  # a PIN-less card (顔認証マイナンバーカード) or a PIN the card does not let us use


class FaceUnavailable(StrEnum):
    """Why face authentication cannot be offered (any more) in this session."""

    DISABLED = "disabled"  # no camera configured
    EXHAUSTED = "exhausted"  # the per-session bound of attempts is used up
    CARD_FACE_UNREADABLE = "card_face_unreadable"
    COLLATION_LOCKED = "collation_locked"
    CARD_FACE_UNVERIFIED = "card_face_unverified"  # the card key proof or the issuer signature failed
    DEVICE_FAULT = "device_fault"  # the face camera or the card-face camera failed


class CertificateProblem(StrEnum):
    """Why the 利用者証明用電子証明書 stops the reception."""

    EXPIRED = "expired"
    MISSING = "missing"  # the card carries no user-authentication certificate (not issued, or revoked and removed)


class StaffSource(StrEnum):
    """Where a staff member's authority for a visual check came from."""

    HOST = "host"  # the reception PC set the mode (the staff member named in that message)
    KEYSWITCH = "keyswitch"  # the staff keyswitch at the reader
    STAFF_CODE = "staff_code"  # a staff code typed on the keypad


class HostMode(StrEnum):
    """The mode the reception PC can set."""

    AUTO = "auto"
    VISUAL_CHECK = "visual_check"


class ModeRefusal(StrEnum):
    """Why the flow did not take a mode the host asked for."""

    PAST_AUTHENTICATION = "past_authentication"  # the session already verified the holder another way
    SMARTPHONE = "smartphone"  # a phone session: a visual check compares a face with a card photo, a phone has none
    BUSY = "busy"  # not at rest and no card session to take it (after a session, out of service, no host)


class StatusLight(StrEnum):
    """What the status LED shows, for staff at a distance."""

    OFF = "off"  # the reader cannot take patients: no host, or starting
    READY = "ready"  # steady: waiting for a card
    WORKING = "working"  # slow blink: a patient is at the reader
    FAULT = "fault"  # fast blink: out of service or a device fault


class PrescriptionFormat(StrEnum):
    ELECTRONIC = "electronic"
    PAPER = "paper"


class ReadingSubject(StrEnum):
    """What the "please wait" screen is waiting for."""

    CARD = "card"
    PIN_TRIES = "pin_tries"
    PIN = "pin"
    SIGNATURE = "signature"
    RESULT = "result"


class EndReason(StrEnum):
    """Why a session's data was dropped."""

    COMPLETED = "completed"
    CARD_REMOVED = "card_removed"
    TIMEOUT = "timeout"
    CANCELLED = "cancelled"
    OUT_OF_SERVICE = "out_of_service"
    DEVICE_FAULT = "device_fault"
    UNSUPPORTED_CARD = "unsupported_card"
    CARD_UNREADABLE = "card_unreadable"
    CERTIFICATE_UNUSABLE = "certificate_unusable"
    NOT_VERIFIED = "not_verified"


class BeepPattern(StrEnum):
    CARD_DETECTED = "card_detected"  # a short beep when a card or phone is detected
    SUCCESS = "success"  # 受付完了
    WARNING = "warning"  # last PIN try, certificate expiring soon
    ERROR = "error"  # a distinct error pattern
    REMINDER = "reminder"  # the card-forgotten reminder
