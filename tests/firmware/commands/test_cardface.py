"""``mynareader cardface read IMAGE [--json]`` as the outside checkers run it: exit 0 with the fixed JSON, 3 with a
refusal that carries no digit of the image, another status for a file that is not an image."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from drivers.card.emulated import card_front, profiles


def cardface(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "firmware.cli", "cardface", "read", *args], capture_output=True,
                          text=True, timeout=120)


@pytest.fixture(scope="module")
def sides(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    face = profiles.build("normal").face
    assert face is not None
    folder = tmp_path_factory.mktemp("card")
    card_front.save_front(face, folder / "front.png")
    card_front.save_back(face, folder / "back.png")
    return folder / "front.png", folder / "back.png"


def test_a_front_is_read_into_the_fixed_json(sides: tuple[Path, Path]) -> None:
    done = cardface(str(sides[0]), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["collation_b"] == "55021720352285"
    assert report["birth"] == {"era": "昭和", "year": 55, "month": 2, "day": 17}
    assert report["expiry"] == "2035-02-17" and report["security_code"] == "2285"
    assert set(report["confidence"]) >= {"birth", "expiry", "security_code"}
    plain = cardface(str(sides[0]))
    assert plain.returncode == 0 and "55021720352285" in plain.stdout


def test_the_back_is_refused_with_no_digit_in_the_output(sides: tuple[Path, Path]) -> None:
    for args in ([str(sides[1]), "--json"], [str(sides[1])]):
        done = cardface(*args)
        assert done.returncode == 3
        assert not re.search(r"\d", done.stdout + done.stderr)  # no 14-digit run, nor any digit at all
    assert json.loads(cardface(str(sides[1]), "--json").stdout) == {"refused": True, "reason": "face_down"}


def test_a_file_that_is_not_an_image_is_another_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"not an image")
    for path in (junk, tmp_path / "missing.png"):
        done = cardface(str(path), "--json")
        assert done.returncode not in (0, 3)
        assert "error" in json.loads(done.stdout)
