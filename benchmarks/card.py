"""Card-path figures through the real pcscd + vpcd + the emulated card.

Run: ``.venv/bin/python benchmarks/card.py [--rounds 50]`` with no other pcscd running (it starts its own, with APDU
logging, and stops it). Prints, for each path, the APDU count, bytes each way and median / p95 time:
  (a) card inserted → token label + 利用者証明用 certificate (from SELECT AP; pcscd's insertion poll not included)
  (b) the PIN round after the AP is selected: tries, VERIFY, sign
  (c) the face path after the 券面事項確認AP is selected: 照合番号B tries, VERIFY, the card face record, the
      challenge signed by the AP's key — for a ~3 KB record, a 2.5 KB photo and the 10–15 KB photo
  and OpenSC's APDU count for the same certificate, from pcscd's APDU log, with its drivers' probes shown apart.
On a real card each APDU costs tens of milliseconds: the count is the figure that carries over. READ BINARY carries
at most 256 bytes (no public source shows the card taking extended-length reads), so the face path costs one APDU
per 256 bytes of the record: the ≤ 18-APDU target holds only for a record of about 3.8 KB or less.
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
from typing import TypeVar

from drivers.card.card_face import CardFaceAp
from drivers.card.channel import CardChannel, Exchange
from drivers.card.emulated import pcscd, pki, portrait, profiles
from drivers.card.emulated.card import BinaryFile
from drivers.card.emulated.vpcd import DEFAULT_PORT, VpcdCard
from drivers.card.info import read_card_info
from drivers.card.jpki import JpkiAp
from drivers.card.pcsc import PcscContext

READER = "Virtual PCD 00 00"
FACE_READER = "Virtual PCD 00 01"
PIN = "1234"
CODE_B = "55021720352285"  # the default holder's 照合番号B
JPKI_SELECT = "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01"


Session = TypeVar("Session")


def measure(rounds: int, context: PcscContext, prepare: Callable[[CardChannel], Session],
            run: Callable[[Session], None], reader: str = READER) -> tuple[list[float], list[Exchange]]:
    """Time ``run`` over ``rounds`` fresh connections (each reset on close, so no verified state carries over);
    ``prepare`` runs first, outside the timing and the APDU log."""
    times: list[float] = []
    exchanges: list[Exchange] = []
    for _ in range(rounds):
        with context.connect(reader) as connection:
            channel = CardChannel(connection)
            session = prepare(channel)
            log: list[Exchange] = []
            channel.observers.append(log.append)
            start = time.perf_counter()
            run(session)
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
    run: list[Exchange] = []
    for e in [*exchanges, None]:
        if e is not None and run and e.name == run[0].name:
            run.append(e)
            continue
        # Long runs of one command (the READ BINARY chunks of a big record) are shown by their ends.
        shown = run if len(run) <= 4 else [run[0], run[1], None, run[-1]]
        for item in shown:
            if item is None:
                print(f"    … {len(run) - 3} more {run[0].name}")
            else:
                print(f"    {item.trace[:72]:72} -> {item.received - 2:4d} B, SW {item.sw:04X}")
        run = [] if e is None else [e]


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


def face_paths(rounds: int, context: PcscContext) -> None:
    issuer = pki.test_card_face_issuer().public_key()

    def select(channel: CardChannel) -> CardFaceAp:
        ap = CardFaceAp(channel)
        ap.select()
        return ap

    def face_path(ap: CardFaceAp) -> None:
        ap.collation_b_tries_left()
        ap.verify_collation_b(CODE_B)
        face = ap.read_card_face(issuer)
        assert face.card_key is not None and face.card_key.result.value == "verified"

    for title, budget in (("~3 KB record", portrait.COMPACT_PHOTO_BYTES), ("2.5 KB photo", 2_500),
                          ("10-15 KB photo (default)", portrait.DEFAULT_PHOTO_BYTES)):
        card = profiles.build("normal", photo=portrait.default_photo(budget))
        record = card.applications[2].files[0x0002]
        assert isinstance(record, BinaryFile) and card.face is not None
        slot = VpcdCard(card, port=DEFAULT_PORT + 1)
        slot.insert()
        try:
            wait_present(context, FACE_READER)
            times, log = measure(rounds, context, select, face_path, FACE_READER)
            report(f"(c) face path after SELECT AP, {title}: photo {len(card.face.photo)} B, record "
                   f"{len(record.data)} B; tries, VERIFY, record, challenge signature", times, log)
        finally:
            slot.remove()
            # The next card goes into the same slot: let pcscd see this one leave first.
            if not context.wait_card_absent(FACE_READER, 5):
                raise SystemExit(f"the emulated card did not leave {FACE_READER}")


def wait_present(context: PcscContext, reader: str) -> None:
    deadline = time.monotonic() + 10
    while not context.card_present(reader):
        if time.monotonic() > deadline:
            raise SystemExit(f"the emulated card was not seen in {reader}")
        context.wait_for_events(0.5)


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
        wait_present(context, READER)

        def nothing(channel: CardChannel) -> JpkiAp:
            return JpkiAp(channel)

        def identify(jpki: JpkiAp) -> None:
            jpki.select()
            jpki.token_label()
            jpki.auth_certificate()

        times, log = measure(args.rounds, context, nothing, identify)
        report("(a) card inserted -> token label + auth certificate", times, log)

        def select(channel: CardChannel) -> JpkiAp:
            jpki = JpkiAp(channel)
            jpki.select()
            return jpki

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

        face_paths(args.rounds, context)
        opensc_figures(log_path)
        peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"peak RSS of this process: {peak_kib / 1024:.1f} MiB")
    finally:
        context.close()
        slot.remove()
        pcscd.stop(pidfile)


if __name__ == "__main__":
    main()
