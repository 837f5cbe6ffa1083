"""Configuration of the reception flow: what the device has, what the hospital wants asked, and how long each step
may stay untouched. Validated when built (:class:`ConfigError`, a ``ValueError``)."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import math
import re
from dataclasses import dataclass, field

from display.limits import ATTEMPTS_MAX, COUNTDOWN_MAX_SECONDS, STAFF_ID_MAX_LENGTH
from display.wording import CONSENT_WORDING
from firmware.reception.events import ReceptionError, printable_text
from firmware.reception.types import Language

STAFF_CODE_MIN_LENGTH = 6
"""Staff codes are longer than a PIN, so a patient who types a 4-digit PIN on the wrong screen can never match one."""
STAFF_CODE_MAX_LENGTH = 12

_HEX64 = re.compile(r"[0-9a-f]{64}")


class ConfigError(ReceptionError, ValueError):
    """A configuration value is out of range or inconsistent."""


def _digest(staff_id: str, code: str) -> str:
    return hashlib.sha256(f"mynareader/staff-code/v1\0{staff_id}\0{code}".encode()).hexdigest()


@dataclass(frozen=True)
class StaffCode:
    """A staff member's code for the keypad, kept as a salted SHA-256 digest (build one with :meth:`from_code`).

    A 6–12 digit code is no secret against someone holding the digest (a million guesses are cheap): keep the
    configuration file readable by the service user only. The flow limits guesses at the keypad.
    """

    staff_id: str
    digest: str = field(repr=False)

    def __post_init__(self) -> None:
        if not printable_text(self.staff_id, STAFF_ID_MAX_LENGTH):
            raise ConfigError(f"staff_id must be 1-{STAFF_ID_MAX_LENGTH} printable characters, got {self.staff_id!r}")
        if not isinstance(self.digest, str) or not _HEX64.fullmatch(self.digest):
            raise ConfigError("a staff code digest is 64 lowercase hex digits (use StaffCode.from_code)")

    @classmethod
    def from_code(cls, staff_id: str, code: str) -> StaffCode:
        if not (code.isascii() and code.isdigit() and STAFF_CODE_MIN_LENGTH <= len(code) <= STAFF_CODE_MAX_LENGTH):
            raise ConfigError(f"a staff code is {STAFF_CODE_MIN_LENGTH}-{STAFF_CODE_MAX_LENGTH} ASCII digits")
        return cls(staff_id, _digest(staff_id, code))

    def matches(self, code: str) -> bool:
        return hmac.compare_digest(self.digest, _digest(self.staff_id, code))


@dataclass(frozen=True)
class Timeouts:
    """Seconds. A patient step left untouched this long ends the session (any accepted input restarts its clock);
    a device step that gets no answer this long ends it as a device error."""

    choice: float = 60.0  # choose method / phone, face retry, last-try warning, PIN locked; a language chosen at rest
    pin_entry: float = 60.0
    consent: float = 60.0
    face_attempt: float = 20.0  # one capture attempt, counted down on the screen
    phone_wait: float = 60.0  # hold your phone to the reader
    phone_authorise: float = 60.0  # approve on the iPhone
    visual_check: float = 180.0  # staff compare the patient with the card photo
    card_face_scan: float = 30.0
    device: float = 20.0  # card reads, PIN VERIFY, signature, result queued
    expiry_warning: float = 20.0  # then 受付完了 by itself
    notice: float = 6.0  # an end screen with no card left in the reader, then back to rest
    forgotten_after: float = 15.0  # the card is still there this long after the session ended → reminder
    reminder_repeat: float = 20.0
    visual_check_arm: float = 120.0  # a visual check set between patients lapses if no card comes
    staff_code_lockout: float = 300.0  # after too many wrong staff codes

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value) or value <= 0:
                raise ConfigError(f"timeouts.{f.name} must be a positive number of seconds, got {value!r}")
        if self.face_attempt > COUNTDOWN_MAX_SECONDS:
            raise ConfigError(f"timeouts.face_attempt is counted down on the screen: at most {COUNTDOWN_MAX_SECONDS} s")


@dataclass(frozen=True)
class FlowConfig:
    """What the device has and what the hospital wants asked."""

    face_enabled: bool = True  # a camera is fitted and face verification is configured
    face_max_attempts: int = 3  # face attempts per session before only PIN or staff are offered (1..ATTEMPTS_MAX)
    card_face_scan_attempts: int = 2  # card-face scans per session when the card lies face down or out of view
    require_liveness: bool = True  # a face match without a passed liveness check is not a success
    smartphone_reader: bool = False  # a generic NFC reader for smartphones is fitted: offer スマートフォン
    ask_prescription_format: bool = False  # 処方箋形式の選択 (pharmacies with e-prescriptions)
    keyswitch_fitted: bool = False  # the staff keyswitch is wired
    keyswitch_staff_id: str = "keyswitch"  # the identity a keyswitch visual check is attested with
    staff_codes: tuple[StaffCode, ...] = ()  # codes that start a visual check from the keypad
    staff_code_max_failures: int = 5  # wrong codes in a row before the keypad stops taking codes for a while
    expiry_warning_days: int = 60  # warn (after completion) when the certificate has this many days left or fewer
    consent_wording_version: str = "1"  # a consent wording display/ carries; quoted in the result
    default_language: Language = Language.JA
    reminder_beeps: int = 3  # card-forgotten reminder beeps (the first one included)
    timeouts: Timeouts = field(default_factory=Timeouts)

    def __post_init__(self) -> None:
        for name, high in (("face_max_attempts", ATTEMPTS_MAX), ("card_face_scan_attempts", 100),
                           ("staff_code_max_failures", 100), ("reminder_beeps", 100)):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= high:
                raise ConfigError(f"{name} must be an int 1..{high}, got {value!r}")
        days = self.expiry_warning_days
        if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= 3650:
            raise ConfigError(f"expiry_warning_days must be an int 0..3650, got {self.expiry_warning_days!r}")
        if not printable_text(self.keyswitch_staff_id, STAFF_ID_MAX_LENGTH):
            raise ConfigError(f"keyswitch_staff_id must be 1-{STAFF_ID_MAX_LENGTH} printable characters")
        if not isinstance(self.consent_wording_version, str) or self.consent_wording_version not in CONSENT_WORDING:
            carried = ", ".join(sorted(CONSENT_WORDING))
            raise ConfigError(f"consent_wording_version must be one display carries ({carried}), "
                              f"got {self.consent_wording_version!r}")
        if not isinstance(self.default_language, Language):
            raise ConfigError(f"default_language must be a Language, got {self.default_language!r}")
        if not isinstance(self.timeouts, Timeouts):
            raise ConfigError("timeouts must be a Timeouts")
        if not isinstance(self.staff_codes, tuple) or not all(isinstance(c, StaffCode) for c in self.staff_codes):
            raise ConfigError("staff_codes must be a tuple of StaffCode values (use StaffCode.from_code)")
        ids = [c.staff_id for c in self.staff_codes]
        if len(set(ids)) != len(ids):
            raise ConfigError("staff ids of staff codes must be unique")
        for name in ("face_enabled", "require_liveness", "smartphone_reader", "ask_prescription_format",
                     "keyswitch_fitted"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(f"{name} must be a bool")

    def staff_for_code(self, code: str) -> str | None:
        """The staff id whose code this is, or None. Checks every entry (no early exit on a match)."""
        found = None
        for entry in self.staff_codes:
            if entry.matches(code) and found is None:
                found = entry.staff_id
        return found
