"""Card presence by reader role, watched on a PC/SC context of its own.

A pcsc-lite context is one socket to pcscd, and a call on it waits for the one before: a SCardGetStatusChange
blocked for seconds on the context that also carries the card's commands would hold those commands up. So the
:class:`PresenceWatcher` owns its context and its thread, and the card operations use another
(:class:`~drivers.card.pcsc.PcscContext` each).

Readers are given roles by name (:class:`~drivers.card.readers.ReaderRoles`). A card that is in a reader but does not answer (no chip, a broken one: pcscd reports it mute) arrives as
:class:`~drivers.card.pcsc.CardArrived` with ``mute=True``, so the patient can be told the card cannot be read.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from drivers.card import errors
from drivers.card.pcsc import CardEvent, PcscContext
from drivers.card.readers import ReaderRoles

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class RoleEvent:
    """A card event on a reader that has a role."""

    role: str
    event: CardEvent


class PresenceWatcher:
    """Watches every reader with a role on its own PC/SC context and thread; each change goes to ``sink`` (called on
    the watcher's thread: hand it to the event loop with ``call_soon_threadsafe``).

    While pcscd is away the watcher reports the cards it knew as left, then retries every ``retry`` seconds; it
    stops only when told to (:meth:`stop`, which wakes the blocked call at once with SCardCancel).
    """

    def __init__(self, roles: ReaderRoles, sink: Callable[[RoleEvent], None], *, retry: float = 1.0,
                 wait: float = 1.0, context: PcscContext | None = None) -> None:
        self.roles = roles
        self._sink = sink
        self._retry = retry
        self._wait = wait  # bounds how long a stop can take if its SCardCancel comes between two waits
        self._context = context if context is not None else PcscContext()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._unroled: set[str] = set()

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("the presence watcher is already running")
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="card-presence", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            self._stop.set()
            self._context.cancel()
            thread.join()
        self._context.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                events = self._context.wait_for_events(self._wait)
            except errors.ServiceUnavailable as exc:
                log.warning("card presence: %s; retrying", type(exc).__name__)
                self._stop.wait(self._retry)
                continue
            except errors.CardError as exc:  # a reader vanished between listing and asking: ask again
                log.warning("card presence: %s", type(exc).__name__)
                continue
            for event in events:
                role = self.roles.role_of(event.reader)
                if role is not None:
                    self._sink(RoleEvent(role, event))
                elif event.reader not in self._unroled:
                    self._unroled.add(event.reader)
                    log.info("reader %r has no role: its cards are not watched", event.reader)
