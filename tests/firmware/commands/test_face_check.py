"""``mynareader card face-check`` as a user runs it: 照合番号B on standard input, the real PC/SC stack, no image
written anywhere; and ``emulate-card`` handing its issuer key and card front to other processes."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from drivers.card.emulated import pki

pytestmark = pytest.mark.pcsc

CODE_B = "55021720352285"
WRONG_B = "55021720359999"
READER = "Virtual PCD 00 00"


def mynareader(*args: str) -> list[str]:
    return [sys.executable, "-m", "firmware.cli", *args]


def face_check(code: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(mynareader("card", "face-check", *args), input=code + "\n", capture_output=True, text=True,
                          timeout=60, cwd=cwd)


def test_the_face_path_is_reported_and_nothing_is_written(insert_card, tmp_path) -> None:
    insert_card("normal")
    key = tmp_path / "issuer.pem"
    key.write_bytes(pki.card_face_issuer_public_pem())
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    done = face_check(CODE_B, "--json", "--issuer-key", str(key), cwd=workdir)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report == {
        "reader": READER, "tries_left": 10, "verify": "ok", "tries_left_after_verify": None,
        "photo": {"format": "JPEG 2000", "width": 240, "height": 320, "mode": "L",
                  "bytes": report["photo"]["bytes"]},
        "card_key": "verified", "issuer_signature": "verified", "card_expiry": "2035-02-17",
    }
    assert 10_000 <= report["photo"]["bytes"] <= 15_000
    assert list(workdir.iterdir()) == []  # no image, no file of any kind
    unverifiable = face_check(CODE_B, cwd=workdir)
    assert unverifiable.returncode == 0 and "not-verifiable" in unverifiable.stdout
    assert CODE_B not in done.stdout + done.stderr + unverifiable.stdout + unverifiable.stderr


def test_a_wrong_code_is_reported_with_the_tries_left(insert_card, tmp_path) -> None:
    inserted = insert_card("normal")
    done = face_check(WRONG_B, "--json", cwd=tmp_path)
    assert done.returncode == 4
    report = json.loads(done.stdout)
    assert (report["tries_left"], report["verify"], report["tries_left_after_verify"]) == (10, "wrong", 9)
    assert report["photo"] is None and report["card_key"] is None
    assert WRONG_B not in done.stdout + done.stderr
    count = inserted.card.apdu_count
    bad = face_check("1234", cwd=tmp_path)  # not 14 digits: refused before any APDU
    assert bad.returncode == 4 and "14 digits" in bad.stderr and inserted.card.apdu_count == count


def test_locked_code_and_tokens_without_the_application(insert_card, tmp_path) -> None:
    insert_card("collation-locked")
    locked = face_check(CODE_B, "--json", cwd=tmp_path)
    assert locked.returncode == 4 and json.loads(locked.stdout)["verify"] == "locked"
    insert_card("iphone")
    phone = face_check(CODE_B, "--json", cwd=tmp_path)
    assert phone.returncode == 3 and json.loads(phone.stdout)["verify"] == "no-application"


def test_a_tampered_record_fails_the_issuer_signature(insert_card, tmp_path) -> None:
    from drivers.card.emulated import card_face_damage, profiles
    from drivers.card.emulated.card import BinaryFile

    card = profiles.build("normal")
    files = card.applications[2].files
    record = files[0x0002]
    assert isinstance(record, BinaryFile)
    files[0x0002] = BinaryFile(card_face_damage.tampered_photo(record.data), record.size, record.read_requires)
    insert_card(card)
    key = tmp_path / "issuer.pem"
    key.write_bytes(pki.card_face_issuer_public_pem())
    done = face_check(CODE_B, "--json", "--issuer-key", str(key), cwd=tmp_path)
    assert done.returncode == 5 and json.loads(done.stdout)["issuer_signature"] == "failed"


def test_emulate_card_exports_its_issuer_key_and_renders_its_front_for_other_processes(card_presence, pcscd,
                                                                                       tmp_path) -> None:
    key, front = tmp_path / "issuer.pem", tmp_path / "front.png"
    process = subprocess.Popen(mynareader("emulate-card", "--profile", "pinless", "--security-code", "7351",
                                          "--photo-bytes", "1100", "--export-issuer-key", str(key),
                                          "--render-front", str(front)), stderr=subprocess.PIPE, text=True)
    try:
        card_presence(READER, True)
        with Image.open(front) as image:
            assert image.format == "PNG" and image.size == (1012, 638)
        done = face_check("55021720357351", "--json", "--issuer-key", str(key), cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        assert report["issuer_signature"] == "verified" and report["card_key"] == "verified"
        assert report["photo"]["bytes"] <= 1100
        info = subprocess.run(mynareader("card", "info", "--json"), capture_output=True, text=True, timeout=60)
        assert json.loads(info.stdout)["pin_state"] == "not_usable" and info.returncode == 0
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=20)
    assert process.returncode == 0
    card_presence(READER, False)


def test_emulate_card_takes_a_real_photo(faces_dev: Path, card_presence, pcscd, tmp_path) -> None:
    process = subprocess.Popen(mynareader("emulate-card", "--photo", str(faces_dev / "images" / "fr_obama.jpg")),
                               stderr=subprocess.PIPE, text=True)
    try:
        card_presence(READER, True)
        done = face_check(CODE_B, "--json", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        photo = json.loads(done.stdout)["photo"]
        assert (photo["width"], photo["height"], photo["mode"]) == (240, 320, "L")
        assert 10_000 <= photo["bytes"] <= 15_000
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=20)
    card_presence(READER, False)
    bad = subprocess.run(mynareader("emulate-card", "--photo", str(tmp_path / "missing.jpg")), capture_output=True,
                         text=True, timeout=60)
    assert bad.returncode == 2 and "missing.jpg" in bad.stderr


def test_the_chip_photo_is_matched_against_the_camera(insert_card, portraits, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from drivers.card.emulated import portrait

    insert_card("normal", photo=portrait.photo_from_file(str(portraits / "obama.jpg"), portrait.DEFAULT_PHOTO_BYTES))
    cameras = {}
    for name in ("obama2.jpg", "biden.jpg"):
        cameras[name] = tmp_path / name.removesuffix(".jpg")
        cameras[name].mkdir()
        (cameras[name] / name).symlink_to(portraits / name)
    workdir = tmp_path / "cwd"
    workdir.mkdir()

    same = face_check(CODE_B, "--json", "--camera", f"files:{cameras['obama2.jpg']}", cwd=workdir)
    assert same.returncode == 0, same.stderr
    live = json.loads(same.stdout)["live_face"]
    assert live["verdict"] == "match" and live["score"] >= live["threshold"]
    assert live["liveness"] == "not-checked" and live["frames_scored"] == 1

    other = face_check(CODE_B, "--camera", f"files:{cameras['biden.jpg']}", cwd=workdir)
    assert other.returncode == 6 and "live face:          no_match" in other.stdout

    broken = face_check(CODE_B, "--json", "--camera", "nope:0", cwd=workdir)
    assert broken.returncode == 6
    failure = json.loads(broken.stdout)["live_face"]
    assert failure["match"] is False and failure["error"].startswith("CameraConfigError")
    assert list(workdir.iterdir()) == []
