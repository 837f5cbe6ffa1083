"""The host SDK facing a misbehaving line: oversized frames and messages of a future version are typed problems."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

import cbor2
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from protocol import messages
from protocol.errors import FrameTooLong
from protocol import results
from protocol.host.client import ProtocolProblem, ReaderClient, ReaderInfo, Rejection, StateChange
from protocol.host.store import HostStore, StoreError
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


def test_an_event_the_client_fails_to_handle_is_reported_and_the_next_is_handled(tmp_path: Path, monkeypatch) -> None:
    key = device_key()
    store = HostStore(tmp_path / "host.sqlite")

    def broken_store(*args: object) -> None:
        raise StoreError("disk I/O error")

    monkeypatch.setattr(store, "reserve", broken_store)
    handed: list[object] = []
    client = ReaderClient("socket://127.0.0.1:9", ResultVerifier(key.public_key(), store, [CA.certificate]),
                          on_result=handed.append)
    cose = results.sign_result(claims(Method.VISUAL, store.issue(1, 600, time.time())[0]), key)

    async def scenario() -> list[object]:
        worker = asyncio.ensure_future(client._work())
        try:
            for payload in (messages.encode(Message(messages.RESULT, 1, {"cose": cose})),
                            messages.encode(Message(messages.STATE, 2, {"state": "idle", "mode": "auto", "seq": 1}))):
                client._on_link_event(Delivered(payload))  # as the link calls it, one event of a batch after the other
            return [await asyncio.wait_for(client.next_event(), 10) for _ in range(2)]
        finally:
            worker.cancel()

    events = asyncio.run(scenario())
    assert isinstance(events[0], ProtocolProblem) and isinstance(events[0].error, StoreError)
    assert events[1] == StateChange("idle", "auto", 1)
    assert handed == []
    assert client._port.link.unacked() == []  # the failed result was not acknowledged: the reader keeps it
    store.close()


class RawReader:
    """A reader that sends what the test tells it (a hostile one), through a real SerialLink on a pty."""

    def __init__(self, path: str) -> None:
        self.received: list[Message] = []
        self.connected = asyncio.Event()
        self.port = SerialLink(path, link=Link(), on_event=self._on_event)
        self._next_id = 0

    def _on_event(self, event: object) -> None:
        if isinstance(event, Connected):
            self.connected.set()
        elif isinstance(event, Delivered):
            self.received.append(messages.decode(event.payload))

    def send(self, kind: str, fields: dict[str, object]) -> None:
        self._next_id += 1
        self.port.send(messages.encode(Message(kind, self._next_id, fields)))

    def info(self, public_pem: str, fingerprint_text: str) -> None:
        self.send(messages.INFO, {"device": b"\x01" + bytes(16), "public_key": public_pem,
                                  "fingerprint": fingerprint_text, "firmware": "0.1.0", "versions": [1],
                                  "demo": False, "clock_set": True, "nonces": 0})

    def pools(self) -> int:
        return sum(1 for m in self.received if m.type == messages.NONCE_POOL)


def pem(key: ec.EllipticCurvePublicKey) -> str:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


async def until(predicate, timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached"
        await asyncio.sleep(0.02)


def test_a_reader_asking_again_and_again_cannot_grow_the_store_nor_block_the_event_loop(tmp_path: Path) -> None:
    """Issue 15, point 7: every need_nonces issued 8 more nonces without a cap (5,000 asks: 40,008 rows), each
    committed synchronously on the event loop. Now unused nonces are capped per reader, and SQLite runs in a worker
    thread."""
    key = device_key()
    store = HostStore(tmp_path / "host.sqlite")
    threads: set[int] = set()
    store._db.set_trace_callback(lambda statement: threads.add(threading.get_ident()))
    asks = 300

    async def scenario() -> int:
        async with LossyPtyProxy() as line:
            reader = RawReader(line.path_a)
            async with ReaderClient(line.path_b, ResultVerifier(key.public_key(), store, [CA.certificate]),
                                    on_result=lambda result: None, pool_size=8) as host, reader.port:
                await asyncio.wait_for(reader.connected.wait(), 10)
                reader.info(pem(key.public_key()), results.fingerprint(key.public_key()))
                for _ in range(asks):
                    reader.send(messages.NEED_NONCES, {"available": 0})
                await until(lambda: reader.pools() == asks + 1)
                assert host.protocol_errors == 0
        return threading.get_ident()

    loop_thread = asyncio.run(scenario())
    with closing(sqlite3.connect(tmp_path / "host.sqlite")) as db:
        rows = db.execute("SELECT COUNT(*) FROM nonces").fetchone()[0]
    assert rows == 16  # twice the pool: the newest 16 of the 2,408 issued
    assert threads and loop_thread not in threads
    store.close()


@pytest.mark.parametrize("key_text", ["another key", "not a key"])
def test_a_reader_is_trusted_for_the_key_it_sends_not_the_fingerprint_it_reports(tmp_path: Path, key_text) -> None:
    pinned = device_key()
    store = HostStore(tmp_path / "host.sqlite")
    sent_key = pem(device_key().public_key()) if key_text == "another key" else "-----BEGIN PUBLIC KEY-----\nAAAA\n"

    async def scenario() -> list[object]:
        async with LossyPtyProxy() as line:
            reader = RawReader(line.path_a)
            async with ReaderClient(line.path_b, ResultVerifier(pinned.public_key(), store, [CA.certificate]),
                                    on_result=lambda result: None) as host, reader.port:
                await asyncio.wait_for(reader.connected.wait(), 10)
                reader.info(sent_key, results.fingerprint(pinned.public_key()))  # claims the pinned fingerprint
                events = [await asyncio.wait_for(host.next_event(), 10) for _ in range(2)]
                reader.send(messages.NEED_NONCES, {"available": 0})
                await asyncio.sleep(0.3)
        assert reader.pools() == 0
        return events

    info, rejection = asyncio.run(scenario())
    assert isinstance(info, ReaderInfo) and info.reported_fingerprint == results.fingerprint(pinned.public_key())
    assert info.fingerprint != info.reported_fingerprint
    assert isinstance(rejection, Rejection) and rejection.reason == "untrusted-device"
    assert store.outstanding(time.time()) == 0
    store.close()
