"""``mynareader-host``: the reception PC's command line.

``listen`` connects to a reader, keeps it supplied with nonces and prints one JSON line per verified result;
``verify`` checks a saved result offline; ``info`` prints what a reader says about itself.

What a host accepts beyond the signatures (docs/protocol.md, "Host policy"): device-attested (face) results are
refused unless ``--device-attested accept`` (any pinned reader) or ``--device-attested listed`` with
``--attesting-device FINGERPRINT`` for each reader allowed; face results without a liveness check are refused unless
``--allow-unchecked-liveness``; demo results unless ``--allow-demo``. ``--development`` turns all three on (a
development host). Each result's JSON says in ``proof`` what was proven, by whom, and which of these settings let it
through.

``listen --jsonl FILE`` appends each result to FILE and fsyncs it before the result is acknowledged to the reader,
so a result is in FILE exactly once even if the host is killed at any moment (a line cut short by a crash is removed
at the next start; that result was never acknowledged and is written again when the reader resends it). Without
``--jsonl``, stdout is the hand-over: a result is acknowledged once its line is written and flushed.

Exit status: 0 done (``verify``: accepted); 1 ``verify`` rejected the result; 2 bad arguments, or a file, port or
state store that cannot be used (one line on stderr saying which, no traceback).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from protocol.host.client import (
    HandOverFailed,
    ProtocolProblem,
    ReaderClient,
    ReaderError,
    ReaderInfo,
    Rejection,
    StateChange,
)
from protocol.host.policy import DeviceAttested, HostPolicy
from protocol.host.store import HostStore, StoreError
from protocol.host.verify import AlreadyAccepted, ResultRejected, ResultVerifier, VerifiedResult

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


def default_state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "mynareader-host"


def load_device_key(path: Path) -> ec.EllipticCurvePublicKey:
    key = serialization.load_pem_public_key(path.read_bytes())
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ValueError(f"{path}: not a P-256 public key")
    return key


def load_cas(paths: Sequence[Path]) -> list[x509.Certificate]:
    cas: list[x509.Certificate] = []
    for path in paths:
        data = path.read_bytes()
        cas.extend(x509.load_pem_x509_certificates(data) if b"-----BEGIN" in data
                   else [x509.load_der_x509_certificate(data)])
    return cas


def add_policy_arguments(parser: argparse.ArgumentParser) -> None:
    policy = parser.add_argument_group("host policy (what is accepted beyond the signatures)")
    policy.add_argument("--device-attested", choices=[p.value for p in DeviceAttested], default=None,
                        help="device-attested (face) results: refuse (default), accept from the pinned reader, "
                             "or accept only from the readers listed with --attesting-device")
    policy.add_argument("--attesting-device", action="append", default=[], metavar="FINGERPRINT",
                        help="a reader key's fingerprint whose device-attested results are accepted (repeatable; "
                             "implies --device-attested listed)")
    policy.add_argument("--allow-unchecked-liveness", action="store_true",
                        help="accept face results whose liveness was not checked (each says so)")
    policy.add_argument("--allow-demo", action="store_true", help="accept results signed with a demo key")
    policy.add_argument("--development", action="store_true",
                        help="a development host: all of the above accepted unless set otherwise")


def policy_from(args: argparse.Namespace) -> HostPolicy:
    """The policy the flags ask for: the production default, or --development, with explicit flags on top."""
    base = HostPolicy.development() if args.development else HostPolicy()
    attested = base.device_attested
    if args.device_attested is not None:
        attested = DeviceAttested(args.device_attested)
    elif args.attesting_device:
        attested = DeviceAttested.LISTED
    if args.attesting_device and attested is not DeviceAttested.LISTED:
        raise ValueError("--attesting-device lists readers for --device-attested listed")
    return HostPolicy(attested, frozenset(args.attesting_device),
                      allow_unchecked_liveness=base.allow_unchecked_liveness or args.allow_unchecked_liveness,
                      allow_demo=base.allow_demo or args.allow_demo)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mynareader-host", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    listen = sub.add_parser("listen", help="receive and verify results from a reader")
    listen.add_argument("--port", required=True, help="device path (/dev/ttyACM0, COM3) or socket://HOST:PORT")
    listen.add_argument("--trust", type=Path, required=True, help="the reader's public key (PEM) to pin")
    listen.add_argument("--ca", type=Path, action="append", default=[], help="JPKI CA certificate (repeatable)")
    listen.add_argument("--state", type=Path, default=None, help="where nonces and seen results are kept")
    listen.add_argument("--jsonl", type=Path,
                        help="also append each verified result to this file, fsynced before the result is "
                             "acknowledged (created 0600: it holds personal data)")
    listen.add_argument("--baud", type=int, default=115200)
    add_policy_arguments(listen)

    verify = sub.add_parser("verify", help="verify a saved result (COSE_Sign1) offline")
    verify.add_argument("file", type=Path)
    verify.add_argument("--trust", type=Path, required=True)
    verify.add_argument("--ca", type=Path, action="append", default=[])
    add_policy_arguments(verify)

    info = sub.add_parser("info", help="print what a reader says about itself")
    info.add_argument("--port", required=True)
    info.add_argument("--baud", type=int, default=115200)
    info.add_argument("--timeout", type=float, default=10.0)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "verify":
            return verify_command(args)
        if args.command == "info":
            return asyncio.run(info_command(args))
        return asyncio.run(listen_command(args))
    except (OSError, ValueError, StoreError) as exc:
        print(f"mynareader-host: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_OK


def verify_command(args: argparse.Namespace) -> int:
    verifier = ResultVerifier(load_device_key(args.trust), None, load_cas(args.ca), policy_from(args))
    try:
        verified = verifier.verify(args.file.read_bytes())
    except ResultRejected as rejected:
        print(json.dumps({"accepted": False, "reason": rejected.reason, "detail": str(rejected)}))
        return EXIT_REJECTED
    print(json.dumps({"accepted": True, **verified.as_json()}, ensure_ascii=False))
    return EXIT_OK


async def info_command(args: argparse.Namespace) -> int:
    async with ReaderClient(args.port, None, baudrate=args.baud) as reader:
        info = await reader.info(timeout=args.timeout)
    print(json.dumps(info.as_json(), ensure_ascii=False, indent=2))
    return EXIT_OK


class JsonlSink:
    """The ``--jsonl`` file as the durable hand-over: one line per result, fsynced before :meth:`hand_over` returns.
    Created readable by the owner only (0600, like host.sqlite): the lines hold certificate serials and consents; an
    existing file keeps the permissions its owner gave it.

    Exactly once although the host may be killed at any moment: the only line that can be in the file without its
    hand-over committed in the store is the last one (results are handed over one at a time), so a redelivered
    result whose id is on that line is not written again. A last line without its newline (cut short by a power
    cut; never fsynced, so never acknowledged) is removed on opening."""

    TAIL = 65536  # more than one line: a result's JSON is a few KB at most

    def __init__(self, path: Path) -> None:
        created = not path.exists()
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        if created:
            _fsync_directory(path.parent)  # the new file's name must survive a power cut too
        self._last_id = self._recover()

    def _recover(self) -> str | None:
        size = os.fstat(self._fd).st_size
        start = max(0, size - self.TAIL)
        tail = os.pread(self._fd, size - start, start)
        if tail and not tail.endswith(b"\n"):
            cut = tail.rfind(b"\n")
            if cut < 0 and start > 0:
                os.write(self._fd, b"\n")  # a torn line longer than the tail: end it rather than guess
                return None
            os.ftruncate(self._fd, start + cut + 1)
            os.fsync(self._fd)
            tail = tail[: cut + 1]
        last = tail.rstrip(b"\n").rpartition(b"\n")[2]
        try:
            result_id = json.loads(last).get("result_id") if last else None
        except (ValueError, AttributeError):
            return None
        return result_id if isinstance(result_id, str) else None

    def hand_over(self, result: VerifiedResult, line: str) -> None:
        result_id = result.claims.cti.hex()
        if result.redelivered and result_id == self._last_id:
            return  # written and fsynced before the host stopped; only the commit was missing
        data = (line + "\n").encode()
        while data:
            data = data[os.write(self._fd, data):]
        os.fsync(self._fd)
        self._last_id = result_id

    def close(self) -> None:
        os.close(self._fd)


def _fsync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


async def listen_command(args: argparse.Namespace) -> int:
    state_dir = args.state or default_state_dir()
    policy = policy_from(args)
    store = HostStore(state_dir / "host.sqlite")
    verifier = ResultVerifier(load_device_key(args.trust), store, load_cas(args.ca), policy)
    jsonl = JsonlSink(args.jsonl) if args.jsonl else None

    def hand_over(result: VerifiedResult) -> None:
        line = json.dumps(result.as_json(), ensure_ascii=False)
        if jsonl is not None:
            jsonl.hand_over(result, line)
        print(line, flush=True)

    print(f"policy: {policy.describe()}", file=sys.stderr, flush=True)
    try:
        async with ReaderClient(args.port, verifier, on_result=hand_over, baudrate=args.baud) as reader:
            while True:
                event = await reader.next_event()
                if isinstance(event, Rejection):
                    print(f"rejected: {event.reason}: {event.detail}", file=sys.stderr, flush=True)
                elif isinstance(event, AlreadyAccepted):
                    print(f"already accepted: {event.result_id.hex()} (acknowledged again)", file=sys.stderr,
                          flush=True)
                elif isinstance(event, HandOverFailed):
                    print(f"hand-over failed: {event.result.claims.cti.hex()}: {type(event.error).__name__}: "
                          f"{event.error}", file=sys.stderr, flush=True)
                elif isinstance(event, ReaderInfo):
                    print(f"reader {event.device.hex()} key {event.fingerprint} firmware {event.firmware}"
                          f"{' DEMO' if event.demo else ''}", file=sys.stderr, flush=True)
                elif isinstance(event, StateChange):
                    print(f"state: {event.state} ({event.mode})", file=sys.stderr, flush=True)
                elif isinstance(event, ReaderError):
                    print(f"reader error {event.code}: {event.detail}", file=sys.stderr, flush=True)
                elif isinstance(event, ProtocolProblem):
                    print(f"line: {type(event.error).__name__}: {event.error}", file=sys.stderr, flush=True)
    finally:
        store.close()
        if jsonl is not None:
            jsonl.close()


if __name__ == "__main__":
    sys.exit(main())
