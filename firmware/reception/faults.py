"""The fault codes the daemon reports to the flow, and what each one does to the reader.

A code names the part that failed (``card.*``, ``camera.*``, ``display.*``, ``outbox.*``, ``config.*``, ``host.*``)
and is what the device-error and out-of-service screens, the log and the metrics show. Three effects:

* **out of service** (persistent): the reader cannot take patients at all until :class:`DeviceRecovered` clears
  the code — no card reader, no PC/SC service, no panel, no outbox, a configuration it cannot run.
* **face unavailable**: a camera of the face path failed; patients can still verify with the PIN (or staff), so the
  reader stays in service, face is not offered until the code clears, and the fault shows once, briefly.
* **transient**: shown once on the device-error screen; a running session it hits ends there.

Timeouts of device steps are ``timeout.<state>`` (transient).
"""

from __future__ import annotations

from enum import StrEnum

from firmware.reception.events import DeviceFault


class Fault(StrEnum):
    CARD_READER_MISSING = "card.reader_missing"  # no PC/SC reader of the configured name
    CARD_SERVICE = "card.service"  # pcscd cannot be reached
    CARD_IO = "card.io"  # a card operation failed (transient: the next card may work)
    FACE_CAMERA = "camera.face"  # the face camera is missing or delivers no frames
    CARD_FACE_CAMERA = "camera.card_face"  # the card-face camera is missing or delivers no frames
    PANEL = "display.panel"  # the panel raised or timed out
    INPUTS = "inputs.gpio"  # the buttons and keypad cannot be read
    FACE_MODELS = "face.models"  # the face models did not load
    OUTBOX = "outbox.write"  # the outbox cannot store a result (disk full, read-only)
    CONFIG = "config.invalid"  # the configuration names a device or value the reader cannot use
    NO_NONCE = "host.no_nonce"  # no valid host nonce to make a result with


PERSISTENT: frozenset[Fault] = frozenset({
    Fault.CARD_READER_MISSING, Fault.CARD_SERVICE, Fault.PANEL, Fault.INPUTS, Fault.OUTBOX, Fault.CONFIG,
})  # fmt: skip
FACE_PATH: frozenset[str] = frozenset({Fault.FACE_CAMERA.value, Fault.CARD_FACE_CAMERA.value, Fault.FACE_MODELS.value})


def device_fault(fault: Fault) -> DeviceFault:
    """The event that reports ``fault``, persistent where the table says so."""
    return DeviceFault(fault.value, persistent=fault in PERSISTENT)
