""""Host connected" as the flow means it: the link is up, the host answers, and a nonce is in the pool — over real ptys
with the real host SDK on the other end, and a host that goes silent while the line stays up."""

from __future__ import annotations

import asyncio
from pathlib import Path

from firmware.attest import DeviceKeys
from firmware.host_link import HostLink
from protocol.host.client import ReaderClient
from protocol.host.store import HostStore
from protocol.host.verify import ResultVerifier
from protocol.testing import LossyPtyProxy

from result_builders import CA

TIMEOUT = 20.0


async def until(predicate, timeout: float = TIMEOUT) -> float:
    loop = asyncio.get_running_loop()
    started = loop.time()
    while not predicate():
        if loop.time() - started > timeout:
            raise TimeoutError("condition not reached")
        await asyncio.sleep(0.05)
    return loop.time() - started


def test_ready_follows_a_host_that_goes_silent_and_comes_back(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with LossyPtyProxy() as line:
            keys = DeviceKeys.open(tmp_path / "reader", demo=False)
            link = HostLink(line.path_a, keys, "0.1.0-test", tmp_path / "reader" / "outbox", lambda _c: None,
                            heartbeat=0.5, silent_after=2.0)  # fmt: skip
            assert not link.ready()  # no host yet
            await link.start()
            verifier = ResultVerifier(keys.key.public_key(), HostStore(tmp_path / "host.sqlite"), [CA.certificate])
            try:
                async with ReaderClient(line.path_b, verifier, on_result=lambda _r: None, pool_size=4):
                    await until(link.ready)
                    line.faults_ba.drop = 1.0  # the PC hangs: the USB line stays up, nothing comes back
                    waited = await until(lambda: not link.ready())
                    assert waited < 2.0 + 0.5 + 2.0  # silent_after, a heartbeat, the link's own timers
                    line.faults_ba.drop = 0.0
                    await until(link.ready)
            finally:
                await link.close()

    asyncio.run(scenario())


def test_ready_needs_a_nonce_in_the_pool(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with LossyPtyProxy() as line:
            keys = DeviceKeys.open(tmp_path / "reader", demo=False)
            link = HostLink(line.path_a, keys, "0.1.0-test", tmp_path / "reader" / "outbox", lambda _c: None)
            await link.start()
            verifier = ResultVerifier(keys.key.public_key(), HostStore(tmp_path / "host.sqlite"), [CA.certificate])
            try:
                async with ReaderClient(line.path_b, verifier, on_result=lambda _r: None, pool_size=2):
                    await until(link.ready)
                    line.faults_ba.drop = 1.0  # no refill can arrive
                    while link.take_nonce() is not None:
                        pass
                    assert not link.ready()
            finally:
                await link.close()

    asyncio.run(scenario())
