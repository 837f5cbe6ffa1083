"""The host SDK facing a misbehaving line: oversized frames and messages of a future version are typed problems."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from pathlib import Path

import cbor2

from protocol import messages
from protocol.errors import FrameTooLong
from protocol import results
from protocol.host.client import ProtocolProblem, ReaderClient, StateChange
from protocol.host.store import HostStore
from protocol.host.verify import ResultVerifier
from protocol.link import Connected, Delivered, Link
from protocol.messages import ErrorCode, Message, MessageError
from protocol.results import Method
from protocol.serial_link import SerialLink
from protocol.testing import LossyPtyProxy

from result_builders import CA, claims, device_key


def test_oversized_frames_and_future_versions_are_typed_problems(tmp_path: Path) -> None:
    async def scenario() -> list[ProtocolProblem]:
        async with LossyPtyProxy() as line:
            connected = asyncio.Event()
            replies: list[bytes] = []

            def on_event(event: object) -> None:
                if isinstance(event, Connected):
                    connected.set()
                elif hasattr(event, "payload"):
                    replies.append(event.payload)  # type: ignore[attr-defined]

            async with ReaderClient(line.path_b, None) as host, \
                    SerialLink(line.path_a, link=Link(), on_event=on_event) as peer:
                await asyncio.wait_for(connected.wait(), 10)
                fd = os.open(line.path_a, os.O_WRONLY | os.O_NOCTTY)
                try:
                    os.write(fd, b"\x00" + b"\x55" * 6000 + b"\x00")  # no delimiter for 6000 bytes
                finally:
                    os.close(fd)
                peer.send(cbor2.dumps({"v": 2, "t": "info", "id": 7}))
                problems: list[ProtocolProblem] = []
                while len(problems) < 2:
                    event = await asyncio.wait_for(host.next_event(), 10)
                    if isinstance(event, ProtocolProblem):
                        problems.append(event)
                while not any(messages.decode(r).type == messages.ERROR for r in replies):
                    await asyncio.sleep(0.05)
                error = next(messages.decode(r) for r in replies if messages.decode(r).type == messages.ERROR)
                assert error["code"] == ErrorCode.UNSUPPORTED_VERSION and error["re"] == 7
        return problems

    problems = asyncio.run(scenario())
    kinds = {type(p.error) for p in problems}
    assert FrameTooLong in kinds
    assert any(isinstance(p.error, MessageError) and p.error.code is ErrorCode.UNSUPPORTED_VERSION for p in problems)


def test_an_event_the_client_fails_to_handle_is_reported_and_the_batch_goes_on(tmp_path: Path, monkeypatch) -> None:
    key = device_key()
    store = HostStore(tmp_path / "host.sqlite")

    def broken_store(*args: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store, "consume", broken_store)
    client = ReaderClient("socket://127.0.0.1:9", ResultVerifier(key.public_key(), store, [CA.certificate]))
    cose = results.sign_result(claims(Method.VISUAL, b"n" * 16), key)
    for payload in (messages.encode(Message(messages.RESULT, 1, {"cose": cose})),
                    messages.encode(Message(messages.STATE, 2, {"state": "idle", "mode": "auto", "seq": 1}))):
        client._on_link_event(Delivered(payload))  # as the link calls it, one event of a batch after the other
    events = []
    while not client._events.empty():
        events.append(client._events.get_nowait())
    assert len(events) == 2
    assert isinstance(events[0], ProtocolProblem) and isinstance(events[0].error, sqlite3.OperationalError)
    assert events[1] == StateChange("idle", "auto", 1)
    assert client._port.link.unacked() == []  # the failed result was not acknowledged: the reader keeps it
    store.close()
