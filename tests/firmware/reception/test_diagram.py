"""The diagram in docs/reception-flow.md is the machine: generated from the transition table the flow enforces, and
every transition in that table is one the flow really takes."""

from __future__ import annotations

import copy
import random

from firmware.reception import diagram as reception_diagram
from firmware.reception import (
    AFTER_SESSION,
    HANDLED_EVENTS,
    RESTING,
    SCREEN_OF_STATE,
    TRANSITIONS,
    ReceptionFlow,
    State,
)
from firmware.reception.actions import (
    CaptureFace,
    EmitResult,
    ReadCard,
    ReadPinTries,
    ScanCardFace,
    SignChallenge,
    VerifyPin,
)
from firmware.reception.config import FlowConfig, StaffCode, Timeouts
from firmware.reception.events import (
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
    KeyPressed,
    LanguagePressed,
    OutOfService,
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
from firmware.reception.testing import FlowDriver, certificate
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
from firmware.reception.screens import CATALOGUE, ScreenId

STAFF_CODE = "314159"


def test_committed_document_is_what_the_exporter_writes() -> None:
    committed = reception_diagram.DOC_PATH.read_text(encoding="utf-8")
    assert committed == reception_diagram.document(), (
        "docs/reception-flow.md is stale: run `python -m firmware.reception.diagram --write` and commit it"
    )


def test_diagram_has_every_state_and_every_declared_transition() -> None:
    text = reception_diagram.mermaid()
    assert text.startswith("stateDiagram-v2\n")
    for state in State:
        assert f" {state.value} " in text or f" {state.value}\n" in text, state
    for t in TRANSITIONS.transitions:
        assert f"    {t.source.value} --> {t.target.value} : {t.label}\n" in text
    for shared in TRANSITIONS.shared:
        assert f"    {shared.group.name} --> {shared.target.value} : {shared.label}\n" in text


def test_every_state_has_one_screen_and_every_screen_a_state() -> None:
    assert set(SCREEN_OF_STATE) == set(State)
    assert set(SCREEN_OF_STATE.values()) == set(ScreenId) == set(CATALOGUE)


def _option(rng: random.Random, d: FlowDriver) -> Option:
    options = d.flow.screen.options
    forward = [o for o in options if o is not Option.BACK] if rng.random() < 0.85 else list(options)
    return rng.choice(forward) if forward and rng.random() < 0.9 else rng.choice(list(Option))


EXTERNAL: list[Event] = [
    HostConnected(), HostLost(), HostCancel(), OutOfService("x"), BackInService(), DeviceFault("cam"),
    DeviceFault("reader", persistent=True), DeviceRecovered("reader"), StaffKeyChanged(True), StaffKeyChanged(False),
    HostSetMode(HostMode.VISUAL_CHECK, "clerk"), HostSetMode(HostMode.AUTO), LanguagePressed(),
    CardInserted(ReaderRole.CARD), CardInserted(ReaderRole.PHONE), CardRemoved(ReaderRole.CARD),
    CardRemoved(ReaderRole.PHONE),
]  # fmt: skip


def _answers(request_id: int, cls: type) -> list[Event]:
    """Every answer a device could give to a request of kind ``cls``."""
    if cls is ReadCard:
        out: list[Event] = [CardRead(request_id, kind, certificate(400), 3) for kind in CardKind]
        out += [CardRead(request_id, CardKind.CARD, certificate(400), tries) for tries in (1, 0, None)]
        out += [CardRead(request_id, CardKind.CARD, cert, 3)
                for cert in (certificate(30), certificate(-1, expired=True), None)]  # fmt: skip
        return out + [CardUnreadable(request_id, "bad")]
    if cls is ScanCardFace:
        return [CardFaceRead(request_id, ok, issuer) for ok in (True, False) for issuer in IssuerSignature] + [
            CardFaceNotRead(request_id, problem) for problem in CardFaceProblem]  # fmt: skip
    if cls is CaptureFace:
        return [FaceResult(request_id, matched, 0.7, 0.5, live) for matched in (True, False) for live in Liveness] + [
            FaceNotCaptured(request_id), FaceGuidance(request_id, FaceCue.TURN_LEFT)]  # fmt: skip
    if cls is ReadPinTries:
        return [PinTries(request_id, tries) for tries in (3, 2, 1, 0, None)]
    if cls is VerifyPin:
        return [PinVerified(request_id)] + [PinRejected(request_id, tries) for tries in (2, 1, 0)]
    if cls is SignChallenge:
        return [Signed(request_id), SignRefused(request_id)]
    assert cls is EmitResult
    return [ResultAccepted(request_id)]


def _one_step_everything(flow: ReceptionFlow) -> set[tuple[State, State]]:
    """From this configuration, try every event once (each on a copy) and collect the transitions taken."""
    moves: list[list[Event]] = [[e] for e in EXTERNAL]
    moves += [[Selected(option)] for option in Option]
    moves += [[KeyPressed(Key(d)) for d in "1234"] + [KeyPressed(Key.ENTER)], [KeyPressed(Key.ENTER)],
              [KeyPressed(Key(d)) for d in STAFF_CODE] + [KeyPressed(Key.ENTER)], [Tick()]]  # fmt: skip
    # the status changes that only show when the reader next comes to rest
    moves += [[status, end] for status in (HostLost(), OutOfService("x"), DeviceFault("reader", persistent=True))
              for end in (CardRemoved(ReaderRole.CARD), CardRemoved(ReaderRole.PHONE), Tick())]  # fmt: skip
    if flow._pending is not None:
        moves += [[answer] for answer in _answers(*flow._pending)]
    taken: set[tuple[State, State]] = set()
    for move in moves:
        fork = copy.deepcopy(flow)
        fork._on_transition = lambda a, b: taken.add((a, b))
        for event in move:
            deadline = fork.deadline
            wait = deadline - fork._now if isinstance(event, Tick) and deadline is not None else 0.5
            fork.handle(event, fork._now + wait)
    return taken


def _explore(rng: random.Random, config: FlowConfig, steps: int, forks_per_state: int,
             forks: dict[State, int]) -> set[tuple[State, State]]:  # fmt: skip
    """A random walk (answering the latest request most of the time); now and then, from where it stands, every
    possible next event is tried on a copy."""
    d = FlowDriver(config, host=rng.random() < 0.5)
    seen: set[tuple[State, State]] = set()
    for _ in range(steps):
        state = d.state
        if forks.get(state, 0) < forks_per_state and rng.random() < 0.5:
            forks[state] = forks.get(state, 0) + 1
            seen |= _one_step_everything(d.flow)
        if rng.random() < 0.15:
            event: Event = rng.choice(EXTERNAL)
        elif rng.random() < 0.1:
            d.run_to_deadline()
            continue
        elif (state in RESTING or state in AFTER_SESSION) and rng.random() < 0.7:
            reader = ReaderRole.PHONE if config.smartphone_reader and rng.random() < 0.2 else ReaderRole.CARD
            event = CardRemoved(reader) if reader in d.flow._present else CardInserted(reader)
        elif d.flow._pending is not None and rng.random() < 0.9:
            event = rng.choice(_answers(*d.flow._pending))
        elif state is State.ENTERING_PIN:
            d.press(*"1234")
            event = KeyPressed(Key.ENTER)
        else:
            event = Selected(_option(rng, d))
        d.send(event, after=rng.choice([0.0, 0.5, 2.0]))
    return seen | set(d.transitions)


def _seeds() -> list[ReceptionFlow]:
    """Configurations a random walk rarely reaches: face declined for PIN after the card face was read; a failed
    face attempt; staff stepping in while the card is read; the expiring-soon warning."""
    flows = []
    for tries in (1, 0, None):
        d = FlowDriver()
        d.place_card(tries=3)
        d.send(Selected(Option.FACE))
        d.answer(CardFaceRead, card_key_verified=True, issuer_signature=IssuerSignature.VERIFIED)
        d.answer(FaceNotCaptured)
        d.send(Selected(Option.PIN))
        d.answer(PinTries, tries_left=tries)  # last-try warning / locked / not usable (back at the method choice)
        flows.append(d.flow)
    d = FlowDriver()  # a face attempt failed: retry or 暗証番号
    d.place_card(tries=3)
    d.send(Selected(Option.FACE))
    d.answer(CardFaceRead, card_key_verified=True, issuer_signature=IssuerSignature.VERIFIED)
    d.answer(FaceNotCaptured)
    flows.append(d.flow)
    d = FlowDriver(FlowConfig(keyswitch_fitted=True))  # staff turned the key while the card was being read
    d.send(CardInserted())
    d.send(StaffKeyChanged(True))
    flows.append(d.flow)
    d = FlowDriver(FlowConfig(keyswitch_fitted=True))  # capturing a face, then a failed attempt (retry screen)
    d.place_card(tries=3)
    d.send(Selected(Option.FACE))
    d.answer(CardFaceRead, card_key_verified=True, issuer_signature=IssuerSignature.VERIFIED)
    flows.append(copy.deepcopy(d.flow))
    d.answer(FaceNotCaptured)
    flows.append(d.flow)
    d = FlowDriver(FlowConfig(ask_prescription_format=True))  # the 限度額 and 処方箋 steps
    d.place_card(tries=3)
    d.pass_pin()
    d.send(Selected(Option.AGREE))
    d.send(Selected(Option.AGREE))
    flows.append(copy.deepcopy(d.flow))
    d.send(Selected(Option.PROVIDE))
    flows.append(d.flow)
    d = FlowDriver()  # a completed reception whose certificate expires soon
    d.place_card(days_left=30)
    d.pass_pin()
    d.finish()
    flows.append(d.flow)
    return flows


def test_every_declared_transition_is_taken() -> None:
    """No dead entries: the table (and so the diagram) holds exactly the transitions the flow takes."""
    rng = random.Random(20261127)
    seen: set[tuple[State, State]] = set()
    for flow in _seeds():
        seen |= _one_step_everything(flow)
    forks: dict[State, int] = {}
    timeouts = Timeouts(choice=20, pin_entry=20, consent=20, visual_check=20, visual_check_arm=10)
    for i in range(24):
        config = FlowConfig(
            face_enabled=i % 5 != 0,
            face_max_attempts=1 + i % 3,
            smartphone_reader=i % 2 == 0,
            ask_prescription_format=i % 3 == 0,
            keyswitch_fitted=i % 4 != 1,
            staff_codes=(StaffCode.from_code("nurse", STAFF_CODE),) if i % 3 != 2 else (),
            require_liveness=i % 2 == 1,
            timeouts=timeouts,
        )
        seen |= _explore(rng, config, 600, forks_per_state=12 * (i + 1), forks=forks)
    declared = TRANSITIONS.pairs()
    assert seen <= declared  # the flow enforces this itself; a failure here means the check was bypassed
    missing = sorted((a.value, b.value) for a, b in declared - seen)
    assert not missing, f"declared but never taken: {missing}"


def test_every_event_type_is_handled() -> None:
    from firmware.reception import events as reception_events

    event_classes = {
        obj for obj in vars(reception_events).values()
        if isinstance(obj, type) and issubclass(obj, reception_events.Event)
        and obj not in (reception_events.Event, reception_events.Answer)
    }  # fmt: skip
    assert event_classes == set(HANDLED_EVENTS)
