"""Link figures over real ptys (issue 5). Run: .venv/bin/python benchmarks/link.py [--quick]

Prints:
- throughput over a pty at 115200 baud: the ptys' termios speed is set to 115200, and since a pty does not throttle
  to it, the proxy between the two pty pairs also paces each direction at 11,520 bytes/s (8N1: 10 bits per byte),
  like a real UART;
- throughput over unthrottled ptys (CPU-bound: pure-Python CRC-32C and COBS on both ends, proxy in between);
- the time to deliver one 2 KB message at 10 % frame loss (115200 baud, paced), median and p95 over many trials;
- the bytes of overhead per message (wire bytes in both directions, ACKs included, minus payload).

One-way transfers of 2,000-byte messages; the other direction carries only ACKs. Figures depend on the machine
and its load; nothing here is asserted.
"""

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from protocol.link import Acked, Delivered, Link  # noqa: E402
from protocol.serial_link import SerialLink  # noqa: E402
from protocol.testing import Faults, LossyPtyProxy  # noqa: E402

SIZE = 2000
BAUD = 115200
PACE = BAUD // 10


async def transfer(count, baudrate=None, pace=None):
    done = asyncio.Event()
    got = []

    def on_b(ev):
        if isinstance(ev, Delivered):
            got.append(len(ev.payload))
            if len(got) == count:
                done.set()

    async with LossyPtyProxy(baudrate=baudrate, pace=pace) as proxy:
        async with SerialLink(proxy.path_a, baudrate=baudrate or BAUD) as a, SerialLink(
            proxy.path_b, baudrate=baudrate or BAUD, on_event=on_b
        ):
            while not a.link.connected:
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.2)
            start_ab, start_ba = proxy.bytes_ab, proxy.bytes_ba
            t0 = time.monotonic()
            for _ in range(count):
                a.send(bytes(SIZE))
            await done.wait()
            elapsed = time.monotonic() - t0
            await asyncio.sleep(0.3)  # let the last ACKs cross
            wire = proxy.bytes_ab - start_ab + proxy.bytes_ba - start_ba
            stats = a.link.stats
    return elapsed, wire, stats


async def delivery_times(trials, loss):
    times = []
    delivered = asyncio.Event()
    acked = asyncio.Event()

    def on_a(ev):
        if isinstance(ev, Acked):
            acked.set()

    def on_b(ev):
        if isinstance(ev, Delivered):
            delivered.set()

    faults_ab = Faults(seed=5, drop=loss)
    faults_ba = Faults(seed=6, drop=loss)
    async with LossyPtyProxy(faults_ab, faults_ba, baudrate=BAUD, pace=PACE) as proxy:
        async with SerialLink(proxy.path_a, link=Link(), on_event=on_a) as a, SerialLink(
            proxy.path_b, on_event=on_b
        ):
            while not a.link.connected:
                await asyncio.sleep(0.01)
            for _ in range(5):  # warm up the RTT estimate, as a running link has
                acked.clear()
                a.send(bytes(SIZE))
                await acked.wait()
            for _ in range(trials):
                delivered.clear()
                acked.clear()
                t0 = time.monotonic()
                a.send(bytes(SIZE))
                await delivered.wait()
                times.append(time.monotonic() - t0)
                await acked.wait()  # the line is idle again before the next trial
            dropped = faults_ab.counts["dropped"], faults_ab.counts["frames"]
    return times, dropped


def p95(xs):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer messages and trials")
    args = ap.parse_args()
    n_slow, n_fast, trials = (30, 300, 40) if args.quick else (100, 2000, 200)

    elapsed, wire, stats = asyncio.run(transfer(n_slow, baudrate=BAUD, pace=PACE))
    rate = n_slow * SIZE / elapsed
    print("throughput, pty at 115200 baud (paced to %d B/s): %.0f B/s of payload = %.1f %% of the line "
          "(%d x %d B in %.1f s, %d retransmits)" % (PACE, rate, 100 * rate / PACE, n_slow, SIZE, elapsed,
                                                     stats.retransmits))
    elapsed, wire, stats = asyncio.run(transfer(n_fast))
    print("throughput, unthrottled pty: %.0f kB/s of payload (%d x %d B in %.1f s, %d retransmits)"
          % (n_fast * SIZE / elapsed / 1000, n_fast, SIZE, elapsed, stats.retransmits))
    overhead = (wire - n_fast * SIZE) / n_fast
    print("overhead per %d-byte message: %.1f bytes on the wire (both directions, ACKs included; %d frames out, "
          "%d frames back)" % (SIZE, overhead, stats.frames_sent, stats.frames_received))

    times, (dropped, frames) = asyncio.run(delivery_times(trials, 0.10))
    print("delivery of one %d B message at 10 %% frame loss (115200 baud, paced): median %.0f ms, p95 %.0f ms, "
          "max %.0f ms (%d trials; %d of %d frames dropped a->b)"
          % (SIZE, 1000 * statistics.median(times), 1000 * p95(times), 1000 * max(times), trials, dropped, frames))


if __name__ == "__main__":
    main()
