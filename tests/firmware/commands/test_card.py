"""``mynareader card info`` as a user runs it: the console command against the real PC/SC stack."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from drivers.card.emulated.vpcd import DEFAULT_PORT

pytestmark = pytest.mark.pcsc


def card_info(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "firmware.cli", "card", "info", *args],
                          capture_output=True, text=True, timeout=60)


def test_supported_card_prints_the_documented_json_and_exits_0(insert_card) -> None:
    inserted = insert_card("normal")
    done = card_info("--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert set(report) == {"reader", "kind", "token_label", "supported", "reason", "auth_certificate",
                           "pin_tries_left", "pin_state", "card_expiry"}
    assert report["reader"] == inserted.reader
    assert (report["kind"], report["token_label"], report["supported"]) == ("card", "JPKIAPICCTOKEN2", True)
    cert = report["auth_certificate"]
    assert set(cert) == {"serial_hex", "issuer", "not_before", "not_after", "days_left", "expired"}
    assert cert["not_after"] == "2030-02-17T14:59:59Z" and cert["expired"] is False
    assert cert["serial_hex"] == cert["serial_hex"].lower() and not cert["serial_hex"].startswith("0")
    assert report["pin_tries_left"] == 3 and report["pin_state"] == "usable" and report["card_expiry"] == "2035-02-17"


def test_unsupported_card_exits_3_with_json(insert_card) -> None:
    insert_card("juki")
    done = card_info("--json")
    assert done.returncode == 3
    report = json.loads(done.stdout)
    assert report["supported"] is False and report["kind"] == "juki" and "住基" in report["reason"]


def test_no_card_exits_2_and_a_named_reader_is_used(insert_card, pcscd) -> None:
    done = card_info("--json")
    assert done.returncode == 2 and done.stdout == "" and "no card" in done.stderr
    insert_card("iphone", port=DEFAULT_PORT + 1)
    assert card_info("--reader", "Virtual PCD 00 00").returncode == 2
    named = card_info("--reader", "Virtual PCD 00 01", "--json")
    assert named.returncode == 0 and json.loads(named.stdout)["kind"] == "iphone"
    assert card_info("--reader", "Nope 00 00").returncode == 2


def test_damaged_card_exits_1_with_a_typed_error(insert_card) -> None:
    insert_card("damaged")
    done = card_info()
    assert done.returncode == 1
    assert "MalformedResponse" in done.stderr and "Traceback" not in done.stderr


def test_text_output_names_the_expired_certificate(insert_card) -> None:
    insert_card("cert-expired")
    done = card_info()
    assert done.returncode == 0 and "EXPIRED" in done.stdout
