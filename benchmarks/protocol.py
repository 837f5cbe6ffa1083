"""Message-layer figures: bytes on the wire per result, sign / verify times, end-to-end delivery at 115200 baud.

Run: ``.venv/bin/python benchmarks/protocol.py [--rounds 200] [--deliveries 10]``. The pty at 115200 baud is paced
to 11,520 bytes/s in each direction by the proxy (a pty alone does not throttle to its termios speed).
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
from protocol.host.store import HostStore  # noqa: E402
from protocol.host.verify import ResultVerifier, VerifiedResult  # noqa: E402
from protocol.messages import Message  # noqa: E402
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
        verifier = ResultVerifier(key.public_key(), store, [CA.certificate])
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
        try:
            async with ReaderClient(line.path_b, ResultVerifier(keys.key.public_key(), store, [CA.certificate]),
                                    baudrate=115200, pool_size=count + 2) as host:
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
                    while not isinstance(await host.next_event(), VerifiedResult):
                        pass
                    times.append(time.perf_counter() - t0)
                    await asyncio.sleep(0.2)  # let the acknowledgements drain: one result at a time
        finally:
            store.close()
            await link.close()
    print(f"PIN result, publish -> verified at the host, pty at 115200 baud: {stats(times)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--deliveries", type=int, default=10)
    args = parser.parse_args()
    key = DeviceKeys.open(Path(tempfile.mkdtemp()), demo=False).key
    for method in (Method.PIN, Method.FACE):
        wire_bytes(method, key)
    sign_verify(args.rounds)
    asyncio.run(delivery(args.deliveries))
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
