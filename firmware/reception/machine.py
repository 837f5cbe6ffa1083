"""The reception flow: everything the reader does at the counter, as one pure state machine.

Events and the current time in, actions out. No threads, I/O, sleeps or hardware: the daemon feeds it and carries out
what it asks (the shape of h11 / wsproto). Rules: ``docs/reader-flow.md``; diagram: ``docs/reception-flow.md``
(generated from :data:`~firmware.reception.table.TRANSITIONS` by :mod:`firmware.reception.diagram`).

How the daemon drives it::

    flow = ReceptionFlow(config)
    execute(flow.start())                        # draw the first screen
    while True:
        event = await next_event(timeout=flow.deadline - loop.time() if flow.deadline else None) or Tick()
        execute(flow.handle(event, loop.time()))  # time.monotonic() seconds

* ``handle(event, now)`` first fires every timer due by ``now``, then handles ``event``, and returns the actions:
  for each of the two, quick outputs first (:class:`DropSession`, :class:`Beep`), then :class:`Show` when the screen
  changed, then the request (:class:`ReadCard`, :class:`VerifyPin`, …). Start each request without blocking and feed its answer back
  as an event with the same ``request_id``; answers the flow no longer waits for are ignored.
* ``deadline`` is when the flow next needs time to pass (a step timeout, the face countdown, a reminder beep); send a
  :class:`Tick` then, or any other event. ``None`` means it needs nothing until an event arrives.
* ``state`` is a :class:`State`; its string values are the names the line protocol sends on every change (pass
  ``on_transition`` to hear each one). Every state shows one screen of :mod:`firmware.reception.screens` (:data:`SCREEN_OF_STATE`).
* Translate driver events into these plain events (the flow imports no driver or protocol module, and of display
  only the limits and consent wordings its screens can draw, to accept no value a screen cannot show). Events
  validate themselves (:class:`InvalidEvent`); a valid event never makes ``handle`` raise.

Sessions: a session starts when a card (or phone) is read and ends with exactly one :class:`DropSession`: completed,
card removed, step timeout, host cancel, out of service, device fault, unsupported card, expired certificate, or not
verified. After the end the screen says what happened; the reader returns to rest when the card is taken (with a
card-forgotten reminder if it is left) — to ``IDLE``, or ``HOST_NOT_CONNECTED`` / ``OUT_OF_SERVICE`` when that applies.

Secrets: the PIN digits live in the flow only while they are typed and leave in the one :class:`VerifyPin` action
(never in a ``repr``); screens carry the count of digits only. Staff codes typed on the keypad are kept the same way.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from display.limits import FAULT_CODES_MAX
from firmware.reception.actions import (
    Action,
    Beep,
    CaptureFace,
    Cancel,
    CardFaceProof,
    ConsentAnswers,
    DropSession,
    EmitResult,
    ModeRefused,
    FaceMatch,
    ReadCard,
    ReadPinTries,
    Request,
    ReceptionClaims,
    ScanCardFace,
    Show,
    SignChallenge,
    StaffAttestation,
    VerifyPin,
)
from firmware.reception.config import (
    STAFF_CODE_MAX_LENGTH,
    STAFF_CODE_MIN_LENGTH,
    ConfigError,
    FlowConfig,
)
from firmware.reception.events import (
    Answer,
    AuthCertificate,
    BackInService,
    CardFaceNotRead,
    CardFaceRead,
    CardInserted,
    CardRead,
    CardRemoved,
    CardUnreadable,
    DeviceFault,
    DeviceRecovered,
    Event,
    FaceGuidance,
    FaceNotCaptured,
    FaceResult,
    HostCancel,
    HostConnected,
    HostLost,
    HostSetMode,
    InvalidEvent,
    KeyPressed,
    LanguagePressed,
    NonceUnavailable,
    OutOfService,
    PinRejected,
    PinTries,
    PinVerified,
    ReceptionError,
    RequestFailed,
    ResultAccepted,
    Selected,
    Signed,
    SignRefused,
    StaffKeyChanged,
    Tick,
)
from firmware.reception.types import (
    BeepPattern,
    CardFaceProblem,
    CardKind,
    CertificateProblem,
    EndReason,
    FaceCue,
    FaceUnavailable,
    HostMode,
    IssuerSignature,
    Key,
    Liveness,
    ModeRefusal,
    Option,
    PinUnavailable,
    PrescriptionFormat,
    ReaderRole,
    ReadingSubject,
    StaffSource,
    StatusLight,
)
from protocol.vocabulary import Method
from firmware.reception.screens import (
    CancelledScreen,
    CardFaceScanScreen,
    CardForgottenScreen,
    CardRemovedScreen,
    CardUnreadableScreen,
    CertificateExpiredScreen,
    ChooseMethodScreen,
    ChoosePhoneScreen,
    ConsentCheckupScreen,
    ConsentLimitScreen,
    ConsentMedicalScreen,
    ConsentPrescriptionScreen,
    DeviceErrorScreen,
    DoneScreen,
    ExpiringSoonScreen,
    FaceGuidanceScreen,
    FaceRetryScreen,
    HoldPhoneScreen,
    HostNotConnectedScreen,
    InsertCardScreen,
    NotVerifiedScreen,
    OutOfServiceScreen,
    PhoneAuthoriseScreen,
    PinEntryScreen,
    PinLastTryWarningScreen,
    PinLockedScreen,
    ReadingScreen,
    Screen,
    ScreenId,
    TimedOutScreen,
    UnsupportedCardScreen,
    VisualCheckScreen,
)

from firmware.reception.faults import FACE_PATH, Fault
from firmware.reception.states import (
    AFTER_SESSION,
    BEFORE_AUTH,
    CONSENTS,
    DEVICE_WAITS,
    PATIENT_STEPS,
    PRE_SESSION,
    RESTING,
    SESSION,
    STAFF_CODE_STATES,
    STEP_TIMEOUTS,
    S,
    State,
)
from firmware.reception.table import TRANSITIONS, UndeclaredTransition

PIN_LENGTH = 4
STAFF_DIGITS_KEPT = 10.0
"""Seconds that staff-code digits typed without 決定 are kept after the last key: digits a patient typed at rest would
otherwise stay in memory and spoil the next staff member's code."""


_ALLOWED = TRANSITIONS.pairs()


# --- internal session data --------------------------------------------------------------------------------------------


class _Digits:
    """Digits typed on the keypad that must not leak: no repr, no str, cleared as soon as they are used."""

    __slots__ = ("_digits",)

    def __init__(self) -> None:
        self._digits: list[str] = []

    def __len__(self) -> int:
        return len(self._digits)

    def __repr__(self) -> str:
        return f"<{len(self._digits)} digits>"

    __str__ = __repr__

    def append(self, digit: str) -> None:
        self._digits.append(digit)

    def clear(self) -> None:
        self._digits.clear()

    def take(self) -> str:
        value = "".join(self._digits)
        self._digits.clear()
        return value


@dataclass
class _Session:
    reader: ReaderRole
    kind: CardKind | None = None
    certificate: AuthCertificate | None = None
    not_after: str | None = None  # the certificate's dates outlive the drop: the expiry warning comes after it
    days_left: int | None = None
    pin_tries: int | None = None
    pin_unavailable: PinUnavailable | None = None
    pin_wrong: bool = False
    face_unavailable: FaceUnavailable | None = None
    face_attempts: int = 0
    card_face_scans: int = 0
    card_face_problem: CardFaceProblem | None = None
    card_face: CardFaceProof | None = None
    cue: FaceCue = FaceCue.LOOK_AT_CAMERA
    face: FaceMatch | None = None
    staff: StaffAttestation | None = None
    method: Method | None = None
    answers: dict[State, Option] = field(default_factory=dict)
    dropped: bool = False


@dataclass(frozen=True)
class _Ending:
    """What the screens after a session need to know about it (nothing read from the card but dates and kinds)."""

    reason: EndReason
    reader: ReaderRole | None = None
    code: str = ""
    kind: CardKind = CardKind.UNKNOWN
    problem: CertificateProblem = CertificateProblem.EXPIRED
    not_after: str | None = None
    days_left: int = 0


# Which request each answer event answers (the daemon and the simulator use it too).
ANSWERS_TO: dict[type[Answer], type[Request]] = {
    CardRead: ReadCard,
    CardUnreadable: ReadCard,
    CardFaceRead: ScanCardFace,
    CardFaceNotRead: ScanCardFace,
    FaceGuidance: CaptureFace,
    FaceResult: CaptureFace,
    FaceNotCaptured: CaptureFace,
    PinTries: ReadPinTries,
    PinVerified: VerifyPin,
    PinRejected: VerifyPin,
    Signed: SignChallenge,
    SignRefused: SignChallenge,
    ResultAccepted: EmitResult,
}

_CONSENT_OPTIONS = {
    S.CONSENT_MEDICAL: (Option.AGREE, Option.DISAGREE),
    S.CONSENT_CHECKUP: (Option.AGREE, Option.DISAGREE_OR_UNDER_40),
    S.CONSENT_LIMIT: (Option.PROVIDE, Option.DONT_PROVIDE),
    S.CONSENT_PRESCRIPTION: (Option.E_PRESCRIPTION, Option.PAPER_PRESCRIPTION),
}
_CONSENT_SCREENS = {
    S.CONSENT_MEDICAL: ConsentMedicalScreen,
    S.CONSENT_CHECKUP: ConsentCheckupScreen,
    S.CONSENT_LIMIT: ConsentLimitScreen,
    S.CONSENT_PRESCRIPTION: ConsentPrescriptionScreen,
}

_CARD_FACE_UNAVAILABLE = {
    CardFaceProblem.FACE_DOWN: FaceUnavailable.CARD_FACE_UNREADABLE,
    CardFaceProblem.NOT_FOUND: FaceUnavailable.CARD_FACE_UNREADABLE,
    CardFaceProblem.UNREADABLE: FaceUnavailable.CARD_FACE_UNREADABLE,
    CardFaceProblem.RECORD_INVALID: FaceUnavailable.CARD_FACE_UNREADABLE,
    CardFaceProblem.COLLATION_LOCKED: FaceUnavailable.COLLATION_LOCKED,
}


# --- the machine ------------------------------------------------------------------------------------------------------


class ReceptionFlow:
    """The reception flow. See the module docstring for how a daemon drives it."""

    def __init__(
        self,
        config: FlowConfig | None = None,
        *,
        now: float = 0.0,
        on_transition: Callable[[State, State], None] | None = None,
    ) -> None:
        self.config = config if config is not None else FlowConfig()
        if not isinstance(self.config, FlowConfig):
            raise ConfigError("config must be a FlowConfig")
        self._now = self._check_now(now)
        self._on_transition = on_transition
        self._state = State.HOST_NOT_CONNECTED
        self._host_ready = False
        self._out_of_service = False
        self._out_of_service_reason: str | None = None
        self._faults: dict[str, None] = {}  # persistent fault codes, in arrival order
        self._face_faults: set[str] = set()  # face-path devices that failed: face is not offered while any
        self._present: set[ReaderRole] = set()
        self._used: set[ReaderRole] = set()  # readers whose present card must be placed again before it is read
        self._language = self.config.default_language
        self._language_until: float | None = None  # when a language chosen at rest goes back to the default
        self._session: _Session | None = None
        self._ending: _Ending | None = None
        self._phone_platform = CardKind.ANDROID
        self._pending: tuple[int, type[Request]] | None = None  # the id and kind of the awaited answer, no payload
        self._next_request_id = 1
        self._pin = _Digits()
        self._staff_digits = _Digits()
        self._staff_digits_until: float | None = None  # when the staff-code digits typed so far are forgotten
        self._staff_failures = 0
        self._staff_locked_until = -math.inf
        self._key_on = False
        self._armed: StaffAttestation | None = None
        self._armed_until = math.inf
        self._step_deadline: float | None = None
        self._reminders_left = 0
        self._shown: Screen | None = None
        self._out: list[Action] = []
        self._requests: list[Action] = []

    def __repr__(self) -> str:
        return f"<ReceptionFlow state={self._state.value}>"

    # --- public surface -----------------------------------------------------------------------------------------------

    @property
    def state(self) -> State:
        return self._state

    @property
    def screen(self) -> Screen:
        """The screen the current state shows."""
        return self._render()

    @property
    def in_session(self) -> bool:
        """True while a card session holds data (from the card read to its :class:`DropSession`)."""
        return self._session is not None and not self._session.dropped

    @property
    def staff_authority(self) -> StaffAttestation | None:
        """The visual-check authority in force: armed for the next card, or held by the running session."""
        if self._session is not None and self._session.staff is not None:
            return self._session.staff
        return self._armed

    @property
    def mode(self) -> HostMode:
        """The mode for the line protocol's state message: ``visual_check`` while a staff member's visual check is
        set (for the next card) or running. A ``HostSetMode(VISUAL_CHECK)`` that does not take leaves it ``auto`` and
        yields a :class:`ModeRefused` action saying why."""
        return HostMode.AUTO if self.staff_authority is None else HostMode.VISUAL_CHECK

    @property
    def status_light(self) -> StatusLight:
        """What the status LED shows now (set it after each :meth:`handle`)."""
        state = self._state
        if state in (S.OUT_OF_SERVICE, S.DEVICE_ERROR):
            return StatusLight.FAULT
        if state is S.HOST_NOT_CONNECTED:
            return StatusLight.OFF
        return StatusLight.READY if state is S.IDLE else StatusLight.WORKING

    @property
    def deadline(self) -> float | None:
        """When the flow next needs a :class:`Tick` (monotonic seconds), or None."""
        times = [t for t in (self._step_deadline, self._armed_until, self._staff_digits_until, self._language_until)
                 if t is not None and t != math.inf]  # fmt: skip
        if self._state is S.CAPTURING_FACE and self._step_deadline is not None:
            remaining = self._step_deadline - self._now
            if remaining > 1:  # the countdown changes at each whole second left
                times.append(self._step_deadline - (math.ceil(remaining) - 1))
        return min(times) if times else None

    def start(self) -> list[Action]:
        """The actions that draw the first screen (call once, before the first event)."""
        return self._flush()

    def handle(self, event: Event, now: float) -> list[Action]:
        """Fire the timers due by ``now``, handle ``event``, and return the actions to carry out, in order."""
        handler = _HANDLERS.get(type(event))
        if handler is None:
            raise InvalidEvent(f"not a reception event: {type(event).__name__}")
        self._now = max(self._now, self._check_now(now))  # a clock that steps back is held, never obeyed
        # What the timers did comes first, complete with its requests, as if the daemon had ticked on time.
        actions = self._flush() if self._advance() else []
        handler(self, event)
        return actions + self._flush()

    # --- plumbing -----------------------------------------------------------------------------------------------------

    @staticmethod
    def _check_now(now: float) -> float:
        if not isinstance(now, (int, float)) or isinstance(now, bool) or not math.isfinite(now):
            raise InvalidEvent(f"now must be finite monotonic seconds, got {now!r}")
        return float(now)

    def _flush(self) -> list[Action]:
        actions, self._out = self._out, []
        screen = self._render()
        if screen != self._shown:
            self._shown = screen
            actions.append(Show(screen))
        actions.extend(self._requests)
        self._requests = []
        return actions

    def _emit(self, action: Action) -> None:
        self._out.append(action)

    def _beep(self, pattern: BeepPattern) -> None:
        self._out.append(Beep(pattern))

    def _request(self, cls: type[Request], **fields: object) -> None:
        self._stop_waiting()
        request = cls(request_id=self._next_request_id, **fields)
        self._next_request_id += 1
        self._pending = (request.request_id, cls)  # never the request itself: a VerifyPin carries the PIN
        self._requests.append(request)

    def _answers_pending(self, event: Answer) -> bool:
        """Whether ``event`` answers the request the flow waits for; any answer but guidance ends the wait."""
        pending = self._pending
        if pending is None or pending[0] != event.request_id:
            return False
        if isinstance(event, NonceUnavailable):
            if not pending[1].uses_host_nonce:
                return False
        elif not isinstance(event, RequestFailed) and ANSWERS_TO[type(event)] is not pending[1]:
            return False
        if not isinstance(event, FaceGuidance):
            self._pending = None
        return True

    def _stop_waiting(self) -> None:
        """Tell the daemon to stop the work whose answer the flow will no longer take."""
        if self._pending is not None:
            self._emit(Cancel(self._pending[0]))
            self._pending = None

    def _go(self, new: State) -> None:
        old = self._state
        if (old, new) not in _ALLOWED:
            raise UndeclaredTransition(f"{old.value} -> {new.value}")
        self._state = new
        self._stop_waiting()  # an answer to anything asked before is now stale
        if new not in RESTING:
            self._language_until = None  # the patient who chose it is going on: it lasts their session
        if new is not S.ENTERING_PIN:
            self._pin.clear()
        self._forget_staff_digits()
        timeout = self._timeout_for(new)
        self._step_deadline = None if timeout is None else self._now + timeout
        if new is S.CARD_FORGOTTEN:
            self._beep(BeepPattern.REMINDER)
            self._reminders_left = self.config.reminder_beeps - 1
            if self._reminders_left <= 0:
                self._step_deadline = None
        if self._on_transition is not None:
            self._on_transition(old, new)

    def _timeout_for(self, state: State) -> float | None:
        t = self.config.timeouts
        if state in AFTER_SESSION and state not in STEP_TIMEOUTS:
            return t.forgotten_after if self._ending_card_present() else t.notice
        name = STEP_TIMEOUTS.get(state)
        return None if name is None else float(getattr(t, name))

    def _touch(self) -> None:
        """Accepted input: the step was not left untouched, so its clock starts again."""
        if self._state in PATIENT_STEPS or self._state in PRE_SESSION:
            timeout = self._timeout_for(self._state)
            self._step_deadline = None if timeout is None else self._now + timeout

    def _ending_card_present(self) -> bool:
        return self._ending is not None and self._ending.reader is not None and self._ending.reader in self._present

    # --- timers -------------------------------------------------------------------------------------------------------

    def _advance(self) -> bool:
        """Fire the timers due by now; True if any fired."""
        fired = False
        # Each timer that fires moves its deadline to a later time or clears it, so this ends; the bound is a guard.
        for _ in range(64):
            if self._armed is not None and self._now >= self._armed_until:
                self._disarm()
                fired = True
            if self._staff_digits_until is not None and self._now >= self._staff_digits_until:
                self._forget_staff_digits()  # nothing to show: the screen never carried them
            if self._language_until is not None and self._now >= self._language_until:
                self._language_until = None  # chosen at rest by someone who left: not the next patient's
                self._language = self.config.default_language
                fired = True
            if self._step_deadline is not None and self._now >= self._step_deadline:
                self._step_deadline = None
                self._on_step_timeout()
                fired = True
                continue
            break
        return fired

    def _on_step_timeout(self) -> None:
        state = self._state
        if state in PRE_SESSION:
            self._rest()
        elif state is S.CAPTURING_FACE:
            self._face_attempt_failed()
        elif state in DEVICE_WAITS:
            self._end(EndReason.DEVICE_FAULT, S.DEVICE_ERROR, code=f"timeout.{state.value}")
        elif state in PATIENT_STEPS:
            self._end(EndReason.TIMEOUT, S.TIMED_OUT)
        elif state is S.EXPIRY_WARNING:
            self._go(S.DONE)
        elif state is S.CARD_FORGOTTEN:
            self._beep(BeepPattern.REMINDER)
            self._reminders_left -= 1
            if self._reminders_left > 0:
                self._step_deadline = self._now + self.config.timeouts.reminder_repeat
        elif state in AFTER_SESSION:
            if self._ending_card_present() and state is not S.CARD_REMOVED:
                self._go(S.CARD_FORGOTTEN)
            else:
                self._rest()

    # --- session life -------------------------------------------------------------------------------------------------

    def _rest_target(self) -> State:
        if self._out_of_service or self._faults:
            return S.OUT_OF_SERVICE
        if not self._host_ready:
            return S.HOST_NOT_CONNECTED
        return S.IDLE

    def _rest(self) -> None:
        """Back to the resting state that applies; start on a card that was placed while the reader could not."""
        if self._state not in RESTING:
            self._language = self.config.default_language
        self._forget_staff_digits()
        self._ending = None
        self._session = None
        target = self._rest_target()
        if self._state is not target:
            self._go(target)
        if target is S.IDLE:
            for reader in (ReaderRole.CARD, ReaderRole.PHONE):
                if reader in self._present and reader not in self._used:
                    self._start_session(reader)
                    break

    def _start_session(self, reader: ReaderRole) -> None:
        session = _Session(reader=reader)
        if self._armed is not None:
            session.staff = self._armed
            self._armed = None
            self._armed_until = math.inf
        self._session = session
        self._ending = None
        self._beep(BeepPattern.CARD_DETECTED)
        self._go(S.READING_CARD)
        self._request(ReadCard, reader=reader)

    def _drop(self, reason: EndReason) -> None:
        session = self._session
        if session is not None and not session.dropped:
            session.dropped = True
            # Keep only what the screens after the session need (the certificate's dates), nothing else read.
            session.certificate = None
            session.card_face = None
            session.face = None
            session.staff = None
            session.answers.clear()
            self._emit(DropSession(reason))

    def _end(self, reason: EndReason, state: State, *, beep: BeepPattern | None = BeepPattern.ERROR,
             **ending: object) -> None:  # fmt: skip
        """End the session (if any): drop its data, remember what the end screen needs, show it."""
        session = self._session
        reader = session.reader if session is not None else None
        self._drop(reason)
        if reader is not None and reader in self._present:
            self._used.add(reader)
        self._session = None
        self._ending = _Ending(reason, reader, **ending)  # type: ignore[arg-type]
        if beep is not None:
            self._beep(beep)
        self._go(state)

    # --- staff authority ----------------------------------------------------------------------------------------------

    def _arm(self, staff: StaffAttestation) -> None:
        self._armed = staff
        self._armed_until = self._now + self.config.timeouts.visual_check_arm

    def _disarm(self) -> None:
        self._armed = None
        self._armed_until = math.inf

    def _staff_steps_in(self, staff: StaffAttestation) -> ModeRefusal | None:
        """A staff member asks for a visual check: for this session if one runs and may take it, else the next.
        Why it was not taken, or None."""
        state = self._state
        session = self._session
        if state is S.IDLE or state in PRE_SESSION:
            self._arm(staff)
            return None
        if state in BEFORE_AUTH and session is not None:
            if session.kind not in (None, CardKind.CARD):
                return ModeRefusal.SMARTPHONE
            session.staff = staff
            if state is not S.READING_CARD:  # while reading, it applies once the card is known
                self._begin_visual_check()
            return None
        if state in SESSION and session is not None and session.method is not None:
            return ModeRefusal.PAST_AUTHENTICATION
        return ModeRefusal.BUSY

    def _begin_visual_check(self) -> None:
        session = self._session
        assert session is not None and session.staff is not None
        if session.staff.source is StaffSource.HOST:
            self._authenticated(Method.VISUAL)  # the staff member at the reception PC attests it
        else:
            self._go(S.VISUAL_CHECK)

    def _staff_present(self) -> bool:
        """Whether the confirm / reject buttons of the visual check are honoured now."""
        session = self._session
        if session is None or session.staff is None:
            return False
        if session.staff.source is StaffSource.KEYSWITCH:
            return self._key_on
        return True

    def _staff_withdraws(self, source: StaffSource) -> None:
        if self._armed is not None and self._armed.source is source:
            self._disarm()
        session = self._session
        if session is not None and session.staff is not None and session.staff.source is source \
                and session.method is None:
            session.staff = None
            if self._state is S.VISUAL_CHECK:
                self._go(S.CHOOSE_METHOD)

    # --- methods ------------------------------------------------------------------------------------------------------

    def _face_available(self) -> bool:
        session = self._session
        return session is not None and session.kind is CardKind.CARD and session.face_unavailable is None

    def _pin_available(self) -> bool:
        session = self._session
        return session is not None and session.pin_unavailable is None and (session.pin_tries or 0) > 0

    def _offer_methods(self) -> None:
        self._go(S.CHOOSE_METHOD)

    def _start_face(self) -> None:
        session = self._session
        assert session is not None
        if session.card_face is None:
            session.card_face_scans += 1
            self._go(S.SCANNING_CARD_FACE)
            self._request(ScanCardFace)
        else:
            self._capture_face()

    def _capture_face(self) -> None:
        session = self._session
        assert session is not None
        session.cue = FaceCue.LOOK_AT_CAMERA
        self._go(S.CAPTURING_FACE)
        self._request(
            CaptureFace,
            attempt=session.face_attempts + 1,
            max_attempts=self.config.face_max_attempts,
            seconds=self.config.timeouts.face_attempt,
        )

    def _face_attempt_failed(self) -> None:
        session = self._session
        assert session is not None
        session.face_attempts += 1
        self._beep(BeepPattern.ERROR)
        if session.face_attempts >= self.config.face_max_attempts:
            session.face_unavailable = FaceUnavailable.EXHAUSTED
            self._offer_methods()
        else:
            self._go(S.FACE_RETRY)

    def _check_pin_tries(self) -> None:
        self._go(S.CHECKING_PIN_TRIES)
        self._request(ReadPinTries)

    def _authenticated(self, method: Method) -> None:
        session = self._session
        assert session is not None
        session.method = method
        if method is not Method.VISUAL:
            session.staff = None
        self._go(S.CONSENT_MEDICAL)

    def _consent_states(self) -> tuple[State, ...]:
        return CONSENTS if self.config.ask_prescription_format else CONSENTS[:3]

    def _send_result(self) -> None:
        session = self._session
        assert session is not None and session.method is not None and session.certificate is not None
        assert session.kind is not None
        answers = session.answers
        prescription = answers.get(S.CONSENT_PRESCRIPTION)
        consents = ConsentAnswers(
            medical=answers[S.CONSENT_MEDICAL] is Option.AGREE,
            checkup=answers[S.CONSENT_CHECKUP] is Option.AGREE,
            limit=answers[S.CONSENT_LIMIT] is Option.PROVIDE,
            prescription=None if prescription is None else (
                PrescriptionFormat.ELECTRONIC if prescription is Option.E_PRESCRIPTION else PrescriptionFormat.PAPER
            ),
        )  # fmt: skip
        method = session.method
        claims = ReceptionClaims(
            method=method,
            card_kind=session.kind,
            certificate_serial=session.certificate.serial_hex,
            consents=consents,
            consent_wording_version=self.config.consent_wording_version,
            language=self._language,
            staff=session.staff if method is Method.VISUAL else None,
            face=session.face if method is Method.FACE else None,
            card_face=session.card_face if method is Method.FACE else None,
        )
        self._go(S.SENDING_RESULT)
        self._request(EmitResult, claims=claims)

    # --- event handlers -----------------------------------------------------------------------------------------------

    def _on_tick(self, event: Tick) -> None:
        pass  # the timers already ran

    def _on_card_inserted(self, event: CardInserted) -> None:
        reader = event.reader
        if reader in self._present:
            return
        self._present.add(reader)
        self._used.discard(reader)
        state = self._state
        if state is S.IDLE or state in PRE_SESSION:
            self._start_session(reader)
        elif state in RESTING:
            pass  # read once the reader can take patients again
        elif state in AFTER_SESSION and not self._ending_card_present():
            self._rest()
        else:
            self._used.add(reader)  # arrived while the reader was busy: place it again to be read

    def _on_card_removed(self, event: CardRemoved) -> None:
        reader = event.reader
        if reader not in self._present:
            return
        self._present.discard(reader)
        self._used.discard(reader)
        state = self._state
        session = self._session
        if session is not None and session.reader is reader and state in SESSION:
            if not self._result_handed_over(EndReason.CARD_REMOVED):
                self._end(EndReason.CARD_REMOVED, S.CARD_REMOVED)
        elif state in AFTER_SESSION and self._ending is not None and self._ending.reader is reader:
            self._rest()

    def _on_card_read(self, event: CardRead) -> None:
        if not self._answers_pending(event):
            return
        session = self._session
        assert session is not None
        kind = event.kind
        session.kind = kind
        if not kind.is_supported_kind or (kind.is_smartphone and not self.config.smartphone_reader):
            self._end(EndReason.UNSUPPORTED_CARD, S.UNSUPPORTED_CARD, kind=kind)
            return
        certificate = event.certificate
        if certificate is None or certificate.expired:
            problem = CertificateProblem.MISSING if certificate is None else CertificateProblem.EXPIRED
            self._end(EndReason.CERTIFICATE_UNUSABLE, S.CERTIFICATE_EXPIRED, problem=problem,
                      not_after=None if certificate is None else certificate.not_after)  # fmt: skip
            return
        session.certificate = certificate
        session.not_after, session.days_left = certificate.not_after, certificate.days_left
        if kind is CardKind.IPHONE:
            session.staff = None
            self._go(S.PHONE_AUTHORISING)
            self._request(SignChallenge)
        elif kind is CardKind.ANDROID:
            session.staff = None
            self._check_pin_tries()
        else:
            session.pin_tries = event.pin_tries_left
            if event.pin_tries_left is None:
                session.pin_unavailable = PinUnavailable.NOT_SET
            elif event.pin_tries_left == 0:
                session.pin_unavailable = PinUnavailable.LOCKED
            if not self.config.face_enabled:
                session.face_unavailable = FaceUnavailable.DISABLED
            elif self._face_faults:
                session.face_unavailable = FaceUnavailable.DEVICE_FAULT
            if session.staff is not None:
                self._begin_visual_check()
            else:
                self._offer_methods()

    def _on_card_unreadable(self, event: CardUnreadable) -> None:
        if self._answers_pending(event):
            self._end(EndReason.CARD_UNREADABLE, S.CARD_UNREADABLE, code=event.code)

    def _on_card_face_read(self, event: CardFaceRead) -> None:
        if not self._answers_pending(event):
            return
        session = self._session
        assert session is not None
        if not event.card_key_verified or event.issuer_signature is IssuerSignature.FAILED:
            session.face_unavailable = FaceUnavailable.CARD_FACE_UNVERIFIED
            self._beep(BeepPattern.ERROR)
            self._offer_methods()
            return
        session.card_face = CardFaceProof(event.card_key_verified, event.issuer_signature)
        session.card_face_problem = None
        self._capture_face()

    def _on_card_face_not_read(self, event: CardFaceNotRead) -> None:
        if not self._answers_pending(event):
            return
        session = self._session
        assert session is not None
        session.card_face_problem = event.problem
        if event.problem.rescannable and session.card_face_scans < self.config.card_face_scan_attempts:
            session.card_face_scans += 1
            self._go(S.SCANNING_CARD_FACE)
            self._request(ScanCardFace)
        else:
            session.face_unavailable = _CARD_FACE_UNAVAILABLE[event.problem]
            self._beep(BeepPattern.ERROR)
            self._offer_methods()

    def _on_face_guidance(self, event: FaceGuidance) -> None:
        if self._answers_pending(event) and self._session is not None:
            self._session.cue = event.cue

    def _on_face_result(self, event: FaceResult) -> None:
        if not self._answers_pending(event):
            return
        session = self._session
        assert session is not None
        live = event.liveness is Liveness.LIVE or (
            event.liveness is Liveness.NOT_CHECKED and not self.config.require_liveness
        )
        if event.matched and live:
            session.face_attempts += 1
            session.face = FaceMatch(event.score, event.threshold, event.liveness, session.face_attempts, event.frames)
            self._authenticated(Method.FACE)
        else:
            self._face_attempt_failed()

    def _on_face_not_captured(self, event: FaceNotCaptured) -> None:
        if self._answers_pending(event):
            self._face_attempt_failed()

    def _on_pin_tries(self, event: PinTries) -> None:
        if not self._answers_pending(event):
            return
        session = self._session
        assert session is not None
        tries = event.tries_left
        session.pin_tries = tries
        if tries is None or tries == 0:
            session.pin_unavailable = PinUnavailable.NOT_SET if tries is None else PinUnavailable.LOCKED
            self._beep(BeepPattern.ERROR)
            if tries is None and session.kind is CardKind.CARD:
                self._offer_methods()
            else:
                self._go(S.PIN_LOCKED)
        elif tries == 1:
            self._beep(BeepPattern.WARNING)
            self._go(S.PIN_LAST_TRY_WARNING)
        else:
            self._go(S.ENTERING_PIN)

    def _on_pin_verified(self, event: PinVerified) -> None:
        if self._answers_pending(event):
            self._go(S.SIGNING)
            self._request(SignChallenge)

    def _on_pin_rejected(self, event: PinRejected) -> None:
        if not self._answers_pending(event):
            return
        session = self._session
        assert session is not None
        session.pin_wrong = True
        session.pin_tries = event.tries_left
        self._beep(BeepPattern.ERROR)
        if event.tries_left == 0:
            session.pin_unavailable = PinUnavailable.LOCKED
            self._go(S.PIN_LOCKED)
        else:
            self._check_pin_tries()  # read the tries again before the next attempt; the patient types it

    def _on_signed(self, event: Signed) -> None:
        if not self._answers_pending(event):
            return
        session = self._session
        assert session is not None and session.kind is not None
        method = {CardKind.ANDROID: Method.SMARTPHONE_ANDROID, CardKind.IPHONE: Method.SMARTPHONE_IPHONE}
        self._authenticated(method.get(session.kind, Method.PIN))

    def _on_sign_refused(self, event: SignRefused) -> None:
        if not self._answers_pending(event):
            return
        if self._state is S.PHONE_AUTHORISING:
            self._end(EndReason.NOT_VERIFIED, S.NOT_VERIFIED)
        else:  # a card signs after a correct PIN; a refusal there is a fault
            self._end(EndReason.DEVICE_FAULT, S.DEVICE_ERROR, code="card.sign_refused")

    def _on_result_accepted(self, event: ResultAccepted) -> None:
        if not self._answers_pending(event):
            return
        session = self._session
        assert session is not None
        days_left = session.days_left
        expiring = days_left is not None and days_left <= self.config.expiry_warning_days
        self._end(EndReason.COMPLETED, S.EXPIRY_WARNING if expiring else S.DONE, beep=BeepPattern.SUCCESS,
                  not_after=session.not_after, days_left=days_left or 0)  # fmt: skip

    def _on_request_failed(self, event: RequestFailed) -> None:
        pending = self._pending
        if pending is None or not self._answers_pending(event):
            return
        session = self._session
        if pending[1] in (ScanCardFace, CaptureFace) and session is not None:
            session.face_unavailable = FaceUnavailable.DEVICE_FAULT  # the attempt is not counted: nobody was seen
            self._beep(BeepPattern.ERROR)
            self._offer_methods()
        else:
            self._end(EndReason.DEVICE_FAULT, S.DEVICE_ERROR, code=event.code)

    def _on_nonce_unavailable(self, event: NonceUnavailable) -> None:
        if not self._answers_pending(event):
            return
        self._host_ready = False  # as HostLost: no session starts until the host is ready again
        self._end(EndReason.DEVICE_FAULT, S.DEVICE_ERROR, code=Fault.NO_NONCE.value)

    def _on_selected(self, event: Selected) -> None:
        option = event.option
        if option not in self._render().options:
            return  # not on this screen (a stale press, or a button with nothing beside it)
        self._touch()
        state = self._state
        session = self._session
        match state:
            case S.IDLE:
                self._go(S.CHOOSE_PHONE)
            case S.CHOOSE_PHONE:
                if option is Option.BACK:
                    self._rest()
                else:
                    self._phone_platform = CardKind.IPHONE if option is Option.IPHONE else CardKind.ANDROID
                    self._go(S.WAITING_FOR_PHONE)
            case S.WAITING_FOR_PHONE:
                self._rest()
            case S.CHOOSE_METHOD | S.FACE_RETRY | S.PIN_LAST_TRY_WARNING | S.PIN_LOCKED | S.ENTERING_PIN \
                    | S.CAPTURING_FACE:
                if option is Option.FACE:
                    self._start_face()
                elif option is Option.RETRY:
                    self._capture_face()
                elif option is Option.PIN:
                    self._check_pin_tries()
                elif option is Option.CONTINUE:
                    self._go(S.ENTERING_PIN)
                elif option is Option.BACK and session is not None and session.kind is not CardKind.CARD:
                    self._end(EndReason.NOT_VERIFIED, S.NOT_VERIFIED)  # a phone has no other method to go back to
                elif option is Option.BACK:
                    self._offer_methods()
            case S.VISUAL_CHECK:
                if option is Option.CONFIRM_IDENTITY:
                    self._authenticated(Method.VISUAL)
                else:
                    self._end(EndReason.NOT_VERIFIED, S.NOT_VERIFIED)
            case S.CONSENT_MEDICAL | S.CONSENT_CHECKUP | S.CONSENT_LIMIT | S.CONSENT_PRESCRIPTION:
                assert session is not None
                steps = self._consent_states()
                index = steps.index(state)
                if option is Option.BACK:
                    self._go(steps[index - 1])
                else:
                    session.answers[state] = option
                    if index + 1 < len(steps):
                        self._go(steps[index + 1])
                    else:
                        self._send_result()
            case S.EXPIRY_WARNING:
                self._go(S.DONE)

    def _on_key(self, event: KeyPressed) -> None:
        key = event.key
        state = self._state
        if state is S.ENTERING_PIN:
            self._touch()
            if key.is_digit:
                if len(self._pin) < PIN_LENGTH:
                    self._pin.append(key.value)
            elif key is Key.CORRECT:
                self._pin.clear()  # 訂正 clears the entry, as at a bank ATM
            elif len(self._pin) == PIN_LENGTH:
                pin = self._pin.take()
                self._go(S.VERIFYING_PIN)
                self._request(VerifyPin, pin=pin)
            else:
                self._beep(BeepPattern.ERROR)
        elif state in STAFF_CODE_STATES and self.config.staff_codes and self._now >= self._staff_locked_until:
            self._staff_code_key(key)

    def _forget_staff_digits(self) -> None:
        self._staff_digits.clear()
        self._staff_digits_until = None

    def _staff_code_key(self, key: Key) -> None:
        digits = self._staff_digits
        if key.is_digit:
            if len(digits) < STAFF_CODE_MAX_LENGTH:
                digits.append(key.value)
            self._staff_digits_until = self._now + STAFF_DIGITS_KEPT
            return
        if key is Key.CORRECT or len(digits) < STAFF_CODE_MIN_LENGTH:
            # 訂正, or too short to be a staff code (a PIN typed on the wrong screen): not a guess
            self._forget_staff_digits()
            return
        self._staff_digits_until = None
        staff_id = self.config.staff_for_code(digits.take())
        if staff_id is None:
            self._beep(BeepPattern.ERROR)
            self._staff_failures += 1
            if self._staff_failures >= self.config.staff_code_max_failures:
                self._staff_failures = 0
                self._staff_locked_until = self._now + self.config.timeouts.staff_code_lockout
            return
        self._staff_failures = 0
        self._staff_steps_in(StaffAttestation(staff_id, StaffSource.STAFF_CODE))

    def _on_language(self, event: LanguagePressed) -> None:
        self._language = self._language.other()
        self._touch()
        if self._state in RESTING:
            chosen = self._language is not self.config.default_language
            self._language_until = self._now + self.config.timeouts.choice if chosen else None

    def _on_staff_key(self, event: StaffKeyChanged) -> None:
        if not self.config.keyswitch_fitted or event.on == self._key_on:
            return
        self._key_on = event.on
        if event.on:
            self._staff_steps_in(StaffAttestation(self.config.keyswitch_staff_id, StaffSource.KEYSWITCH))
        else:
            self._staff_withdraws(StaffSource.KEYSWITCH)

    def _on_host_set_mode(self, event: HostSetMode) -> None:
        if event.mode is HostMode.VISUAL_CHECK:
            assert event.staff_id is not None
            refusal = self._staff_steps_in(StaffAttestation(event.staff_id, StaffSource.HOST))
            if refusal is not None:
                self._emit(ModeRefused(event.mode, refusal))
        else:
            self._disarm()
            for source in StaffSource:
                self._staff_withdraws(source)

    def _on_host_connected(self, event: HostConnected) -> None:
        self._host_ready = True
        if self._state in RESTING:
            self._rest()

    def _on_host_lost(self, event: HostLost) -> None:
        self._host_ready = False  # a running session finishes: its result waits in the outbox
        if self._state in RESTING or self._state in PRE_SESSION:
            self._rest()

    def _result_handed_over(self, reason: EndReason) -> bool:
        """While the result is being queued nothing can call it back, so card removal or a stop drops the session data
        at once and the session still completes; what a stop set (out of service, a persistent fault) shows at the next
        rest. True if the flow is in that step."""
        if self._state is not S.SENDING_RESULT:
            return False
        self._drop(reason)
        return True

    def _on_host_cancel(self, event: HostCancel) -> None:
        state = self._state
        if self._result_handed_over(EndReason.CANCELLED):
            return
        if state in SESSION:
            self._end(EndReason.CANCELLED, S.CANCELLED)
        elif state in PRE_SESSION:
            self._rest()
        elif state is S.IDLE:
            self._disarm()

    def _on_out_of_service(self, event: OutOfService) -> None:
        self._out_of_service = True
        self._out_of_service_reason = event.reason
        state = self._state
        if self._result_handed_over(EndReason.OUT_OF_SERVICE):
            return
        if state in SESSION:
            self._end(EndReason.OUT_OF_SERVICE, S.CANCELLED)
        elif state in RESTING or state in PRE_SESSION:
            self._disarm()
            self._rest()

    def _on_back_in_service(self, event: BackInService) -> None:
        self._out_of_service = False
        self._out_of_service_reason = None
        if self._state in RESTING:
            self._rest()

    def _on_device_fault(self, event: DeviceFault) -> None:
        if event.code in FACE_PATH:
            self._face_faults.add(event.code)  # the PIN still works: face is withdrawn, the reader stays in service
            session = self._session
            if session is not None and session.face_unavailable is None:
                session.face_unavailable = FaceUnavailable.DEVICE_FAULT
            if self._state in (S.IDLE, S.HOST_NOT_CONNECTED):
                self._end(EndReason.DEVICE_FAULT, S.DEVICE_ERROR, code=event.code)
            return
        if event.persistent:
            self._faults[event.code] = None
        state = self._state
        if self._result_handed_over(EndReason.DEVICE_FAULT):
            return
        if state in SESSION:
            self._end(EndReason.DEVICE_FAULT, S.DEVICE_ERROR, code=event.code)
        elif state in PRE_SESSION or state in (S.IDLE, S.HOST_NOT_CONNECTED):
            self._disarm()
            if event.persistent:
                self._rest()
            else:
                self._end(EndReason.DEVICE_FAULT, S.DEVICE_ERROR, code=event.code)
        # out of service already, or after a session: the end screen stays; a persistent fault applies at rest

    def _on_device_recovered(self, event: DeviceRecovered) -> None:
        self._faults.pop(event.code, None)
        self._face_faults.discard(event.code)
        if self._state in RESTING:
            self._rest()

    # --- screens ------------------------------------------------------------------------------------------------------

    def _render(self) -> Screen:
        state = self._state
        lang = self._language
        session = self._session
        ending = self._ending
        card_there = self._ending_card_present()
        options: tuple[Option, ...]
        match state:
            case S.IDLE:
                options = (Option.SMARTPHONE,) if self.config.smartphone_reader else ()
                return InsertCardScreen(language=lang, options=options, visual_check_armed=self._armed is not None)
            case S.HOST_NOT_CONNECTED:
                return HostNotConnectedScreen(language=lang)
            case S.OUT_OF_SERVICE:
                # the earliest faults: the first cause is the one a technician needs
                return OutOfServiceScreen(language=lang, reason=self._out_of_service_reason,
                                          fault_codes=tuple(self._faults)[:FAULT_CODES_MAX])  # fmt: skip
            case S.CHOOSE_PHONE:
                return ChoosePhoneScreen(language=lang, options=(Option.IPHONE, Option.ANDROID, Option.BACK))
            case S.WAITING_FOR_PHONE:
                return HoldPhoneScreen(language=lang, options=(Option.BACK,), platform=self._phone_platform)
            case S.READING_CARD:
                return ReadingScreen(language=lang, subject=ReadingSubject.CARD)
            case S.CHECKING_PIN_TRIES:
                return ReadingScreen(language=lang, subject=ReadingSubject.PIN_TRIES)
            case S.VERIFYING_PIN:
                return ReadingScreen(language=lang, subject=ReadingSubject.PIN)
            case S.SIGNING:
                return ReadingScreen(language=lang, subject=ReadingSubject.SIGNATURE)
            case S.SENDING_RESULT:
                return ReadingScreen(language=lang, subject=ReadingSubject.RESULT)
            case S.PHONE_AUTHORISING:
                return PhoneAuthoriseScreen(language=lang)
        assert session is not None or state in AFTER_SESSION, state
        match state:
            case S.CHOOSE_METHOD:
                assert session is not None
                face, pin = self._face_available(), self._pin_available()
                options = ((Option.FACE,) if face else ()) + ((Option.PIN,) if pin else ())
                return ChooseMethodScreen(
                    language=lang,
                    options=options,
                    pin_tries_left=session.pin_tries if pin else None,
                    pin_unavailable=session.pin_unavailable,
                    face_unavailable=session.face_unavailable,
                    ask_staff=not (face and pin),
                )
            case S.SCANNING_CARD_FACE:
                assert session is not None
                return CardFaceScanScreen(language=lang, problem=session.card_face_problem)
            case S.CAPTURING_FACE:
                assert session is not None
                left = 0 if self._step_deadline is None else max(0, math.ceil(self._step_deadline - self._now))
                # spec step 2a: the patient may switch to 暗証番号 during the capture
                options = (Option.PIN,) if self._pin_available() else ()
                return FaceGuidanceScreen(language=lang, options=options, cue=session.cue, seconds_left=left,
                                          attempt=session.face_attempts + 1,
                                          max_attempts=self.config.face_max_attempts)  # fmt: skip
            case S.FACE_RETRY:
                assert session is not None
                options = (Option.RETRY,) + ((Option.PIN,) if self._pin_available() else ())
                return FaceRetryScreen(language=lang, options=options,
                                       attempts_left=self.config.face_max_attempts - session.face_attempts)  # fmt: skip
            case S.PIN_LAST_TRY_WARNING:
                assert session is not None
                card = session.kind is CardKind.CARD
                options = (Option.CONTINUE,) + ((Option.FACE,) if self._face_available() else ())
                options += (Option.BACK,) if card else ()
                return PinLastTryWarningScreen(language=lang, options=options)
            case S.ENTERING_PIN:
                assert session is not None
                tries = session.pin_tries or 0
                return PinEntryScreen(
                    language=lang,
                    options=(Option.BACK,) if session.kind is CardKind.CARD else (),
                    entered=len(self._pin),
                    length=PIN_LENGTH,
                    tries_left=tries,
                    last_try=tries == 1,
                    previous_wrong=session.pin_wrong,
                    smartphone=session.kind is not CardKind.CARD,
                )
            case S.PIN_LOCKED:
                assert session is not None
                card = session.kind is CardKind.CARD
                # A phone has no face check here: 戻る ends the session rather than leaving the patient to wait.
                if card:
                    options = (Option.FACE,) if self._face_available() else ()
                else:
                    options = (Option.BACK,)
                return PinLockedScreen(language=lang, options=options, smartphone=not card, ask_staff=True)
            case S.VISUAL_CHECK:
                assert session is not None and session.staff is not None
                options = (Option.CONFIRM_IDENTITY, Option.REJECT_IDENTITY) if self._staff_present() else ()
                return VisualCheckScreen(language=lang, options=options, staff_id=session.staff.staff_id,
                                         source=session.staff.source)  # fmt: skip
            case S.CONSENT_MEDICAL | S.CONSENT_CHECKUP | S.CONSENT_LIMIT | S.CONSENT_PRESCRIPTION:
                steps = self._consent_states()
                index = steps.index(state)
                options = _CONSENT_OPTIONS[state] + ((Option.BACK,) if index > 0 else ())
                return _CONSENT_SCREENS[state](language=lang, options=options, step=index + 1, steps=len(steps),
                                               wording_version=self.config.consent_wording_version)  # fmt: skip
        assert ending is not None, state
        match state:
            case S.EXPIRY_WARNING:
                return ExpiringSoonScreen(language=lang, options=(Option.OK,), days_left=ending.days_left,
                                          not_after=ending.not_after)  # fmt: skip
            case S.DONE:
                return DoneScreen(language=lang, remove_card=card_there)
            case S.CARD_FORGOTTEN:
                return CardForgottenScreen(language=lang, smartphone=ending.reader is ReaderRole.PHONE)
            case S.CARD_REMOVED:
                return CardRemovedScreen(language=lang)
            case S.TIMED_OUT:
                return TimedOutScreen(language=lang, remove_card=card_there)
            case S.CANCELLED:
                return CancelledScreen(language=lang, remove_card=card_there,
                                       out_of_service=ending.reason is EndReason.OUT_OF_SERVICE)  # fmt: skip
            case S.NOT_VERIFIED:
                return NotVerifiedScreen(language=lang, remove_card=card_there)
            case S.DEVICE_ERROR:
                return DeviceErrorScreen(language=lang, code=ending.code, remove_card=card_there)
            case S.UNSUPPORTED_CARD:
                return UnsupportedCardScreen(language=lang, kind=ending.kind, remove_card=card_there)
            case S.CARD_UNREADABLE:
                return CardUnreadableScreen(language=lang, code=ending.code, remove_card=card_there)
            case S.CERTIFICATE_EXPIRED:
                return CertificateExpiredScreen(language=lang, problem=ending.problem, not_after=ending.not_after,
                                                remove_card=card_there)  # fmt: skip
        raise AssertionError(f"no screen for {state}")  # unreachable: every state is matched above


_HANDLERS: dict[type, Callable[[ReceptionFlow, Any], None]] = {
    Tick: ReceptionFlow._on_tick,
    CardInserted: ReceptionFlow._on_card_inserted,
    CardRemoved: ReceptionFlow._on_card_removed,
    CardRead: ReceptionFlow._on_card_read,
    CardUnreadable: ReceptionFlow._on_card_unreadable,
    CardFaceRead: ReceptionFlow._on_card_face_read,
    CardFaceNotRead: ReceptionFlow._on_card_face_not_read,
    FaceGuidance: ReceptionFlow._on_face_guidance,
    FaceResult: ReceptionFlow._on_face_result,
    FaceNotCaptured: ReceptionFlow._on_face_not_captured,
    PinTries: ReceptionFlow._on_pin_tries,
    PinVerified: ReceptionFlow._on_pin_verified,
    PinRejected: ReceptionFlow._on_pin_rejected,
    Signed: ReceptionFlow._on_signed,
    SignRefused: ReceptionFlow._on_sign_refused,
    ResultAccepted: ReceptionFlow._on_result_accepted,
    RequestFailed: ReceptionFlow._on_request_failed,
    NonceUnavailable: ReceptionFlow._on_nonce_unavailable,
    Selected: ReceptionFlow._on_selected,
    KeyPressed: ReceptionFlow._on_key,
    LanguagePressed: ReceptionFlow._on_language,
    StaffKeyChanged: ReceptionFlow._on_staff_key,
    HostSetMode: ReceptionFlow._on_host_set_mode,
    HostConnected: ReceptionFlow._on_host_connected,
    HostLost: ReceptionFlow._on_host_lost,
    HostCancel: ReceptionFlow._on_host_cancel,
    OutOfService: ReceptionFlow._on_out_of_service,
    BackInService: ReceptionFlow._on_back_in_service,
    DeviceFault: ReceptionFlow._on_device_fault,
    DeviceRecovered: ReceptionFlow._on_device_recovered,
}
HANDLED_EVENTS: tuple[type[Event], ...] = tuple(_HANDLERS)

