"""The screen catalogue: every screen the front panel can show, with the parameters it needs to draw it.

The reception flow (:mod:`firmware.reception`) decides *which* screen and *with what*; :mod:`display` decides how it
looks (wording per language, layout per panel, which physical button carries which option). A screen is a frozen
dataclass; its class attribute ``id`` names it, its fields are its parameters, ``options`` lists the choices drawn on
its buttons (in display order). Secrets never reach a screen: PIN entry carries only the count of digits typed.

``CATALOGUE`` maps every :class:`ScreenId` to its class; ``Screen.to_dict()`` gives the parameters as plain JSON-able
values (enums as their string values) for the renderer, the line protocol and golden-image file names.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import ClassVar

from firmware.reception.types import (
    CardFaceProblem,
    CardKind,
    CertificateProblem,
    FaceCue,
    FaceUnavailable,
    Language,
    Option,
    PinUnavailable,
    ReadingSubject,
    StaffSource,
)


class ScreenId(StrEnum):
    INSERT_CARD = "insert_card"
    READING = "reading"
    UNSUPPORTED_CARD = "unsupported_card"
    CARD_UNREADABLE = "card_unreadable"
    CHOOSE_PHONE = "choose_phone"
    HOLD_PHONE = "hold_phone"
    PHONE_AUTHORISE = "phone_authorise"
    CHOOSE_METHOD = "choose_method"
    CARD_FACE_SCAN = "card_face_scan"
    FACE_GUIDANCE = "face_guidance"
    FACE_RETRY = "face_retry"
    PIN_LAST_TRY_WARNING = "pin_last_try_warning"
    PIN_ENTRY = "pin_entry"
    PIN_LOCKED = "pin_locked"
    CERTIFICATE_EXPIRED = "certificate_expired"
    EXPIRING_SOON = "expiring_soon"
    CONSENT_MEDICAL = "consent_medical"
    CONSENT_CHECKUP = "consent_checkup"
    CONSENT_LIMIT = "consent_limit"
    CONSENT_PRESCRIPTION = "consent_prescription"
    DONE = "done"
    CARD_FORGOTTEN = "card_forgotten"
    VISUAL_CHECK = "visual_check"
    CARD_REMOVED = "card_removed"
    TIMED_OUT = "timed_out"
    CANCELLED = "cancelled"
    NOT_VERIFIED = "not_verified"
    HOST_NOT_CONNECTED = "host_not_connected"
    DEVICE_ERROR = "device_error"
    OUT_OF_SERVICE = "out_of_service"


def _plain(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True, kw_only=True)
class Screen:
    """Base of every screen: the session language and the options on the buttons."""

    id: ClassVar[ScreenId]
    language: Language = Language.JA
    options: tuple[Option, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """``{"id": ..., "language": ..., "options": [...], <parameters>}`` as plain JSON-able values."""
        out: dict[str, object] = {"id": self.id.value}
        for f in dataclasses.fields(self):
            out[f.name] = _plain(getattr(self, f.name))
        return out


# --- resting -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class InsertCardScreen(Screen):
    """「マイナンバーカードをカードリーダーに置いてください」; スマートフォン where a smartphone reader is fitted."""

    id = ScreenId.INSERT_CARD
    visual_check_armed: bool = False  # staff set a visual check for the next patient (a small staff-facing mark)


@dataclass(frozen=True, kw_only=True)
class HostNotConnectedScreen(Screen):
    """The reception PC is not connected: the reader cannot take patients; ask staff."""

    id = ScreenId.HOST_NOT_CONNECTED


@dataclass(frozen=True, kw_only=True)
class OutOfServiceScreen(Screen):
    """Out of service (taken out by staff or the host, or a persistent fault): the codes tell a technician why."""

    id = ScreenId.OUT_OF_SERVICE
    reason: str | None = None  # as given by the host or the technician console
    fault_codes: tuple[str, ...] = ()


# --- identification -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ReadingScreen(Screen):
    """「お待ちください」 while the card, the camera or the outbox works; ``subject`` says what for."""

    id = ScreenId.READING
    subject: ReadingSubject = ReadingSubject.CARD


@dataclass(frozen=True, kw_only=True)
class UnsupportedCardScreen(Screen):
    """A card the reception cannot use, with guidance by kind (住基カード, not a My Number card, no IC chip, a
    smartphone where smartphones are not accepted) and 「カードをお取りください」."""

    id = ScreenId.UNSUPPORTED_CARD
    kind: CardKind = CardKind.UNKNOWN
    remove_card: bool = True


@dataclass(frozen=True, kw_only=True)
class CardUnreadableScreen(Screen):
    """The card answered but could not be read (damaged chip or data): place it again; staff see the code."""

    id = ScreenId.CARD_UNREADABLE
    code: str = ""
    remove_card: bool = True


@dataclass(frozen=True, kw_only=True)
class CertificateExpiredScreen(Screen):
    """The 利用者証明用電子証明書 is expired (or missing): the reception stops; renew it at the municipal office;
    ask staff how to receive today (資格確認書 etc.)."""

    id = ScreenId.CERTIFICATE_EXPIRED
    problem: CertificateProblem = CertificateProblem.EXPIRED
    not_after: str | None = None  # ISO 8601 date of expiry, when known
    remove_card: bool = True


# --- smartphone -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ChoosePhoneScreen(Screen):
    """スマートフォン: iPhone or Android?"""

    id = ScreenId.CHOOSE_PHONE


@dataclass(frozen=True, kw_only=True)
class HoldPhoneScreen(Screen):
    """Hold the phone to the smartphone reader (where it is, per platform)."""

    id = ScreenId.HOLD_PHONE
    platform: CardKind = CardKind.ANDROID


@dataclass(frozen=True, kw_only=True)
class PhoneAuthoriseScreen(Screen):
    """iPhone: approve on the phone (Face ID) and keep it held to the reader."""

    id = ScreenId.PHONE_AUTHORISE


# --- authentication -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ChooseMethodScreen(Screen):
    """「顔認証または暗証番号のどちらかを選んでください」. Options are what the card and the device allow now;
    ``pin_unavailable`` / ``face_unavailable`` say why one is missing; ``ask_staff`` adds 「職員をお呼びください」
    (a visual check is a staff action, never a button here)."""

    id = ScreenId.CHOOSE_METHOD
    pin_tries_left: int | None = None
    pin_unavailable: PinUnavailable | None = None
    face_unavailable: FaceUnavailable | None = None
    ask_staff: bool = False


@dataclass(frozen=True, kw_only=True)
class CardFaceScanScreen(Screen):
    """Reading the card face for the chip photo: keep the card face up and flat; ``problem`` when the last scan saw
    the back of the card or no card face."""

    id = ScreenId.CARD_FACE_SCAN
    problem: CardFaceProblem | None = None


@dataclass(frozen=True, kw_only=True)
class FaceGuidanceScreen(Screen):
    """「画面の枠に顔が収まるようにすると自動的に撮影されます」 with a cue (closer, more light, turn your head…) and a
    countdown of the attempt."""

    id = ScreenId.FACE_GUIDANCE
    cue: FaceCue = FaceCue.LOOK_AT_CAMERA
    seconds_left: int = 0
    attempt: int = 1
    max_attempts: int = 1


@dataclass(frozen=True, kw_only=True)
class FaceRetryScreen(Screen):
    """The face did not match (or was not captured): try again, or use the PIN; staff can help."""

    id = ScreenId.FACE_RETRY
    attempts_left: int = 0
    ask_staff: bool = True


@dataclass(frozen=True, kw_only=True)
class PinLastTryWarningScreen(Screen):
    """The stronger warning before the last PIN try: one wrong entry locks the PIN, and only the municipal office can
    unlock it."""

    id = ScreenId.PIN_LAST_TRY_WARNING


@dataclass(frozen=True, kw_only=True)
class PinEntryScreen(Screen):
    """「カード申請時に設定した4桁の暗証番号を入力します」: ●●●● for ``entered`` digits, tries left, the last-try
    warning, and 「暗証番号が違います」 after a wrong entry."""

    id = ScreenId.PIN_ENTRY
    entered: int = 0
    length: int = 4
    tries_left: int = 3
    last_try: bool = False
    previous_wrong: bool = False
    smartphone: bool = False  # the smartphone certificate's PIN (Android), not the card's


@dataclass(frozen=True, kw_only=True)
class PinLockedScreen(Screen):
    """The PIN is locked: what to do (reset at the municipal office), and what is still possible today (face, staff)."""

    id = ScreenId.PIN_LOCKED
    smartphone: bool = False
    ask_staff: bool = True


@dataclass(frozen=True, kw_only=True)
class VisualCheckScreen(Screen):
    """目視確認 (staff-facing): compare the patient with the card photo; confirm or reject (only while staff authority
    is present at the reader, otherwise no options are drawn)."""

    id = ScreenId.VISUAL_CHECK
    staff_id: str = ""
    source: StaffSource = StaffSource.KEYSWITCH


# --- consents -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class _ConsentScreen(Screen):
    wording_version: str = ""
    step: int = 1
    steps: int = 3


@dataclass(frozen=True, kw_only=True)
class ConsentMedicalScreen(_ConsentScreen):
    """同意の確認 ①: 過去の診療・お薬情報 — 同意する / 同意しない."""

    id = ScreenId.CONSENT_MEDICAL


@dataclass(frozen=True, kw_only=True)
class ConsentCheckupScreen(_ConsentScreen):
    """同意の確認 ②: 特定健診情報 (40歳以上) — 同意する / 同意しない・40歳未満."""

    id = ScreenId.CONSENT_CHECKUP


@dataclass(frozen=True, kw_only=True)
class ConsentLimitScreen(_ConsentScreen):
    """限度額情報 — 提供する / 提供しない."""

    id = ScreenId.CONSENT_LIMIT


@dataclass(frozen=True, kw_only=True)
class ConsentPrescriptionScreen(_ConsentScreen):
    """処方箋形式の選択 (where configured) — 電子処方箋 / 紙の処方箋."""

    id = ScreenId.CONSENT_PRESCRIPTION


# --- after the session ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ExpiringSoonScreen(Screen):
    """The reception is complete, and the certificate expires soon: renew it at the municipal office."""

    id = ScreenId.EXPIRING_SOON
    days_left: int = 0
    not_after: str | None = None


@dataclass(frozen=True, kw_only=True)
class DoneScreen(Screen):
    """受付完了: 「受付が完了しました。お呼びするまでお待ちください」「カードをカードリーダーからお取りください」."""

    id = ScreenId.DONE
    remove_card: bool = True


@dataclass(frozen=True, kw_only=True)
class CardForgottenScreen(Screen):
    """「カードを忘れずに！」 — the card is still in the reader after the session ended."""

    id = ScreenId.CARD_FORGOTTEN
    smartphone: bool = False


@dataclass(frozen=True, kw_only=True)
class CardRemovedScreen(Screen):
    """The card was taken away before the reception was complete: nothing was sent; place it again to start over."""

    id = ScreenId.CARD_REMOVED


@dataclass(frozen=True, kw_only=True)
class TimedOutScreen(Screen):
    """A step was left untouched: the reception was stopped; take the card and place it again."""

    id = ScreenId.TIMED_OUT
    remove_card: bool = True


@dataclass(frozen=True, kw_only=True)
class CancelledScreen(Screen):
    """The reception was stopped: by staff at the reception PC, or because the reader was taken out of service."""

    id = ScreenId.CANCELLED
    remove_card: bool = True
    out_of_service: bool = False  # the reader went out of service (else the host cancelled)


@dataclass(frozen=True, kw_only=True)
class NotVerifiedScreen(Screen):
    """The holder could not be verified (staff rejected the visual check, or the phone refused): ask staff."""

    id = ScreenId.NOT_VERIFIED
    remove_card: bool = True


@dataclass(frozen=True, kw_only=True)
class DeviceErrorScreen(Screen):
    """A device error, with a code for staff and the technician; the reception was stopped."""

    id = ScreenId.DEVICE_ERROR
    code: str = ""
    remove_card: bool = False


SCREEN_CLASSES: tuple[type[Screen], ...] = (
    InsertCardScreen,
    ReadingScreen,
    UnsupportedCardScreen,
    CardUnreadableScreen,
    ChoosePhoneScreen,
    HoldPhoneScreen,
    PhoneAuthoriseScreen,
    ChooseMethodScreen,
    CardFaceScanScreen,
    FaceGuidanceScreen,
    FaceRetryScreen,
    PinLastTryWarningScreen,
    PinEntryScreen,
    PinLockedScreen,
    CertificateExpiredScreen,
    ExpiringSoonScreen,
    ConsentMedicalScreen,
    ConsentCheckupScreen,
    ConsentLimitScreen,
    ConsentPrescriptionScreen,
    DoneScreen,
    CardForgottenScreen,
    VisualCheckScreen,
    CardRemovedScreen,
    TimedOutScreen,
    CancelledScreen,
    NotVerifiedScreen,
    HostNotConnectedScreen,
    DeviceErrorScreen,
    OutOfServiceScreen,
)

CATALOGUE: dict[ScreenId, type[Screen]] = {cls.id: cls for cls in SCREEN_CLASSES}
