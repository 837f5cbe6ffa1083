"""The flow's states, the groups the rules speak of, the screen each state shows and the timeout that bounds it."""

from __future__ import annotations

from enum import StrEnum

from firmware.reception.screens import ScreenId

class State(StrEnum):
    """The states of the flow. The values are the names the line protocol sends."""

    # resting: no session
    IDLE = "idle"
    HOST_NOT_CONNECTED = "host_not_connected"
    OUT_OF_SERVICE = "out_of_service"
    # before a card: the patient chose スマートフォン
    CHOOSE_PHONE = "choose_phone"
    WAITING_FOR_PHONE = "waiting_for_phone"
    # a session
    READING_CARD = "reading_card"
    CHOOSE_METHOD = "choose_method"
    SCANNING_CARD_FACE = "scanning_card_face"
    CAPTURING_FACE = "capturing_face"
    FACE_RETRY = "face_retry"
    CHECKING_PIN_TRIES = "checking_pin_tries"
    PIN_LAST_TRY_WARNING = "pin_last_try_warning"
    ENTERING_PIN = "entering_pin"
    VERIFYING_PIN = "verifying_pin"
    PIN_LOCKED = "pin_locked"
    PHONE_AUTHORISING = "phone_authorising"
    SIGNING = "signing"
    VISUAL_CHECK = "visual_check"
    CONSENT_MEDICAL = "consent_medical"
    CONSENT_CHECKUP = "consent_checkup"
    CONSENT_LIMIT = "consent_limit"
    CONSENT_PRESCRIPTION = "consent_prescription"
    SENDING_RESULT = "sending_result"
    # after a session
    EXPIRY_WARNING = "expiry_warning"
    DONE = "done"
    CARD_FORGOTTEN = "card_forgotten"
    CARD_REMOVED = "card_removed"
    TIMED_OUT = "timed_out"
    CANCELLED = "cancelled"
    DEVICE_ERROR = "device_error"
    UNSUPPORTED_CARD = "unsupported_card"
    CARD_UNREADABLE = "card_unreadable"
    CERTIFICATE_EXPIRED = "certificate_expired"
    NOT_VERIFIED = "not_verified"


S = State  # short alias for the tables below

RESTING = frozenset({S.IDLE, S.HOST_NOT_CONNECTED, S.OUT_OF_SERVICE})
PRE_SESSION = frozenset({S.CHOOSE_PHONE, S.WAITING_FOR_PHONE})
CONSENTS = (S.CONSENT_MEDICAL, S.CONSENT_CHECKUP, S.CONSENT_LIMIT, S.CONSENT_PRESCRIPTION)
SESSION = frozenset({
    S.READING_CARD, S.CHOOSE_METHOD, S.SCANNING_CARD_FACE, S.CAPTURING_FACE, S.FACE_RETRY, S.CHECKING_PIN_TRIES,
    S.PIN_LAST_TRY_WARNING, S.ENTERING_PIN, S.VERIFYING_PIN, S.PIN_LOCKED, S.PHONE_AUTHORISING, S.SIGNING,
    S.VISUAL_CHECK, *CONSENTS, S.SENDING_RESULT,
})  # fmt: skip
ENDED = frozenset({
    S.CARD_REMOVED, S.TIMED_OUT, S.CANCELLED, S.DEVICE_ERROR, S.UNSUPPORTED_CARD, S.CARD_UNREADABLE,
    S.CERTIFICATE_EXPIRED, S.NOT_VERIFIED,
})  # fmt: skip
AFTER_SESSION = ENDED | {S.EXPIRY_WARNING, S.DONE, S.CARD_FORGOTTEN}
# Steps that wait for the patient (or staff): left untouched, they time out.
PATIENT_STEPS = frozenset({
    S.CHOOSE_METHOD, S.FACE_RETRY, S.PIN_LAST_TRY_WARNING, S.ENTERING_PIN, S.PIN_LOCKED, S.PHONE_AUTHORISING,
    S.VISUAL_CHECK, *CONSENTS,
})  # fmt: skip
# Steps that wait for a device answer: no answer in time is a device error.
DEVICE_WAITS = frozenset({
    S.READING_CARD, S.SCANNING_CARD_FACE, S.CHECKING_PIN_TRIES, S.VERIFYING_PIN, S.SIGNING, S.SENDING_RESULT,
})  # fmt: skip
# Card-session steps before authentication, where staff may step in with a visual check.
BEFORE_AUTH = frozenset({
    S.READING_CARD, S.CHOOSE_METHOD, S.SCANNING_CARD_FACE, S.CAPTURING_FACE, S.FACE_RETRY, S.CHECKING_PIN_TRIES,
    S.PIN_LAST_TRY_WARNING, S.ENTERING_PIN, S.PIN_LOCKED,
})  # fmt: skip
# Where keypad digits are a staff code (everywhere a staff member may start a visual check, except PIN entry).
STAFF_CODE_STATES = (BEFORE_AUTH - {S.ENTERING_PIN}) | PRE_SESSION | {S.IDLE}

SCREEN_OF_STATE: dict[State, ScreenId] = {
    S.IDLE: ScreenId.INSERT_CARD,
    S.HOST_NOT_CONNECTED: ScreenId.HOST_NOT_CONNECTED,
    S.OUT_OF_SERVICE: ScreenId.OUT_OF_SERVICE,
    S.CHOOSE_PHONE: ScreenId.CHOOSE_PHONE,
    S.WAITING_FOR_PHONE: ScreenId.HOLD_PHONE,
    S.READING_CARD: ScreenId.READING,
    S.CHOOSE_METHOD: ScreenId.CHOOSE_METHOD,
    S.SCANNING_CARD_FACE: ScreenId.CARD_FACE_SCAN,
    S.CAPTURING_FACE: ScreenId.FACE_GUIDANCE,
    S.FACE_RETRY: ScreenId.FACE_RETRY,
    S.CHECKING_PIN_TRIES: ScreenId.READING,
    S.PIN_LAST_TRY_WARNING: ScreenId.PIN_LAST_TRY_WARNING,
    S.ENTERING_PIN: ScreenId.PIN_ENTRY,
    S.VERIFYING_PIN: ScreenId.READING,
    S.PIN_LOCKED: ScreenId.PIN_LOCKED,
    S.PHONE_AUTHORISING: ScreenId.PHONE_AUTHORISE,
    S.SIGNING: ScreenId.READING,
    S.VISUAL_CHECK: ScreenId.VISUAL_CHECK,
    S.CONSENT_MEDICAL: ScreenId.CONSENT_MEDICAL,
    S.CONSENT_CHECKUP: ScreenId.CONSENT_CHECKUP,
    S.CONSENT_LIMIT: ScreenId.CONSENT_LIMIT,
    S.CONSENT_PRESCRIPTION: ScreenId.CONSENT_PRESCRIPTION,
    S.SENDING_RESULT: ScreenId.READING,
    S.EXPIRY_WARNING: ScreenId.EXPIRING_SOON,
    S.DONE: ScreenId.DONE,
    S.CARD_FORGOTTEN: ScreenId.CARD_FORGOTTEN,
    S.CARD_REMOVED: ScreenId.CARD_REMOVED,
    S.TIMED_OUT: ScreenId.TIMED_OUT,
    S.CANCELLED: ScreenId.CANCELLED,
    S.DEVICE_ERROR: ScreenId.DEVICE_ERROR,
    S.UNSUPPORTED_CARD: ScreenId.UNSUPPORTED_CARD,
    S.CARD_UNREADABLE: ScreenId.CARD_UNREADABLE,
    S.CERTIFICATE_EXPIRED: ScreenId.CERTIFICATE_EXPIRED,
    S.NOT_VERIFIED: ScreenId.NOT_VERIFIED,
}


# The :class:`Timeouts` field that bounds each state. States after a session not listed here wait
# ``forgotten_after`` while the card is still in the reader (then the reminder) and ``notice`` otherwise (then rest).
STEP_TIMEOUTS: dict[State, str] = {
    S.CHOOSE_PHONE: "choice",
    S.WAITING_FOR_PHONE: "phone_wait",
    S.READING_CARD: "device",
    S.CHOOSE_METHOD: "choice",
    S.SCANNING_CARD_FACE: "card_face_scan",
    S.CAPTURING_FACE: "face_attempt",
    S.FACE_RETRY: "choice",
    S.CHECKING_PIN_TRIES: "device",
    S.PIN_LAST_TRY_WARNING: "choice",
    S.ENTERING_PIN: "pin_entry",
    S.VERIFYING_PIN: "device",
    S.PIN_LOCKED: "choice",
    S.PHONE_AUTHORISING: "phone_authorise",
    S.SIGNING: "device",
    S.VISUAL_CHECK: "visual_check",
    S.CONSENT_MEDICAL: "consent",
    S.CONSENT_CHECKUP: "consent",
    S.CONSENT_LIMIT: "consent",
    S.CONSENT_PRESCRIPTION: "consent",
    S.SENDING_RESULT: "device",
    S.EXPIRY_WARNING: "expiry_warning",
    S.CARD_FORGOTTEN: "reminder_repeat",
}
