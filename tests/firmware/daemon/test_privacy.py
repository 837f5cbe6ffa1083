"""A whole PIN reception leaves no secret behind: not the PIN, not the card's 照合番号B, My Number, the holder's
name, birth date or the certificate's serial — not in the daemon's log (codes, states and kinds only), not in any file
under the state directory or written anywhere else during the session. The outbox holds the signed result only: it
carries the certificate because the protocol says so, and nothing else of the card."""

from __future__ import annotations

import asyncio
import json
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cbor2
import pytest
from cryptography import x509

from daemon_harness import pin_reception, running_reader
from drivers.card.emulated.card import BinaryFile
from drivers.card.emulated.profiles import JPKI_AID, ProfileCard

pytestmark = pytest.mark.pcsc

PIN = "8352"


def _secrets(card: ProfileCard) -> dict[str, str]:
    assert card.face is not None
    jpki = next(app for app in card.applications if app.aid == JPKI_AID)
    certificate = jpki.files[0x000A]
    assert isinstance(certificate, BinaryFile)
    serial = x509.load_der_x509_certificate(certificate.data).serial_number
    birth = card.face.birth
    return {
        "照合番号B": card.face.collation_b,
        "My Number": card.face.my_number,
        "name": card.face.name,
        "birth date": birth.isoformat(),
        "birth date (compact)": birth.strftime("%Y%m%d"),
        "certificate serial": format(serial, "x"),
        "certificate serial (upper)": format(serial, "X"),
    }


def _strings(value: object) -> list[str]:
    """Every text string in a decoded CBOR value, map keys included (byte strings stay opaque)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings(k) + _strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, cbor2.CBORTag):
        return _strings(value.value)
    return []


def _result_texts(cose: bytes) -> list[str]:
    """The text of a COSE_Sign1 result: its headers and its claims (the payload); the signature is opaque."""
    message = cbor2.loads(cose)
    protected, unprotected, payload, _signature = message.value if isinstance(message, cbor2.CBORTag) else message
    return _strings(cbor2.loads(protected)) + _strings(unprotected) + _strings(cbor2.loads(payload))


def _holds_pin(text: str) -> bool:
    """The PIN as a token of its own: hex identifiers and base64 keys may hold any four digits in a row."""
    return re.search(rf"(?<![0-9A-Za-z]){PIN}(?![0-9A-Za-z])", text) is not None


def test_a_pin_reception_leaves_no_secret_in_the_log_or_on_disk(tmp_path: Path, insert_card: Callable[..., Any],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    scratch = tmp_path / "tmp"  # anything the daemon writes through tempfile lands here, and is checked too
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", None)
    inserted = insert_card("normal", pin=PIN)
    secrets = _secrets(inserted.card)
    outbox_seen: list[dict[str, bytes]] = []  # the outbox's files just after the result was stored
    signed: list[bytes] = []

    async def scenario() -> str:
        async with running_reader(tmp_path) as reader:
            host = reader.daemon._host
            assert host is not None
            store = host.store

            def store_and_look(claims: Any) -> bytes:
                cose = store(claims)
                signed.append(cose)
                outbox_seen.append({p.name: p.read_bytes() for p in host.outbox.directory.rglob("*") if p.is_file()})
                return cose

            monkeypatch.setattr(host, "store", store_and_look)
            await pin_reception(reader, PIN)
        return reader.log.getvalue()

    log = asyncio.run(scenario())

    # The log: JSON lines whose fields are codes, states, kinds, counts and durations.
    records = [json.loads(line) for line in log.splitlines()]
    assert records and {"daemon.ready", "result.stored", "session.dropped"} <= {r["code"] for r in records}
    for record in records:
        for name, value in record.items():
            if name == "ts":
                continue  # the wall clock's digits may hold any in a row
            assert not _holds_pin(str(value)) and all(s not in str(value) for s in secrets.values()), record

    # The outbox held exactly the signed result, and the result carries nothing of the card but its certificate.
    assert len(signed) == 1 and len(outbox_seen) == 1
    assert list(outbox_seen[0].values()) == signed
    texts = _result_texts(signed[0])
    assert "pin" in texts  # the claims were reached (the method is among them): the check below looks at them
    for text in texts:
        assert not _holds_pin(text) and all(secret not in text for secret in secrets.values()), text

    # Every file the session left (the host's own database aside: it is the reception PC's).
    checked = []
    for path in sorted(tmp_path.rglob("*")):
        if not path.is_file() or path.name.startswith("host.sqlite"):
            continue
        data = path.read_bytes()
        if path.suffix == ".png":
            assert data.startswith(b"\x89PNG")  # the panel's last frame: pixels, its screen's fields are counts
            continue
        text = data.decode("utf-8")  # state files are text; a binary one would need its own look, and fails here
        assert not _holds_pin(text) and all(secret not in text for secret in secrets.values()), path
        checked.append(path.relative_to(tmp_path).as_posix())
    assert "state/device-id" in checked and "state/result-counter" in checked
