"""The daemon's event log: JSON lines with a code and plain fields, every code documented, and a broken standard
output never stops the reader."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

from firmware.daemon.log import EventLog

ROOT = Path(__file__).resolve().parents[3]


def test_every_code_the_daemon_logs_is_in_the_docs_table() -> None:
    docs = (ROOT / "docs" / "daemon.md").read_text()
    documented = set(re.findall(r"^\| `([a-z]+(?:\.[a-z_]+)+)` \|", docs, re.MULTILINE))
    logged = set()
    for source in sorted((ROOT / "firmware" / "daemon").glob("*.py")):
        for line in source.read_text().splitlines():
            if "self.log" in line:  # self.log("code", …) and call_soon_threadsafe(self.log, "code")
                logged |= set(re.findall(r'"([a-z]+(?:\.[a-z_]+)+)"', line.split("self.log", 1)[1]))
    assert {"daemon.ready", "device.fault", "host.lost", "face.models_loaded"} <= logged  # the scan finds them
    assert logged - documented == set()


def test_a_line_is_one_json_object_with_the_time_and_the_code() -> None:
    stream = io.StringIO()
    log = EventLog(stream, clock=lambda: 1733300000.1234)
    log("device.fault", fault="camera.face", device="devices.camera=v4l2:/dev/video9", error=None)
    log("card.inserted", role="card", mute=False)
    lines = stream.getvalue().splitlines()
    assert [json.loads(line) for line in lines] == [
        {"ts": 1733300000.123, "code": "device.fault", "fault": "camera.face", "device": "devices.camera=v4l2:/dev/video9",
         "error": None},
        {"ts": 1733300000.123, "code": "card.inserted", "role": "card", "mute": False},
    ]
    assert log.recent[-1]["code"] == "card.inserted"


def test_a_closed_standard_output_does_not_stop_the_reader() -> None:
    stream = io.StringIO()
    stream.close()
    log = EventLog(stream)
    log("daemon.ready", seconds=0.5)  # no exception
    assert log.recent[-1]["code"] == "daemon.ready"


def test_recent_keeps_the_last_200_events() -> None:
    log = EventLog(io.StringIO(), clock=lambda: 0.0)
    for i in range(250):
        log("request", kind="ReadCard", id=i)
    assert len(log.recent) == 200 and log.recent[0]["id"] == 50
