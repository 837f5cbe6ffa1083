"""Card-path figures through the real pcscd + vpcd + the emulated card.

Run: ``.venv/bin/python benchmarks/card.py [--rounds 50]`` with no other pcscd running (it starts its own, with APDU
logging, and stops it). Prints, for each path, the APDU count, bytes each way and median / p95 time:
  (a) card inserted → token label + 利用者証明用 certificate (from SELECT AP; pcscd's insertion poll not included)
  (b) the PIN round after the AP is selected: tries, VERIFY, sign
  and OpenSC's APDU count for the same certificate, from pcscd's APDU log, with its drivers' probes shown apart.
On a real card each APDU costs tens of milliseconds: the count is the figure that carries over.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import resource
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from drivers.card.channel import CardChannel, Exchange
from drivers.card.emulated import pcscd, profiles
from drivers.card.emulated.vpcd import VpcdCard
from drivers.card.info import read_card_info
from drivers.card.jpki import JpkiAp
from drivers.card.pcsc import PcscContext

READER = "Virtual PCD 00 00"
PIN = "1234"
JPKI_SELECT = "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01"


def measure(rounds: int, context: PcscContext, prepare: Callable[[JpkiAp], None],
            run: Callable[[JpkiAp], None]) -> tuple[list[float], list[Exchange]]:
    times: list[float] = []
    exchanges: list[Exchange] = []
    for _ in range(rounds):
        with context.connect(READER) as connection:
            channel = CardChannel(connection)
            jpki = JpkiAp(channel)
            prepare(jpki)
            log: list[Exchange] = []
            channel.observers.append(log.append)
            start = time.perf_counter()
            run(jpki)
            times.append(time.perf_counter() - start)
            exchanges = log
    return times, exchanges


def report(title: str, times: list[float], exchanges: list[Exchange]) -> None:
    ms = sorted(t * 1000 for t in times)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    sent = sum(e.sent for e in exchanges)
    received = sum(e.received for e in exchanges)
    print(f"{title}")
    print(f"  APDUs {len(exchanges)}, bytes to card {sent}, from card {received}; "
          f"median {statistics.median(ms):.2f} ms, p95 {p95:.2f} ms over {len(ms)} rounds")
    for e in exchanges:
        print(f"    {e.command.trace()[:72]:72} -> {e.received - 2:4d} B, SW {e.sw:04X}")


def opensc_apdus(log_text: str) -> list[str]:
    return [m.group(1).strip() for m in re.finditer(r"APDU: ([0-9A-F ]+)", log_text)]


def opensc_figures(log_path: Path) -> None:
    start = log_path.stat().st_size
    subprocess.run(["pkcs15-tool", "-r", "0", "--read-certificate", "01"], capture_output=True, check=True)
    apdus = opensc_apdus(log_path.read_text(errors="replace")[start:])
    first_jpki = next(i for i, a in enumerate(apdus) if a.startswith(JPKI_SELECT))
    probes, driver = apdus[:first_jpki], apdus[first_jpki:]
    cert_start = next(i for i, a in enumerate(driver) if a.startswith("00 A4 02 0C 02 00 0A"))
    cert = [a for a in driver[cert_start:] if a.startswith(("00 A4 02 0C 02 00 0A", "00 B0"))]
    print("OpenSC 'pkcs15-tool --read-certificate 01' (from pcscd's APDU log)")
    print(f"  APDUs in all {len(apdus)}: other drivers' probes {len(probes)}, JPKI driver {len(driver)} "
          f"(PKCS#15 bind and certificate); reading the certificate itself {len(cert)} "
          f"(SELECT EF + {len(cert) - 1} READ BINARY)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="mynareader-bench-"))
    pidfile, log_path = work / "pcscd.pid", work / "pcscd.log"
    pcscd.start(pidfile, log_path, extra_args=("--debug", "--apdu"))
    slot = VpcdCard(profiles.build("normal", pin=PIN))
    context = PcscContext()
    try:
        slot.insert()
        deadline = time.monotonic() + 10
        while not context.card_present(READER):
            if time.monotonic() > deadline:
                raise SystemExit("the emulated card was not seen by pcscd")
            context.wait_for_events(0.5)

        def nothing(jpki: JpkiAp) -> None:
            return None

        def identify(jpki: JpkiAp) -> None:
            jpki.select()
            jpki.token_label()
            jpki.auth_certificate()

        times, log = measure(args.rounds, context, nothing, identify)
        report("(a) card inserted -> token label + auth certificate", times, log)

        def select(jpki: JpkiAp) -> None:
            jpki.select()

        def pin_round(jpki: JpkiAp) -> None:
            jpki.pin_tries_left()
            jpki.verify_pin(PIN)
            jpki.sign(hashlib.sha256(b"nonce").digest())

        times, log = measure(args.rounds, context, select, pin_round)
        report("(b) PIN round after SELECT AP: tries, VERIFY, sign", times, log)

        def info(jpki: JpkiAp) -> None:
            read_card_info(jpki.channel)

        times, log = measure(args.rounds, context, nothing, info)
        report("card info (identify + certificate + tries + 共通AP expiry)", times, log)

        opensc_figures(log_path)
        peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"peak RSS of this process: {peak_kib / 1024:.1f} MiB")
    finally:
        context.close()
        slot.remove()
        pcscd.stop(pidfile)


if __name__ == "__main__":
    main()
