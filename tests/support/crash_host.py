"""Run ``mynareader-host`` and have it killed (SIGKILL, as by a power cut or ``kill -9``) at one step of handing over
its first result: ``python crash_host.py STEP ARGS…`` where STEP is one of :data:`STEPS` and ARGS are the CLI's.

The real code runs unchanged; the step's function is wrapped so that the process kills itself right before or right
after it, the first time it runs. Nothing else is altered.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from typing import Any

from protocol import messages
from protocol.host import cli
from protocol.host.client import ReaderClient
from protocol.host.verify import ResultVerifier

STEPS = (
    "received",  # the result arrived; nothing recorded yet
    "recorded",  # nonce consumed, result recorded as pending hand-over
    "handed-over",  # the --jsonl line written and fsynced; the hand-over not committed
    "committed",  # the hand-over committed in the store; no acknowledgement sent
    "acknowledged",  # the acknowledgement queued on the link (it may or may not reach the reader)
)


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def wrap(owner: Any, name: str, before: bool, only_if: Callable[..., bool] = lambda *a, **k: True) -> None:
    real = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not only_if(*args, **kwargs):
            return real(*args, **kwargs)
        if before:
            die()
        out = real(*args, **kwargs)
        die()
        return out

    setattr(owner, name, wrapper)


def main() -> int:
    step, argv = sys.argv[1], sys.argv[2:]
    if step == "received":
        wrap(ResultVerifier, "admit", before=True)
    elif step == "recorded":
        wrap(ResultVerifier, "admit", before=False)
    elif step == "handed-over":
        wrap(cli.JsonlSink, "hand_over", before=False)
    elif step == "committed":
        wrap(ResultVerifier, "commit", before=False)
    elif step == "acknowledged":
        wrap(ReaderClient, "_send", before=False, only_if=lambda self, kind, fields=None: kind == messages.RESULT_ACK)
    else:
        raise SystemExit(f"unknown step {step!r}; one of {', '.join(STEPS)}")
    return cli.main(argv)


if __name__ == "__main__":
    sys.exit(main())
