"""``mynareader-host``: the reception PC's command line.

``listen`` connects to a reader, keeps it supplied with nonces and prints one JSON line per verified result;
``verify`` checks a saved result offline; ``info`` prints what a reader says about itself.

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
from typing import TextIO

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from protocol.host.client import ProtocolProblem, ReaderClient, ReaderError, ReaderInfo, Rejection, StateChange
from protocol.host.store import HostStore, StoreError
from protocol.host.verify import ResultRejected, ResultVerifier, VerifiedResult

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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mynareader-host", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    listen = sub.add_parser("listen", help="receive and verify results from a reader")
    listen.add_argument("--port", required=True, help="device path (/dev/ttyACM0, COM3) or socket://HOST:PORT")
    listen.add_argument("--trust", type=Path, required=True, help="the reader's public key (PEM) to pin")
    listen.add_argument("--ca", type=Path, action="append", default=[], help="JPKI CA certificate (repeatable)")
    listen.add_argument("--state", type=Path, default=None, help="where nonces and seen results are kept")
    listen.add_argument("--allow-demo", action="store_true", help="accept results signed with a demo key")
    listen.add_argument("--jsonl", type=Path,
                        help="also append each verified result to this file (created 0600: it holds personal data)")
    listen.add_argument("--baud", type=int, default=115200)

    verify = sub.add_parser("verify", help="verify a saved result (COSE_Sign1) offline")
    verify.add_argument("file", type=Path)
    verify.add_argument("--trust", type=Path, required=True)
    verify.add_argument("--ca", type=Path, action="append", default=[])
    verify.add_argument("--allow-demo", action="store_true")

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
    verifier = ResultVerifier(load_device_key(args.trust), None, load_cas(args.ca), allow_demo=args.allow_demo)
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


def open_private_append(path: Path) -> TextIO:
    """Open ``path`` for appending, creating it readable by the owner only (0600, like host.sqlite): the lines hold
    certificate serials and consents. An existing file keeps the permissions its owner gave it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    return os.fdopen(fd, "a", encoding="utf-8")


async def listen_command(args: argparse.Namespace) -> int:
    state_dir = args.state or default_state_dir()
    store = HostStore(state_dir / "host.sqlite")
    verifier = ResultVerifier(load_device_key(args.trust), store, load_cas(args.ca), allow_demo=args.allow_demo)
    jsonl = open_private_append(args.jsonl) if args.jsonl else None
    try:
        async with ReaderClient(args.port, verifier, baudrate=args.baud) as reader:
            while True:
                event = await reader.next_event()
                if isinstance(event, VerifiedResult):
                    line = json.dumps(event.as_json(), ensure_ascii=False)
                    print(line, flush=True)
                    if jsonl is not None:
                        jsonl.write(line + "\n")
                        jsonl.flush()
                elif isinstance(event, Rejection):
                    print(f"rejected: {event.reason}: {event.detail}", file=sys.stderr, flush=True)
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
