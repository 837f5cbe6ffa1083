"""The committed vectors, both ways, and verified by an independent COSE implementation (cose-js under Node)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import cbor2
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from protocol import messages
from protocol.frame import TYPE_NAMES, pack, unpack
from protocol.host.policy import DeviceAttested, HostPolicy
from protocol.host.verify import DeviceAttestedRefused, LivenessNotChecked, ResultVerifier, TamperedResult

VECTORS = Path(__file__).parents[1] / "vectors"
INTEROP = Path(__file__).parents[1] / "interop"
RESULTS = sorted(VECTORS.glob("*.result.cose"))
EXPECTED = {"pin": "card-signed", "smartphone_android": "card-signed", "face": "device-attested",
            "visual": "staff-attested"}


def device_key():
    return serialization.load_pem_public_key((VECTORS / "device.pub.pem").read_bytes())


# The face vector carries no liveness check: a host takes it only when told to (README.md).
FACE_HOST = HostPolicy(DeviceAttested.ACCEPT, allow_unchecked_liveness=True)


def verifier(policy: HostPolicy = FACE_HOST) -> ResultVerifier:
    ca = x509.load_pem_x509_certificate((VECTORS / "test-ca.pem").read_bytes())
    return ResultVerifier(device_key(), None, [ca], policy)


def test_the_face_vector_needs_the_policy_that_accepts_it() -> None:
    face = (VECTORS / "face.result.cose").read_bytes()
    with pytest.raises(DeviceAttestedRefused):
        verifier(HostPolicy()).verify(face)
    with pytest.raises(LivenessNotChecked):
        verifier(HostPolicy(DeviceAttested.ACCEPT)).verify(face)
    assert verifier().verify(face).allowed_by == ("device-attested", "liveness-not-checked")


def test_there_is_a_vector_per_method_kind() -> None:
    assert {p.name.split(".")[0] for p in RESULTS} == set(EXPECTED)


@pytest.mark.parametrize("path", RESULTS, ids=lambda p: p.name)
def test_each_result_verifies_and_re_encodes_to_the_same_bytes(path: Path) -> None:
    data = path.read_bytes()
    verified = verifier().verify(data)
    assert verified.assurance.value == EXPECTED[path.name.split(".")[0]]
    assert not verified.nonce_checked
    payload = cbor2.loads(data).value[2]
    assert cbor2.dumps(verified.claims.to_cbor()) == payload


@pytest.mark.parametrize("path", RESULTS, ids=lambda p: p.name)
def test_a_flipped_byte_is_rejected(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-10] ^= 0x01  # inside the signature
    with pytest.raises(TamperedResult):
        verifier().verify(bytes(data))


def node() -> str:
    binary = shutil.which("node")
    if binary is None or not (INTEROP / "node_modules" / "cose-js").exists():
        pytest.fail("node and tests/interop/node_modules are needed: run scripts/setup")
    return binary


@pytest.mark.parametrize("path", RESULTS, ids=lambda p: p.name)
def test_cose_js_verifies_every_result(path: Path) -> None:
    done = subprocess.run([node(), str(INTEROP / "verify_result.js"), str(VECTORS / "device.pub.pem"), str(path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert bytes.fromhex(done.stdout.strip()) == cbor2.loads(path.read_bytes()).value[2]


def test_cose_js_rejects_a_tampered_result(tmp_path: Path) -> None:
    data = bytearray(RESULTS[0].read_bytes())
    data[-10] ^= 0x01
    bad = tmp_path / "bad.cose"
    bad.write_bytes(bytes(data))
    done = subprocess.run([node(), str(INTEROP / "verify_result.js"), str(VECTORS / "device.pub.pem"), str(bad)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "rejected" in done.stderr


def test_the_host_cli_verifies_a_vector_offline() -> None:
    done = subprocess.run([sys.executable, "-m", "protocol.host.cli", "verify", "--trust",
                           str(VECTORS / "device.pub.pem"), "--ca", str(VECTORS / "test-ca.pem"),
                           str(VECTORS / "pin.result.cose")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert '"accepted": true' in done.stdout and '"assurance": "card-signed"' in done.stdout


FRAMES = {
    "hello": ("DATA", "hello"),
    "ack": ("ACK", None),
    "state": ("DATA", "state"),
    "result": ("DATA", "result"),
}


@pytest.mark.parametrize("name", sorted(FRAMES))
def test_frame_vectors_decode_and_re_encode_byte_for_byte(name: str) -> None:
    wire = bytes.fromhex((VECTORS / f"{name}.frame.hex").read_text().strip())
    assert wire.endswith(b"\x00") and b"\x00" not in wire[:-1]
    frame = unpack(wire[:-1])
    frame_type, message_type = FRAMES[name]
    assert TYPE_NAMES[frame.type] == frame_type
    assert pack(frame) == wire
    if message_type is None:
        assert frame.payload == b""
        return
    message = messages.decode(frame.payload)
    assert message.type == message_type
    assert messages.encode(message) == frame.payload
    if message_type == "result":
        assert message["cose"] == (VECTORS / "pin.result.cose").read_bytes()
