"""The flow's contract with the daemon: failures tied to a request, cancels, nonces, refused host requests, the
status light, the fault table and how a certificate is judged."""

from __future__ import annotations

import datetime as dt

import pytest

from firmware.reception import State
from firmware.reception.actions import (
    Action,
    CaptureFace,
    Cancel,
    EmitResult,
    ModeRefused,
    ReadCard,
    ReadPinTries,
    Request,
    ScanCardFace,
    SignChallenge,
    VerifyPin,
)
from firmware.reception.events import (
    AuthCertificate,
    CardFaceRead,
    CardInserted,
    CardRead,
    CardRemoved,
    DeviceFault,
    DeviceRecovered,
    HostConnected,
    HostSetMode,
    InvalidEvent,
    NonceUnavailable,
    PinTries,
    PinVerified,
    RequestFailed,
    ResultAccepted,
    Selected,
    Signed,
)
from firmware.reception.faults import PERSISTENT, Fault, device_fault
from firmware.reception.config import FlowConfig
from firmware.reception.testing import FlowDriver, certificate
from firmware.reception.types import (
    CardKind,
    FaceUnavailable,
    HostMode,
    IssuerSignature,
    ModeRefusal,
    Option,
    StatusLight,
)


def of(actions: list[Action], cls: type) -> list:
    return [a for a in actions if isinstance(a, cls)]


def request(d: FlowDriver, cls: type[Request]) -> Request:
    found = d.latest(cls)
    assert found is not None
    return found


def capturing() -> FlowDriver:
    d = FlowDriver()
    d.place_card(tries=3)
    d.send(Selected(Option.FACE), after=1.0)
    d.answer(CardFaceRead, card_key_verified=True, issuer_signature=IssuerSignature.VERIFIED)
    assert d.state is State.CAPTURING_FACE
    return d


# --- failures tied to a request ----------------------------------------------------------------------------------


def test_a_camera_failure_withdraws_face_for_the_session_and_keeps_the_pin() -> None:
    d = capturing()
    out = d.send(RequestFailed(request(d, CaptureFace).request_id, Fault.FACE_CAMERA.value))
    assert d.state is State.CHOOSE_METHOD and not of(out, Cancel)  # answered, so nothing to cancel
    screen = d.flow.screen.to_dict()
    assert screen["options"] == ["pin"] and screen["face_unavailable"] == FaceUnavailable.DEVICE_FAULT.value


def test_a_card_face_scan_failure_withdraws_face() -> None:
    d = FlowDriver()
    d.place_card(tries=3)
    d.send(Selected(Option.FACE))
    d.send(RequestFailed(request(d, ScanCardFace).request_id, Fault.CARD_FACE_CAMERA.value))
    assert d.state is State.CHOOSE_METHOD and d.flow.screen.to_dict()["options"] == ["pin"]


@pytest.mark.parametrize("cls", [ReadCard, ReadPinTries, VerifyPin, SignChallenge, EmitResult])
def test_a_card_or_outbox_failure_ends_the_session_with_its_code(cls: type[Request]) -> None:
    d = FlowDriver()
    d.place_card(tries=3)
    if cls is not ReadCard:
        d.send(Selected(Option.PIN))
    if cls in (VerifyPin, SignChallenge, EmitResult):
        d.answer(PinTries, tries_left=3)
        d.type_pin("1234")
    if cls in (SignChallenge, EmitResult):
        d.answer(PinVerified)
    if cls is EmitResult:
        d.answer(Signed)
        d.answer_consents()
    if cls is ReadCard:  # a fresh session, still reading
        d = FlowDriver()
        d.send(CardInserted())
    out = d.send(RequestFailed(request(d, cls).request_id, "card.io"))
    assert d.state is State.DEVICE_ERROR and d.flow.screen.to_dict()["code"] == "card.io"
    assert not of(out, Cancel)


def test_a_failure_that_arrives_after_the_wait_ended_never_touches_a_later_session() -> None:
    d = capturing()
    old = request(d, CaptureFace).request_id
    d.send(CardRemoved())
    d.run_to_deadline()
    d.send(CardInserted(), after=1.0)
    d.answer(CardRead, kind=CardKind.CARD, certificate=certificate(), pin_tries_left=3)
    assert d.state is State.CHOOSE_METHOD
    d.send(RequestFailed(old, "camera.face"))
    assert d.state is State.CHOOSE_METHOD and d.flow.in_session
    assert d.flow.screen.to_dict()["options"] == ["face", "pin"]


# --- cancels -----------------------------------------------------------------------------------------------------


def test_switching_to_the_pin_during_a_capture_cancels_the_capture() -> None:
    d = capturing()
    capture = request(d, CaptureFace)
    out = d.send(Selected(Option.PIN))
    assert of(out, Cancel) == [Cancel(capture.request_id)] and d.state is State.CHECKING_PIN_TRIES
    assert out.index(of(out, Cancel)[0]) < out.index(of(out, ReadPinTries)[0])


def test_card_removal_and_timeouts_cancel_what_was_asked() -> None:
    d = FlowDriver()
    d.place_card(tries=3)
    d.send(Selected(Option.PIN))
    tries = request(d, ReadPinTries)
    assert of(d.send(CardRemoved()), Cancel) == [Cancel(tries.request_id)]
    d = FlowDriver()
    d.place_card(tries=3)
    d.send(Selected(Option.PIN))
    tries = request(d, ReadPinTries)
    out = d.run_to_deadline()
    assert d.state is State.DEVICE_ERROR and of(out, Cancel) == [Cancel(tries.request_id)]


def test_an_answered_request_is_never_cancelled() -> None:
    d = FlowDriver()
    d.place_card(tries=3)
    d.send(Selected(Option.PIN))
    out = d.answer(PinTries, tries_left=3)
    assert not of(out, Cancel) and d.state is State.ENTERING_PIN


# --- nonces ------------------------------------------------------------------------------------------------------


def test_exactly_the_requests_that_name_the_host_nonce_say_so() -> None:
    uses = {cls for cls in (ReadCard, ScanCardFace, CaptureFace, ReadPinTries, VerifyPin, SignChallenge, EmitResult)
            if cls.uses_host_nonce}
    assert uses == {ScanCardFace, SignChallenge, EmitResult}


def test_no_nonce_ends_the_session_and_holds_new_ones_until_the_host_is_ready() -> None:
    d = FlowDriver()
    d.place_card(tries=3)
    d.send(Selected(Option.PIN))
    d.send(NonceUnavailable(request(d, ReadPinTries).request_id))  # the tries read needs no nonce: ignored
    assert d.state is State.CHECKING_PIN_TRIES
    d.answer(PinTries, tries_left=3)
    d.type_pin("1234")
    d.answer(PinVerified)
    d.send(NonceUnavailable(request(d, SignChallenge).request_id))
    assert d.state is State.DEVICE_ERROR and d.flow.screen.to_dict()["code"] == Fault.NO_NONCE.value
    d.send(CardRemoved())
    assert d.state is State.HOST_NOT_CONNECTED
    d.send(CardInserted())
    assert d.state is State.HOST_NOT_CONNECTED and not of(d.last, ReadCard)
    d.send(HostConnected())
    assert d.state is State.READING_CARD


# --- host requests the flow refuses ----------------------------------------------------------------------------


def test_a_visual_check_the_flow_cannot_take_is_refused_with_a_reason() -> None:
    d = FlowDriver()
    assert not of(d.send(HostSetMode(HostMode.VISUAL_CHECK, "clerk")), ModeRefused)  # at rest: armed
    d = FlowDriver()
    d.place_card(tries=3)
    d.pass_pin()
    out = d.send(HostSetMode(HostMode.VISUAL_CHECK, "clerk"))
    assert of(out, ModeRefused) == [ModeRefused(HostMode.VISUAL_CHECK, ModeRefusal.PAST_AUTHENTICATION)]
    d.answer_consents()
    d.answer(ResultAccepted)
    assert d.state is State.DONE
    out = d.send(HostSetMode(HostMode.VISUAL_CHECK, "clerk"))
    assert of(out, ModeRefused) == [ModeRefused(HostMode.VISUAL_CHECK, ModeRefusal.BUSY)]
    assert d.flow.mode is HostMode.AUTO


def test_a_phone_session_refuses_a_visual_check() -> None:
    d = FlowDriver(FlowConfig(smartphone_reader=True))
    d.place_card(CardKind.ANDROID)
    out = d.send(HostSetMode(HostMode.VISUAL_CHECK, "clerk"))
    assert of(out, ModeRefused) == [ModeRefused(HostMode.VISUAL_CHECK, ModeRefusal.SMARTPHONE)]


# --- the status light and the fault table ------------------------------------------------------------------------


def test_the_status_light_follows_the_reader() -> None:
    d = FlowDriver(host=False)
    assert d.flow.status_light is StatusLight.OFF
    d.send(HostConnected())
    assert d.flow.status_light is StatusLight.READY
    d.place_card(tries=3)
    assert d.flow.status_light is StatusLight.WORKING
    d.send(device_fault(Fault.CARD_READER_MISSING))
    assert d.state is State.DEVICE_ERROR and d.flow.status_light is StatusLight.FAULT
    d.send(CardRemoved())
    assert d.state is State.OUT_OF_SERVICE and d.flow.status_light is StatusLight.FAULT


def test_persistent_faults_take_the_reader_out_of_service() -> None:
    assert device_fault(Fault.OUTBOX) == DeviceFault("outbox.write", persistent=True)
    assert not device_fault(Fault.CARD_IO).persistent
    assert Fault.FACE_CAMERA not in PERSISTENT and Fault.CARD_FACE_CAMERA not in PERSISTENT
    d = FlowDriver()
    d.send(device_fault(Fault.CARD_SERVICE))
    assert d.state is State.OUT_OF_SERVICE and d.flow.screen.to_dict()["fault_codes"] == ["card.service"]
    d.send(DeviceRecovered("card.service"))
    assert d.state is State.IDLE


def test_a_broken_camera_keeps_the_reader_in_service_with_the_pin() -> None:
    d = FlowDriver()
    d.send(device_fault(Fault.FACE_CAMERA))
    assert d.state is State.DEVICE_ERROR and d.flow.screen.to_dict()["code"] == "camera.face"
    d.run_to_deadline()
    assert d.state is State.IDLE
    d.place_card(tries=3)
    assert d.flow.screen.to_dict()["options"] == ["pin"]
    assert d.flow.screen.to_dict()["face_unavailable"] == FaceUnavailable.DEVICE_FAULT.value
    d.send(DeviceRecovered("camera.face"))
    d.send(CardRemoved())
    d.run_to_deadline()
    d.place_card(tries=3)
    assert d.flow.screen.to_dict()["options"] == ["face", "pin"]


def test_a_camera_fault_mid_session_withdraws_face_without_ending_it() -> None:
    d = FlowDriver()
    d.place_card(tries=3)
    d.send(device_fault(Fault.FACE_CAMERA))
    assert d.state is State.CHOOSE_METHOD and d.flow.in_session
    assert d.flow.screen.to_dict()["options"] == ["pin"]


# --- how a certificate is judged ---------------------------------------------------------------------------------

JST = dt.timezone(dt.timedelta(hours=9))


def test_days_left_count_from_the_host_set_clock_to_the_last_valid_day_in_japan() -> None:
    not_after = dt.datetime(2030, 2, 16, 14, 59, 59, tzinfo=dt.UTC)  # 2030-02-16 23:59:59 JST
    now = dt.datetime(2030, 2, 6, 15, 0, tzinfo=dt.UTC).timestamp()  # 2030-02-07 00:00 JST
    cert = AuthCertificate.judged("ab", not_after, now)
    assert (cert.not_after, cert.days_left, cert.expired) == ("2030-02-16", 9, False)
    late = AuthCertificate.judged("ab", not_after, not_after.timestamp() + 1)
    assert late.expired and late.days_left == -1
    unset = AuthCertificate.judged("ab", not_after, None)
    assert (unset.days_left, unset.expired) == (None, False)
    late_in_utc = dt.datetime(2030, 2, 16, 20, 0, tzinfo=dt.UTC)  # already the 17th in Japan
    assert AuthCertificate.judged("ab", late_in_utc, None).not_after == "2030-02-17"


def test_a_naive_not_after_is_refused() -> None:
    with pytest.raises(InvalidEvent):
        AuthCertificate.judged("ab", dt.datetime(2030, 2, 16), None)


def test_expiry_of_the_certificate_from_the_clock_drives_the_warning() -> None:
    not_after = dt.datetime(2030, 2, 16, 14, 59, 59, tzinfo=JST)
    assert AuthCertificate.judged("ab", not_after, (not_after - dt.timedelta(days=20)).timestamp()).days_left == 20
