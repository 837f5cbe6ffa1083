"""PC/SC through pyscard: readers, card events and connections, with recovery after pcscd restarts.

Card presence is watched with SCardGetStatusChange (no polling loops of our own), including pcsc-lite's
``\\\\?PnP?\\Notification`` pseudo-reader so that readers plugged in later are seen; a card that is there but mute
(pcscd could not power it up: no chip, or a broken one) is reported too, marked mute. Watch on a context of its own
(:mod:`drivers.card.presence`): a context serialises its calls. Every PC/SC failure becomes a
typed error: a card that left is :class:`~drivers.card.errors.CardRemovedError`, a pcscd that went away is
:class:`~drivers.card.errors.ServiceUnavailable` — after which the next call establishes a new context.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from smartcard import scard

from drivers.card import errors

PNP_NOTIFICATION = "\\\\?PnP?\\Notification"

_SERVICE_GONE = {
    scard.SCARD_E_NO_SERVICE,
    scard.SCARD_E_SERVICE_STOPPED,
    scard.SCARD_E_INVALID_HANDLE,
    scard.SCARD_E_NO_READERS_AVAILABLE,
}
_CARD_GONE = {
    scard.SCARD_W_REMOVED_CARD,
    scard.SCARD_E_NO_SMARTCARD,
    scard.SCARD_W_RESET_CARD,
    scard.SCARD_W_UNPOWERED_CARD,
    scard.SCARD_W_UNRESPONSIVE_CARD,
    scard.SCARD_E_READER_UNAVAILABLE,
    scard.SCARD_E_UNKNOWN_READER,
}

# Transmit results that mean "no answer from the card", not a PC/SC failure of its own.
_NO_ANSWER = {scard.SCARD_S_SUCCESS, scard.SCARD_E_NOT_TRANSACTED, scard.SCARD_F_COMM_ERROR,
              scard.SCARD_E_COMM_DATA_LOST}
# How long to wait for the reader to confirm that a silent card has left (pcscd polls vpcd every ~0.4 s).
CARD_GONE_CONFIRM_S = 1.5


def _hresult_text(hresult: int) -> str:
    return f"{scard.SCardGetErrorMessage(hresult)} (0x{hresult & 0xFFFFFFFF:08X})"


def _raise_for(hresult: int, what: str) -> None:
    if hresult == scard.SCARD_S_SUCCESS:
        return
    text = f"{what}: {_hresult_text(hresult)}"
    if hresult in _SERVICE_GONE:
        raise errors.ServiceUnavailable(text)
    if hresult in _CARD_GONE:
        raise errors.CardRemovedError(text)
    raise errors.CardCommunicationError(text)


@dataclass(frozen=True)
class CardArrived:
    """A card arrived in ``reader``. ``mute``: it is there but does not answer (pcscd could not power it up), so it
    cannot be read; ``atr`` is then empty."""

    reader: str
    atr: bytes
    mute: bool = False


@dataclass(frozen=True)
class CardLeft:
    """The card left ``reader`` (or the reader itself went away)."""

    reader: str


CardEvent = CardArrived | CardLeft


class PcscConnection:
    """A connection to the card in one reader; a :class:`~drivers.card.channel.Transport`."""

    def __init__(self, context: PcscContext, reader: str, hcard: int, protocol: int) -> None:
        self.context = context
        self.reader = reader
        self._hcard: int | None = hcard
        self._protocol = protocol

    def transmit(self, command: bytes) -> bytes:
        if self._hcard is None:
            raise errors.CardRemovedError(f"{self.reader}: the connection is closed")
        hresult, response = scard.SCardTransmit(self._hcard, self._protocol, list(command))
        if hresult == scard.SCARD_S_SUCCESS and len(response) >= 2:
            return bytes(response)
        no_answer = hresult in _NO_ANSWER
        # The card gave no answer (vpcd reports a card pulled mid-command as an empty response, then
        # "not transacted" until pcscd's next poll). Ask the reader whether the card is still there.
        gone = hresult in _SERVICE_GONE or hresult in _CARD_GONE or (
            no_answer and self.context.wait_card_absent(self.reader, CARD_GONE_CONFIRM_S))
        # A card still present (silent, or failing at the transport level) is reset as close() does, so that it
        # keeps no verified PIN once we let go; one that left (or a lost service) has nothing left to reset.
        self.close(reset=not gone)
        if hresult in _SERVICE_GONE:
            self.context.invalidate()
        _raise_for(scard.SCARD_S_SUCCESS if no_answer else hresult, f"{self.reader}: transmit")
        if gone:
            raise errors.CardRemovedError(f"{self.reader}: the card left during the command")
        raise errors.CardCommunicationError(f"{self.reader}: the card did not answer ({_hresult_text(hresult)})")

    def close(self, reset: bool = True) -> None:
        """Disconnect; by default reset the card so that no verified state outlives the session."""
        hcard, self._hcard = self._hcard, None
        if hcard is not None:
            scard.SCardDisconnect(hcard, scard.SCARD_RESET_CARD if reset else scard.SCARD_LEAVE_CARD)

    def __enter__(self) -> PcscConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class PcscContext:
    """One PC/SC context, re-established on demand after pcscd restarts."""

    def __init__(self) -> None:
        self._hcontext: int | None = None
        self._known: dict[str, int] = {}  # reader -> last seen event state, for change detection
        self._pnp = scard.SCARD_STATE_UNAWARE  # state of the reader-list pseudo reader
        self._service_lost = False

    # -- context ----------------------------------------------------------------------------------------------

    def _context(self) -> int:
        if self._hcontext is None:
            hresult, hcontext = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
            _raise_for(hresult, "establish context")
            self._hcontext = hcontext
        return self._hcontext

    def invalidate(self) -> None:
        """Drop the context (after pcscd went away); the next call establishes a new one.

        The cards known so far are kept until :meth:`wait_for_events` reports them gone: the new service will
        report them afresh.
        """
        hcontext, self._hcontext = self._hcontext, None
        self._pnp = scard.SCARD_STATE_UNAWARE
        self._service_lost = True
        if hcontext is not None:
            scard.SCardReleaseContext(hcontext)

    def _forget_cards(self) -> list[CardEvent]:
        gone: list[CardEvent] = [CardLeft(r) for r, state in self._known.items() if self._present(state)]
        self._known = {}
        self._service_lost = False
        return gone

    def close(self) -> None:
        self.invalidate()

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except errors.ServiceUnavailable:
            self.invalidate()
            raise

    # -- readers and cards --------------------------------------------------------------------------------------

    def readers(self) -> list[str]:
        with self._guard():
            hresult, readers = scard.SCardListReaders(self._context(), [])
            if hresult == scard.SCARD_E_NO_READERS_AVAILABLE:
                return []
            _raise_for(hresult, "list readers")
            return list(readers)

    def card_present(self, reader: str) -> bool:
        states = self._status([(reader, scard.SCARD_STATE_UNAWARE)], 0)
        return bool(states[0][1] & scard.SCARD_STATE_PRESENT)

    def _status(self, states: list[tuple[str, int]], timeout_ms: int) -> list[tuple[str, int, list[int]]]:
        with self._guard():
            hresult, result = scard.SCardGetStatusChange(self._context(), timeout_ms, states)
            if hresult in (scard.SCARD_E_TIMEOUT, scard.SCARD_E_CANCELLED):
                return [(reader, state, []) for reader, state in states]
            if hresult == scard.SCARD_E_UNKNOWN_READER:
                raise errors.NoReader(f"unknown reader: {_hresult_text(hresult)}")
            _raise_for(hresult, "get status change")
            return list(result)

    def wait_card_absent(self, reader: str, timeout: float) -> bool:
        """True once ``reader`` reports no card, waiting up to ``timeout`` s for the change (no polling)."""
        try:
            state = self._status([(reader, scard.SCARD_STATE_UNAWARE)], 0)[0][1]
            if not self._present(state):
                return True
            state = self._status([(reader, state & ~scard.SCARD_STATE_CHANGED)], int(timeout * 1000))[0][1]
        except errors.CardError:
            return True  # the reader or the service went away with it
        return not self._present(state)

    def cancel(self) -> None:
        """Wake a :meth:`wait_for_events` blocked on this context (from another thread); it returns no events."""
        hcontext = self._hcontext
        if hcontext is not None:
            scard.SCardCancel(hcontext)

    def wait_for_events(self, timeout: float) -> list[CardEvent]:
        """Block up to ``timeout`` seconds until a card arrives or leaves in any reader; return what changed.

        The first call reports the cards already present as :class:`CardArrived`. When pcscd goes away, every card
        known before is reported as :class:`CardLeft` (the service lost its state); later calls raise
        :class:`~drivers.card.errors.ServiceUnavailable` until it is back, then report the cards found again.
        """
        if self._service_lost:
            gone = self._forget_cards()
            if gone:
                return gone
        try:
            readers = self.readers()
            events: list[CardEvent] = [
                CardLeft(r) for r in self._known if r not in readers and self._present(self._known[r])
            ]
            self._known = {r: s for r, s in self._known.items() if r in readers}
            states = [(r, self._known.get(r, scard.SCARD_STATE_UNAWARE)) for r in readers]
            states.append((PNP_NOTIFICATION, self._pnp))
            result = self._status(states, 0 if events else int(timeout * 1000))
        except errors.ServiceUnavailable:
            gone = self._forget_cards()
            if gone:
                return gone
            raise
        for reader, event_state, atr in result:
            now = event_state & ~scard.SCARD_STATE_CHANGED
            if reader == PNP_NOTIFICATION:
                self._pnp = now
                continue
            before = self._known.get(reader, 0)
            self._known[reader] = now
            if self._present(before) and (not self._present(now) or self._mute(before) != self._mute(now)):
                events.append(CardLeft(reader))  # gone, or re-powered the other way: a different card for the flow
            if self._present(now) and (not self._present(before) or self._mute(before) != self._mute(now)):
                mute = self._mute(now)
                events.append(CardArrived(reader, b"" if mute else bytes(atr), mute=mute))
        return events

    @staticmethod
    def _present(state: int) -> bool:
        return bool(state & scard.SCARD_STATE_PRESENT)

    @staticmethod
    def _mute(state: int) -> bool:
        return bool(state & scard.SCARD_STATE_MUTE)

    def connect(self, reader: str) -> PcscConnection:
        with self._guard():
            hresult, hcard, protocol = scard.SCardConnect(
                self._context(), reader, scard.SCARD_SHARE_SHARED, scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
            )
            if hresult == scard.SCARD_E_UNKNOWN_READER:
                raise errors.NoReader(f"no reader named {reader!r}")
            if hresult == scard.SCARD_E_NO_SMARTCARD or hresult == scard.SCARD_W_REMOVED_CARD:
                raise errors.NoCard(f"{reader}: no card")
            if hresult in (scard.SCARD_W_UNRESPONSIVE_CARD, scard.SCARD_W_UNPOWERED_CARD):
                # pcscd could not power the card up (pcsc-lite says unpowered, Windows unresponsive): it is mute.
                raise errors.MuteCard(f"{reader}: {_hresult_text(hresult)}")
            _raise_for(hresult, f"{reader}: connect")
            return PcscConnection(self, reader, hcard, protocol)
