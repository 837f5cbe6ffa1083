"""The demo's scenarios: one patient each, what they do, and what the reader must end in.

Each scenario names the card profile put on the reader (:mod:`drivers.card.emulated.profiles`), who stands at the
face camera, the script the patient (and staff) follow, the state the session must end in, the states it must pass
through, and — where a result is expected — the method and assurance the host must verify. A scenario that ends any
other way fails the demo.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from firmware.demo.patient import Patient
from firmware.demo.photos import HOLDER_LIVE, SOMEONE_ELSE
from firmware.reception import Option, State
from protocol.vocabulary import Assurance, Liveness, Method

PIN = "1234"  # the emulated cards' PIN (a demo value: never a real one)
WRONG_PIN = "9999"


class Stage(Protocol):
    """What a script may do besides the patient's own actions: place and take the scenario's card (or phone), and
    take the host away and bring it back."""

    @property
    def patient(self) -> Patient: ...

    def place(self) -> None: ...

    def take(self) -> None: ...

    async def host_offline(self) -> None: ...

    async def host_back(self) -> None: ...


Script = Callable[[Stage], Awaitable[None]]


@dataclass(frozen=True)
class Expected:
    end: State
    visits: tuple[State, ...] = ()
    method: Method | None = None  # None: no result may reach the host
    assurance: Assurance | None = None
    liveness: Liveness | None = None


@dataclass(frozen=True)
class Scenario:
    name: str
    summary: str
    profile: str
    script: Script
    expected: Expected
    at_camera: str = HOLDER_LIVE
    phone: bool = False  # held to the smartphone reader instead of put in the card reader
    needs_host: bool = False  # takes the host away: only when the demo runs the host end itself


async def consents(stage: Stage) -> None:
    p = stage.patient
    for state, option in ((State.CONSENT_MEDICAL, Option.AGREE), (State.CONSENT_CHECKUP, Option.AGREE),
                          (State.CONSENT_LIMIT, Option.PROVIDE)):  # fmt: skip
        await p.reach(state)
        await p.choose(option)


async def pin_path(stage: Stage, pin: str = PIN) -> None:
    p = stage.patient
    await p.reach(State.CHOOSE_METHOD)
    await p.choose(Option.PIN)
    await p.reach(State.ENTERING_PIN)
    await p.type_pin(pin)


async def pin(stage: Stage) -> None:
    stage.place()
    await pin_path(stage)
    await consents(stage)


async def face(stage: Stage) -> None:
    stage.place()
    p = stage.patient
    await p.reach(State.CHOOSE_METHOD)
    await p.choose(Option.FACE)
    await p.reach(State.SCANNING_CARD_FACE)
    await p.reach(State.CAPTURING_FACE)
    await consents(stage)


async def visual_check(stage: Stage) -> None:
    stage.place()
    p = stage.patient
    await p.reach(State.CHOOSE_METHOD)
    p.staff_key(True)
    await p.reach(State.VISUAL_CHECK)
    await p.choose(Option.CONFIRM_IDENTITY, who="staff")
    p.staff_key(False)
    await consents(stage)


async def phone(stage: Stage, platform: Option) -> None:
    p = stage.patient
    await p.choose(Option.SMARTPHONE)
    await p.reach(State.CHOOSE_PHONE)
    await p.choose(platform)
    await p.reach(State.WAITING_FOR_PHONE)
    stage.place()


async def android(stage: Stage) -> None:
    await phone(stage, Option.ANDROID)
    p = stage.patient
    await p.reach(State.ENTERING_PIN)
    await p.type_pin(PIN, "the smartphone certificate's PIN")
    await consents(stage)


async def iphone(stage: Stage) -> None:
    await phone(stage, Option.IPHONE)
    await stage.patient.reach(State.PHONE_AUTHORISING)
    await consents(stage)


async def pin_locked(stage: Stage) -> None:
    stage.place()
    p = stage.patient
    await p.reach(State.CHOOSE_METHOD)
    await p.choose(Option.FACE)  # the PIN is locked: the screen says so and offers the face
    await p.reach(State.CAPTURING_FACE)
    await consents(stage)


async def one_try_left(stage: Stage) -> None:
    stage.place()
    p = stage.patient
    await p.reach(State.CHOOSE_METHOD)
    await p.choose(Option.PIN)
    await p.reach(State.PIN_LAST_TRY_WARNING)
    await p.choose(Option.CONTINUE)
    await p.reach(State.ENTERING_PIN)
    await p.type_pin(PIN)
    await consents(stage)


async def wrong_pin_then_right(stage: Stage) -> None:
    stage.place()
    p = stage.patient
    await pin_path(stage, WRONG_PIN)
    await p.reach(State.VERIFYING_PIN)
    await p.reach(State.CHECKING_PIN_TRIES)
    await p.until(lambda: p.state is State.ENTERING_PIN, "state entering_pin again")
    await p.type_pin(PIN, "the right PIN")
    await consents(stage)


async def cert_expiring(stage: Stage) -> None:
    await pin(stage)
    p = stage.patient
    await p.reach(State.EXPIRY_WARNING)
    await p.choose(Option.OK)


async def only_place(stage: Stage) -> None:
    stage.place()


async def card_removed_midway(stage: Stage) -> None:
    stage.place()
    p = stage.patient
    await p.reach(State.CHOOSE_METHOD)
    await p.choose(Option.PIN)
    await p.reach(State.ENTERING_PIN)
    await p.type_digits(PIN[:2])
    stage.take()


async def face_no_match_then_pin(stage: Stage) -> None:
    stage.place()
    p = stage.patient
    await p.reach(State.CHOOSE_METHOD)
    await p.choose(Option.FACE)
    await p.reach(State.CAPTURING_FACE)
    await p.reach(State.FACE_RETRY)
    await p.choose(Option.PIN)
    await p.reach(State.ENTERING_PIN)
    await p.type_pin(PIN)
    await consents(stage)


async def host_offline_then_back(stage: Stage) -> None:
    stage.place()
    p = stage.patient
    await pin_path(stage)
    await p.reach(State.CONSENT_MEDICAL)
    await stage.host_offline()
    await consents(stage)
    await p.reach(State.DONE)  # the result waits in the outbox
    stage.take()
    await p.reach(State.HOST_NOT_CONNECTED)
    await stage.host_back()


def pin_result(*visits: State, end: State = State.DONE) -> Expected:
    return Expected(end, visits, Method.PIN, Assurance.CARD_SIGNED)


def face_result(*visits: State) -> Expected:
    return Expected(State.DONE, visits, Method.FACE, Assurance.DEVICE_ATTESTED, Liveness.NOT_CHECKED)


def phone_result(method: Method, *visits: State) -> Expected:
    return Expected(State.DONE, visits, method, Assurance.CARD_SIGNED)


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("pin", "a My Number card and its PIN", "normal", pin, pin_result(State.ENTERING_PIN, State.SIGNING)),
    Scenario("face", "the face path: card face scanned, chip photo matched to the holder at the camera", "normal",
             face, face_result(State.SCANNING_CARD_FACE, State.CAPTURING_FACE)),
    Scenario("visual-check", "staff turn the key and confirm the patient against the card photo", "normal",
             visual_check, Expected(State.DONE, (State.VISUAL_CHECK,), Method.VISUAL, Assurance.STAFF_ATTESTED)),
    Scenario("android", "an Android phone's smartphone certificate and its PIN", "android", android,
             phone_result(Method.SMARTPHONE_ANDROID, State.WAITING_FOR_PHONE, State.ENTERING_PIN), phone=True),
    Scenario("iphone", "an iPhone: the holder approves on the phone", "iphone", iphone,
             phone_result(Method.SMARTPHONE_IPHONE, State.WAITING_FOR_PHONE, State.PHONE_AUTHORISING), phone=True),
    Scenario("pinless", "a card issued without a PIN (顔認証マイナンバーカード): the face only", "pinless", face,
             face_result(State.SCANNING_CARD_FACE, State.CAPTURING_FACE)),
    Scenario("pin-locked", "a card whose PIN is locked: the face instead", "pin-locked", pin_locked,
             face_result(State.CAPTURING_FACE)),
    Scenario("one-try-left", "one PIN try left: warned first, then the PIN", "one-try-left", one_try_left,
             pin_result(State.PIN_LAST_TRY_WARNING)),
    Scenario("wrong-pin-then-right", "a wrong PIN, then the right one", "normal", wrong_pin_then_right,
             pin_result(State.VERIFYING_PIN, State.CHECKING_PIN_TRIES)),
    Scenario("cert-expired", "an expired certificate: refused", "cert-expired", only_place,
             Expected(State.CERTIFICATE_EXPIRED)),
    Scenario("cert-expiring", "a certificate expiring in 20 days: result, then the warning", "cert-expiring",
             cert_expiring, pin_result(State.EXPIRY_WARNING)),
    Scenario("juki", "a 住基カード: not supported", "juki", only_place, Expected(State.UNSUPPORTED_CARD)),
    Scenario("card-removed-midway", "the card taken away during PIN entry: nothing sent", "normal",
             card_removed_midway, Expected(State.CARD_REMOVED, (State.ENTERING_PIN,))),
    Scenario("face-no-match-then-pin", "someone else at the camera: no match, then the PIN", "normal",
             face_no_match_then_pin, pin_result(State.CAPTURING_FACE, State.FACE_RETRY), at_camera=SOMEONE_ELSE),
    Scenario("host-offline-then-back", "the reception PC goes away mid-session; the result waits and is delivered "
             "once it is back", "normal", host_offline_then_back, pin_result(State.HOST_NOT_CONNECTED),
             needs_host=True),
)
BY_NAME = {scenario.name: scenario for scenario in SCENARIOS}
