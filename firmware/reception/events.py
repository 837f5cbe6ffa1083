"""Events the daemon feeds into the reception flow: what the card, camera, buttons, keypad, staff key and host did.

Each event is a frozen dataclass and validates itself when built, raising :class:`InvalidEvent` (a ``ValueError``) for
values no device can produce, so a translation bug in the daemon surfaces where it happens, not as a wrong screen.
Answers to a request action carry that action's ``request_id``; the flow ignores an answer whose id is not the request
it is waiting for (a late answer after a timeout, a cancel or a removal is harmless).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from display.limits import CODE_MAX_LENGTH, REASON_MAX_LENGTH, STAFF_ID_MAX_LENGTH
from firmware.reception.types import (
    CardFaceProblem,
    CardKind,
    FaceCue,
    HostMode,
    IssuerSignature,
    Key,
    Liveness,
    Option,
    ReaderRole,
)


class ReceptionError(Exception):
    """Base of the reception flow's errors."""


class InvalidEvent(ReceptionError, ValueError):
    """An event carries a value no device produces (the daemon's translation is wrong)."""


_CODE = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._:/-]{{0,{CODE_MAX_LENGTH - 1}}}")
_SERIAL = re.compile(r"[0-9a-f]{1,64}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
JST = dt.timezone(dt.timedelta(hours=9), "JST")


def _check_request_id(request_id: object) -> None:
    if not isinstance(request_id, int) or isinstance(request_id, bool) or request_id < 1:
        raise InvalidEvent(f"request_id must be a positive int, got {request_id!r}")


def _check_tries(name: str, tries: object, *, optional: bool) -> None:
    if tries is None and optional:
        return
    if not isinstance(tries, int) or isinstance(tries, bool) or not 0 <= tries <= 15:
        raise InvalidEvent(f"{name} must be an int 0..15{' or None' if optional else ''}, got {tries!r}")


def _check_code(code: object) -> None:
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise InvalidEvent(f"a fault code is 1-{CODE_MAX_LENGTH} characters of [A-Za-z0-9._:/-], got {code!r}")


def printable_text(value: object, max_length: int) -> bool:
    """Whether ``value`` is 1..max_length printable characters: the screens draw exactly such text."""
    return isinstance(value, str) and 0 < len(value) <= max_length and value.isprintable()


def _check_enum(name: str, value: object, enum: type) -> None:
    if not isinstance(value, enum):
        raise InvalidEvent(f"{name} must be a {enum.__name__}, got {value!r}")


class Event:
    """Base of every event."""

    __slots__ = ()


class Answer(Event):
    """An event that answers a request action (it carries the action's ``request_id``)."""

    __slots__ = ()
    request_id: int


# --- time -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tick(Event):
    """Nothing happened, but time passed: send it at :attr:`ReceptionFlow.deadline` (any other event also counts)."""


# --- cards ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CardInserted(Event):
    """A card (or a phone) arrived on a reader."""

    reader: ReaderRole = ReaderRole.CARD

    def __post_init__(self) -> None:
        _check_enum("reader", self.reader, ReaderRole)


@dataclass(frozen=True, slots=True)
class CardRemoved(Event):
    """The card (or the phone) left a reader."""

    reader: ReaderRole = ReaderRole.CARD

    def __post_init__(self) -> None:
        _check_enum("reader", self.reader, ReaderRole)


@dataclass(frozen=True, slots=True)
class AuthCertificate:
    """What the flow needs of the 利用者証明用電子証明書: its serial (the insurance key) and its validity.

    ``days_left`` and ``expired`` are judged by the daemon against the wall clock; ``days_left`` is None while the
    clock is unset (the Pi has no RTC), and then the flow neither blocks nor warns — the host checks validity anyway.
    """

    serial_hex: str
    not_after: str  # ISO 8601 date (YYYY-MM-DD) of the last valid day
    days_left: int | None = None
    expired: bool = False

    @classmethod
    def judged(cls, serial_hex: str, not_after: dt.datetime, now: float | None) -> AuthCertificate:
        """The certificate as the flow needs it, judged at ``now``: Unix seconds of the clock the reception PC set,
        or None while it is unset (the Pi has no RTC, and an unset clock must neither block nor warn).

        The last valid day is ``not_after``'s date in Japan (JST, UTC+9: what the holder's card and the hospital
        see). ``days_left`` counts whole days from ``now`` to ``not_after`` (0 on the last day, negative once expired),
        and ``expired`` is ``now`` past ``not_after``, to the second."""
        if not_after.tzinfo is None:
            raise InvalidEvent("not_after must carry its time zone")
        last_day = not_after.astimezone(JST).date().isoformat()
        if now is None:
            return cls(serial_hex, last_day)
        moment = dt.datetime.fromtimestamp(now, dt.UTC)
        return cls(serial_hex, last_day, (not_after - moment) // dt.timedelta(days=1), moment > not_after)

    def __post_init__(self) -> None:
        if not isinstance(self.serial_hex, str) or not _SERIAL.fullmatch(self.serial_hex):
            raise InvalidEvent(f"serial_hex must be lowercase hex, got {self.serial_hex!r}")
        if not isinstance(self.not_after, str) or not _DATE.fullmatch(self.not_after):
            raise InvalidEvent(f"not_after must be YYYY-MM-DD, got {self.not_after!r}")
        try:
            dt.date.fromisoformat(self.not_after)
        except ValueError:
            raise InvalidEvent(f"not_after is no calendar date: {self.not_after!r}") from None
        if self.days_left is not None and (not isinstance(self.days_left, int) or isinstance(self.days_left, bool)):
            raise InvalidEvent(f"days_left must be an int or None, got {self.days_left!r}")
        if not isinstance(self.expired, bool):
            raise InvalidEvent(f"expired must be a bool, got {self.expired!r}")
        if self.days_left is not None and self.days_left < 0 and not self.expired:
            raise InvalidEvent(f"days_left {self.days_left} means expired, but expired is False")


@dataclass(frozen=True, slots=True)
class CardRead(Answer):
    """Answer to ``ReadCard``: the kind (by token label), the auth certificate and the PIN tries left.

    ``certificate`` is None for kinds without one and for a card whose certificate is missing; ``pin_tries_left`` is
    the empty-VERIFY count (0 = locked) or None when the PIN cannot be used (a PIN-less card, or no PIN object).
    """

    request_id: int
    kind: CardKind
    certificate: AuthCertificate | None = None
    pin_tries_left: int | None = None

    def __post_init__(self) -> None:
        _check_request_id(self.request_id)
        _check_enum("kind", self.kind, CardKind)
        if self.certificate is not None and not isinstance(self.certificate, AuthCertificate):
            raise InvalidEvent(f"certificate must be an AuthCertificate or None, got {self.certificate!r}")
        _check_tries("pin_tries_left", self.pin_tries_left, optional=True)


@dataclass(frozen=True, slots=True)
class CardUnreadable(Answer):
    """Answer to ``ReadCard``: the card answered but could not be read (malformed data, odd status words)."""

    request_id: int
    code: str

    def __post_init__(self) -> None:
        _check_request_id(self.request_id)
        _check_code(self.code)


# --- the face path --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CardFaceRead(Answer):
    """Answer to ``ScanCardFace``: the chip photo is in the daemon's session memory; these are the proofs."""

    request_id: int
    card_key_verified: bool
    issuer_signature: IssuerSignature

    def __post_init__(self) -> None:
        _check_request_id(self.request_id)
        if not isinstance(self.card_key_verified, bool):
            raise InvalidEvent(f"card_key_verified must be a bool, got {self.card_key_verified!r}")
        _check_enum("issuer_signature", self.issuer_signature, IssuerSignature)


@dataclass(frozen=True, slots=True)
class CardFaceNotRead(Answer):
    """Answer to ``ScanCardFace``: no chip photo, and why."""

    request_id: int
    problem: CardFaceProblem

    def __post_init__(self) -> None:
        _check_request_id(self.request_id)
        _check_enum("problem", self.problem, CardFaceProblem)


@dataclass(frozen=True, slots=True)
class FaceGuidance(Answer):
    """During ``CaptureFace``: what the patient should do now (any number of these before the verdict)."""

    request_id: int
    cue: FaceCue

    def __post_init__(self) -> None:
        _check_request_id(self.request_id)
        _check_enum("cue", self.cue, FaceCue)


@dataclass(frozen=True, slots=True)
class FaceResult(Answer):
    """Answer to ``CaptureFace``: the verdict of one attempt (score and threshold go into the result)."""

    request_id: int
    matched: bool
    score: float
    threshold: float
    liveness: Liveness
    frames: int = 1  # frames scored in the attempt (the result quotes it)

    def __post_init__(self) -> None:
        _check_request_id(self.request_id)
        if not isinstance(self.matched, bool):
            raise InvalidEvent(f"matched must be a bool, got {self.matched!r}")
        if not isinstance(self.frames, int) or isinstance(self.frames, bool) or not 1 <= self.frames <= 1000:
            raise InvalidEvent(f"frames must be an int 1..1000, got {self.frames!r}")
        for name in ("score", "threshold"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
                raise InvalidEvent(f"{name} must be a finite number, got {value!r}")
        _check_enum("liveness", self.liveness, Liveness)


@dataclass(frozen=True, slots=True)
class FaceNotCaptured(Answer):
    """Answer to ``CaptureFace``: the attempt ended without a usable face (it still counts as an attempt)."""

    request_id: int


# --- the PIN path and signatures ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PinTries(Answer):
    """Answer to ``ReadPinTries`` (an empty VERIFY, which costs nothing): 0 = locked, None = the PIN is not usable."""

    request_id: int
    tries_left: int | None

    def __post_init__(self) -> None:
        _check_request_id(self.request_id)
        _check_tries("tries_left", self.tries_left, optional=True)


@dataclass(frozen=True, slots=True)
class PinVerified(Answer):
    """Answer to ``VerifyPin``: 90 00."""

    request_id: int

    def __post_init__(self) -> None:
        _check_request_id(self.request_id)


@dataclass(frozen=True, slots=True)
class PinRejected(Answer):
    """Answer to ``VerifyPin``: wrong PIN (63 Cx), ``tries_left`` = x; 0 when this attempt locked it."""

    request_id: int
    tries_left: int

    def __post_init__(self) -> None:
        _check_request_id(self.request_id)
        _check_tries("tries_left", self.tries_left, optional=False)


@dataclass(frozen=True, slots=True)
class Signed(Answer):
    """Answer to ``SignChallenge``: the card (or phone) signed; the daemon keeps the signature for the result."""

    request_id: int

    def __post_init__(self) -> None:
        _check_request_id(self.request_id)


@dataclass(frozen=True, slots=True)
class SignRefused(Answer):
    """Answer to ``SignChallenge`` on an iPhone: the holder did not authorise on the phone."""

    request_id: int

    def __post_init__(self) -> None:
        _check_request_id(self.request_id)


@dataclass(frozen=True, slots=True)
class ResultAccepted(Answer):
    """Answer to ``EmitResult``: the signed result is durably in the outbox (delivery to the host follows)."""

    request_id: int

    def __post_init__(self) -> None:
        _check_request_id(self.request_id)


@dataclass(frozen=True, slots=True)
class RequestFailed(Answer):
    """Answer to any request: the device could not carry it out (the card reader, a camera or the outbox failed, or
    the worker ran past its timeout). ``code`` names what failed, as on the device-error screen. Because it names
    the request, a failure that arrives after the flow stopped waiting is ignored and never ends a later session.
    What follows depends on the request: a camera failure makes face unavailable for the session (the patient can
    still use the PIN); a card or outbox failure ends the session as ``device_error`` with the code."""

    request_id: int
    code: str

    def __post_init__(self) -> None:
        _check_request_id(self.request_id)
        _check_code(self.code)


@dataclass(frozen=True, slots=True)
class NonceUnavailable(Answer):
    """Answer to a request that needs the host's nonce (``uses_host_nonce``) when the reader holds none that is still
    valid: no result the host accepts can be made, so the session ends (``device_error``, code ``host.no_nonce``) and
    no new one starts until :class:`HostConnected`."""

    request_id: int

    def __post_init__(self) -> None:
        _check_request_id(self.request_id)


# --- the patient ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Selected(Event):
    """A button was pressed; the daemon names the option drawn beside it on the current screen."""

    option: Option

    def __post_init__(self) -> None:
        _check_enum("option", self.option, Option)


@dataclass(frozen=True, slots=True)
class KeyPressed(Event):
    """A keypad key was pressed."""

    key: Key

    def __post_init__(self) -> None:
        _check_enum("key", self.key, Key)


@dataclass(frozen=True, slots=True)
class LanguagePressed(Event):
    """The language button (日本語 / English) was pressed: switch for this session."""


# --- staff and host -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StaffKeyChanged(Event):
    """The staff keyswitch was turned on or off."""

    on: bool

    def __post_init__(self) -> None:
        if not isinstance(self.on, bool):
            raise InvalidEvent(f"on must be a bool, got {self.on!r}")


@dataclass(frozen=True, slots=True)
class HostConnected(Event):
    """The reception PC is there and the reader can make results it accepts (link up, nonces in the pool)."""


@dataclass(frozen=True, slots=True)
class HostLost(Event):
    """The reader can no longer make results the host accepts (link gone and no usable nonce)."""


@dataclass(frozen=True, slots=True)
class HostCancel(Event):
    """The reception PC cancels the running session."""


@dataclass(frozen=True, slots=True)
class HostSetMode(Event):
    """The reception PC sets the mode; a visual check names the staff member who attests it."""

    mode: HostMode
    staff_id: str | None = None

    def __post_init__(self) -> None:
        _check_enum("mode", self.mode, HostMode)
        if self.mode is HostMode.VISUAL_CHECK:
            if not printable_text(self.staff_id, STAFF_ID_MAX_LENGTH):
                raise InvalidEvent(f"a visual check needs a staff_id of 1-{STAFF_ID_MAX_LENGTH} printable characters, "
                                   f"got {self.staff_id!r}")
        elif self.staff_id is not None:
            raise InvalidEvent("staff_id is only for a visual check")


@dataclass(frozen=True, slots=True)
class OutOfService(Event):
    """Staff or the technician console takes the reader out of service."""

    reason: str | None = None

    def __post_init__(self) -> None:
        if self.reason is not None and not printable_text(self.reason, REASON_MAX_LENGTH):
            raise InvalidEvent(f"reason must be 1-{REASON_MAX_LENGTH} printable characters or None, "
                               f"got {self.reason!r}")


@dataclass(frozen=True, slots=True)
class BackInService(Event):
    """The reader may take patients again."""


@dataclass(frozen=True, slots=True)
class DeviceFault(Event):
    """A hardware or software fault. ``persistent`` faults keep the reader out of service until recovered."""

    code: str
    persistent: bool = False

    def __post_init__(self) -> None:
        _check_code(self.code)
        if not isinstance(self.persistent, bool):
            raise InvalidEvent(f"persistent must be a bool, got {self.persistent!r}")


@dataclass(frozen=True, slots=True)
class DeviceRecovered(Event):
    """A persistent fault cleared."""

    code: str

    def __post_init__(self) -> None:
        _check_code(self.code)
