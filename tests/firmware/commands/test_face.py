"""``mynareader face verify`` and ``face score`` on real photos, and on bad input."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

from firmware.cli import main


def test_verify_json_reports_score_threshold_match_and_timings(portraits, capsys) -> None:  # type: ignore[no-untyped-def]
    status = main(["face", "verify", str(portraits / "obama.jpg"), str(portraits / "obama2.jpg"), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert status == 0 and report["match"] is True
    assert report["score"] >= report["threshold"]
    assert report["liveness"] == "not-checked"
    assert {"card", "detect", "embed", "total"} <= set(report["timings_ms"])


def test_verify_different_people_is_no_match(portraits, capsys) -> None:  # type: ignore[no-untyped-def]
    status = main(["face", "verify", str(portraits / "obama.jpg"), str(portraits / "biden.jpg")])
    out = capsys.readouterr().out
    assert status == 1 and "match no" in out and "threshold" in out


def test_verify_corrupt_card_is_a_clear_error_not_a_match(portraits, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "card.jp2"
    broken.write_bytes(b"\x00\x00\x00\x0cjP  \r\n\x87\n" + b"\x00" * 40)  # a JP2 signature and nothing after it
    status = main(["face", "verify", str(broken), str(portraits / "obama2.jpg"), "--json"])
    captured = capsys.readouterr()
    assert status == 2
    assert json.loads(captured.out)["error"] == "ImageDecodeError"
    assert "ImageDecodeError" in captured.err


def test_verify_missing_file(portraits, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["face", "verify", str(tmp_path / "none.jp2"), str(portraits / "obama2.jpg")]) == 2
    assert "none.jp2" in capsys.readouterr().err


def test_score_prints_one_row_per_pair_in_order(portraits, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    rel = Path(os.path.relpath(portraits, tmp_path))
    broken = tmp_path / "broken.jp2"
    broken.write_bytes(b"not an image")
    pairs = [
        (rel / "obama.jpg", rel / "obama2.jpg"),
        (rel / "obama.jpg", rel / "biden.jpg"),
        (rel / "biden.jpg", rel / "obama_partial_face2.jpg"),
        (Path("broken.jp2"), rel / "obama3.jpg"),
        (rel / "obama2.jpg", rel / "obama3.jpg"),
    ]
    listing = tmp_path / "pairs.csv"
    listing.write_text("card,live\n" + "".join(f"{card},{live}\n" for card, live in pairs))
    assert main(["face", "score", "--pairs", str(listing)]) == 0
    captured = capsys.readouterr()
    rows = list(csv.reader(io.StringIO(captured.out)))
    assert rows[0] == ["card", "live", "score", "match"]
    assert [(r[0], r[1]) for r in rows[1:]] == [(str(card), str(live)) for card, live in pairs]
    same, other, partial, corrupt, same_again = rows[1:]
    assert same[3] == "1" and float(same[2]) > float(other[2]) and other[3] == "0"
    assert partial[2] == "" and partial[3] == "0"  # the face runs off the image: no score, no match
    assert corrupt[2] == "" and corrupt[3] == "0"
    assert same_again[3] == "1"
    assert "5 pairs" in captured.err and "2 match" in captured.err


def test_score_rejects_a_wrong_header(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    listing = tmp_path / "pairs.csv"
    listing.write_text("a,b\nx,y\n")
    assert main(["face", "score", "--pairs", str(listing)]) == 2
    assert "card,live" in capsys.readouterr().err


def test_score_reads_a_csv_with_a_byte_order_mark(portraits, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    listing = tmp_path / "pairs.csv"
    rel = os.path.relpath(portraits, tmp_path)
    listing.write_bytes(f"card,live\r\n{rel}/obama.jpg,{rel}/obama2.jpg\r\n".encode("utf-8-sig"))  # as Excel writes
    assert main(["face", "score", "--pairs", str(listing)]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 2 and rows[1][3] == "1"


@pytest.mark.parametrize("row", ["card.jp2", "card.jp2,live.jpg,extra"])
def test_score_refuses_a_row_without_two_fields_before_printing(row, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    listing = tmp_path / "pairs.csv"
    listing.write_text(f"card,live\na.jp2,b.jpg\n{row}\n")
    assert main(["face", "score", "--pairs", str(listing)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # refused whole: no partial CSV
    assert "pairs.csv:3" in captured.err


def test_calibrate_refuses_too_few_impostors(portraits, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    rel = os.path.relpath(portraits, tmp_path)
    listing = tmp_path / "pairs.csv"
    listing.write_text(f"card,live,same_person\n{rel}/obama.jpg,{rel}/obama2.jpg,1\n{rel}/obama.jpg,{rel}/biden.jpg,0\n")
    assert main(["face", "calibrate", "--pairs", str(listing), "--simulate-card"]) == 2
    assert "too few" in capsys.readouterr().err


@pytest.mark.facedev
def test_calibrate_on_the_dev_set_reproduces_the_shipped_rule(faces_dev, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from firmware.face.decision import load_rule

    dev = faces_dev
    out = tmp_path / "decision.toml"
    argv = ["face", "calibrate", "--pairs", str(dev / "pairs.csv"), "--images", str(dev / "images"),
            "--simulate-card", "--both-ways", "--grey-live", "--out", str(out)]
    assert main(argv) == 0
    fitted, shipped = load_rule(out), load_rule()
    assert fitted.thresholds.keys() == shipped.thresholds.keys()
    for frames, threshold in shipped.thresholds.items():  # the same data and method give the same rule
        assert fitted.thresholds[frames] == pytest.approx(threshold, abs=0.002)
    assert fitted.fitted_on["pairs_sha256"] == shipped.fitted_on["pairs_sha256"]
    assert "K=5 threshold" in capsys.readouterr().err
