"""What a host accepts beyond what the signatures prove: its policy for device-attested (face) results, for face
results without a liveness check, and for demo results.

A signature-valid result proves different things by method (docs/protocol.md section 9): the card itself signed the
host's nonce (card-signed: PIN, smartphone), the reader says it matched the holder's face to the card's photo
(device-attested), or a staff member says so (staff-attested). Whether the reader's word is enough is the hospital's
decision, so it is an explicit setting, and the safe default is to refuse::

    HostPolicy()                                         # production default: device-attested results refused
    HostPolicy(device_attested=DeviceAttested.LISTED,    # face results only from these readers' keys
               attesting_devices=frozenset({fingerprint_hex(reader_key)}))
    HostPolicy.development()                             # a development host: demo, face, unchecked liveness

A setting that let a result through is named in the result the integrator receives
(``VerifiedResult.allowed_by``), so nobody mistakes a face match without a liveness check for a checked one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from cryptography.hazmat.primitives.asymmetric import ec

from protocol.results import fingerprint_bytes


class DeviceAttested(StrEnum):
    """What the host does with device-attested (face) results."""

    REFUSE = "refuse"  # the default on a production host
    ACCEPT = "accept"  # from any reader whose key the host pinned
    LISTED = "listed"  # only from the readers whose key fingerprints are in ``attesting_devices``


# The names of the settings that can let a result through, as VerifiedResult.allowed_by and the JSON report them.
ALLOWED_DEVICE_ATTESTED = "device-attested"
ALLOWED_UNCHECKED_LIVENESS = "liveness-not-checked"
ALLOWED_DEMO = "demo-result"


def fingerprint_hex(key: ec.EllipticCurvePublicKey) -> str:
    """A device key's fingerprint as :class:`HostPolicy` lists it: 64 lowercase hex digits, no spaces."""
    return fingerprint_bytes(key).hex()


def normalise_fingerprint(text: str) -> str:
    """A fingerprint as people copy it (``1a2b 3c4d …``, upper or lower case, with ``:`` or spaces) in the form
    :class:`HostPolicy` compares; ``ValueError`` if it is not 32 bytes of hex."""
    compact = "".join(ch for ch in text if ch not in " :").lower()
    if len(compact) != 64 or any(ch not in "0123456789abcdef" for ch in compact):
        raise ValueError(f"not a device key fingerprint (64 hex digits): {text[:80]!r}")
    return compact


@dataclass(frozen=True)
class HostPolicy:
    device_attested: DeviceAttested = DeviceAttested.REFUSE
    attesting_devices: frozenset[str] = field(default_factory=frozenset)  # fingerprint_hex() of reader keys
    allow_unchecked_liveness: bool = False  # accept a face result whose liveness is "not-checked"
    allow_demo: bool = False  # accept results signed with a demo key (emulated hardware)

    def __post_init__(self) -> None:
        object.__setattr__(self, "attesting_devices",
                           frozenset(normalise_fingerprint(f) for f in self.attesting_devices))
        if self.device_attested is DeviceAttested.LISTED and not self.attesting_devices:
            raise ValueError("device-attested results from listed devices, but no device is listed")

    @classmethod
    def development(cls) -> HostPolicy:
        """A development host: takes demo results, and face results from any pinned reader, with or without a
        liveness check (each result still says which of these settings let it through)."""
        return cls(DeviceAttested.ACCEPT, frozenset(), allow_unchecked_liveness=True, allow_demo=True)

    def accepts_device_attested(self, device_key: ec.EllipticCurvePublicKey) -> bool:
        if self.device_attested is DeviceAttested.ACCEPT:
            return True
        return self.device_attested is DeviceAttested.LISTED and fingerprint_hex(device_key) in self.attesting_devices

    def describe(self) -> str:
        """One line for a log: what this host accepts beyond card-signed and staff-attested results."""
        if self.device_attested is DeviceAttested.LISTED:
            attested = f"device-attested results from {len(self.attesting_devices)} listed device(s)"
        elif self.device_attested is DeviceAttested.ACCEPT:
            attested = "device-attested results accepted"
        else:
            attested = "device-attested results refused"
        liveness = "accepted" if self.allow_unchecked_liveness else "refused"
        demo = "accepted" if self.allow_demo else "refused"
        return f"{attested}; face results without a liveness check {liveness}; demo results {demo}"
