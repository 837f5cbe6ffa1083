"""The words a signed result uses for how the holder was verified and what that proves.

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


ASSURANCE_OF: dict[Method, Assurance] = {
    Method.PIN: Assurance.CARD_SIGNED,
    Method.SMARTPHONE_ANDROID: Assurance.CARD_SIGNED,
    Method.SMARTPHONE_IPHONE: Assurance.CARD_SIGNED,
    Method.FACE: Assurance.DEVICE_ATTESTED,
    Method.VISUAL: Assurance.STAFF_ATTESTED,
}
