"""Regenerate the test vectors in this folder: ``.venv/bin/python tests/vectors/generate.py``.

A fresh device key signs one result per method; only its public key is kept (``device.pub.pem``), with the test CA
certificate the PIN-path certificate chains to (``test-ca.pem``) and each result's claims in readable JSON. Frames
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

from protocol import results  # noqa: E402
from protocol.results import Method  # noqa: E402

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
    print(f"wrote {len(NONCES)} results signed by {results.fingerprint(key.public_key())} at "
          f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%dT%H:%MZ}")
    print(json.dumps({name: Method(name).value for name in NONCES}))


if __name__ == "__main__":
    main()
