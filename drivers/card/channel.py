"""Sending commands to a card: the transport seam, transparent 61xx/6Cxx handling, traces and counters.

A :class:`Transport` moves raw APDU bytes (pyscard over pcscd in :mod:`drivers.card.pcsc`). :class:`CardChannel`
builds on it: it answers 61xx with GET RESPONSE and repeats a command with the Le the card asked for on 6Cxx, logs
each exchange (VERIFY data redacted; response data never logged, only its length) and tells observers, which is how
the benchmark counts APDUs and bytes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from drivers.card import apdu
from drivers.card.apdu import Command, Response

log = logging.getLogger("drivers.card.apdu")


class Transport(Protocol):
    """Moves one command APDU to the card and returns the response APDU (data + SW1 SW2)."""

    def transmit(self, command: bytes) -> bytes: ...


@dataclass(frozen=True)
class Exchange:
    """One command and its answer as seen on the wire (for counters and traces; holds no response data)."""

    command: Command
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
        if response.sw & 0xFF00 == 0x6C00:
            # Wrong Le: repeat with the length the card asked for.
            command = Command(command.cla, command.ins, command.p1, command.p2, command.data,
                              le=(response.sw & 0xFF) or 256, name=command.name, secret=command.secret)
            response = self._exchange(command)
        data = response.data
        while response.sw & 0xFF00 == 0x6100:
            response = self._exchange(Command(0x00, 0xC0, 0x00, 0x00, le=(response.sw & 0xFF) or 256,
                                              name="GET RESPONSE"))
            data += response.data
        return Response(data, response.sw)

    def call(self, command: Command) -> bytes:
        """Send and return the data, raising the typed error for any status word but 90 00."""
        return apdu.check(self.send(command), command)

    def _exchange(self, command: Command) -> Response:
        raw = command.to_bytes()
        answer = self.transport.transmit(raw)
        response = Response.from_bytes(answer)
        log.debug("%s -> %d bytes, SW %04X", command.trace(), len(response.data), response.sw)
        exchange = Exchange(command, len(raw), len(answer), response.sw)
        for observer in self.observers:
            observer(exchange)
        return response
