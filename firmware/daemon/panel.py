"""The panel's worker: draws the flow's screens on a thread of its own, only the latest one.

An e-ink refresh takes 0.3–4 s; the flow may move on meanwhile. A screen handed over while another is being drawn
waits; a newer one replaces it (a stale screen is never drawn after a newer one). A panel that raises is reported
(the daemon turns it into the ``display.panel`` fault) and the screen is tried again after :data:`RETRY_SECONDS`, or
the next one as soon as it comes: the flow shows nothing new while it is out of service, so without the retry a panel
that failed once (a glitch on its bus) would never be drawn again, nor the fault cleared.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from firmware.front_panel import FrontPanel
from firmware.reception.screens import Screen


RETRY_SECONDS = 2.0


class PanelWorker:
    def __init__(self, front_panel: FrontPanel, *, on_drawn: Callable[[Screen, float], None],
                 on_error: Callable[[Exception], None], retry_after: float = RETRY_SECONDS) -> None:  # fmt: skip
        self.front_panel = front_panel
        self.retry_after = retry_after
        self._on_drawn = on_drawn  # (screen, seconds it took), called on the panel thread
        self._on_error = on_error
        self._latest: Screen | None = None
        self._turn_page = False
        self._closing = False
        self._wake = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="mynareader-panel", daemon=True)
        self._thread.start()

    def show(self, screen: Screen) -> None:
        with self._wake:
            self._latest = screen
            self._wake.notify()

    def next_page(self) -> None:
        """Show the next page of the screen shown, if it has several (the daemon asks every few seconds)."""
        with self._wake:
            self._turn_page = True
            self._wake.notify()

    def close(self, timeout: float = 5.0) -> None:
        with self._wake:
            self._closing = True
            self._wake.notify()
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._latest is None and not self._turn_page and not self._closing:
                    self._wake.wait()
                if self._closing:
                    return
                screen, self._latest = self._latest, None
                turn, self._turn_page = self._turn_page and screen is None, False
            if turn:
                try:
                    self.front_panel.next_page()
                except Exception as error:
                    self._on_error(error)
                continue
            assert screen is not None
            started = time.monotonic()
            try:
                self.front_panel.show(screen)
            except Exception as error:  # any panel backend's failure: reported, the daemon keeps running
                self._on_error(error)
                with self._wake:
                    if self._latest is None and not self._closing:
                        self._latest = screen
                        self._wake.wait(self.retry_after)  # a newer screen or close() ends the pause
                continue
            self._on_drawn(screen, time.monotonic() - started)
