"""A scripted daemon and patient for the reception flow: drive it without hardware, by hand or at random.

:class:`FlowDriver` keeps the clock and the actions, and answers the latest request of a kind by name; the tests are
written with it. :func:`play_random_session` plays one plausible reception with random choices, answers and accidents
(card pulled, timeouts, host cancel, faults, staff stepping in); the benchmark and a smoke test run thousands.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence

from firmware.reception.machine import ANSWERS_TO, ReceptionFlow
from firmware.reception.states import AFTER_SESSION, RESTING, State
from firmware.reception.actions import Action, EmitResult, Request, ReceptionClaims
from firmware.reception.config import FlowConfig
from firmware.reception.events import (
    Answer,
    AuthCertificate,
    CardFaceNotRead,
    CardFaceRead,
    CardInserted,
    CardRead,
    CardRemoved,
    CardUnreadable,
    DeviceFault,
    Event,
    FaceGuidance,
    FaceNotCaptured,
    FaceResult,
    HostCancel,
    HostConnected,
    HostSetMode,
    KeyPressed,
    LanguagePressed,
    PinRejected,
    PinTries,
    PinVerified,
    ResultAccepted,
    Selected,
    Signed,
    SignRefused,
    StaffKeyChanged,
    Tick,
)
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

TEST_SERIAL = "abcdef"  # hex letters only, so no digit run of a PIN can hide in it


def certificate(days_left: int | None = 1000, *, expired: bool = False, serial: str = TEST_SERIAL) -> AuthCertificate:
    return AuthCertificate(serial_hex=serial, not_after="2030-02-17", days_left=days_left, expired=expired)


class FlowDriver:
    """A flow with a clock, a record of every action and transition, and helpers to answer requests."""

    def __init__(self, config: FlowConfig | None = None, *, host: bool = True, now: float = 1000.0,
                 timed: bool = False) -> None:  # fmt: skip
        self.transitions: list[tuple[State, State]] = []
        self.flow = ReceptionFlow(config, now=now, on_transition=lambda a, b: self.transitions.append((a, b)))
        self.now = now
        self.actions: list[Action] = list(self.flow.start())
        self.last: list[Action] = list(self.actions)
        self.timings_ns: list[int] | None = [] if timed else None
        if host:
            self.send(HostConnected())

    @property
    def state(self) -> State:
        return self.flow.state

    def send(self, event: Event, *, after: float = 0.0) -> list[Action]:
        self.now += after
        if self.timings_ns is None:
            self.last = self.flow.handle(event, self.now)
        else:
            start = time.perf_counter_ns()
            self.last = self.flow.handle(event, self.now)
            self.timings_ns.append(time.perf_counter_ns() - start)
        self.actions.extend(self.last)
        return self.last

    def tick(self, after: float) -> list[Action]:
        return self.send(Tick(), after=after)

    def run_to_deadline(self) -> list[Action]:
        """Let time pass to the flow's next deadline and tick (nothing happens if it needs no time)."""
        deadline = self.flow.deadline
        if deadline is None:
            return []
        return self.send(Tick(), after=max(0.0, deadline - self.now))

    def latest(self, cls: type[Request]) -> Request | None:
        for action in reversed(self.actions):
            if isinstance(action, cls):
                return action
        return None

    def answer(self, cls: type[Answer], **fields: object) -> list[Action]:
        """Send ``cls(request_id=<the latest matching request>, **fields)``."""
        request = self.latest(ANSWERS_TO[cls])
        if request is None:
            raise LookupError(f"no {ANSWERS_TO[cls].__name__} request to answer with {cls.__name__}")
        return self.send(cls(request_id=request.request_id, **fields))  # type: ignore[call-arg]

    def press(self, *keys: Key | str) -> list[Action]:
        out: list[Action] = []
        for key in keys:
            out += self.send(KeyPressed(Key(key)))
        return out

    def type_pin(self, pin: str) -> list[Action]:
        """Type the digits and 決定."""
        return self.press(*pin, Key.ENTER)


    # --- a scripted patient and daemon, step by step ---------------------------------------------------------------

    def place_card(self, kind: CardKind = CardKind.CARD, *, tries: int | None = 3, days_left: int | None = 1000,
                   after: float = 1.0) -> list[Action]:  # fmt: skip
        """Place a card (a phone on the phone reader) and answer the read: a My Number card at CHOOSE_METHOD."""
        reader = ReaderRole.PHONE if kind.is_smartphone else ReaderRole.CARD
        self.send(CardInserted(reader), after=after)
        return self.answer(CardRead, kind=kind, certificate=certificate(days_left), pin_tries_left=tries)

    def pass_pin(self, pin: str = "1234", *, tries: int = 3) -> None:
        """Choose 暗証番号 (on a card), type a correct PIN, let the card sign."""
        if self.flow.state is State.CHOOSE_METHOD:
            self.send(Selected(Option.PIN), after=1.0)
        self.answer(PinTries, tries_left=tries)
        self.type_pin(pin)
        self.answer(PinVerified)
        self.answer(Signed)

    def pass_face(self) -> None:
        """Choose 顔認証, read the card face, match a live face at the first attempt."""
        self.send(Selected(Option.FACE), after=1.0)
        self.answer(CardFaceRead, card_key_verified=True, issuer_signature=IssuerSignature.VERIFIED)
        self.answer(FaceResult, matched=True, score=0.75, threshold=0.5, liveness=Liveness.LIVE)

    def answer_consents(self, *options: Option) -> None:
        """Answer the consent screens with these options, or with the first option of each when none are given."""
        consent_states = (State.CONSENT_MEDICAL, State.CONSENT_CHECKUP, State.CONSENT_LIMIT,
                          State.CONSENT_PRESCRIPTION)  # fmt: skip
        if options:
            for option in options:
                self.send(Selected(option), after=1.0)
            return
        while self.flow.state in consent_states:
            self.send(Selected(self.flow.screen.options[0]), after=1.0)

    def finish(self, *options: Option) -> ReceptionClaims:
        """Answer the consents, let the outbox accept the result, return the result's claims."""
        self.answer_consents(*options)
        result = self.latest(EmitResult)
        if not isinstance(result, EmitResult) or self.flow.state is not State.SENDING_RESULT:
            raise LookupError(f"no result is being sent (state {self.flow.state.value})")
        self.answer(ResultAccepted)
        return result.claims


def _pick(rng: random.Random, weighted: Sequence[tuple[object, float]]) -> object:
    values = [v for v, _ in weighted]
    weights = [w for _, w in weighted]
    return rng.choices(values, weights)[0]


def play_random_session(driver: FlowDriver, rng: random.Random, *, max_events: int = 300) -> int:
    """Play one reception from a card placed to the reader at rest again; return the number of events sent.

    The simulated card has random PIN tries, certificate validity and kind; the simulated patient picks random options,
    types random PINs (sometimes short, sometimes corrected), walks away, or pulls the card; the host and the hardware
    sometimes cancel or fail; staff sometimes step in. Every answer goes to the latest request, as a daemon would.
    """
    flow = driver.flow
    config = flow.config
    sent = 0

    def send(event: Event, after: float = 0.0) -> None:
        nonlocal sent
        driver.send(event, after=after)
        sent += 1

    kind = _pick(rng, [(CardKind.CARD, 80), (CardKind.ANDROID, 5), (CardKind.IPHONE, 5), (CardKind.JUKI, 3),
                       (CardKind.UNKNOWN, 4), (CardKind.MUTE, 3)])  # fmt: skip
    assert isinstance(kind, CardKind)
    reader = ReaderRole.PHONE if kind.is_smartphone and config.smartphone_reader else ReaderRole.CARD
    tries: int | None = _pick(rng, [(3, 70), (2, 10), (1, 10), (0, 5), (None, 5)])  # type: ignore[assignment]
    days_left = rng.choice([None, 3000, 1000, 400, 45, 10, -3])
    if flow.state not in RESTING:
        return 0
    if config.smartphone_reader and rng.random() < 0.05:
        send(Selected(rng.choice(list(flow.screen.options))) if flow.screen.options else Tick(), after=1.0)
    send(CardInserted(reader), after=rng.uniform(0.5, 5.0))
    present = True

    for _ in range(max_events):
        state = flow.state
        if state in RESTING and not present:
            break
        roll = rng.random()
        if present and state not in AFTER_SESSION and roll < 0.01:
            send(CardRemoved(reader), after=rng.uniform(0.1, 3.0))
            present = False
            continue
        if roll < 0.013:
            send(HostCancel(), after=0.5)
            continue
        if roll < 0.016:
            send(DeviceFault(rng.choice(["camera.lost", "card.io", "panel.timeout"])), after=0.2)
            continue
        if roll < 0.025 and config.keyswitch_fitted:
            send(StaffKeyChanged(rng.random() < 0.6), after=1.0)
            continue
        if roll < 0.03:
            send(HostSetMode(HostMode.VISUAL_CHECK, "staff-a") if rng.random() < 0.5 else HostSetMode(HostMode.AUTO))
            continue
        if roll < 0.04:
            driver.run_to_deadline()  # the patient walks away / a device never answers
            sent += 1
            continue
        if roll < 0.045:
            send(LanguagePressed(), after=1.0)
            continue

        if state in AFTER_SESSION or state in RESTING:
            if present and rng.random() < 0.8:
                send(CardRemoved(reader), after=rng.uniform(1.0, 10.0))
                present = False
            else:
                driver.run_to_deadline()
                sent += 1
            continue
        if state is State.READING_CARD:
            if rng.random() < 0.03:
                driver.answer(CardUnreadable, code="card.malformed_tlv")
            else:
                cert = None if rng.random() < 0.02 else certificate(days_left, expired=days_left == -3)
                driver.answer(CardRead, kind=kind, certificate=cert, pin_tries_left=tries)
            sent += 1
        elif state is State.SCANNING_CARD_FACE:
            if rng.random() < 0.8:
                issuer = _pick(rng, [(IssuerSignature.VERIFIED, 6), (IssuerSignature.NOT_VERIFIABLE, 3),
                                     (IssuerSignature.FAILED, 1)])  # fmt: skip
                driver.answer(CardFaceRead, card_key_verified=rng.random() < 0.97, issuer_signature=issuer)
            else:
                driver.answer(CardFaceNotRead, problem=rng.choice(list(CardFaceProblem)))
            sent += 1
        elif state is State.CAPTURING_FACE:
            for _ in range(rng.randrange(3)):
                driver.answer(FaceGuidance, cue=rng.choice(list(FaceCue)))
                driver.tick(1.0)
                sent += 2
            if rng.random() < 0.1:
                driver.answer(FaceNotCaptured)
            else:
                liveness = _pick(rng, [(Liveness.LIVE, 8), (Liveness.SPOOF_SUSPECTED, 1), (Liveness.NOT_CHECKED, 1)])
                driver.answer(FaceResult, matched=rng.random() < 0.7, score=0.75, threshold=0.5, liveness=liveness)
            sent += 1
        elif state is State.CHECKING_PIN_TRIES:
            driver.answer(PinTries, tries_left=tries)
            sent += 1
        elif state is State.ENTERING_PIN:
            digits = "".join(rng.choice("0123456789") for _ in range(rng.choice([4, 4, 4, 3, 5])))
            if rng.random() < 0.1:
                send(KeyPressed(Key.CORRECT))
            for digit in digits:
                send(KeyPressed(Key(digit)), after=rng.uniform(0.3, 1.5))
            send(KeyPressed(Key.ENTER), after=0.5)
        elif state is State.VERIFYING_PIN:
            if rng.random() < 0.7:
                driver.answer(PinVerified)
            else:
                tries = max(0, (tries or 1) - 1)
                driver.answer(PinRejected, tries_left=tries)
            sent += 1
        elif state in (State.SIGNING, State.PHONE_AUTHORISING):
            if state is State.PHONE_AUTHORISING and rng.random() < 0.1:
                driver.answer(SignRefused)
            else:
                driver.answer(Signed)
            sent += 1
        elif state is State.SENDING_RESULT:
            driver.answer(ResultAccepted)
            sent += 1
        elif flow.screen.options:
            send(Selected(rng.choice(list(flow.screen.options))), after=rng.uniform(0.5, 6.0))
        else:
            driver.run_to_deadline()
            sent += 1

    if present:
        send(CardRemoved(reader), after=1.0)
    for _ in range(10):  # let the end screens run out
        if flow.state in RESTING:
            break
        driver.run_to_deadline()
        sent += 1
    if config.keyswitch_fitted:
        send(StaffKeyChanged(False))
    return sent
