"""One table-driven test per rule of docs/reader-flow.md (the section of the doc is named in each test's docstring)."""

from __future__ import annotations

import pytest

from firmware.reception import SESSION, STAFF_DIGITS_KEPT, State
from firmware.reception.actions import (
    Action,
    Beep,
    CaptureFace,
    DropSession,
    EmitResult,
    ReadCard,
    ReadPinTries,
    ReceptionClaims,
    ScanCardFace,
    Show,
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
    FaceGuidance,
    FaceNotCaptured,
    FaceResult,
    HostCancel,
    HostConnected,
    HostLost,
    HostSetMode,
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
    Language,
    Liveness,
    Option,
    PinUnavailable,
    PrescriptionFormat,
    ReaderRole,
    StaffSource,
)
from protocol.vocabulary import Assurance, Method
from firmware.reception.screens import (
    CardForgottenScreen,
    CertificateExpiredScreen,
    ChooseMethodScreen,
    DoneScreen,
    ExpiringSoonScreen,
    FaceGuidanceScreen,
    PinEntryScreen,
    Screen,
    UnsupportedCardScreen,
)

STAFF_CODE = "246810"


def staff_config(**overrides: object) -> FlowConfig:
    fields: dict[str, object] = {
        "keyswitch_fitted": True,
        "keyswitch_staff_id": "key-1",
        "staff_codes": (StaffCode.from_code("nurse-7", STAFF_CODE),),
    }
    fields.update(overrides)
    return FlowConfig(**fields)  # type: ignore[arg-type]


def shows(actions: list[Action]) -> list[Screen]:
    return [a.screen for a in actions if isinstance(a, Show)]


def of(actions: list[Action], cls: type) -> list:
    return [a for a in actions if isinstance(a, cls)]


def since(d: FlowDriver, mark: int) -> list[Action]:
    return d.actions[mark:]


# --- step 1: 受付 / 読み取り ------------------------------------------------------------------------------------------


def test_card_placed_beeps_shows_reading_and_reads_the_card() -> None:
    """Step 1: the card is placed; the reader reads it."""
    d = FlowDriver()
    out = d.send(CardInserted(), after=1)
    assert [type(a) for a in out] == [Beep, Show, ReadCard]
    assert out[0] == Beep(BeepPattern.CARD_DETECTED)
    assert d.state is State.READING_CARD and d.flow.in_session


@pytest.mark.parametrize(
    ("kind", "smartphones"),
    [
        (CardKind.JUKI, False),  # the old 住基カード
        (CardKind.UNKNOWN, False),  # an IC card that is not a My Number card
        (CardKind.MUTE, False),  # no IC chip (or a dead one)
        (CardKind.ANDROID, False),  # a phone where no smartphone reader is fitted
        (CardKind.IPHONE, False),
    ],
)
def test_unsupported_cards_end_with_guidance_by_kind(kind: CardKind, smartphones: bool) -> None:
    """Step 1: a card with no IC chip, or not a My Number card, gets a clear message."""
    d = FlowDriver(FlowConfig(smartphone_reader=smartphones))
    d.send(CardInserted(), after=1)
    out = d.answer(CardRead, kind=kind)
    assert d.state is State.UNSUPPORTED_CARD
    assert of(out, DropSession) == [DropSession(EndReason.UNSUPPORTED_CARD)]
    assert shows(out) == [UnsupportedCardScreen(kind=kind, remove_card=True)]
    assert Beep(BeepPattern.ERROR) in out
    assert not any(isinstance(a, (ReadPinTries, ScanCardFace, CaptureFace, VerifyPin)) for a in out)
    d.send(CardRemoved(), after=2)
    assert d.state is State.IDLE


def test_an_unreadable_card_ends_with_its_code() -> None:
    """Step 1: a damaged card is told apart from an unsupported one, and the code is shown for staff."""
    d = FlowDriver()
    d.send(CardInserted(), after=1)
    out = d.answer(CardUnreadable, code="card.bad_tlv")
    assert d.state is State.CARD_UNREADABLE
    assert of(out, DropSession) == [DropSession(EndReason.CARD_UNREADABLE)]
    assert shows(out)[0].to_dict()["code"] == "card.bad_tlv"


# --- step 2: 本人確認 — what is offered ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tries", "face", "options", "pin_unavailable", "face_unavailable", "ask_staff"),
    [
        (3, True, (Option.FACE, Option.PIN), None, None, False),
        (1, True, (Option.FACE, Option.PIN), None, None, False),
        (0, True, (Option.FACE,), PinUnavailable.LOCKED, None, True),  # locked PIN: face and staff only
        (None, True, (Option.FACE,), PinUnavailable.NOT_SET, None, True),  # PIN-less card: face and staff only
        (3, False, (Option.PIN,), None, FaceUnavailable.DISABLED, True),  # no camera configured
        (0, False, (), PinUnavailable.LOCKED, FaceUnavailable.DISABLED, True),  # only staff can help
    ],
)
def test_methods_offered_follow_the_card_and_the_device(
    tries: int | None, face: bool, options: tuple[Option, ...], pin_unavailable: PinUnavailable | None,
    face_unavailable: FaceUnavailable | None, ask_staff: bool,
) -> None:  # fmt: skip
    """Step 2: 顔認証 / 暗証番号 by what the card and device allow; PIN-less and locked cards get face and staff."""
    d = FlowDriver(FlowConfig(face_enabled=face))
    d.place_card(tries=tries)
    screen = d.flow.screen
    assert d.state is State.CHOOSE_METHOD and isinstance(screen, ChooseMethodScreen)
    assert screen.options == options
    assert screen.pin_unavailable is pin_unavailable and screen.face_unavailable is face_unavailable
    assert screen.ask_staff is ask_staff
    assert screen.pin_tries_left == (tries if Option.PIN in options else None)


@pytest.mark.parametrize(("fitted", "options"), [(True, (Option.SMARTPHONE,)), (False, ())])
def test_smartphone_is_offered_only_where_a_smartphone_reader_is_fitted(fitted: bool, options: tuple) -> None:
    """Step 2: スマートフォン where a smartphone reader is fitted."""
    d = FlowDriver(FlowConfig(smartphone_reader=fitted))
    assert d.flow.screen.options == options
    d.send(Selected(Option.SMARTPHONE))
    assert d.state is (State.CHOOSE_PHONE if fitted else State.IDLE)


# --- step 2a: 顔認証 -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("matched", "liveness", "require_liveness", "success"),
    [
        (True, Liveness.LIVE, True, True),
        (True, Liveness.SPOOF_SUSPECTED, True, False),
        (True, Liveness.SPOOF_SUSPECTED, False, False),
        (True, Liveness.NOT_CHECKED, True, False),
        (True, Liveness.NOT_CHECKED, False, True),
        (False, Liveness.LIVE, True, False),
    ],
)
def test_face_success_needs_a_match_and_a_live_face(matched: bool, liveness: Liveness, require_liveness: bool,
                                                    success: bool) -> None:  # fmt: skip
    """Step 2a: the live face is compared with the chip photo; liveness against masks and photos."""
    d = FlowDriver(FlowConfig(require_liveness=require_liveness))
    d.place_card()
    d.send(Selected(Option.FACE))
    d.answer(CardFaceRead, card_key_verified=True, issuer_signature=IssuerSignature.VERIFIED)
    d.answer(FaceResult, matched=matched, score=0.75, threshold=0.5, liveness=liveness)
    assert d.state is (State.CONSENT_MEDICAL if success else State.FACE_RETRY)


@pytest.mark.parametrize("max_attempts", [1, 2, 3, 5])
def test_face_attempts_are_bounded_then_pin_or_staff(max_attempts: int) -> None:
    """Step 2a + face failures: bounded retries per session, then offer PIN or staff; never an automatic retry."""
    d = FlowDriver(FlowConfig(face_max_attempts=max_attempts))
    d.place_card()
    d.send(Selected(Option.FACE))
    d.answer(CardFaceRead, card_key_verified=True, issuer_signature=IssuerSignature.NOT_VERIFIABLE)
    for attempt in range(1, max_attempts + 1):
        capture = d.latest(CaptureFace)
        assert isinstance(capture, CaptureFace) and capture.attempt == attempt
        assert capture.max_attempts == max_attempts
        mark = len(d.actions)
        if attempt % 2:
            d.answer(FaceResult, matched=False, score=0.25, threshold=0.5, liveness=Liveness.LIVE)
        else:
            d.answer(FaceNotCaptured)
        assert not of(since(d, mark), CaptureFace), "a failed attempt is never retried by itself"
        if attempt < max_attempts:
            assert d.state is State.FACE_RETRY
            assert d.flow.screen.options == (Option.RETRY, Option.PIN)
            assert d.flow.screen.to_dict()["attempts_left"] == max_attempts - attempt
            d.send(Selected(Option.RETRY), after=2)
    assert d.state is State.CHOOSE_METHOD
    screen = d.flow.screen
    assert isinstance(screen, ChooseMethodScreen)
    assert screen.options == (Option.PIN,) and screen.face_unavailable is FaceUnavailable.EXHAUSTED
    assert screen.ask_staff
    d.send(Selected(Option.FACE))
    assert d.state is State.CHOOSE_METHOD  # not on the screen any more


def test_face_attempt_that_runs_out_of_time_counts_and_shows_the_countdown() -> None:
    """Step 2a: the guidance screen counts down and gives cues; an attempt left unfinished counts as one."""
    d = FlowDriver(FlowConfig(face_max_attempts=2, timeouts=Timeouts(face_attempt=5)))
    d.place_card()
    d.send(Selected(Option.FACE))
    d.answer(CardFaceRead, card_key_verified=True, issuer_signature=IssuerSignature.VERIFIED)
    seen = []
    for cue in (FaceCue.MOVE_CLOSER, FaceCue.TURN_LEFT, FaceCue.HOLD_STILL):
        d.answer(FaceGuidance, cue=cue)
        screen = d.flow.screen
        assert isinstance(screen, FaceGuidanceScreen)
        seen.append((screen.cue, screen.seconds_left))
        assert d.flow.deadline == pytest.approx(d.now + 1)  # the countdown needs a tick each second
        d.run_to_deadline()
    assert seen == [(FaceCue.MOVE_CLOSER, 5), (FaceCue.TURN_LEFT, 4), (FaceCue.HOLD_STILL, 3)]
    d.run_to_deadline()
    d.run_to_deadline()
    assert d.state is State.FACE_RETRY
    stale = d.latest(CaptureFace)
    assert stale is not None
    d.send(FaceResult(stale.request_id, matched=True, score=0.9, threshold=0.5, liveness=Liveness.LIVE))
    assert d.state is State.FACE_RETRY, "a verdict for a timed-out attempt is ignored"


@pytest.mark.parametrize(
    ("problems", "scan_attempts", "end_state", "face_unavailable"),
    [
        ([CardFaceProblem.FACE_DOWN], 2, State.CAPTURING_FACE, None),  # turned over, second scan reads it
        ([CardFaceProblem.FACE_DOWN, CardFaceProblem.NOT_FOUND], 2, State.CHOOSE_METHOD,
         FaceUnavailable.CARD_FACE_UNREADABLE),
        ([CardFaceProblem.UNREADABLE], 3, State.CHOOSE_METHOD, FaceUnavailable.CARD_FACE_UNREADABLE),
        ([CardFaceProblem.COLLATION_LOCKED], 3, State.CHOOSE_METHOD, FaceUnavailable.COLLATION_LOCKED),
        ([CardFaceProblem.RECORD_INVALID], 3, State.CHOOSE_METHOD, FaceUnavailable.CARD_FACE_UNREADABLE),
    ],
)  # fmt: skip
def test_card_face_scan_problems(problems: list[CardFaceProblem], scan_attempts: int, end_state: State,
                                 face_unavailable: FaceUnavailable | None) -> None:  # fmt: skip
    """Face path: the chip photo needs the card face (照合番号B); what the patient can fix is scanned again."""
    d = FlowDriver(FlowConfig(card_face_scan_attempts=scan_attempts))
    d.place_card()
    d.send(Selected(Option.FACE))
    for problem in problems:
        d.answer(CardFaceNotRead, problem=problem)
    if end_state is State.CAPTURING_FACE:
        assert d.flow.screen.to_dict()["problem"] == problems[-1].value
        d.answer(CardFaceRead, card_key_verified=True, issuer_signature=IssuerSignature.VERIFIED)
    assert d.state is end_state
    if face_unavailable is not None:
        screen = d.flow.screen
        assert isinstance(screen, ChooseMethodScreen) and screen.face_unavailable is face_unavailable
        assert screen.options == (Option.PIN,)


@pytest.mark.parametrize(
    ("key_verified", "issuer", "face_offered_after"),
    [(True, IssuerSignature.VERIFIED, True), (True, IssuerSignature.NOT_VERIFIABLE, True),
     (False, IssuerSignature.VERIFIED, False), (True, IssuerSignature.FAILED, False)],
)  # fmt: skip
def test_card_face_proofs_must_hold(key_verified: bool, issuer: IssuerSignature, face_offered_after: bool) -> None:
    """What each method proves: the 券面事項確認AP's key proof is required; a failed issuer signature stops face."""
    d = FlowDriver()
    d.place_card()
    d.send(Selected(Option.FACE))
    d.answer(CardFaceRead, card_key_verified=key_verified, issuer_signature=issuer)
    assert (d.state is State.CAPTURING_FACE) is face_offered_after
    if not face_offered_after:
        assert d.flow.screen.to_dict()["face_unavailable"] == FaceUnavailable.CARD_FACE_UNVERIFIED.value


def test_face_after_pin_detour_does_not_scan_the_card_face_again() -> None:
    d = FlowDriver()
    d.place_card(tries=1)
    d.send(Selected(Option.FACE))
    d.answer(CardFaceRead, card_key_verified=True, issuer_signature=IssuerSignature.VERIFIED)
    d.answer(FaceResult, matched=False, score=0.25, threshold=0.5, liveness=Liveness.LIVE)
    d.send(Selected(Option.PIN))
    d.answer(PinTries, tries_left=1)
    assert d.state is State.PIN_LAST_TRY_WARNING
    mark = len(d.actions)
    d.send(Selected(Option.FACE))
    assert d.state is State.CAPTURING_FACE and not of(since(d, mark), ScanCardFace)


@pytest.mark.parametrize(("tries", "offered"), [(3, True), (1, True), (0, False), (None, False)])
def test_the_patient_may_switch_to_pin_during_the_capture(tries: int | None, offered: bool) -> None:
    """Step 2a: 顔認証 — choices: retry; switch to 暗証番号 (only where the PIN can be used)."""
    d = FlowDriver()
    d.place_card(tries=tries)
    d.send(Selected(Option.FACE))
    d.answer(CardFaceRead, card_key_verified=True, issuer_signature=IssuerSignature.VERIFIED)
    capture = d.latest(CaptureFace)
    assert d.state is State.CAPTURING_FACE
    assert d.flow.screen.options == ((Option.PIN,) if offered else ())
    out = d.send(Selected(Option.PIN))
    if not offered:
        assert d.state is State.CAPTURING_FACE and not out
        return
    assert d.state is State.CHECKING_PIN_TRIES and of(out, ReadPinTries)
    assert capture is not None
    d.send(FaceResult(capture.request_id, True, 0.9, 0.5, Liveness.LIVE))
    assert d.state is State.CHECKING_PIN_TRIES, "the dropped capture's answer is ignored"
    d.answer(PinTries, tries_left=3)
    d.send(Selected(Option.BACK))
    d.send(Selected(Option.FACE))
    assert d.flow.screen.to_dict()["attempt"] == 1, "the dropped attempt is not counted"


# --- step 2b: 暗証番号 -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "end_state"),
    [
        ([("ok", None)], State.CONSENT_MEDICAL),
        ([("wrong", 2), ("ok", None)], State.CONSENT_MEDICAL),
        ([("wrong", 2), ("wrong", 1), ("ok", None)], State.CONSENT_MEDICAL),
        ([("wrong", 2), ("wrong", 1), ("wrong", 0)], State.PIN_LOCKED),
    ],
)
def test_pin_tries_are_read_before_every_attempt_and_three_wrong_lock(answers: list, end_state: State) -> None:
    """Step 2b + PIN lock: read the tries (empty VERIFY) before every attempt; warn before the last; 3 wrong lock."""
    d = FlowDriver()
    d.place_card()
    d.send(Selected(Option.PIN))
    tries = 3
    for verdict, left in answers:
        d.answer(PinTries, tries_left=tries)
        if tries == 1:
            assert d.state is State.PIN_LAST_TRY_WARNING
            assert Beep(BeepPattern.WARNING) in d.last
            d.send(Selected(Option.CONTINUE))
        screen = d.flow.screen
        assert isinstance(screen, PinEntryScreen)
        assert screen.tries_left == tries and screen.last_try is (tries == 1)
        d.type_pin("9876")
        if verdict == "ok":
            d.answer(PinVerified)
            d.answer(Signed)
        else:
            d.answer(PinRejected, tries_left=left)
            tries = left
    assert d.state is end_state
    kinds = [type(a) for a in d.actions if isinstance(a, (ReadPinTries, VerifyPin))]
    assert kinds == [ReadPinTries, VerifyPin] * len(answers), "a tries read precedes every VERIFY"
    if end_state is State.PIN_LOCKED:
        assert d.flow.screen.options == (Option.FACE,)


def test_pin_entry_is_masked_and_never_retried_by_itself() -> None:
    """Step 2b: masked entry (●●●●), 訂正 and 決定; a wrong PIN is never sent again unless the patient types it."""
    d = FlowDriver()
    d.place_card()
    d.send(Selected(Option.PIN))
    d.answer(PinTries, tries_left=3)
    entered = []
    for key in ("5", "7", Key.CORRECT, "1", "2", "3", "4", "5"):  # 訂正 clears; a fifth digit is ignored
        d.press(key)
        screen = d.flow.screen
        assert isinstance(screen, PinEntryScreen)
        entered.append(screen.entered)
    assert entered == [1, 2, 0, 1, 2, 3, 4, 4]
    for screen in shows(d.actions):
        assert "1234" not in repr(screen) and "1234" not in str(screen.to_dict())
    d.press(Key.ENTER)
    verify = d.latest(VerifyPin)
    assert isinstance(verify, VerifyPin) and verify.pin == "1234"
    assert "1234" not in repr(verify) and "1234" not in repr(d.flow.__dict__)
    d.answer(PinRejected, tries_left=2)
    d.answer(PinTries, tries_left=2)
    mark = len(d.actions)
    d.tick(5)
    d.press("1", "2", "3", Key.ENTER)  # three digits and 決定: refused with a beep, nothing sent
    assert not of(since(d, mark), VerifyPin) and Beep(BeepPattern.ERROR) in d.last
    assert d.flow.screen.to_dict()["previous_wrong"] is True


def test_leaving_pin_entry_forgets_the_digits() -> None:
    d = FlowDriver()
    d.place_card()
    d.send(Selected(Option.PIN))
    d.answer(PinTries, tries_left=3)
    d.press("4", "4", "4")
    d.send(Selected(Option.BACK))
    assert d.state is State.CHOOSE_METHOD
    d.send(Selected(Option.PIN))
    d.answer(PinTries, tries_left=3)
    assert d.flow.screen.to_dict()["entered"] == 0


# --- step 3: consents ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prescription", "answers", "consents"),
    [
        (False, (Option.AGREE, Option.AGREE, Option.PROVIDE), (True, True, True, None)),
        (False, (Option.DISAGREE, Option.DISAGREE_OR_UNDER_40, Option.DONT_PROVIDE), (False, False, False, None)),
        (False, (Option.AGREE, Option.BACK, Option.DISAGREE, Option.AGREE, Option.DONT_PROVIDE),
         (False, True, False, None)),
        (True, (Option.AGREE, Option.DISAGREE_OR_UNDER_40, Option.PROVIDE, Option.E_PRESCRIPTION),
         (True, False, True, PrescriptionFormat.ELECTRONIC)),
        (True, (Option.AGREE, Option.AGREE, Option.PROVIDE, Option.BACK, Option.DONT_PROVIDE,
                Option.PAPER_PRESCRIPTION), (True, True, False, PrescriptionFormat.PAPER)),
    ],
)  # fmt: skip
def test_consents_go_into_the_result(prescription: bool, answers: tuple[Option, ...], consents: tuple) -> None:
    """Step 3: ① ② 限度額 and the optional 処方箋形式; the wording version and language go into the result."""
    d = FlowDriver(FlowConfig(ask_prescription_format=prescription, consent_wording_version="1"))
    d.place_card()
    d.pass_pin()
    steps = []
    for option in answers:
        steps.append(d.flow.screen.to_dict()["step"])
        d.send(Selected(option))
    assert steps[0] == 1
    claims = d.finish()
    c = claims.consents
    assert (c.medical, c.checkup, c.limit, c.prescription) == consents
    assert claims.consent_wording_version == "1" and claims.language is Language.JA


def test_language_switch_is_for_the_session() -> None:
    """Step 3: a language switch (ja/en) for the session; the result quotes the language shown."""
    d = FlowDriver()
    d.place_card()
    d.send(LanguagePressed())
    assert d.flow.screen.language is Language.EN
    d.pass_pin()
    assert d.flow.screen.language is Language.EN
    claims = d.finish()
    assert claims.language is Language.EN
    d.send(CardRemoved(), after=2)
    assert d.state is State.IDLE and d.flow.screen.language is Language.JA


def test_a_language_chosen_at_rest_lapses_if_no_card_comes() -> None:
    """Step 3: the language switch is the patient's, not the next patient's."""
    d = FlowDriver(FlowConfig(timeouts=Timeouts(choice=60)))
    d.send(LanguagePressed())
    assert d.flow.screen.language is Language.EN and d.flow.deadline == d.now + 60
    d.tick(59)
    assert d.flow.screen.language is Language.EN
    out = d.tick(1)
    assert d.state is State.IDLE and shows(out) and shows(out)[0].language is Language.JA
    assert d.flow.deadline is None
    d.place_card()
    assert d.flow.screen.language is Language.JA


def test_a_language_chosen_at_rest_lasts_the_session_that_follows() -> None:
    d = FlowDriver(FlowConfig(timeouts=Timeouts(choice=60)))
    d.send(LanguagePressed())
    d.place_card(after=30)
    d.tick(40)  # past the rest timeout: the patient who chose it is in session
    assert d.state is State.CHOOSE_METHOD and d.flow.screen.language is Language.EN


# --- step 4: 受付完了, card forgotten ---------------------------------------------------------------------------------


def test_done_then_card_forgotten_reminder_then_idle() -> None:
    """Step 4: 受付完了; 「カードを忘れずに！」 while the card stays; back to idle when it is taken."""
    d = FlowDriver(FlowConfig(reminder_beeps=3, timeouts=Timeouts(forgotten_after=10, reminder_repeat=20)))
    d.place_card()
    d.pass_pin()
    d.answer_consents()
    out = d.answer(ResultAccepted)
    assert of(out, DropSession) == [DropSession(EndReason.COMPLETED)]
    assert Beep(BeepPattern.SUCCESS) in out and shows(out) == [DoneScreen(remove_card=True)]
    assert not d.flow.in_session
    out = d.tick(10)
    assert d.state is State.CARD_FORGOTTEN and shows(out) == [CardForgottenScreen()]
    beeps = len(of(out, Beep))
    for _ in range(5):
        beeps += len(of(d.tick(20), Beep))
    assert beeps == 3, "the reminder sounds a bounded number of times"
    d.send(CardRemoved(), after=1)
    assert d.state is State.IDLE


def test_done_without_the_card_returns_to_idle_after_a_notice() -> None:
    d = FlowDriver(FlowConfig(timeouts=Timeouts(notice=4)))
    d.place_card()
    d.pass_pin()
    d.answer_consents()
    d.send(CardRemoved())  # taken while the result is queued: the result stands, the session data goes now
    assert of(d.last, DropSession) == [DropSession(EndReason.CARD_REMOVED)]
    assert d.state is State.SENDING_RESULT
    d.answer(ResultAccepted)
    assert d.state is State.DONE and d.flow.screen == DoneScreen(remove_card=False)
    assert not of(d.last, DropSession), "one DropSession per session"
    d.tick(4)
    assert d.state is State.IDLE


# --- any step: card removed, timeouts, cancel, faults ------------------------------------------------------------------


def _reach(state: State) -> FlowDriver:
    """A driver in ``state`` (a session state), by the shortest script."""
    cfg = staff_config(smartphone_reader=True, ask_prescription_format=True)
    d = FlowDriver(cfg)
    phone = state is State.PHONE_AUTHORISING
    if state is State.READING_CARD:
        d.send(CardInserted(), after=1)
        return d
    d.place_card(CardKind.IPHONE if phone else CardKind.CARD, tries=1 if state is State.PIN_LAST_TRY_WARNING else 3)
    script = {
        State.CHOOSE_METHOD: [],
        State.PHONE_AUTHORISING: [],
        State.SCANNING_CARD_FACE: [Selected(Option.FACE)],
        State.CHECKING_PIN_TRIES: [Selected(Option.PIN)],
        State.VISUAL_CHECK: [StaffKeyChanged(True)],
    }
    if state in script:
        for event in script[state]:
            d.send(event)
    elif state in (State.CAPTURING_FACE, State.FACE_RETRY):
        d.send(Selected(Option.FACE))
        d.answer(CardFaceRead, card_key_verified=True, issuer_signature=IssuerSignature.VERIFIED)
        if state is State.FACE_RETRY:
            d.answer(FaceNotCaptured)
    elif state in (State.PIN_LAST_TRY_WARNING, State.ENTERING_PIN, State.VERIFYING_PIN, State.SIGNING,
                   State.PIN_LOCKED):  # fmt: skip
        d.send(Selected(Option.PIN))
        d.answer(PinTries, tries_left={State.PIN_LAST_TRY_WARNING: 1, State.PIN_LOCKED: 0}.get(state, 3))
        if state in (State.VERIFYING_PIN, State.SIGNING):
            d.type_pin("2580")
        if state is State.SIGNING:
            d.answer(PinVerified)
    else:
        d.pass_pin()
        order = [State.CONSENT_MEDICAL, State.CONSENT_CHECKUP, State.CONSENT_LIMIT, State.CONSENT_PRESCRIPTION,
                 State.SENDING_RESULT]  # fmt: skip
        for _ in range(order.index(state)):
            d.send(Selected(d.flow.screen.options[0]))
    assert d.state is state, (state, d.state)
    return d


ALL_SESSION_STATES = sorted(SESSION)


@pytest.mark.parametrize("state", ALL_SESSION_STATES)
def test_card_removed_at_any_step_drops_the_session(state: State) -> None:
    """Any step: the card is taken away → the session ends and everything read from the card is dropped."""
    d = _reach(state)
    reader = ReaderRole.PHONE if state is State.PHONE_AUTHORISING else ReaderRole.CARD
    out = d.send(CardRemoved(reader), after=1)
    assert of(out, DropSession) == [DropSession(EndReason.CARD_REMOVED)]
    assert not d.flow.in_session
    if state is State.SENDING_RESULT:
        assert d.state is State.SENDING_RESULT  # the result was handed over before the card left
    else:
        assert d.state is State.CARD_REMOVED and not of(out, EmitResult)
    for _ in range(4):
        later = d.run_to_deadline()
        assert not any(isinstance(a, (EmitResult, VerifyPin, SignChallenge, CaptureFace, ScanCardFace))
                       for a in later)  # fmt: skip
    if state is not State.SENDING_RESULT:
        assert d.state is State.IDLE


PATIENT_TIMEOUTS = [s for s in ALL_SESSION_STATES if s in {
    State.CHOOSE_METHOD, State.FACE_RETRY, State.PIN_LAST_TRY_WARNING, State.ENTERING_PIN, State.PIN_LOCKED,
    State.PHONE_AUTHORISING, State.VISUAL_CHECK, State.CONSENT_MEDICAL, State.CONSENT_CHECKUP, State.CONSENT_LIMIT,
    State.CONSENT_PRESCRIPTION}]  # fmt: skip
DEVICE_TIMEOUTS = [State.READING_CARD, State.SCANNING_CARD_FACE, State.CHECKING_PIN_TRIES, State.VERIFYING_PIN,
                   State.SIGNING, State.SENDING_RESULT]  # fmt: skip


@pytest.mark.parametrize("state", PATIENT_TIMEOUTS)
def test_a_step_left_untouched_times_out(state: State) -> None:
    """Any step: a step left untouched (60 s) times out the same way: the session ends and its data is dropped."""
    d = _reach(state)
    out = d.run_to_deadline()
    assert d.state is State.TIMED_OUT
    assert of(out, DropSession) == [DropSession(EndReason.TIMEOUT)]
    assert d.flow.screen.to_dict()["remove_card"] is True


@pytest.mark.parametrize("state", DEVICE_TIMEOUTS)
def test_a_device_that_never_answers_ends_the_session_as_a_device_error(state: State) -> None:
    d = _reach(state)
    out = d.run_to_deadline()
    assert d.state is State.DEVICE_ERROR
    assert d.flow.screen.to_dict()["code"] == f"timeout.{state.value}"
    assert of(out, DropSession) == [DropSession(EndReason.DEVICE_FAULT)] and not d.flow.in_session


def test_input_restarts_the_step_clock() -> None:
    """'Left untouched': typing keeps the PIN step alive; the timeout counts from the last key."""
    d = FlowDriver(FlowConfig(timeouts=Timeouts(pin_entry=30)))
    d.place_card()
    d.send(Selected(Option.PIN))
    d.answer(PinTries, tries_left=3)
    for _ in range(3):
        d.press("1")
        d.tick(25)
    assert d.state is State.ENTERING_PIN
    d.tick(5)
    assert d.state is State.TIMED_OUT


@pytest.mark.parametrize("state", [s for s in ALL_SESSION_STATES if s is not State.SENDING_RESULT])
@pytest.mark.parametrize("how", ["cancel", "fault", "out_of_service"])
def test_host_cancel_fault_or_out_of_service_ends_any_step(state: State, how: str) -> None:
    """Any step before the result is handed over: host cancel, a hardware fault → the session ends, data dropped,
    the screen says what happened."""
    d = _reach(state)
    event = {"cancel": HostCancel(), "fault": DeviceFault("camera.lost"), "out_of_service": OutOfService("repair")}
    out = d.send(event[how])
    expected_state = State.DEVICE_ERROR if how == "fault" else State.CANCELLED
    reason = {"cancel": EndReason.CANCELLED, "fault": EndReason.DEVICE_FAULT,
              "out_of_service": EndReason.OUT_OF_SERVICE}[how]  # fmt: skip
    assert d.state is expected_state
    assert of(out, DropSession) == [DropSession(reason)]
    if how == "fault":
        assert d.flow.screen.to_dict()["code"] == "camera.lost"
    d.send(CardRemoved(ReaderRole.PHONE if state is State.PHONE_AUTHORISING else ReaderRole.CARD), after=1)
    assert d.state is (State.OUT_OF_SERVICE if how == "out_of_service" else State.IDLE)


@pytest.mark.parametrize("how", ["cancel", "fault", "persistent_fault", "out_of_service"])
def test_a_stop_while_the_result_is_queued_still_completes_the_reception(how: str) -> None:
    """Any step: the result already handed over reaches the PC, so the patient is told 受付完了, not 中止; the data is
    dropped at once and what the stop set shows once the card is taken."""
    d = _reach(State.SENDING_RESULT)
    event = {"cancel": HostCancel(), "fault": DeviceFault("camera.lost"), "out_of_service": OutOfService("repair"),
             "persistent_fault": DeviceFault("reader.lost", persistent=True)}[how]  # fmt: skip
    reasons = {"cancel": EndReason.CANCELLED, "out_of_service": EndReason.OUT_OF_SERVICE}
    reason = reasons.get(how, EndReason.DEVICE_FAULT)
    out = d.send(event)
    assert of(out, DropSession) == [DropSession(reason)] and not d.flow.in_session
    assert d.state is State.SENDING_RESULT
    out = d.answer(ResultAccepted)
    assert d.state is State.DONE and not of(out, DropSession), "one DropSession per session"
    assert Beep(BeepPattern.SUCCESS) in out and shows(out) == [DoneScreen(remove_card=True)]
    d.send(CardRemoved(), after=1)
    assert d.state is (State.OUT_OF_SERVICE if how in ("out_of_service", "persistent_fault") else State.IDLE)


def test_a_result_never_queued_after_a_stop_is_still_a_device_error() -> None:
    d = _reach(State.SENDING_RESULT)
    d.send(HostCancel())
    d.run_to_deadline()
    assert d.state is State.DEVICE_ERROR and d.flow.screen.to_dict()["code"] == "timeout.sending_result"


# --- visual check (目視確認) ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "staff_id"),
    [(StaffSource.KEYSWITCH, "key-1"), (StaffSource.STAFF_CODE, "nurse-7"), (StaffSource.HOST, "clerk-3")],
)
@pytest.mark.parametrize("when", ["before_card", "choose_method", "pin_locked", "face_retry", "entering_pin"])
def test_visual_check_is_a_staff_action_with_the_staff_identity_in_the_result(source: StaffSource, staff_id: str,
                                                                              when: str) -> None:  # fmt: skip
    """Modes: visual check is entered by the host, the keyswitch or a staff code; staff identity in the result."""
    d = FlowDriver(staff_config())

    def step_in() -> None:
        if source is StaffSource.KEYSWITCH:
            d.send(StaffKeyChanged(True))
        elif source is StaffSource.STAFF_CODE:
            d.press(*STAFF_CODE, Key.ENTER)
        else:
            d.send(HostSetMode(HostMode.VISUAL_CHECK, staff_id))

    if when == "before_card":
        step_in()
        assert d.flow.screen.to_dict()["visual_check_armed"] is True
        d.place_card()
    else:
        d.place_card()
        if when == "pin_locked":
            d.send(Selected(Option.PIN))
            d.answer(PinTries, tries_left=0)
        elif when == "face_retry":
            d.send(Selected(Option.FACE))
            d.answer(CardFaceRead, card_key_verified=True, issuer_signature=IssuerSignature.VERIFIED)
            d.answer(FaceNotCaptured)
        elif when == "entering_pin":
            d.send(Selected(Option.PIN))
            d.answer(PinTries, tries_left=3)
            d.press("1", "2")
            d.send(Selected(Option.BACK))  # staff step in from the method screen; the digits are gone
        step_in()
    if source is StaffSource.HOST:
        assert d.state is State.CONSENT_MEDICAL  # attested by the staff member at the reception PC
    else:
        assert d.state is State.VISUAL_CHECK
        assert d.flow.screen.options == (Option.CONFIRM_IDENTITY, Option.REJECT_IDENTITY)
        d.send(Selected(Option.CONFIRM_IDENTITY))
    claims = d.finish()
    assert claims.method is Method.VISUAL and claims.assurance is Assurance.STAFF_ATTESTED
    assert claims.staff is not None and (claims.staff.staff_id, claims.staff.source) == (staff_id, source)
    assert claims.face is None
    assert d.flow.staff_authority is None, "the visual check ended with its session"


def test_no_patient_button_reaches_the_visual_check() -> None:
    """Modes: never by a patient-reachable button — try every option on every screen of a session."""
    for state in ALL_SESSION_STATES:
        if state is State.VISUAL_CHECK:
            continue  # reached by the staff key: the staff screen itself is tested below
        for option in Option:
            d = _reach(state)
            d.send(Selected(option))
            assert d.state is not State.VISUAL_CHECK, (state, option)
            assert d.flow.staff_authority is None, (state, option)


@pytest.mark.parametrize("source", ["keyswitch_left_on", "host", "code"])
def test_visual_check_never_outlives_its_session(source: str) -> None:
    """Modes: the mode is left by itself after the session, so the next patient can use face auth."""
    d = FlowDriver(staff_config())
    d.place_card()
    if source == "keyswitch_left_on":
        d.send(StaffKeyChanged(True))
    elif source == "host":
        d.send(HostSetMode(HostMode.VISUAL_CHECK, "clerk-3"))
    else:
        d.press(*STAFF_CODE, Key.ENTER)
    if d.state is State.VISUAL_CHECK:
        d.send(Selected(Option.CONFIRM_IDENTITY))
    d.finish()
    d.send(CardRemoved(), after=2)
    assert d.state is State.IDLE and d.flow.staff_authority is None
    d.place_card()  # the next patient (the keyswitch may still be on)
    assert d.state is State.CHOOSE_METHOD
    assert d.flow.screen.options == (Option.FACE, Option.PIN)
    d.pass_face()
    assert d.finish().method is Method.FACE


def test_a_visual_check_set_between_patients_lapses() -> None:
    d = FlowDriver(staff_config(timeouts=Timeouts(visual_check_arm=90)))
    d.send(HostSetMode(HostMode.VISUAL_CHECK, "clerk-3"))
    assert d.flow.deadline == pytest.approx(d.now + 90)
    d.run_to_deadline()
    assert d.flow.staff_authority is None and d.flow.screen.to_dict()["visual_check_armed"] is False
    d.place_card()
    assert d.state is State.CHOOSE_METHOD


@pytest.mark.parametrize(
    ("withdraw", "state_after"),
    [(StaffKeyChanged(False), State.CHOOSE_METHOD), (HostSetMode(HostMode.AUTO), State.CHOOSE_METHOD)],
)
def test_leaving_the_visual_check_before_confirming(withdraw: object, state_after: State) -> None:
    d = FlowDriver(staff_config())
    d.place_card()
    d.send(StaffKeyChanged(True))
    assert d.state is State.VISUAL_CHECK
    d.send(withdraw)  # type: ignore[arg-type]
    assert d.state is state_after and d.flow.staff_authority is None


def test_staff_reject_ends_not_verified() -> None:
    d = FlowDriver(staff_config())
    d.place_card()
    d.press(*STAFF_CODE, Key.ENTER)
    out = d.send(Selected(Option.REJECT_IDENTITY))
    assert d.state is State.NOT_VERIFIED and of(out, DropSession) == [DropSession(EndReason.NOT_VERIFIED)]
    assert not of(d.actions, EmitResult)


def test_staff_codes_are_guarded() -> None:
    """A PIN typed on the wrong screen is not a guess; wrong codes lock the keypad's staff entry for a while."""
    d = FlowDriver(staff_config(staff_code_max_failures=3, timeouts=Timeouts(staff_code_lockout=300)))
    d.place_card()
    for _ in range(5):
        d.press("1", "2", "3", "4", Key.ENTER)  # four digits: never a staff code
    assert d.flow._staff_failures == 0
    for _ in range(3):
        d.press(*"999999", Key.ENTER)
        assert Beep(BeepPattern.ERROR) in d.last
    d.press(*STAFF_CODE, Key.ENTER)
    assert d.state is State.CHOOSE_METHOD, "locked out: even the right code is not taken"
    d.send(CardRemoved())
    d.tick(301)
    d.place_card()
    d.press(*STAFF_CODE, Key.ENTER)
    assert d.state is State.VISUAL_CHECK, "the lockout lapses"


def test_staff_code_digits_left_at_rest_are_forgotten() -> None:
    """Privacy: digits typed at rest without 決定 do not stay in memory, nor spoil the next staff member's code."""
    d = FlowDriver(staff_config())
    d.press("9", "9")
    assert d.flow.deadline == d.now + STAFF_DIGITS_KEPT, "the flow asks for the time to forget them"
    d.run_to_deadline()
    assert len(d.flow._staff_digits) == 0 and d.flow.deadline is None
    d.press(*STAFF_CODE, Key.ENTER)
    assert d.flow.staff_authority is not None, "the right code is taken after stray digits"


def test_staff_code_typed_slowly_is_still_taken() -> None:
    d = FlowDriver(staff_config())
    for digit in STAFF_CODE:
        d.press(digit)
        d.tick(STAFF_DIGITS_KEPT - 1)
    d.press(Key.ENTER)
    assert d.flow.staff_authority is not None


def test_keyswitch_ignored_when_not_fitted() -> None:
    d = FlowDriver(FlowConfig(keyswitch_fitted=False))
    d.place_card()
    d.send(StaffKeyChanged(True))
    assert d.state is State.CHOOSE_METHOD and d.flow.staff_authority is None


def test_visual_check_does_not_apply_to_phones() -> None:
    d = FlowDriver(staff_config(smartphone_reader=True))
    d.send(StaffKeyChanged(True))
    d.place_card(CardKind.ANDROID)
    assert d.state is State.CHECKING_PIN_TRIES and d.flow.staff_authority is None


# --- certificate expiry ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cert", "outcome"),
    [
        (certificate(-1, expired=True), "expired"),
        (certificate(0, expired=True), "expired"),
        (None, "missing"),
        (certificate(0), "warn"),
        (certificate(60), "warn"),
        (certificate(61), "done"),
        (certificate(None), "done"),  # the clock is unset: neither block nor warn; the host checks
        (certificate(3000), "done"),
    ],
)
def test_certificate_expiry(cert: object, outcome: str) -> None:
    """Certificate expiry: expired stops with what to do; expiring within 60 days warns after completion."""
    d = FlowDriver()
    d.send(CardInserted(), after=1)
    out = d.answer(CardRead, kind=CardKind.CARD, certificate=cert, pin_tries_left=3)
    if outcome in ("expired", "missing"):
        assert d.state is State.CERTIFICATE_EXPIRED
        assert of(out, DropSession) == [DropSession(EndReason.CERTIFICATE_UNUSABLE)]
        screen = d.flow.screen
        assert isinstance(screen, CertificateExpiredScreen)
        assert screen.problem is (CertificateProblem.EXPIRED if outcome == "expired" else CertificateProblem.MISSING)
        return
    d.pass_pin()
    d.answer_consents()
    assert d.state is State.SENDING_RESULT, "never blocks: the result is sent first"
    d.answer(ResultAccepted)
    if outcome == "warn":
        screen = d.flow.screen
        assert d.state is State.EXPIRY_WARNING and isinstance(screen, ExpiringSoonScreen)
        assert screen.days_left == cert.days_left and screen.not_after == "2030-02-17"  # type: ignore[union-attr]
        d.send(Selected(Option.OK))
    assert d.state is State.DONE


# --- smartphone ------------------------------------------------------------------------------------------------------


def test_android_uses_the_pin_on_our_keypad() -> None:
    """Smartphone: Android — the 4-digit smartphone-certificate PIN is typed on the reader."""
    d = FlowDriver(FlowConfig(smartphone_reader=True))
    d.send(Selected(Option.SMARTPHONE))
    d.send(Selected(Option.ANDROID))
    assert d.flow.screen.to_dict() == {"id": "hold_phone", "language": "ja", "options": ["back"], "platform": "android"}
    d.place_card(CardKind.ANDROID)
    assert d.state is State.CHECKING_PIN_TRIES
    d.pass_pin()
    claims = d.finish()
    assert (claims.method, claims.assurance, claims.card_kind) == (Method.SMARTPHONE_ANDROID, Assurance.CARD_SIGNED,
                                                                   CardKind.ANDROID)  # fmt: skip
    pin_screens = [s for s in shows(d.actions) if isinstance(s, PinEntryScreen)]
    assert pin_screens and all(s.smartphone and s.options == () for s in pin_screens)


@pytest.mark.parametrize(("answer", "state"), [(Signed, State.CONSENT_MEDICAL), (SignRefused, State.NOT_VERIFIED)])
def test_iphone_authorises_on_the_phone(answer: type, state: State) -> None:
    """Smartphone: iPhone — authenticated by Face ID on the phone (the phone signs)."""
    d = FlowDriver(FlowConfig(smartphone_reader=True))
    d.place_card(CardKind.IPHONE)
    assert d.state is State.PHONE_AUTHORISING and isinstance(d.latest(SignChallenge), SignChallenge)
    d.answer(answer)
    assert d.state is state
    if state is State.CONSENT_MEDICAL:
        claims = d.finish()
        assert claims.method is Method.SMARTPHONE_IPHONE and claims.card_kind is CardKind.IPHONE


@pytest.mark.parametrize("tries", [None, 0])
def test_an_android_pin_that_cannot_be_used_offers_a_way_out(tries: int | None) -> None:
    """Smartphone: an Android PIN that is locked or cannot be read leaves nothing to verify with on the reader: the
    screen says to ask staff and 戻る ends the session at once, instead of a 60 s wait."""
    d = FlowDriver(FlowConfig(smartphone_reader=True))
    d.place_card(CardKind.ANDROID)
    d.answer(PinTries, tries_left=tries)
    assert d.state is State.PIN_LOCKED
    screen = d.flow.screen.to_dict()
    assert screen["options"] == ["back"] and screen["ask_staff"] is True and screen["smartphone"] is True
    out = d.send(Selected(Option.BACK))
    assert d.state is State.NOT_VERIFIED and of(out, DropSession) == [DropSession(EndReason.NOT_VERIFIED)]


@pytest.mark.parametrize(("event", "out_of_service"), [(HostCancel(), False), (OutOfService("repair"), True)])
def test_the_stop_screen_gives_the_right_reason(event: object, out_of_service: bool) -> None:
    d = FlowDriver()
    d.place_card()
    d.send(event)  # type: ignore[arg-type]
    assert d.state is State.CANCELLED and d.flow.screen.to_dict()["out_of_service"] is out_of_service


def test_phone_reader_session_and_the_phone_forgotten() -> None:
    d = FlowDriver(FlowConfig(smartphone_reader=True))
    d.place_card(CardKind.ANDROID)
    assert isinstance(d.latest(ReadCard), ReadCard) and d.latest(ReadCard).reader is ReaderRole.PHONE  # type: ignore
    d.pass_pin()
    d.finish()
    d.run_to_deadline()
    assert d.state is State.CARD_FORGOTTEN and d.flow.screen.to_dict()["smartphone"] is True
    d.send(CardRemoved(ReaderRole.PHONE))
    assert d.state is State.IDLE


# --- what crosses the wire -----------------------------------------------------------------------------------------


def _claims(method: str) -> ReceptionClaims:
    d = FlowDriver(staff_config(smartphone_reader=True))
    if method == "pin":
        d.place_card()
        d.pass_pin()
    elif method == "face":
        d.place_card()
        d.pass_face()
    elif method == "visual":
        d.place_card()
        d.send(StaffKeyChanged(True))
        d.send(Selected(Option.CONFIRM_IDENTITY))
    else:
        d.place_card(CardKind.IPHONE)
        d.answer(Signed)
    return d.finish()


@pytest.mark.parametrize(
    ("method", "expected_method", "assurance", "has_face", "has_staff"),
    [
        ("pin", Method.PIN, Assurance.CARD_SIGNED, False, False),
        ("face", Method.FACE, Assurance.DEVICE_ATTESTED, True, False),
        ("visual", Method.VISUAL, Assurance.STAFF_ATTESTED, False, True),
        ("iphone", Method.SMARTPHONE_IPHONE, Assurance.CARD_SIGNED, False, False),
    ],
)
def test_result_says_what_each_method_proves(method: str, expected_method: Method, assurance: Assurance,
                                             has_face: bool, has_staff: bool) -> None:  # fmt: skip
    """What crosses the wire: the certificate serial, how the holder was verified, and what that proves."""
    claims = _claims(method)
    assert claims.method is expected_method and claims.assurance is assurance
    assert claims.certificate_serial == "abcdef"
    assert (claims.face is not None) is has_face and (claims.card_face is not None) is has_face
    assert (claims.staff is not None) is has_staff
    if has_face:
        assert claims.face is not None
        assert (claims.face.score, claims.face.threshold, claims.face.liveness, claims.face.attempts) == (
            0.75, 0.5, Liveness.LIVE, 1)  # fmt: skip


# --- host, service, faults -----------------------------------------------------------------------------------------


def test_no_patient_is_taken_while_the_host_is_not_connected() -> None:
    d = FlowDriver(host=False)
    assert d.state is State.HOST_NOT_CONNECTED
    d.send(CardInserted(), after=1)
    assert d.state is State.HOST_NOT_CONNECTED and not of(d.last, ReadCard)
    d.send(HostConnected(), after=2)  # the card placed meanwhile is read now
    assert d.state is State.READING_CARD and isinstance(d.latest(ReadCard), ReadCard)


def test_host_lost_mid_session_finishes_the_session_then_rests_disconnected() -> None:
    d = FlowDriver()
    d.place_card()
    d.send(HostLost())
    assert d.state is State.CHOOSE_METHOD
    d.pass_pin()
    d.finish()
    d.send(CardRemoved())
    assert d.state is State.HOST_NOT_CONNECTED


def test_persistent_fault_keeps_the_reader_out_of_service_until_recovered() -> None:
    d = FlowDriver()
    d.send(DeviceFault("camera.lost", persistent=True))
    assert d.state is State.OUT_OF_SERVICE and d.flow.screen.to_dict()["fault_codes"] == ["camera.lost"]
    d.send(CardInserted())
    assert d.state is State.OUT_OF_SERVICE
    d.send(OutOfService("maintenance"))
    d.send(DeviceRecovered("camera.lost"))
    assert d.state is State.OUT_OF_SERVICE
    d.send(BackInService())
    assert d.state is State.READING_CARD  # the card placed meanwhile


def test_transient_fault_at_rest_shows_the_code_then_idles() -> None:
    d = FlowDriver(FlowConfig(timeouts=Timeouts(notice=5)))
    d.send(DeviceFault("panel.timeout"))
    assert d.state is State.DEVICE_ERROR and d.flow.screen.to_dict()["code"] == "panel.timeout"
    d.tick(5)
    assert d.state is State.IDLE


def test_stale_and_misrouted_answers_are_ignored() -> None:
    d = FlowDriver()
    d.place_card()
    read = d.latest(ReadCard)
    assert read is not None
    before = d.state
    d.send(CardRead(read.request_id, kind=CardKind.JUKI))  # answered already
    d.send(PinVerified(read.request_id))  # the wrong kind of answer for that request
    d.send(PinTries(999, tries_left=0))  # never asked
    assert d.state is before
    assert d.send(Tick()) == []


def test_a_clock_that_steps_back_is_held() -> None:
    d = FlowDriver(FlowConfig(timeouts=Timeouts(choice=10)))
    d.place_card()
    d.flow.handle(Tick(), d.now - 500)
    assert d.state is State.CHOOSE_METHOD
    d.flow.handle(Tick(), d.now + 10)
    assert d.state is State.TIMED_OUT


def test_a_card_arriving_on_the_other_reader_mid_session_is_not_read() -> None:
    d = FlowDriver(FlowConfig(smartphone_reader=True))
    d.place_card()
    d.send(CardInserted(ReaderRole.PHONE))
    d.pass_pin()
    d.finish()
    d.send(CardRemoved(ReaderRole.CARD))
    assert d.state is State.IDLE, "the phone laid down mid-session must be placed again"
    d.send(CardRemoved(ReaderRole.PHONE))
    d.send(CardInserted(ReaderRole.PHONE))
    assert d.state is State.READING_CARD


def test_drop_session_exactly_once_per_session() -> None:
    d = FlowDriver()
    d.place_card()
    d.send(HostCancel())
    d.send(HostCancel())
    d.send(DeviceFault("x"))
    d.send(CardRemoved())
    assert len(of(d.actions, DropSession)) == 1


@pytest.mark.parametrize(
    ("where", "taken"),
    [("idle", True), ("choose_method", True), ("consents", False), ("verifying_pin", False), ("host_lost", False)],
)
def test_mode_tells_the_host_whether_its_visual_check_was_taken(where: str, taken: bool) -> None:
    """The line protocol's state message carries the mode; a set_mode the flow did not take is answered "not now"."""
    d = FlowDriver(staff_config())
    if where == "choose_method":
        d.place_card()
    elif where == "consents":
        d.place_card()
        d.pass_pin()
    elif where == "verifying_pin":
        d.place_card()
        d.send(Selected(Option.PIN))
        d.answer(PinTries, tries_left=3)
        d.type_pin("1357")
    elif where == "host_lost":
        d.send(HostLost())
    assert d.flow.mode is HostMode.AUTO
    d.send(HostSetMode(HostMode.VISUAL_CHECK, "clerk-3"))
    assert d.flow.mode is (HostMode.VISUAL_CHECK if taken else HostMode.AUTO)
    d.send(HostSetMode(HostMode.AUTO))
    assert d.flow.mode is HostMode.AUTO or d.state is State.CONSENT_MEDICAL


def test_a_late_tick_keeps_the_order_of_what_happened() -> None:
    """Timers due before an event act first, with their requests: here the reader came back to idle, started on the
    waiting card, and then that card left — so its ReadCard comes before its DropSession."""
    d = FlowDriver(FlowConfig(timeouts=Timeouts(notice=3)), host=False)
    d.send(CardInserted(), after=1)
    d.send(DeviceFault("camera.lost"))
    d.send(HostConnected())
    assert d.state is State.DEVICE_ERROR
    out = d.send(CardRemoved(), after=10)  # the notice ran out 7 s ago; nobody ticked
    kinds = [type(a).__name__ for a in out]
    assert kinds.index("ReadCard") < kinds.index("DropSession")
    assert d.state is State.CARD_REMOVED
