"""The independent check: OpenSC's own JPKI driver against the emulated card. If OpenSC and our driver disagree,
the emulator is wrong."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from drivers.card.channel import CardChannel
from drivers.card.jpki import JpkiAp

pytestmark = [pytest.mark.pcsc, pytest.mark.opensc]

PKCS11_MODULES = [
    Path("/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"),
    Path("/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so"),
    Path("/usr/lib/arm-linux-gnueabihf/opensc-pkcs11.so"),
    Path("/usr/lib/opensc-pkcs11.so"),
]


def opensc(*args: str, **kwargs) -> subprocess.CompletedProcess[str]:
    if shutil.which(args[0]) is None:
        pytest.fail(f"{args[0]} is not installed: run scripts/setup")
    return subprocess.run(args, capture_output=True, text=True, timeout=60, check=True, **kwargs)


def test_opensc_takes_the_card_as_jpki(insert_card) -> None:
    insert_card("normal")
    assert opensc("opensc-tool", "-r", "Virtual PCD 00 00", "-n").stdout.strip() == "jpki"


def test_opensc_reads_the_certificate_our_driver_reads(insert_card, context) -> None:
    inserted = insert_card("normal")
    pem = opensc("pkcs15-tool", "-r", "0", "--read-certificate", "01").stdout
    theirs = x509.load_pem_x509_certificate(pem.encode())
    with context.connect(inserted.reader) as connection:
        jpki = JpkiAp(CardChannel(connection))
        jpki.select()
        ours = jpki.auth_certificate()
    assert theirs.public_bytes(serialization.Encoding.DER) == ours.der


def test_opensc_pkcs11_signs_and_the_signature_verifies_with_the_certificate(insert_card, context, tmp_path) -> None:
    inserted = insert_card("normal", pin="2580")
    module = next((m for m in PKCS11_MODULES if m.exists()), None)
    assert module is not None, "opensc-pkcs11.so not found: install opensc-pkcs11"
    message = tmp_path / "message"
    message.write_bytes(b"reception nonce")
    signature = tmp_path / "signature"
    opensc("pkcs11-tool", "--module", str(module), "--slot-index", "0", "--login", "--pin", "2580", "--sign",
           "--mechanism", "SHA256-RSA-PKCS", "--id", "01", "-i", str(message), "-o", str(signature))
    with context.connect(inserted.reader) as connection:
        jpki = JpkiAp(CardChannel(connection))
        jpki.select()
        public_key = jpki.auth_certificate().certificate.public_key()
    assert isinstance(public_key, rsa.RSAPublicKey)
    public_key.verify(signature.read_bytes(), message.read_bytes(), padding.PKCS1v15(), hashes.SHA256())
