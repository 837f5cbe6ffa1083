"""Message-layer figures: bytes on the wire per result, sign / verify times, end-to-end delivery at 115200 baud, and
a reader flooding the host with ``need_nonces`` (store rows and size, the event loop's longest stall).

Run: ``.venv/bin/python benchmarks/protocol.py [--rounds 200] [--deliveries 10] [--asks 5000]``. The pty at 115200
baud is paced to 11,520 bytes/s in each direction by the proxy (a pty alone does not throttle to its termios speed);
the flood runs over an unpaced pty.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

# This script is named like the package it measures: keep its own folder off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.append(str(Path(__file__).resolve().parents[1] / "tests" / "support"))  # result_builders

from result_builders import CA, claims  # noqa: E402

from firmware.attest import DeviceKeys  # noqa: E402
from firmware.host_link import HostLink  # noqa: E402
from protocol import messages, results  # noqa: E402
from protocol.frame import ACK, DATA, Frame, pack  # noqa: E402
from protocol.host.client import ReaderClient  # noqa: E402
from protocol.host.policy import HostPolicy  # noqa: E402
from protocol.host.store import HostStore  # noqa: E402
from protocol.host.verify import ResultVerifier, VerifiedResult  # noqa: E402
from protocol.link import Connected, Delivered, Link  # noqa: E402
from protocol.messages import Message  # noqa: E402
from protocol.serial_link import SerialLink  # noqa: E402
from protocol.results import Method  # noqa: E402
from protocol.testing import LossyPtyProxy  # noqa: E402


def stats(values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"median {statistics.median(ms):.2f} ms, p95 {p95:.2f} ms (n={len(ms)})"


def wire_bytes(method: Method, key: object) -> None:
    cose = results.sign_result(claims(method, os.urandom(16)), key)  # type: ignore[arg-type]
    message = messages.encode(Message(messages.RESULT, 1, {"cose": cose}))
    data = 1 + len(pack(Frame(DATA, 1, 2, payload=message, window=8)))  # + the burst's leading delimiter
    ack_message = messages.encode(Message(messages.RESULT_ACK, 1, {"cti": os.urandom(16), "accepted": True}))
    back = 1 + len(pack(Frame(DATA, 2, 1, payload=ack_message, window=8)))
    ack = 1 + len(pack(Frame(ACK, 1, 2, window=8)))
    print(f"{method.value:>5} result: COSE {len(cose)} B, message {len(message)} B, on the wire {data} B "
          f"(+ link ack {ack} B; result_ack {back} B and its link ack {ack} B back)")


def sign_verify(rounds: int) -> None:
    key = DeviceKeys.open(Path(tempfile.mkdtemp()), demo=False).key
    with tempfile.TemporaryDirectory() as tmp:
        store = HostStore(Path(tmp) / "host.sqlite")
        verifier = ResultVerifier(key.public_key(), store, [CA.certificate], HostPolicy.development())
        for method in (Method.PIN, Method.FACE):
            sign_times, verify_times = [], []
            for _ in range(rounds):
                nonce = store.issue(1, 600, time.time())[0]
                result = claims(method, nonce)
                t0 = time.perf_counter()
                cose = results.sign_result(result, key)
                t1 = time.perf_counter()
                verifier.verify(cose)
                t2 = time.perf_counter()
                sign_times.append(t1 - t0)
                verify_times.append(t2 - t1)
            print(f"{method.value:>5} sign (ES256):  {stats(sign_times)}")
            print(f"{method.value:>5} verify (signature, claims, card proofs, certificate chain, nonce + cti in "
                  f"SQLite): {stats(verify_times)}")
        store.close()


async def delivery(count: int) -> None:
    tmp = Path(tempfile.mkdtemp())
    async with LossyPtyProxy(baudrate=115200, pace=11520) as line:
        keys = DeviceKeys.open(tmp / "reader", demo=False)
        link = HostLink(line.path_a, keys, "bench", tmp / "outbox", lambda command: None, baudrate=115200)
        await link.start()
        store = HostStore(tmp / "host.sqlite")
        handed: asyncio.Queue[VerifiedResult] = asyncio.Queue()
        try:
            async with ReaderClient(line.path_b, ResultVerifier(keys.key.public_key(), store, [CA.certificate]),
                                    on_result=handed.put, baudrate=115200, pool_size=min(64, count + 2)) as host:
                await host.info()
                while link.endpoint.nonces_available(link.clock()) < count:
                    await asyncio.sleep(0.05)
                times = []
                for _ in range(count):
                    nonce = link.take_nonce()
                    assert nonce is not None
                    result = claims(Method.PIN, nonce, device=keys.device, counter=keys.next_counter())
                    t0 = time.perf_counter()
                    link.publish(result)
                    await handed.get()
                    times.append(time.perf_counter() - t0)
                    await asyncio.sleep(0.2)  # let the acknowledgements drain: one result at a time
        finally:
            store.close()
            await link.close()
    print(f"PIN result, publish -> verified at the host, pty at 115200 baud: {stats(times)}")


async def nonce_flood(asks: int) -> None:
    """A reader (the pinned key) sending ``asks`` need_nonces with ``available: 0``: what the host's store holds after,
    and the longest the event loop went without running a 1 ms ticker (SQLite work must not stall it)."""
    tmp = Path(tempfile.mkdtemp())
    key = DeviceKeys.open(tmp / "reader", demo=False)
    store = HostStore(tmp / "host.sqlite")
    pools = 0
    connected = asyncio.Event()

    def on_event(event: object) -> None:
        nonlocal pools
        if isinstance(event, Connected):
            connected.set()
        elif isinstance(event, Delivered) and messages.decode(event.payload).type == messages.NONCE_POOL:
            pools += 1

    stalls: list[float] = []

    async def ticker() -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            stalls.append(now - last)
            last = now

    async with LossyPtyProxy() as line:
        reader = SerialLink(line.path_a, link=Link(), on_event=on_event)
        async with ReaderClient(line.path_b, ResultVerifier(key.key.public_key(), store, [CA.certificate]),
                                on_result=lambda result: None) as host, reader:
            await connected.wait()
            reader.send(messages.encode(Message(messages.INFO, 1, {
                "device": key.device, "public_key": key.public_pem, "fingerprint": key.fingerprint,
                "firmware": "bench", "versions": [1], "demo": False, "clock_set": True, "nonces": 0})))
            tick = asyncio.ensure_future(ticker())
            t0 = time.perf_counter()
            for n in range(asks):
                reader.send(messages.encode(Message(messages.NEED_NONCES, n + 2, {"available": 0})))
            while pools < asks + 1:
                await asyncio.sleep(0.01)
            elapsed = time.perf_counter() - t0
            tick.cancel()
            assert host.protocol_errors == 0
    rows = store.unused(results.fingerprint_bytes(key.key.public_key()))
    store.close()
    size = sum(f.stat().st_size for f in tmp.glob("host.sqlite*"))
    print(f"{asks} need_nonces from one reader: {pools} nonce pools sent in {elapsed:.1f} s; store: {rows} unused "
          f"nonces kept, {size / 1024:.0f} KiB; event loop: {stats(stalls)} between 1 ms ticks, longest "
          f"{max(stalls) * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--deliveries", type=int, default=10)
    parser.add_argument("--asks", type=int, default=5000)
    args = parser.parse_args()
    key = DeviceKeys.open(Path(tempfile.mkdtemp()), demo=False).key
    for method in (Method.PIN, Method.FACE):
        wire_bytes(method, key)
    sign_verify(args.rounds)
    asyncio.run(delivery(args.deliveries))
    asyncio.run(nonce_flood(args.asks))
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
