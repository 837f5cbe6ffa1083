"""Sending commands to a card: the transport seam, transparent 61xx/6Cxx handling, traces and counters.

A :class:`Transport` moves raw APDU bytes (pyscard over pcscd in :mod:`drivers.card.pcsc`). :class:`CardChannel`
builds on it: it answers 61xx with GET RESPONSE (at most :data:`MAX_RESPONSE` bytes in all) and repeats a command
that expects data with the Le the card asked for on 6Cxx (never a secret one: a VERIFY is sent once), logs each
exchange (VERIFY data redacted; response data never logged, only its length) and tells observers, which is how the
benchmark counts APDUs and bytes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

from drivers.card import apdu, errors
from drivers.card.apdu import Command, Response

log = logging.getLogger("drivers.card.apdu")

# A response chained with 61xx is bounded like a file (READ BINARY offsets are 15 bits), so a card that answers 61xx
# forever ends in an error instead of an endless loop; at 256 bytes a piece that is at most 128 GET RESPONSEs.
MAX_RESPONSE = 0x7FFF
MAX_GET_RESPONSES = MAX_RESPONSE // 256 + 1


class Transport(Protocol):
    """Moves one command APDU to the card and returns the response APDU (data + SW1 SW2)."""

    def transmit(self, command: bytes) -> bytes: ...


@dataclass(frozen=True)
class Exchange:
    """One command and its answer as seen on the wire, for counters and traces.

    It holds no data of either side, only the command's name and its redacted trace: observers keep these records
    after the call, and a VERIFY's data (a PIN, 照合番号B) must not outlive it.
    """

    name: str
    trace: str
    sent: int
    received: int
    sw: int


Observer = Callable[[Exchange], None]


class CardChannel:
    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self.observers: list[Observer] = []

    def send(self, command: Command) -> Response:
        response = self._exchange(command)
        if response.sw & 0xFF00 == 0x6C00 and command.le is not None and not command.secret:
            # Wrong Le on a command that expects data: repeat it with the length the card asked for. A secret
            # command is never sent twice; its 6Cxx goes back to the caller as the typed error.
            response = self._exchange(replace(command, le=(response.sw & 0xFF) or 256))
        data = response.data
        for _ in range(MAX_GET_RESPONSES):
            if response.sw & 0xFF00 != 0x6100:
                break
            response = self._exchange(Command(0x00, 0xC0, 0x00, 0x00, le=(response.sw & 0xFF) or 256,
                                              name="GET RESPONSE"))
            data += response.data
        if response.sw & 0xFF00 == 0x6100 or len(data) > MAX_RESPONSE:
            raise errors.MalformedResponse(
                f"{command.name}: the card chained more than {MAX_RESPONSE} bytes or {MAX_GET_RESPONSES} pieces "
                "with 61xx", response.sw)
        return Response(data, response.sw)

    def call(self, command: Command) -> bytes:
        """Send and return the data, raising the typed error for any status word but 90 00."""
        return apdu.check(self.send(command), command)

    def _exchange(self, command: Command) -> Response:
        raw = command.to_bytes()
        answer = self.transport.transmit(raw)
        response = Response.from_bytes(answer)
        log.debug("%s -> %d bytes, SW %04X", command.trace(), len(response.data), response.sw)
        exchange = Exchange(command.name, command.trace(), len(raw), len(answer), response.sw)
        for observer in self.observers:
            observer(exchange)
        return response
