"""Regenerate the test vectors in this folder: ``.venv/bin/python tests/vectors/generate.py``.

A fresh device key signs one result per method; only its public key is kept (``device.pub.pem``), with the test CA
certificate the PIN-path certificate chains to (``test-ca.pem``); it prints the key's fingerprint and the methods
as JSON (the claims are read back with ``mynareader-host verify``, see README.md). Frames
(``*.frame.hex``) are link frames carrying protocol messages with fixed epochs and sequence numbers. Regenerating
replaces every vector: do it only when the protocol changes on purpose, and say so in the commit.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

HERE = Path(__file__).parent
sys.path.append(str(HERE.parent / "support"))  # for result_builders

from result_builders import CA, claims  # noqa: E402

from protocol import messages, results  # noqa: E402
from protocol.frame import ACK, DATA, Frame, pack  # noqa: E402
from protocol.messages import Message  # noqa: E402
from protocol.results import Method  # noqa: E402

HOST_EPOCH, READER_EPOCH = 0x11111111, 0x22222222

NONCES = {
    "pin": bytes.fromhex("00112233445566778899aabbccddeeff"),
    "face": bytes.fromhex("0f1e2d3c4b5a69788796a5b4c3d2e1f0"),
    "visual": bytes.fromhex("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"),
    "smartphone_android": bytes.fromhex("5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"),
}


def main() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    (HERE / "device.pub.pem").write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    (HERE / "test-ca.pem").write_bytes(CA.certificate_pem)
    for name, nonce in NONCES.items():
        result = claims(Method(name), nonce, cti=bytes.fromhex("c0ffee") + nonce[:13])
        (HERE / f"{name}.result.cose").write_bytes(results.sign_result(result, key))
    for name, frame in frames(HERE / "pin.result.cose").items():
        (HERE / f"{name}.frame.hex").write_text(pack(frame).hex() + "\n")
    print(f"wrote {len(NONCES)} results signed by {results.fingerprint(key.public_key())} at "
          f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%dT%H:%MZ}")
    print(json.dumps({name: Method(name).value for name in NONCES}))


def frames(result: Path) -> dict[str, Frame]:
    """Link frames of a short conversation: hello, its ack, the reader's state, a result."""
    hello = messages.encode(Message(messages.HELLO, 1, {"host": "reception-1", "versions": [1]}))
    state = messages.encode(Message(messages.STATE, 1, {"state": "idle", "mode": "auto", "seq": 1}))
    outcome = messages.encode(Message(messages.RESULT, 2, {"cose": result.read_bytes()}))
    return {
        "hello": Frame(DATA, HOST_EPOCH, READER_EPOCH, seq=0, ack=0, payload=hello, window=8, tsval=1000),
        "ack": Frame(ACK, READER_EPOCH, HOST_EPOCH, seq=0, ack=1, window=8, tsval=2000, tsecr=1003),
        "state": Frame(DATA, READER_EPOCH, HOST_EPOCH, seq=0, ack=1, payload=state, window=8, tsval=2010),
        "result": Frame(DATA, READER_EPOCH, HOST_EPOCH, seq=1, ack=1, payload=outcome, window=8, tsval=2500),
    }


if __name__ == "__main__":
    main()
