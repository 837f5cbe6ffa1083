"""The words a signed result uses: how the holder was verified, what that proves, the liveness verdict and the
card face record's issuer check.

Defined once, here, without heavy imports: the reader's flow names its methods with these, the device signs them
and the host SDK reads them back (docs/protocol.md, "What each method proves").
"""

from __future__ import annotations

from enum import StrEnum


class Method(StrEnum):
    """How the holder was verified."""

    PIN = "pin"
    FACE = "face"
    VISUAL = "visual"  # a staff member compared the patient with the card photo
    SMARTPHONE_ANDROID = "smartphone_android"  # the smartphone certificate's PIN typed on the reader's keypad
    SMARTPHONE_IPHONE = "smartphone_iphone"  # authorised on the iPhone (Face ID)


class Assurance(StrEnum):
    """Who proves the holder's identity in a result."""

    CARD_SIGNED = "card-signed"  # the certificate's key (card chip or phone secure element) signed the host's nonce
    DEVICE_ATTESTED = "device-attested"  # the device matched a live face to the photo in the card face record
    STAFF_ATTESTED = "staff-attested"  # a named staff member compared the patient with the card photo


class Liveness(StrEnum):
    """What the liveness check concluded over a face attempt; a result quotes ``live`` or ``not-checked`` only."""

    LIVE = "live"
    NOT_CHECKED = "not-checked"  # no liveness check ran: the result proves nothing about liveness
    SPOOF_SUSPECTED = "spoof-suspected"  # never in a result: such an attempt is no match
    UNDECIDED = "undecided"  # a check ran but its frames did not let it decide: never accepted, never in a result


class IssuerSignature(StrEnum):
    """What the device found checking the issuer's signature over the card face record."""

    VERIFIED = "verified"
    FAILED = "failed"  # the record was altered or forged: a host always refuses such a result
    NOT_VERIFIABLE = "not-verifiable"  # no issuer key configured (the J-LIS keys are not public)


ASSURANCE_OF: dict[Method, Assurance] = {
    Method.PIN: Assurance.CARD_SIGNED,
    Method.SMARTPHONE_ANDROID: Assurance.CARD_SIGNED,
    Method.SMARTPHONE_IPHONE: Assurance.CARD_SIGNED,
    Method.FACE: Assurance.DEVICE_ATTESTED,
    Method.VISUAL: Assurance.STAFF_ATTESTED,
}
