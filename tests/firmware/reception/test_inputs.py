"""Bad input to the reception flow: events a device cannot produce, configurations that make no sense, and the
privacy of what the flow hands out."""

from __future__ import annotations

import math

import pytest

from firmware.reception import ReceptionFlow, State
from firmware.reception.actions import VerifyPin
from firmware.reception.config import ConfigError, FlowConfig, StaffCode, Timeouts
from firmware.reception.events import (
    AuthCertificate,
    CardInserted,
    CardRead,
    DeviceFault,
    FaceResult,
    HostSetMode,
    InvalidEvent,
    OutOfService,
    PinRejected,
    PinTries,
    Selected,
    StaffKeyChanged,
    Tick,
)
from firmware.reception.testing import FlowDriver
from firmware.reception.types import CardKind, HostMode, Liveness, Option


@pytest.mark.parametrize(
    "build",
    [
        lambda: CardRead(0, CardKind.CARD),  # request ids start at 1
        lambda: CardRead(True, CardKind.CARD),  # a bool is not an id
        lambda: CardRead(1, "card"),  # a string, not the enum
        lambda: CardRead(1, CardKind.CARD, pin_tries_left=16),  # the counter is a nibble
        lambda: CardRead(1, CardKind.CARD, pin_tries_left=-1),
        lambda: CardRead(1, CardKind.CARD, certificate="abc"),
        lambda: AuthCertificate("ABCDEF", "2030-01-01"),  # serial must be lowercase hex
        lambda: AuthCertificate("zz", "2030-01-01"),
        lambda: AuthCertificate("ab", "2030/01/01"),
        lambda: AuthCertificate("ab", "2030-01-01", days_left=1.5),
        lambda: AuthCertificate("ab", "2030-01-01", expired="no"),
        lambda: AuthCertificate("ab", "2025-02-30"),  # no such day: the screens could not draw it
        lambda: AuthCertificate("ab", "2030-01-01", days_left=-1),  # past its last day but not expired?
        lambda: PinTries(1, tries_left=3.0),
        lambda: PinRejected(1, tries_left=None),
        lambda: FaceResult(1, True, math.nan, 0.5, Liveness.LIVE),
        lambda: FaceResult(1, True, 0.5, math.inf, Liveness.LIVE),
        lambda: FaceResult(1, 1, 0.5, 0.5, Liveness.LIVE),
        lambda: Selected("face"),
        lambda: StaffKeyChanged(1),
        lambda: HostSetMode(HostMode.VISUAL_CHECK),  # who attests it?
        lambda: HostSetMode(HostMode.VISUAL_CHECK, ""),
        lambda: HostSetMode(HostMode.VISUAL_CHECK, "a\nb"),
        lambda: HostSetMode(HostMode.AUTO, "someone"),
        lambda: DeviceFault(""),
        lambda: DeviceFault("has space"),
        lambda: DeviceFault("x" * 33),  # longer than a screen shows a code
        lambda: HostSetMode(HostMode.VISUAL_CHECK, "clerk\u200b"),  # not printable: the screen refuses it
        lambda: OutOfService(""),
        lambda: CardInserted("card"),
    ],
)
def test_impossible_events_are_refused_when_built(build) -> None:
    with pytest.raises(InvalidEvent):
        build()


def test_unknown_events_and_bad_clocks_are_typed_errors() -> None:
    flow = ReceptionFlow()
    with pytest.raises(InvalidEvent):
        flow.handle(object(), 1.0)  # type: ignore[arg-type]
    for now in (math.nan, math.inf, "1", None, True):
        with pytest.raises(InvalidEvent):
            flow.handle(Tick(), now)  # type: ignore[arg-type]
    assert flow.state is State.HOST_NOT_CONNECTED  # nothing changed


@pytest.mark.parametrize(
    "build",
    [
        lambda: FlowConfig(face_max_attempts=0),
        lambda: FlowConfig(face_max_attempts=True),
        lambda: FlowConfig(face_max_attempts=100),  # the screen counts tries up to 99
        lambda: FlowConfig(consent_wording_version="2"),  # display carries no such wording
        lambda: FlowConfig(timeouts=Timeouts(face_attempt=1000)),  # the countdown shows up to 999 s
        lambda: FlowConfig(keyswitch_staff_id="x" * 65),
        lambda: FlowConfig(card_face_scan_attempts=0),
        lambda: FlowConfig(reminder_beeps=0),
        lambda: FlowConfig(expiry_warning_days=-1),
        lambda: FlowConfig(expiry_warning_days=True),  # a bool is not a number of days
        lambda: FlowConfig(staff_codes=None),  # a config error, not a TypeError
        lambda: FlowConfig(staff_codes=[StaffCode.from_code("a", "123456")]),
        lambda: FlowConfig(keyswitch_staff_id=""),
        lambda: FlowConfig(consent_wording_version=""),
        lambda: FlowConfig(default_language="ja"),
        lambda: FlowConfig(smartphone_reader="yes"),
        lambda: FlowConfig(staff_codes=("123456",)),
        lambda: FlowConfig(staff_codes=(StaffCode.from_code("a", "123456"), StaffCode.from_code("a", "654321"))),
        lambda: FlowConfig(timeouts=Timeouts(choice=0)),
        lambda: FlowConfig(timeouts=Timeouts(notice=math.inf)),
        lambda: FlowConfig(timeouts={"choice": 5}),
        lambda: StaffCode.from_code("a", "1234"),  # no longer than a PIN: a patient could hit it
        lambda: StaffCode.from_code("a", "12345a"),
        lambda: StaffCode.from_code("a", "１２３４５６"),  # full-width digits
        lambda: StaffCode("a", "not-a-digest"),
    ],
)
def test_bad_configuration_is_refused(build) -> None:
    with pytest.raises(ConfigError):
        build()


def test_staff_code_digest_is_not_in_a_repr() -> None:
    code = StaffCode.from_code("nurse", "97531864")
    assert code.matches("97531864") and not code.matches("97531865")
    assert code.digest not in repr(code) and code.digest not in repr(FlowConfig(staff_codes=(code,)))


def test_pin_is_in_the_verify_action_only_and_not_in_its_repr() -> None:
    d = FlowDriver()
    d.place_card()
    d.send(Selected(Option.PIN))
    d.answer(PinTries, tries_left=3)
    d.press(*"8642")
    assert repr(d.flow._pin) == "<4 digits>" and "8642" not in repr(vars(d.flow))
    d.type_pin("")
    verify = d.latest(VerifyPin)
    assert isinstance(verify, VerifyPin) and verify.pin == "8642"
    assert repr(verify) == f"VerifyPin(request_id={verify.request_id}, pin=<4 digits>)"
    others = [a for a in d.actions if a is not verify]
    assert not any("8642" in repr(a) for a in others)
    assert len(d.flow._pin) == 0 and "8642" not in repr(d.flow)
