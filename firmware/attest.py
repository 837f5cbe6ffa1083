"""The device's identity and signing keys, and the claims of a result.

Keys live in the state directory (``/var/lib/mynareader`` on the device): ``device-key.pem`` is the production
ES256 key, generated on first start; ``demo-key.pem`` signs whenever a device that produces evidence or answers is
emulated (the device registry decides: :meth:`firmware.devices.registry.Registry.emulated_evidence`), and such
results say so (``dbgstat``), so a host rejects them unless told otherwise. Both are written 0600 and never leave the
device: only public keys and fingerprints do. ``device-id`` holds the ueid (RFC 9711 RAND: 0x01 + 16 random bytes),
``result-counter`` the monotonic result counter that orders results while the clock is unset.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from firmware.state_files import write_private
from protocol import results

PRODUCTION_KEY = "device-key.pem"
DEMO_KEY = "demo-key.pem"
DEVICE_ID = "device-id"
COUNTER = "result-counter"


class StateError(RuntimeError):
    """The state directory holds a file that cannot be used (corrupt key, wrong permissions, …)."""


def load_or_create_key(path: Path) -> ec.EllipticCurvePrivateKey:
    if path.exists():
        if path.stat().st_mode & 0o077:
            raise StateError(f"{path} is readable by others; refusing to use it (chmod 600)")
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except ValueError as exc:
            raise StateError(f"{path} is not a usable private key: {exc}") from exc
        if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
            raise StateError(f"{path} is not a P-256 key")
        return key
    key = ec.generate_private_key(ec.SECP256R1())
    write_private(path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return key


def load_or_create_device_id(path: Path) -> bytes:
    if path.exists():
        try:
            device = bytes.fromhex(path.read_text().strip())
        except ValueError as exc:  # not hex, or not even text (UnicodeDecodeError is a ValueError)
            raise StateError(f"{path} does not hold a RAND ueid") from exc
        if len(device) != 17 or device[0] != 0x01:
            raise StateError(f"{path} does not hold a RAND ueid")
        return device
    device = b"\x01" + os.urandom(16)
    write_private(path, device.hex().encode() + b"\n")
    return device


@dataclass
class DeviceKeys:
    """The key that signs this run's results, and the device identity."""

    state_dir: Path
    demo: bool
    key: ec.EllipticCurvePrivateKey
    device: bytes

    @classmethod
    def open(cls, state_dir: Path, demo: bool) -> DeviceKeys:
        state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = load_or_create_key(state_dir / (DEMO_KEY if demo else PRODUCTION_KEY))
        return cls(state_dir, demo, key, load_or_create_device_id(state_dir / DEVICE_ID))

    @property
    def public_pem(self) -> str:
        return self.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()

    @property
    def fingerprint(self) -> str:
        return results.fingerprint(self.key.public_key())

    def next_counter(self) -> int:
        """The next result number, persisted before use so that a restart never repeats one."""
        path = self.state_dir / COUNTER
        try:
            current = int(path.read_text().strip()) if path.exists() else 0
        except ValueError as exc:
            raise StateError(f"{path} is corrupt") from exc
        write_private(path, f"{current + 1}\n".encode())
        return current + 1

    def sign(self, claims: results.ResultClaims) -> bytes:
        if claims.demo != self.demo or claims.device != self.device:
            raise ValueError("claims must name this device and its demo state")
        return results.sign_result(claims, self.key)


def config_hash(config: dict[str, object]) -> bytes:
    """SHA-256 of the running configuration in a canonical JSON form (sorted keys, no whitespace)."""
    return hashlib.sha256(json.dumps(config, sort_keys=True, separators=(",", ":")).encode()).digest()
