"""The reader's host link against the real host SDK, over real ptys (through a pass-through proxy)."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pytest

from firmware.attest import DeviceKeys
from firmware.host_link import HostLink, Notice, ResultNotStored, ResultRefused
from firmware.outbox import Outbox, Quarantined
from protocol import messages
from protocol import results
from protocol.host.client import ReaderClient, ReaderInfo, Rejection, StateChange
from protocol.host.policy import DeviceAttested, HostPolicy
from protocol.host.store import HostStore
from protocol.host.verify import AlreadyAccepted, ResultVerifier, VerifiedResult
from protocol.reader import Cancel, HostCommand, SetMode
from protocol.results import Method
from protocol.testing import LossyPtyProxy

from result_builders import CA, claims
from disk_faults import no_space

TIMEOUT = 20.0


async def next_of(client: ReaderClient, kind: type, timeout: float = TIMEOUT):
    async def wait():
        while True:
            event = await client.next_event()
            if isinstance(event, kind):
                return event
    return await asyncio.wait_for(wait(), timeout)


async def until(predicate, timeout: float = TIMEOUT) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("condition not reached")
        await asyncio.sleep(0.02)


class Reader:
    def __init__(self, path: str, state: Path, demo: bool = False) -> None:
        self.keys = DeviceKeys.open(state, demo=demo)
        self.commands: list[HostCommand] = []
        self.notices: list[Notice] = []
        self.link = HostLink(path, self.keys, "0.1.0-test", state / "outbox", self.commands.append,
                             on_notice=self.notices.append)

    def result(self, method: Method = Method.PIN, demo: bool = False) -> results.ResultClaims:
        nonce = self.link.take_nonce()
        assert nonce is not None, "the host should have filled the nonce pool"
        return claims(method, nonce, demo=demo, device=self.keys.device, issued_at=self.link.wall_time(),
                      counter=self.keys.next_counter())


def host_verifier(reader: Reader, store_path: Path, allow_demo: bool = False) -> ResultVerifier:
    """A host that takes face results without a liveness check (the test results carry none)."""
    policy = HostPolicy(DeviceAttested.ACCEPT, allow_unchecked_liveness=True, allow_demo=allow_demo)
    return ResultVerifier(reader.keys.key.public_key(), HostStore(store_path), [CA.certificate], policy)


class Handed:
    """The integrator's side of the hand-over: ``on_result`` queues each result (and so returns at once)."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[VerifiedResult] = asyncio.Queue()

    def __call__(self, result: VerifiedResult) -> None:
        self.queue.put_nowait(result)

    async def next(self, timeout: float = TIMEOUT) -> VerifiedResult:
        return await asyncio.wait_for(self.queue.get(), timeout)


def test_handshake_nonces_results_and_commands(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with LossyPtyProxy() as line:
            reader = Reader(line.path_a, tmp_path / "reader")
            await reader.link.start()
            verifier = host_verifier(reader, tmp_path / "host.sqlite")
            handed = Handed()
            try:
                async with ReaderClient(line.path_b, verifier, on_result=handed, pool_size=4) as host:
                    info = await host.info()
                    assert isinstance(info, ReaderInfo)
                    assert info.fingerprint == reader.keys.fingerprint and not info.demo
                    await until(lambda: reader.link.endpoint.nonces_available(reader.link.clock()) == 4)
                    assert reader.link.wall_time() is not None  # the host set the clock

                    reader.link.state_changed("choose_method", "auto")
                    state = await next_of(host, StateChange)
                    assert (state.state, state.mode) == ("choose_method", "auto")

                    signed = reader.result(Method.PIN)
                    reader.link.publish(signed)
                    verified = await handed.next()
                    assert verified.claims == signed and verified.assurance.value == "card-signed"
                    await until(lambda: not reader.link.outbox.pending())  # acknowledged → outbox empty

                    host.set_mode("visual_check", "staff-7")
                    host.cancel()
                    await until(lambda: len(reader.commands) == 2)
                    assert isinstance(reader.commands[0], SetMode) and reader.commands[0].staff_id == "staff-7"
                    assert isinstance(reader.commands[1], Cancel)
            finally:
                await reader.link.close()
                verifier.store.close()

    asyncio.run(scenario())


def test_a_result_survives_a_host_restart_and_a_resend_is_acknowledged_not_handed_over_twice(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with LossyPtyProxy() as line:
            reader = Reader(line.path_a, tmp_path / "reader")
            await reader.link.start()
            store_path = tmp_path / "host.sqlite"
            handed = Handed()
            try:
                verifier = host_verifier(reader, store_path)
                async with ReaderClient(line.path_b, verifier, on_result=handed) as host:
                    await host.info()
                    await until(lambda: reader.link.endpoint.nonces_available(reader.link.clock()) > 0)
                    pending = reader.result(Method.FACE)
                verifier.store.close()
                # The host is gone: the result waits in the reader's outbox.
                reader.link.publish(pending)
                assert [cti for cti, _ in reader.link.outbox.pending()] == [pending.cti]

                verifier = host_verifier(reader, store_path)
                async with ReaderClient(line.path_b, verifier, on_result=handed) as host:
                    verified = await handed.next()
                    assert verified.claims.cti == pending.cti and verified.assurance.value == "device-attested"
                    assert not verified.redelivered
                    await until(lambda: not reader.link.outbox.pending())
                    # The same result again (its acknowledgement lost, say), also signed anew: acknowledged as
                    # accepted once more, by this restarted host, and not handed over a second time.
                    cose = reader.keys.sign(pending)
                    reader.link._port.send(reader.link.endpoint.result(pending.cti, cose))
                    assert await next_of(host, AlreadyAccepted) == AlreadyAccepted(pending.cti)
                    await until(lambda: not reader.link.endpoint.unacknowledged())
                    # Another result under the same id is a replay.
                    forged = reader.keys.sign(replace(pending, counter=pending.counter + 1))
                    reader.link._port.send(reader.link.endpoint.result(pending.cti, forged))
                    assert (await next_of(host, Rejection)).reason == "replayed-result"
                    assert handed.queue.empty()
                    await until(lambda: bool(reader.notices))
                verifier.store.close()
            finally:
                await reader.link.close()
        assert reader.notices == [ResultRefused(pending.cti, "replayed-result")]
        assert [p.name for p in Outbox(tmp_path / "reader" / "outbox").rejected()] == []  # the accepted one stays gone

    asyncio.run(scenario())


def test_demo_results_are_rejected_unless_allowed(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with LossyPtyProxy() as line:
            reader = Reader(line.path_a, tmp_path / "reader", demo=True)
            await reader.link.start()
            try:
                verifier = host_verifier(reader, tmp_path / "host.sqlite")
                async with ReaderClient(line.path_b, verifier, on_result=Handed()) as host:
                    assert (await host.info()).demo
                    await until(lambda: reader.link.endpoint.nonces_available(reader.link.clock()) > 0)
                    signed = reader.result(Method.VISUAL, demo=True)
                    cose = reader.link.publish(signed)
                    rejection = await next_of(host, Rejection)
                    assert (rejection.reason, rejection.cose) == ("demo-result", cose)
                    await until(lambda: not reader.link.outbox.pending())  # acknowledged as not accepted
                    assert [p.read_bytes() for p in reader.link.outbox.rejected()] == [cose]  # but kept
                    assert reader.notices == [ResultRefused(signed.cti, "demo-result")]
                verifier.store.close()
            finally:
                await reader.link.close()

    asyncio.run(scenario())


def test_an_expired_nonce_rejection_keeps_the_result_aside_and_it_is_not_resent(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with LossyPtyProxy() as line:
            reader = Reader(line.path_a, tmp_path / "reader")
            await reader.link.start()
            store_path = tmp_path / "host.sqlite"
            try:
                verifier = host_verifier(reader, store_path)
                # The host's clock is a day ahead when the result arrives: its 15-minute nonces have expired.
                verifier.clock = lambda: time.time() + 86400
                async with ReaderClient(line.path_b, verifier, on_result=Handed()) as host:
                    await host.info()
                    await until(lambda: reader.link.endpoint.nonces_available(reader.link.clock()) > 0)
                    signed = reader.result(Method.PIN)
                    cose = reader.link.publish(signed)
                    assert (await next_of(host, Rejection)).reason == "expired-nonce"
                    await until(lambda: bool(reader.notices))
                    assert reader.notices == [ResultRefused(signed.cti, "expired-nonce")]
                    assert reader.link.outbox.pending() == []
                    assert [p.read_bytes() for p in reader.link.outbox.rejected()] == [cose]
                    assert reader.link.endpoint.unacknowledged() == []  # a reconnect does not resend it
                verifier.store.close()
            finally:
                await reader.link.close()
        # A reboot does not resend it either.
        assert Outbox(tmp_path / "reader" / "outbox").pending() == []

    asyncio.run(scenario())


def test_an_idle_reader_asks_for_nonces_when_its_pool_expires(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with LossyPtyProxy() as line:
            reader = Reader(line.path_a, tmp_path / "reader")
            await reader.link.start()
            verifier = host_verifier(reader, tmp_path / "host.sqlite")
            try:
                async with ReaderClient(line.path_b, verifier, on_result=Handed(), pool_size=2, nonce_ttl=1.0):
                    # Nothing is taken; the first two nonces expire after 1 s, and the reader's tick asks again.
                    await until(lambda: issued(tmp_path / "host.sqlite") >= 4, timeout=10)
                    await until(lambda: reader.link.endpoint.nonces_available(reader.link.clock()) > 0)
            finally:
                await reader.link.close()
                verifier.store.close()

    asyncio.run(scenario())


def issued(store_path: Path) -> int:
    with closing(sqlite3.connect(store_path)) as db:
        return int(db.execute("SELECT COUNT(*) FROM nonces").fetchone()[0])


def test_a_host_pinned_to_another_key_sends_no_nonces(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with LossyPtyProxy() as line:
            reader = Reader(line.path_a, tmp_path / "reader")
            other = DeviceKeys.open(tmp_path / "other", demo=False)
            await reader.link.start()
            store = HostStore(tmp_path / "host.sqlite")
            try:
                async with ReaderClient(line.path_b, ResultVerifier(other.key.public_key(), store),
                                        on_result=Handed()) as host:
                    assert (await next_of(host, Rejection)).reason == "untrusted-device"
                    await asyncio.sleep(0.3)
                    assert reader.link.endpoint.nonces_available(reader.link.clock()) == 0
            finally:
                store.close()
                await reader.link.close()

    asyncio.run(scenario())


def test_no_secrets_or_images_in_the_reader_state_directory(tmp_path: Path) -> None:
    """What the reader keeps on disk: keys (0600), its id, the counter and unacknowledged results — nothing else."""
    state = tmp_path / "reader"
    keys = DeviceKeys.open(state, demo=False)
    keys.next_counter()
    names = sorted(p.name for p in state.iterdir())
    assert names == ["device-id", "device-key.pem", "result-counter"]
    for path in state.iterdir():
        assert os.stat(path).st_mode & 0o077 == 0


def test_a_result_the_full_disk_cannot_store_is_refused_and_not_sent(tmp_path: Path, monkeypatch) -> None:
    """Only a durable result is published: the flow hears of a result the outbox could not take as a failure."""
    reader = Reader("socket://127.0.0.1:9", tmp_path / "reader")  # never started: sends wait in the link
    signed = claims(Method.VISUAL, b"n" * 16, device=reader.keys.device)
    no_space(monkeypatch)
    with pytest.raises(ResultNotStored) as refused:
        reader.link.publish(signed)
    assert refused.value.cti == signed.cti and "No space" in refused.value.error
    assert list((tmp_path / "reader" / "outbox").iterdir()) == []  # no temporary left taking space
    assert reader.link.endpoint.unacknowledged() == [] and reader.link._port.link.unacked() == []


def test_start_quarantines_a_damaged_outbox_entry_instead_of_failing(tmp_path: Path) -> None:
    async def scenario() -> None:
        reader = Reader("socket://127.0.0.1:9", tmp_path / "reader")
        reader.link.outbox.put(b"k" * 16, b"kept")
        (reader.link.outbox.directory / f"{(b'd' * 16).hex()}.cose").mkdir()
        await reader.link.start()
        try:
            assert [messages.decode(p)["cose"] for p in reader.link.endpoint.unacknowledged()] == [b"kept"]
            assert [(type(n), n.name) for n in reader.notices] == [(Quarantined, f"{(b'd' * 16).hex()}.cose")]
        finally:
            await reader.link.close()

    asyncio.run(scenario())


def test_a_hostile_set_time_gets_a_typed_error_and_the_nonce_pool_of_the_same_burst_arrives(tmp_path: Path) -> None:
    """Issue 15, point 3: a set_time of 10**400 raised OverflowError in the reader, and the nonce pool sent with it
    was lost although the link had acknowledged it."""
    import cbor2

    from protocol.link import Connected, Delivered, Link
    from protocol.serial_link import SerialLink

    async def scenario() -> tuple[list[messages.Message], int]:
        async with LossyPtyProxy() as line:
            reader = Reader(line.path_a, tmp_path / "reader")
            await reader.link.start()
            replies: list[messages.Message] = []
            connected = asyncio.Event()

            def on_event(event: object) -> None:
                if isinstance(event, Connected):
                    connected.set()
                elif isinstance(event, Delivered):
                    replies.append(messages.decode(event.payload))

            try:
                async with SerialLink(line.path_b, link=Link(), on_event=on_event) as host:
                    await asyncio.wait_for(connected.wait(), TIMEOUT)
                    host.send(cbor2.dumps({"v": 1, "t": "set_time", "id": 41, "unix": 10**400}))
                    host.send(messages.encode(messages.Message(messages.NONCE_POOL, 42,
                                                               {"nonces": [b"n" * 16, b"m" * 16], "ttl": 600})))
                    await until(lambda: any(m.type == messages.ERROR for m in replies))
                    await until(lambda: reader.link.endpoint.nonces_available(reader.link.clock()) == 2)
            finally:
                await reader.link.close()
        return replies, reader.link._port.callback_errors

    replies, callback_errors = asyncio.run(scenario())
    errors = [(m["code"], m["re"]) for m in replies if m.type == messages.ERROR]
    assert errors == [(messages.ErrorCode.BAD_FIELD, 41)] and callback_errors == 0
