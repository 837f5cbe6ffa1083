"""One example of every screen in the catalogue, with the parameters a patient would typically meet it with.

Used by ``mynareader screens render`` (the rendered set in docs/screens/ and the golden images of the tests) and by
the test that every catalogue screen has a renderer.
"""

from __future__ import annotations

from firmware.reception.types import (
    CardFaceProblem,
    CardKind,
    FaceCue,
    Language,
    Option,
    ReadingSubject,
    StaffSource,
)
from firmware.reception.screens import (
    CATALOGUE,
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

CONSENT_WORDING_VERSION = "1"


def examples(language: Language) -> dict[ScreenId, Screen]:
    """One instance per :class:`ScreenId`, in catalogue order."""
    lang = language
    consent = {"language": lang, "wording_version": CONSENT_WORDING_VERSION, "steps": 4}
    made: list[Screen] = [
        InsertCardScreen(language=lang, options=(Option.SMARTPHONE,)),
        ReadingScreen(language=lang, subject=ReadingSubject.CARD),
        UnsupportedCardScreen(language=lang, kind=CardKind.JUKI),
        CardUnreadableScreen(language=lang, code="C-6A82"),
        ChoosePhoneScreen(language=lang, options=(Option.IPHONE, Option.ANDROID, Option.BACK)),
        HoldPhoneScreen(language=lang, options=(Option.BACK,), platform=CardKind.ANDROID),
        PhoneAuthoriseScreen(language=lang),
        ChooseMethodScreen(language=lang, options=(Option.FACE, Option.PIN), pin_tries_left=3),
        CardFaceScanScreen(language=lang, problem=CardFaceProblem.FACE_DOWN),
        FaceGuidanceScreen(language=lang, options=(Option.PIN,), cue=FaceCue.TURN_LEFT, seconds_left=12, attempt=1,
                           max_attempts=3),
        FaceRetryScreen(language=lang, options=(Option.RETRY, Option.PIN), attempts_left=2),
        PinLastTryWarningScreen(language=lang, options=(Option.CONTINUE, Option.FACE, Option.BACK)),
        PinEntryScreen(language=lang, options=(Option.BACK,), entered=2, tries_left=2),
        PinLockedScreen(language=lang, options=(Option.FACE,)),
        CertificateExpiredScreen(language=lang, not_after="2025-02-17"),
        ExpiringSoonScreen(language=lang, options=(Option.OK,), days_left=20, not_after="2026-12-17"),
        ConsentMedicalScreen(options=(Option.AGREE, Option.DISAGREE), step=1, **consent),  # type: ignore[arg-type]
        ConsentCheckupScreen(options=(Option.AGREE, Option.DISAGREE_OR_UNDER_40, Option.BACK), step=2,
                             **consent),  # type: ignore[arg-type]
        ConsentLimitScreen(options=(Option.PROVIDE, Option.DONT_PROVIDE, Option.BACK), step=3,
                           **consent),  # type: ignore[arg-type]
        ConsentPrescriptionScreen(options=(Option.E_PRESCRIPTION, Option.PAPER_PRESCRIPTION, Option.BACK), step=4,
                                  **consent),  # type: ignore[arg-type]
        DoneScreen(language=lang),
        CardForgottenScreen(language=lang),
        VisualCheckScreen(language=lang, options=(Option.CONFIRM_IDENTITY, Option.REJECT_IDENTITY),
                          staff_id="𠮷田 髙子", source=StaffSource.KEYSWITCH),
        CardRemovedScreen(language=lang),
        TimedOutScreen(language=lang),
        CancelledScreen(language=lang),
        NotVerifiedScreen(language=lang),
        HostNotConnectedScreen(language=lang),
        DeviceErrorScreen(language=lang, code="E-CAM-02"),
        OutOfServiceScreen(language=lang, fault_codes=("E-PCSC-01",)),
    ]
    by_id = {screen.id: screen for screen in made}
    missing = set(CATALOGUE) - set(by_id)
    if missing:
        raise LookupError(f"no example for screens {sorted(missing)}")
    return {screen_id: by_id[screen_id] for screen_id in CATALOGUE}
