"""Structured log events: one JSON object a line on standard output, which journald keeps as the message (and a
hospital's collector parses). Each event has a ``code`` from docs/daemon.md's table and only the fields listed
there: states, request kinds, fault codes, device names, counts and durations — never a PIN, a photo, a certificate,
a nonce or anything read from a card."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import TextIO

Field = str | int | float | bool | None


class EventLog:
    def __init__(self, stream: TextIO | None = None, clock: Callable[[], float] = time.time) -> None:
        self._stream = stream if stream is not None else sys.stdout
        self._clock = clock
        self.recent: list[dict[str, Field]] = []  # the last events, for status and tests

    def __call__(self, code: str, **fields: Field) -> None:
        record: dict[str, Field] = {"ts": round(self._clock(), 3), "code": code, **fields}
        self.recent.append(record)
        del self.recent[:-200]
        try:
            self._stream.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
            self._stream.flush()
        except (OSError, ValueError):
            pass  # a closed or full stdout must not stop the reader
